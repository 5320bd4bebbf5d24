//! Document conditions: whether an entry's `if:` and `near:` clauses hold
//! in the document at hand. Each parsed expression and each document-wide
//! phrase search is remembered, and a document asked about many phrases
//! gets an n-gram filter, so that a condition costs a look-up, not a pass.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::HashMap;
use std::ops::Range;

use crate::dictionary::{parse_condition, Clause, ClauseKind};
use crate::find::matcher::Candidate;
use crate::text::hash::{WordHash, FILTER_LEN};
use crate::text::segment::Segment;
use crate::text::tokenize::{gap_key, normalize_word};

/// Evaluates entry conditions against the document, remembering each
/// parsed expression and each document-wide phrase search.
pub(crate) struct ConditionCache<'s, 'a> {
    segments: &'s [Segment<'a>],
    parsed: RefCell<HashMap<String, Vec<Clause>>>,
    present: RefCell<HashMap<String, bool>>,
    /// Who asked about each phrase: the byte offset of an entry's match,
    /// or `None` for the guesser, which asks about the whole document.
    askers: RefCell<HashMap<String, Vec<Option<usize>>>>,
    /// A bit per hashed word of the document, built once more than
    /// [`DIRECT_WORD_SCANS`] phrases were asked about, so that most later
    /// phrases are ruled out without a scan.
    words: OnceCell<Vec<u8>>,
    /// A bit per run of two to four neighbouring words, built once more
    /// than [`DIRECT_SCANS`] phrases were asked about: the guesser asks
    /// about many phrases whose words are all common.
    ngrams: OnceCell<Vec<u8>>,
    /// Phrases asked about so far.
    scans: Cell<usize>,
}

/// Phrases looked for by a direct scan of the document before the n-gram
/// filter is built.
const DIRECT_SCANS: usize = 16;

/// Phrases looked for by a direct scan before even the word filter is
/// built: a scan compares one hash per word, where building the filter
/// hashes and sets two bits per word, and most documents ask about one or
/// two phrases.
const DIRECT_WORD_SCANS: usize = 4;

impl<'s, 'a> ConditionCache<'s, 'a> {
    pub(crate) fn new(segments: &'s [Segment<'a>]) -> Self {
        ConditionCache {
            segments,
            parsed: RefCell::new(HashMap::new()),
            present: RefCell::new(HashMap::new()),
            askers: RefCell::new(HashMap::new()),
            words: OnceCell::new(),
            ngrams: OnceCell::new(),
            scans: Cell::new(0),
        }
    }

    /// The phrases whose presence in the document has been asked about.
    pub(crate) fn asked(&self) -> Vec<Asked> {
        let present = self.present.borrow();
        let askers = self.askers.borrow();
        askers
            .iter()
            .map(|(phrase, askers)| Asked {
                phrase: phrase.clone(),
                present: present[phrase],
                askers: askers.clone(),
            })
            .collect()
    }

    /// [`ConditionCache::contains`], remembering who asked.
    fn asked_by(&self, phrase: &str, asker: Option<usize>) -> bool {
        let found = self.contains(phrase);
        let mut askers = self.askers.borrow_mut();
        match askers.get_mut(phrase) {
            Some(list) if list.last() == Some(&asker) => {}
            Some(list) => list.push(asker),
            None => {
                askers.insert(phrase.to_string(), vec![asker]);
            }
        }
        found
    }

    /// Whether every clause of `expression` holds for a match in `segment`.
    pub(crate) fn holds(
        &self,
        expression: &str,
        segment: &Segment<'_>,
        candidate: &Candidate,
    ) -> bool {
        if !self.parsed.borrow().contains_key(expression) {
            // Compiled dictionaries hold canonical, valid expressions; a
            // corrupt one simply never holds.
            let clauses = parse_condition(expression).unwrap_or_default();
            self.parsed
                .borrow_mut()
                .insert(expression.to_string(), clauses);
        }
        let parsed = self.parsed.borrow();
        let clauses = &parsed[expression];
        let asker = Some(segment.offset + candidate.start);
        !clauses.is_empty()
            && clauses.iter().all(|clause| match clause.kind {
                ClauseKind::Requires => clause.phrases.iter().any(|p| self.asked_by(p, asker)),
                ClauseKind::Unless => !clause.phrases.iter().any(|p| self.asked_by(p, asker)),
                ClauseKind::Near(distance) => clause
                    .phrases
                    .iter()
                    .any(|p| near(segment, candidate, p, distance as usize)),
            })
    }

    pub(crate) fn contains(&self, phrase: &str) -> bool {
        if let Some(&known) = self.present.borrow().get(phrase) {
            return known;
        }
        let words: Vec<&str> = phrase.split(' ').collect();
        // The word and n-gram filters cost a pass that writes bits per
        // word; the first few phrases are cheaper to look for directly (a
        // hash compare per word), and most documents ask about only a few.
        let asked = self.scans.get() + 1;
        self.scans.set(asked);
        let first = words
            .first()
            .filter(|w| !w.ends_with('*'))
            .map(|w| WordHash::of(w.as_bytes()));
        let found = (asked <= DIRECT_WORD_SCANS || self.may_contain(&words))
            && (asked <= DIRECT_SCANS || self.may_contain_pairs(&words))
            && self.segments.iter().any(|s| {
                (0..s.tokens.len()).any(|start| {
                    first.is_none_or(|hash| {
                        let hashes = s.hashes[start];
                        hashes.full == hash || words.len() == 1 && hashes.stem == hash
                    }) && phrase_at(s, start, &words)
                })
            });
        self.present.borrow_mut().insert(phrase.to_string(), found);
        found
    }
}

impl ConditionCache<'_, '_> {
    /// Whether every word of a phrase (other than prefixes) may occur in
    /// the document; false means it certainly does not.
    fn may_contain(&self, words: &[&str]) -> bool {
        let bits = self.words.get_or_init(|| {
            let mut bits = vec![0u8; FILTER_LEN];
            for segment in self.segments {
                for hashes in &segment.hashes {
                    for hash in [hashes.stem, hashes.full] {
                        let (index, mask) = hash.bit();
                        bits[index] |= mask;
                    }
                }
            }
            bits
        });
        words.iter().filter(|w| !w.ends_with('*')).all(|word| {
            let (index, mask) = WordHash::of(word.as_bytes()).bit();
            bits[index] & mask != 0
        })
    }

    /// Whether each pair of neighbouring words of a phrase may occur next
    /// to each other in the document; false means they certainly do not.
    fn may_contain_pairs(&self, words: &[&str]) -> bool {
        let bits = self.ngrams.get_or_init(|| {
            // About 16 bits per n-gram (six per word): a short document
            // gets a small filter.
            let words: usize = self.segments.iter().map(|s| s.tokens.len()).sum();
            let size = ((words as u64 * 6 * 16).next_power_of_two()).clamp(1 << 12, MAX_NGRAM_BITS);
            let mut bits = vec![0u8; (size / 8) as usize];
            let shift = 64 - size.trailing_zeros();
            let mut set = |hash: WordHash| {
                let bit = hash.mixed() >> shift;
                bits[(bit / 8) as usize] |= 1 << (bit % 8);
            };
            for segment in self.segments {
                let hashes = &segment.hashes;
                for first in 0..hashes.len() {
                    let mut chain = hashes[first].full;
                    let end = (first + MAX_NGRAM).min(hashes.len());
                    for (next, hash) in hashes.iter().enumerate().take(end).skip(first + 1) {
                        if gap_key(segment.gaps[next - 1]) != Some(b" ") {
                            break;
                        }
                        set(WordHash::pair(chain, false, hash.stem));
                        chain = WordHash::pair(chain, false, hash.full);
                        set(chain);
                    }
                }
            }
            bits
        });
        if words.iter().any(|w| w.ends_with('*')) {
            return true;
        }
        words.windows(words.len().clamp(1, MAX_NGRAM)).all(|run| {
            let Some((first, rest)) = run.split_first() else {
                return true;
            };
            if rest.is_empty() {
                return true;
            }
            let mut chain = WordHash::of(first.as_bytes());
            for word in rest {
                chain = WordHash::pair(chain, false, WordHash::of(word.as_bytes()));
            }
            let size = bits.len() as u64 * 8;
            let bit = chain.mixed() >> (64 - size.trailing_zeros());
            bits[(bit / 8) as usize] & (1 << (bit % 8)) != 0
        })
    }
}

/// The largest n-gram filter: 8 Mi bits, so that even a large document
/// (several n-grams per word) rules out most phrases.
const MAX_NGRAM_BITS: u64 = 1 << 23;
/// The longest n-gram the filter holds.
const MAX_NGRAM: usize = 4;

impl crate::guess::Document for ConditionCache<'_, '_> {
    fn contains(&self, phrase: &str) -> bool {
        self.asked_by(phrase, None)
    }

    fn may_contain_pair(&self, first: &str, second: &str) -> bool {
        self.may_contain_pairs(&[first, second])
    }

    fn words(&self) -> usize {
        self.segments.iter().map(|s| s.tokens.len()).sum()
    }
}

/// Whether `phrase` starts within `distance` words before or after the
/// match, outside it.
fn near(segment: &Segment<'_>, candidate: &Candidate, phrase: &str, distance: usize) -> bool {
    let words: Vec<&str> = phrase.split(' ').collect();
    let from = candidate
        .first_token
        .saturating_sub(distance + words.len() - 1);
    let to = (candidate.last_token + distance).min(segment.tokens.len().saturating_sub(1));
    (from..=to)
        .filter(|&t| t + words.len() <= candidate.first_token || t > candidate.last_token)
        .any(|t| phrase_at(segment, t, &words))
}

/// A phrase that conditions looked for in a document.
#[derive(Clone, Debug)]
pub(crate) struct Asked {
    pub(crate) phrase: String,
    /// Whether the document has it.
    pub(crate) present: bool,
    /// [`ConditionCache`]'s askers of it, in the order they asked.
    pub(crate) askers: Vec<Option<usize>>,
}

/// Whether a normalised phrase occurs in `segment` on a word that
/// overlaps the bytes `span`, or on both sides of it where it is empty.
pub(crate) fn occurs_over(segment: &Segment<'_>, phrase: &str, span: Range<usize>) -> bool {
    let words: Vec<&str> = phrase.split(' ').collect();
    let first = segment.tokens.partition_point(|t| t.end <= span.start);
    let last = segment
        .tokens
        .partition_point(|t| t.start < span.end.max(span.start + 1));
    (first.saturating_sub(words.len().saturating_sub(1))..last)
        .any(|start| phrase_at(segment, start, &words))
}

/// Whether the words of a normalised phrase occur at token `start`.
fn phrase_at(segment: &Segment<'_>, start: usize, words: &[&str]) -> bool {
    words.iter().enumerate().all(|(i, word)| {
        let Some(token) = segment.tokens.get(start + i) else {
            return false;
        };
        if i > 0 && gap_key(segment.gaps[start + i - 1]) != Some(b" ") {
            return false;
        }
        let last = i + 1 == words.len();
        word_matches(&segment.text[token.start..token.end], word)
            || last && word_matches(&segment.text[token.start..token.stem_end], word)
    })
}

/// Whether a word of the text matches a condition word, which may end in
/// `*` to accept any word with that prefix.
fn word_matches(text: &str, word: &str) -> bool {
    let (expected, prefix) = match word.strip_suffix('*') {
        Some(stem) => (stem.as_bytes(), true),
        None => (word.as_bytes(), false),
    };
    let mut at = 0;
    let mut matched = true;
    normalize_word(text, |b| {
        if at == expected.len() {
            // More text than the condition word: fine only for a prefix.
            matched = prefix;
            return false;
        }
        matched = expected[at] == b;
        at += 1;
        matched
    });
    matched && at == expected.len()
}
