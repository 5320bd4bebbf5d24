//! The words for why an edit was proposed, from the reasons the core gives
//! as data; every report says them the same way.

use despin::Origin;

/// Why an edit of `found` was proposed, for a report; `None` for a
/// dictionary entry, whose source and level say it. `evidence_line` gives
/// the line of a byte offset of the document, where a name's evidence is.
pub fn describe(
    origin: &Origin,
    found: &str,
    evidence_line: impl Fn(usize) -> u64,
) -> Option<String> {
    match origin {
        Origin::Entry(_) => None,
        Origin::Name { name, evidence } => Some(format!(
            "name consistency: '{name}' used as a name in line {}",
            evidence_line(*evidence)
        )),
        Origin::OrganisationHead { head } => Some(format!(
            "organisation name: '{}' is a thesaurus synonym of the head word '{head}'",
            found.to_lowercase()
        )),
        Origin::Guess(reason) => Some(reason.describe()),
        Origin::Context(reason) => Some(format!(
            "context: '{}' (thesaurus root, {} synonyms) fits the sentence better by {:.2}; \
             {:.1} proposals per 1,000 words, so the document {}",
            reason.root,
            reason.breadth,
            f64::from(reason.score_milli) / 1000.0,
            f64::from(reason.gate_milli) / 1000.0,
            if reason.gate_passed {
                "counts as spun"
            } else {
                "does not count as spun"
            }
        )),
    }
}
