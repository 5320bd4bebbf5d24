//! The SentencePiece tokenizer that a GGUF model carries in its metadata:
//! pieces with scores, merged greedily by score, with a byte fallback for
//! what no piece covers. Text is cut at each space (which becomes `▁`)
//! before merging: Gemma's pieces do not cross a word boundary, and short
//! runs merge fast.

use std::collections::HashMap;

use candle_core::quantized::gguf_file;

use super::NeuralError;

/// Marks a space in SentencePiece's pieces.
pub(crate) const SPACE: char = '\u{2581}';

/// Piece types that ordinary text never produces (control and unused).
const CONTROL: i32 = 3;
const UNUSED: i32 = 5;

pub(crate) struct Tokenizer {
    ids: HashMap<String, u32>,
    scores: Vec<f32>,
    bytes: [Option<u32>; 256],
    pub bos: u32,
    pub unknown: u32,
}

/// A token and the bytes of the normalised text it covers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Piece {
    pub id: u32,
    pub start: usize,
    pub end: usize,
}

impl Tokenizer {
    pub fn read(content: &gguf_file::Content) -> Result<Tokenizer, NeuralError> {
        let get = |key: &str| {
            content
                .metadata
                .get(key)
                .ok_or_else(|| NeuralError::Format(format!("no {key} in the model")))
        };
        let model = get("tokenizer.ggml.model")?.to_string()?;
        if model != "llama" {
            return Err(NeuralError::Format(format!(
                "tokenizer {model:?} is not SentencePiece (\"llama\")"
            )));
        }
        let tokens = get("tokenizer.ggml.tokens")?.to_vec()?;
        let scores = get("tokenizer.ggml.scores")?.to_vec()?;
        let types = get("tokenizer.ggml.token_type")?.to_vec()?;
        if scores.len() != tokens.len() || types.len() != tokens.len() {
            return Err(NeuralError::Format(
                "tokenizer tables differ in length".into(),
            ));
        }
        let mut ids = HashMap::with_capacity(tokens.len());
        let mut bytes = [None; 256];
        let mut score_table = Vec::with_capacity(tokens.len());
        for (id, ((token, score), kind)) in tokens.iter().zip(scores).zip(types).enumerate() {
            let token = token.to_string()?;
            let kind = kind.to_i32()?;
            score_table.push(score.to_f32()?);
            if let Some(byte) = byte_piece(token) {
                bytes[byte as usize] = Some(id as u32);
            } else if kind != CONTROL && kind != UNUSED {
                ids.entry(token.clone()).or_insert(id as u32);
            }
        }
        let id = |key: &str| -> Result<u32, NeuralError> { Ok(get(key)?.to_u32()?) };
        Ok(Tokenizer {
            ids,
            scores: score_table,
            bytes,
            bos: id("tokenizer.ggml.bos_token_id")?,
            unknown: id("tokenizer.ggml.unknown_token_id")?,
        })
    }

    /// The id of one whole piece, if the vocabulary has it.
    pub fn id(&self, piece: &str) -> Option<u32> {
        self.ids.get(piece).copied()
    }

    /// The pieces that English text can produce: those in Latin script,
    /// punctuation and spaces, and the byte pieces. Over half of the
    /// vocabulary serves other scripts, where an English sentence puts
    /// almost no probability.
    pub fn latin_ids(&self) -> Vec<u32> {
        let latin =
            |c: char| (c as u32) < 0x250 || c == SPACE || ('\u{2000}'..='\u{206f}').contains(&c);
        let mut ids: Vec<u32> = self
            .ids
            .iter()
            .filter(|(piece, _)| piece.chars().all(latin))
            .map(|(_, &id)| id)
            .chain(self.bytes.iter().flatten().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Tokenizes `text` (already normalised: spaces as `▁`), with each
    /// token's byte range in it.
    pub fn encode(&self, text: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut start = 0;
        for (at, c) in text.char_indices() {
            if c == SPACE && at > start {
                self.encode_word(text, start, at, &mut out);
                start = at;
            }
        }
        if start < text.len() {
            self.encode_word(text, start, text.len(), &mut out);
        }
        out
    }

    fn encode_word(&self, text: &str, from: usize, to: usize, out: &mut Vec<Piece>) {
        if let Some(id) = self.id(&text[from..to]) {
            out.push(Piece {
                id,
                start: from,
                end: to,
            });
            return;
        }
        // Symbols as byte ranges; merge the best-scoring neighbouring pair
        // until no pair is a piece.
        let mut symbols: Vec<(usize, usize)> = text[from..to]
            .char_indices()
            .map(|(i, c)| (from + i, from + i + c.len_utf8()))
            .collect();
        loop {
            let mut best: Option<(f32, usize)> = None;
            for i in 0..symbols.len().saturating_sub(1) {
                let merged = &text[symbols[i].0..symbols[i + 1].1];
                if let Some(id) = self.id(merged) {
                    let score = self.scores[id as usize];
                    if best.is_none_or(|(s, _)| score > s) {
                        best = Some((score, i));
                    }
                }
            }
            let Some((_, i)) = best else { break };
            symbols[i].1 = symbols[i + 1].1;
            symbols.remove(i + 1);
        }
        for (start, end) in symbols {
            match self.id(&text[start..end]) {
                Some(id) => out.push(Piece { id, start, end }),
                None => {
                    for byte in text[start..end].bytes() {
                        let id = self.bytes[byte as usize].unwrap_or(self.unknown);
                        // Every byte token covers its character, so that a
                        // word's tokens are found by their ranges.
                        out.push(Piece { id, start, end });
                    }
                }
            }
        }
    }
}

/// The byte of a byte-fallback piece such as `<0x41>`.
fn byte_piece(token: &str) -> Option<u8> {
    let hex = token.strip_prefix("<0x")?.strip_suffix('>')?;
    (hex.len() == 2)
        .then(|| u8::from_str_radix(hex, 16).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_pieces_are_read() {
        assert_eq!(byte_piece("<0x41>"), Some(0x41));
        assert_eq!(byte_piece("<0x4>"), None);
        assert_eq!(byte_piece("house"), None);
    }
}
