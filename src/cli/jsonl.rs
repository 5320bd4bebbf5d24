//! JSON Lines mode: repair one string field of each record.
//!
//! This is how despin runs on a cluster: Spark's `rdd.pipe` and Hadoop
//! Streaming feed records on standard input and read records back, line for
//! line. Each line is one document. Only the bytes of the field's value
//! change; every other byte of the line (key order, spacing, number
//! formatting) is copied, and a line that is not a JSON object with that
//! string field is passed through unchanged and counted, never dropped.
//! Lines are repaired in parallel in batches and written in input order.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Write};

use despin::{Repairer, Scan};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::cli::input::Input;
use crate::cli::run::Status;
use despin::document::Protection;

/// Bytes of input repaired per parallel batch.
const BATCH_BYTES: usize = 4 << 20;

/// What `--jsonl` does with each line.
pub struct Jsonl<'i> {
    pub field: String,
    pub annotate: bool,
    /// `despin:ignore` markers and `--ignore-regex`, applied to each
    /// field's text as to a file's.
    pub protection: &'i Protection,
}

/// What happened to one line.
enum Line {
    /// The line as it came (not a record with the field, or nothing found).
    Unchanged { skipped: bool },
    /// The new line, and whether the text changed.
    Rewritten { bytes: Vec<u8>, changed: bool },
}

/// The `despin` object that `--annotate` adds.
#[derive(Serialize)]
struct Annotation<'a> {
    findings: Vec<AnnotatedFinding<'a>>,
    words: usize,
    spin_score: f64,
}

#[derive(Serialize)]
struct AnnotatedFinding<'a> {
    /// Byte offsets in the field's text.
    start: usize,
    end: usize,
    found: &'a str,
    replacement: &'a str,
    source: &'a str,
    level: &'static str,
    applied: bool,
}

impl Jsonl<'_> {
    /// Repairs every input, writing the records to `out`.
    pub fn run(
        &self,
        inputs: &[Input],
        repairer: &Repairer,
        out: &mut dyn Write,
    ) -> io::Result<Status> {
        let mut status = Status::default();
        let (mut lines, mut skipped) = (0usize, 0usize);
        for input in inputs {
            let reader = match input.open() {
                Ok(reader) => reader,
                Err(e) => {
                    eprintln!("despin: {e:#}");
                    status.errored = true;
                    continue;
                }
            };
            let mut reader = BufReader::with_capacity(1 << 20, reader);
            loop {
                let batch = read_batch(&mut reader)?;
                if batch.is_empty() {
                    break;
                }
                let results: Vec<Line> = batch
                    .par_iter()
                    .map(|line| self.repair_line(line, repairer))
                    .collect();
                for (line, result) in batch.iter().zip(&results) {
                    lines += 1;
                    match result {
                        Line::Unchanged {
                            skipped: was_skipped,
                        } => {
                            skipped += usize::from(*was_skipped);
                            out.write_all(line)?;
                        }
                        Line::Rewritten { bytes, changed } => {
                            status.found |= *changed;
                            out.write_all(bytes)?;
                        }
                    }
                }
            }
        }
        out.flush()?;
        if skipped > 0 {
            eprintln!(
                "despin: {skipped} of {lines} lines passed through unchanged: \
                 not a JSON object with a string field {:?}",
                self.field
            );
        }
        // A filter: finding something is not a failure.
        status.found = false;
        Ok(status)
    }

    fn repair_line(&self, line: &[u8], repairer: &Repairer) -> Line {
        let skip = Line::Unchanged { skipped: true };
        let (body, ending) = split_ending(line);
        if body.iter().all(u8::is_ascii_whitespace) {
            // Blank lines are not records, and not worth a warning.
            return Line::Unchanged { skipped: false };
        }
        let Ok(body) = std::str::from_utf8(body) else {
            return skip;
        };
        let Ok(record) = serde_json::from_str::<BTreeMap<String, &RawValue>>(body) else {
            return skip;
        };
        let Some(raw) = record.get(&self.field) else {
            return skip;
        };
        let Ok(text) = serde_json::from_str::<String>(raw.get()) else {
            return skip;
        };
        let format = self.protection.format_of(None);
        let scan =
            crate::cli::run::scan_in_documents(repairer, self.protection, format, text.as_bytes());
        let changed = scan.edits.iter().any(|e| e.applied);
        if !changed && !self.annotate {
            return Line::Unchanged { skipped: false };
        }
        // The value's place in the line: RawValue borrows from it.
        let start = raw.get().as_ptr() as usize - body.as_ptr() as usize;
        let end = start + raw.get().len();
        let mut bytes = Vec::with_capacity(line.len() + 64);
        bytes.extend_from_slice(&body.as_bytes()[..start]);
        if changed {
            let repaired = despin::edit::applied(text.as_bytes(), &scan.edits);
            let repaired = String::from_utf8(repaired).expect("edits keep UTF-8 valid");
            let encoded = serde_json::to_string(&repaired).expect("a string serialises");
            bytes.extend_from_slice(encoded.as_bytes());
        } else {
            bytes.extend_from_slice(raw.get().as_bytes());
        }
        let rest = &body.as_bytes()[end..];
        if self.annotate {
            // Insert before the object's closing brace.
            let close = rest
                .iter()
                .rposition(|&b| b == b'}')
                .expect("a parsed object ends with a brace");
            bytes.extend_from_slice(&rest[..close]);
            bytes.extend_from_slice(b",\"despin\":");
            let annotation = annotate(&text, &scan, repairer);
            serde_json::to_writer(&mut bytes, &annotation).expect("serialises");
            bytes.extend_from_slice(&rest[close..]);
        } else {
            bytes.extend_from_slice(rest);
        }
        bytes.extend_from_slice(ending);
        Line::Rewritten { bytes, changed }
    }
}

fn annotate<'a>(text: &'a str, scan: &'a Scan, repairer: &'a Repairer) -> Annotation<'a> {
    let findings: Vec<AnnotatedFinding<'a>> = scan
        .edits
        .iter()
        .map(|e| AnnotatedFinding {
            start: e.range.start,
            end: e.range.end,
            found: &text[e.range.clone()],
            replacement: &e.replacement,
            source: repairer.source_name(e),
            level: e.level.as_str(),
            applied: e.applied,
        })
        .collect();
    let spin_score = crate::cli::report::spin_score(findings.len(), scan.words);
    Annotation {
        findings,
        words: scan.words,
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

/// Reads whole lines, about [`BATCH_BYTES`] of them.
fn read_batch(reader: &mut impl BufRead) -> io::Result<Vec<Vec<u8>>> {
    let mut batch = Vec::new();
    let mut size = 0;
    while size < BATCH_BYTES {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        size += line.len();
        batch.push(line);
    }
    Ok(batch)
}
