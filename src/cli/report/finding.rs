//! What every report holds: findings and per-file summaries as plain
//! serialisable records, and the trait each format implements.

use std::io::{self, Write};

use serde::Serialize;

/// One reported edit, located for a person and for a program.
#[derive(Debug, Serialize)]
pub struct Finding<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub path: &'a str,
    /// Where extracted text (PDF, DOCX) stands in its source: the 1-based
    /// page (PDF) and paragraph. Line, column and byte offsets are then
    /// those of the extracted text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u32>,
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
    /// Where a guess's restored term is attested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attested: Option<Vec<&'static str>>,
    /// How much more the language model expects the replacement than the
    /// text, in its sentence (log10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gain: Option<f64>,
    /// The gain less what the replacement gains by being more frequent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lift: Option<f64>,
    /// For a `--deep` choice: how much more probable (nats) the neural
    /// model finds the sentence with the replacement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deep_gain: Option<f64>,
}

impl<'a> Finding<'a> {
    /// The finding of `edit`, whose text is `found`, at `line` and
    /// `column` (1-based, in characters) and `bytes` of the text the
    /// report points into; every report and annotation builds it here,
    /// so all of them carry the same fields.
    pub fn new(
        path: &'a str,
        edit: &'a despin::Edit,
        found: &'a str,
        repairer: &'a despin::Repairer,
        reason: Option<String>,
        (line, column): (u64, u64),
        bytes: std::ops::Range<u64>,
    ) -> Finding<'a> {
        use despin::Origin;
        let guess = match &edit.origin {
            Origin::Guess(guess) => Some(guess),
            _ => None,
        };
        Finding {
            kind: "finding",
            path,
            page: None,
            paragraph: None,
            line,
            column,
            byte_start: bytes.start,
            byte_end: bytes.end,
            found,
            replacement: &edit.replacement,
            dictionary: repairer.source_name(edit),
            level: edit.level.as_str(),
            applied: edit.applied,
            reason,
            score: guess.map(|g| g.score()),
            restored: guess.map(|g| g.restored.as_str()),
            attested: guess.map(|g| g.attested()),
            gain: edit.fit.map(|fit| fit.gain()),
            lift: edit.fit.map(|fit| fit.lift()),
            deep_gain: match &edit.origin {
                Origin::Context(reason) => reason
                    .deep
                    .as_ref()
                    .map(|deep| f64::from(deep.gain_milli) / 1000.0),
                _ => None,
            },
        }
    }

    /// "page 3, paragraph 2" for extracted text; `None` for text located
    /// by line.
    pub fn place(&self) -> Option<String> {
        match (self.page, self.paragraph) {
            (Some(page), Some(paragraph)) => Some(format!("page {page}, paragraph {paragraph}")),
            (None, Some(paragraph)) => Some(format!("paragraph {paragraph}")),
            (Some(page), None) => Some(format!("page {page}")),
            (None, None) => None,
        }
    }
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
    /// The neural scorer's verdict, with `--deep`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deep: Option<DeepSummary>,
}

/// What `--deep` concluded about an input.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DeepSummary {
    /// Content words the neural model weighed.
    pub words: usize,
    /// Mean evidence of spin per content word, in nats.
    pub evidence: f64,
    /// Whether the input counts as spun, so its words were chosen.
    pub spun: bool,
}

impl From<despin::DeepVerdict> for DeepSummary {
    fn from(verdict: despin::DeepVerdict) -> DeepSummary {
        DeepSummary {
            words: verdict.words,
            evidence: f64::from(verdict.evidence_milli) / 1000.0,
            spun: verdict.spun,
        }
    }
}

impl<'a> Summary<'a> {
    pub fn new(path: &'a str, findings: usize, words: usize) -> Summary<'a> {
        Summary {
            kind: "summary",
            path,
            findings,
            words,
            spin_score: spin_score(findings, words),
            deep: None,
        }
    }
}

/// The spin score every report gives: findings per 1,000 words, to two
/// decimals (0 for a text without words).
pub fn spin_score(findings: usize, words: usize) -> f64 {
    if words == 0 {
        return 0.0;
    }
    (findings as f64 * 1000.0 / words as f64 * 100.0).round() / 100.0
}

/// A report format.
pub trait Report: Sync {
    fn finding(&self, out: &mut dyn Write, finding: &Finding<'_>) -> io::Result<()>;
    fn summary(&self, out: &mut dyn Write, summary: &Summary<'_>) -> io::Result<()>;
    /// Called once after every input, for formats that are one document.
    fn end(&self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
    /// The text of an input, chunk by chunk, for formats that show it.
    fn text(&self, _path: &str, _chunk: &[u8]) {}
    /// Whether the format needs a summary of every input, even without
    /// `--stats`.
    fn wants_summaries(&self) -> bool {
        false
    }
}
