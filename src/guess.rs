//! Proposes repairs that no dictionary lists.
//!
//! Spinners swap single words for thesaurus synonyms, and they keep making
//! the same swaps: "profound" for deep, "woodland" for forest. The model
//! (see [`crate::guess_model`]) holds the swaps learned from known spun and
//! original phrases, and a lexicon of established terms. For a run of two
//! or three words that contains a learned spun word, the guesser undoes the
//! swaps and keeps the result only if it is an established term while the
//! spun run is not. The strongest evidence is the document itself: a spun
//! paper often still uses the right term in another sentence.
//!
//! Each guess carries a score and its reasons. Whether it is applied is
//! decided by the repairer from the score and the document prior (how much
//! known spin the document shows); see [`guess_threshold`].

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use fst::{IntoStreamer, Streamer};

use crate::case::transfer_case;
use crate::dictionary::compiled::{WordHash, FILTER_LEN};
use crate::dictionary::source::LineError;
use crate::dictionary::Bytes;
use crate::edit::{Edit, Origin};
pub use crate::guess_model::SOURCE_DOCUMENT;
use crate::guess_model::{
    compile_model, term_parts, PairProbe, OFTEN_SEEN, OFTEN_SPUN_PAIR_BYTES, PAIR_FILTER_BYTES,
    SOURCE_BILINGUAL, SOURCE_CORPUS, SOURCE_DOCS, SOURCE_GLOSSARY, SOURCE_LISTED, SOURCE_WEB,
    SOURCE_WORDNET, STRONG_SOURCES,
};
use crate::level::Level;
use crate::names::NameRules;
pub use crate::reason::GuessReason;
use crate::segment::Segment;
use crate::tokenize::{normalize_word, Gap};

/// The guess threshold used when none is given: calibrated on held-out
/// tortured phrases and clean text by `tools/eval_guess.py`. It is the
/// lowest base at which guesses in spun documents stay at 90% precision
/// and those confirmed by the document at 95%.
pub const DEFAULT_THRESHOLD: f64 = 0.55;

/// The longest run of words considered, as in the longest terms.
const MAX_WINDOW: usize = 4;

/// The most originals tried for one spun word, the surest first.
const ORIGINALS_PER_WORD: usize = 8;

/// The swap counts at which spun words get a trigger filter of their own,
/// counted as [`LearnedSwap::sightings_worth`] (sightings less false
/// alarms). A document that wants only guesses that can be applied, and
/// whose threshold no swap worth fewer sightings can reach, is searched
/// from the words of a higher level only: in a long text with some known
/// spin only swaps worth 4 sightings or more can pass, and they are a small
/// part of the spun-looking words (common words such as "people" or "new"
/// are spun words of a swap seen once).
const TRIGGER_LEVELS: [u64; 6] = [1, 2, 4, 8, 16, 32];

/// Words (of 64 bits) in each trigger filter: 8 KiB.
const TRIGGER_FILTER_WORDS: usize = 1 << 10;

/// A trigger filter. A fixed size lets a hashed word's place in it be read
/// without a bounds check.
type TriggerFilter = [u64; TRIGGER_FILTER_WORDS];

/// Whether a hashed word may be in a trigger filter.
#[inline]
fn may_trigger(filter: &TriggerFilter, hash: WordHash) -> bool {
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
    fn confidence(&self) -> f64 {
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
    spun_pairs: Bytes,
    /// The same for swaps seen [`OFTEN_SEEN`] times or more.
    often_spun_pairs: Bytes,
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
    fn may_restore_pair(&self, first: &str, second: &str) -> bool {
        // The spun-pair filter is keyed by the words' own hashes, as the
        // indexer computes them.
        PairProbe::of_hashes(
            WordHash::of(first.as_bytes()),
            WordHash::of(second.as_bytes()),
        )
        .test(self.spun_pairs.as_ref())
    }

    /// Whether a phrase may be a strong term, judged by its word pairs.
    fn may_be_term(&self, words: &[&str]) -> bool {
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
    fn is_habit_pair(&self, spun: &str, original: &str) -> bool {
        let (spun_written, spun_replaced) = self.sightings(spun);
        let (original_written, original_replaced) = self.sightings(original);
        spun_written >= HABIT_SIGHTINGS
            && spun_written > spun_replaced
            && original_replaced >= HABIT_SIGHTINGS
            && original_replaced >= original_written
    }

    /// Whether a hashed word may be a function word (false positives
    /// possible: they only skip a rare content word).
    fn may_be_function_word(&self, hash: WordHash) -> bool {
        let (index, mask) = hash.bit();
        self.function_words[index] & mask != 0
    }

    /// The filter of the spun words with a swap worth at least
    /// `TRIGGER_LEVELS[level]` sightings.
    fn triggers(&self, level: usize) -> &TriggerFilter {
        &self.triggers[level]
    }

    /// The words that complete a pattern (one word is `_`) into a strong
    /// term: "_ language processing" gives "natural".
    fn fill(&self, pattern: &[&str]) -> Vec<String> {
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

/// The threshold a guess must reach in a document, from the base
/// threshold and the document prior.
///
/// A document that already shows enough known spin to promote `likely`
/// entries uses the base threshold. One with some `sure` findings (at the
/// density of the promotion rule, so a long file's one finding does not
/// count) uses a
/// threshold 60% of the way to 1, and one with none a threshold 96% of the
/// way to 1 (0.982 at the default base): there a guess needs a strong term
/// that the document also uses, from a swap seen many times. That is what
/// keeps clean text clean; `tools/eval_guess.py` measures both sides.
pub fn guess_threshold(base: f64, sure_findings: usize, spun: bool) -> f64 {
    let base = base.clamp(0.0, 1.0);
    if spun {
        base
    } else if sure_findings > 0 {
        base + (1.0 - base) * 0.6
    } else {
        base + (1.0 - base) * 0.96
    }
}

/// What a document's known spin says about guessing in it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prior {
    /// The score a guess needs to be applied ([`guess_threshold`]).
    pub threshold: f64,
    /// The least score worth finding: the threshold when guesses that are
    /// not applied would be dropped, 0 when they are reported.
    pub floor: f64,
    /// Whether the document has `sure` findings.
    pub known_spin: bool,
    /// Whether it counts as spun (its promotion rule holds).
    pub spun: bool,
}

/// What the best attested term is worth: one that a tortured-phrase list
/// gives as the original.
const BEST_TERM_CONFIDENCE: f64 = 0.95;

/// How much of a guess's doubt is removed when its restored phrase, an
/// established term, also occurs elsewhere in a document of this many
/// words: 85% in an abstract, less in a longer text, which uses more
/// phrases by chance (in proportion to its length). Measured on held-out
/// never-spun text made to count as spun (`tools/eval_guess.py`): with a
/// flat 85% up to 20,000 words, full papers drew most false guesses.
fn document_weight(words: usize) -> f64 {
    FULL_DOCUMENT_WEIGHT * (SHORT_DOCUMENT_WORDS as f64 / (words.max(1) as f64)).min(1.0)
}

/// The weight of a short document's evidence.
const FULL_DOCUMENT_WEIGHT: f64 = 0.85;

/// The score of a guess whose restored phrase is an established term that
/// the document also uses elsewhere, for a document of the given weight.
fn with_document_boost(score: f64, weight: f64) -> f64 {
    1.0 - (1.0 - score) * (1.0 - weight)
}

/// The highest score that a guess undoing a swap of this confidence can
/// reach, with document evidence of this weight (0 for none).
fn best_score(swap: f64, weight: f64) -> f64 {
    with_document_boost(BEST_TERM_CONFIDENCE * swap, weight)
}

/// What a run of never-spun text is worth as a term: it is established
/// usage, but not every frequent run is a term ("new method").
const CORPUS_TERM_CONFIDENCE: f64 = 0.8;

/// The fewest sightings that make a habit: a word the lists show once on
/// one side ("separated", written once) says little about which side it
/// is on in another text.
const HABIT_SIGHTINGS: u64 = 2;

/// What the original of a document pair is worth as a term when no
/// lexicon has it, and only the spinner's habits say which run is spun.
const HABIT_TERM_CONFIDENCE: f64 = 0.6;

/// What a phrase only the document uses is worth as a term, in a short
/// document.
const DOCUMENT_TERM_CONFIDENCE: f64 = 0.8;

/// How much a term's attestation is worth.
fn term_confidence(sources: u64, count: u64) -> f64 {
    if sources & SOURCE_DOCUMENT != 0 && sources & STRONG_SOURCES == 0 {
        // Only the document uses it: a term of this document.
        DOCUMENT_TERM_CONFIDENCE
    } else if sources & SOURCE_LISTED != 0 {
        BEST_TERM_CONFIDENCE
    } else if sources & (SOURCE_WORDNET | SOURCE_GLOSSARY) != 0 {
        0.85
    } else if sources & (SOURCE_CORPUS | SOURCE_DOCS | SOURCE_BILINGUAL) != 0 {
        CORPUS_TERM_CONFIDENCE
    } else if count >= 1_000_000 {
        0.75
    } else if count >= 100_000 {
        0.65
    } else {
        0.5
    }
}

/// How much a learned swap is worth, from how often it was seen.
fn swap_confidence(seen: u64) -> f64 {
    let seen = seen as f64;
    seen / (seen + 1.0)
}

/// A run of words the guesser considers.
struct Window {
    first: usize,
    last: usize,
}

/// What the guesser may ask about the document it works on.
pub(crate) trait Document {
    /// Whether a normalised phrase occurs in the document.
    fn contains(&self, phrase: &str) -> bool;
    /// Whether two normalised words may occur next to each other (false
    /// means they certainly do not).
    fn may_contain_pair(&self, first: &str, second: &str) -> bool;
    /// Number of words in the document.
    fn words(&self) -> usize;
}

/// The longest document whose own phrases count as evidence. In an
/// article or a paper, a term used in another sentence is strong evidence;
/// in a book-length text nearly every common phrase occurs somewhere, and
/// asking would cost more than it tells.
pub const DOCUMENT_EVIDENCE_MAX_WORDS: usize = 20_000;

/// A short document: an abstract, a short article. Only there does the
/// document's own text propose restorations and fingerprints, and count
/// fully as evidence. Measured on held-out never-spun text made to count as
/// spun (`tools/eval_guess.py`), fingerprints in longer texts were mostly
/// the author's own pairs of phrases.
pub const SHORT_DOCUMENT_WORDS: usize = 1_000;

/// The document as evidence, or nothing when it is too long to count.
struct Evidence<'d> {
    document: Option<&'d dyn Document>,
    /// Whether the document's phrases may also propose restorations, not
    /// only confirm them: in a document with known spin. Elsewhere a guess
    /// must reach a threshold that only lexicon terms can, so the costly
    /// search for document-only terms is skipped.
    proposes: bool,
    /// What the document's use of a restored term is worth
    /// ([`document_weight`]).
    weight: f64,
}

impl Evidence<'_> {
    fn contains(&self, phrase: &str) -> bool {
        self.document.is_some_and(|d| d.contains(phrase))
    }

    fn may_contain_pair(&self, first: &str, second: &str) -> bool {
        self.proposes
            && self
                .document
                .is_some_and(|d| d.may_contain_pair(first, second))
    }
}

/// Finds guesses in a document, as report-only edits of level `guess`.
/// `taken` are the edits already found; a guess never overlaps one.
pub(crate) fn find_guesses(
    model: &GuessModel,
    segments: &[Segment<'_>],
    taken: &[Edit],
    document: &dyn Document,
    prior: &Prior,
) -> Vec<Edit> {
    let Prior {
        threshold,
        floor,
        known_spin,
        spun,
    } = *prior;
    let words = document.words();
    let weight = if words <= DOCUMENT_EVIDENCE_MAX_WORDS {
        document_weight(words)
    } else {
        0.0
    };
    let evidence = Evidence {
        document: (words <= DOCUMENT_EVIDENCE_MAX_WORDS).then_some(document),
        // The document's phrases propose restorations of their own in a
        // short document with known spin: in a longer one a phrase only it
        // uses is worth little (see `consider`), and the search costs
        // much (every window of four words, thesaurus completions).
        proposes: known_spin && words <= SHORT_DOCUMENT_WORDS,
        weight,
    };
    // The trigger level: the spun words whose surest swap can still give a
    // score at the floor (a swap worth fewer sightings than a level's
    // count cannot). None when the floor is above every score; the
    // fingerprints below are searched even then.
    let level = (floor <= best_score(1.0, evidence.weight)).then(|| {
        TRIGGER_LEVELS
            .iter()
            .rposition(|&seen| {
                seen == 1 || best_score(swap_confidence(seen - 1), evidence.weight) < floor
            })
            .unwrap_or(0)
    });
    // Without document evidence (a long text), only runs of two or three
    // words are tried, and no thesaurus completion: the longer searches
    // find little that a lexicon alone can confirm.
    let longest = if evidence.proposes {
        MAX_WINDOW
    } else {
        MAX_WINDOW - 1
    };
    let mut found: Vec<Edit> = Vec::new();
    let mut probes: Vec<(usize, Option<PairProbe>, Option<PairProbe>)> = Vec::new();
    for segment in segments {
        let count = segment.tokens.len();
        let word = |t: usize| normalized(segment, t);
        let mut last_trigger: Option<usize> = None;
        // Undoing a swap helps only if a spun-looking word and a
        // neighbour, as written, may restore to a pair of a strong term (or,
        // in a short document, to a pair the document uses). Most of these
        // words end at this test, done on the words' hashes. It runs in
        // two passes, probes first and filter reads after, so that the
        // reads' cache misses overlap instead of following one another.
        let hashes = &segment.hashes;
        let joined = |i: usize| matches!(segment.gaps[i], Gap::Space | Gap::Hyphen);
        // Function-word neighbours ("the state of") pair with almost
        // anything; a term needs a content word next to the swap.
        let content = |i: usize| !model.may_be_function_word(hashes[i].stem);
        probes.clear();
        // Most words end at the level's trigger filter (and every word
        // without a level).
        if let Some(level) = level {
            let triggers = model.triggers(level);
            for (t, word) in hashes.iter().enumerate() {
                if !may_trigger(triggers, word.stem) {
                    continue;
                }
                let left = (t > 0 && joined(t - 1) && content(t - 1))
                    .then(|| PairProbe::of_hashes(hashes[t - 1].full, hashes[t].stem));
                let right = (t + 1 < count && joined(t) && content(t + 1))
                    .then(|| PairProbe::of_hashes(hashes[t].stem, hashes[t + 1].stem));
                probes.push((t, left, right));
            }
        }
        // From the level of often seen swaps on, their own small filter
        // answers (it stays in cache).
        let spun_pairs = if level.is_some_and(|level| TRIGGER_LEVELS[level] >= OFTEN_SEEN) {
            model.often_spun_pairs.as_ref()
        } else {
            model.spun_pairs.as_ref()
        };
        let may_restore = |probe: Option<PairProbe>| probe.is_some_and(|p| p.test(spun_pairs));
        for &(t, left, right) in &probes {
            let hashed = may_restore(left) || may_restore(right);
            if !hashed && !evidence.proposes {
                continue;
            }
            let trigger = word(t);
            let originals = model.originals(&trigger);
            if originals.is_empty() {
                continue;
            }
            if !hashed {
                let forms = |kept: String| -> Vec<String> {
                    let mut forms: Vec<String> = model
                        .originals(&kept)
                        .iter()
                        .map(|swap| swap.original.clone())
                        .collect();
                    forms.push(kept);
                    forms
                };
                let left = if t > 0 && joined(t - 1) {
                    forms(word(t - 1))
                } else {
                    Vec::new()
                };
                let right = if t + 1 < count && joined(t) {
                    forms(word(t + 1))
                } else {
                    Vec::new()
                };
                let useful = originals.iter().any(|swap| {
                    let o = &swap.original;
                    left.iter().any(|l| evidence.may_contain_pair(l, o))
                        || right.iter().any(|r| evidence.may_contain_pair(o, r))
                });
                if !useful {
                    continue;
                }
            }
            // The words around the trigger, normalised once for all its
            // windows.
            let from = t.saturating_sub(MAX_WINDOW - 1);
            let to = (t + MAX_WINDOW).min(count);
            let near: Vec<String> = (from..to)
                .map(|i| if i == t { trigger.clone() } else { word(i) })
                .collect();
            // A term may hold a possessive before its last word
            // ("parkinson's disease"); the trigger's own swaps are of its
            // stem, so only other words are read with theirs.
            let possessive: Vec<Option<String>> = (from..to)
                .map(|i| {
                    (i != t && segment.tokens[i].has_possessive())
                        .then(|| with_possessive(segment, i))
                })
                .collect();
            let left = |i: usize| possessive[i].as_ref().unwrap_or(&near[i]);
            // Which neighbouring pairs, as written, may restore to a pair
            // of a strong term. A window restores to a strong term only if
            // all its pairs may, except those next to the one word a
            // thesaurus completion may fill; document evidence can make
            // any pair.
            let restorable: Vec<bool> = (1..near.len())
                .map(|i| model.may_restore_pair(left(i - 1), &near[i]))
                .collect();
            let kept: Vec<bool> = (1..near.len())
                .map(|i| model.may_be_term(&[left(i - 1), &near[i]]))
                .collect();
            // Whether a window may restore to a strong term, and which of
            // its words a thesaurus completion may fill: with document
            // evidence, any; otherwise none, and every pair must pass.
            let promising = |first: usize, last: usize| -> Option<Vec<usize>> {
                if evidence.proposes {
                    return Some((0..=last - first).collect());
                }
                let pairs = first - from..last - from;
                (pairs.clone().any(|i| restorable[i])
                    && pairs.clone().all(|i| restorable[i] || kept[i]))
                .then(Vec::new)
            };
            for first in from..=t {
                for last in t.max(first + 1)..(first + longest).min(count) {
                    // Each window once: from its first trigger.
                    if last_trigger.is_some_and(|p| p >= first) {
                        continue;
                    }
                    let Some(open) = promising(first, last) else {
                        continue;
                    };
                    let window = Window { first, last };
                    let written = &near[first - from..=last - from];
                    let with_possessives: Vec<String>;
                    let words = if possessive[first - from..last - from]
                        .iter()
                        .any(Option::is_some)
                    {
                        with_possessives = (first..=last)
                            .map(|i| {
                                if i < last {
                                    left(i - from)
                                } else {
                                    &near[i - from]
                                }
                                .clone()
                            })
                            .collect();
                        &with_possessives[..]
                    } else {
                        written
                    };
                    // A run whose every pair may be a term's is often a
                    // term itself ("economic growth"): one lookup settles it.
                    if (first..last).all(|i| kept[i - from])
                        && model.term(&words.join(" ")).is_some()
                    {
                        continue;
                    }
                    if let Some(edit) =
                        guess_window(model, segment, &window, words, &open, &evidence)
                    {
                        found.push(edit);
                    }
                }
            }
            last_trigger = Some(t);
        }
    }
    // The document's own fingerprints are searched for in short documents
    // that show enough known spin to count as spun: elsewhere their
    // guesses could not be applied, and a longer text writes many pairs of
    // linked runs for its own reasons ("similar results", "same results").
    if evidence.proposes && spun && document.words() <= SHORT_DOCUMENT_WORDS {
        for segment in segments {
            document_pairs(model, segment, &mut found);
        }
    }
    // Guesses that will be applied first, the ones that undo more swaps
    // first among them (a whole term over a part of it), then the best
    // scores; none may overlap an edit already found or a guess before it.
    let rank = |edit: &Edit| match &edit.origin {
        Origin::Guess(reason) => (
            reason.score() >= threshold,
            reason.swaps.len(),
            reason.score_milli,
        ),
        _ => (false, 0, 0),
    };
    found.sort_by(|a, b| {
        rank(b)
            .cmp(&rank(a))
            .then(a.range.start.cmp(&b.range.start))
    });
    let mut occupied = Occupied::default();
    for edit in taken {
        occupied.insert(edit.range.clone());
    }
    let mut kept: Vec<Edit> = Vec::new();
    for guess in found {
        if !occupied.overlaps(&guess.range) {
            occupied.insert(guess.range.clone());
            kept.push(guess);
        }
    }
    kept.sort_by_key(|e| e.range.start);
    kept
}

/// Byte ranges already taken by edits, merged where they touch, so that
/// whether a new range overlaps one is a look-up of its neighbour, not a
/// pass over every edit (which made a document full of guesses quadratic).
#[derive(Default)]
struct Occupied {
    /// Start to end of disjoint ranges.
    ranges: std::collections::BTreeMap<usize, usize>,
}

impl Occupied {
    fn overlaps(&self, range: &std::ops::Range<usize>) -> bool {
        // The last range that starts before this one ends is the only one
        // that can reach into it: the ranges are disjoint.
        self.ranges
            .range(..range.end)
            .next_back()
            .is_some_and(|(_, &end)| end > range.start)
    }

    fn insert(&mut self, range: std::ops::Range<usize>) {
        let (mut start, mut end) = (range.start, range.end);
        // Merge with every range that overlaps or touches it.
        while let Some((&s, &e)) = self.ranges.range(..=end).next_back() {
            if e < start {
                break;
            }
            start = start.min(s);
            end = end.max(e);
            self.ranges.remove(&s);
        }
        self.ranges.insert(start, end);
    }
}

/// How a word of a window is restored.
#[derive(Clone, Debug, PartialEq)]
enum Choice<'m> {
    Keep,
    /// A learned swap.
    Learned(&'m LearnedSwap),
    /// A thesaurus synonym that completes a term, in a window that also
    /// has a learned swap.
    Thesaurus(String),
}

impl Choice<'_> {
    fn word<'a>(&'a self, kept: &'a str) -> &'a str {
        match self {
            Choice::Keep => kept,
            Choice::Learned(swap) => &swap.original,
            Choice::Thesaurus(original) => original,
        }
    }

    fn confidence(&self) -> f64 {
        match self {
            Choice::Keep => 1.0,
            Choice::Learned(swap) => swap.confidence(),
            // As sure as a swap seen once.
            Choice::Thesaurus(_) => swap_confidence(1),
        }
    }
}

/// The best restoration found so far for a window.
struct Best<'m> {
    score: f64,
    choices: Vec<Choice<'m>>,
    sources: u64,
    in_document: bool,
    restored: String,
}

/// The best guess for one window, if any.
fn guess_window(
    model: &GuessModel,
    segment: &Segment<'_>,
    window: &Window,
    words: &[String],
    open: &[usize],
    document: &Evidence<'_>,
) -> Option<Edit> {
    let Window { first, last } = *window;
    // Whole words only: not inside a hyphenated compound, across plain
    // spaces or hyphens; a possessive before the last word only as part
    // of the term ("parkinson's disease"), where it is kept as written.
    if first > 0 && segment.gaps[first - 1] == Gap::Hyphen
        || segment.gaps.get(last) == Some(&Gap::Hyphen)
        || segment.gaps[first..last]
            .iter()
            .any(|g| !matches!(g, Gap::Space | Gap::Hyphen))
        || (first..last).any(|t| {
            segment.tokens[t].has_possessive() && words[t - first] != with_possessive(segment, t)
        })
    {
        return None;
    }
    if words
        .iter()
        .any(|w| w.is_empty() || !w.bytes().any(|b| b.is_ascii_alphabetic()))
    {
        return None;
    }
    // A term starts and ends with a content word: "taught a" is a web
    // bigram, not a term.
    let function = |w: &String| NameRules::embedded().is_function_word(w);
    if function(&words[0]) || function(&words[words.len() - 1]) {
        return None;
    }
    let options: Vec<Vec<Choice<'_>>> = words
        .iter()
        .map(|w| {
            let mut list = vec![Choice::Keep];
            list.extend(model.originals(w).iter().map(Choice::Learned));
            list
        })
        .collect();
    // Every combination of learned swaps that may be a term, pruned by the
    // term-pair filter as it goes.
    let mut found: Vec<Vec<Choice<'_>>> = Vec::new();
    search(
        model,
        document,
        words,
        &options,
        None,
        &mut Vec::new(),
        &mut found,
    );
    let completable = words.len() > 2 && !open.is_empty();
    if found.is_empty() && !completable {
        return None;
    }
    let spun = words.join(" ");
    // An established phrase is not spun, whatever its words.
    if model.term(&spun).is_some() {
        return None;
    }
    let mut best: Option<Best<'_>> = None;
    for choices in found {
        consider(model, words, document, choices, &mut best);
    }
    // With a learned swap in place, one kept word may be a thesaurus
    // synonym of a term's word: "regular language processing", where
    // "handling" was undone, is the term "natural language processing".
    if completable {
        for &slot in open {
            let mut partial: Vec<Vec<Choice<'_>>> = Vec::new();
            search(
                model,
                document,
                words,
                &options,
                Some(slot),
                &mut Vec::new(),
                &mut partial,
            );
            for choices in partial {
                if !choices.iter().any(|c| matches!(c, Choice::Learned(..))) {
                    continue;
                }
                let pattern: Vec<&str> = choices
                    .iter()
                    .zip(words)
                    .enumerate()
                    .map(|(i, (c, kept))| if i == slot { "_" } else { c.word(kept) })
                    .collect();
                for candidate in model.fill(&pattern) {
                    if candidate != words[slot]
                        && NameRules::embedded().lists(&candidate, &words[slot])
                    {
                        let mut completed = choices.clone();
                        completed[slot] = Choice::Thesaurus(candidate);
                        consider(model, words, document, completed, &mut best);
                    }
                }
            }
        }
    }
    let best = best?;
    let swapped: Vec<usize> = best
        .choices
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != Choice::Keep)
        .map(|(i, _)| i)
        .collect();
    // The edit covers the swapped words only, keeping everything between.
    let from = *swapped.first()? + first;
    let to = *swapped.last()? + first;
    let (range, replacement) =
        replace_words(segment, from, to, |t| match &best.choices[t - first] {
            Choice::Keep => None,
            choice => Some(choice.word("")),
        });
    let swaps = swapped
        .iter()
        .map(|&i| match &best.choices[i] {
            Choice::Learned(swap) => (
                words[i].clone(),
                swap.original.clone(),
                swap.seen,
                swap.false_alarms,
            ),
            Choice::Thesaurus(original) => (words[i].clone(), original.clone(), 0, 0),
            Choice::Keep => unreachable!("filtered above"),
        })
        .collect();
    Some(Edit {
        range,
        replacement,
        origin: Origin::Guess(Box::new(GuessReason {
            spun,
            restored: best.restored,
            swaps,
            sources: best.sources,
            in_document: best.in_document,
            score_milli: (best.score.clamp(0.0, 1.0) * 1000.0).round() as u16,
        })),
        level: Level::Guess,
        applied: false,
    })
}

/// Token `t` of a segment in normalised form, without its possessive.
fn normalized(segment: &Segment<'_>, t: usize) -> String {
    let token = segment.tokens[t];
    normalize_text(&segment.text[token.start..token.stem_end])
}

/// Token `t` normalised with its possessive ("parkinson's"), as a term
/// of the lexicon writes it.
fn with_possessive(segment: &Segment<'_>, t: usize) -> String {
    let token = segment.tokens[t];
    normalize_text(&segment.text[token.start..token.end])
}

/// A word in normalised form: lower case, every apostrophe as `'`.
fn normalize_text(word: &str) -> String {
    let mut bytes = Vec::with_capacity(word.len());
    normalize_word(word, |b| {
        bytes.push(b);
        true
    });
    String::from_utf8(bytes).unwrap_or_default()
}

/// The longest runs compared as document pairs: four words hold a term of
/// three with a function word ("separated into two groups") or a term of
/// four ("estimated glomerular filtration rate").
const DOCUMENT_PAIR_WORDS: usize = 4;

/// The document's own fingerprints, generalised from the screener's
/// `"x" AND "y"` rows: a run of two to four words that is not a term,
/// while the document elsewhere writes a run of the same length whose
/// differing words are each linked to the run's word (the thesaurus lists
/// one under the other, or a learned swap goes that way). "profound
/// learning" in a paper that also writes "deep learning", "peculiarity
/// discovery" beside "anomaly detection": the spinner replaced the words
/// of one use and missed the other. Only asked in short documents that
/// count as spun.
fn document_pairs(model: &GuessModel, segment: &Segment<'_>, found: &mut Vec<Edit>) {
    let rules = NameRules::embedded();
    let count = segment.tokens.len();
    let words: Vec<String> = (0..count).map(|t| normalized(segment, t)).collect();
    // Runs of two to four words that a term could be: joined by spaces or
    // hyphens, no possessive inside, not inside a hyphenated compound,
    // content words at both ends.
    let is_run = |first: usize, size: usize| {
        let last = first + size - 1;
        last < count
            && (first..last).all(|i| {
                matches!(segment.gaps[i], Gap::Space | Gap::Hyphen)
                    && !segment.tokens[i].has_possessive()
            })
            && (first == 0 || segment.gaps[first - 1] != Gap::Hyphen)
            && segment.gaps.get(last) != Some(&Gap::Hyphen)
            && !rules.is_function_word(&words[first])
            && !rules.is_function_word(&words[last])
            && words[first..=last]
                .iter()
                .all(|w| w.bytes().any(|b| b.is_ascii_alphabetic()))
    };
    let mut at: HashMap<&str, Vec<usize>> = HashMap::new();
    for (t, word) in words.iter().enumerate() {
        at.entry(word.as_str()).or_default().push(t);
    }
    // The thesaurus links a word to another in either direction: "movement"
    // lists "transfer", though "transfer" does not list "movement". Each
    // content word's list is read once, and kept where it names another
    // word of this document.
    let mut lists: HashMap<&str, Vec<String>> = HashMap::new();
    let mut listed_by: HashMap<&str, Vec<&str>> = HashMap::new();
    for (word, _) in at.iter() {
        if rules.is_function_word(word) || !word.bytes().any(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        let list = listed_under_inflected(rules, word);
        for synonym in &list {
            if let Some((&listed, _)) = at.get_key_value(synonym.as_str()) {
                listed_by.entry(listed).or_default().push(word);
            }
        }
        lists.insert(word, list);
    }
    // The words a spinner may write for a word: its thesaurus synonyms and
    // learned spun forms, looked up once per distinct word.
    let mut synonyms: HashMap<&str, HashSet<String>> = HashMap::new();
    for size in 2..=DOCUMENT_PAIR_WORDS {
        for original_at in 0..count {
            if !is_run(original_at, size) {
                continue;
            }
            let original = &words[original_at..original_at + size];
            for word in original {
                synonyms.entry(word.as_str()).or_insert_with(|| {
                    // Each list is read once: the content words' above.
                    let list = lists.remove(word.as_str());
                    let mut forms: HashSet<String> = list
                        .unwrap_or_else(|| listed_under_inflected(rules, word))
                        .into_iter()
                        .collect();
                    forms.extend(model.spun_forms(word).iter().cloned());
                    let listing = listed_by.get(word.as_str()).map_or(&[][..], Vec::as_slice);
                    forms.extend(listing.iter().map(|w| w.to_string()));
                    forms.remove(word.as_str());
                    forms
                });
            }
            // Where the document writes a word of the first slot's forms
            // (itself included), and then the rest of a run whose words
            // are the original's or their forms.
            let firsts = std::iter::once(original[0].as_str())
                .chain(synonyms[original[0].as_str()].iter().map(String::as_str));
            for first_form in firsts {
                for &spun_at in at.get(first_form).map_or(&[][..], Vec::as_slice) {
                    // The forms are distinct words, so each run is met once.
                    if spun_at == original_at || !is_run(spun_at, size) {
                        continue;
                    }
                    let spun = &words[spun_at..spun_at + size];
                    let linked = (0..size).all(|i| {
                        spun[i] == original[i]
                            || synonyms[original[i].as_str()].contains(&spun[i])
                                && !inflection(&spun[i], &original[i])
                                && !rules.is_function_word(&spun[i])
                                && !rules.is_function_word(&original[i])
                    });
                    if !linked || spun == original {
                        continue;
                    }
                    if let Some(edit) = document_pair(model, segment, spun_at, spun, original) {
                        found.push(edit);
                    }
                }
            }
        }
    }
}

/// The words the thesaurus lists under `word`, and, for an inflected word
/// ("specks", "sensing"), the words it lists under the word's stem,
/// inflected the same way: the thesaurus lists stems ("speck": "dot"),
/// and a spinner inflects what it puts in ("quantum specks" for "quantum
/// dots"). A guessed stem that is no word ("specke") finds nothing, so
/// every reading of the ending is tried.
fn listed_under_inflected(rules: &NameRules, word: &str) -> Vec<String> {
    let mut list = rules.listed_under(word);
    for (ending, stems) in [
        ("ies", &["y"][..]),
        ("es", &["", "e"]),
        ("s", &[""]),
        ("ing", &["", "e"]),
        ("ed", &["", "e"]),
    ] {
        let Some(root) = word.strip_suffix(ending) else {
            continue;
        };
        if root.len() < 3 {
            continue;
        }
        for stem in stems {
            let lemma = format!("{root}{stem}");
            for synonym in rules.listed_under(&lemma) {
                if synonym.contains(' ') {
                    continue;
                }
                list.push(inflect(&synonym, ending));
            }
        }
    }
    list.sort_unstable();
    list.dedup();
    list
}

/// `word` with an ending of [`listed_under_inflected`]: "dot" + "s" is
/// "dots", "box" + "s" is "boxes", "study" + "s" is "studies", "sense" +
/// "ing" is "sensing".
fn inflect(word: &str, ending: &str) -> String {
    match ending {
        "ies" | "es" | "s" => {
            if let Some(root) = word
                .strip_suffix('y')
                .filter(|r| !r.ends_with(['a', 'e', 'o', 'u']))
            {
                format!("{root}ies")
            } else if ["s", "x", "z", "ch", "sh"]
                .iter()
                .any(|e| word.ends_with(e))
            {
                format!("{word}es")
            } else {
                format!("{word}s")
            }
        }
        _ => match word.strip_suffix('e') {
            Some(root) if !root.is_empty() => format!("{root}{ending}"),
            _ => format!("{word}{ending}"),
        },
    }
}

/// The edit for tokens `from..=to` of a segment: each word that `original`
/// gives is replaced (its case transferred), every other word and the text
/// between words kept as written. Returns the byte range in the document
/// and the replacement.
fn replace_words<'o>(
    segment: &Segment<'_>,
    from: usize,
    to: usize,
    original: impl Fn(usize) -> Option<&'o str>,
) -> (std::ops::Range<usize>, String) {
    let start = segment.tokens[from].start;
    let end = segment.tokens[to].stem_end;
    let mut replacement = String::new();
    let mut at = start;
    for t in from..=to {
        let token = segment.tokens[t];
        replacement.push_str(&segment.text[at..token.start]);
        let text = &segment.text[token.start..token.stem_end];
        match original(t) {
            Some(word) => replacement.push_str(&transfer_case(text, word)),
            None => replacement.push_str(text),
        }
        at = token.stem_end;
    }
    (segment.offset + start..segment.offset + end, replacement)
}

/// Whether two words are forms of one word ("numbers"/"number",
/// "polymeric"/"polymer"): the thesaurus lists some, but a text that uses
/// both is writing grammar, not spinning. The rule of `tools/gen_guess.py`.
fn inflection(a: &str, b: &str) -> bool {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    common >= 4 && common + 3 >= a.len().min(b.len())
}

/// Why one of two linked runs is taken for the spinner's and the other
/// for the original. A thesaurus link alone has no direction: the right
/// term in a keyword line would be "restored" to the spun one.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Direction {
    /// Every changed word is a learned swap.
    Learned,
    /// The original is an established term and the spun run is not (with
    /// no word in common, a strong term and a learned swap for one word).
    Term,
    /// Each changed word of the spun run is a spinner's habit word, and
    /// each word it replaced one that spinners replace
    /// ([`GuessModel::is_habit_pair`]).
    Habit,
}

/// The guess for a spun run at `spun_at` whose original the document
/// writes elsewhere, if the evidence says which of the two is the
/// spinner's.
fn document_pair(
    model: &GuessModel,
    segment: &Segment<'_>,
    spun_at: usize,
    spun: &[String],
    original: &[String],
) -> Option<Edit> {
    let spun_run = spun.join(" ");
    if model.term(&spun_run).is_some() {
        return None;
    }
    let changed: Vec<usize> = (0..spun.len())
        .filter(|&i| spun[i] != original[i])
        .collect();
    let learned: Vec<Option<&LearnedSwap>> = changed
        .iter()
        .map(|&i| {
            model
                .originals(&spun[i])
                .iter()
                .find(|swap| swap.original == original[i])
        })
        .collect();
    let restored = original.join(" ");
    let (sources, web) = model.term(&restored).unwrap_or((0, 0));
    // A run with no word in common with the other is linked only by
    // synonyms, which two unrelated phrases can be ("counterfeit
    // intelligence", "similar data"): then a change must be a learned swap,
    // and the other run an established term unless every change is one. A
    // web bigram is not enough there; many chance pairs of synonyms are.
    let anchored = changed.len() < spun.len();
    let direction = if learned.iter().all(Option::is_some) {
        Direction::Learned
    } else if anchored && sources & (STRONG_SOURCES | SOURCE_WEB) != 0
        || learned.iter().any(Option::is_some) && sources & STRONG_SOURCES != 0
    {
        Direction::Term
    } else if anchored
        && changed
            .iter()
            .all(|&i| model.is_habit_pair(&spun[i], &original[i]))
    {
        Direction::Habit
    } else {
        return None;
    };
    let term = match direction {
        Direction::Habit => HABIT_TERM_CONFIDENCE,
        Direction::Learned if sources & STRONG_SOURCES == 0 => 0.8,
        _ => term_confidence(sources, web),
    };
    // Each link as sure as a swap seen that often, a thesaurus link as
    // one seen once; several links count as their geometric mean.
    let swap = learned
        .iter()
        .map(|swap| swap.map_or(swap_confidence(1), LearnedSwap::confidence))
        .product::<f64>()
        .powf(1.0 / changed.len() as f64);
    // The document's own pair of runs is the fingerprint.
    let score = 1.0 - (1.0 - term * swap) * 0.5;
    let (from, to) = (spun_at + changed[0], spun_at + changed[changed.len() - 1]);
    let (range, replacement) = replace_words(segment, from, to, |t| {
        let i = t - spun_at;
        (spun[i] != original[i]).then_some(original[i].as_str())
    });
    Some(Edit {
        range,
        replacement,
        origin: Origin::Guess(Box::new(GuessReason {
            spun: spun_run,
            restored,
            swaps: changed
                .iter()
                .zip(&learned)
                .map(|(&i, swap)| {
                    let (seen, false_alarms) = swap.map_or((0, 0), |s| (s.seen, s.false_alarms));
                    (spun[i].clone(), original[i].clone(), seen, false_alarms)
                })
                .collect(),
            sources: sources | SOURCE_DOCUMENT,
            in_document: true,
            score_milli: (score.clamp(0.0, 1.0) * 1000.0).round() as u16,
        })),
        level: Level::Guess,
        applied: false,
    })
}

/// Scores one restoration of a window and keeps it if it is the best yet.
fn consider<'m>(
    model: &GuessModel,
    words: &[String],
    document: &Evidence<'_>,
    choices: Vec<Choice<'m>>,
    best: &mut Option<Best<'m>>,
) {
    let restored_words: Vec<&str> = choices
        .iter()
        .zip(words)
        .map(|(choice, kept)| choice.word(kept))
        .collect();
    let restored = restored_words.join(" ");
    let (mut sources, count) = model.term(&restored).unwrap_or((0, 0));
    let in_doc = document.contains(&restored);
    // The document's own phrases count as terms only when they are short
    // runs of content words: "ask you to support" is not a term.
    let rules = NameRules::embedded();
    if in_doc
        && (sources & STRONG_SOURCES != 0
            || restored_words.len() <= 3
                && !restored_words.iter().any(|w| rules.is_function_word(w)))
    {
        sources |= SOURCE_DOCUMENT;
    }
    if sources & (STRONG_SOURCES | SOURCE_DOCUMENT) == 0 {
        return;
    }
    let mut score = term_confidence(sources, count);
    if sources & STRONG_SOURCES == 0 {
        // A phrase only this document uses is a term of it in an abstract;
        // a longer text pairs its content words in many ways.
        score *= document.weight / FULL_DOCUMENT_WEIGHT;
    }
    for choice in &choices {
        score *= choice.confidence();
    }
    // An established term that the document also uses elsewhere is nearly
    // certain; a phrase only the document uses is its own evidence already.
    if sources & SOURCE_DOCUMENT != 0 && sources & STRONG_SOURCES != 0 {
        score = with_document_boost(score, document.weight);
    }
    if best.as_ref().is_none_or(|b| score > b.score) {
        *best = Some(Best {
            score,
            choices,
            sources,
            in_document: sources & SOURCE_DOCUMENT != 0,
            restored,
        });
    }
}

/// Depth-first search over the choices for each word of a window, keeping
/// the combinations with at least one swap whose neighbouring words may be
/// in a term. The word at `open` (if any) is left kept and unchecked, for a
/// later thesaurus completion.
#[allow(clippy::too_many_arguments)]
fn search<'m>(
    model: &GuessModel,
    document: &Evidence<'_>,
    words: &[String],
    options: &[Vec<Choice<'m>>],
    open: Option<usize>,
    chosen: &mut Vec<Choice<'m>>,
    out: &mut Vec<Vec<Choice<'m>>>,
) {
    let at = chosen.len();
    if at == words.len() {
        if chosen.iter().any(|c| *c != Choice::Keep) {
            out.push(chosen.clone());
        }
        return;
    }
    let slot_options: &[Choice<'m>] = if open == Some(at) {
        &options[at][..1]
    } else {
        &options[at]
    };
    for choice in slot_options {
        if at > 0 && open != Some(at) && open != Some(at - 1) {
            let previous = chosen[at - 1].word(&words[at - 1]);
            let current = choice.word(&words[at]);
            if !model.may_be_term(&[previous, current])
                && !document.may_contain_pair(previous, current)
            {
                continue;
            }
        }
        chosen.push(choice.clone());
        search(model, document, words, options, open, chosen, out);
        chosen.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_follow_english_spelling() {
        for (word, ending, inflected) in [
            ("dot", "s", "dots"),
            ("box", "es", "boxes"),
            ("study", "ies", "studies"),
            ("day", "s", "days"),
            ("sense", "ing", "sensing"),
            ("detect", "ing", "detecting"),
            ("label", "ed", "labeled"),
            ("store", "ed", "stored"),
        ] {
            assert_eq!(inflect(word, ending), inflected);
        }
    }

    #[test]
    fn embedded_model_loads() {
        let model = GuessModel::embedded();
        let (swaps, terms) = model.size();
        assert!(swaps > 100 && terms > 1000, "{model:?}");
    }

    #[test]
    fn occupied_ranges_answer_overlaps_as_a_scan_would() {
        let taken = [3..5, 10..20, 15..25, 30..31, 40..40];
        let mut occupied = Occupied::default();
        for range in &taken {
            occupied.insert(range.clone());
        }
        for start in 0..45 {
            for end in start..46 {
                let scan = taken.iter().any(|r| r.start < end && start < r.end);
                assert_eq!(occupied.overlaps(&(start..end)), scan, "{start}..{end}");
            }
        }
    }

    #[test]
    fn thresholds_rise_without_known_spin() {
        let spun = guess_threshold(0.5, 5, true);
        let some = guess_threshold(0.5, 1, false);
        let none = guess_threshold(0.5, 0, false);
        assert!(spun < some && some < none && none < 1.0);
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
