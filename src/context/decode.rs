//! Restores what no list names: each eligible word of a sentence is
//! weighed against the thesaurus roots that list it, in its sentence, and
//! the best root that gains more than a change costs is proposed. A
//! document gate then decides whether the proposals are applied: only a
//! document with many of them counts as spun.
//!
//! The decoding is greedy, left to right: a word's left context is the
//! words as restored so far, its right context the words as written.
//! Spinners change one word in several, so neighbouring changes are rare,
//! and a full lattice search would cost far more than it adds.

use std::ops::Range;

use crate::context::candidates::Thesaurus;
use crate::context::sentence::{ends_sentence, model_word, SENTENCE_END, SENTENCE_START};
use crate::context::LanguageModel;
use crate::edit::{Edit, Fit, Origin};
use crate::level::Level;
use crate::reason::ContextReason;
use crate::text::case::transfer_case;
use crate::text::segment::Segment;

/// How proposals are scored and how the gate decides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decoding {
    /// What one change costs, in log10 units of the model.
    pub penalty: f64,
    /// What each power of ten of a root's synonyms costs: a root that
    /// lists hundreds of words is a weak candidate for any one of them.
    pub breadth_weight: f64,
    /// The `sure` findings that make a document worth decoding: far
    /// denser than the promotion rule's, since a thesaurus proposes
    /// something in nearly every sentence of any text.
    pub evidence: crate::repair::SpinEvidence,
    /// The least proposals per 1,000 eligible words of a document whose
    /// proposals are applied.
    pub gate_per_thousand: f64,
    /// The least lift of a proposal (see `LanguageModel::lift`): the
    /// sentence itself, not the original's frequency, must prefer it.
    pub min_lift: f64,
}

impl Default for Decoding {
    /// Calibrated on the dev halves of never-spun text and of the news
    /// pairs; `docs/context.md` has the figures.
    fn default() -> Decoding {
        Decoding {
            penalty: 3.0,
            breadth_weight: 1.0,
            evidence: crate::repair::SpinEvidence {
                min_findings: 3,
                per_thousand_words: 5.0,
            },
            gate_per_thousand: 5.0,
            min_lift: 0.0,
        }
    }
}

/// The most frequent words (log10 unigram probability above this) are
/// function words, which spinners leave alone.
pub(crate) const FUNCTION_WORD_LOG_PROB: f32 = -2.5;

/// The context stage's proposals in one document.
#[derive(Debug, Default)]
pub(crate) struct Proposals {
    /// Report-only edits of level `context`, sorted, apart from each other.
    pub edits: Vec<Edit>,
    /// The words that could have been restored.
    pub eligible: usize,
}

impl Proposals {
    /// Proposals per 1,000 eligible words.
    pub fn rate(&self) -> f64 {
        self.edits.len() as f64 * 1000.0 / self.eligible.max(1) as f64
    }

    /// Whether the proposals are many enough to be applied.
    pub fn pass(&self, decoding: &Decoding) -> bool {
        self.rate() >= decoding.gate_per_thousand
    }
}

/// Proposes restorations in `segments`, away from the ranges `taken`
/// (sorted by start).
pub(crate) fn propose(
    model: &dyn LanguageModel,
    thesaurus: &Thesaurus,
    segments: &[Segment<'_>],
    taken: &[Range<usize>],
    decoding: &Decoding,
) -> Proposals {
    let mut proposals = Proposals::default();
    for segment in segments {
        propose_in(model, thesaurus, segment, taken, decoding, &mut proposals);
    }
    proposals
}

/// Whether `range` overlaps one of `taken` (sorted by start).
pub(crate) fn overlaps(taken: &[Range<usize>], range: &Range<usize>) -> bool {
    let at = taken.partition_point(|r| r.end <= range.start);
    taken.get(at).is_some_and(|r| r.start < range.end)
}

fn propose_in(
    model: &dyn LanguageModel,
    thesaurus: &Thesaurus,
    segment: &Segment<'_>,
    taken: &[Range<usize>],
    decoding: &Decoding,
    proposals: &mut Proposals,
) {
    let text = segment.text;
    let tokens = &segment.tokens;
    let n = model.context_words();
    // The words as restored so far, and where sentences start.
    let mut words: Vec<String> = tokens
        .iter()
        .map(|t| model_word(&text[t.start..t.end]))
        .collect();
    let starts: Vec<bool> = (0..tokens.len())
        .map(|i| i == 0 || ends_sentence(&text[tokens[i - 1].end..tokens[i].start]))
        .collect();
    for t in 0..tokens.len() {
        let token = tokens[t];
        let written = &text[token.start..token.end];
        let range = segment.offset + token.start..segment.offset + token.end;
        if !eligible(written, starts[t]) || overlaps(taken, &range) {
            continue;
        }
        let word = words[t].clone();
        if !model.knows(&word) || model.log_prob(&[&word], 0) > FUNCTION_WORD_LOG_PROB {
            continue;
        }
        proposals.eligible += 1;
        let mut before: Vec<&str> = Vec::with_capacity(n + 1);
        let mut i = t;
        while before.len() < n {
            if starts[i] {
                before.push(SENTENCE_START);
                break;
            }
            i -= 1;
            before.push(&words[i]);
        }
        before.reverse();
        let mut after: Vec<&str> = Vec::with_capacity(n + 1);
        let mut i = t;
        while after.len() < n {
            if i + 1 == tokens.len() || starts[i + 1] {
                after.push(SENTENCE_END);
                break;
            }
            i += 1;
            after.push(&words[i]);
        }
        let mut best: Option<(f64, f32, f32, crate::context::candidates::Candidate)> = None;
        let candidates = thesaurus.candidates_cached(&word, model);
        if candidates.is_empty() {
            continue;
        }
        // The window as written and with each candidate, scored together:
        // they share their neighbours.
        let replacements: Vec<Vec<&str>> = candidates
            .iter()
            .map(|candidate| candidate.word.split(' ').collect())
            .collect();
        let mut middles: Vec<&[&str]> = Vec::with_capacity(replacements.len() + 1);
        let written_words = [word.as_str()];
        middles.push(&written_words);
        middles.extend(replacements.iter().map(Vec::as_slice));
        let scores = model.window_log_probs(&before, &middles, &after);
        let written_score = scores[0];
        for ((candidate, replacement), with) in
            candidates.iter().zip(&replacements).zip(&scores[1..])
        {
            let gain = with - written_score;
            let score = f64::from(gain)
                - decoding.penalty
                - decoding.breadth_weight * (candidate.breadth as f64).log10();
            if score > 0.0 && best.as_ref().is_none_or(|b| score > b.0) {
                let lift = gain - model.frequency_gain(&[&word], replacement);
                if f64::from(lift) >= decoding.min_lift {
                    best = Some((score, gain, lift, candidate.clone()));
                }
            }
        }
        let Some((score, gain, lift, candidate)) = best else {
            continue;
        };
        proposals.edits.push(Edit {
            range,
            replacement: transfer_case(written, &candidate.word),
            origin: Origin::Context(Box::new(ContextReason {
                root: candidate.root,
                breadth: candidate.breadth,
                score_milli: (score * 1000.0).round() as i32,
                gate_milli: 0,
                gate_passed: false,
                deep: None,
            })),
            level: Level::Context,
            applied: false,
            fit: Some(Fit {
                gain_milli: (gain * 1000.0).round() as i32,
                lift_milli: (lift * 1000.0).round() as i32,
            }),
        });
        words[t] = candidate.word;
    }
}

/// Whether a written word may be restored: a lower-case word of letters,
/// or one capitalised only because it starts a sentence. Capitals
/// elsewhere mark names, titles and labels, which the name pass owns.
pub(crate) fn eligible(written: &str, sentence_start: bool) -> bool {
    let mut chars = written.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    written.len() >= 3
        && (first.is_ascii_lowercase() || sentence_start && first.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_words_are_restored() {
        assert!(eligible("folks", false));
        assert!(eligible("Folks", true));
        assert!(!eligible("Folks", false));
        assert!(!eligible("NASA", true));
        assert!(!eligible("it's", false));
        assert!(!eligible("on", false));
    }

    #[test]
    fn a_spun_word_gets_its_original_back() {
        let segment = Segment::new(
            0,
            "The lawmakers met in the residence of representatives on Monday.",
        );
        let proposals = propose(
            crate::context::embedded(),
            Thesaurus::embedded(),
            &[segment],
            &[],
            &Decoding::default(),
        );
        let replacements: Vec<&str> = proposals
            .edits
            .iter()
            .map(|e| e.replacement.as_str())
            .collect();
        assert!(replacements.contains(&"house"), "{replacements:?}");
        assert!(proposals.eligible >= 4);
    }
}
