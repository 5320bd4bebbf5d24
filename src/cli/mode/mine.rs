//! `despin mine`: candidate dictionary entries from a corpus.
//!
//! Screener lists grow by hand: a curator reads suspected papers and writes
//! down the new tortured phrases. This command does the reading part. It
//! runs the guesser over every document with no threshold, groups the
//! guesses by spun phrase and proposed original, and ranks them: a phrase
//! guessed in many documents, with a high score, comes first. The output is
//! a dictionary TSV whose comment lines carry the evidence (documents,
//! occurrences, score, reasons, examples), so the curator edits it and
//! feeds it back with `--dict`.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use anyhow::Result;
use despin::{Level, Options, Origin, Repairer};

use super::{Chunk, Mode, Outcome, Sink};
use crate::cli::args::MineArgs;
use crate::cli::input::Input;
use crate::cli::run::Status;

/// A candidate entry and its evidence.
#[derive(Default)]
struct Candidate {
    documents: usize,
    occurrences: usize,
    best_score: f64,
    reason: String,
    /// The least examples by their text ("file:line: …"), so the output
    /// does not depend on which file finished first.
    examples: BTreeSet<String>,
}

/// A guess: (spun, original) and (score, reason, example).
type Guess = ((String, String), (f64, String, String));

/// Examples kept per candidate.
const EXAMPLES: usize = 2;

/// Gathers every input's guesses, and writes the ranked candidates at the
/// end.
pub struct Mine {
    min_docs: usize,
    min_score: f64,
    candidates: Mutex<HashMap<(String, String), Candidate>>,
    /// Some candidate was written.
    written: AtomicBool,
}

impl Mine {
    /// The options `mine` scans with: report every guess, apply nothing.
    pub fn options() -> Options {
        Options {
            apply: None,
            report: Some(Level::Guess),
            guess: Some(0.0),
            ..Options::default()
        }
    }

    /// Keeps the candidates of `args`' thresholds.
    pub fn new(args: &MineArgs) -> Mine {
        Mine {
            min_docs: args.min_docs,
            min_score: args.min_score,
            candidates: Mutex::default(),
            written: AtomicBool::new(false),
        }
    }

    /// Folds one input's guesses into the candidates.
    fn add(&self, guesses: Vec<Guess>) {
        let mut candidates = self.candidates.lock().expect("no fold panicked");
        let mut seen_here: Vec<&(String, String)> = Vec::new();
        for (key, (score, reason, example)) in &guesses {
            let candidate = candidates.entry(key.clone()).or_default();
            candidate.occurrences += 1;
            if !seen_here.contains(&key) {
                candidate.documents += 1;
                seen_here.push(key);
                candidate.examples.insert(example.clone());
                if candidate.examples.len() > EXAMPLES {
                    candidate.examples.pop_last();
                }
            }
            // The best score's reason; of equal scores, the first by text.
            if *score > candidate.best_score
                || (*score == candidate.best_score && *reason < candidate.reason)
            {
                candidate.best_score = *score;
                candidate.reason = reason.clone();
            }
        }
    }
}

impl Mode for Mine {
    fn begin<'a>(
        &'a self,
        input: &'a Input,
        _repairer: &'a Repairer,
        _out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        Ok(Box::new(MineSink {
            mode: self,
            path: input.display(),
            line: 1,
            guesses: Vec::new(),
        }))
    }

    fn found(&self, outcome: &Outcome) -> bool {
        outcome.findings > 0
    }

    fn end(&self, out: &mut dyn Write) -> Result<()> {
        let candidates = std::mem::take(&mut *self.candidates.lock().expect("no fold panicked"));
        let mut ranked: Vec<((String, String), Candidate)> = candidates
            .into_iter()
            .filter(|(_, c)| c.documents >= self.min_docs && c.best_score >= self.min_score)
            .collect();
        // More documents, then a better score, first.
        ranked.sort_by(|a, b| {
            rank(&b.1)
                .total_cmp(&rank(&a.1))
                .then_with(|| a.0.cmp(&b.0))
        });
        writeln!(out, "# despin mine: candidate entries, best first.")?;
        writeln!(
            out,
            "# Check each one, delete the wrong ones, set the levels, then use the file with --dict."
        )?;
        writeln!(out, "# spun<TAB>original<TAB>level")?;
        for ((spun, original), candidate) in &ranked {
            writeln!(out)?;
            writeln!(
                out,
                "# documents {}, occurrences {}, score {:.2}: {}",
                candidate.documents, candidate.occurrences, candidate.best_score, candidate.reason
            )?;
            for example in &candidate.examples {
                writeln!(out, "# example: {example}")?;
            }
            writeln!(out, "{spun}\t{original}\t{}", proposed_level(candidate))?;
        }
        self.written.store(!ranked.is_empty(), Ordering::Relaxed);
        Ok(())
    }

    /// Finding candidates is success, as grep finding lines is: 0 when
    /// some were written, 1 when none, 2 when an input failed.
    fn exit_code(&self, status: &Status) -> ExitCode {
        if status.errored {
            ExitCode::from(2)
        } else if self.written.load(Ordering::Relaxed) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

/// One input's guesses, gathered document by document.
struct MineSink<'a> {
    mode: &'a Mine,
    path: String,
    /// The line at the start of the next document.
    line: usize,
    guesses: Vec<Guess>,
}

impl Sink for MineSink<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        for edit in chunk.edits {
            if let Origin::Guess(guess) = &edit.origin {
                let example = context(chunk.bytes, edit.range.clone(), &self.path, self.line);
                self.guesses.push((
                    (guess.spun.clone(), guess.restored.clone()),
                    (guess.score(), guess.describe(), example),
                ));
            }
        }
        self.line += memchr::memchr_iter(b'\n', chunk.bytes).count();
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Outcome> {
        let findings = self.guesses.len();
        self.mode.add(self.guesses);
        Ok(Outcome {
            changed: false,
            findings,
        })
    }
}

/// The ranking key: a score, worth more the more documents agree.
fn rank(candidate: &Candidate) -> f64 {
    candidate.best_score * (1.0 + (candidate.documents as f64).ln())
}

/// The level a curator starts from: `sure` for a strong guess seen in
/// several documents, `likely` for a good one, `suggest` otherwise.
fn proposed_level(candidate: &Candidate) -> Level {
    if candidate.best_score >= 0.9 && candidate.documents >= 2 {
        Level::Sure
    } else if candidate.best_score >= 0.6 {
        Level::Likely
    } else {
        Level::Suggest
    }
}

/// The file, line and text around a guess, on one line; `first_line` is
/// the line `bytes` starts on.
fn context(bytes: &[u8], range: std::ops::Range<usize>, path: &str, first_line: usize) -> String {
    let line = memchr::memchr_iter(b'\n', &bytes[..range.start]).count() + first_line;
    let mut from = range.start.saturating_sub(60);
    let mut to = (range.end + 60).min(bytes.len());
    // Whole UTF-8 characters only.
    while from > 0 && bytes[from] & 0xC0 == 0x80 {
        from -= 1;
    }
    while to < bytes.len() && bytes[to] & 0xC0 == 0x80 {
        to += 1;
    }
    let text = String::from_utf8_lossy(&bytes[from..to]);
    let text: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    format!("{path}:{line}: …{}…", text.trim())
}
