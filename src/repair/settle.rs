//! Whether a document's repairs could make others.
//!
//! A repair can write a phrase that an entry repairs again, a word that a
//! condition asks about, or a name's evidence, so the repaired text is
//! scanned again. In a long document nearly every rescan finds nothing,
//! and it doubled the cost of text with a few repairs per page.
//!
//! A rescan sees what the first scan saw, except around the repairs and in
//! what is counted over the whole document: the `sure` findings that
//! promote a document and gate its guesses and decoding (none are left
//! once applied, unless the repairs make new ones), the phrases that
//! conditions look for, and how far apart the name pass's mentions are.
//! So the words around each repair are read as written and as repaired,
//! and the document counts as settled only when none of them could give
//! the rescan anything to apply. Where this cannot be shown, the document
//! is rescanned, as before. Debug builds rescan settled documents too and
//! assert that nothing is applied.

use std::ops::Range;

use super::{Repairer, Scan, ScanFacts, Segment};
use crate::edit::{Edit, Origin};
use crate::find::condition::occurs_over;
use crate::find::matcher::Candidate;
use crate::find::names::{
    person_roles, HeadingLines, LineCase, NameRules, PersonForms, STORY_WORDS,
};
use crate::find::replacement::{build_replacement, case_fits};
use crate::guess::{find_guesses, guess_threshold, Document, Prior, DOCUMENT_EVIDENCE_MAX_WORDS};
use crate::level::Level;

/// Words read on each side of a repair beyond what the rules read around
/// it (the longest key and the widest `near:` condition together, or the
/// name pass's reach), so that any finding that a repair's words take part
/// in, or move, lies within.
const AROUND_MARGIN: usize = 3;

/// Words on each side of a repair within which the name pass reads a run
/// of capitals with it: a run's neighbours up to four words away.
const NAME_REACH: usize = 5;

/// Whether rescanning the document of `segments` with the applied edits of
/// `scan` written in would apply nothing. False where that is not certain.
pub(super) fn settled(
    repairer: &Repairer,
    segments: &[Segment<'_>],
    scan: &Scan,
    facts: &mut ScanFacts,
) -> bool {
    let options = &repairer.options;
    // By default a `likely` entry, a guess or a decoded word is applied
    // only where `sure` findings show spin, and the rescan has none left
    // unless it makes them; another setting needs the rescan. A short
    // document's own phrases are the guesser's evidence, and it is cheap
    // to rescan.
    if !options.applies(Level::Sure)
        || options.applies(Level::Likely)
        || scan.words <= DOCUMENT_EVIDENCE_MAX_WORDS
    {
        return false;
    }
    // The name pass reads four words beyond a run that reaches within
    // `NAME_REACH` of a repair, and the guesser's windows are shorter.
    let entries = repairer.reach.key_words + repairer.reach.near;
    let around = entries.max(NAME_REACH + 4) + AROUND_MARGIN;
    let Some(regions) = regions(segments, scan, around) else {
        return false;
    };
    // Where the regions cover much of the document (spin in every
    // sentence), reading them costs about what the rescan does.
    let read: usize = regions.iter().map(|r| r.bytes.len()).sum();
    let total: usize = segments.iter().map(|s| s.text.len()).sum();
    if read * 4 > total {
        return false;
    }
    let rules = NameRules::embedded();
    let mut candidates = Vec::new();
    // Guesses that a document without `sure` findings would apply. The
    // guesser reads a long document by its length alone, the same before
    // and after the repairs while both are long (checked below).
    let guesses = options.guess.map(|base| {
        let threshold = guess_threshold(base, 0, false);
        let prior = Prior {
            threshold,
            floor: threshold,
            known_spin: false,
            spun: false,
        };
        (prior, LongDocument { words: scan.words })
    });
    // Bytes and words the repairs before a region added.
    let mut shift = 0isize;
    let mut words_added = 0isize;
    // Words moved by the repairs, either way: how far a mention's story
    // can shift.
    let mut moved = 0usize;
    // The asked phrases (by index) whose answer the repairs may change.
    let mut flipped = Vec::new();
    for region in &regions {
        let segment = &segments[region.segment];
        let written = region.written(segment);
        let before = Segment::new(segment.offset + region.bytes.start, region.text(segment));
        let after = Segment::new(
            (segment.offset + region.bytes.start).saturating_add_signed(shift),
            &written.text,
        );
        shift += written.text.len() as isize - region.bytes.len() as isize;
        let added = after.tokens.len() as isize - before.tokens.len() as isize;
        words_added += added;
        moved += added.unsigned_abs();
        // A `sure` entry that matches the repaired words.
        candidates.clear();
        repairer.candidates_in(&after, &mut candidates);
        if candidates.iter().any(|c| may_be_sure(repairer, &after, c)) {
            return false;
        }
        // A phrase that a condition looked for, and found, may be gone; one
        // it did not find may be there now.
        for (i, asked) in facts.asked.iter().enumerate() {
            let (segment, spans) = if asked.present {
                (&before, &written.replaced)
            } else {
                (&after, &written.spans)
            };
            if !flipped.contains(&i)
                && spans
                    .iter()
                    .any(|span| occurs_over(segment, &asked.phrase, span.clone()))
            {
                flipped.push(i);
            }
        }
        if options.names
            && !names_unchanged(
                rules,
                (&mut facts.headings, &facts.people),
                segment,
                region,
                (&before, &after),
                &written,
            )
        {
            return false;
        }
        if let Some((prior, document)) = &guesses {
            let found = find_guesses(
                &repairer.guess_model,
                std::slice::from_ref(&after),
                &[],
                document,
                prior,
            );
            if found
                .iter()
                .any(|g| matches!(&g.origin, Origin::Guess(r) if r.score() >= prior.threshold))
            {
                return false;
            }
        }
    }
    // Such a phrase matters to the entries that asked about it, unless
    // each of them lies in a region, where its match was read again whole.
    let in_region = |at: usize| {
        regions.iter().any(|r| {
            let segment = &segments[r.segment];
            let Some(at) = at.checked_sub(segment.offset) else {
                return false;
            };
            let token = segment.tokens.partition_point(|t| t.start < at);
            r.bytes.contains(&at)
                && (token + repairer.reach.key_words <= r.tokens.end
                    || r.tokens.end == segment.tokens.len())
        })
    };
    if flipped
        .iter()
        .flat_map(|&i| &facts.asked[i].askers)
        .any(|asker| !asker.is_some_and(in_region))
    {
        return false;
    }
    let words = (scan.words as isize + words_added).max(0) as usize;
    if words <= DOCUMENT_EVIDENCE_MAX_WORDS {
        return false;
    }
    // The rule that promotes and that sets the guess threshold, and the
    // decoding gate's, with no `sure` finding.
    if options.promote.unwrap_or_default().holds(0, words)
        || options.decoding.is_some_and(|d| d.evidence.holds(0, words))
    {
        return false;
    }
    // A person repair that a shift of the stories could bring in.
    if options.names && facts.closest_name_miss <= STORY_WORDS.saturating_add(moved) {
        return false;
    }
    true
}

/// The words around one or more neighbouring repairs in one segment.
struct Region<'e> {
    segment: usize,
    /// The segment's bytes that the region covers: whole tokens.
    bytes: Range<usize>,
    /// The same, as the segment's tokens.
    tokens: Range<usize>,
    /// The tokens the repairs touch, as the segment counts them.
    changed: Range<usize>,
    /// The applied edits within, in order.
    edits: Vec<&'e Edit>,
}

/// A region with its edits written in.
struct Written {
    text: String,
    /// Where the replacements lie in `text`.
    spans: Vec<Range<usize>>,
    /// Where the replaced text lay in the region.
    replaced: Vec<Range<usize>>,
}

impl Region<'_> {
    fn text<'a>(&self, segment: &Segment<'a>) -> &'a str {
        &segment.text[self.bytes.clone()]
    }

    fn written(&self, segment: &Segment<'_>) -> Written {
        let text = self.text(segment);
        let base = segment.offset + self.bytes.start;
        let mut out = Written {
            text: String::with_capacity(text.len() + 16),
            spans: Vec::with_capacity(self.edits.len()),
            replaced: Vec::with_capacity(self.edits.len()),
        };
        let mut at = 0;
        for edit in &self.edits {
            let (start, end) = (edit.range.start - base, edit.range.end - base);
            out.text.push_str(&text[at..start]);
            out.spans
                .push(out.text.len()..out.text.len() + edit.replacement.len());
            out.text.push_str(&edit.replacement);
            out.replaced.push(start..end);
            at = end;
        }
        out.text.push_str(&text[at..]);
        out
    }

    /// Where a byte of the segment at or after the region's last repair
    /// lies in the written text.
    fn written_at(&self, at: usize) -> usize {
        let added: isize = self
            .edits
            .iter()
            .map(|e| e.replacement.len() as isize - e.range.len() as isize)
            .sum();
        (at - self.bytes.start).saturating_add_signed(added)
    }
}

/// The applied edits of `scan` grouped into regions, or `None` when one
/// does not lie within a segment on one line.
fn regions<'e>(segments: &[Segment<'_>], scan: &'e Scan, around: usize) -> Option<Vec<Region<'e>>> {
    let mut regions: Vec<Region<'e>> = Vec::new();
    for edit in scan.edits.iter().filter(|e| e.applied) {
        let s = segments
            .partition_point(|s| s.offset + s.text.len() < edit.range.end)
            .min(segments.len().checked_sub(1)?);
        let segment = &segments[s];
        if edit.range.start < segment.offset || segment.tokens.is_empty() {
            return None;
        }
        let (start, end) = (
            edit.range.start - segment.offset,
            edit.range.end - segment.offset,
        );
        // Lines are the unit of the heading test; a repair that adds or
        // removes a line break changes which line every word is on.
        if end > segment.text.len()
            || segment.text[start..end].contains('\n')
            || edit.replacement.contains('\n')
        {
            return None;
        }
        let tokens = &segment.tokens;
        let first = tokens.partition_point(|t| t.end <= start);
        let last = tokens.partition_point(|t| t.start < end).max(first + 1);
        let from = first.saturating_sub(around);
        let to = (last + around).min(tokens.len());
        let bytes = if from == 0 { 0 } else { tokens[from].start }..if to == tokens.len() {
            segment.text.len()
        } else {
            tokens[to - 1].end
        };
        if start < bytes.start || end > bytes.end {
            return None;
        }
        match regions.last_mut() {
            Some(region) if region.segment == s && from < region.tokens.end => {
                region.bytes.end = region.bytes.end.max(bytes.end);
                region.tokens.end = region.tokens.end.max(to);
                region.changed.end = region.changed.end.max(last);
                region.edits.push(edit);
            }
            _ => regions.push(Region {
                segment: s,
                bytes,
                tokens: from..to,
                changed: first..last,
                edits: vec![edit],
            }),
        }
    }
    Some(regions)
}

/// Whether any entry of a candidate could be a `sure` repair, whatever its
/// condition says.
fn may_be_sure(repairer: &Repairer, segment: &Segment<'_>, candidate: &Candidate) -> bool {
    let dictionary = &repairer.dictionaries[candidate.dictionary];
    let matched = &segment.text[candidate.start..candidate.end];
    dictionary
        .entries_from(candidate.first_entry)
        .any(|(_, entry)| {
            entry.level == Level::Sure
                && case_fits(segment, candidate, entry.case_mask)
                && build_replacement(segment, candidate, matched, entry.original) != matched
        })
}

/// Whether the name pass reads the people of `region` the same after its
/// repairs: the same roles for the runs of capitals near them, and the
/// same heading status for the lines they are on.
fn names_unchanged(
    rules: &NameRules,
    (headings, people): (&mut HeadingLines, &PersonForms),
    segment: &Segment<'_>,
    region: &Region<'_>,
    (before, after): (&Segment<'_>, &Segment<'_>),
    written: &Written,
) -> bool {
    let tokens = &segment.tokens;
    let near = region.changed.start.saturating_sub(NAME_REACH)
        ..(region.changed.end + NAME_REACH).min(tokens.len());
    // The same stretch in the repaired region.
    let (first, last) = (region.edits[0], region.edits[region.edits.len() - 1]);
    let near_start = tokens[near.start]
        .start
        .min(first.range.start - segment.offset)
        .max(region.bytes.start);
    let near_end = tokens[near.end - 1]
        .end
        .max(last.range.end - segment.offset);
    let near_bytes = near_start - region.bytes.start..region.written_at(near_end);
    let near_after = after.tokens.partition_point(|t| t.end <= near_bytes.start)
        ..after.tokens.partition_point(|t| t.start < near_bytes.end);
    let region_text = region.text(segment);
    let before_lines: Vec<usize> = memchr::memchr_iter(b'\n', region_text.as_bytes()).collect();
    let after_lines: Vec<usize> = memchr::memchr_iter(b'\n', written.text.as_bytes()).collect();
    let line_of = |breaks: &[usize], at: usize| breaks.partition_point(|&b| b < at);
    // A line with repairs stays a heading or prose: its counts, with the
    // words of its repairs swapped for what they wrote, say the same. Only
    // the tokens over the repairs differ; the others cancel out. The
    // repairs are in order, so those of one line come together, at the
    // same line number before and after (no repair writes a line break).
    let count_over = |segment: &Segment<'_>, spans: &[Range<usize>]| {
        let mut case = LineCase::default();
        let mut counted = 0;
        for span in spans {
            let from = segment.tokens.partition_point(|t| t.end <= span.start);
            let to = segment
                .tokens
                .partition_point(|t| t.start < span.end.max(span.start + 1));
            let over = LineCase::of(rules, segment, from.max(counted)..to.max(counted));
            counted = counted.max(to);
            case.capitals += over.capitals;
            case.lower += over.lower;
        }
        case
    };
    let mut first = 0;
    while first < written.replaced.len() {
        let line = line_of(&before_lines, written.replaced[first].start);
        let mut end = first + 1;
        while end < written.replaced.len()
            && line_of(&before_lines, written.replaced[end].start) == line
        {
            end += 1;
        }
        let old = count_over(before, &written.replaced[first..end]);
        let new = count_over(after, &written.spans[first..end]);
        let change = LineCase {
            capitals: new.capitals - old.capitals,
            lower: new.lower - old.lower,
        };
        let at = region.bytes.start + written.replaced[first].start;
        let bytes = segment.text.as_bytes();
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |b| b + 1);
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |b| at + b);
        let whole = tokens.partition_point(|t| t.start < line_start)
            ..tokens.partition_point(|t| t.start < line_end);
        let (was, is) = LineCase::headings_with(rules, segment, whole, change);
        if was != is {
            return false;
        }
        first = end;
    }
    // The repaired region's lines are the segment's, each a heading just
    // when it was: found by its number in the region.
    let mut unknown_line = false;
    let mut heading_of_line = |line: usize| {
        let start = region.bytes.start + line.checked_sub(1).map_or(0, |i| before_lines[i] + 1);
        let token = tokens.partition_point(|t| t.start < start);
        if token < tokens.len() && !segment.text[start..tokens[token].start].contains('\n') {
            headings.contains(rules, segment, token)
        } else {
            unknown_line = true;
            false
        }
    };
    let is = person_roles(rules, after, near_after, true, |t| {
        heading_of_line(line_of(&after_lines, after.tokens[t].start))
    });
    let was = person_roles(rules, segment, near, false, |t| {
        headings.contains(rules, segment, t)
    });
    let (Some(was), Some(is), false) = (was, is, unknown_line) else {
        return false;
    };
    // Roles that the repairs made matter only where they could link two
    // forms; ones they took away only where links exist already.
    let mut added = is;
    for role in &was {
        if let Some(i) = added.iter().position(|r| r == role) {
            added.remove(i);
        } else if people.linked {
            return false;
        }
    }
    added.is_empty() || !people.could_link(rules, &added)
}

/// A long document as the guesser sees it: by its length alone, since it
/// reads a document's own phrases only in short ones.
struct LongDocument {
    words: usize,
}

impl Document for LongDocument {
    fn contains(&self, _phrase: &str) -> bool {
        true
    }

    fn may_contain_pair(&self, _first: &str, _second: &str) -> bool {
        true
    }

    fn words(&self) -> usize {
        self.words
    }
}

#[cfg(test)]
mod tests {
    use super::super::{segments_outside, Options};
    use super::*;
    use crate::dictionary::Dictionary;

    /// Plain prose that nothing repairs, `words` words of it.
    fn filler(words: usize) -> Vec<&'static str> {
        let sentence =
            "The committee met on a quiet morning to review the plans for the coming year.";
        sentence.split(' ').cycle().take(words).collect::<Vec<_>>()
    }

    /// A long document: the filler, with `inserts` placed at word indices.
    fn document(words: usize, inserts: &[(usize, &str)]) -> String {
        let mut out = Vec::new();
        for (i, word) in filler(words).into_iter().enumerate() {
            for (_, text) in inserts.iter().filter(|(at, _)| *at == i) {
                out.push(text.to_string());
            }
            out.push(word.to_string());
        }
        out.join(" ")
    }

    fn user(tsv: &str) -> Repairer {
        let dictionary = Dictionary::from_tsv("user", "user.tsv", tsv.as_bytes()).unwrap();
        Repairer::new(vec![dictionary], Options::default())
    }

    /// Whether the first scan of `text` settles it.
    fn settles(repairer: &Repairer, text: &str) -> bool {
        let segments = segments_outside(text.as_bytes(), &[]);
        let (scan, mut facts) = repairer.scan_once(&segments, true);
        assert!(scan.edits.iter().any(|e| e.applied), "nothing applied");
        settled(repairer, &segments, &scan, &mut facts)
    }

    /// Repairs `text`, and checks that a second run changes nothing.
    fn repaired(repairer: &Repairer, text: &str) -> String {
        let out = repairer.repair(text).text;
        assert!(!repairer
            .find_edits(out.as_bytes())
            .iter()
            .any(|e| e.applied));
        out
    }

    #[test]
    fn scattered_repairs_in_a_long_document_settle_it() {
        let inserts: Vec<(usize, &str)> = (1..12)
            .map(|i| (i * 2_000, "counterfeit consciousness and this 7 days"))
            .collect();
        let text = document(25_000, &inserts);
        let repairer = Repairer::default();
        assert!(settles(&repairer, &text));
        let out = repaired(&repairer, &text);
        assert_eq!(
            out.matches("artificial intelligence and this week").count(),
            11
        );
        assert!(!out.contains("counterfeit"));
    }

    #[test]
    fn a_short_document_is_always_rescanned() {
        let text = document(2_000, &[(1_000, "counterfeit consciousness")]);
        assert!(!settles(&Repairer::default(), &text));
    }

    #[test]
    fn a_repair_that_writes_a_phrase_a_condition_asks_for_is_rescanned() {
        let repairer = user("alpha beta\tgamma delta\tsure\nepsilon\tzeta\tsure\tif:gamma delta\n");
        let text = document(25_000, &[(5_000, "alpha beta"), (15_000, "epsilon")]);
        assert!(!settles(&repairer, &text));
        let out = repaired(&repairer, &text);
        assert!(out.contains("gamma delta") && out.contains("zeta"));
        // The same condition asked near the repair is read in its region.
        let text = document(25_000, &[(5_000, "alpha beta"), (5_003, "epsilon")]);
        assert!(!settles(&repairer, &text));
        assert!(repaired(&repairer, &text).contains("zeta"));
    }

    #[test]
    fn a_phrase_a_condition_found_elsewhere_does_not_unsettle() {
        let repairer = user("alpha beta\tgamma delta\tsure\nepsilon\tzeta\tsure\tif:gamma delta\n");
        let text = document(
            25_000,
            &[
                (2_000, "gamma delta"),
                (5_000, "alpha beta"),
                (15_000, "epsilon"),
            ],
        );
        assert!(settles(&repairer, &text));
        assert!(repaired(&repairer, &text).contains("zeta"));
    }

    #[test]
    fn a_repair_that_makes_another_key_is_rescanned() {
        let repairer = user("alpha beta\tgamma delta\tsure\ndelta omega\tsigma\tsure\n");
        let text = document(25_000, &[(5_000, "alpha beta omega")]);
        assert!(!settles(&repairer, &text));
        assert!(repaired(&repairer, &text).contains("gamma sigma"));
    }

    #[test]
    fn a_repair_that_gives_a_name_its_evidence_is_rescanned() {
        let repairer = user("articulated\tsaid\tsure\n");
        let story = "Laura Swamp, a hydrologist at the regional water board, warned that the \
                     levees were failing. \"We have seen this before,\" Marsh articulated on Tuesday.";
        let text = document(25_000, &[(4_995, story)]);
        assert!(!settles(&repairer, &text));
        let out = repaired(&repairer, &text);
        assert!(out.contains("Laura Marsh, a hydrologist"));
        assert!(out.contains("Marsh said on Tuesday"));
    }

    #[test]
    fn a_repair_far_from_any_name_leaves_the_names_settled() {
        let repairer = user("articulated\tsaid\tsure\n");
        let story = "Laura Marsh, a hydrologist at the regional water board, warned that the \
                     levees were failing. \"We have seen this before,\" Marsh said on Tuesday.";
        let text = document(25_000, &[(4_995, story), (12_000, "they articulated")]);
        assert!(settles(&repairer, &text));
        assert!(repaired(&repairer, &text).contains("they said"));
    }

    #[test]
    fn a_repair_that_writes_a_name_with_nothing_to_link_it_to_settles() {
        // The repair writes a new full name, but no form of the document
        // is used alone as a name, so the person pass has nothing to do.
        let repairer = user("alpha beta\tZorblat Quintus\tsure\n");
        let text = document(25_000, &[(4_998, "alpha beta")]);
        assert!(settles(&repairer, &text));
        assert!(repaired(&repairer, &text).contains("Zorblat Quintus"));
    }

    #[test]
    fn a_repair_that_brings_a_name_into_its_story_is_rescanned() {
        // Between the full name and the short form, a repair takes out two
        // words: at some distances that brings them into one story.
        let repairer = user("alpha beta gamma\tdelta\tsure\n");
        let named = "Laura Swamp, a hydrologist at the regional water board, warned.";
        let short = "\"We have seen this before,\" Marsh said on Tuesday.";
        let mut restored = Vec::new();
        for apart in 985..1_000 {
            let text = document(
                25_000,
                &[
                    (4_995, named),
                    (5_400, "alpha beta gamma"),
                    (4_995 + apart, short),
                ],
            );
            // Debug builds also rescan a settled document and assert that
            // nothing more is applied.
            let out = repaired(&repairer, &text);
            restored.push(out.contains("Laura Marsh"));
        }
        assert!(
            restored.contains(&true) && restored.contains(&false),
            "{restored:?}"
        );
    }
}
