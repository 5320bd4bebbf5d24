//! `--deep`: a sentence scorer (the neural model) judges first the
//! document, then the words.
//!
//! One pass per sentence gives, at each content word, the probability of
//! the word as written and of each thesaurus candidate from its left
//! context. The mean of how far the best candidate beats the written word
//! is the document's evidence of spin: in spun text the originals come
//! back well ahead, in never-spun text the written words hold. Only a
//! document whose evidence passes is repaired, and there each word that a
//! candidate beats is weighed again over both sides of it, and replaced
//! when the sentence prefers the candidate clearly.

use std::ops::Range;

use crate::context::candidates::Thesaurus;
use crate::context::decode::{eligible, overlaps, FUNCTION_WORD_LOG_PROB};
use crate::context::sentence::{ends_sentence, model_word};
use crate::context::{LanguageModel, Sentence, SentenceScorer};
use crate::edit::{Edit, Origin};
use crate::level::Level;
use crate::reason::{ContextReason, DeepFigures};
use crate::text::case::transfer_case;
use crate::text::segment::Segment;

/// How `--deep` decides and chooses; figures are natural logarithms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deep {
    /// The least evidence (mean nats per content word) of a document that
    /// counts as spun.
    pub document_bar: f64,
    /// Each word's evidence is held within ±this, so that a few odd words
    /// cannot decide a document.
    pub clamp: f64,
    /// The fewest content words a document needs to be judged: a short
    /// one says too little either way.
    pub min_words: usize,
    /// A word is weighed on both sides when a candidate beats it from the
    /// left by this much.
    pub flag_bar: f64,
    /// A candidate replaces the word when the sentence with it is this
    /// much more probable.
    pub choose_bar: f64,
    /// Candidates weighed on both sides, the best from the left first.
    pub candidates: usize,
    /// Words after the replaced one that the choice reads.
    pub lookahead: usize,
}

impl Default for Deep {
    /// Not calibrated: on the measurements so far (`tools/eval_deep.py`,
    /// `docs/deep.md`) the document decision does not yet separate spun
    /// from never-spun documents, so these are starting values only.
    fn default() -> Deep {
        Deep {
            document_bar: 0.0,
            clamp: 5.0,
            min_words: 20,
            flag_bar: 1.0,
            choose_bar: 2.0,
            candidates: 4,
            lookahead: 4,
        }
    }
}

/// One content word that a candidate beats from the left.
#[derive(Debug)]
struct Flag {
    segment: usize,
    /// The sentence: a token range of the segment.
    sentence: Range<usize>,
    /// The word's index in the sentence.
    at: usize,
    /// Candidates, best from the left first.
    candidates: Vec<(String, String, u64)>,
}

/// The document decision and the words it flagged.
#[derive(Debug, Default)]
pub(crate) struct Judgement {
    /// Content words weighed.
    pub words: usize,
    /// Summed (clamped) evidence over them.
    pub evidence: f64,
    flags: Vec<Flag>,
}

impl Judgement {
    /// Mean evidence per content word.
    pub fn mean(&self) -> f64 {
        self.evidence / self.words.max(1) as f64
    }

    /// Whether the document counts as spun.
    pub fn spun(&self, deep: &Deep) -> bool {
        self.words >= deep.min_words && self.mean() >= deep.document_bar
    }
}

/// The sentences of a segment, as token ranges.
fn sentences(segment: &Segment<'_>) -> Vec<Range<usize>> {
    let tokens = &segment.tokens;
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=tokens.len() {
        if i == tokens.len() || ends_sentence(&segment.text[tokens[i - 1].end..tokens[i].start]) {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// The words and gaps of one sentence, for the scorer.
fn sentence_of<'a>(segment: &Segment<'a>, range: &Range<usize>) -> Sentence<'a> {
    let text = segment.text;
    let tokens = &segment.tokens[range.clone()];
    let mut sentence = Sentence::default();
    for (i, token) in tokens.iter().enumerate() {
        let gap = if i == 0 {
            ""
        } else {
            &text[tokens[i - 1].end..token.start]
        };
        sentence.gaps.push(gap);
        sentence.words.push(&text[token.start..token.end]);
    }
    if let Some(last) = tokens.last() {
        let next = segment
            .tokens
            .get(range.end)
            .map_or(text.len(), |t| t.start);
        sentence.gaps.push(text[last.end..next].trim_end());
    }
    sentence
}

/// Weighs every content word of the document, away from `taken` (sorted).
pub(crate) fn judge(
    scorer: &dyn SentenceScorer,
    model: &dyn LanguageModel,
    thesaurus: &Thesaurus,
    segments: &[Segment<'_>],
    taken: &[Range<usize>],
    deep: &Deep,
) -> Judgement {
    let mut judgement = Judgement::default();
    for (s, segment) in segments.iter().enumerate() {
        for range in sentences(segment) {
            let sentence = sentence_of(segment, &range);
            let mut asked: Vec<(usize, Vec<String>)> = Vec::new();
            let mut offered: Vec<Vec<(String, String, u64)>> = Vec::new();
            for (at, word) in sentence.words.iter().enumerate() {
                let token = segment.tokens[range.start + at];
                let span = segment.offset + token.start..segment.offset + token.end;
                if !eligible(word, at == 0) || overlaps(taken, &span) {
                    continue;
                }
                let lower = model_word(word);
                if !model.knows(&lower) || model.log_prob(&[&lower], 0) > FUNCTION_WORD_LOG_PROB {
                    continue;
                }
                let candidates: Vec<(String, String, u64)> = thesaurus
                    .candidates_cached(&lower, model)
                    .iter()
                    .filter(|c| !c.word.contains(' '))
                    .map(|c| (transfer_case(word, &c.word), c.root.clone(), c.breadth))
                    .collect();
                if candidates.is_empty() {
                    continue;
                }
                asked.push((at, candidates.iter().map(|c| c.0.clone()).collect()));
                offered.push(candidates);
            }
            if asked.is_empty() {
                continue;
            }
            let readings = scorer.read(&sentence, &asked);
            for (((at, _), candidates), reading) in asked.iter().zip(offered).zip(readings) {
                let Some(reading) = reading else { continue };
                let mut ranked: Vec<(f32, (String, String, u64))> = reading
                    .candidates
                    .iter()
                    .zip(candidates)
                    .filter_map(|(lp, c)| lp.map(|lp| (lp - reading.written, c)))
                    .collect();
                if ranked.is_empty() {
                    continue;
                }
                ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
                let best = f64::from(ranked[0].0);
                judgement.words += 1;
                judgement.evidence += best.clamp(-deep.clamp, deep.clamp);
                if best >= deep.flag_bar {
                    judgement.flags.push(Flag {
                        segment: s,
                        sentence: range.clone(),
                        at: *at,
                        candidates: ranked
                            .into_iter()
                            .take(deep.candidates)
                            .map(|(_, c)| c)
                            .collect(),
                    });
                }
            }
        }
    }
    judgement
}

/// The edits for the flagged words of a document judged spun: the best
/// candidate over both sides, where it clears the bar. The flags of one
/// sentence are weighed together, over one pass of it.
pub(crate) fn choose(
    scorer: &dyn SentenceScorer,
    segments: &[Segment<'_>],
    judgement: &Judgement,
    deep: &Deep,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    let flags = &judgement.flags;
    let mut from = 0;
    while from < flags.len() {
        let first = &flags[from];
        let to = from
            + flags[from..]
                .iter()
                .take_while(|f| f.segment == first.segment && f.sentence == first.sentence)
                .count();
        let group = &flags[from..to];
        from = to;
        let segment = &segments[first.segment];
        let sentence = sentence_of(segment, &first.sentence);
        let asked: Vec<(usize, Vec<String>)> = group
            .iter()
            .map(|flag| {
                let mut replacements = vec![sentence.words[flag.at].to_string()];
                replacements.extend(flag.candidates.iter().map(|c| c.0.clone()));
                (flag.at, replacements)
            })
            .collect();
        let scored = scorer.continuations(&sentence, &asked, deep.lookahead);
        for (flag, scores) in group.iter().zip(scored) {
            let Some(Some(base)) = scores.first().copied() else {
                continue;
            };
            let best = scores[1..]
                .iter()
                .zip(&flag.candidates)
                .filter_map(|(score, c)| score.map(|s| (s - base, c)))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let Some((gain, (word, root, breadth))) = best else {
                continue;
            };
            if f64::from(gain) < deep.choose_bar {
                continue;
            }
            let token = segment.tokens[flag.sentence.start + flag.at];
            edits.push(Edit {
                range: segment.offset + token.start..segment.offset + token.end,
                replacement: word.clone(),
                origin: Origin::Context(Box::new(ContextReason {
                    root: root.clone(),
                    breadth: *breadth,
                    score_milli: 0,
                    gate_milli: 0,
                    gate_passed: true,
                    deep: Some(DeepFigures {
                        gain_milli: (gain * 1000.0).round() as i32,
                        evidence_milli: (judgement.mean() * 1000.0).round() as i32,
                    }),
                })),
                level: Level::Context,
                applied: false,
                fit: None,
            });
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_is_read_as_sentences_with_their_gaps() {
        let segment = Segment::new(0, "The cat sat. It (really) slept!  Then");
        let ranges = sentences(&segment);
        assert_eq!(ranges, vec![0..3, 3..6, 6..7]);
        let second = sentence_of(&segment, &ranges[1]);
        assert_eq!(second.words, vec!["It", "really", "slept"]);
        assert_eq!(second.gaps, vec!["", " (", ") ", "!"]);
    }
}
