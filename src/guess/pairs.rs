//! The document's own fingerprints: a run that is no term, while the
//! document elsewhere writes the run its words were swapped from.

use std::collections::{HashMap, HashSet};

use crate::edit::{Edit, Origin};
use crate::find::names::NameRules;
use crate::guess::format::{SOURCE_DOCUMENT, SOURCE_WEB, STRONG_SOURCES};
use crate::guess::model::*;
use crate::guess::score::*;
use crate::guess::window::*;
use crate::level::Level;
use crate::reason::GuessReason;
use crate::text::case::transfer_case;
use crate::text::segment::Segment;
use crate::text::tokenize::Gap;

/// The longest runs compared as document pairs: four words hold a term of
/// three with a function word ("separated into two groups") or a term of
/// four ("estimated glomerular filtration rate").
const DOCUMENT_PAIR_WORDS: usize = 4;

/// The document's own fingerprints, generalised from the screener's
/// `"x" AND "y"` rows: a run of two to four words that is not a term,
/// while the document elsewhere writes a run of the same length whose
/// differing words are each linked to the run's word (the thesaurus lists
/// one under the other, or a learned swap goes that way). "profound
/// learning" in a paper that also writes "deep learning", "peculiarity
/// discovery" beside "anomaly detection": the spinner replaced the words
/// of one use and missed the other. Only asked in short documents that
/// count as spun.
pub(crate) fn document_pairs(model: &GuessModel, segment: &Segment<'_>, found: &mut Vec<Edit>) {
    let rules = NameRules::embedded();
    let count = segment.tokens.len();
    let words: Vec<String> = (0..count).map(|t| normalized(segment, t)).collect();
    // Runs of two to four words that a term could be: joined by spaces or
    // hyphens, no possessive inside, not inside a hyphenated compound,
    // content words at both ends.
    let is_run = |first: usize, size: usize| {
        let last = first + size - 1;
        last < count
            && (first..last).all(|i| {
                matches!(segment.gaps[i], Gap::Space | Gap::Hyphen)
                    && !segment.tokens[i].has_possessive()
            })
            && (first == 0 || segment.gaps[first - 1] != Gap::Hyphen)
            && segment.gaps.get(last) != Some(&Gap::Hyphen)
            && !rules.is_function_word(&words[first])
            && !rules.is_function_word(&words[last])
            && words[first..=last]
                .iter()
                .all(|w| w.bytes().any(|b| b.is_ascii_alphabetic()))
    };
    let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
    for (t, word) in words.iter().enumerate() {
        at.entry(word.as_str()).or_default().push(t);
    }
    // The thesaurus links a word to another in either direction: "movement"
    // lists "transfer", though "transfer" does not list "movement". Each
    // content word's list is read once, and kept where it names another
    // word of this document.
    let mut lists: HashMap<&str, Vec<String>> = HashMap::new();
    let mut listed_by: HashMap<&str, Vec<&str>> = HashMap::new();
    for (word, _) in at.iter() {
        if rules.is_function_word(word) || !word.bytes().any(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        let list = listed_under_inflected(rules, word);
        for synonym in &list {
            if let Some((&listed, _)) = at.get_key_value(synonym.as_str()) {
                listed_by.entry(listed).or_default().push(word);
            }
        }
        lists.insert(word, list);
    }
    // The words a spinner may write for a word: its thesaurus synonyms and
    // learned spun forms, looked up once per distinct word.
    let mut synonyms: HashMap<&str, HashSet<String>> = HashMap::new();
    for size in 2..=DOCUMENT_PAIR_WORDS {
        for original_at in 0..count {
            if !is_run(original_at, size) {
                continue;
            }
            let original = &words[original_at..original_at + size];
            for word in original {
                synonyms.entry(word.as_str()).or_insert_with(|| {
                    // Each list is read once: the content words' above.
                    let list = lists.remove(word.as_str());
                    let mut forms: HashSet<String> = list
                        .unwrap_or_else(|| listed_under_inflected(rules, word))
                        .into_iter()
                        .collect();
                    forms.extend(model.spun_forms(word).iter().cloned());
                    let listing = listed_by.get(word.as_str()).map_or(&[][..], Vec::as_slice);
                    forms.extend(listing.iter().map(|w| w.to_string()));
                    forms.remove(word.as_str());
                    forms
                });
            }
            // Where the document writes a word of the first slot's forms
            // (itself included), and then the rest of a run whose words
            // are the original's or their forms.
            let firsts = std::iter::once(original[0].as_str())
                .chain(synonyms[original[0].as_str()].iter().map(String::as_str));
            for first_form in firsts {
                for &spun_at in at.get(first_form).map_or(&[][..], Vec::as_slice) {
                    // The forms are distinct words, so each run is met once.
                    if spun_at == original_at || !is_run(spun_at, size) {
                        continue;
                    }
                    let spun = &words[spun_at..spun_at + size];
                    let linked = (0..size).all(|i| {
                        spun[i] == original[i]
                            || synonyms[original[i].as_str()].contains(&spun[i])
                                && !inflection(&spun[i], &original[i])
                                && !rules.is_function_word(&spun[i])
                                && !rules.is_function_word(&original[i])
                    });
                    if !linked || spun == original {
                        continue;
                    }
                    if let Some(edit) = document_pair(model, segment, spun_at, spun, original) {
                        found.push(edit);
                    }
                }
            }
        }
    }
}

/// The words the thesaurus lists under `word`, and, for an inflected word
/// ("specks", "sensing"), the words it lists under the word's stem,
/// inflected the same way: the thesaurus lists stems ("speck": "dot"),
/// and a spinner inflects what it puts in ("quantum specks" for "quantum
/// dots"). A guessed stem that is no word ("specke") finds nothing, so
/// every reading of the ending is tried.
fn listed_under_inflected(rules: &NameRules, word: &str) -> Vec<String> {
    let mut list = rules.listed_under(word);
    for (ending, stems) in [
        ("ies", &["y"][..]),
        ("es", &["", "e"]),
        ("s", &[""]),
        ("ing", &["", "e"]),
        ("ed", &["", "e"]),
    ] {
        let Some(root) = word.strip_suffix(ending) else {
            continue;
        };
        if root.len() < 3 {
            continue;
        }
        for stem in stems {
            let lemma = format!("{root}{stem}");
            for synonym in rules.listed_under(&lemma) {
                if synonym.contains(' ') {
                    continue;
                }
                list.push(inflect(&synonym, ending));
            }
        }
    }
    list.sort_unstable();
    list.dedup();
    list
}

/// `word` with an ending of [`listed_under_inflected`]: "dot" + "s" is
/// "dots", "box" + "s" is "boxes", "study" + "s" is "studies", "sense" +
/// "ing" is "sensing".
fn inflect(word: &str, ending: &str) -> String {
    match ending {
        "ies" | "es" | "s" => {
            if let Some(root) = word
                .strip_suffix('y')
                .filter(|r| !r.ends_with(['a', 'e', 'o', 'u']))
            {
                format!("{root}ies")
            } else if ["s", "x", "z", "ch", "sh"]
                .iter()
                .any(|e| word.ends_with(e))
            {
                format!("{word}es")
            } else {
                format!("{word}s")
            }
        }
        _ => match word.strip_suffix('e') {
            Some(root) if !root.is_empty() => format!("{root}{ending}"),
            _ => format!("{word}{ending}"),
        },
    }
}

/// The edit for tokens `from..=to` of a segment: each word that `original`
/// gives is replaced (its case transferred), every other word and the text
/// between words kept as written. Returns the byte range in the document
/// and the replacement.
pub(crate) fn replace_words<'o>(
    segment: &Segment<'_>,
    from: usize,
    to: usize,
    original: impl Fn(usize) -> Option<&'o str>,
) -> (std::ops::Range<usize>, String) {
    let start = segment.tokens[from].start;
    let end = segment.tokens[to].stem_end;
    let mut replacement = String::new();
    let mut at = start;
    for t in from..=to {
        let token = segment.tokens[t];
        replacement.push_str(&segment.text[at..token.start]);
        let text = &segment.text[token.start..token.stem_end];
        match original(t) {
            Some(word) => replacement.push_str(&transfer_case(text, word)),
            None => replacement.push_str(text),
        }
        at = token.stem_end;
    }
    (segment.offset + start..segment.offset + end, replacement)
}

/// Whether two words are forms of one word ("numbers"/"number",
/// "polymeric"/"polymer"): the thesaurus lists some, but a text that uses
/// both is writing grammar, not spinning. The rule of `tools/gen_guess.py`.
fn inflection(a: &str, b: &str) -> bool {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    common >= 4 && common + 3 >= a.len().min(b.len())
}

/// Why one of two linked runs is taken for the spinner's and the other
/// for the original. A thesaurus link alone has no direction: the right
/// term in a keyword line would be "restored" to the spun one.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Direction {
    /// Every changed word is a learned swap.
    Learned,
    /// The original is an established term and the spun run is not (with
    /// no word in common, a strong term and a learned swap for one word).
    Term,
    /// Each changed word of the spun run is a spinner's habit word, and
    /// each word it replaced one that spinners replace
    /// ([`GuessModel::is_habit_pair`]).
    Habit,
}

/// The guess for a spun run at `spun_at` whose original the document
/// writes elsewhere, if the evidence says which of the two is the
/// spinner's.
fn document_pair(
    model: &GuessModel,
    segment: &Segment<'_>,
    spun_at: usize,
    spun: &[String],
    original: &[String],
) -> Option<Edit> {
    let spun_run = spun.join(" ");
    if model.term(&spun_run).is_some() {
        return None;
    }
    let changed: Vec<usize> = (0..spun.len())
        .filter(|&i| spun[i] != original[i])
        .collect();
    let learned: Vec<Option<&LearnedSwap>> = changed
        .iter()
        .map(|&i| {
            model
                .originals(&spun[i])
                .iter()
                .find(|swap| swap.original == original[i])
        })
        .collect();
    let restored = original.join(" ");
    let (sources, web) = model.term(&restored).unwrap_or((0, 0));
    // A run with no word in common with the other is linked only by
    // synonyms, which two unrelated phrases can be ("counterfeit
    // intelligence", "similar data"): then a change must be a learned swap,
    // and the other run an established term unless every change is one. A
    // web bigram is not enough there; many chance pairs of synonyms are.
    let anchored = changed.len() < spun.len();
    let direction = if learned.iter().all(Option::is_some) {
        Direction::Learned
    } else if anchored && sources & (STRONG_SOURCES | SOURCE_WEB) != 0
        || learned.iter().any(Option::is_some) && sources & STRONG_SOURCES != 0
    {
        Direction::Term
    } else if anchored
        && changed
            .iter()
            .all(|&i| model.is_habit_pair(&spun[i], &original[i]))
    {
        Direction::Habit
    } else {
        return None;
    };
    let term = match direction {
        Direction::Habit => HABIT_TERM_CONFIDENCE,
        Direction::Learned if sources & STRONG_SOURCES == 0 => 0.8,
        _ => term_confidence(sources, web),
    };
    // Each link as sure as a swap seen that often, a thesaurus link as
    // one seen once; several links count as their geometric mean.
    let swap = learned
        .iter()
        .map(|swap| swap.map_or(swap_confidence(1), LearnedSwap::confidence))
        .product::<f64>()
        .powf(1.0 / changed.len() as f64);
    // The document's own pair of runs is the fingerprint.
    let score = 1.0 - (1.0 - term * swap) * 0.5;
    let (from, to) = (spun_at + changed[0], spun_at + changed[changed.len() - 1]);
    let (range, replacement) = replace_words(segment, from, to, |t| {
        let i = t - spun_at;
        (spun[i] != original[i]).then_some(original[i].as_str())
    });
    Some(Edit {
        range,
        replacement,
        origin: Origin::Guess(Box::new(GuessReason {
            spun: spun_run,
            restored,
            swaps: changed
                .iter()
                .zip(&learned)
                .map(|(&i, swap)| {
                    let (seen, false_alarms) = swap.map_or((0, 0), |s| (s.seen, s.false_alarms));
                    (spun[i].clone(), original[i].clone(), seen, false_alarms)
                })
                .collect(),
            sources: sources | SOURCE_DOCUMENT,
            in_document: true,
            score_milli: (score.clamp(0.0, 1.0) * 1000.0).round() as u16,
        })),
        level: Level::Guess,
        applied: false,
        fit: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_follow_english_spelling() {
        for (word, ending, inflected) in [
            ("dot", "s", "dots"),
            ("box", "es", "boxes"),
            ("study", "ies", "studies"),
            ("day", "s", "days"),
            ("sense", "ing", "sensing"),
            ("detect", "ing", "detecting"),
            ("label", "ed", "labeled"),
            ("store", "ed", "stored"),
        ] {
            assert_eq!(inflect(word, ending), inflected);
        }
    }
}
