//! What a guess is worth: the threshold from the document prior, and the
//! confidence of terms, swaps and document evidence.

use crate::guess::format::{
    SOURCE_BILINGUAL, SOURCE_CORPUS, SOURCE_DOCS, SOURCE_DOCUMENT, SOURCE_GLOSSARY, SOURCE_LISTED,
    SOURCE_WORDNET, STRONG_SOURCES,
};
use crate::guess::window::*;

/// The guess threshold used when none is given: calibrated on held-out
/// tortured phrases and clean text by `tools/eval_guess.py`. It is the
/// lowest base at which guesses in spun documents stay at 90% precision
/// and those confirmed by the document at 95%.
pub const DEFAULT_THRESHOLD: f64 = 0.55;

/// The threshold a guess must reach in a document, from the base
/// threshold and the document prior.
///
/// A document that already shows enough known spin to promote `likely`
/// entries uses the base threshold. One with some `sure` findings (at the
/// density of the promotion rule, so a long file's one finding does not
/// count) uses a
/// threshold 60% of the way to 1, and one with none a threshold 96% of the
/// way to 1 (0.982 at the default base): there a guess needs a strong term
/// that the document also uses, from a swap seen many times. That is what
/// keeps clean text clean; `tools/eval_guess.py` measures both sides.
pub fn guess_threshold(base: f64, sure_findings: usize, spun: bool) -> f64 {
    let base = base.clamp(0.0, 1.0);
    if spun {
        base
    } else if sure_findings > 0 {
        base + (1.0 - base) * 0.6
    } else {
        base + (1.0 - base) * 0.96
    }
}

/// What a document's known spin says about guessing in it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prior {
    /// The score a guess needs to be applied ([`guess_threshold`]).
    pub threshold: f64,
    /// The least score worth finding: the threshold when guesses that are
    /// not applied would be dropped, 0 when they are reported.
    pub floor: f64,
    /// Whether the document has `sure` findings.
    pub known_spin: bool,
    /// Whether it counts as spun (its promotion rule holds).
    pub spun: bool,
}

/// What the best attested term is worth: one that a tortured-phrase list
/// gives as the original.
const BEST_TERM_CONFIDENCE: f64 = 0.95;

/// How much of a guess's doubt is removed when its restored phrase, an
/// established term, also occurs elsewhere in a document of this many
/// words: 85% in an abstract, less in a longer text, which uses more
/// phrases by chance (in proportion to its length); see
/// `docs/measurements.md` for what a flat weight did.
pub(crate) fn document_weight(words: usize) -> f64 {
    FULL_DOCUMENT_WEIGHT * (SHORT_DOCUMENT_WORDS as f64 / (words.max(1) as f64)).min(1.0)
}

/// The weight of a short document's evidence.
pub(crate) const FULL_DOCUMENT_WEIGHT: f64 = 0.85;

/// The score of a guess whose restored phrase is an established term that
/// the document also uses elsewhere, for a document of the given weight.
pub(crate) fn with_document_boost(score: f64, weight: f64) -> f64 {
    1.0 - (1.0 - score) * (1.0 - weight)
}

/// The highest score that a guess undoing a swap of this confidence can
/// reach, with document evidence of this weight (0 for none).
pub(crate) fn best_score(swap: f64, weight: f64) -> f64 {
    with_document_boost(BEST_TERM_CONFIDENCE * swap, weight)
}

/// What a run of never-spun text is worth as a term: it is established
/// usage, but not every frequent run is a term ("new method").
const CORPUS_TERM_CONFIDENCE: f64 = 0.8;

/// The fewest sightings that make a habit: a word the lists show once on
/// one side ("separated", written once) says little about which side it
/// is on in another text.
pub(crate) const HABIT_SIGHTINGS: u64 = 2;

/// What the original of a document pair is worth as a term when no
/// lexicon has it, and only the spinner's habits say which run is spun.
pub(crate) const HABIT_TERM_CONFIDENCE: f64 = 0.6;

/// What a phrase only the document uses is worth as a term, in a short
/// document.
const DOCUMENT_TERM_CONFIDENCE: f64 = 0.8;

/// How much a term's attestation is worth.
pub(crate) fn term_confidence(sources: u64, count: u64) -> f64 {
    if sources & SOURCE_DOCUMENT != 0 && sources & STRONG_SOURCES == 0 {
        // Only the document uses it: a term of this document.
        DOCUMENT_TERM_CONFIDENCE
    } else if sources & SOURCE_LISTED != 0 {
        BEST_TERM_CONFIDENCE
    } else if sources & (SOURCE_WORDNET | SOURCE_GLOSSARY) != 0 {
        0.85
    } else if sources & (SOURCE_CORPUS | SOURCE_DOCS | SOURCE_BILINGUAL) != 0 {
        CORPUS_TERM_CONFIDENCE
    } else if count >= 1_000_000 {
        0.75
    } else if count >= 100_000 {
        0.65
    } else {
        0.5
    }
}

/// How much a learned swap is worth, from how often it was seen.
pub(crate) fn swap_confidence(seen: u64) -> f64 {
    let seen = seen as f64;
    seen / (seen + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_rise_without_known_spin() {
        let spun = guess_threshold(0.5, 5, true);
        let some = guess_threshold(0.5, 1, false);
        let none = guess_threshold(0.5, 0, false);
        assert!(spun < some && some < none && none < 1.0);
    }
}
