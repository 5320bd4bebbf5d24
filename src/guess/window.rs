//! The window search: for each run of up to four words with a learned
//! spun word, undo swaps and keep the best restoration that is an
//! established term while the spun run is not.

use crate::edit::{Edit, Origin};
use crate::find::names::NameRules;
use crate::guess::format::{OFTEN_SEEN, SOURCE_DOCUMENT, STRONG_SOURCES};
use crate::guess::model::*;
use crate::guess::pairs::*;
use crate::guess::score::*;
use crate::level::Level;
use crate::reason::GuessReason;
use crate::text::hash::PairProbe;
use crate::text::segment::Segment;
use crate::text::tokenize::{normalize_word, Gap};

/// The longest run of words considered, as in the longest terms.
const MAX_WINDOW: usize = 4;

/// The most originals tried for one spun word, the surest first.
pub(crate) const ORIGINALS_PER_WORD: usize = 8;

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
/// fully as evidence: in longer texts, fingerprints are mostly the author's
/// own pairs of phrases (`docs/measurements.md`).
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
    let search = Search::new(model, document, prior);
    let mut found: Vec<Edit> = Vec::new();
    let mut probes = Vec::new();
    for segment in segments {
        search.segment(segment, &mut probes, &mut found);
    }
    // The document's own fingerprints are searched for in short documents
    // that show enough known spin to count as spun: elsewhere their
    // guesses could not be applied, and a longer text writes many pairs of
    // linked runs for its own reasons ("similar results", "same results").
    if search.evidence.proposes && prior.spun && document.words() <= SHORT_DOCUMENT_WORDS {
        for segment in segments {
            document_pairs(model, segment, &mut found);
        }
    }
    // Guesses that will be applied first, the ones that undo more swaps
    // first among them (a whole term over a part of it), then the best
    // scores; none may overlap an edit already found or a guess before it.
    let threshold = prior.threshold;
    let rank = |edit: &Edit| match &edit.origin {
        Origin::Guess(reason) => (
            reason.score() >= threshold,
            reason.swaps.len(),
            reason.score_milli,
        ),
        _ => (false, 0, 0),
    };
    crate::edit::keep_apart(taken, found, |a, b| {
        rank(b)
            .cmp(&rank(a))
            .then(a.range.start.cmp(&b.range.start))
    })
}

/// A spun-looking word that passed the trigger filter, with the probes of
/// the pairs it forms with its neighbours as written.
type Probe = (usize, Option<PairProbe>, Option<PairProbe>);

/// What the window search of one document needs to know, decided once.
struct Search<'a> {
    model: &'a GuessModel,
    evidence: Evidence<'a>,
    /// The trigger level: the spun words whose surest swap can still give
    /// a score at the floor. None when the floor is above every score.
    level: Option<usize>,
    /// The longest window tried.
    longest: usize,
}

impl<'a> Search<'a> {
    fn new(model: &'a GuessModel, document: &'a dyn Document, prior: &Prior) -> Search<'a> {
        let words = document.words();
        let weight = if words <= DOCUMENT_EVIDENCE_MAX_WORDS {
            document_weight(words)
        } else {
            0.0
        };
        let evidence = Evidence {
            document: (words <= DOCUMENT_EVIDENCE_MAX_WORDS).then_some(document),
            // The document's phrases propose restorations of their own in a
            // short document with known spin: in a longer one a phrase only
            // it uses is worth little (see `consider`), and the search
            // costs much (every window of four words, thesaurus
            // completions).
            proposes: prior.known_spin && words <= SHORT_DOCUMENT_WORDS,
            weight,
        };
        // A swap worth fewer sightings than a level's count cannot reach
        // the floor; the fingerprints are searched even without a level.
        let floor = prior.floor;
        let level = (floor <= best_score(1.0, evidence.weight)).then(|| {
            TRIGGER_LEVELS
                .iter()
                .rposition(|&seen| {
                    seen == 1 || best_score(swap_confidence(seen - 1), evidence.weight) < floor
                })
                .unwrap_or(0)
        });
        // Without document evidence (a long text), only runs of two or
        // three words are tried, and no thesaurus completion: the longer
        // searches find little that a lexicon alone can confirm.
        let longest = if evidence.proposes {
            MAX_WINDOW
        } else {
            MAX_WINDOW - 1
        };
        Search {
            model,
            evidence,
            level,
            longest,
        }
    }

    /// Searches one segment, adding its guesses to `found`.
    fn segment(&self, segment: &Segment<'_>, probes: &mut Vec<Probe>, found: &mut Vec<Edit>) {
        // Undoing a swap helps only if a spun-looking word and a
        // neighbour, as written, may restore to a pair of a strong term (or,
        // in a short document, to a pair the document uses). Most words end
        // at this test, done on the words' hashes. It runs in two passes,
        // probes first and filter reads after, so that the reads' cache
        // misses overlap instead of following one another.
        probes.clear();
        let Some(level) = self.level else {
            return;
        };
        self.probe(segment, level, probes);
        // From the level of often seen swaps on, their own small filter
        // answers (it stays in cache).
        let spun_pairs = if TRIGGER_LEVELS[level] >= OFTEN_SEEN {
            self.model.often_spun_pairs.as_ref()
        } else {
            self.model.spun_pairs.as_ref()
        };
        let may_restore = |probe: Option<PairProbe>| probe.is_some_and(|p| p.test(spun_pairs));
        let mut last_trigger: Option<usize> = None;
        for &(t, left, right) in probes.iter() {
            let hashed = may_restore(left) || may_restore(right);
            if !hashed && !self.evidence.proposes {
                continue;
            }
            let trigger = normalized(segment, t);
            let originals = self.model.originals(&trigger);
            if originals.is_empty() || !hashed && !self.pairs_in_document(segment, t, originals) {
                continue;
            }
            self.around(segment, t, trigger, last_trigger, found);
            last_trigger = Some(t);
        }
    }

    /// The words of `segment` that pass the trigger filter of `level`,
    /// with the probes of their pairs.
    fn probe(&self, segment: &Segment<'_>, level: usize, probes: &mut Vec<Probe>) {
        let count = segment.tokens.len();
        let hashes = &segment.hashes;
        let joined = |i: usize| matches!(segment.gaps[i], Gap::Space | Gap::Hyphen);
        // Function-word neighbours ("the state of") pair with almost
        // anything; a term needs a content word next to the swap.
        let content = |i: usize| !self.model.may_be_function_word(hashes[i].stem);
        let triggers = self.model.triggers(level);
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

    /// Whether an original of the trigger at `t`, next to a neighbour as
    /// written or restored, may make a pair that the document uses.
    fn pairs_in_document(
        &self,
        segment: &Segment<'_>,
        t: usize,
        originals: &[LearnedSwap],
    ) -> bool {
        let count = segment.tokens.len();
        let joined = |i: usize| matches!(segment.gaps[i], Gap::Space | Gap::Hyphen);
        let forms = |kept: String| -> Vec<String> {
            let mut forms: Vec<String> = self
                .model
                .originals(&kept)
                .iter()
                .map(|swap| swap.original.clone())
                .collect();
            forms.push(kept);
            forms
        };
        let left = if t > 0 && joined(t - 1) {
            forms(normalized(segment, t - 1))
        } else {
            Vec::new()
        };
        let right = if t + 1 < count && joined(t) {
            forms(normalized(segment, t + 1))
        } else {
            Vec::new()
        };
        originals.iter().any(|swap| {
            let o = &swap.original;
            left.iter().any(|l| self.evidence.may_contain_pair(l, o))
                || right.iter().any(|r| self.evidence.may_contain_pair(o, r))
        })
    }

    /// Tries every window around the trigger at `t` that no earlier
    /// trigger (at `last_trigger`) tried.
    fn around(
        &self,
        segment: &Segment<'_>,
        t: usize,
        trigger: String,
        last_trigger: Option<usize>,
        found: &mut Vec<Edit>,
    ) {
        let near = Neighbourhood::new(self.model, segment, t, trigger);
        let count = segment.tokens.len();
        for first in near.from..=t {
            // Each window once: from its first trigger.
            if last_trigger.is_some_and(|p| p >= first) {
                continue;
            }
            for last in t.max(first + 1)..(first + self.longest).min(count) {
                let Some(open) = near.promising(first, last, self.evidence.proposes) else {
                    continue;
                };
                let words = near.words(first, last);
                // A run whose every pair may be a term's is often a term
                // itself ("economic growth"): one lookup settles it.
                if (first..last).all(|i| near.kept[i - near.from])
                    && self.model.term(&words.join(" ")).is_some()
                {
                    continue;
                }
                let window = Window { first, last };
                if let Some(edit) =
                    guess_window(self.model, segment, &window, &words, &open, &self.evidence)
                {
                    found.push(edit);
                }
            }
        }
    }
}

/// The words around a trigger, normalised once for all its windows.
struct Neighbourhood {
    /// Index of the first word held.
    from: usize,
    /// The words as written, normalised.
    near: Vec<String>,
    /// A word with its possessive, where it has one and is not the
    /// trigger: a term may hold a possessive before its last word
    /// ("parkinson's disease"); the trigger's own swaps are of its stem.
    possessive: Vec<Option<String>>,
    /// Whether each neighbouring pair, as written, may restore to a pair
    /// of a strong term.
    restorable: Vec<bool>,
    /// Whether each neighbouring pair may be a term's pair as it stands.
    kept: Vec<bool>,
}

impl Neighbourhood {
    fn new(model: &GuessModel, segment: &Segment<'_>, t: usize, trigger: String) -> Neighbourhood {
        let count = segment.tokens.len();
        let from = t.saturating_sub(MAX_WINDOW - 1);
        let to = (t + MAX_WINDOW).min(count);
        let mut trigger = Some(trigger);
        let near: Vec<String> = (from..to)
            .map(|i| {
                if i == t {
                    trigger.take().unwrap_or_default()
                } else {
                    normalized(segment, i)
                }
            })
            .collect();
        let possessive: Vec<Option<String>> = (from..to)
            .map(|i| {
                (i != t && segment.tokens[i].has_possessive()).then(|| with_possessive(segment, i))
            })
            .collect();
        let left = |i: usize| possessive[i].as_ref().unwrap_or(&near[i]);
        let restorable = (1..near.len())
            .map(|i| model.may_restore_pair(left(i - 1), &near[i]))
            .collect();
        let kept = (1..near.len())
            .map(|i| model.may_be_term(&[left(i - 1), &near[i]]))
            .collect();
        Neighbourhood {
            from,
            near,
            possessive,
            restorable,
            kept,
        }
    }

    /// A word as the left word of a pair: with its possessive.
    fn left(&self, i: usize) -> &String {
        self.possessive[i].as_ref().unwrap_or(&self.near[i])
    }

    /// Whether the window `first..=last` may restore to a strong term, and
    /// which of its words a thesaurus completion may fill: with document
    /// evidence (`proposes`), any; otherwise none, and every pair must
    /// pass.
    fn promising(&self, first: usize, last: usize, proposes: bool) -> Option<Vec<usize>> {
        if proposes {
            return Some((0..=last - first).collect());
        }
        let mut pairs = first - self.from..last - self.from;
        (pairs.clone().any(|i| self.restorable[i])
            && pairs.all(|i| self.restorable[i] || self.kept[i]))
        .then(Vec::new)
    }

    /// The window's words, each but the last with its possessive.
    fn words(&self, first: usize, last: usize) -> Vec<String> {
        (first..=last)
            .map(|i| {
                let i = i - self.from;
                if i < last - self.from {
                    self.left(i).clone()
                } else {
                    self.near[i].clone()
                }
            })
            .collect()
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
        fit: None,
    })
}

/// Token `t` of a segment in normalised form, without its possessive.
pub(crate) fn normalized(segment: &Segment<'_>, t: usize) -> String {
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
