//! Finds every dictionary phrase that starts at each word of a text.
//!
//! The matcher walks each dictionary's FST node by node, feeding the
//! normalised bytes of successive words joined by a space, so no key string
//! is ever built. A walk stops at the first byte no key continues with, which
//! for most words is the first byte. Every final state passed on the way is
//! a candidate; choosing between candidates (levels, conditions, overlaps)
//! is the repairer's job.

use fst::raw::{Fst, Node, Output};

use crate::dictionary::compiled::{
    FILTERS_LEN, FILTER_LEN, FIRST_FILTER, PAIR_FILTER, PAIR_KEY_FILTER, SINGLE_FILTER,
    TRIPLE_FILTER,
};
use crate::dictionary::{Bytes, Dictionary};
use crate::text::hash::WordHash;
use crate::text::segment::Segment;
use crate::text::segment::WordHashes;
use crate::text::tokenize::{gap_key, normalize_word, Gap, Token};

/// A dictionary key found in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Index of the first and last matched tokens.
    pub first_token: usize,
    pub last_token: usize,
    /// Byte range of the match within the segment; it ends before a
    /// possessive `'s` that the key does not include.
    pub start: usize,
    pub end: usize,
    /// Which dictionary, and the id of the key's first entry.
    pub dictionary: usize,
    pub first_entry: u64,
}

/// A position in an FST walk.
struct Walk<'f> {
    fst: &'f Fst<Bytes>,
    node: Node<'f>,
    output: Output,
}

impl<'f> Walk<'f> {
    #[inline]
    fn feed(&mut self, byte: u8) -> bool {
        match self.node.find_input(byte) {
            Some(i) => {
                let transition = self.node.transition(i);
                self.output = self.output.cat(transition.out);
                self.node = self.fst.node(transition.addr);
                true
            }
            None => false,
        }
    }

    fn value(&self) -> Option<u64> {
        self.node
            .is_final()
            .then(|| self.output.cat(self.node.final_output()).value())
    }
}

/// The union of the dictionaries' key filters.
///
/// A word whose bits are clear starts no key in any dictionary, so the
/// matcher moves on after hashing it (and perhaps the next word), without
/// touching an FST.
///
/// The five filters are interleaved byte by byte: the bytes that one hash
/// selects in each filter lie side by side, so the single-word and
/// first-word tests of a word read one cache line, and so do the pair and
/// pair-key tests of two words. The dictionaries' own layout (one filter
/// after another) stays as it is on disk.
///
/// The groups have a fixed number, which every filter index is below by
/// construction, so reading one needs no bounds check.
#[derive(Clone, Debug)]
pub struct FirstWords {
    groups: Box<[Group; FILTER_LEN]>,
}

/// Filters in the interleaved layout.
const FILTERS: usize = FILTERS_LEN / FILTER_LEN;

/// The five filters' bytes for one filter index.
type Group = [u8; FILTERS];

impl FirstWords {
    /// The filter for a set of dictionaries.
    pub fn new(dictionaries: &[Dictionary]) -> FirstWords {
        let mut groups: Box<[Group; FILTER_LEN]> = vec![[0u8; FILTERS]; FILTER_LEN]
            .into_boxed_slice()
            .try_into()
            .expect("FILTER_LEN groups");
        for dictionary in dictionaries {
            let filters = dictionary.key_filters().chunks_exact(FILTER_LEN);
            for (filter, source) in filters.enumerate() {
                for (group, &byte) in groups.iter_mut().zip(source) {
                    group[filter] |= byte;
                }
            }
        }
        FirstWords { groups }
    }

    #[inline]
    fn has(&self, filter: usize, hash: WordHash) -> bool {
        let (group, mask) = self.slot(hash);
        group[filter / FILTER_LEN] & mask != 0
    }

    /// The five filters' bytes for a hash, and its bit: one hash
    /// computation serves every filter's test.
    #[inline]
    fn slot(&self, hash: WordHash) -> (&Group, u8) {
        let (index, mask) = hash.bit();
        (&self.groups[index], mask)
    }

    /// A first test of whether a key may start at a word, given the gap
    /// after it and the next word: false means no key starts there, true
    /// means [`FirstWords::may_start`] must decide.
    ///
    /// Almost half the words of prose (the, of, in) start some key, and
    /// only the pair they begin tells them apart, so whether a word passes
    /// the first-word test cannot be predicted. This test reads the word's
    /// and the pair's filter bytes and combines them without a branch:
    /// the loads of successive words then overlap, and the only branch
    /// left is nearly always not taken.
    #[inline]
    fn may_start_quick(&self, word: WordHashes, gap: Gap, next: WordHashes) -> bool {
        let WordHashes { stem, full } = word;
        let (group, mask) = self.slot(full);
        let single = group[SINGLE_FILTER / FILTER_LEN] & mask;
        let first = group[FIRST_FILTER / FILTER_LEN] & mask;
        let (group, mask) = self.slot(WordHash::pair(full, gap == Gap::Comma, next.full));
        let pair = (group[PAIR_KEY_FILTER / FILTER_LEN] | group[PAIR_FILTER / FILTER_LEN]) & mask;
        // Possessives have a second hash that only the full test tries.
        let possessive = (stem != full) | (next.stem != next.full);
        (single != 0) | ((first != 0) & (pair != 0) & (gap != Gap::Break)) | possessive
    }

    /// Whether a key may start at token `i` (false positives are
    /// possible, false negatives are not). `hashes[i]` holds the hashes of
    /// token `i` without and with its possessive.
    #[inline]
    fn may_start(&self, hashes: &[WordHashes], gaps: &[Gap], i: usize) -> bool {
        let WordHashes { stem, full } = hashes[i];
        // The single-word and first-word tests of a word without a
        // possessive (its stem is the whole word) share one hash and one
        // cache line.
        let (group, mask) = self.slot(full);
        if group[SINGLE_FILTER / FILTER_LEN] & mask != 0
            || stem != full && self.has(SINGLE_FILTER, stem)
        {
            return true;
        }
        if group[FIRST_FILTER / FILTER_LEN] & mask == 0 {
            return false;
        }
        let Some((comma, next)) = continuation(hashes, gaps, i) else {
            return false;
        };
        // A key may end at the next word's stem, before a possessive, but
        // go on only after the whole word.
        let pair = WordHash::pair(full, comma, next.full);
        let (group, mask) = self.slot(pair);
        if group[PAIR_KEY_FILTER / FILTER_LEN] & mask != 0
            || next.stem != next.full
                && self.has(PAIR_KEY_FILTER, WordHash::pair(full, comma, next.stem))
        {
            return true;
        }
        if group[PAIR_FILTER / FILTER_LEN] & mask == 0 {
            return false;
        }
        let Some((comma, third)) = continuation(hashes, gaps, i + 1) else {
            return false;
        };
        self.has(TRIPLE_FILTER, WordHash::pair(pair, comma, third.stem))
            || third.stem != third.full
                && self.has(TRIPLE_FILTER, WordHash::pair(pair, comma, third.full))
    }
}

/// The word after token `i`, and whether a comma separates them, if a
/// phrase can continue there.
#[inline]
fn continuation(hashes: &[WordHashes], gaps: &[Gap], i: usize) -> Option<(bool, WordHashes)> {
    let comma = match gaps.get(i)? {
        Gap::Space | Gap::Hyphen => false,
        Gap::Comma => true,
        Gap::Break => return None,
    };
    Some((comma, *hashes.get(i + 1)?))
}

/// Appends to `out` every key of every dictionary found in a segment.
///
/// A match never starts or ends inside a hyphenated compound: "Stimson
/// Middle" can match, but "based" inside "Washington-based" cannot.
pub(crate) fn find_candidates(
    dictionaries: &[Dictionary],
    first_words: &FirstWords,
    segment: &Segment<'_>,
    out: &mut Vec<Candidate>,
) {
    let (text, tokens, gaps, hashes) = (
        segment.text,
        &segment.tokens[..],
        &segment.gaps[..],
        &segment.hashes[..],
    );
    let roots: Vec<_> = dictionaries.iter().map(|d| d.fst().root()).collect();
    let mut walk_all = |first: usize| {
        if first > 0 && gaps[first - 1] == Gap::Hyphen
            || !first_words.may_start(hashes, gaps, first)
        {
            return;
        }
        for (dictionary_index, dictionary) in dictionaries.iter().enumerate() {
            walk_from(
                dictionary_index,
                dictionary.fst(),
                roots[dictionary_index],
                text,
                tokens,
                gaps,
                first,
                out,
            );
        }
    };
    // Every word but the last has a gap and a next word for the quick test.
    let followed = hashes.windows(2).zip(gaps);
    for (first, (pair, &gap)) in followed.enumerate() {
        if first_words.may_start_quick(pair[0], gap, pair[1]) {
            walk_all(first);
        }
    }
    if let Some(last) = tokens.len().checked_sub(1) {
        walk_all(last);
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_from<'f>(
    dictionary: usize,
    fst: &'f Fst<Bytes>,
    root: Node<'f>,
    text: &str,
    tokens: &[Token],
    gaps: &[Gap],
    first: usize,
    out: &mut Vec<Candidate>,
) {
    let mut walk = Walk {
        fst,
        node: root,
        output: Output::zero(),
    };
    let mut candidate = |last: usize, end: usize, first_entry: u64| {
        out.push(Candidate {
            first_token: first,
            last_token: last,
            start: tokens[first].start,
            end,
            dictionary,
            first_entry,
        });
    };
    for last in first..tokens.len() {
        if last > first {
            match gap_key(gaps[last - 1]) {
                Some(bytes) if bytes.iter().all(|&b| walk.feed(b)) => {}
                _ => return,
            }
        }
        let token = tokens[last];
        let compound_continues = gaps.get(last) == Some(&Gap::Hyphen);
        if !normalize_word(&text[token.start..token.stem_end], |b| walk.feed(b)) {
            return;
        }
        if token.has_possessive() {
            if let Some(value) = walk.value() {
                candidate(last, token.stem_end, value);
            }
            if !normalize_word(&text[token.stem_end..token.end], |b| walk.feed(b)) {
                return;
            }
        }
        if !compound_continues {
            if let Some(value) = walk.value() {
                candidate(last, token.end, value);
            }
        }
    }
}
