//! JSON Lines mode: repair one string field of each record.
//!
//! This is how despin runs on a cluster: Spark's `rdd.pipe` and Hadoop
//! Streaming feed records on standard input and read records back, line for
//! line. Each line is one document. Only the bytes of the field's value
//! change; every other byte of the line (key order, spacing, number
//! formatting) is copied, and a line that is not a JSON object with that
//! string field is passed through unchanged and counted, never dropped.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;
use despin::{Edit, Repairer};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{BinaryPolicy, Chunk, Framing, Mode, Outcome, Records, Sink};
use crate::cli::input::Input;
use crate::cli::report::Finding;

/// What `--jsonl` does with each line.
pub struct Jsonl {
    pub field: String,
    pub annotate: bool,
    /// Lines read, and lines passed through because they held no record.
    lines: AtomicUsize,
    skipped: AtomicUsize,
}

impl Jsonl {
    /// Repairs `field` of each record, adding the findings when
    /// `annotate` is set.
    pub fn new(field: String, annotate: bool) -> Jsonl {
        Jsonl {
            field,
            annotate,
            lines: AtomicUsize::new(0),
            skipped: AtomicUsize::new(0),
        }
    }
}

impl Records for Jsonl {
    fn text(&self, line: &[u8]) -> Option<(String, Range<usize>)> {
        let (body, _) = split_ending(line);
        let body = std::str::from_utf8(body).ok()?;
        let record = serde_json::from_str::<BTreeMap<String, &RawValue>>(body).ok()?;
        let raw = record.get(&self.field)?;
        let text = serde_json::from_str::<String>(raw.get()).ok()?;
        // The value's place in the line: RawValue borrows from it.
        let start = raw.get().as_ptr() as usize - body.as_ptr() as usize;
        Some((text, start..start + raw.get().len()))
    }
}

impl Mode for Jsonl {
    fn begin<'a>(
        &'a self,
        input: &'a Input,
        repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        Ok(Box::new(JsonlSink {
            mode: self,
            repairer,
            path: input.display(),
            line_number: 0,
            out,
            outcome: Outcome::default(),
        }))
    }

    /// A filter: finding something is not a failure.
    fn found(&self, _outcome: &Outcome) -> bool {
        false
    }

    /// No line is dropped, not even of a binary input.
    fn binary_policy(&self) -> BinaryPolicy {
        BinaryPolicy::PassThrough
    }

    fn framing(&self) -> Framing<'_> {
        Framing::Lines(self)
    }

    fn end(&self, _out: &mut dyn Write) -> Result<()> {
        let skipped = self.skipped.load(Ordering::Relaxed);
        if skipped > 0 {
            eprintln!(
                "despin: {skipped} of {} lines passed through unchanged: \
                 not a JSON object with a string field {:?}",
                self.lines.load(Ordering::Relaxed),
                self.field
            );
        }
        Ok(())
    }
}

struct JsonlSink<'a> {
    mode: &'a Jsonl,
    repairer: &'a Repairer,
    path: String,
    /// The 1-based line of the input the current record is on.
    line_number: u64,
    out: &'a mut dyn Write,
    outcome: Outcome,
}

impl Sink for JsonlSink<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        let record = chunk
            .record
            .as_ref()
            .expect("JSON Lines mode reads records");
        let line = record.line;
        self.line_number += 1;
        self.mode.lines.fetch_add(1, Ordering::Relaxed);
        let Some(value) = record.value.clone() else {
            // Blank lines are not records, and not worth a warning.
            if !line.iter().all(u8::is_ascii_whitespace) {
                self.mode.skipped.fetch_add(1, Ordering::Relaxed);
            }
            self.out.write_all(line)?;
            return Ok(());
        };
        let changed = chunk.changes();
        self.outcome.changed |= changed;
        self.outcome.findings += chunk.edits.len();
        if !changed && !self.mode.annotate {
            self.out.write_all(line)?;
            return Ok(());
        }
        let (body, ending) = split_ending(line);
        self.out.write_all(&body[..value.start])?;
        if changed {
            let repaired = despin::edit::applied(chunk.bytes, chunk.edits);
            let repaired = String::from_utf8(repaired).expect("edits keep UTF-8 valid");
            serde_json::to_writer(&mut *self.out, &repaired)?;
        } else {
            self.out.write_all(&body[value.clone()])?;
        }
        let rest = &body[value.end..];
        if self.mode.annotate {
            // Insert before the object's closing brace.
            let close = rest
                .iter()
                .rposition(|&b| b == b'}')
                .expect("a parsed object ends with a brace");
            self.out.write_all(&rest[..close])?;
            self.out.write_all(b",\"despin\":")?;
            let text = std::str::from_utf8(chunk.bytes).expect("a record's text is a string");
            let annotation = annotate(
                &self.path,
                self.line_number,
                text,
                chunk.edits,
                chunk.words,
                self.repairer,
            );
            serde_json::to_writer(&mut *self.out, &annotation)?;
            self.out.write_all(&rest[close..])?;
        } else {
            self.out.write_all(rest)?;
        }
        self.out.write_all(ending)?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Outcome> {
        Ok(self.outcome)
    }
}

/// The `despin` object that `--annotate` adds: the findings in the schema
/// of `--format json`, the words and the spin score.
#[derive(Serialize)]
struct Annotation<'a> {
    findings: Vec<Finding<'a>>,
    words: usize,
    spin_score: f64,
}

/// The findings of one record. `line` is the record's line in the input;
/// each finding's column and byte offsets point into the field's value as
/// this output record holds it, the repaired text, where an applied
/// finding's span is its replacement.
fn annotate<'a>(
    path: &'a str,
    line: u64,
    text: &'a str,
    edits: &'a [Edit],
    words: usize,
    repairer: &'a Repairer,
) -> Annotation<'a> {
    // Where the repaired text stands at byte `last` of `text`: its byte
    // offset and 0-based character column, advanced edit by edit.
    let (mut last, mut at, mut column) = (0, 0, 0);
    let mut findings = Vec::with_capacity(edits.len());
    for edit in edits {
        let found = &text[edit.range.clone()];
        let between = &text[last..edit.range.start];
        at += between.len();
        column += between.chars().count();
        let shown = if edit.applied {
            edit.replacement.as_str()
        } else {
            found
        };
        let reason = crate::cli::reason::describe(&edit.origin, edit.fit, found, |_| line);
        findings.push(Finding::new(
            path,
            edit,
            found,
            repairer,
            reason,
            (line, column as u64 + 1),
            at as u64..(at + shown.len()) as u64,
        ));
        at += shown.len();
        column += shown.chars().count();
        last = edit.range.end;
    }
    let spin_score = crate::cli::report::spin_score(findings.len(), words);
    Annotation {
        findings,
        words,
        spin_score,
    }
}

/// A line without its ending (`\n` or `\r\n`), and the ending.
fn split_ending(line: &[u8]) -> (&[u8], &[u8]) {
    let cut = if line.ends_with(b"\r\n") {
        line.len() - 2
    } else if line.ends_with(b"\n") {
        line.len() - 1
    } else {
        line.len()
    };
    line.split_at(cut)
}
