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

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use despin::{GuessModel, Level, Options, Origin, Repairer};
use rayon::prelude::*;

use crate::cli::args::MineArgs;
use crate::cli::{dict, input};

/// A candidate entry and its evidence.
#[derive(Default)]
struct Candidate {
    documents: usize,
    occurrences: usize,
    best_score: f64,
    reason: String,
    examples: Vec<String>,
}

/// One document's guesses: (spun, original) and (score, reason, example).
type Guesses = Vec<((String, String), (f64, String, String))>;

/// Examples kept per candidate.
const EXAMPLES: usize = 2;

pub fn run(args: &MineArgs) -> Result<ExitCode> {
    let options = Options {
        // Report every guess; apply nothing.
        apply: None,
        report: Some(Level::Guess),
        guess: Some(0.0),
        ..Options::default()
    };
    let mut repairer = Repairer::new(dict::load(&args.dictionaries)?, options);
    if let Some(path) = &args.guess_model {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read guess model {}", path.display()))?;
        let model = GuessModel::from_tsv(&text)
            .map_err(|e| anyhow::anyhow!("{}:{}: {}", path.display(), e.line, e.message))?;
        repairer = repairer.with_guess_model(model);
    }
    let (documents, missing) =
        input::found_or_report(input::discover(&args.paths, &globset::GlobSet::empty()));
    let mut errors = usize::from(missing);
    let protection = despin::document::Protection::default();
    // Each document's guesses: (spun, original) -> (score, reason, example).
    let per_document: Vec<Result<Guesses>> = documents
        .par_iter()
        .map(|document| {
            let mut bytes = Vec::new();
            document
                .open()?
                .read_to_end(&mut bytes)
                .with_context(|| format!("{}: cannot read", document.display()))?;
            // The same documents and protected text as every other mode:
            // a long file is cut, and code or markup is no evidence.
            let format = protection.format_of(document.path());
            let scan = crate::cli::run::scan_in_documents(&repairer, &protection, format, &bytes);
            Ok(scan
                .edits
                .iter()
                .filter_map(|edit| match &edit.origin {
                    Origin::Guess(guess) => Some((
                        (guess.spun.clone(), guess.restored.clone()),
                        (
                            guess.score(),
                            guess.describe(),
                            context(&bytes, edit.range.clone(), &document.display()),
                        ),
                    )),
                    _ => None,
                })
                .collect())
        })
        .collect();
    let mut candidates: HashMap<(String, String), Candidate> = HashMap::new();
    for result in per_document {
        let guesses = match result {
            Ok(guesses) => guesses,
            Err(e) => {
                eprintln!("despin: {e:#}");
                errors += 1;
                continue;
            }
        };
        let mut seen_here: Vec<&(String, String)> = Vec::new();
        for (key, (score, reason, example)) in &guesses {
            let candidate = candidates.entry(key.clone()).or_default();
            candidate.occurrences += 1;
            if !seen_here.contains(&key) {
                candidate.documents += 1;
                seen_here.push(key);
                if candidate.examples.len() < EXAMPLES {
                    candidate.examples.push(example.clone());
                }
            }
            if *score > candidate.best_score {
                candidate.best_score = *score;
                candidate.reason = reason.clone();
            }
        }
    }
    let mut ranked: Vec<((String, String), Candidate)> = candidates
        .into_iter()
        .filter(|(_, c)| c.documents >= args.min_docs && c.best_score >= args.min_score)
        .collect();
    // More documents, then a better score, first.
    ranked.sort_by(|a, b| {
        rank(&b.1)
            .total_cmp(&rank(&a.1))
            .then_with(|| a.0.cmp(&b.0))
    });
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
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
    out.flush()?;
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else if ranked.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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

/// The document, line and text around a guess, on one line.
fn context(bytes: &[u8], range: std::ops::Range<usize>, path: &str) -> String {
    let line = memchr::memchr_iter(b'\n', &bytes[..range.start]).count() + 1;
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
