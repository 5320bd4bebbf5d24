//! Finds every dictionary phrase that starts at each word of a text.
//!
//! The matcher walks each dictionary's FST node by node, feeding the
//! normalised bytes of successive words joined by a space, so no key string
//! is ever built. A walk stops at the first byte no key continues with, which
//! for most words is the first byte. Every final state passed on the way is
//! a candidate; choosing between candidates (levels, conditions, overlaps)
//! is the repairer's job.

use fst::raw::{Fst, Node, Output};

use crate::dictionary::compiled::{WordHash, FILTER_LEN};
use crate::dictionary::{Bytes, Dictionary};
use crate::tokenize::{classify_gap, gap_key, normalize_word, Gap, Token};

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
    fn new(fst: &'f Fst<Bytes>) -> Walk<'f> {
        Walk {
            fst,
            node: fst.root(),
            output: Output::zero(),
        }
    }

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

/// Gaps between token `i` and `i + 1`, computed once per segment.
pub fn gaps(text: &str, tokens: &[Token]) -> Vec<Gap> {
    tokens
        .windows(2)
        .map(|pair| classify_gap(&text[pair[0].end..pair[1].start]))
        .collect()
}

/// The union of the dictionaries' first-word filters.
///
/// A word whose bit is clear starts no key in any dictionary, so the
/// matcher moves on after hashing it, without touching an FST.
#[derive(Clone, Debug)]
pub struct FirstWords {
    bits: Vec<u8>,
}

impl FirstWords {
    /// The filter for a set of dictionaries.
    pub fn new(dictionaries: &[Dictionary]) -> FirstWords {
        let mut bits = vec![0u8; FILTER_LEN];
        for dictionary in dictionaries {
            for (bit, &byte) in bits.iter_mut().zip(dictionary.first_word_filter()) {
                *bit |= byte;
            }
        }
        FirstWords { bits }
    }

    /// Whether the word may start a key (false positives are possible,
    /// false negatives are not).
    #[inline]
    fn may_start(&self, text: &str, token: Token) -> bool {
        let mut hash = WordHash::default();
        normalize_word(&text[token.start..token.stem_end], |b| {
            hash.push(b);
            true
        });
        if self.has(hash) {
            return true;
        }
        token.has_possessive() && {
            normalize_word(&text[token.stem_end..token.end], |b| {
                hash.push(b);
                true
            });
            self.has(hash)
        }
    }

    #[inline]
    fn has(&self, hash: WordHash) -> bool {
        let (index, mask) = hash.bit();
        self.bits[index] & mask != 0
    }
}

/// Appends to `out` every key of every dictionary found in `text`.
///
/// A match never starts or ends inside a hyphenated compound: "Stimson
/// Middle" can match, but "based" inside "Washington-based" cannot.
pub fn find_candidates(
    dictionaries: &[Dictionary],
    first_words: &FirstWords,
    text: &str,
    tokens: &[Token],
    gaps: &[Gap],
    out: &mut Vec<Candidate>,
) {
    for first in 0..tokens.len() {
        if first > 0 && gaps[first - 1] == Gap::Hyphen
            || !first_words.may_start(text, tokens[first])
        {
            continue;
        }
        for (dictionary_index, dictionary) in dictionaries.iter().enumerate() {
            walk_from(
                dictionary_index,
                dictionary.fst(),
                text,
                tokens,
                gaps,
                first,
                out,
            );
        }
    }
}

fn walk_from(
    dictionary: usize,
    fst: &Fst<Bytes>,
    text: &str,
    tokens: &[Token],
    gaps: &[Gap],
    first: usize,
    out: &mut Vec<Candidate>,
) {
    let mut walk = Walk::new(fst);
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
