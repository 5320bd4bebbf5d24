//! Judging a repair in its sentence.
//!
//! A dictionary says what a spun phrase may have been; only the sentence
//! says whether the repair fits. A [`LanguageModel`] scores windows of
//! words, and [`LanguageModel::gain`] is what replacing a span is worth in context: the
//! one figure that vetting, candidate decoding and the document gate all
//! read. A neural scorer implements the same trait.

pub mod candidates;
pub mod decode;
pub mod deep;
mod memory;
#[cfg(feature = "deep")]
pub mod neural;
pub mod sentence;
pub mod trigram;

pub use decode::Decoding;
pub use deep::Deep;
#[cfg(feature = "deep")]
pub use neural::{NeuralError, NeuralModel};
pub use trigram::{compile_arpa, ModelError, TrigramModel};

use crate::edit::{Edit, Fit};
use crate::text::segment::Segment;

/// A sentence as a [`SentenceScorer`] reads it: its words as written and
/// the gap before each (one more gap ends it).
#[derive(Clone, Debug, Default)]
pub struct Sentence<'a> {
    /// The words, as written.
    pub words: Vec<&'a str>,
    /// The text before each word, and after the last.
    pub gaps: Vec<&'a str>,
}

/// What a sentence scorer says about one word from its left context: a
/// log-score of the word as written and of each candidate it can weigh
/// there in the same pass (none for one it cannot). The scores of one word
/// share an unknown offset, so only their differences mean anything: each
/// is ln P(candidate) − ln P(written), in nats.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The word as written.
    pub written: f32,
    /// Each asked candidate.
    pub candidates: Vec<Option<f32>>,
}

/// A model that reads whole sentences, cased and punctuated: the neural
/// scorer of `--deep`. Figures are natural logarithms.
pub trait SentenceScorer: Send + Sync + std::fmt::Debug {
    /// One pass over `sentence`: for each asked word (index, candidates),
    /// what the model reads there, or none where it cannot tell.
    fn read(&self, sentence: &Sentence<'_>, asked: &[(usize, Vec<String>)])
        -> Vec<Option<Reading>>;

    /// For each asked word (index, replacements): a log-score of the
    /// sentence from that word to `lookahead` words after it, given the
    /// words before, with the word replaced by each replacement (the
    /// written word may be one of them). A word's scores share an unknown
    /// offset, as in [`Reading`].
    fn continuations(
        &self,
        sentence: &Sentence<'_>,
        asked: &[(usize, Vec<String>)],
        lookahead: usize,
    ) -> Vec<Vec<Option<f32>>>;
}

/// A model of English word sequences, over lower-case words.
pub trait LanguageModel: Send + Sync + std::fmt::Debug {
    /// Whether the model knows the word.
    fn knows(&self, word: &str) -> bool;

    /// log10 P(words[from..] | words[..from]): the probability of the
    /// words from `from` on, each given the words before it.
    fn log_prob(&self, words: &[&str], from: usize) -> f32;

    /// How many words before a word its probability depends on.
    fn context_words(&self) -> usize;

    /// [`LanguageModel::log_prob`] of `words` from the first, if the model
    /// knows every one of them.
    fn known_log_prob(&self, words: &[&str]) -> Option<f32> {
        words
            .iter()
            .all(|w| self.knows(w))
            .then(|| self.log_prob(words, 0))
    }

    /// [`LanguageModel::log_prob`] of each window `before` + middle +
    /// `after`, from the middle on: the candidates for one word share
    /// their neighbours, which a model may then look up once.
    fn window_log_probs(&self, before: &[&str], middles: &[&[&str]], after: &[&str]) -> Vec<f32> {
        middles
            .iter()
            .map(|middle| {
                let window: Vec<&str> =
                    before.iter().chain(*middle).chain(after).copied().collect();
                self.log_prob(&window, before.len())
            })
            .collect()
    }

    /// What replacing `span` by `replacement` between `before` and `after`
    /// is worth, in log10 units: the log-probability of the window with
    /// the replacement minus that with the span. The window reaches as
    /// far as the model reads, so words beyond it change nothing.
    fn gain(&self, before: &[&str], span: &[&str], replacement: &[&str], after: &[&str]) -> f32 {
        let n = self.context_words();
        let before = &before[before.len().saturating_sub(n)..];
        let after = &after[..after.len().min(n)];
        let score = |middle: &[&str]| {
            let mut window: Vec<&str> = Vec::with_capacity(before.len() + middle.len() + n);
            window.extend_from_slice(before);
            window.extend_from_slice(middle);
            window.extend_from_slice(after);
            self.log_prob(&window, before.len())
        };
        score(replacement) - score(span)
    }

    /// What the replacement's words gain out of context, by being more
    /// frequent words: a model favours frequent words ("said" over
    /// "stated" anywhere).
    fn frequency_gain(&self, span: &[&str], replacement: &[&str]) -> f32 {
        let frequency =
            |words: &[&str]| -> f32 { words.iter().map(|w| self.log_prob(&[w], 0)).sum() };
        frequency(replacement) - frequency(span)
    }

    /// [`LanguageModel::gain`] less [`LanguageModel::frequency_gain`]: how
    /// much the sentence itself prefers the replacement.
    fn lift(&self, before: &[&str], span: &[&str], replacement: &[&str], after: &[&str]) -> f32 {
        self.gain(before, span, replacement, after) - self.frequency_gain(span, replacement)
    }
}

/// The embedded model: the CMU Sphinx US English trigram model, compiled by
/// `tools/gen_lm.sh` (BSD-2; see `dictionaries/SOURCES.md`).
static EMBEDDED: &[u8] = include_bytes!("../../dictionaries/en-us-3gram.lm");

/// The embedded language model, read on first use.
pub fn embedded() -> &'static TrigramModel {
    static MODEL: std::sync::OnceLock<TrigramModel> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| TrigramModel::from_static(EMBEDDED).expect("the embedded model is valid"))
}

/// Measures how each edit fits its sentence: the gain of its replacement
/// over the text it replaces, stored as the edit's [`Fit`]. `segments`
/// are the document's, in order; edits outside them are left unmeasured.
pub(crate) fn measure(model: &dyn LanguageModel, segments: &[Segment<'_>], edits: &mut [Edit]) {
    let n = model.context_words();
    for edit in edits.iter_mut() {
        let at = segments.partition_point(|s| s.offset + s.text.len() < edit.range.end);
        let Some(segment) = segments.get(at).filter(|s| s.offset <= edit.range.start) else {
            continue;
        };
        let range = edit.range.start - segment.offset..edit.range.end - segment.offset;
        let Some(window) = sentence::window(segment, range, n) else {
            continue;
        };
        let replacement = sentence::phrase_words(&edit.replacement);
        // A word the model does not know (a name, a number, jargon) makes
        // its figures say nothing about fit: the rule decides alone.
        if !window
            .span
            .iter()
            .chain(&replacement)
            .all(|w| model.knows(w))
        {
            continue;
        }
        // Nor does a change of length: fewer words are always more
        // probable, and taking out their frequency over-corrects, so the
        // lift of "considering the fact that" -> "since" says nothing
        // about fit (`docs/context.md`).
        if window.span.len() != replacement.len() {
            continue;
        }
        fn words(w: &[String]) -> Vec<&str> {
            w.iter().map(String::as_str).collect()
        }
        let (before, span, replacement, after) = (
            words(&window.before),
            words(&window.span),
            words(&replacement),
            words(&window.after),
        );
        let gain = model.gain(&before, &span, &replacement, &after);
        let lift = gain - model.frequency_gain(&span, &replacement);
        edit.fit = Some(Fit {
            gain_milli: (gain * 1000.0).round() as i32,
            lift_milli: (lift * 1000.0).round() as i32,
        });
    }
}

/// The bars that edits which are not `sure` must reach in context, as
/// lift (log10; see [`LanguageModel::lift`]).
///
/// Calibrated by `tools/plant.py` (dictionary spins planted in never-spun
/// sentences) against `tools/eval_context.py` (every finding on never-spun
/// text), on the dev halves; `docs/context.md` has both sides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bars {
    /// A `likely` edit that a rule would apply (a spun document, or
    /// `--aggressive`) is applied only if its sentence does not clearly
    /// prefer the text as written.
    pub likely_by_rule: f64,
    /// A `likely` edit in a document with known spin that does not count
    /// as spun is applied when its sentence confirms it this strongly.
    pub likely_confirmed: f64,
    /// An organisation repair or a guess is applied only if its sentence
    /// prefers it at least this much.
    pub derived: f64,
}

impl Default for Bars {
    fn default() -> Bars {
        Bars {
            likely_by_rule: -3.0,
            likely_confirmed: 3.0,
            derived: 0.0,
        }
    }
}
