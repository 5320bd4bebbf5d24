//! A back-off trigram model kept as two FST maps (words, then n-grams), so
//! that it can be embedded in the binary or memory-mapped and read without
//! parsing.
//!
//! Words are numbered, the most probable first, and an n-gram's key is its
//! words' numbers, each in one to three bytes: frequent words take one, so
//! the keys are short and share long prefixes. A value packs the log10
//! probability and back-off weight, each quantised to one byte: the model
//! is read to compare candidate sentences, where a few hundredths of a
//! log10 unit are noise.
//!
//! The bytes are a magic number, the length of the vocabulary map (word to
//! number) as eight little-endian bytes, that map, then the n-gram map.

use std::io::BufRead;

use fst::{Map, MapBuilder};

use crate::context::memory::Memory;
use crate::context::LanguageModel;
use crate::dictionary::source::LineError;

/// The step of a quantised log10 probability; 255 steps reach -10.2, below
/// the least probability of the source (-9.47).
const PROB_STEP: f32 = 0.04;
/// The step and least value of a quantised back-off weight, whose range in
/// the source is -2.03 to 1.16.
const BACKOFF_STEP: f32 = 0.016;
const BACKOFF_MIN: f32 = -2.5;

/// The log10 probability of a word the model does not know: a little
/// below the rarest word it does know.
pub const UNKNOWN_LOG_PROB: f32 = -10.0;

/// The first bytes of a compiled model.
pub const MAGIC: &[u8; 8] = b"DSPNLM01";

/// A back-off trigram model over lower-case words.
pub struct TrigramModel {
    vocabulary: Map<&'static [u8]>,
    ngrams: Map<&'static [u8]>,
}

impl std::fmt::Debug for TrigramModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrigramModel")
            .field("ngrams", &self.ngrams.len())
            .finish()
    }
}

/// One n-gram's figures, as stored.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Figures {
    log_prob: f32,
    backoff: f32,
}

fn pack(log_prob: f32, backoff: f32) -> u64 {
    let prob = ((-log_prob / PROB_STEP).round()).clamp(0.0, 255.0) as u64;
    let backoff = (((backoff - BACKOFF_MIN) / BACKOFF_STEP).round()).clamp(0.0, 255.0) as u64;
    prob | backoff << 8
}

fn unpack(value: u64) -> Figures {
    Figures {
        log_prob: -((value & 0xff) as f32) * PROB_STEP,
        backoff: ((value >> 8) & 0xff) as f32 * BACKOFF_STEP + BACKOFF_MIN,
    }
}

/// Appends a word number in one to three bytes; the first byte says how
/// many, so a key of several numbers reads back one way only.
fn push_id(id: u32, out: &mut Vec<u8>) {
    if id < 0x80 {
        out.push(id as u8);
    } else if id < 0x4000 {
        out.extend_from_slice(&[0x80 | (id >> 8) as u8, id as u8]);
    } else {
        debug_assert!(id < 0x40_0000);
        out.extend_from_slice(&[0xc0 | (id >> 16) as u8, (id >> 8) as u8, id as u8]);
    }
}

/// The most words a model may know: what three bytes of a key can number.
const MAX_WORDS: usize = 0x40_0000;

/// The key of an n-gram of word numbers.
fn key(ids: &[u32], out: &mut Vec<u8>) {
    out.clear();
    for &id in ids {
        push_id(id, out);
    }
}

impl TrigramModel {
    /// Reads a model from bytes that live for the whole program (embedded,
    /// or a leaked memory map), as [`compile_arpa`] writes them.
    pub fn from_static(bytes: &'static [u8]) -> Result<TrigramModel, ModelError> {
        let rest = bytes
            .strip_prefix(&MAGIC[..])
            .ok_or(ModelError::NotAModel)?;
        if rest.len() < 8 {
            return Err(ModelError::NotAModel);
        }
        let (len, rest) = rest.split_at(8);
        let len = u64::from_le_bytes(len.try_into().expect("eight bytes")) as usize;
        if len > rest.len() {
            return Err(ModelError::NotAModel);
        }
        let (vocabulary, ngrams) = rest.split_at(len);
        Ok(TrigramModel {
            vocabulary: Map::new(vocabulary)?,
            ngrams: Map::new(ngrams)?,
        })
    }

    /// Checks the maps' checksums: a damaged map makes look-ups panic, so
    /// a model read from a file is verified before use.
    pub fn verify(&self) -> Result<(), ModelError> {
        self.vocabulary.as_fst().verify()?;
        self.ngrams.as_fst().verify()?;
        Ok(())
    }

    /// The number of words the model knows.
    pub fn words(&self) -> usize {
        self.vocabulary.len()
    }

    /// A word's number, if the model knows it.
    fn id(&self, word: &str) -> Option<u32> {
        // Decoding looks up the words of every window again and again; the
        // answers are remembered per thread, a hash being several times
        // quicker than a walk of the map. Nothing is built up front, so a
        // run that measures a few edits pays for a few look-ups.
        const REMEMBERED: usize = 1 << 16;
        thread_local! {
            static MEMORY: std::cell::RefCell<Memory<Box<str>, Option<u32>>> =
                std::cell::RefCell::new(Memory::new(REMEMBERED / 2));
        }
        let owner = self as *const TrigramModel as usize;
        MEMORY.with(|memory| {
            memory.borrow_mut().get_or_insert_with(
                owner,
                word,
                |w: &str| Box::from(w),
                || self.vocabulary.get(word).map(|id| id as u32),
            )
        })
    }

    /// The number of n-grams the model holds.
    pub fn len(&self) -> usize {
        self.ngrams.len()
    }

    /// Whether the model holds no n-gram.
    pub fn is_empty(&self) -> bool {
        self.ngrams.is_empty()
    }

    fn figures(&self, ids: &[u32], buf: &mut Vec<u8>) -> Option<Figures> {
        // Decoding asks for the same n-grams many times (each candidate
        // is scored with the same neighbours), so answers are remembered
        // per thread, under the n-gram's numbers packed in 63 bits.
        const REMEMBERED: usize = 1 << 18;
        thread_local! {
            static MEMORY: std::cell::RefCell<Memory<u64, u16>> =
                std::cell::RefCell::new(Memory::new(REMEMBERED / 2));
        }
        let packed = (ids.iter().all(|&id| id < 1 << 21)).then(|| {
            ids.iter()
                .fold(ids.len() as u64, |key, &id| key << 21 ^ u64::from(id))
        });
        let lookup = |buf: &mut Vec<u8>| {
            key(ids, buf);
            self.ngrams.get(&buf[..])
        };
        let Some(packed) = packed else {
            return lookup(buf).map(unpack);
        };
        let owner = self as *const TrigramModel as usize;
        // 0xffff marks an absent n-gram: stored values use 16 bits, and
        // the top one never holds both bytes at their maximum.
        let value = MEMORY.with(|memory| {
            memory.borrow_mut().get_or_insert_with(
                owner,
                &packed,
                |k| *k,
                || lookup(buf).map_or(u16::MAX, |v| v as u16),
            )
        });
        (value != u16::MAX).then(|| unpack(u64::from(value)))
    }

    /// The log10 probability of `ids[from..]`, each word given the words
    /// before it.
    fn sum_from(&self, ids: &[Option<u32>], from: usize, buf: &mut Vec<u8>) -> f32 {
        (from..ids.len())
            .map(|i| self.conditional(&ids[..i], ids[i], buf))
            .sum()
    }

    /// log10 P(word | context), with the context's last two words at most,
    /// backing off to shorter contexts as the ARPA format prescribes. An
    /// unknown word in the context ends it.
    fn conditional(&self, context: &[Option<u32>], word: Option<u32>, buf: &mut Vec<u8>) -> f32 {
        let Some(word) = word else {
            return UNKNOWN_LOG_PROB;
        };
        // The known words just before, at most two: [w1, w2, word].
        let mut gram = [0u32; 3];
        let mut known = 0;
        for id in context.iter().rev().take(2) {
            match id {
                Some(id) => {
                    known += 1;
                    gram[2 - known] = *id;
                }
                None => break,
            }
        }
        gram[2] = word;
        let mut backoff = 0.0;
        for start in 2 - known..=2 {
            if let Some(found) = self.figures(&gram[start..], buf) {
                return backoff + found.log_prob;
            }
            if start < 2 {
                if let Some(h) = self.figures(&gram[start..2], buf) {
                    backoff += h.backoff;
                }
            }
        }
        backoff + UNKNOWN_LOG_PROB
    }
}

impl LanguageModel for TrigramModel {
    fn knows(&self, word: &str) -> bool {
        self.id(word).is_some()
    }

    fn log_prob(&self, words: &[&str], from: usize) -> f32 {
        let first = from.saturating_sub(2);
        let ids: Vec<Option<u32>> = words[first..].iter().map(|w| self.id(w)).collect();
        self.sum_from(&ids, from - first, &mut Vec::with_capacity(16))
    }

    fn context_words(&self) -> usize {
        2
    }

    fn known_log_prob(&self, words: &[&str]) -> Option<f32> {
        let ids: Vec<Option<u32>> = words.iter().map(|w| self.id(w)).collect();
        (!ids.contains(&None)).then(|| self.sum_from(&ids, 0, &mut Vec::with_capacity(16)))
    }

    fn window_log_probs(&self, before: &[&str], middles: &[&[&str]], after: &[&str]) -> Vec<f32> {
        let mut buf = Vec::with_capacity(16);
        let before: Vec<Option<u32>> = before[before.len().saturating_sub(2)..]
            .iter()
            .map(|w| self.id(w))
            .collect();
        let after: Vec<Option<u32>> = after.iter().map(|w| self.id(w)).collect();
        let mut ids: Vec<Option<u32>> = Vec::with_capacity(before.len() + after.len() + 4);
        middles
            .iter()
            .map(|middle| {
                ids.clear();
                ids.extend_from_slice(&before);
                ids.extend(middle.iter().map(|w| self.id(w)));
                ids.extend_from_slice(&after);
                self.sum_from(&ids, before.len(), &mut buf)
            })
            .collect()
    }
}

/// Why a compiled model cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The bytes do not start as a compiled model does.
    #[error("not a despin language model (compile one with `despin dict compile-lm`)")]
    NotAModel,
    /// The maps inside are damaged.
    #[error("damaged language model: {0}")]
    Fst(#[from] fst::Error),
}

/// Compiles an ARPA back-off model of order 3 or less into the bytes that
/// [`TrigramModel::from_static`] reads. Words are lower-cased; an n-gram
/// seen twice after that keeps its first figures.
pub fn compile_arpa(arpa: impl BufRead) -> Result<Vec<u8>, LineError> {
    let mut grams: Vec<(Vec<String>, u64)> = Vec::new();
    let mut unigrams: Vec<(String, f32)> = Vec::new();
    let mut order = 0usize;
    for (n, line) in arpa.lines().enumerate() {
        let error = |message: String| LineError {
            line: n + 1,
            message,
        };
        let line = line.map_err(|e| error(e.to_string()))?;
        let line = line.trim_end();
        if let Some(section) = line.strip_prefix('\\') {
            order = match section.strip_suffix("-grams:") {
                Some(n) => n
                    .parse()
                    .ok()
                    .filter(|n| (1..=3).contains(n))
                    .ok_or_else(|| error(format!("unsupported section \\{section}")))?,
                None => 0,
            };
            continue;
        }
        if order == 0 || line.is_empty() {
            continue;
        }
        let mut fields = line.split_whitespace();
        let log_prob: f32 = fields
            .next()
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| error("expected a log10 probability".into()))?;
        let mut words = Vec::with_capacity(order);
        for _ in 0..order {
            let word = fields
                .next()
                .ok_or_else(|| error(format!("expected {order} words")))?;
            words.push(word.to_lowercase());
        }
        let backoff: f32 = match fields.next() {
            Some(f) => f
                .parse()
                .map_err(|_| error(format!("bad back-off weight {f:?}")))?,
            None => 0.0,
        };
        if fields.next().is_some() {
            return Err(error("too many fields".into()));
        }
        if order == 1 {
            unigrams.push((words[0].clone(), log_prob));
        }
        grams.push((words, pack(log_prob, backoff)));
    }
    // Number the words, the most probable first (`<s>`, at -99, comes
    // last but is one word among 72,000).
    unigrams.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    unigrams.dedup_by(|later, first| later.0 == first.0);
    if unigrams.len() > MAX_WORDS {
        return Err(LineError {
            line: 0,
            message: format!("more than {MAX_WORDS} words"),
        });
    }
    let mut ids: Vec<(&str, u32)> = unigrams
        .iter()
        .enumerate()
        .map(|(id, (word, _))| (word.as_str(), id as u32))
        .collect();
    ids.sort_unstable();
    let lookup: std::collections::HashMap<&str, u32> = ids.iter().copied().collect();
    let whole = |e: fst::Error| LineError {
        line: 0,
        message: e.to_string(),
    };
    let mut vocabulary = MapBuilder::memory();
    for &(word, id) in &ids {
        vocabulary.insert(word, id as u64).map_err(whole)?;
    }
    let vocabulary = vocabulary.into_inner().map_err(whole)?;
    let mut keyed: Vec<(Vec<u8>, u64)> = Vec::with_capacity(grams.len());
    for (words, value) in grams {
        let mut numbers = Vec::with_capacity(words.len());
        for word in &words {
            numbers.push(*lookup.get(word.as_str()).ok_or_else(|| LineError {
                line: 0,
                message: format!(
                    "the n-gram {:?} has a word with no unigram",
                    words.join(" ")
                ),
            })?);
        }
        let mut bytes = Vec::with_capacity(9);
        key(&numbers, &mut bytes);
        keyed.push((bytes, value));
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.dedup_by(|later, first| later.0 == first.0);
    let mut ngrams = MapBuilder::memory();
    for (key, value) in keyed {
        ngrams.insert(key, value).map_err(whole)?;
    }
    let ngrams = ngrams.into_inner().map_err(whole)?;
    let mut out = Vec::with_capacity(16 + vocabulary.len() + ngrams.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(vocabulary.len() as u64).to_le_bytes());
    out.extend_from_slice(&vocabulary);
    out.extend_from_slice(&ngrams);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARPA: &str = "\\data\\\nngram 1=4\nngram 2=2\nngram 3=1\n\n\\1-grams:\n\
        -1.0\t</s>\t0.0\n-99\t<s>\t-0.5\n-1.5\tthe\t-0.3\n-2.0\thouse\t-0.2\n\n\
        \\2-grams:\n-0.5\t<s> the\t-0.1\n-0.8\tthe house\t0.0\n\n\
        \\3-grams:\n-0.2\t<s> the house\n\n\\end\\\n";

    fn model() -> TrigramModel {
        let bytes = compile_arpa(ARPA.as_bytes()).unwrap();
        TrigramModel::from_static(Box::leak(bytes.into_boxed_slice())).unwrap()
    }

    #[test]
    fn figures_survive_quantisation() {
        for (p, b) in [(-0.0, 0.0), (-3.21, -1.17), (-9.47, 1.15), (-1.0, -2.03)] {
            let f = unpack(pack(p, b));
            assert!((f.log_prob - p).abs() <= PROB_STEP / 2.0 + 1e-6, "{p}");
            assert!((f.backoff - b).abs() <= BACKOFF_STEP / 2.0 + 1e-6, "{b}");
        }
    }

    #[test]
    fn backs_off_as_arpa_prescribes() {
        let m = model();
        let near = |a: f32, b: f32| (a - b).abs() < 0.05;
        // A trigram that is listed.
        assert!(near(m.log_prob(&["<s>", "the", "house"], 2), -0.2));
        // A bigram: P(house | the).
        assert!(near(m.log_prob(&["the", "house"], 1), -0.8));
        // Unlisted bigram "house the": back-off of "house" plus P(the).
        assert!(near(m.log_prob(&["house", "the"], 1), -0.2 - 1.5));
        // Unlisted trigram "<s> house the": back-off of "<s> house" is
        // absent (0), then "house the" backs off as above.
        assert!(near(m.log_prob(&["<s>", "house", "the"], 2), -0.2 - 1.5));
        // A word it does not know.
        assert!(!m.knows("residence"));
        assert!(near(m.log_prob(&["the", "residence"], 1), UNKNOWN_LOG_PROB));
        // An unknown word ends the context of the next.
        assert!(near(m.log_prob(&["residence", "the"], 1), -1.5));
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = compile_arpa("\\1-grams:\n-1.0\tthe\n-x\thouse\n".as_bytes()).unwrap_err();
        assert_eq!(err.line, 3);
    }
}
