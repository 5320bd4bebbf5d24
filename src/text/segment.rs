//! One valid UTF-8 run of the input, indexed for matching in a single pass.
//!
//! Every later stage asks the same questions of each word: where it starts
//! and ends, what separates it from the next, and its filter hash. Most
//! English is ASCII words separated by single spaces, so one loop answers
//! all three for such words at once, reading each byte once, and hands
//! anything unusual (apostrophes, non-ASCII letters, punctuation between
//! words) to the general tokenizer, which defines the rules. The index
//! buffers are large and every chunk of a stream needs them again, so a
//! thread keeps the buffers of its dropped segments for the next one
//! instead of returning fresh pages to the allocator each time.

use std::cell::RefCell;

use crate::text::hash::{WordHash, WordHasher};
use crate::text::tokenize::{
    classify_gap, normalize_word, tokens_from, Gap, Token, ASCII_WORD_LOWER,
};

/// A token's filter hashes: of its normalised stem, and of the whole word
/// (the same when it has no possessive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordHashes {
    pub stem: WordHash,
    pub full: WordHash,
}

impl WordHashes {
    /// Hashes a token the slow, general way.
    pub fn of(text: &str, token: Token) -> WordHashes {
        let mut hasher = WordHasher::default();
        normalize_word(&text[token.start..token.stem_end], |b| {
            hasher.push(b);
            true
        });
        let stem = hasher.finish();
        if token.has_possessive() {
            normalize_word(&text[token.stem_end..token.end], |b| {
                hasher.push(b);
                true
            });
        }
        WordHashes {
            stem,
            full: hasher.finish(),
        }
    }
}

/// One valid UTF-8 run of the input, tokenized.
pub(crate) struct Segment<'a> {
    /// Byte offset of the run in the input.
    pub(crate) offset: usize,
    pub(crate) text: &'a str,
    pub(crate) tokens: Vec<Token>,
    /// `gaps[i]` separates `tokens[i]` and `tokens[i + 1]`.
    pub(crate) gaps: Vec<Gap>,
    /// Filter hashes of each token.
    pub(crate) hashes: Vec<WordHashes>,
    /// The tokens that may be capitalised (their first byte is an ASCII
    /// capital or not ASCII), in order: the name pass looks only at these.
    pub(crate) capitals: Vec<usize>,
}

/// Index buffers kept for reuse, per thread.
#[derive(Debug, Default, PartialEq)]
struct Buffers {
    tokens: Vec<Token>,
    gaps: Vec<Gap>,
    hashes: Vec<WordHashes>,
    capitals: Vec<usize>,
}

thread_local! {
    static SPARE: RefCell<Vec<Buffers>> = const { RefCell::new(Vec::new()) };
}

/// The most buffer sets a thread keeps: one document rarely has more
/// segments, and each set is only as large as the largest segment seen.
const SPARE_SETS: usize = 2;

impl<'a> Segment<'a> {
    /// Indexes `text`, found at byte `offset` of the input.
    pub(crate) fn new(offset: usize, text: &'a str) -> Segment<'a> {
        let mut buffers = SPARE
            .with(|spare| spare.borrow_mut().pop())
            .unwrap_or_default();
        buffers.clear();
        // About one word per six bytes of prose.
        let expected = text.len() / 5 + 1;
        buffers.tokens.reserve(expected);
        buffers.gaps.reserve(expected);
        buffers.hashes.reserve(expected);
        buffers.index(text);
        let Buffers {
            tokens,
            gaps,
            hashes,
            capitals,
        } = buffers;
        Segment {
            offset,
            text,
            tokens,
            gaps,
            hashes,
            capitals,
        }
    }
}

impl Drop for Segment<'_> {
    fn drop(&mut self) {
        let buffers = Buffers {
            tokens: std::mem::take(&mut self.tokens),
            gaps: std::mem::take(&mut self.gaps),
            hashes: std::mem::take(&mut self.hashes),
            capitals: std::mem::take(&mut self.capitals),
        };
        // A thread that is shutting down has no spare list any more; the
        // buffers are then simply freed.
        let _ = SPARE.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            if spare.len() < SPARE_SETS {
                spare.push(buffers);
            }
        });
    }
}

impl Buffers {
    fn clear(&mut self) {
        self.tokens.clear();
        self.gaps.clear();
        self.hashes.clear();
        self.capitals.clear();
    }

    #[inline]
    fn push(&mut self, text: &str, token: Token, hashes: WordHashes) {
        let first = text.as_bytes()[token.start];
        if first >= 0x80 || first.is_ascii_uppercase() {
            self.capitals.push(self.tokens.len());
        }
        self.tokens.push(token);
        self.hashes.push(hashes);
    }

    /// Appends the tokens of `text`, the gaps between them and their
    /// hashes.
    ///
    /// Agrees exactly with [`crate::text::tokenize::tokens`], [`classify_gap`]
    /// and [`WordHashes::of`]; the fast path only covers cases where the
    /// general rules have nothing to decide.
    fn index(&mut self, text: &str) {
        index(text, self)
    }
}

fn index(text: &str, out: &mut Buffers) {
    let bytes = text.as_bytes();
    // Where the previous word ended (or 0 before the first).
    let mut pos = 0;
    loop {
        // The next word's start: after a gap of ASCII bytes that are not
        // word bytes (which the tokenizer skips), or wherever the tokenizer
        // finds it. A single space, the most common gap, is tested first.
        let start = if out.tokens.is_empty() {
            None
        } else if pos + 1 < bytes.len()
            && bytes[pos] == b' '
            && ASCII_WORD_LOWER[bytes[pos + 1] as usize] != 0
        {
            out.gaps.push(Gap::Space);
            Some(pos + 1)
        } else {
            let mut next = pos;
            while next < bytes.len()
                && bytes[next] < 0x80
                && ASCII_WORD_LOWER[bytes[next] as usize] == 0
            {
                next += 1;
            }
            if next == bytes.len() {
                return;
            }
            (bytes[next] < 0x80).then(|| {
                out.gaps.push(classify_gap(&text[pos..next]));
                next
            })
        };
        let Some(start) = start else {
            let Some(token) = tokens_from(text, pos).next() else {
                return;
            };
            if !out.tokens.is_empty() {
                out.gaps.push(classify_gap(&text[pos..token.start]));
            }
            out.push(text, token, WordHashes::of(text, token));
            pos = token.end;
            continue;
        };
        // The word: ASCII word bytes, lowercased and hashed as they are
        // read, eight at a time while eight bytes are left.
        let mut hasher = WordHasher::default();
        let mut end = start;
        // The byte after the word, if any: taken from the last chunk read.
        let after = loop {
            let Some(chunk) = bytes.get(end..end + 8) else {
                while let Some(&b) = bytes.get(end) {
                    let lower = ASCII_WORD_LOWER[b as usize];
                    if lower == 0 {
                        break;
                    }
                    hasher.push(lower);
                    end += 1;
                }
                break bytes.get(end).copied();
            };
            let chunk = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            let (lower, len) = ascii_word_prefix(chunk);
            hasher.push_chunk(lower, len);
            end += len as usize;
            if len < 8 {
                break Some((chunk >> (8 * len)) as u8);
            }
        };
        if after.is_some_and(|b| b == b'\'' || b >= 0x80) {
            // The word may go on (an apostrophe, a non-ASCII letter).
            let token = tokens_from(text, start).next().expect("a word starts here");
            out.push(text, token, WordHashes::of(text, token));
            pos = token.end;
        } else {
            let token = Token {
                start,
                end,
                stem_end: end,
            };
            let hash = hasher.finish();
            let hashes = WordHashes {
                stem: hash,
                full: hash,
            };
            out.push(text, token, hashes);
            pos = end;
        }
    }
}

/// The ASCII word bytes (letters, digits, `_`) at the start of eight
/// little-endian bytes: those bytes lowercased, the rest zero, and their
/// number. A byte-parallel form of [`ASCII_WORD_LOWER`].
#[inline]
fn ascii_word_prefix(chunk: u64) -> (u64, u32) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // With the high bit clear, adding a byte constant never carries into
    // the next byte; the high bit of the sum says how the byte compares.
    let ascii = !chunk & HIGH;
    let low = chunk & !HIGH;
    let at_least = |x: u64, bound: u8| x + ONES * u64::from(0x80 - bound);
    let above = |x: u64, bound: u8| x + ONES * u64::from(0x7F - bound);
    let in_range = |x: u64, from: u8, to: u8| at_least(x, from) & !above(x, to) & HIGH;
    let folded = low | (ONES * 0x20);
    let letters = in_range(folded, b'a', b'z') & ascii;
    let digits = in_range(low, b'0', b'9') & ascii;
    let underscore = !((low ^ (ONES * u64::from(b'_'))) + !HIGH) & ascii;
    let word = letters | digits | underscore;
    let stops = !word & HIGH;
    let len = stops.trailing_zeros() / 8;
    // The bytes before the first stop: the stop's high bit moved to the
    // byte's low bit, less one (all ones when there is no stop).
    let kept = ((stops & stops.wrapping_neg()) >> 7).wrapping_sub(1);
    ((chunk | (letters >> 2)) & kept, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize::tokens as tokenize;
    use proptest::prelude::*;

    /// The index built the slow way, one rule at a time.
    fn reference(text: &str) -> Buffers {
        let tokens: Vec<Token> = tokenize(text).collect();
        let gaps = tokens
            .windows(2)
            .map(|pair| classify_gap(&text[pair[0].end..pair[1].start]))
            .collect();
        let hashes = tokens.iter().map(|&t| WordHashes::of(text, t)).collect();
        let capitals = (0..tokens.len())
            .filter(|&i| {
                let first = text.as_bytes()[tokens[i].start];
                first >= 0x80 || first.is_ascii_uppercase()
            })
            .collect();
        Buffers {
            tokens,
            gaps,
            hashes,
            capitals,
        }
    }

    fn indexed(text: &str) -> Buffers {
        let segment = Segment::new(0, text);
        Buffers {
            tokens: segment.tokens.clone(),
            gaps: segment.gaps.clone(),
            hashes: segment.hashes.clone(),
            capitals: segment.capitals.clone(),
        }
    }

    #[test]
    fn agrees_with_the_tokenizer_on_awkward_text() {
        for text in [
            "",
            " ",
            "one",
            " lead",
            "trail ",
            "a b  c\td\ne\n\nf",
            "China's don't 'quoted' rock'n'roll",
            "café naïve Zoë’s",
            "well-known, state-of-the-art; x_y 7 days",
            "a 'b",
            "a ' b",
            "ends with apostrophe'",
            "İstanbul nai\u{308}ve",
        ] {
            assert_eq!(indexed(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn reused_buffers_start_empty() {
        drop(Segment::new(0, "many words in the first segment"));
        let second = Segment::new(0, "two words");
        assert_eq!(second.tokens.len(), 2);
        assert_eq!(second.gaps.len(), 1);
        assert_eq!(second.hashes.len(), 2);
    }

    proptest! {
        #[test]
        fn agrees_with_the_tokenizer(text in "[a-zA-Z0-9 ,.;:!?()\"'’\\-\n\r\té_]{0,60}") {
            prop_assert_eq!(indexed(&text), reference(&text));
        }

        #[test]
        fn word_prefix_agrees_with_the_table(
            chunk in prop::array::uniform8(prop_oneof![
                any::<u8>(),
                prop::sample::select(b"09AZaz_@[`{/:'- ".to_vec()),
            ])
        ) {
            let len = chunk.iter().position(|&b| ASCII_WORD_LOWER[b as usize] == 0).unwrap_or(8);
            let mut lower = [0u8; 8];
            for i in 0..len {
                lower[i] = ASCII_WORD_LOWER[chunk[i] as usize];
            }
            let (got, got_len) = ascii_word_prefix(u64::from_le_bytes(chunk));
            prop_assert_eq!(got_len as usize, len);
            prop_assert_eq!(got, u64::from_le_bytes(lower));
            let one_by_one = WordHash::of(&lower[..len]);
            let mut at_once = WordHasher::default();
            at_once.push_chunk(got, got_len);
            prop_assert_eq!(at_once.finish(), one_by_one);
        }

        #[test]
        fn agrees_with_the_tokenizer_on_any_text(text in "\\PC{0,40}") {
            prop_assert_eq!(indexed(&text), reference(&text));
        }
    }
}
