//! Why a guess or a context edit was proposed: the evidence and its
//! figures, as data, and one line of words for people. The edit model ([`crate::edit::Origin`])
//! holds it, and the guesser fills it in; keeping it here, apart from
//! both, lets neither depend on the other.

use crate::guess::format::{
    SOURCE_BILINGUAL, SOURCE_CORPUS, SOURCE_DOCS, SOURCE_DOCUMENT, SOURCE_GLOSSARY, SOURCE_LISTED,
    SOURCE_WEB, SOURCE_WORDNET,
};

/// Why a guess was made, and how sure it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuessReason {
    /// The spun run, normalised.
    pub spun: String,
    /// The restored term, normalised.
    pub restored: String,
    /// Each swap undone: (spun word, original, times seen, false alarms
    /// in never-spun text); a thesaurus link is seen 0 times.
    pub swaps: Vec<(String, String, u64, u64)>,
    /// Where the restored term is attested (`guess_model::SOURCE_*` bits).
    pub sources: u64,
    /// The restored term also occurs elsewhere in the document.
    pub in_document: bool,
    /// The score in thousandths, 0 to 1000.
    pub score_milli: u16,
}

impl GuessReason {
    /// The score, 0 to 1.
    pub fn score(&self) -> f64 {
        f64::from(self.score_milli) / 1000.0
    }

    /// One short line for people: the swaps undone and why the result is
    /// a term. The score is shown beside it, and where the term is
    /// attested is in [`GuessReason::sources`].
    pub fn describe(&self) -> String {
        let swaps: Vec<String> = self
            .swaps
            .iter()
            .map(|(spun, original, seen, false_alarms)| {
                if *seen == 0 {
                    // No list shows it: the thesaurus links the two words.
                    format!("{spun}→{original} (thesaurus)")
                } else if *false_alarms > 0 {
                    format!("{spun}→{original} (seen {seen}×, {false_alarms}× in never-spun text)")
                } else {
                    format!("{spun}→{original} (seen {seen}×)")
                }
            })
            .collect();
        let learned = self.swaps.iter().all(|(_, _, seen, _)| *seen > 0);
        let mut text = format!(
            "{} {}; '{}' is a known term",
            if learned { "learned swap" } else { "swap" },
            swaps.join(", "),
            self.restored,
        );
        if self.in_document {
            text.push_str(", and it also appears in this document");
        }
        text
    }

    /// Where the restored term is attested, in words.
    pub fn attested(&self) -> Vec<&'static str> {
        [
            (SOURCE_LISTED, "listed"),
            (SOURCE_WORDNET, "wordnet"),
            (SOURCE_GLOSSARY, "glossary"),
            (SOURCE_BILINGUAL, "translation dictionary"),
            (SOURCE_CORPUS, "science corpus"),
            (SOURCE_DOCS, "software documentation"),
            (SOURCE_WEB, "web"),
            (SOURCE_DOCUMENT, "this document"),
        ]
        .into_iter()
        .filter(|(bit, _)| self.sources & bit != 0)
        .map(|(_, name)| name)
        .collect()
    }
}

/// Why the context stage proposed a word: a thesaurus root that the
/// sentence prefers, in a document that the gate judged spun (or not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextReason {
    /// The thesaurus root the original comes from.
    pub root: String,
    /// How many synonyms the root lists.
    pub breadth: u64,
    /// The decoding score (gain less the change and breadth penalties),
    /// in thousandths of a log10 unit.
    pub score_milli: i32,
    /// The document's rate of such proposals per 1,000 eligible words, in
    /// thousandths.
    pub gate_milli: u32,
    /// Whether the document passed the gate, so the proposal is applied.
    pub gate_passed: bool,
    /// The neural scorer's figures, for an edit that `--deep` chose.
    pub deep: Option<DeepFigures>,
}

/// What the neural scorer measured for one of its edits, in thousandths
/// of a natural-log unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeepFigures {
    /// How much more probable the sentence is with the replacement.
    pub gain_milli: i32,
    /// The document's evidence of spin: the mean, over its content words,
    /// of how far the best candidate beats the word as written.
    pub evidence_milli: i32,
}
