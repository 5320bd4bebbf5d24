//! The neural scorer behind `--deep`: a small causal language model
//! (Gemma 3, as GGUF) run on the CPU with candle. It reads whole sentences,
//! cased and punctuated, where the trigram model sees three lower-case
//! words. The model is the user's download, never shipped: the core only
//! takes its bytes.

mod gemma;
mod tokenizer;

use std::io::Cursor;

use candle_core::quantized::gguf_file;

use crate::context::{Reading, Sentence, SentenceScorer};
use gemma::{Branch, Gemma};
use tokenizer::{Piece, Tokenizer, SPACE};

/// Why a model could not be read or run.
#[derive(Debug, thiserror::Error)]
pub enum NeuralError {
    /// The file is not a Gemma 3 GGUF model.
    #[error("not a usable model: {0}")]
    Format(String),
    /// candle could not read or run it.
    #[error("model: {0}")]
    Candle(#[from] candle_core::Error),
}

/// A Gemma 3 model and its tokenizer.
pub struct NeuralModel {
    gemma: Gemma,
    tokenizer: Tokenizer,
}

impl std::fmt::Debug for NeuralModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeuralModel")
            .field("layers", &self.gemma.shape.layers)
            .field("hidden", &self.gemma.shape.hidden)
            .field("vocabulary", &self.gemma.vocabulary())
            .finish()
    }
}

/// A sentence as the model reads it: the normalised text, its tokens
/// (after the start token), and each word's byte range in the text.
struct Encoded {
    text: String,
    pieces: Vec<Piece>,
    words: Vec<std::ops::Range<usize>>,
}

impl Encoded {
    /// The tokens (indices into `pieces`) that cover word `w`.
    fn tokens_of(&self, w: usize) -> std::ops::Range<usize> {
        let range = &self.words[w];
        let first = self.pieces.partition_point(|p| p.end <= range.start);
        let end = self.pieces.partition_point(|p| p.start < range.end);
        first..end.max(first)
    }

    /// Whether word `w` starts its first token, alone or after one `▁`:
    /// then a one-piece replacement can take the token's place.
    fn starts_token(&self, w: usize) -> Option<bool> {
        let range = &self.words[w];
        let piece = self.pieces.get(self.tokens_of(w).start)?;
        if piece.start == range.start {
            Some(false)
        } else if piece.start + SPACE.len_utf8() == range.start
            && self.text[piece.start..].starts_with(SPACE)
        {
            Some(true)
        } else {
            None
        }
    }
}

impl NeuralModel {
    /// Reads a GGUF model from its bytes (a memory map, say).
    pub fn from_gguf(bytes: &[u8]) -> Result<NeuralModel, NeuralError> {
        let mut reader = Cursor::new(bytes);
        let content = gguf_file::Content::read(&mut reader)
            .map_err(|e| NeuralError::Format(format!("not GGUF: {e}")))?;
        match content.metadata.get("general.architecture") {
            Some(arch) if arch.to_string().is_ok_and(|a| a == "gemma3") => {}
            other => {
                return Err(NeuralError::Format(format!(
                    "architecture {other:?} is not gemma3"
                )))
            }
        }
        let tokenizer = Tokenizer::read(&content)?;
        let mut gemma = Gemma::read(&content, &mut reader)?;
        gemma.restrict_softmax(&tokenizer.latin_ids())?;
        Ok(NeuralModel { gemma, tokenizer })
    }

    fn encode(&self, sentence: &Sentence<'_>) -> Encoded {
        let mut text = String::new();
        let mut words = Vec::with_capacity(sentence.words.len());
        for (gap, word) in sentence.gaps.iter().zip(&sentence.words) {
            push_gap(&mut text, gap);
            let start = text.len();
            text.push_str(word);
            words.push(start..text.len());
        }
        if let Some(gap) = sentence.gaps.get(sentence.words.len()) {
            push_gap(&mut text, gap);
        }
        let pieces = self.tokenizer.encode(&text);
        Encoded {
            text,
            pieces,
            words,
        }
    }

    /// The one-piece id of `word` where it takes word `w`'s place.
    fn piece_for(&self, encoded: &Encoded, w: usize, word: &str) -> Option<u32> {
        match encoded.starts_token(w)? {
            true => self.tokenizer.id(&format!("{SPACE}{word}")),
            false => self.tokenizer.id(word),
        }
    }

    fn ids(&self, pieces: &[Piece]) -> Vec<u32> {
        std::iter::once(self.tokenizer.bos)
            .chain(pieces.iter().map(|p| p.id))
            .collect()
    }

    fn try_read(
        &self,
        sentence: &Sentence<'_>,
        asked: &[(usize, Vec<String>)],
    ) -> Result<Vec<Option<Reading>>, NeuralError> {
        let encoded = self.encode(sentence);
        let ids = self.ids(&encoded.pieces);
        // Hidden row p of the pass (after the start token and pieces
        // before p) predicts piece p.
        let mut wanted: Vec<usize> = asked
            .iter()
            .flat_map(|(w, _)| encoded.tokens_of(*w))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let (hidden, _) = self.gemma.forward(&ids, &wanted)?;
        let row = |p: usize| wanted.binary_search(&p).expect("asked piece");
        // The written words' later pieces need the full softmax; one call
        // takes them all.
        let later: Vec<usize> = asked
            .iter()
            .flat_map(|(w, _)| encoded.tokens_of(*w).skip(1))
            .collect();
        let rows: Vec<u32> = later.iter().map(|&p| row(p) as u32).collect();
        let later_ids: Vec<u32> = later.iter().map(|&p| encoded.pieces[p].id).collect();
        let later_lp = if rows.is_empty() {
            Vec::new()
        } else {
            let picked = hidden.index_select(
                &candle_core::Tensor::new(rows.as_slice(), hidden.device())?,
                0,
            )?;
            self.gemma.log_probs(&picked, &later_ids)?
        };
        let mut later_lp = later_lp.into_iter();
        let mut readings = Vec::with_capacity(asked.len());
        for (w, candidates) in asked {
            let tokens = encoded.tokens_of(*w);
            if tokens.is_empty() {
                readings.push(None);
                continue;
            }
            let rest: f32 = later_lp.by_ref().take(tokens.len() - 1).sum();
            let pieces: Vec<Option<u32>> = candidates
                .iter()
                .map(|c| self.piece_for(&encoded, *w, c))
                .collect();
            let mut asked_ids = vec![encoded.pieces[tokens.start].id];
            asked_ids.extend(pieces.iter().flatten());
            let logits = self.gemma.logits(&hidden, row(tokens.start), &asked_ids)?;
            let mut found = logits[1..].iter();
            readings.push(Some(Reading {
                written: logits[0] + rest,
                candidates: pieces
                    .iter()
                    .map(|p| p.and_then(|_| found.next().copied()))
                    .collect(),
            }));
        }
        Ok(readings)
    }

    fn try_continuations(
        &self,
        sentence: &Sentence<'_>,
        asked: &[(usize, Vec<String>)],
        lookahead: usize,
    ) -> Result<Vec<Vec<Option<f32>>>, NeuralError> {
        let encoded = self.encode(sentence);
        let ids = self.ids(&encoded.pieces);
        // Each asked word's prefix ends at its first piece; one pass over
        // the sentence gives every prefix's cache and last hidden row.
        let starts: Vec<Option<(usize, bool)>> = asked
            .iter()
            .map(|(at, _)| {
                let tokens = encoded.tokens_of(*at);
                let space = encoded.starts_token(*at)?;
                (!tokens.is_empty()).then_some((tokens.start, space))
            })
            .collect();
        let mut wanted: Vec<usize> = starts.iter().flatten().map(|s| s.0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let (hidden, cache) = self.gemma.forward(&ids, &wanted)?;
        // Every replacement of every asked word, with the words after it,
        // is a branch read after its prefix of the sentence's cache; all
        // branches go through the layers in one pass.
        let mut texts: Vec<Vec<Vec<u32>>> = Vec::with_capacity(asked.len());
        let mut branches = Vec::new();
        for ((at, replacements), start) in asked.iter().zip(&starts) {
            let Some((first, with_space)) = *start else {
                texts.push(Vec::new());
                continue;
            };
            let last = (at + lookahead).min(encoded.words.len() - 1);
            let rest = &encoded.text[encoded.words[*at].end..encoded.words[last].end];
            let word_texts: Vec<Vec<u32>> = replacements
                .iter()
                .map(|replacement| {
                    let mut text = String::new();
                    if with_space {
                        text.push(SPACE);
                    }
                    text.push_str(replacement);
                    text.push_str(rest);
                    self.tokenizer.encode(&text).iter().map(|p| p.id).collect()
                })
                .collect();
            for text in &word_texts {
                if text.len() > 1 {
                    branches.push(Branch {
                        prefix: first + 1,
                        tokens: text[..text.len() - 1].to_vec(),
                    });
                }
            }
            texts.push(word_texts);
        }
        // The later pieces of every branch need the full softmax: one
        // pass of the output projection over all their rows.
        let later: Vec<u32> = texts
            .iter()
            .flatten()
            .filter(|t| t.len() > 1)
            .flat_map(|t| t[1..].iter().copied())
            .collect();
        let mut later_lp = if branches.is_empty() {
            Vec::new()
        } else {
            let rows = self.gemma.branches(&cache, &branches)?;
            self.gemma.log_probs(&rows, &later)?
        }
        .into_iter();
        let mut out = Vec::with_capacity(asked.len());
        for (((_, replacements), start), word_texts) in asked.iter().zip(&starts).zip(&texts) {
            let Some((first, _)) = *start else {
                out.push(vec![None; replacements.len()]);
                continue;
            };
            let row = wanted.binary_search(&first).expect("asked prefix");
            let firsts: Vec<u32> = word_texts
                .iter()
                .filter_map(|t| t.first().copied())
                .collect();
            let mut heads = self.gemma.logits(&hidden, row, &firsts)?.into_iter();
            let scores = word_texts
                .iter()
                .map(|text| {
                    let rest: f32 = later_lp.by_ref().take(text.len().saturating_sub(1)).sum();
                    (!text.is_empty())
                        .then(|| heads.next())
                        .flatten()
                        .map(|head| head + rest)
                })
                .collect();
            out.push(scores);
        }
        Ok(out)
    }
}

/// Whitespace becomes one `▁`; other gap characters stay.
fn push_gap(text: &mut String, gap: &str) {
    let mut space = false;
    for c in gap.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            text.push(SPACE);
            space = false;
        }
        text.push(c);
    }
    if space && !text.is_empty() {
        text.push(SPACE);
    }
}

impl SentenceScorer for NeuralModel {
    fn read(
        &self,
        sentence: &Sentence<'_>,
        asked: &[(usize, Vec<String>)],
    ) -> Vec<Option<Reading>> {
        // A failure of the model on one sentence leaves that sentence
        // unweighed rather than failing the document.
        self.try_read(sentence, asked)
            .unwrap_or_else(|_| vec![None; asked.len()])
    }

    fn continuations(
        &self,
        sentence: &Sentence<'_>,
        asked: &[(usize, Vec<String>)],
        lookahead: usize,
    ) -> Vec<Vec<Option<f32>>> {
        self.try_continuations(sentence, asked, lookahead)
            .unwrap_or_else(|_| asked.iter().map(|(_, r)| vec![None; r.len()]).collect())
    }
}
