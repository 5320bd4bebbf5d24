//! The guesser's model at run time: learned swaps, the lexicon of terms
//! and the filters that let a text skip words no swap starts.

use std::collections::HashMap;
use std::sync::OnceLock;

use fst::{IntoStreamer, Streamer};

use crate::dictionary::source::LineError;
use crate::dictionary::Bytes;
use crate::find::names::NameRules;
use crate::guess::format::{compile_model, term_parts, OFTEN_SPUN_PAIR_BYTES, PAIR_FILTER_BYTES};
use crate::guess::score::*;
use crate::guess::window::*;
use crate::text::hash::{PairProbe, WordHash, FILTER_LEN};

/// The swap counts at which spun words get a trigger filter of their own,
/// counted as [`LearnedSwap::sightings_worth`] (sightings less false
/// alarms). A document that wants only guesses that can be applied, and
/// whose threshold no swap worth fewer sightings can reach, is searched
/// from the words of a higher level only: in a long text with some known
/// spin only swaps worth 4 sightings or more can pass, and they are a small
/// part of the spun-looking words (common words such as "people" or "new"
/// are spun words of a swap seen once).
pub(crate) const TRIGGER_LEVELS: [u64; 6] = [1, 2, 4, 8, 16, 32];

/// Words (of 64 bits) in each trigger filter: 8 KiB.
const TRIGGER_FILTER_WORDS: usize = 1 << 10;

/// A trigger filter. A fixed size lets a hashed word's place in it be read
/// without a bounds check.
type TriggerFilter = [u64; TRIGGER_FILTER_WORDS];

/// Whether a hashed word may be in a trigger filter.
#[inline]
pub(crate) fn may_trigger(filter: &TriggerFilter, hash: WordHash) -> bool {
    let (index, mask) = hash.bit_in(TRIGGER_FILTER_WORDS);
    filter[index] & mask != 0
}

/// A swap learned from the lists: the original a spun word replaced, and
/// the evidence for and against undoing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnedSwap {
    /// The word the spinner replaced.
    pub original: String,
    /// How often the lists show the swap.
    pub seen: u64,
    /// How often never-spun text writes the spun word where undoing the
    /// swap would make a term ("predictive framework", "predictive
    /// system").
    pub false_alarms: u64,
}

impl LearnedSwap {
    /// How much undoing it is worth: its sightings against sightings and
    /// false alarms together, with one more for doubt. A swap that
    /// everyday writing would trigger as often as spinners do is worth
    /// half as much as one it never triggers.
    pub(crate) fn confidence(&self) -> f64 {
        let seen = self.seen as f64;
        seen / (seen + self.false_alarms as f64 + 1.0)
    }

    /// The fewest sightings of a swap with no false alarms that are worth
    /// at least as much: the confidence is e/(e+1) for
    /// e = seen/(false alarms + 1),
    /// rounded up here so that a trigger level never leaves out a swap
    /// that can reach its threshold.
    fn sightings_worth(&self) -> u64 {
        self.seen.div_ceil(self.false_alarms + 1)
    }
}

/// Learned swaps and established terms.
pub struct GuessModel {
    terms: fst::Map<Bytes>,
    /// Spun word → its learned originals, the surest first.
    originals: HashMap<String, Vec<LearnedSwap>>,
    /// The learned spun forms of each original word.
    spun_forms: HashMap<String, Vec<String>>,
    /// Filters of the spun words, one per level of [`TRIGGER_LEVELS`]: the
    /// words with a swap worth at least that many sightings. Every word of
    /// a text is tested, so each filter is small enough to stay in the
    /// first-level cache next to the matcher's (a few thousand words set
    /// under 5% of its bits).
    triggers: Vec<Box<TriggerFilter>>,
    /// A bit per hashed function word.
    function_words: Vec<u8>,
    /// A bit per pair of neighbouring words in a strong term (listed,
    /// WordNet, glossary): most restorations tried are ruled out by it
    /// before any lookup.
    term_pairs: Bytes,
    /// `pattern\tword` keys completing strong terms of three or more words.
    slots: fst::Set<Bytes>,
    /// Written pairs (one or both words spun) that may restore to a strong
    /// term's pair.
    pub(super) spun_pairs: Bytes,
    /// The same for swaps seen [`OFTEN_SEEN`] times or more.
    pub(super) often_spun_pairs: Bytes,
    swaps: usize,
}

impl std::fmt::Debug for GuessModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuessModel")
            .field("swaps", &self.swaps)
            .field("terms", &self.terms.len())
            .finish()
    }
}

impl GuessModel {
    /// The model built into the binary.
    pub fn embedded() -> &'static GuessModel {
        static MODEL: OnceLock<GuessModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            GuessModel::from_parts(
                Bytes::from_static(crate::embedded::GUESS_SWAPS),
                Bytes::from_static(crate::embedded::GUESS_TERMS),
                Bytes::from_static(crate::embedded::GUESS_PAIRS),
                Bytes::from_static(crate::embedded::GUESS_SLOTS),
                Bytes::from_static(crate::embedded::GUESS_SPUN_PAIRS),
                Bytes::from_static(crate::embedded::GUESS_OFTEN_SPUN_PAIRS),
            )
            .expect("build.rs compiled a valid model")
        })
    }

    /// Reads a model file (the `dictionaries/guess.tsv` format).
    pub fn from_tsv(text: &str) -> Result<GuessModel, LineError> {
        let compiled = compile_model(text)?;
        GuessModel::from_parts(
            compiled.swaps.into(),
            compiled.terms.into(),
            compiled.pairs.into(),
            compiled.slots.into(),
            compiled.spun_pairs.into(),
            compiled.often_spun_pairs.into(),
        )
        .map_err(|e| LineError {
            line: 0,
            message: e.to_string(),
        })
    }

    fn from_parts(
        swaps: Bytes,
        terms: Bytes,
        term_pairs: Bytes,
        slots: Bytes,
        spun_pairs: Bytes,
        often_spun_pairs: Bytes,
    ) -> Result<GuessModel, fst::Error> {
        let terms = fst::Map::new(terms)?;
        let slots = fst::Set::new(slots)?;
        let invalid = |part: &str| {
            fst::Error::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the model's {part} are malformed"),
            ))
        };
        if term_pairs.as_ref().len() != PAIR_FILTER_BYTES
            || spun_pairs.as_ref().len() != PAIR_FILTER_BYTES
            || often_spun_pairs.as_ref().len() != OFTEN_SPUN_PAIR_BYTES
        {
            return Err(invalid("pair filters"));
        }
        let mut originals: HashMap<String, Vec<LearnedSwap>> = HashMap::new();
        let mut count = 0;
        let swap_lines = std::str::from_utf8(swaps.as_ref()).map_err(|_| invalid("swaps"))?;
        let rules = NameRules::embedded();
        for line in swap_lines.lines() {
            let mut fields = line.split('\t');
            let (Some(spun), Some(original), Some(seen), Some(false_alarms), None) = (
                fields.next(),
                fields.next(),
                fields.next().and_then(|n| n.parse().ok()),
                fields.next().and_then(|n| n.parse().ok()),
                fields.next(),
            ) else {
                return Err(invalid("swaps"));
            };
            // Function words ("of" for "for") are grammar, not the
            // thesaurus swaps this model is for.
            if rules.is_function_word(spun) || rules.is_function_word(original) {
                continue;
            }
            originals
                .entry(spun.to_string())
                .or_default()
                .push(LearnedSwap {
                    original: original.to_string(),
                    seen,
                    false_alarms,
                });
            count += 1;
        }
        let mut triggers = vec![Box::new([0u64; TRIGGER_FILTER_WORDS]); TRIGGER_LEVELS.len()];
        for (spun, list) in &mut originals {
            list.sort_by(|a, b| {
                b.confidence()
                    .total_cmp(&a.confidence())
                    .then(a.original.cmp(&b.original))
            });
            list.truncate(ORIGINALS_PER_WORD);
            let most_seen = list.first().map_or(0, LearnedSwap::sightings_worth);
            let (index, mask) = WordHash::of(spun.as_bytes()).bit_in(TRIGGER_FILTER_WORDS);
            for (level, &seen) in TRIGGER_LEVELS.iter().enumerate() {
                if most_seen >= seen {
                    triggers[level][index] |= mask;
                }
            }
        }
        let mut function_words = vec![0u8; FILTER_LEN];
        for word in NameRules::embedded().function_words() {
            let (index, mask) = WordHash::of(word.as_bytes()).bit();
            function_words[index] |= mask;
        }
        let mut spun_forms: HashMap<String, Vec<String>> = HashMap::new();
        for (spun, list) in &originals {
            for swap in list {
                spun_forms
                    .entry(swap.original.clone())
                    .or_default()
                    .push(spun.clone());
            }
        }
        Ok(GuessModel {
            spun_forms,
            function_words,
            terms,
            originals,
            triggers,
            term_pairs,
            slots,
            spun_pairs,
            often_spun_pairs,
            swaps: count,
        })
    }

    /// Whether two neighbouring words as written may restore to a pair of a
    /// strong term.
    pub(crate) fn may_restore_pair(&self, first: &str, second: &str) -> bool {
        // The spun-pair filter is keyed by the words' own hashes, as the
        // indexer computes them.
        PairProbe::of_hashes(
            WordHash::of(first.as_bytes()),
            WordHash::of(second.as_bytes()),
        )
        .test(self.spun_pairs.as_ref())
    }

    /// Whether a phrase may be a strong term, judged by its word pairs.
    pub(crate) fn may_be_term(&self, words: &[&str]) -> bool {
        let bits = self.term_pairs.as_ref();
        words
            .windows(2)
            .all(|pair| PairProbe::of_words(pair[0], pair[1]).test(bits))
    }

    /// Number of learned swaps and of terms.
    pub fn size(&self) -> (usize, usize) {
        (self.swaps, self.terms.len())
    }

    /// The sources and web count of an established term.
    pub fn term(&self, phrase: &str) -> Option<(u64, u64)> {
        self.terms.get(phrase).map(term_parts)
    }

    /// The words a spinner was learned to write for an original word.
    pub fn spun_forms(&self, original: &str) -> &[String] {
        self.spun_forms.get(original).map_or(&[], Vec::as_slice)
    }

    /// The originals a spun word was learned to replace, the surest
    /// first.
    pub fn originals(&self, spun: &str) -> &[LearnedSwap] {
        self.originals.get(spun).map_or(&[], Vec::as_slice)
    }

    /// How often the lists show a word as a spinner's replacement, and how
    /// often as the word a spinner replaced.
    fn sightings(&self, word: &str) -> (u64, u64) {
        let as_spun = self.originals(word).iter().map(|s| s.seen).sum();
        let as_original = self
            .spun_forms(word)
            .iter()
            .filter_map(|form| self.originals(form).iter().find(|s| s.original == word))
            .map(|s| s.seen)
            .sum();
        (as_spun, as_original)
    }

    /// Whether the lists show a spinner writing `spun` more often than
    /// replacing it, and replacing `original` at least as often as writing
    /// it: a spinner's habit word against a word spinners replace, though
    /// this pair of the two was never seen ("tremendous" for "big").
    pub(crate) fn is_habit_pair(&self, spun: &str, original: &str) -> bool {
        let (spun_written, spun_replaced) = self.sightings(spun);
        let (original_written, original_replaced) = self.sightings(original);
        spun_written >= HABIT_SIGHTINGS
            && spun_written > spun_replaced
            && original_replaced >= HABIT_SIGHTINGS
            && original_replaced >= original_written
    }

    /// Whether a hashed word may be a function word (false positives
    /// possible: they only skip a rare content word).
    pub(crate) fn may_be_function_word(&self, hash: WordHash) -> bool {
        let (index, mask) = hash.bit();
        self.function_words[index] & mask != 0
    }

    /// The filter of the spun words with a swap worth at least
    /// `TRIGGER_LEVELS[level]` sightings.
    pub(crate) fn triggers(&self, level: usize) -> &TriggerFilter {
        &self.triggers[level]
    }

    /// The words that complete a pattern (one word is `_`) into a strong
    /// term: "_ language processing" gives "natural".
    pub(crate) fn fill(&self, pattern: &[&str]) -> Vec<String> {
        let joined = pattern.join(" ");
        if !PairProbe::of_words(&joined, "\t").test(self.term_pairs.as_ref()) {
            return Vec::new();
        }
        let from = format!("{joined}\t");
        let to = format!("{}\u{b}", pattern.join(" "));
        let mut stream = self.slots.range().ge(&from).lt(&to).into_stream();
        let mut out = Vec::new();
        while let Some(key) = stream.next() {
            out.push(String::from_utf8_lossy(&key[from.len()..]).into_owned());
        }
        out
    }

    /// Every term of the lexicon, for tools that list them.
    pub fn terms(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut stream = self.terms.keys().into_stream();
        while let Some(key) = stream.next() {
            out.push(String::from_utf8_lossy(key).into_owned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guess::format::{SOURCE_LISTED, SOURCE_WEB};

    #[test]
    fn embedded_model_loads() {
        let model = GuessModel::embedded();
        let (swaps, terms) = model.size();
        assert!(swaps > 100 && terms > 1000, "{model:?}");
    }

    #[test]
    fn model_files_are_checked() {
        let model = GuessModel::from_tsv(
            "# test\nswap\tprofound\tdeep\t3\nswap\tframework\tsystem\t3\t9\n\
             swap\tframework\tsystem\t1\t1\nterm\tdeep learning\tlisted,web\t10\n",
        )
        .unwrap();
        let swap = |original: &str, seen, false_alarms| LearnedSwap {
            original: original.to_string(),
            seen,
            false_alarms,
        };
        assert_eq!(model.originals("profound"), [swap("deep", 3, 0)]);
        // Repeated lines add up, sightings and false alarms apart.
        assert_eq!(model.originals("framework"), [swap("system", 4, 10)]);
        assert!(swap("system", 4, 10).confidence() < swap("deep", 3, 0).confidence());
        assert_eq!(
            model.term("deep learning"),
            Some((SOURCE_LISTED | SOURCE_WEB, 10))
        );
        let err = GuessModel::from_tsv("swap\tprofound\n").unwrap_err();
        assert_eq!(err.line, 1);
        let err = GuessModel::from_tsv("swap\tprofound\tdeep\t1\t2\t3\n").unwrap_err();
        assert_eq!(err.line, 1);
        let err = GuessModel::from_tsv("swap\tprofound\tdeep\t1\tmany\n").unwrap_err();
        assert!(err.message.contains("many"));
        let err = GuessModel::from_tsv("term\tx y\tbogus\t1\n").unwrap_err();
        assert!(err.message.contains("bogus"));
    }
}
