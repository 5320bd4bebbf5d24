//! Check mode: report findings with their location, change nothing.

use std::io::Write;

use anyhow::Result;
use despin::{DeepVerdict, Repairer};

use super::{Chunk, Mode, Outcome, Sink};
use crate::cli::extract::Layout;
use crate::cli::input::Input;
use crate::cli::report::{Finding, Report, Summary};

/// Reports each finding, and optionally a per-file summary.
pub struct Check {
    pub report: Box<dyn Report>,
    pub stats: bool,
}

impl Mode for Check {
    fn end(&self, out: &mut dyn Write) -> Result<()> {
        self.report.end(out)?;
        Ok(())
    }

    fn begin<'a>(
        &'a self,
        input: &'a Input,
        repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        Ok(Box::new(self.sink(input, None, repairer, out)))
    }

    fn takes_extracted(&self) -> Result<(), &'static str> {
        Ok(())
    }

    fn begin_extracted<'a>(
        &'a self,
        input: &'a Input,
        layout: &'a Layout,
        repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        // Text that keeps its own lines (UTF-16) is located by line.
        let layout = (!layout.places.is_empty()).then_some(layout);
        Ok(Box::new(self.sink(input, layout, repairer, out)))
    }

    /// A finding that is only reported (`--level`) is worth a look, not a
    /// failure: the exit status says whether the repair would change the
    /// input, so a pre-commit hook passes prose that despin leaves alone.
    fn found(&self, outcome: &Outcome) -> bool {
        outcome.changed
    }
}

impl Check {
    fn sink<'a>(
        &'a self,
        input: &'a Input,
        layout: Option<&'a Layout>,
        repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> CheckSink<'a> {
        CheckSink {
            mode: self,
            repairer,
            layout,
            path: input.display(),
            out,
            offset: 0,
            line: 1,
            column: 0,
            words: 0,
            deep: None,
            outcome: Outcome::default(),
        }
    }
}

struct CheckSink<'a> {
    mode: &'a Check,
    repairer: &'a Repairer,
    /// Pages and paragraphs of extracted text, which locate its findings.
    layout: Option<&'a Layout>,
    path: String,
    out: &'a mut dyn Write,
    /// Byte offset of the current chunk in the input.
    offset: u64,
    /// Line and 0-based character column at the start of the chunk.
    line: u64,
    column: u64,
    words: usize,
    /// The neural scorer's verdicts on the input's documents, combined.
    deep: Option<DeepVerdict>,
    outcome: Outcome,
}

/// Two documents' verdicts as one: words add up, the evidence is their
/// mean weighted by words, and the input is spun if either part is.
fn combined(before: Option<DeepVerdict>, verdict: DeepVerdict) -> DeepVerdict {
    let Some(before) = before else {
        return verdict;
    };
    let words = before.words + verdict.words;
    let weighted = i64::from(before.evidence_milli) * before.words as i64
        + i64::from(verdict.evidence_milli) * verdict.words as i64;
    DeepVerdict {
        words,
        evidence_milli: (weighted / words.max(1) as i64) as i32,
        spun: before.spun || verdict.spun,
    }
}

/// Advances a line/column position over `bytes`.
fn advance(bytes: &[u8], line: &mut u64, column: &mut u64) {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    let rest = match memchr::memrchr(b'\n', bytes) {
        Some(i) => {
            *column = 0;
            &bytes[i + 1..]
        }
        None => bytes,
    };
    *line += newlines;
    // Count characters, not bytes: skip UTF-8 continuation bytes.
    *column += rest.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
}

impl Sink for CheckSink<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        self.mode.report.text(&self.path, chunk.bytes);
        self.words += chunk.words;
        if let Some(verdict) = chunk.deep {
            self.deep = Some(combined(self.deep, verdict));
        }
        self.outcome.changed |= chunk.changes();
        let (mut line, mut column) = (self.line, self.column);
        let mut last = 0;
        for edit in chunk.edits {
            advance(&chunk.bytes[last..edit.range.start], &mut line, &mut column);
            last = edit.range.start;
            let found = String::from_utf8_lossy(&chunk.bytes[edit.range.clone()]);
            let evidence_line = |at: usize| {
                self.line + memchr::memchr_iter(b'\n', &chunk.bytes[..at]).count() as u64
            };
            let reason =
                crate::cli::reason::describe(&edit.origin, edit.fit, &found, evidence_line);
            let place = self
                .layout
                .and_then(|layout| layout.place(self.offset as usize + edit.range.start));
            let mut finding = Finding::new(
                &self.path,
                edit,
                &found,
                self.repairer,
                reason,
                (line, column + 1),
                self.offset + edit.range.start as u64..self.offset + edit.range.end as u64,
            );
            finding.page = place.and_then(|p| p.page);
            finding.paragraph = place.map(|p| p.paragraph);
            self.mode.report.finding(self.out, &finding)?;
            self.outcome.findings += 1;
        }
        advance(&chunk.bytes[last..], &mut line, &mut column);
        self.line = line;
        self.column = column;
        self.offset += chunk.bytes.len() as u64;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Outcome> {
        if self.mode.stats || self.mode.report.wants_summaries() {
            let mut summary = Summary::new(&self.path, self.outcome.findings, self.words);
            summary.deep = self.deep.map(Into::into);
            self.mode.report.summary(self.out, &summary)?;
        }
        Ok(self.outcome)
    }
}
