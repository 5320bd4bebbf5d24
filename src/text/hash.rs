//! The word hash that every filter and table of despin is keyed by.
//!
//! Dictionaries, the guess model and the name rules each keep bit sets of
//! words and pairs of words, and the text is hashed once per word to test
//! them all (`text::segment`). So the hash and the filter geometry live
//! with the text they hash. This module uses only `std` because `build.rs`
//! compiles it too.

/// Bytes of a word filter: the size that [`WordHash::bit`] places bits in.
/// Each of a compiled dictionary's five key filters has this size.
pub const FILTER_LEN: usize = 65536;
const FILTER_BITS: u64 = (FILTER_LEN * 8) as u64;

/// The filter hash of normalised key bytes (a lower-case word or key).
///
/// A matcher hashes every word of the text, so hashing must be as cheap as
/// possible: a word is taken eight bytes at a time, and each block costs an
/// xor, a multiply and a rotate (see [`WordHasher`]). Words hold no NUL
/// bytes, so zero-padding the last block never makes two words agree. The
/// mixing that spreads a hash over a filter happens once per word, in
/// [`WordHash::bit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordHash(u64);

/// Computes a [`WordHash`] from bytes pushed one at a time or eight at a
/// time.
#[derive(Clone, Copy, Debug)]
pub struct WordHasher {
    hash: u64,
    /// Bytes of the current block not yet mixed in (little-endian).
    block: u64,
    filled: u32,
}

impl Default for WordHasher {
    fn default() -> WordHasher {
        WordHasher {
            hash: 0x9E37_79B9,
            block: 0,
            filled: 0,
        }
    }
}

impl WordHasher {
    /// Adds one byte.
    #[inline]
    pub fn push(&mut self, byte: u8) {
        self.block |= u64::from(byte) << (8 * self.filled);
        self.filled += 1;
        if self.filled == 8 {
            self.hash = mix_block(self.hash, self.block);
            self.block = 0;
            self.filled = 0;
        }
    }

    /// Adds the low `len` bytes of `chunk` (little-endian; the others
    /// zero), as `len` calls of [`WordHasher::push`] would.
    #[inline]
    pub fn push_chunk(&mut self, chunk: u64, len: u32) {
        if self.filled == 0 {
            if len == 8 {
                self.hash = mix_block(self.hash, chunk);
            } else {
                self.block = chunk;
                self.filled = len;
            }
        } else {
            (0..len).for_each(|i| self.push((chunk >> (8 * i)) as u8));
        }
    }

    /// The hash of the bytes pushed so far.
    #[inline]
    pub fn finish(&self) -> WordHash {
        if self.filled == 0 {
            WordHash(self.hash)
        } else {
            WordHash(mix_block(self.hash, self.block))
        }
    }
}

#[inline]
fn mix_block(hash: u64, block: u64) -> u64 {
    (hash ^ block)
        .wrapping_mul(0xA076_1D64_78BD_642F)
        .rotate_left(29)
}

impl WordHash {
    /// The hash of bytes that are already normalised (a lower-case word or
    /// key).
    pub fn of(bytes: &[u8]) -> WordHash {
        let mut hasher = WordHasher::default();
        bytes.iter().for_each(|&b| hasher.push(b));
        hasher.finish()
    }

    /// The hash spread over all 64 bits, for filters of other sizes: take
    /// the top bits.
    #[inline]
    pub fn mixed(self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// The hash's place in a small bit set of `words` 64-bit words (a
    /// power of two), for the filters kept in the first-level cache:
    /// (word index, mask).
    #[inline]
    pub fn bit_in(self, words: usize) -> (usize, u64) {
        debug_assert!(words.is_power_of_two());
        let bit = self.mixed() >> (64 - (words * 64).trailing_zeros());
        ((bit / 64) as usize, 1 << (bit % 64))
    }

    /// The filter bit for the bytes pushed so far: (byte index, mask).
    #[inline]
    pub fn bit(self) -> (usize, u8) {
        let mixed = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let bit = (mixed >> 45) % FILTER_BITS;
        ((bit / 8) as usize, 1 << (bit % 8))
    }

    /// The hash of two words joined by a space or, with `comma`, by ", ".
    /// It combines the words' own hashes, so a matcher hashes each word of
    /// a text once.
    #[inline]
    pub fn pair(first: WordHash, comma: bool, second: WordHash) -> WordHash {
        WordHash(
            first.0.wrapping_mul(0xC2B2_AE3D_27D4_EB4F).rotate_left(31) ^ second.0 ^ comma as u64,
        )
    }
}

/// A pair filter keeps each pair as three bits of one 64-byte block, so a
/// test reads one cache line and few absent pairs pass: the guesser tests
/// two pairs at every spun-looking word of a text, and each false pass
/// costs a search (`docs/measurements.md`).
const BLOCK_BYTES: usize = 64;

/// Where a pair of words lies in a pair filter of any power-of-two size
/// (at least one block).
#[derive(Clone, Copy, Debug)]
pub struct PairProbe {
    mixed: u64,
}

impl PairProbe {
    /// The block's offset in a filter of `len` bytes, and the three bits.
    #[inline]
    fn place(self, len: usize) -> (usize, [u16; 3]) {
        let block_bits = (len / BLOCK_BYTES).trailing_zeros();
        let block = if block_bits == 0 {
            0
        } else {
            (self.mixed >> (64 - block_bits)) as usize * BLOCK_BYTES
        };
        let bit = |shift: u32| ((self.mixed >> shift) & 511) as u16;
        (block, [bit(41), bit(32), bit(23)])
    }

    /// The probe of two neighbouring words (or of a pattern and a tab).
    #[inline]
    pub fn of_words(first: &str, second: &str) -> PairProbe {
        let mut hash: u64 = 0x9E37_79B9;
        for b in first.bytes().chain([b' ']).chain(second.bytes()) {
            hash = (hash.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        PairProbe {
            mixed: hash.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        }
    }

    /// The probe of two neighbouring words from their filter hashes, so
    /// the guesser can test a pair of the text without normalising its
    /// words.
    #[inline]
    pub fn of_hashes(first: WordHash, second: WordHash) -> PairProbe {
        PairProbe {
            mixed: WordHash::pair(first, false, second).mixed(),
        }
    }

    /// Adds the pair to a filter.
    pub fn insert(self, filter: &mut [u8]) {
        let (block, bits) = self.place(filter.len());
        for bit in bits {
            filter[block + usize::from(bit / 8)] |= 1 << (bit % 8);
        }
    }

    /// Whether the pair may be in a filter.
    #[inline]
    pub fn test(self, filter: &[u8]) -> bool {
        let (block, bits) = self.place(filter.len());
        let block = &filter[block..block + BLOCK_BYTES];
        bits.iter()
            .all(|&bit| block[usize::from(bit / 8)] & (1 << (bit % 8)) != 0)
    }
}
