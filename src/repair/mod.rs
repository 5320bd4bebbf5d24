//! Turns text into a list of edits, and edits into repaired text.
//!
//! [`Repairer`] ties the pipeline together: tokenize each valid UTF-8 run
//! of the input, collect matcher candidates, keep the entry of each that
//! passes its level, case and document condition, resolve overlaps, and
//! carry the case of the spun text over to the replacement. Invalid UTF-8 is
//! never touched: it only separates runs, so a phrase cannot span it.

use std::ops::Range;
use std::sync::Arc;

use crate::context::candidates::Thesaurus;
use crate::context::{Bars, Decoding, Deep, LanguageModel, SentenceScorer};
use crate::dictionary::{Dictionary, Entry, Reach};
use crate::edit::{self, Edit, EntryRef, Origin};
use crate::find::condition::{Asked, ConditionCache};
use crate::find::matcher::{find_candidates, Candidate, FirstWords};
use crate::find::names::{find_name_edits, HeadingLines, NameRules, PersonForms};
use crate::find::replacement::{build_replacement, case_fits, with_repeats};
use crate::guess::{find_guesses, guess_threshold, GuessModel, Prior};
use crate::level::Level;
pub(crate) use crate::text::segment::Segment;

mod settle;

/// What a [`Repairer`] applies and reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// The least confident level that is applied, or `None` to apply
    /// nothing. `suggest` entries are never applied, whatever this says.
    pub apply: Option<Level>,
    /// The least confident level that is reported even where it is not
    /// applied, or `None` to report only the edits that are applied.
    pub report: Option<Level>,
    /// When a document shows enough spin for its `likely` entries to be
    /// applied too, or `None` to never promote them.
    pub promote: Option<SpinEvidence>,
    /// Whether to repair names from the document's own evidence.
    pub names: bool,
    /// The base score a guess must reach to be applied (see
    /// `guess::score::guess_threshold`), or `None` to make no guesses.
    pub guess: Option<f64>,
    /// What edits that are not `sure` must reach in their sentence, as the
    /// language model judges it, or `None` to decide by rule alone.
    pub context: Option<Bars>,
    /// How the context stage restores words that no list names, or `None`
    /// to restore none. It needs `context`.
    pub decoding: Option<Decoding>,
    /// How the sentence scorer (`--deep`) judges documents and chooses
    /// words, or `None` for none. It needs a scorer
    /// ([`Repairer::with_sentence_scorer`]) and `context`, and takes the
    /// place of `decoding`.
    pub deep: Option<Deep>,
}

/// The rule that promotes `likely` entries inside a spun document.
///
/// Phrases like "stated" or "keep away from" are ordinary English on their
/// own, but in a document that already contains several phrases no clean
/// text has ("this 7 days", "Residence Speaker"), they are almost surely the
/// spinner's too. A document counts as spun when it has at least
/// `min_findings` `sure` dictionary findings and at least
/// `per_thousand_words` of them per 1,000 words.
///
/// Only `sure` findings count. `likely` ones never make a document spun,
/// however many different ones it has: a clean methods paragraph may well
/// say "additionally", "utilizing", "stated" and "anticipated". Name
/// repairs do not count either, since they come from the document's own
/// words.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpinEvidence {
    /// The fewest `sure` findings that make a document spun.
    pub min_findings: usize,
    /// The lowest density of `sure` findings, per 1,000 words.
    pub per_thousand_words: f64,
}

impl Default for SpinEvidence {
    /// Three `sure` findings, at one or more per 1,000 words.
    fn default() -> SpinEvidence {
        SpinEvidence {
            min_findings: 3,
            per_thousand_words: 1.0,
        }
    }
}

impl SpinEvidence {
    /// Whether a document with `sure` findings in `words` words is spun.
    pub fn holds(&self, sure: usize, words: usize) -> bool {
        sure >= self.min_findings && self.dense(sure, words)
    }

    /// Whether `sure` findings in `words` words reach the density part of
    /// the rule, however few they are.
    pub fn dense(&self, sure: usize, words: usize) -> bool {
        sure as f64 * 1000.0 >= self.per_thousand_words * words as f64
    }
}

impl Default for Options {
    /// Applies `sure` entries (and `likely` ones in a spun document), and
    /// reports what it applies.
    fn default() -> Options {
        Options {
            apply: Some(Level::Sure),
            report: None,
            promote: Some(SpinEvidence::default()),
            names: true,
            guess: Some(crate::guess::DEFAULT_THRESHOLD),
            context: Some(Bars::default()),
            decoding: Some(Decoding::default()),
            deep: None,
        }
    }
}

impl Options {
    fn applies(&self, level: Level) -> bool {
        level != Level::Suggest && self.apply.is_some_and(|floor| level.at_least(floor))
    }

    /// Whether edits of `level` are wanted at all: reported, applied, or
    /// kept for a promotion that may apply them.
    fn reports(&self, level: Level) -> bool {
        self.report_unapplied(level)
            || self.applies(level)
            || level == Level::Likely && self.promote.is_some()
    }

    /// Whether edits of `level` are reported even when not applied.
    fn report_unapplied(&self, level: Level) -> bool {
        self.report.is_some_and(|floor| level.at_least(floor))
    }
}

/// The result of [`Repairer::repair`]: the repaired text and every edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repair {
    /// The input with the applied edits written in.
    pub text: String,
    /// Applied and report-only edits, sorted by position, with byte ranges
    /// into the input.
    pub edits: Vec<Edit>,
}

impl Repair {
    /// The edits that were written into [`Repair::text`].
    pub fn applied(&self) -> impl Iterator<Item = &Edit> {
        self.edits.iter().filter(|e| e.applied)
    }

    /// Whether the text changed.
    pub fn changed(&self) -> bool {
        self.edits.iter().any(|e| e.applied)
    }
}

/// What a scan learnt on the way that decides whether its repairs could
/// make others ([`settle::settled`]).
struct ScanFacts {
    /// The phrases whose presence in the document a condition asked
    /// about.
    asked: Vec<Asked>,
    /// [`crate::find::names::NameFindings::closest_miss`].
    closest_name_miss: usize,
    /// What the name pass learnt of the document's lines.
    headings: HeadingLines,
    /// The forms the person pass found.
    people: PersonForms,
}

/// The edits found in one input, and how many words it has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// Applied and report-only edits, sorted by position.
    pub edits: Vec<Edit>,
    /// Number of word tokens, for spin scores.
    pub words: usize,
    /// The document showed enough spin for `likely` entries to be applied.
    pub promoted: bool,
    /// The sentence scorer's verdict on the document, when `--deep` judged it.
    pub deep: Option<DeepVerdict>,
}

/// What the sentence scorer concluded about one document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeepVerdict {
    /// Content words weighed.
    pub words: usize,
    /// Mean evidence of spin per content word, in thousandths of a nat.
    pub evidence_milli: i32,
    /// Whether the document counts as spun, so its words were weighed.
    pub spun: bool,
}

/// Repairs spun text with a set of dictionaries.
///
/// ```
/// let repairer = despin::Repairer::default();
/// let repair = repairer.repair("We fit irregular woodland models this 7 days.");
/// assert_eq!(repair.text, "We fit random forest models this week.");
/// ```
#[derive(Clone, Debug)]
pub struct Repairer {
    dictionaries: Vec<Dictionary>,
    first_words: FirstWords,
    options: Options,
    guess_model: ModelRef,
    /// A language model read at run time; the embedded one when `None`.
    language_model: Option<Arc<dyn LanguageModel>>,
    /// The scorer of `--deep`, if one was given.
    sentence_scorer: Option<Arc<dyn SentenceScorer>>,
    /// How far around a match the dictionaries' entries read.
    reach: Reach,
}

/// The guesser's model: the embedded one, or one read at run time.
#[derive(Clone, Debug)]
enum ModelRef {
    /// Built on first use, so a run that makes no guess never pays for it.
    Embedded,
    Loaded(Arc<GuessModel>),
}

impl std::ops::Deref for ModelRef {
    type Target = GuessModel;

    fn deref(&self) -> &GuessModel {
        match self {
            ModelRef::Embedded => GuessModel::embedded(),
            ModelRef::Loaded(model) => model,
        }
    }
}

impl Default for Repairer {
    /// The embedded default dictionaries with default options.
    fn default() -> Repairer {
        Repairer::new(Dictionary::defaults(), Options::default())
    }
}

impl Repairer {
    /// A repairer over `dictionaries`; earlier ones win ties.
    pub fn new(dictionaries: Vec<Dictionary>, options: Options) -> Repairer {
        let reach = dictionaries
            .iter()
            .map(Dictionary::reach)
            .fold(Reach::default(), Reach::max);
        Repairer {
            first_words: FirstWords::new(&dictionaries),
            reach,
            dictionaries,
            options,
            guess_model: ModelRef::Embedded,
            language_model: None,
            sentence_scorer: None,
        }
    }

    /// Uses `model` for guesses instead of the embedded one.
    pub fn with_guess_model(mut self, model: GuessModel) -> Repairer {
        self.guess_model = ModelRef::Loaded(Arc::new(model));
        self
    }

    /// Uses `model` to judge edits in context instead of the embedded
    /// trigram model.
    pub fn with_language_model(mut self, model: Arc<dyn LanguageModel>) -> Repairer {
        self.language_model = Some(model);
        self
    }

    /// Uses `scorer` to judge documents and choose words where the options
    /// ask for `deep`.
    pub fn with_sentence_scorer(mut self, scorer: Arc<dyn SentenceScorer>) -> Repairer {
        self.sentence_scorer = Some(scorer);
        self
    }

    /// The language model that judges edits in context, if the options
    /// ask for one.
    pub fn language_model(&self) -> Option<&dyn LanguageModel> {
        self.options.context?;
        Some(match &self.language_model {
            Some(model) => model.as_ref(),
            None => crate::context::embedded(),
        })
    }

    /// The guesser's model.
    pub fn guess_model(&self) -> &GuessModel {
        &self.guess_model
    }

    /// The dictionaries, in priority order.
    pub fn dictionaries(&self) -> &[Dictionary] {
        &self.dictionaries
    }

    /// The options in force.
    pub fn options(&self) -> Options {
        self.options
    }

    /// The dictionary entry behind an edit.
    pub fn entry(&self, entry: EntryRef) -> Option<Entry<'_>> {
        self.dictionaries.get(entry.dictionary)?.entry(entry.id)
    }

    /// The name of the dictionary behind an edit, or of the rule
    /// ("names", "organisations") for document-level edits.
    pub fn source_name(&self, edit: &Edit) -> &str {
        match &edit.origin {
            Origin::Entry(entry) => self
                .dictionaries
                .get(entry.dictionary)
                .map_or("?", |d| d.name()),
            Origin::Name { .. } => "names",
            Origin::OrganisationHead { .. } => "organisations",
            Origin::Guess(_) => "guess",
            Origin::Context(_) => "context",
        }
    }

    /// Whether a dictionary phrase found in `buf` runs across byte `at`,
    /// so that cutting the text there into two documents would split it.
    /// Only the text within [`CUT_CONTEXT`] bytes of `at` is read; a place
    /// with less than that after it in `buf` counts as spanned, since the
    /// rest of a phrase may lie beyond `buf`.
    pub fn spans_cut(&self, buf: &[u8], at: usize) -> bool {
        if at >= buf.len() || buf.len() - at < CUT_CONTEXT.min(buf.len()) {
            return true;
        }
        let mut from = at.saturating_sub(CUT_CONTEXT);
        while from < at && buf[from] & 0xC0 == 0x80 {
            from += 1;
        }
        let mut to = (at + CUT_CONTEXT).min(buf.len());
        while to > at && to < buf.len() && buf[to] & 0xC0 == 0x80 {
            to -= 1;
        }
        let window = &buf[from..to];
        // The valid run of text around `at`; invalid bytes already split
        // phrases, as they split segments.
        let mut offset = from;
        for chunk in window.utf8_chunks() {
            let valid = chunk.valid();
            let end = offset + valid.len();
            if offset <= at && at <= end {
                let segment = Segment::new(0, valid);
                let mut candidates = Vec::new();
                self.candidates_in(&segment, &mut candidates);
                return candidates
                    .iter()
                    .any(|c| offset + c.start < at && at < offset + c.end);
            }
            offset = end + chunk.invalid().len();
        }
        false
    }

    /// Repairs `text`, returning the new text and every edit.
    pub fn repair(&self, text: &str) -> Repair {
        let edits = self.find_edits(text.as_bytes());
        let out = edit::applied(text.as_bytes(), &edits);
        // Valid UTF-8 with valid UTF-8 spliced in at char boundaries.
        let text = String::from_utf8(out).expect("edits keep UTF-8 valid");
        Repair { text, edits }
    }

    /// Finds the edits for `input`, which may contain invalid UTF-8.
    pub fn find_edits(&self, input: &[u8]) -> Vec<Edit> {
        self.scan(input).edits
    }

    /// Finds the edits for `input` and counts its words.
    ///
    /// The input is one document: document conditions look at all of it.
    ///
    /// A repair can make another: it can write a phrase that an entry
    /// repairs again, the phrase that another entry's condition asks for,
    /// or a name's evidence. So the repaired text is scanned again, and
    /// what that finds is folded into the edits of the input
    /// ([`edit::compose`]), until a scan finds nothing more to apply. Then
    /// a second run changes nothing. Text without applied edits, as clean
    /// text is, is scanned once.
    pub fn scan(&self, input: &[u8]) -> Scan {
        self.scan_protected(input, &[])
    }

    /// [`Repairer::scan`], where the byte ranges `protected` (code, markup,
    /// ignored lines) are no text: they split the input as invalid bytes
    /// do, so no edit touches them, no phrase runs across them, and
    /// nothing in them is evidence for conditions, spin, names or guesses.
    /// The ranges may overlap and come in any order.
    pub fn scan_protected(&self, input: &[u8], protected: &[Range<usize>]) -> Scan {
        let protected = merged(protected, input.len());
        let segments = segments_outside(input, &protected);
        let (mut scan, mut facts) = self.scan_once(&segments, true);
        for round in 1..MAX_SCANS {
            if !scan.edits.iter().any(|e| e.applied) {
                break;
            }
            // Most repairs make no other, which the words around them
            // show; a debug build rescans anyway, to prove the test right.
            let settled = round == 1 && settle::settled(self, &segments, &scan, &mut facts);
            if settled && !cfg!(debug_assertions) {
                break;
            }
            let text = edit::applied(input, &scan.edits);
            let again_segments = segments_outside(&text, &shifted(&protected, &scan.edits));
            // The sentence scorer reads a document once: it is slow, and
            // what it restored is judged by the rules on the rescan.
            let (again, _) = self.scan_once(&again_segments, false);
            let repaired_again = again.edits.iter().any(|e| e.applied);
            debug_assert!(
                !(settled && repaired_again),
                "a settled document was repaired again: {:?}",
                again.edits.iter().filter(|e| e.applied).collect::<Vec<_>>()
            );
            if !repaired_again {
                break;
            }
            scan.edits = edit::compose(input, std::mem::take(&mut scan.edits), &again.edits);
        }
        edit::agree_articles(input, &mut scan.edits, &protected);
        scan
    }

    /// One scan of the document made of `segments`; the sentence scorer
    /// reads it if `deep`.
    fn scan_once(&self, segments: &[Segment<'_>], deep: bool) -> (Scan, ScanFacts) {
        let conditions = ConditionCache::new(segments);
        let mut candidates = Vec::new();
        let mut edits = Vec::new();
        for segment in segments {
            candidates.clear();
            self.candidates_in(segment, &mut candidates);
            for candidate in &candidates {
                if let Some(edit) = self.choose(segment, candidate, &conditions) {
                    edits.push(edit);
                }
            }
        }
        let mut closest_name_miss = usize::MAX;
        let mut headings = HeadingLines::default();
        let mut people = PersonForms::default();
        if self.options.names {
            let names = find_name_edits(segments, NameRules::embedded());
            closest_name_miss = names.closest_miss;
            headings = names.headings;
            people = names.people;
            for mut edit in names.edits {
                if self.options.reports(edit.level) {
                    edit.applied = self.options.applies(edit.level);
                    edits.push(edit);
                }
            }
        }
        let words = segments.iter().map(|s| s.tokens.len()).sum();
        let model = self.language_model();
        if let (Some(model), Some(bars)) = (model, self.options.context) {
            // Only edits whose decision the context can change are
            // measured: `sure` entries and names keep the rule's, and
            // skipping them spares the model's pages in text that has
            // nothing else.
            let mut vetted: Vec<Edit> = Vec::new();
            let mut kept: Vec<Edit> = Vec::with_capacity(edits.len());
            for edit in edits {
                if needs_vetting(&edit) {
                    vetted.push(edit);
                } else {
                    kept.push(edit);
                }
            }
            crate::context::measure(model, segments, &mut vetted);
            for mut edit in vetted {
                edit.applied &= fits(&edit, bars);
                kept.push(edit);
            }
            edits = kept;
        }
        // Keep the unresolved edits only when a promotion could change them.
        let promotable = self.options.apply.is_some()
            && edits.iter().any(|e| e.level == Level::Likely && !e.applied);
        let candidates = promotable.then(|| edits.clone());
        let mut edits = edit::resolve_overlaps(edits);
        // Spin evidence is what the dictionaries find: a name repair is
        // derived from the document's own words, so it is no evidence
        // that the document was spun.
        let sure = edits
            .iter()
            .filter(|e| e.level == Level::Sure && matches!(e.origin, Origin::Entry(_)))
            .count();
        let promoted = match (candidates, self.options.promote) {
            (Some(mut candidates), Some(rule)) if rule.holds(sure, words) => {
                for edit in &mut candidates {
                    edit.applied |= edit.level == Level::Likely
                        && self.options.context.is_none_or(|bars| fits(edit, bars));
                }
                edits = edit::resolve_overlaps(candidates);
                true
            }
            _ => false,
        };
        // Outside a spun document, a `likely` edit that its sentence
        // confirms is applied where the document shows known spin.
        if let (false, Some(bars), Some(_)) = (promoted, self.options.context, self.options.apply) {
            let rule = self.options.promote.unwrap_or_default();
            if sure > 0 && rule.dense(sure, words) {
                for edit in &mut edits {
                    if edit.level == Level::Likely
                        && matches!(edit.origin, Origin::Entry(_))
                        && edit.fit.is_some_and(|f| f.lift() >= bars.likely_confirmed)
                    {
                        edit.applied = true;
                    }
                }
            }
        }
        if let Some(base) = self.options.guess {
            let rule = self.options.promote.unwrap_or_default();
            let spun = rule.holds(sure, words);
            // Known spin is a density: one sure finding in a 100,000-word
            // file says nothing about the sentence next to a guess, which
            // may be in another story.
            let sure = if rule.dense(sure, words) { sure } else { 0 };
            let threshold = guess_threshold(base, sure, spun);
            // Guesses that will not be applied are dropped unless their
            // level is reported; then there is no need to find them.
            let floor = if self.options.reports(Level::Guess) {
                0.0
            } else if self.options.apply.is_some() {
                threshold
            } else {
                f64::INFINITY
            };
            let prior = Prior {
                threshold,
                floor,
                known_spin: sure > 0,
                spun,
            };
            let guesses = find_guesses(&self.guess_model, segments, &edits, &conditions, &prior);
            if !guesses.is_empty() {
                for mut guess in guesses {
                    if self.repairs_again(segments, &guess, promoted) {
                        continue;
                    }
                    let score = match &guess.origin {
                        Origin::Guess(reason) => reason.score(),
                        _ => 0.0,
                    };
                    guess.applied = self.options.apply.is_some() && score >= threshold;
                    if let (Some(model), Some(bars)) = (model, self.options.context) {
                        crate::context::measure(model, segments, std::slice::from_mut(&mut guess));
                        guess.applied &= fits(&guess, bars);
                    }
                    edits.push(guess);
                }
                edits.sort_by_key(|e| e.range.start);
            }
        }
        let scorer = self.options.deep.zip(self.sentence_scorer.as_deref());
        let verdict = match (model, scorer, self.options.decoding) {
            // The rescan of a deep document keeps to the rules.
            (Some(model), Some((settings, scorer)), _) => {
                deep.then(|| self.deepen(scorer, model, segments, &mut edits, &settings, promoted))
            }
            (Some(model), None, Some(decoding)) => {
                let spun = decoding.evidence.holds(sure, words);
                self.decode(model, segments, &mut edits, &decoding, spun, promoted);
                None
            }
            _ => None,
        };
        // Likely edits were kept for a possible promotion; below the report
        // floor they are only wanted when applied.
        edits.retain(|e| e.applied || self.options.report_unapplied(e.level));
        let facts = ScanFacts {
            asked: conditions.asked(),
            closest_name_miss,
            headings,
            people,
        };
        let scan = Scan {
            edits,
            words,
            promoted,
            deep: verdict,
        };
        (scan, facts)
    }

    /// `--deep`: the sentence scorer judges the document, and in one it
    /// judges spun, its chosen words join `edits` (sorted), measured by
    /// the trigram model too so that a reason gives both figures.
    fn deepen(
        &self,
        scorer: &dyn SentenceScorer,
        model: &dyn LanguageModel,
        segments: &[Segment<'_>],
        edits: &mut Vec<Edit>,
        settings: &Deep,
        promoted: bool,
    ) -> DeepVerdict {
        let taken: Vec<Range<usize>> = edits.iter().map(|e| e.range.clone()).collect();
        let judgement = crate::context::deep::judge(
            scorer,
            model,
            Thesaurus::embedded(),
            segments,
            &taken,
            settings,
        );
        let spun = judgement.spun(settings);
        let verdict = DeepVerdict {
            words: judgement.words,
            evidence_milli: (judgement.mean() * 1000.0).round() as i32,
            spun,
        };
        if !spun {
            return verdict;
        }
        let mut chosen = crate::context::deep::choose(scorer, segments, &judgement, settings);
        crate::context::measure(model, segments, &mut chosen);
        let mut added = false;
        for mut edit in chosen {
            edit.applied = self.options.apply.is_some();
            if self.repairs_again(segments, &edit, promoted) {
                continue;
            }
            edits.push(edit);
            added = true;
        }
        if added {
            edits.sort_by_key(|e| e.range.start);
        }
        verdict
    }

    /// Adds the context stage's proposals to `edits` (sorted). Only a
    /// document whose `sure` findings reach the decoding evidence rule
    /// (`spun`) is decoded (or any, when the level is reported), so text without
    /// dense known spin, as never-spun text is, costs nothing. There the
    /// proposals are applied when they are many enough (the gate).
    fn decode(
        &self,
        model: &dyn LanguageModel,
        segments: &[Segment<'_>],
        edits: &mut Vec<Edit>,
        decoding: &Decoding,
        spun: bool,
        promoted: bool,
    ) {
        if !spun && !self.options.report_unapplied(Level::Context) {
            return;
        }
        let taken: Vec<Range<usize>> = edits.iter().map(|e| e.range.clone()).collect();
        let proposals = crate::context::decode::propose(
            model,
            Thesaurus::embedded(),
            segments,
            &taken,
            decoding,
            // Every proposal is wanted when they are reported.
            !spun || self.options.report_unapplied(Level::Context),
        );
        let pass = spun && !proposals.stopped_early && proposals.pass(decoding);
        let gate_milli = (proposals.rate() * 1000.0).round() as u32;
        let mut added = false;
        for mut edit in proposals.edits {
            if let Origin::Context(reason) = &mut edit.origin {
                reason.gate_milli = gate_milli;
                reason.gate_passed = pass;
            }
            edit.applied = pass && self.options.apply.is_some();
            if !edit.applied && !self.options.report_unapplied(Level::Context)
                || self.repairs_again(segments, &edit, promoted)
            {
                continue;
            }
            edits.push(edit);
            added = true;
        }
        if added {
            edits.sort_by_key(|e| e.range.start);
        }
    }

    /// Whether a dictionary would repair the text that `guess` writes, with
    /// the words around it, in a document `promoted` or not: a guess that
    /// wrote a listed spun phrase would be repaired again on a second run
    /// ("woman" guessed back to "man", which the dictionary turns into
    /// "deep"), so it is no repair.
    fn repairs_again(&self, segments: &[Segment<'_>], guess: &Edit, promoted: bool) -> bool {
        let Some(segment) = segments
            .iter()
            .find(|s| s.offset <= guess.range.start && guess.range.end <= s.offset + s.text.len())
        else {
            return false;
        };
        let (start, end) = (
            guess.range.start - segment.offset,
            guess.range.end - segment.offset,
        );
        // Context enough for a key of several words to reach into the
        // replacement from either side.
        let first = segment.tokens.partition_point(|t| t.end <= start);
        let last = segment.tokens.partition_point(|t| t.start < end);
        let from = segment.tokens[first.saturating_sub(CONTEXT_WORDS)..]
            .first()
            .map_or(start, |t| t.start.min(start));
        let to = segment.tokens[..(last + CONTEXT_WORDS).min(segment.tokens.len())]
            .last()
            .map_or(end, |t| t.end.max(end));
        let mut text = String::with_capacity(to - from + guess.replacement.len());
        text.push_str(&segment.text[from..start]);
        let written = text.len()..text.len() + guess.replacement.len();
        text.push_str(&guess.replacement);
        text.push_str(&segment.text[end..to]);
        let windows = [Segment::new(0, &text)];
        let conditions = ConditionCache::new(&windows);
        let window = &windows[0];
        let mut candidates = Vec::new();
        self.candidates_in(window, &mut candidates);
        candidates
            .iter()
            .filter(|c| c.start < written.end && written.start < c.end)
            .filter_map(|c| self.choose(window, c, &conditions))
            .any(|edit| edit.applied || promoted && edit.level == Level::Likely)
    }

    /// Appends every dictionary key found in a segment to `out`.
    fn candidates_in(&self, segment: &Segment<'_>, out: &mut Vec<Candidate>) {
        find_candidates(&self.dictionaries, &self.first_words, segment, out);
    }

    /// Picks the first entry of a candidate's key that passes its level,
    /// case and condition, and builds its edit.
    fn choose(
        &self,
        segment: &Segment<'_>,
        candidate: &Candidate,
        conditions: &ConditionCache<'_, '_>,
    ) -> Option<Edit> {
        let dictionary = &self.dictionaries[candidate.dictionary];
        let matched = &segment.text[candidate.start..candidate.end];
        for (id, entry) in dictionary.entries_from(candidate.first_entry) {
            if !self.options.reports(entry.level)
                || !case_fits(segment, candidate, entry.case_mask)
                || !entry
                    .condition
                    .is_none_or(|c| conditions.holds(c, segment, candidate))
            {
                continue;
            }
            let replacement = build_replacement(segment, candidate, matched, entry.original);
            if replacement == matched {
                return None;
            }
            let (start, end) = with_repeats(segment, candidate, &replacement);
            return Some(Edit {
                range: segment.offset + start..segment.offset + end,
                replacement,
                origin: Origin::Entry(EntryRef {
                    dictionary: candidate.dictionary,
                    id,
                }),
                level: entry.level,
                applied: self.options.applies(entry.level),
                fit: None,
            });
        }
        None
    }
}

/// Whether the context can change an edit's decision: not for `sure`
/// entries, nor for names of people (see [`fits`]).
fn needs_vetting(edit: &Edit) -> bool {
    !matches!(
        (&edit.origin, edit.level),
        (Origin::Entry(_), Level::Sure) | (Origin::Name { .. }, _)
    )
}

/// Whether an edit reaches its bar in context: `sure` entries need none,
/// and an edit the model could not judge keeps the rule's decision. Nor
/// does a person's name: the model reads "Sun" and "Sunshine" as common
/// words, and only the document's co-reference says which one a person
/// bears.
fn fits(edit: &Edit, bars: Bars) -> bool {
    let Some(fit) = edit.fit else {
        return true;
    };
    match (&edit.origin, edit.level) {
        (Origin::Entry(_), Level::Sure) | (Origin::Name { .. }, _) => true,
        (Origin::Entry(_), _) => fit.lift() >= bars.likely_by_rule,
        _ => fit.lift() >= bars.derived,
    }
}

/// `ranges` within `0..len`, sorted, with overlapping and touching ones
/// merged.
fn merged(ranges: &[Range<usize>], len: usize) -> Vec<Range<usize>> {
    let mut sorted: Vec<Range<usize>> = ranges
        .iter()
        .map(|r| r.start.min(len)..r.end.min(len))
        .filter(|r| r.start < r.end)
        .collect();
    sorted.sort_unstable_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// Where the `protected` ranges lie once the applied `edits`, which touch
/// none of them, are written.
fn shifted(protected: &[Range<usize>], edits: &[Edit]) -> Vec<Range<usize>> {
    let mut applied = edits.iter().filter(|e| e.applied).peekable();
    let mut shift = 0isize;
    protected
        .iter()
        .map(|range| {
            while let Some(edit) = applied.next_if(|e| e.range.end <= range.start) {
                shift += edit.replacement.len() as isize - edit.len() as isize;
            }
            range.start.saturating_add_signed(shift)..range.end.saturating_add_signed(shift)
        })
        .collect()
}

/// The segments of `input`: its runs of valid UTF-8 outside `protected`
/// (sorted, disjoint). A protected range that ends inside a character
/// takes the whole character.
fn segments_outside<'a>(input: &'a [u8], protected: &[Range<usize>]) -> Vec<Segment<'a>> {
    // Valid UTF-8 (the usual case) is one run; otherwise each valid run
    // between invalid bytes is one.
    let runs: Vec<(usize, &str)> = match std::str::from_utf8(input) {
        Ok(text) => vec![(0, text)],
        Err(_) => {
            let mut runs = Vec::new();
            let mut offset = 0;
            for chunk in input.utf8_chunks() {
                runs.push((offset, chunk.valid()));
                offset += chunk.valid().len() + chunk.invalid().len();
            }
            runs
        }
    };
    let mut segments = Vec::new();
    let mut next = 0;
    for (offset, text) in runs {
        let end = offset + text.len();
        let mut at = offset;
        while next < protected.len() && protected[next].end <= at {
            next += 1;
        }
        let mut index = next;
        while at < end {
            let Some(range) = protected.get(index).filter(|r| r.start < end) else {
                segments.push((at, &text[at - offset..]));
                break;
            };
            let mut cut = range.start.max(at);
            while !text.is_char_boundary(cut - offset) {
                cut -= 1;
            }
            if cut > at {
                segments.push((at, &text[at - offset..cut - offset]));
            }
            let mut resume = range.end.min(end);
            while !text.is_char_boundary(resume - offset) {
                resume += 1;
            }
            at = resume.max(at);
            if range.end <= end {
                index += 1;
            } else {
                break;
            }
        }
    }
    segments
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(offset, text)| Segment::new(offset, text))
        .collect()
}

/// Bytes of text read on each side of a place where a document may be
/// cut ([`Repairer::spans_cut`]): three times the longest key of the
/// shipped dictionaries (78 bytes), for its separators.
pub const CUT_CONTEXT: usize = 256;

/// Scans of one document at most: a chain of repairs takes one scan per
/// link and a last one that finds nothing. A dictionary whose repairs do
/// not settle (`a -> b`, `b -> a`; `dict check` reports them) stops here.
const MAX_SCANS: usize = 4;

/// Words of context on each side of a guess when checking that no
/// dictionary would repair what it writes: keys of up to five words.
const CONTEXT_WORDS: usize = 4;
