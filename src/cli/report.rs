//! Renders findings and per-file summaries, one [`Report`] per format.
//!
//! Findings are plain serialisable records, so adding a format means one
//! more implementation of the trait and nothing else.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::args::Format;

/// One reported edit, located for a person and for a program.
#[derive(Debug, Serialize)]
pub struct Finding<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub path: &'a str,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// Byte offsets of the spun text in the input.
    pub byte_start: u64,
    pub byte_end: u64,
    pub found: &'a str,
    pub replacement: &'a str,
    pub dictionary: &'a str,
    pub level: &'static str,
    /// Whether despin writes this edit with the current settings.
    pub applied: bool,
    /// Why a document-level rule proposed the edit, for rule-based edits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A guess's score (0 to 1) and the normalised term it restores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restored: Option<&'a str>,
}

/// Totals for one input: the spin score is findings per 1,000 words.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub path: &'a str,
    pub findings: usize,
    pub words: usize,
    pub spin_score: f64,
}

impl<'a> Summary<'a> {
    pub fn new(path: &'a str, findings: usize, words: usize) -> Summary<'a> {
        let spin_score = if words == 0 {
            0.0
        } else {
            findings as f64 * 1000.0 / words as f64
        };
        Summary {
            kind: "summary",
            path,
            findings,
            words,
            spin_score: (spin_score * 100.0).round() / 100.0,
        }
    }
}

/// A report format.
pub trait Report: Sync {
    fn finding(&self, out: &mut dyn Write, finding: &Finding<'_>) -> io::Result<()>;
    fn summary(&self, out: &mut dyn Write, summary: &Summary<'_>) -> io::Result<()>;
}

/// `PATH:LINE:COL: spun -> original [dictionary, level]`, as compilers and
/// grep print locations, so editors can jump to them.
pub struct Human;

impl Report for Human {
    fn finding(&self, out: &mut dyn Write, f: &Finding<'_>) -> io::Result<()> {
        write!(
            out,
            "{}:{}:{}: {} -> {} [{}, {}]",
            f.path, f.line, f.column, f.found, f.replacement, f.dictionary, f.level
        )?;
        match &f.reason {
            Some(reason) => writeln!(out, " ({reason})"),
            None => writeln!(out),
        }
    }

    fn summary(&self, out: &mut dyn Write, s: &Summary<'_>) -> io::Result<()> {
        writeln!(
            out,
            "{}: {} finding{}, {} words, spin score {:.2} per 1,000 words",
            s.path,
            s.findings,
            if s.findings == 1 { "" } else { "s" },
            s.words,
            s.spin_score
        )
    }
}

/// JSON Lines: one object per finding or summary, with a `type` field.
pub struct Json;

impl Report for Json {
    fn finding(&self, out: &mut dyn Write, f: &Finding<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, f)?;
        out.write_all(b"\n")
    }

    fn summary(&self, out: &mut dyn Write, s: &Summary<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, s)?;
        out.write_all(b"\n")
    }
}

/// The report for a format.
pub fn for_format(format: Format) -> Box<dyn Report> {
    match format {
        Format::Human => Box::new(Human),
        Format::Json => Box::new(Json),
    }
}
