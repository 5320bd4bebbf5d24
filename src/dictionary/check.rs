//! Finds the mistakes a dictionary can contain before it is used.
//!
//! A curator edits dictionaries by hand, so `despin dict check` reports what
//! would make repairs wrong or unstable: exact duplicates, entries that map a
//! phrase to itself, a phrase with two originals that no condition or case
//! tells apart, cycles (a → b
//! and b → a), which would make repeated runs flip text back and forth,
//! chains (a → b where b is itself repaired, so a second run changes the
//! text again), and growth (a → "a a", which every run makes longer).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::dictionary::source::SourceEntry;
use crate::level::Level;
use crate::text::tokenize::normalize_phrase;

/// What kind of mistake a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    /// Two lines with the same key, condition and case.
    Duplicate,
    /// A line whose original is its own spun form.
    SelfMap,
    /// Lines of one key, condition and case with different originals or levels.
    Ambiguous,
    /// Repairs that lead back to where they started (`a -> b`, `b -> a`).
    Cycle,
    /// A repair whose original is another line's spun form.
    Chain,
    /// An original that contains its own spun form, so repairs grow the text.
    Growth,
}

impl ProblemKind {
    /// Short name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::SelfMap => "self-map",
            ProblemKind::Ambiguous => "ambiguous",
            ProblemKind::Cycle => "cycle",
            ProblemKind::Chain => "chain",
            ProblemKind::Growth => "growth",
        }
    }
}

/// One mistake, located at a 1-based source line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line of the TSV.
    pub line: usize,
    /// What is wrong.
    pub kind: ProblemKind,
    /// The problem in words, naming the other lines involved.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)
    }
}

/// Checks parsed entries and returns every problem, ordered by line.
pub fn check(entries: &[SourceEntry]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut by_key: BTreeMap<&str, Vec<&SourceEntry>> = BTreeMap::new();
    for entry in entries {
        by_key.entry(&entry.key).or_default().push(entry);
        if normalize_phrase(&entry.original) == entry.key {
            problems.push(Problem {
                line: entry.line,
                kind: ProblemKind::SelfMap,
                message: format!("{:?} maps to itself", entry.spun),
            });
        }
    }
    for group in by_key.values() {
        for (i, later) in group.iter().enumerate().skip(1) {
            let earlier = &group[..i];
            if let Some(first) = earlier.iter().find(|e| {
                e.condition == later.condition
                    && e.case_mask == later.case_mask
                    && e.original == later.original
                    && e.level == later.level
            }) {
                problems.push(Problem {
                    line: later.line,
                    kind: ProblemKind::Duplicate,
                    message: format!("{:?} repeats line {}", later.spun, first.line),
                });
            } else if let Some(other) = earlier
                .iter()
                .find(|e| e.condition == later.condition && e.case_mask == later.case_mask)
            {
                // Alternatives that differ in condition or case are how a
                // dictionary lets the document choose ("if:voice search");
                // two that nothing tells apart say nothing.
                problems.push(Problem {
                    line: later.line,
                    kind: ProblemKind::Ambiguous,
                    message: format!(
                        "{:?} -> {:?} ({}) here, but -> {:?} ({}) on line {}, under the same condition and case",
                        later.spun, later.original, later.level, other.original, other.level, other.line
                    ),
                });
            }
        }
    }
    problems.extend(cycles(entries));
    problems.extend(chains_and_growth(entries));
    problems.sort_by_key(|p| (p.line, p.kind));
    problems
}

/// Entries whose original a second run would repair again: it is the key
/// of an unconditional entry that is applied (a chain, a → b → c; a
/// two-way cycle is reported only as a cycle), or it contains the entry's own key as a run of
/// words (growth).
fn chains_and_growth(entries: &[SourceEntry]) -> Vec<Problem> {
    let applied = |e: &SourceEntry| e.condition.is_none() && e.level != Level::Suggest;
    let mut next: HashMap<&str, &SourceEntry> = HashMap::new();
    for entry in entries.iter().filter(|e| applied(e)) {
        next.entry(&entry.key).or_insert(entry);
    }
    let mut problems = Vec::new();
    for entry in entries.iter().filter(|e| e.level != Level::Suggest) {
        let target = normalize_phrase(&entry.original);
        if target == entry.key {
            continue;
        }
        let words: Vec<&str> = target.split(' ').collect();
        let key: Vec<&str> = entry.key.split(' ').collect();
        if words.windows(key.len()).any(|w| w == key.as_slice()) {
            problems.push(Problem {
                line: entry.line,
                kind: ProblemKind::Growth,
                message: format!(
                    "{:?} -> {:?} holds its own key, so every run adds to it",
                    entry.spun, entry.original
                ),
            });
            continue;
        }
        if let Some(then) = next.get(target.as_str()) {
            let back = normalize_phrase(&then.original) == entry.key;
            if !back {
                problems.push(Problem {
                    line: entry.line,
                    kind: ProblemKind::Chain,
                    message: format!(
                        "{:?} -> {:?}, which line {} repairs again to {:?}",
                        entry.spun, entry.original, then.line, then.original
                    ),
                });
            }
        }
    }
    problems
}

/// Finds chains a → b → … → a, reporting each cycle once at its first line.
fn cycles(entries: &[SourceEntry]) -> Vec<Problem> {
    let mut next: HashMap<&str, (String, usize)> = HashMap::new();
    for entry in entries {
        let target = normalize_phrase(&entry.original);
        if target != entry.key {
            next.entry(&entry.key).or_insert((target, entry.line));
        }
    }
    let mut problems = Vec::new();
    let mut reported: Vec<Vec<String>> = Vec::new();
    // Start from entries in line order, so each cycle is reported from its
    // first line, the same way every run.
    for entry in entries {
        let start = entry.key.as_str();
        if !next.contains_key(start) {
            continue;
        }
        let mut path = vec![start.to_string()];
        let mut current = start.to_string();
        while let Some((target, _)) = next.get(current.as_str()) {
            if target.as_str() == start {
                let mut members = path.clone();
                members.sort();
                if !reported.contains(&members) {
                    let line = path
                        .iter()
                        .filter_map(|k| next.get(k.as_str()).map(|(_, l)| *l))
                        .min()
                        .unwrap_or(0);
                    path.push(start.to_string());
                    problems.push(Problem {
                        line,
                        kind: ProblemKind::Cycle,
                        message: path.join(" -> "),
                    });
                    reported.push(members);
                }
                break;
            }
            if path.contains(target) || path.len() > next.len() {
                break;
            }
            path.push(target.clone());
            current = target.clone();
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dictionary::source::parse_tsv;

    fn kinds(tsv: &str) -> Vec<(usize, ProblemKind)> {
        check(&parse_tsv(tsv.as_bytes()).unwrap())
            .into_iter()
            .map(|p| (p.line, p.kind))
            .collect()
    }

    #[test]
    fn clean_dictionary_has_no_problems() {
        assert!(kinds("a b\tc d\tsure\ne f\tg\tlikely\n").is_empty());
    }

    #[test]
    fn finds_each_kind() {
        assert_eq!(
            kinds("a b\tc\tsure\na  b\tc\tsure\n"),
            [(2, ProblemKind::Duplicate)]
        );
        assert_eq!(kinds("a b\tA-b\tsure\n"), [(1, ProblemKind::SelfMap)]);
        assert_eq!(
            kinds("a b\tc\tsure\na b\td\tsure\n"),
            [(2, ProblemKind::Ambiguous)]
        );
        assert_eq!(
            kinds("a b\tc\tsure\tif:x\na b\tc\tlikely\tif:x\n"),
            [(2, ProblemKind::Ambiguous)]
        );
        // The document chooses between alternatives by their conditions.
        assert!(kinds("a b\tc\tsure\tif:c\na b\td\tsure\tif:d\na b\tc\tsuggest\n").is_empty());
        assert_eq!(kinds("a\tb\tsure\nb\ta\tsure\n"), [(1, ProblemKind::Cycle)]);
        assert_eq!(
            kinds("a\tb\tsure\nb\tc\tsure\nc\ta\tsure\n"),
            [
                (1, ProblemKind::Cycle),
                (1, ProblemKind::Chain),
                (2, ProblemKind::Chain),
                (3, ProblemKind::Chain)
            ]
        );
        assert_eq!(
            kinds("zorble\tzorble zorble\tsure\n"),
            [(1, ProblemKind::Growth)]
        );
        assert_eq!(
            kinds("trap of things\tweb of things\tsure\nweb of things\tinternet of things\tsure\n"),
            [(1, ProblemKind::Chain)]
        );
        // A conditional or suggested next step is no chain.
        assert!(kinds("a\tb\tsure\nb\tc\tsure\tif:d\n").is_empty());
        assert!(kinds("a\tb\tsure\nb\tc\tsuggest\n").is_empty());
    }
}
