//! The compiled, load-for-free form of a dictionary.
//!
//! A compiled dictionary is one byte string: a header, key filters,
//! an `fst::Map` from normalised spun phrase to the index of its first
//! entry, a table of fixed-size entry records, and a blob of UTF-8 strings
//! the records point into. Nothing is parsed on load beyond the header, so the same bytes can
//! be embedded with `include_bytes!` or memory-mapped from a `.fst` file.
//!
//! Several entries may share one key (an entry with a document condition and
//! a fallback without one): they are stored next to each other, and each
//! record says whether another one for the same key follows.
//!
//! This module uses only `std` and `fst` because `build.rs` compiles it too.

use std::collections::HashMap;
use std::ops::Range;

use crate::dictionary::source::{LineError, SourceEntry};
use crate::level::Level;
use crate::text::hash::WordHash;

/// Identifies the format, so a random file is refused with a clear message.
pub const MAGIC: &[u8; 8] = b"DSPNDICT";
/// Bumped whenever the layout or the filter hash changes.
pub const VERSION: u32 = 5;
const HEADER_LEN: usize = 40;
/// Size of each of the five key filters. Together they let the matcher
/// skip, after a few bit tests, the words that start no key: bit sets
/// indexed by a hash of single-word keys, of the first word of longer keys,
/// of their first two words, of whole two-word keys, and of the first three
/// words of longer keys. Most words of a text ("the", "of") start no key,
/// and most that do ("in the") start them only with a few next words.
pub use crate::text::hash::FILTER_LEN;
/// The five filters, one after the other.
pub const FILTERS_LEN: usize = 5 * FILTER_LEN;
/// Offsets of the single-word, first-word, first-pair, two-word-key and
/// first-triple filters.
pub const SINGLE_FILTER: usize = 0;
/// Offset of the first-word filter.
pub const FIRST_FILTER: usize = FILTER_LEN;
/// Offset of the first-pair filter.
pub const PAIR_FILTER: usize = 2 * FILTER_LEN;
/// Offset of the two-word-key filter.
pub const PAIR_KEY_FILTER: usize = 3 * FILTER_LEN;
/// Offset of the first-triple filter.
pub const TRIPLE_FILTER: usize = 4 * FILTER_LEN;

fn set_bit(filter: &mut [u8], hash: WordHash) {
    let (index, mask) = hash.bit();
    filter[index] |= mask;
}

/// Sets the filter bits of one key.
fn add_to_filters(filters: &mut [u8], key: &str) {
    // The key's words, each with whether ", " (not " ") comes before it.
    let mut words: Vec<(bool, WordHash)> = Vec::with_capacity(4);
    let mut comma = false;
    for part in key.split(' ') {
        match part.strip_suffix(',') {
            Some(word) => {
                words.push((comma, WordHash::of(word.as_bytes())));
                comma = true;
            }
            None => {
                words.push((comma, WordHash::of(part.as_bytes())));
                comma = false;
            }
        }
    }
    let filter = |offset: usize| offset..offset + FILTER_LEN;
    let (_, first) = words[0];
    if words.len() == 1 {
        set_bit(&mut filters[filter(SINGLE_FILTER)], first);
        return;
    }
    set_bit(&mut filters[filter(FIRST_FILTER)], first);
    let (comma, second) = words[1];
    let pair = WordHash::pair(first, comma, second);
    set_bit(&mut filters[filter(PAIR_FILTER)], pair);
    match words.get(2) {
        None => set_bit(&mut filters[filter(PAIR_KEY_FILTER)], pair),
        Some(&(comma, third)) => set_bit(
            &mut filters[filter(TRIPLE_FILTER)],
            WordHash::pair(pair, comma, third),
        ),
    }
}

/// Size of one entry record.
pub const RECORD_LEN: usize = 20;

const FLAG_MORE: u8 = 1;
const CONDITION_SHIFT: u8 = 1;
const CONDITION_MASK: u8 = 0b110;

/// Sorts entries into their compiled order and drops exact duplicates.
///
/// Entries that share a key are ordered with conditional ones first, so that
/// a specific rule is tried before its fallback. Two entries with the same
/// key and condition but a different original or level are an error: the
/// dictionary would not say what to do.
pub fn canonicalize(mut entries: Vec<SourceEntry>) -> Result<Vec<SourceEntry>, LineError> {
    // Within a key: conditional entries first, then case-specific ones, so
    // that the most specific rule is tried before its fallback.
    entries.sort_by(|a, b| {
        (
            &a.key,
            a.condition.is_none(),
            &a.condition,
            a.case_mask == 0,
            a.case_mask,
            a.line,
        )
            .cmp(&(
                &b.key,
                b.condition.is_none(),
                &b.condition,
                b.case_mask == 0,
                b.case_mask,
                b.line,
            ))
    });
    let mut out: Vec<SourceEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        if let Some(previous) = out.last() {
            if previous.key == entry.key
                && previous.condition == entry.condition
                && previous.case_mask == entry.case_mask
            {
                if previous.original == entry.original && previous.level == entry.level {
                    continue;
                }
                return Err(LineError {
                    line: entry.line,
                    message: format!(
                        "{:?} is mapped to {:?} ({}) here but to {:?} ({}) on line {}",
                        entry.spun,
                        entry.original,
                        entry.level,
                        previous.original,
                        previous.level,
                        previous.line
                    ),
                });
            }
        }
        out.push(entry);
    }
    Ok(out)
}

/// Compiles parsed entries into the byte form read by [`Layout`].
pub fn compile(entries: Vec<SourceEntry>) -> Result<Vec<u8>, LineError> {
    let entries = canonicalize(entries)?;
    if entries.len() > u32::MAX as usize {
        return Err(LineError {
            line: 0,
            message: "too many entries".into(),
        });
    }
    let mut strings = String::new();
    let mut interned: HashMap<String, (u32, u32)> = HashMap::new();
    let mut intern = |s: &str, strings: &mut String| -> (u32, u32) {
        if let Some(&span) = interned.get(s) {
            return span;
        }
        let span = (strings.len() as u32, s.len() as u32);
        strings.push_str(s);
        interned.insert(s.to_string(), span);
        span
    };
    let mut records = Vec::with_capacity(entries.len() * RECORD_LEN);
    let mut filter = vec![0u8; FILTERS_LEN];
    let mut builder = fst::MapBuilder::memory();
    for (index, entry) in entries.iter().enumerate() {
        let first_of_key = index == 0 || entries[index - 1].key != entry.key;
        if first_of_key {
            add_to_filters(&mut filter, &entry.key);
            builder
                .insert(&entry.key, index as u64)
                .map_err(|e| LineError {
                    line: entry.line,
                    message: e.to_string(),
                })?;
        }
        let more = entries
            .get(index + 1)
            .is_some_and(|next| next.key == entry.key);
        let (original_offset, original_len) = intern(&entry.original, &mut strings);
        let (kind, (condition_offset, condition_len)) = match &entry.condition {
            None => (0u8, (0, 0)),
            Some(expression) => (1, intern(expression, &mut strings)),
        };
        if condition_len > u16::MAX as u32 {
            return Err(LineError {
                line: entry.line,
                message: "condition phrase is too long".into(),
            });
        }
        let flags = (more as u8) | (kind << CONDITION_SHIFT);
        records.extend_from_slice(&original_offset.to_le_bytes());
        records.extend_from_slice(&original_len.to_le_bytes());
        records.extend_from_slice(&condition_offset.to_le_bytes());
        records.extend_from_slice(&entry.case_mask.to_le_bytes());
        records.extend_from_slice(&(condition_len as u16).to_le_bytes());
        records.push(entry.level.to_byte());
        records.push(flags);
    }
    let fst_bytes = builder.into_inner().map_err(|e| LineError {
        line: 0,
        message: e.to_string(),
    })?;
    let mut out = Vec::with_capacity(
        HEADER_LEN + FILTERS_LEN + fst_bytes.len() + records.len() + strings.len(),
    );
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(fst_bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    out.extend_from_slice(&(strings.len() as u64).to_le_bytes());
    out.extend_from_slice(&filter);
    out.extend_from_slice(&fst_bytes);
    out.extend_from_slice(&records);
    out.extend_from_slice(strings.as_bytes());
    Ok(out)
}

/// Where the parts of a compiled dictionary lie in its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The key filters.
    pub filter: Range<usize>,
    /// The `fst::Map` from key to first record.
    pub fst: Range<usize>,
    /// The fixed-size entry records.
    pub records: Range<usize>,
    /// The UTF-8 strings the records point into.
    pub strings: Range<usize>,
    /// Number of entry records.
    pub count: usize,
}

fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

impl Layout {
    /// Reads and checks the header and the entry table.
    ///
    /// The error says what is wrong and at which byte offset, so a truncated
    /// or foreign file is reported instead of crashing a run later.
    pub fn read(bytes: &[u8]) -> Result<Layout, String> {
        if bytes.len() < HEADER_LEN {
            return Err(format!(
                "truncated: {} bytes, shorter than the {HEADER_LEN}-byte header",
                bytes.len()
            ));
        }
        if &bytes[..8] != MAGIC {
            return Err("not a compiled despin dictionary (bad magic at offset 0)".into());
        }
        let version = read_u32(bytes, 8);
        if version != VERSION {
            return Err(format!(
                "format version {version} at offset 8, expected {VERSION}; \
                 compile it again from its source with `despin dict compile`"
            ));
        }
        let fst_len = read_u64(bytes, 16);
        let count = read_u64(bytes, 24);
        let strings_len = read_u64(bytes, 32);
        let expected = (HEADER_LEN as u128)
            + FILTERS_LEN as u128
            + fst_len as u128
            + count as u128 * RECORD_LEN as u128
            + strings_len as u128;
        if expected != bytes.len() as u128 {
            return Err(format!(
                "truncated or corrupt: the header describes {expected} bytes, the file has {}",
                bytes.len()
            ));
        }
        let filter = HEADER_LEN..HEADER_LEN + FILTERS_LEN;
        let fst = filter.end..filter.end + fst_len as usize;
        let records = fst.end..fst.end + count as usize * RECORD_LEN;
        let strings = records.end..bytes.len();
        let layout = Layout {
            filter,
            fst,
            records,
            strings,
            count: count as usize,
        };
        layout.check_records(bytes)?;
        Ok(layout)
    }

    fn check_records(&self, bytes: &[u8]) -> Result<(), String> {
        let strings = std::str::from_utf8(&bytes[self.strings.clone()]).map_err(|e| {
            format!(
                "invalid UTF-8 at offset {}",
                self.strings.start + e.valid_up_to()
            )
        })?;
        // One pass over the fixed-size records, with integer tests only:
        // a million-entry dictionary is checked in a few milliseconds. In
        // an ASCII blob (the usual case) every offset is a character
        // boundary, which halves the work.
        let ascii = strings.is_ascii();
        let fits = |offset: usize, len: usize| {
            offset
                .checked_add(len)
                .is_some_and(|end| end <= strings.len())
                && (ascii
                    || strings.is_char_boundary(offset) && strings.is_char_boundary(offset + len))
        };
        let table = &bytes[self.records.clone()];
        for (index, raw) in table.chunks_exact(RECORD_LEN).enumerate() {
            let u32_at = |at: usize| {
                u32::from_le_bytes([raw[at], raw[at + 1], raw[at + 2], raw[at + 3]]) as usize
            };
            let condition_len = u16::from_le_bytes([raw[16], raw[17]]) as usize;
            let ok = Level::from_byte(raw[18]).is_some()
                && (raw[19] & CONDITION_MASK) >> CONDITION_SHIFT <= 1
                && fits(u32_at(0), u32_at(4))
                && fits(u32_at(8), condition_len);
            if !ok {
                let at = self.records.start + index * RECORD_LEN;
                return Err(format!("corrupt entry record {index} at offset {at}"));
            }
        }
        Ok(())
    }

    /// Decodes record `index`. The caller keeps `index < count`.
    pub fn record(&self, bytes: &[u8], index: usize) -> Record {
        let at = self.records.start + index * RECORD_LEN;
        let original_offset = read_u32(bytes, at) as usize;
        let original_len = read_u32(bytes, at + 4) as usize;
        let condition_offset = read_u32(bytes, at + 8) as usize;
        let case_mask = read_u32(bytes, at + 12);
        let condition_len = u16::from_le_bytes([bytes[at + 16], bytes[at + 17]]) as usize;
        let level = bytes[at + 18];
        let flags = bytes[at + 19];
        Record {
            original: original_offset..original_offset + original_len,
            condition: condition_offset..condition_offset + condition_len,
            condition_kind: (flags & CONDITION_MASK) >> CONDITION_SHIFT,
            case_mask,
            level,
            more: flags & FLAG_MORE != 0,
        }
    }
}

/// One decoded entry record; ranges index the strings blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The original wording.
    pub original: Range<usize>,
    /// The condition, empty for none.
    pub condition: Range<usize>,
    /// 0: none, 1: a condition expression.
    pub condition_kind: u8,
    /// Which words of the key must be capitalised ([`SourceEntry::case_mask`]).
    pub case_mask: u32,
    /// The level's code ([`Level`] in confidence order).
    pub level: u8,
    /// Another record for the same key follows.
    pub more: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::hash::WordHasher;
    use proptest::prelude::*;

    proptest! {
        /// The indexer hashes a word in blocks of up to eight bytes, the
        /// slow paths a byte at a time, and key filters from whole keys:
        /// all three must agree, or the filters would drop real matches.
        #[test]
        fn hashing_in_blocks_agrees_with_hashing_bytes(
            word in prop::collection::vec(1u8..=255, 0..40),
            cuts in prop::collection::vec(1usize..=8, 0..10),
        ) {
            let mut hasher = WordHasher::default();
            let mut rest = &word[..];
            for cut in cuts {
                let (chunk, after) = rest.split_at(cut.min(rest.len()));
                let mut block = [0u8; 8];
                block[..chunk.len()].copy_from_slice(chunk);
                hasher.push_chunk(u64::from_le_bytes(block), chunk.len() as u32);
                rest = after;
            }
            rest.iter().for_each(|&b| hasher.push(b));
            prop_assert_eq!(hasher.finish(), WordHash::of(&word));
        }

        #[test]
        fn words_that_differ_hash_apart_in_their_first_block(
            a in "[a-z]{1,8}",
            b in "[a-z]{1,8}",
        ) {
            prop_assume!(a != b);
            prop_assert_ne!(WordHash::of(a.as_bytes()), WordHash::of(b.as_bytes()));
        }
    }
}
