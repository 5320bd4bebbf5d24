//! Dictionaries: what despin knows about spun phrases.
//!
//! A [`Dictionary`] is an `fst::Map` from a normalised spun phrase to the
//! index of its first entry, plus a table of entries (original wording,
//! level, optional document condition). Both live in one byte string that is
//! read in place, so the defaults are embedded in the binary and large user
//! dictionaries are memory-mapped, and neither is parsed at start-up.
//!
//! The reviewable TSV form is parsed by [`source`], compiled by [`compiled`]
//! and validated by [`check`].

pub mod check;
pub mod compiled;
pub mod source;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use fst::raw::Fst;

use crate::level::Level;
use compiled::{Layout, Record};
pub use source::{parse_condition, Clause, ClauseKind};

/// The bytes behind a dictionary: embedded, memory-mapped or owned.
///
/// It is cheap to clone, and it can stand for a sub-range of its owner, which
/// is how the `fst::Map` reads its part of a compiled dictionary in place.
#[derive(Clone)]
pub struct Bytes {
    owner: Owner,
    range: Range<usize>,
}

#[derive(Clone)]
enum Owner {
    Static(&'static [u8]),
    Shared(Arc<dyn AsRef<[u8]> + Send + Sync>),
}

impl Bytes {
    /// Bytes that live for the whole program, such as `include_bytes!`.
    pub fn from_static(bytes: &'static [u8]) -> Bytes {
        Bytes {
            range: 0..bytes.len(),
            owner: Owner::Static(bytes),
        }
    }

    /// Shared bytes, such as a memory map (`memmap2::Mmap`) or a `Vec<u8>`.
    pub fn from_shared(owner: Arc<dyn AsRef<[u8]> + Send + Sync>) -> Bytes {
        let len = (*owner).as_ref().len();
        Bytes {
            owner: Owner::Shared(owner),
            range: 0..len,
        }
    }

    fn slice(&self, range: Range<usize>) -> Bytes {
        Bytes {
            owner: self.owner.clone(),
            range: self.range.start + range.start..self.range.start + range.end,
        }
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Bytes {
        Bytes::from_shared(Arc::new(bytes))
    }
}

impl AsRef<[u8]> for Bytes {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        let all: &[u8] = match &self.owner {
            Owner::Static(bytes) => bytes,
            Owner::Shared(owner) => (**owner).as_ref(),
        };
        &all[self.range.clone()]
    }
}

/// Why a dictionary could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    /// A line of a TSV dictionary is malformed or contradicts another.
    #[error("{origin}:{line}: {message}")]
    Line {
        /// The file or source name.
        origin: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
    /// A compiled dictionary is truncated, corrupt or foreign.
    #[error("{origin}: {message}")]
    Compiled {
        /// The file or source name.
        origin: String,
        /// What is wrong with it.
        message: String,
    },
}

/// One entry of a dictionary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The wording to restore, in the dictionary's own case.
    pub original: &'a str,
    /// How sure a repair by this entry is.
    pub level: Level,
    /// The document condition in canonical form (see [`parse_condition`]).
    pub condition: Option<&'a str>,
    /// Bit `i` set: word `i` of the match must be capitalised.
    pub case_mask: u32,
    /// Another entry for the same key follows this one.
    pub(crate) more: bool,
}

/// How far around a match a dictionary's entries read: the most words in
/// a key, and the widest `near:` distance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reach {
    pub(crate) key_words: usize,
    pub(crate) near: usize,
}

impl Reach {
    pub(crate) fn max(self, other: Reach) -> Reach {
        Reach {
            key_words: self.key_words.max(other.key_words),
            near: self.near.max(other.near),
        }
    }
}

/// The reach of every embedded dictionary, which a test checks, so that a
/// repairer over them need not read them all to know it.
const EMBEDDED_REACH: Reach = Reach {
    key_words: 9,
    near: 20,
};

/// A compiled dictionary, read in place.
#[derive(Clone)]
pub struct Dictionary {
    name: String,
    data: Bytes,
    layout: Layout,
    fst: Fst<Bytes>,
}

impl fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dictionary")
            .field("name", &self.name)
            .field("entries", &self.layout.count)
            .finish()
    }
}

impl Dictionary {
    /// The default dictionaries embedded in the binary, in priority order.
    pub fn defaults() -> Vec<Dictionary> {
        crate::embedded::DICTIONARIES
            .iter()
            .map(|&(name, bytes)| {
                // build.rs compiled these bytes and a test verifies them.
                Dictionary::from_compiled(name, name, Bytes::from_static(bytes))
                    .expect("embedded dictionary is valid")
            })
            .collect()
    }

    /// Parses and compiles a TSV dictionary. `origin` names it in errors.
    pub fn from_tsv(name: &str, origin: &str, tsv: &[u8]) -> Result<Dictionary, DictionaryError> {
        let entries = source::parse_tsv(tsv).map_err(|e| DictionaryError::Line {
            origin: origin.to_string(),
            line: e.line,
            message: e.message,
        })?;
        let bytes = compiled::compile(entries).map_err(|e| DictionaryError::Line {
            origin: origin.to_string(),
            line: e.line,
            message: e.message,
        })?;
        Dictionary::from_compiled(name, origin, Bytes::from(bytes))
    }

    /// Reads a compiled dictionary in place. `origin` names it in errors.
    pub fn from_compiled(
        name: &str,
        origin: &str,
        data: Bytes,
    ) -> Result<Dictionary, DictionaryError> {
        let compiled_error = |message: String| DictionaryError::Compiled {
            origin: origin.to_string(),
            message,
        };
        let layout = Layout::read(data.as_ref()).map_err(compiled_error)?;
        let fst = Fst::new(data.slice(layout.fst.clone()))
            .map_err(|e| compiled_error(format!("corrupt phrase index: {e}")))?;
        let dictionary = Dictionary {
            name: name.to_string(),
            data,
            layout,
            fst,
        };
        Ok(dictionary)
    }

    /// How far around a match its entries read.
    pub(crate) fn reach(&self) -> Reach {
        let embedded = crate::embedded::DICTIONARIES
            .iter()
            .any(|&(_, bytes)| std::ptr::eq(bytes.as_ptr(), self.data.as_ref().as_ptr()));
        if embedded {
            EMBEDDED_REACH
        } else {
            self.measured_reach()
        }
    }

    /// [`Dictionary::reach`], read from every key and condition.
    fn measured_reach(&self) -> Reach {
        let mut reach = Reach::default();
        for (key, first) in self.keys() {
            reach.key_words = reach
                .key_words
                .max(crate::text::tokenize::tokens(&key).count());
            let conditions = self.entries_from(first).filter_map(|(_, e)| e.condition);
            for clause in conditions.flat_map(|c| parse_condition(c).unwrap_or_default()) {
                if let ClauseKind::Near(distance) = clause.kind {
                    reach.near = reach.near.max(distance as usize);
                }
            }
        }
        reach
    }

    /// Checks the phrase index against its checksum, reading every byte:
    /// a corrupt index would make look-ups panic, while entry ids that
    /// point past the table are refused at look-up ([`Dictionary::entry`]).
    pub fn verify_index(&self) -> Result<(), DictionaryError> {
        self.fst.verify().map_err(|e| DictionaryError::Compiled {
            origin: self.name.clone(),
            message: format!("corrupt phrase index: {e}"),
        })
    }

    /// Checks the phrase index against its checksum and every key's entry
    /// id against the table.
    pub fn verify(&self) -> Result<(), DictionaryError> {
        self.verify_index()?;
        let count = self.layout.count as u64;
        let mut stream = self.keys();
        for (key, first) in stream.by_ref() {
            if first >= count {
                return Err(DictionaryError::Compiled {
                    origin: self.name.clone(),
                    message: format!("key {key:?} points past the entry table"),
                });
            }
        }
        Ok(())
    }

    /// The dictionary's name, shown in reports ("science", "news", a file stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.layout.count
    }

    /// Whether the dictionary has no entries.
    pub fn is_empty(&self) -> bool {
        self.layout.count == 0
    }

    /// Number of distinct spun phrases.
    pub fn key_count(&self) -> usize {
        self.fst.len()
    }

    /// The phrase index, for matching.
    pub(crate) fn fst(&self) -> &Fst<Bytes> {
        &self.fst
    }

    /// The key filters (see `compiled::FILTER_LEN`).
    pub(crate) fn key_filters(&self) -> &[u8] {
        &self.data.as_ref()[self.layout.filter.clone()]
    }

    /// Entry `id`, or `None` when `id` is out of range.
    pub fn entry(&self, id: u64) -> Option<Entry<'_>> {
        let index = usize::try_from(id)
            .ok()
            .filter(|&i| i < self.layout.count)?;
        let bytes = self.data.as_ref();
        let record: Record = self.layout.record(bytes, index);
        let strings = &bytes[self.layout.strings.clone()];
        // Layout::read checked every record's ranges and the blob's UTF-8.
        let text = |range: Range<usize>| std::str::from_utf8(&strings[range]).unwrap_or("");
        let condition = (record.condition_kind == 1).then(|| text(record.condition.clone()));
        Some(Entry {
            original: text(record.original),
            level: Level::from_byte(record.level).unwrap_or(Level::Suggest),
            condition,
            case_mask: record.case_mask,
            more: record.more,
        })
    }

    /// The entries stored for one key, starting at the id the index gives.
    pub fn entries_from(&self, first: u64) -> EntriesFrom<'_> {
        EntriesFrom {
            dictionary: self,
            next: Some(first),
        }
    }

    /// Looks a phrase up after normalising it as the matcher would.
    pub fn lookup(&self, phrase: &str) -> Vec<(u64, Entry<'_>)> {
        let key = crate::text::tokenize::normalize_phrase(phrase);
        let map = fst::Map::from(self.fst.clone());
        match map.get(key.as_bytes()) {
            Some(first) => self.entries_from(first).collect(),
            None => Vec::new(),
        }
    }

    /// Every key with the id of its first entry, in sorted order.
    pub fn keys(&self) -> impl Iterator<Item = (String, u64)> + '_ {
        use fst::{IntoStreamer, Streamer};
        let map = fst::Map::from(self.fst.clone());
        let mut stream = map.into_stream();
        let mut all = Vec::new();
        while let Some((key, value)) = stream.next() {
            all.push((String::from_utf8_lossy(key).into_owned(), value));
        }
        all.into_iter()
    }

    /// Keys within `distance` edits of `phrase`, for "did you mean" answers.
    pub fn near_keys(&self, phrase: &str, distance: u32) -> Vec<String> {
        use fst::{IntoStreamer, Streamer};
        let key = crate::text::tokenize::normalize_phrase(phrase);
        let Ok(automaton) = fst::automaton::Levenshtein::new(&key, distance) else {
            return Vec::new();
        };
        let map = fst::Map::from(self.fst.clone());
        let mut stream = map.search(automaton).into_stream();
        let mut found = Vec::new();
        while let Some((k, _)) = stream.next() {
            found.push(String::from_utf8_lossy(k).into_owned());
        }
        found.sort_by(|a, b| {
            strsim::jaro_winkler(b, &key)
                .partial_cmp(&strsim::jaro_winkler(a, &key))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        found
    }
}

/// Iterator over the entries of one key; see [`Dictionary::entries_from`].
pub struct EntriesFrom<'a> {
    dictionary: &'a Dictionary,
    next: Option<u64>,
}

impl<'a> Iterator for EntriesFrom<'a> {
    type Item = (u64, Entry<'a>);

    fn next(&mut self) -> Option<(u64, Entry<'a>)> {
        let id = self.next.take()?;
        let entry = self.dictionary.entry(id)?;
        if entry.more {
            self.next = Some(id + 1);
        }
        Some((id, entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_dictionaries_reach_no_further_than_said() {
        for dictionary in Dictionary::defaults() {
            let measured = dictionary.measured_reach();
            assert_eq!(dictionary.reach(), EMBEDDED_REACH);
            assert_eq!(
                measured.max(EMBEDDED_REACH),
                EMBEDDED_REACH,
                "{}",
                dictionary.name()
            );
        }
        let tsv = b"one two three four five six seven eight nine ten eleven\tx\tsure\tnear:y~40\n";
        let user = Dictionary::from_tsv("user", "user.tsv", tsv).unwrap();
        assert_eq!(
            user.reach(),
            Reach {
                key_words: 11,
                near: 40
            }
        );
    }

    #[test]
    fn embedded_dictionaries_are_valid() {
        let defaults = Dictionary::defaults();
        assert!(!defaults.is_empty());
        for dictionary in &defaults {
            dictionary.verify().unwrap();
            assert!(!dictionary.is_empty(), "{} is empty", dictionary.name());
        }
    }

    #[test]
    fn lookup_finds_all_entries_of_a_key() {
        let tsv = b"profound learning\tdeep learning\tsure\tif:deep learning\nprofound learning\tdeep learning\tsuggest\n";
        let dictionary = Dictionary::from_tsv("t", "t.tsv", tsv).unwrap();
        let found = dictionary.lookup("Profound  Learning");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].1.level, Level::Sure);
        assert_eq!(found[0].1.condition, Some("if:deep learning"));
        assert_eq!(found[1].1.condition, None);
    }

    #[test]
    fn conflicting_lines_are_an_error_naming_the_line() {
        let err = Dictionary::from_tsv("t", "t.tsv", b"a b\tc\tsure\na b\td\tsure\n").unwrap_err();
        assert!(err.to_string().starts_with("t.tsv:2: "), "{err}");
    }

    #[test]
    fn truncated_compiled_dictionary_is_an_error() {
        let entries = source::parse_tsv(b"a b\tc\tsure\n").unwrap();
        let bytes = compiled::compile(entries).unwrap();
        for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            let err = Dictionary::from_compiled("t", "t.fst", Bytes::from(bytes[..cut].to_vec()))
                .unwrap_err();
            assert!(err.to_string().starts_with("t.fst: "), "{err}");
        }
    }

    #[test]
    fn a_corrupt_entry_record_is_an_error_naming_it() {
        let entries = source::parse_tsv(b"a b\tc\tsure\nd e\tf\tlikely\n").unwrap();
        let bytes = compiled::compile(entries).unwrap();
        let layout = Layout::read(&bytes).unwrap();
        let second = layout.records.start + compiled::RECORD_LEN;
        let corrupt = |at: usize, value: u8| {
            let mut bytes = bytes.clone();
            bytes[at] = value;
            Dictionary::from_compiled("t", "t.fst", Bytes::from(bytes))
                .unwrap_err()
                .to_string()
        };
        // An unknown level, an original past the strings, an unknown
        // condition kind.
        for (at, value) in [(second + 18, 9), (second + 4, 0xff), (second + 19, 0xff)] {
            let message = corrupt(at, value);
            assert!(
                message.starts_with("t.fst: ") && message.contains("corrupt entry record 1"),
                "{message}"
            );
        }
    }

    #[test]
    fn an_original_that_splits_a_character_is_an_error() {
        // Non-ASCII strings: an original one byte longer than written ends
        // inside "é" of the next string.
        let entries = source::parse_tsv("a b\tcafé\tsure\nd e\tcrème\tsure\n".as_bytes()).unwrap();
        let bytes = compiled::compile(entries).unwrap();
        let layout = Layout::read(&bytes).unwrap();
        let dictionary =
            Dictionary::from_compiled("t", "t.fst", Bytes::from(bytes.clone())).unwrap();
        let (id, entry) = dictionary.lookup("d e").pop().unwrap();
        assert_eq!(entry.original, "crème");
        let at = layout.records.start + id as usize * compiled::RECORD_LEN;
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let (offset, len) = (u32_at(at), u32_at(at + 4));
        // Starting one byte into "è" (c, r, then two bytes).
        let mut broken = bytes.clone();
        broken[at..at + 4].copy_from_slice(&(offset + 3).to_le_bytes());
        broken[at + 4..at + 8].copy_from_slice(&(len - 3).to_le_bytes());
        let message = Dictionary::from_compiled("t", "t.fst", Bytes::from(broken))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(&format!("corrupt entry record {id}")),
            "{message}"
        );
    }
}
