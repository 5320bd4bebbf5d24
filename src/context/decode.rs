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
    /// The words that could have been restored, of those decoded.
    pub eligible: usize,
    /// Whether decoding stopped before the end, the proposals being
    /// clearly too few for the gate.
    pub stopped_early: bool,
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
/// (sorted by start). Unless `whole`, a long document whose proposals are
/// clearly too few for the gate stops early ([`EarlyStop`]): decoding the
/// rest could not make it count as spun.
pub(crate) fn propose(
    model: &dyn LanguageModel,
    thesaurus: &Thesaurus,
    segments: &[Segment<'_>],
    taken: &[Range<usize>],
    decoding: &Decoding,
    whole: bool,
) -> Proposals {
    let mut proposals = Proposals::default();
    let sentences: Vec<(usize, Range<usize>)> = segments
        .iter()
        .enumerate()
        .flat_map(|(at, segment)| sentences(segment).map(move |tokens| (at, tokens)))
        .collect();
    let stop = (!whole).then(|| EarlyStop::new(decoding));
    // Sentences are visited in an interleaved order, so that an early
    // stop has read the whole document thinly, not its first part.
    let stride = INTERLEAVE.min(sentences.len().max(1));
    'visit: for first in 0..stride {
        for (at, tokens) in sentences.iter().skip(first).step_by(stride) {
            propose_in(
                model,
                thesaurus,
                &segments[*at],
                tokens.clone(),
                taken,
                decoding,
                &mut proposals,
            );
            if stop.as_ref().is_some_and(|s| s.fails(&proposals)) {
                proposals.stopped_early = true;
                break 'visit;
            }
        }
    }
    proposals.edits.sort_by_key(|e| e.range.start);
    proposals
}

/// How many ways the sentences of a document are interleaved.
const INTERLEAVE: usize = 16;

/// A sequential test of a document's proposal rate: a likelihood ratio,
/// after each sentence, of proposals arising at half the gate's rate
/// against one and a half times it, counted as Poisson events. Decoding
/// stops once the low rate is [`EarlyStop::ODDS`] times as likely.
///
/// Never-spun text that the evidence rule lets through (dense `sure`
/// phrases) proposes at 1 to 4 per 1,000 eligible words, real spun text
/// at 7 to 13 (`docs/context.md`), so such a document stops after a few
/// thousand words instead of costing tens of thousands, and a document of
/// fewer than about 900 eligible words is always decoded whole.
#[derive(Clone, Copy, Debug)]
struct EarlyStop {
    /// ln(high / low), per proposal.
    per_proposal: f64,
    /// high − low, per eligible word.
    per_word: f64,
}

impl EarlyStop {
    /// The odds for the low rate at which decoding stops.
    const ODDS: f64 = 99.0;

    fn new(decoding: &Decoding) -> EarlyStop {
        let gate = decoding.gate_per_thousand.max(0.1) / 1000.0;
        let (low, high) = (gate * 0.5, gate * 1.5);
        EarlyStop {
            per_proposal: (high / low).ln(),
            per_word: high - low,
        }
    }

    /// Whether the proposals so far make the low rate likely enough.
    fn fails(&self, proposals: &Proposals) -> bool {
        let log_ratio = proposals.edits.len() as f64 * self.per_proposal
            - proposals.eligible as f64 * self.per_word;
        log_ratio <= -Self::ODDS.ln()
    }
}

/// The token ranges of `segment`'s sentences, in order: the model reads
/// each alone, so each decodes alone.
fn sentences<'s>(segment: &'s Segment<'_>) -> impl Iterator<Item = Range<usize>> + 's {
    let text = segment.text;
    let tokens = &segment.tokens;
    let mut start = 0;
    (1..=tokens.len()).filter_map(move |i| {
        let ends = i == tokens.len() || ends_sentence(&text[tokens[i - 1].end..tokens[i].start]);
        if !ends {
            return None;
        }
        let sentence = start..i;
        start = i;
        Some(sentence)
    })
}

/// Whether `range` overlaps one of `taken` (sorted by start).
pub(crate) fn overlaps(taken: &[Range<usize>], range: &Range<usize>) -> bool {
    let at = taken.partition_point(|r| r.end <= range.start);
    taken.get(at).is_some_and(|r| r.start < range.end)
}

/// Decodes one sentence of `segment` (its tokens `sentence`), greedily
/// left to right.
fn propose_in(
    model: &dyn LanguageModel,
    thesaurus: &Thesaurus,
    segment: &Segment<'_>,
    sentence: Range<usize>,
    taken: &[Range<usize>],
    decoding: &Decoding,
    proposals: &mut Proposals,
) {
    let text = segment.text;
    let tokens = &segment.tokens[sentence.clone()];
    let n = model.context_words();
    // The sentence's words as restored so far.
    let mut words: Vec<String> = tokens
        .iter()
        .map(|t| model_word(&text[t.start..t.end]))
        .collect();
    for t in 0..tokens.len() {
        let token = tokens[t];
        let written = &text[token.start..token.end];
        let range = segment.offset + token.start..segment.offset + token.end;
        if !eligible(written, t == 0) || overlaps(taken, &range) {
            continue;
        }
        let word = words[t].clone();
        if !model.knows(&word) || model.log_prob(&[&word], 0) > FUNCTION_WORD_LOG_PROB {
            continue;
        }
        proposals.eligible += 1;
        // Up to `n` words before, the sentence's start among them.
        let mut before: Vec<&str> = Vec::with_capacity(n);
        if t < n {
            before.push(SENTENCE_START);
        }
        before.extend(words[t.saturating_sub(n)..t].iter().map(String::as_str));
        let last = (t + 1 + n).min(tokens.len());
        let mut after: Vec<&str> = words[t + 1..last].iter().map(String::as_str).collect();
        if last == tokens.len() && after.len() < n {
            after.push(SENTENCE_END);
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
    fn a_long_document_with_few_proposals_stops_early_and_a_short_one_never_does() {
        let paragraph = "The committee met on Tuesday to discuss the budget for the next year. \
            Members asked how the money would be spent and who would decide. \
            The chair said that the report would be ready by the end of the month. ";
        let decode = |text: &str, whole: bool| {
            propose(
                crate::context::embedded(),
                Thesaurus::embedded(),
                &[Segment::new(0, text)],
                &[],
                &Decoding::default(),
                whole,
            )
        };
        let short = paragraph.repeat(3);
        let (sampled, whole) = (decode(&short, false), decode(&short, true));
        assert!(!sampled.stopped_early);
        assert_eq!(sampled.edits, whole.edits);
        let long = paragraph.repeat(200);
        let (sampled, whole) = (decode(&long, false), decode(&long, true));
        assert!(!whole.stopped_early);
        assert!(
            whole.rate() < Decoding::default().gate_per_thousand,
            "{}",
            whole.rate()
        );
        assert!(sampled.stopped_early);
        assert!(
            sampled.eligible * 4 < whole.eligible,
            "{} of {}",
            sampled.eligible,
            whole.eligible
        );
        // What was decoded is what decoding everything proposes there.
        for edit in &sampled.edits {
            assert!(whole.edits.contains(edit));
        }
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
            false,
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
