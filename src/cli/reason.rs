//! The words for why an edit was proposed, from the reasons the core gives
//! as data; every report says them the same way.

use despin::edit::Fit;
use despin::Origin;

/// Why an edit of `found` was proposed, for a report; `None` for a
/// dictionary entry, whose source and level say it. `evidence_line` gives
/// the line of a byte offset of the document, where a name's evidence is;
/// `fit` is the trigram model's measure of the edit, if it has one.
pub fn describe(
    origin: &Origin,
    fit: Option<Fit>,
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
        Origin::Context(reason) if reason.deep.is_some() => {
            let deep = reason.deep.as_ref().expect("deep figures");
            let trigram = match fit {
                Some(fit) => format!(
                    "the trigram model's gain {:.2}, lift {:.2} (log10)",
                    fit.gain(),
                    fit.lift()
                ),
                None => "the trigram model does not measure it".to_string(),
            };
            Some(format!(
                "deep: '{}' (thesaurus root, {} synonyms) makes the sentence more probable \
                 by {:.2} nats in the neural model; {trigram}; the document's evidence is \
                 {:.2} nats per content word, so it counts as spun",
                reason.root,
                reason.breadth,
                f64::from(deep.gain_milli) / 1000.0,
                f64::from(deep.evidence_milli) / 1000.0,
            ))
        }
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
