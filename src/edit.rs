//! The one model of a change: replace a byte range with new text.
//!
//! Every finding, whether it is applied or only reported, is an [`Edit`].
//! Overlaps are resolved in one place ([`resolve_overlaps`]) and edits are
//! applied in one pass ([`apply`]), so no mode needs its own rules for them.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::io::{self, Write};
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
    Name {
        /// The form the document uses as a name.
        name: String,
        /// Byte offset of that use.
        evidence: usize,
    },
    /// The last word of an organisation's name is a spinner's synonym of a
    /// common head word of organisation names.
    OrganisationHead {
        /// The head word restored.
        head: String,
    },
    /// The guesser undid learned swaps to reach an established term.
    Guess(Box<crate::reason::GuessReason>),
    /// The context stage restored a thesaurus root that its sentence
    /// prefers.
    Context(Box<crate::reason::ContextReason>),
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
            Origin::Name { .. } => usize::MAX - 3,
            Origin::OrganisationHead { .. } => usize::MAX - 2,
            Origin::Guess(_) => usize::MAX - 1,
            Origin::Context(_) => usize::MAX,
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
    /// Why the edit was made, as data.
    pub origin: Origin,
    /// How sure it is: decides whether it is applied.
    pub level: Level,
    /// Whether the edit is written, or only reported.
    pub applied: bool,
    /// How the edit fits its sentence, where the context stage judged it.
    pub fit: Option<Fit>,
}

/// How well an edit fits its sentence, as a language model judged it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fit {
    /// The log10 gain of the replacement over the text it replaces, in
    /// its sentence, in thousandths (see `context::LanguageModel::gain`).
    pub gain_milli: i32,
    /// The gain less what the replacement gains out of context, by being
    /// the more frequent phrase, in thousandths (see
    /// `context::LanguageModel::lift`).
    pub lift_milli: i32,
}

impl Fit {
    /// The gain in log10 units.
    pub fn gain(&self) -> f64 {
        self.gain_milli as f64 / 1000.0
    }

    /// The lift in log10 units.
    pub fn lift(&self) -> f64 {
        self.lift_milli as f64 / 1000.0
    }
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
pub fn resolve_overlaps(edits: Vec<Edit>) -> Vec<Edit> {
    keep_apart(&[], edits, |a, b| {
        b.applied
            .cmp(&a.applied)
            .then(b.len().cmp(&a.len()))
            .then(a.range.start.cmp(&b.range.start))
            .then(a.origin.rank().cmp(&b.origin.rank()))
    })
}

/// The one overlap resolution that every kind of edit goes through: keeps
/// the edits of `rivals` that overlap neither an edit of `taken` nor a
/// rival that comes before them in `order`, sorted by position.
///
/// [`resolve_overlaps`] orders dictionary and name edits; the guesser
/// orders its guesses by what they undo and score, against the edits
/// already found.
pub fn keep_apart(
    taken: &[Edit],
    mut rivals: Vec<Edit>,
    order: impl FnMut(&Edit, &Edit) -> Ordering,
) -> Vec<Edit> {
    rivals.sort_by(order);
    let mut occupied = Occupied::default();
    for edit in taken {
        occupied.insert(edit.range.clone());
    }
    let mut kept: Vec<Edit> = Vec::with_capacity(rivals.len());
    for edit in rivals {
        if !occupied.overlaps(&edit.range) {
            occupied.insert(edit.range.clone());
            kept.push(edit);
        }
    }
    kept.sort_by_key(|e| e.range.start);
    kept
}

/// Byte ranges already taken by edits, merged where they touch, so that
/// whether a new range overlaps one is a look-up of its neighbour, not a
/// pass over every edit (which made a document full of guesses quadratic).
#[derive(Default)]
struct Occupied {
    /// Start to end of disjoint ranges.
    ranges: BTreeMap<usize, usize>,
}

impl Occupied {
    fn overlaps(&self, range: &Range<usize>) -> bool {
        // The last range that starts before this one ends is the only one
        // that can reach into it: the ranges are disjoint.
        self.ranges
            .range(..range.end)
            .next_back()
            .is_some_and(|(_, &end)| end > range.start)
    }

    fn insert(&mut self, range: Range<usize>) {
        let (mut start, mut end) = (range.start, range.end);
        // Merge with every range that overlaps or touches it.
        while let Some((&s, &e)) = self.ranges.range(..=end).next_back() {
            if e < start {
                break;
            }
            start = start.min(s);
            end = end.max(e);
            self.ranges.remove(&s);
        }
        self.ranges.insert(start, end);
    }
}

/// Writes `input` with the applied edits in place, copying every other byte.
///
/// `edits` must be sorted and non-overlapping, as [`resolve_overlaps`]
/// returns them.
pub fn apply(input: &[u8], edits: &[Edit], out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let mut last = 0;
    for edit in edits.iter().filter(|e| e.applied) {
        out.write_all(&input[last..edit.range.start])?;
        out.write_all(edit.replacement.as_bytes())?;
        last = edit.range.end;
    }
    out.write_all(&input[last..])
}

/// `input` with the applied edits in place, as [`apply`] writes it.
pub fn applied(input: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    apply(input, edits, &mut out).expect("writing to a Vec cannot fail");
    out
}

/// Folds `later`, the edits found in the text that the applied edits of
/// `earlier` wrote, back onto the input of `earlier`: a chain of repairs
/// ("trap of things" -> "web of things" -> "internet of things") becomes
/// one edit of the input's span.
///
/// Each run of overlapping spans, in the repaired text's positions, is one
/// edit that keeps the reason of the first edit that matched the input. A
/// run whose result equals the input's bytes is dropped, and so is a
/// report-only edit of `earlier` that a new span overlaps. Only applied
/// edits of `later` are folded in. `earlier` must be as
/// [`resolve_overlaps`] returns it.
pub fn compose(input: &[u8], earlier: Vec<Edit>, later: &[Edit]) -> Vec<Edit> {
    if !later.iter().any(|e| e.applied) {
        return earlier;
    }
    let text = applied(input, &earlier);
    // Each applied edit of `earlier` with its span in `text`, and the
    // growth of the text up to its end.
    let mut placed: Vec<(Range<usize>, usize, isize)> = Vec::new();
    let mut shift = 0isize;
    for (index, edit) in earlier.iter().enumerate().filter(|(_, e)| e.applied) {
        let start = edit.range.start.saturating_add_signed(shift);
        shift += edit.replacement.len() as isize - edit.len() as isize;
        placed.push((start..start + edit.replacement.len(), index, shift));
    }
    // The input position of a text position outside every placed span. A
    // deletion at the position lies before a span that starts there and
    // after one that ends there.
    let to_input = |at: usize, closing: bool| -> usize {
        let before = placed.partition_point(|(range, _, _)| {
            range.end < at || range.end == at && (!closing || range.start < at)
        });
        let shift = before.checked_sub(1).map_or(0, |i| placed[i].2);
        at.saturating_add_signed(-shift)
    };
    #[derive(Clone, Copy)]
    enum Source {
        Earlier(usize),
        Later(usize),
    }
    let mut spans: Vec<(Range<usize>, Source)> = placed
        .iter()
        .map(|(range, index, _)| (range.clone(), Source::Earlier(*index)))
        .chain(
            later
                .iter()
                .enumerate()
                .filter(|(_, e)| e.applied)
                .map(|(index, e)| (e.range.clone(), Source::Later(index))),
        )
        .collect();
    // On a tie an earlier edit comes first, so that its run keeps its reason.
    spans.sort_by_key(|(range, source)| (range.start, matches!(source, Source::Later(_))));
    // A run's span in the text, and its members with theirs.
    type Run = (Range<usize>, Vec<(Range<usize>, Source)>);
    let mut runs: Vec<Run> = Vec::new();
    for (range, source) in spans {
        match runs.last_mut() {
            Some((run, sources)) if range.start < run.end => {
                run.end = run.end.max(range.end);
                sources.push((range, source));
            }
            _ => runs.push((range.clone(), vec![(range, source)])),
        }
    }
    let mut replaced = vec![false; earlier.len()];
    let mut folded: Vec<Range<usize>> = Vec::new();
    let mut out: Vec<Edit> = Vec::new();
    for (run, sources) in runs {
        if !sources.iter().any(|(_, s)| matches!(s, Source::Later(_))) {
            continue;
        }
        let input_start = match sources[0].1 {
            Source::Earlier(i) => earlier[i].range.start,
            Source::Later(_) => to_input(run.start, false),
        };
        let input_end = sources
            .iter()
            .find_map(|(range, source)| match source {
                Source::Earlier(i) if range.end == run.end => Some(earlier[*i].range.end),
                _ => None,
            })
            .unwrap_or_else(|| to_input(run.end, true));
        let mut replacement = Vec::new();
        let mut at = run.start;
        for (_, source) in &sources {
            match source {
                Source::Earlier(i) => replaced[*i] = true,
                Source::Later(i) => {
                    let edit = &later[*i];
                    replacement.extend_from_slice(&text[at..edit.range.start.max(at)]);
                    replacement.extend_from_slice(edit.replacement.as_bytes());
                    at = edit.range.end;
                }
            }
        }
        replacement.extend_from_slice(&text[at.min(run.end)..run.end]);
        folded.push(input_start..input_end);
        if replacement == input[input_start..input_end] {
            continue;
        }
        // The first edit that matched the input says why; a run of new
        // edits only has theirs.
        let first = |earlier_side: bool| {
            sources.iter().find_map(|(_, source)| match *source {
                Source::Earlier(i) if earlier_side => Some(&earlier[i]),
                Source::Later(i) if !earlier_side => Some(&later[i]),
                _ => None,
            })
        };
        let (reason, found_again) = match first(true) {
            Some(edit) => (edit, false),
            None => (first(false).expect("the run holds a new edit"), true),
        };
        let mut origin = reason.origin.clone();
        if let (Origin::Name { evidence, .. }, true) = (&mut origin, found_again) {
            // Found in the repaired text; the input's position is wanted.
            *evidence = to_input(*evidence, false).min(input.len());
        }
        out.push(Edit {
            range: input_start..input_end,
            // Every span lies on char boundaries, so the bytes are whole
            // characters of valid text.
            replacement: String::from_utf8_lossy(&replacement).into_owned(),
            origin,
            level: reason.level,
            applied: true,
            fit: reason.fit,
        });
    }
    // Runs come in text order, so their input spans are sorted and apart.
    let clashes = |range: &Range<usize>| {
        let next = folded.partition_point(|f| f.end <= range.start);
        folded.get(next).is_some_and(|f| f.start < range.end)
    };
    out.extend(
        earlier
            .into_iter()
            .enumerate()
            .filter(|(i, e)| !replaced[*i] && (e.applied || !clashes(&e.range)))
            .map(|(_, e)| e),
    );
    out.sort_by_key(|e| e.range.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occupied_ranges_answer_overlaps_as_a_scan_would() {
        let taken = [3..5, 10..20, 15..25, 30..31, 40..40];
        let mut occupied = Occupied::default();
        for range in &taken {
            occupied.insert(range.clone());
        }
        for start in 0..45 {
            for end in start..46 {
                let scan = taken.iter().any(|r| r.start < end && start < r.end);
                assert_eq!(occupied.overlaps(&(start..end)), scan, "{start}..{end}");
            }
        }
    }

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
            fit: None,
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

    fn with(range: Range<usize>, replacement: &str, dictionary: usize) -> Edit {
        Edit {
            replacement: replacement.into(),
            origin: Origin::Entry(EntryRef { dictionary, id: 0 }),
            ..edit(range, true)
        }
    }

    /// Applies `composed` to `input` as text.
    fn written(input: &str, composed: &[Edit]) -> String {
        String::from_utf8(applied(input.as_bytes(), composed)).unwrap()
    }

    #[test]
    fn compose_folds_a_chain_into_one_edit_of_the_input() {
        let input = "a trap of things here";
        // "trap of things" -> "web of things" -> "internet of things".
        let first = vec![with(2..6, "web", 0)];
        let second = [with(2..5, "internet", 1)];
        let composed = compose(input.as_bytes(), first, &second);
        assert_eq!(composed.len(), 1);
        assert_eq!(composed[0].range, 2..6);
        assert_eq!(composed[0].replacement, "internet");
        assert_eq!(
            composed[0].origin,
            Origin::Entry(EntryRef {
                dictionary: 0,
                id: 0
            })
        );
        assert_eq!(written(input, &composed), "a internet of things here");
    }

    #[test]
    fn compose_maps_new_edits_past_earlier_ones() {
        let input = "xx long yy zz";
        // "long" becomes "l"; then "zz" (at 8 in "xx l yy zz") becomes "q".
        let first = vec![with(3..7, "l", 0), edit(11..13, false)];
        let second = [with(8..10, "q", 1)];
        let composed = compose(input.as_bytes(), first, &second);
        let ranges: Vec<_> = composed
            .iter()
            .map(|e| (e.range.clone(), e.applied))
            .collect();
        // The report-only edit of "zz" gives way to the applied one.
        assert_eq!(ranges, [(3..7, true), (11..13, true)]);
        assert_eq!(written(input, &composed), "xx l yy q");
    }

    #[test]
    fn compose_keeps_deletions_apart_from_neighbours() {
        let input = "ab cd ef";
        // "cd " is deleted; then "ef" (at 3 in "ab ef") becomes "g", and
        // "ab" becomes "h".
        let first = vec![with(3..6, "", 0)];
        let second = [with(0..2, "h", 1), with(3..5, "g", 1)];
        let composed = compose(input.as_bytes(), first, &second);
        let ranges: Vec<_> = composed.iter().map(|e| e.range.clone()).collect();
        assert_eq!(ranges, [0..2, 3..6, 6..8]);
        assert_eq!(written(input, &composed), "h g");
    }

    #[test]
    fn compose_drops_a_chain_that_returns_to_the_input() {
        let input = "one two";
        let first = vec![with(0..3, "uno", 0)];
        let second = [with(0..3, "one", 1)];
        assert!(compose(input.as_bytes(), first, &second).is_empty());
    }

    #[test]
    fn apply_copies_bytes_between_edits() {
        let out = applied(b"ab\xffcd", &[edit(0..1, true), edit(3..4, false)]);
        assert_eq!(out, b"xb\xffcd");
    }
}

/// Makes the article before each edit agree with its replacement: "an
/// irregular woodland" becomes "a random forest", not "an random forest".
///
/// Only an article that agreed with the replaced text is changed, within
/// the same edit, whose span then starts at the article; one in
/// `protected` (sorted ranges), or in the span of the edit before, stays.
pub fn agree_articles(input: &[u8], edits: &mut [Edit], protected: &[Range<usize>]) {
    let mut previous_end = 0;
    for edit in edits.iter_mut() {
        let end_before = std::mem::replace(&mut previous_end, edit.range.end);
        let Some(article) = article_before(input, edit.range.start, end_before) else {
            continue;
        };
        if protected
            .iter()
            .any(|p| p.start < edit.range.start && article.start < p.end)
        {
            continue;
        }
        let Ok(found) = std::str::from_utf8(&input[edit.range.clone()]) else {
            continue;
        };
        let written = &input[article.clone()];
        let written_an = written.len() == 2;
        let (Some(found_an), Some(wanted_an)) = (takes_an(found), takes_an(&edit.replacement))
        else {
            continue;
        };
        if found_an != written_an || wanted_an == written_an {
            continue;
        }
        // The article keeps its case: "An", and "AN" in upper-case text.
        let capital = written[0].is_ascii_uppercase();
        let shouting = written == b"AN"
            || (written == b"A"
                && found.chars().filter(|c| c.is_alphabetic()).count() > 1
                && found
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase));
        let mut replacement = match (wanted_an, capital, shouting) {
            (true, _, true) => "AN",
            (false, true, _) => "A",
            (true, true, false) => "An",
            (true, false, _) => "an",
            (false, false, _) => "a",
        }
        .to_string();
        replacement
            .push_str(std::str::from_utf8(&input[article.end..edit.range.start]).unwrap_or(" "));
        replacement.push_str(&edit.replacement);
        edit.replacement = replacement;
        edit.range.start = article.start;
    }
}

/// The span of an "a" or "an" that ends, with the spaces after it, at
/// `start`, and starts at or after `not_before`.
fn article_before(input: &[u8], start: usize, not_before: usize) -> Option<Range<usize>> {
    let before = &input[not_before..start];
    let gap = before
        .iter()
        .rev()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count();
    // A blank line between them is no article of this word.
    if gap == 0
        || before[before.len() - gap..]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            > 1
    {
        return None;
    }
    let word_end = before.len() - gap;
    let word_start = before[..word_end]
        .iter()
        .rposition(|b| !b.is_ascii_alphanumeric() && *b != b'\'' && *b < 0x80)
        .map_or(0, |i| i + 1);
    let word = &before[word_start..word_end];
    let is_article = word.eq_ignore_ascii_case(b"a") || word.eq_ignore_ascii_case(b"an");
    is_article.then(|| not_before + word_start..not_before + word_end)
}

/// Whether a phrase takes "an" (it starts with a vowel sound), from its
/// spelling; `None` when the spelling does not say (a number, a symbol).
fn takes_an(phrase: &str) -> Option<bool> {
    let word: String = phrase.chars().take_while(|c| c.is_alphanumeric()).collect();
    let first = word.chars().next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    // An initialism is read letter by letter: "an SVM", "a CNN".
    if word.len() > 1 && word.chars().all(|c| c.is_ascii_uppercase()) {
        return Some("AEFHILMNORSX".contains(first));
    }
    let lower = word.to_ascii_lowercase();
    const CONSONANT_SOUND: [&str; 8] = ["uni", "use", "usu", "uti", "eu", "one", "once", "ubiq"];
    const SILENT_H: [&str; 4] = ["hour", "honest", "honor", "heir"];
    if CONSONANT_SOUND.iter().any(|p| lower.starts_with(p)) {
        return Some(false);
    }
    if SILENT_H.iter().any(|p| lower.starts_with(p)) {
        return Some(true);
    }
    Some(matches!(
        first.to_ascii_lowercase(),
        'a' | 'e' | 'i' | 'o' | 'u'
    ))
}

#[cfg(test)]
mod article_tests {
    use super::takes_an;

    #[test]
    fn the_first_sound_decides_the_article() {
        for (phrase, an) in [
            ("apple", true),
            ("random forest", false),
            ("unique result", false),
            ("unusual result", true),
            ("user", false),
            ("hour", true),
            ("house", false),
            ("SVM", true),
            ("CNN", false),
            ("European", false),
            ("one-off", false),
        ] {
            assert_eq!(takes_an(phrase), Some(an), "{phrase}");
        }
        assert_eq!(takes_an("1990s"), None);
    }
}
