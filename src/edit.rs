//! The one model of a change: replace a byte range with new text.
//!
//! Every finding, whether it is applied or only reported, is an [`Edit`].
//! Overlaps are resolved in one place ([`resolve_overlaps`]) and edits are
//! applied in one pass ([`apply`]), so no mode needs its own rules for them.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::level::Level;

/// Which dictionary entry produced an edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryRef {
    /// Index into the repairer's dictionaries.
    pub dictionary: usize,
    /// Entry id within that dictionary.
    pub id: u64,
}

/// Why an edit was proposed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A dictionary entry matched.
    Entry(EntryRef),
    /// The document uses another form of this name elsewhere, as a name:
    /// `name` is that form and `evidence` the byte offset of that use.
    Name { name: String, evidence: usize },
    /// The last word of an organisation's name is a spinner's synonym of a
    /// common head word of organisation names.
    OrganisationHead { head: String },
    /// The guesser undid learned swaps to reach an established term.
    Guess(Box<crate::guess::GuessReason>),
}

impl Origin {
    /// The dictionary entry, for dictionary edits.
    pub fn entry(&self) -> Option<EntryRef> {
        match self {
            Origin::Entry(entry) => Some(*entry),
            _ => None,
        }
    }

    /// Orders rivals: dictionary order for entries, rules after them.
    fn rank(&self) -> usize {
        match self {
            Origin::Entry(entry) => entry.dictionary,
            Origin::Name { .. } => usize::MAX - 2,
            Origin::OrganisationHead { .. } => usize::MAX - 1,
            Origin::Guess(_) => usize::MAX,
        }
    }
}

/// A proposed change: `input[range]` becomes `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the input. Always on `char` boundaries.
    pub range: Range<usize>,
    /// The text to write, with the case of the text it replaces.
    pub replacement: String,
    pub origin: Origin,
    pub level: Level,
    /// Whether the edit is written, or only reported.
    pub applied: bool,
}

impl Edit {
    /// Length of the replaced span in bytes.
    pub fn len(&self) -> usize {
        self.range.end - self.range.start
    }

    /// Whether the replaced span is empty (never true for a real edit).
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }
}

/// Keeps a set of edits that do not overlap, choosing between rivals.
///
/// Applied edits win over report-only ones, then longer spans over shorter,
/// then earlier over later, then the dictionary listed first. The result is
/// sorted by position.
pub fn resolve_overlaps(mut edits: Vec<Edit>) -> Vec<Edit> {
    edits.sort_by(|a, b| {
        b.applied
            .cmp(&a.applied)
            .then(b.len().cmp(&a.len()))
            .then(a.range.start.cmp(&b.range.start))
            .then(a.origin.rank().cmp(&b.origin.rank()))
    });
    // Accepted spans by start; they never overlap, so neighbours suffice.
    let mut accepted: BTreeMap<usize, Edit> = BTreeMap::new();
    for edit in edits {
        let clashes_before = accepted
            .range(..=edit.range.start)
            .next_back()
            .is_some_and(|(_, before)| before.range.end > edit.range.start);
        let clashes_after = accepted
            .range(edit.range.start..)
            .next()
            .is_some_and(|(_, after)| after.range.start < edit.range.end);
        if !clashes_before && !clashes_after {
            accepted.insert(edit.range.start, edit);
        }
    }
    accepted.into_values().collect()
}

/// Writes `input` with the applied edits in place, copying every other byte.
///
/// `edits` must be sorted and non-overlapping, as [`resolve_overlaps`]
/// returns them.
pub fn apply(input: &[u8], edits: &[Edit], out: &mut Vec<u8>) {
    let mut last = 0;
    for edit in edits.iter().filter(|e| e.applied) {
        out.extend_from_slice(&input[last..edit.range.start]);
        out.extend_from_slice(edit.replacement.as_bytes());
        last = edit.range.end;
    }
    out.extend_from_slice(&input[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(range: Range<usize>, applied: bool) -> Edit {
        Edit {
            range,
            replacement: "x".into(),
            origin: Origin::Entry(EntryRef {
                dictionary: 0,
                id: 0,
            }),
            level: Level::Sure,
            applied,
        }
    }

    #[test]
    fn longest_applied_edit_wins() {
        let kept = resolve_overlaps(vec![
            edit(0..3, true),
            edit(2..9, true),
            edit(8..12, false),
            edit(12..14, true),
        ]);
        let ranges: Vec<_> = kept.iter().map(|e| e.range.clone()).collect();
        assert_eq!(ranges, [2..9, 12..14]);
    }

    #[test]
    fn applied_beats_longer_report_only() {
        let kept = resolve_overlaps(vec![edit(0..10, false), edit(3..5, true)]);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].range, 3..5);
    }

    #[test]
    fn apply_copies_bytes_between_edits() {
        let mut out = Vec::new();
        apply(
            b"ab\xffcd",
            &[edit(0..1, true), edit(3..4, false)],
            &mut out,
        );
        assert_eq!(out, b"xb\xffcd");
    }
}
