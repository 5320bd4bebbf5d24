//! Drives the inputs through the repairer and the chosen mode, in parallel.
//!
//! Small files are repaired several at a time, each into its own buffer,
//! and printed whole in input order, so outputs never interleave. A large
//! file or standard input is read as a stream of chunks, and each batch of
//! chunks is repaired in parallel while the next batch is read, so memory
//! stays bounded whatever the input size. Errors are per input: they are
//! reported in order and the run goes on.

use std::io::{self, Write};

use anyhow::{Context, Result};
use despin::Repairer;
use rayon::prelude::*;

use crate::cli::ignore::{BlockState, Ignore};
use crate::cli::input::{is_utf16, looks_binary, ChunkReader, Input, InputError};
use crate::cli::mode::{BinaryPolicy, Chunk, Mode, Outcome};
use crate::cli::progress;

/// Files up to this size are read whole: one document, one chunk.
pub const WHOLE_FILE_LIMIT: u64 = 8 << 20;
/// Target chunk size when streaming a large input.
pub const STREAM_CHUNK: usize = 256 << 10;
/// How many small files are repaired before their outputs are printed.
const FILE_WINDOW: usize = 256;

/// What a whole run found.
#[derive(Debug, Default, Clone, Copy)]
pub struct Status {
    /// Some input counts as "found" for the mode (exit 1).
    pub found: bool,
    /// Some input failed (exit 2).
    pub errored: bool,
}

/// Standard output that remembers the first write error, so a broken pipe
/// can end the run quietly and any other failure can be reported once.
pub struct Output<W: Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Output<W> {
    pub fn new(inner: W) -> Output<W> {
        Output { inner, error: None }
    }

    /// The first error seen while writing, if any.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    fn record<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            if self.error.is_none() {
                self.error = Some(io::Error::new(e.kind(), e.to_string()));
            }
        }
        result
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.record(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.record(result)
    }
}

/// What happened to one input, with its messages for stderr.
struct InputResult {
    outcome: Option<Outcome>,
    error: Option<anyhow::Error>,
    note: Option<String>,
}

/// Runs every input through `mode`. Returns `Err` only when writing to
/// standard output failed, which ends the run.
pub fn run<W: Write>(
    inputs: Vec<Result<Input, InputError>>,
    repairer: &Repairer,
    ignore: &Ignore,
    mode: &dyn Mode,
    jobs: usize,
    out: &mut Output<W>,
) -> Result<Status, io::Error> {
    let mut status = Status::default();
    let mut window: Vec<Input> = Vec::new();
    for input in inputs {
        match input {
            Ok(input) if input.size().is_some_and(|s| s <= WHOLE_FILE_LIMIT) => {
                window.push(input);
                if window.len() == FILE_WINDOW {
                    run_window(&mut window, repairer, ignore, mode, out, &mut status)?;
                }
            }
            other => {
                run_window(&mut window, repairer, ignore, mode, out, &mut status)?;
                match other {
                    Ok(input) => {
                        let result = process(&input, repairer, ignore, mode, jobs, out);
                        finish_input(result, mode, out, &mut status)?;
                    }
                    Err(InputError { error }) => {
                        let result = InputResult {
                            outcome: None,
                            error: Some(error),
                            note: None,
                        };
                        finish_input(result, mode, out, &mut status)?;
                    }
                }
            }
        }
    }
    run_window(&mut window, repairer, ignore, mode, out, &mut status)?;
    out.flush()?;
    Ok(status)
}

/// Repairs a window of small files in parallel and prints them in order.
fn run_window<W: Write>(
    window: &mut Vec<Input>,
    repairer: &Repairer,
    ignore: &Ignore,
    mode: &dyn Mode,
    out: &mut Output<W>,
    status: &mut Status,
) -> Result<(), io::Error> {
    let results: Vec<(Vec<u8>, InputResult)> = window
        .par_iter()
        .map(|input| {
            let mut buffer = Vec::new();
            let result = process(input, repairer, ignore, mode, 1, &mut buffer);
            (buffer, result)
        })
        .collect();
    window.clear();
    for (buffer, result) in results {
        out.write_all(&buffer)?;
        finish_input(result, mode, out, status)?;
    }
    Ok(())
}

/// Prints an input's messages and folds its outcome into the status.
fn finish_input<W: Write>(
    result: InputResult,
    mode: &dyn Mode,
    out: &mut Output<W>,
    status: &mut Status,
) -> Result<(), io::Error> {
    if let Some(e) = out.take_error() {
        return Err(e);
    }
    if result.error.is_some() || result.note.is_some() {
        // Keep stderr messages next to the output they belong to.
        out.flush()?;
    }
    if let Some(note) = result.note {
        eprintln!("despin: {note}");
    }
    if let Some(error) = result.error {
        eprintln!("despin: {error:#}");
        status.errored = true;
    }
    if let Some(outcome) = result.outcome {
        status.found |= mode.found(&outcome);
    }
    progress::add_file();
    Ok(())
}

/// Repairs one input into `out` through the mode's sink.
fn process(
    input: &Input,
    repairer: &Repairer,
    ignore: &Ignore,
    mode: &dyn Mode,
    jobs: usize,
    out: &mut dyn Write,
) -> InputResult {
    let mut note = None;
    let result = process_inner(input, repairer, ignore, mode, jobs, out, &mut note);
    match result {
        Ok(outcome) => InputResult {
            outcome,
            error: None,
            note,
        },
        Err(error) => InputResult {
            outcome: None,
            error: Some(error),
            note,
        },
    }
}

fn process_inner(
    input: &Input,
    repairer: &Repairer,
    ignore: &Ignore,
    mode: &dyn Mode,
    jobs: usize,
    out: &mut dyn Write,
    note: &mut Option<String>,
) -> Result<Option<Outcome>> {
    let name = input.display();
    // A small file is one chunk: read it whole (one byte more than its
    // size, to see the end), without a buffer sized for the largest one.
    let target = match input.size() {
        Some(size) if size <= WHOLE_FILE_LIMIT => size as usize + 1,
        _ => STREAM_CHUNK,
    };
    let mut reader = ChunkReader::new(input.open()?, target);
    let read_error = || format!("{name}: cannot read");
    let first = reader.next_chunk().with_context(read_error)?;
    if first.as_deref().is_some_and(looks_binary) {
        let policy = if input.is_explicit() {
            mode.binary_policy()
        } else {
            BinaryPolicy::Skip
        };
        // UTF-16 text has NUL bytes too; say what it is.
        let kind = if first.as_deref().is_some_and(is_utf16) {
            "UTF-16 file (only UTF-8 is repaired)"
        } else {
            "binary file"
        };
        return match policy {
            BinaryPolicy::Skip => {
                *note = Some(format!("{name}: {kind} skipped"));
                Ok(None)
            }
            BinaryPolicy::PassThrough => {
                *note = Some(format!("{name}: {kind} passed through unchanged"));
                let mut chunk = first;
                while let Some(bytes) = chunk {
                    out.write_all(&bytes)?;
                    chunk = reader.next_chunk().with_context(read_error)?;
                }
                Ok(None)
            }
        };
    }
    let mut sink = mode.begin(input, repairer, out)?;
    let mut block = BlockState::default();
    let kind = ignore.kind(match input {
        Input::File { path, .. } => Some(path.as_path()),
        Input::Stdin => None,
    });
    // Chunks are scanned a batch at a time, and a batch waits for its
    // slowest chunk: eight chunks per thread keep that wait small (2 MiB
    // of text per thread in flight, about 30 MB peak memory at -j2).
    let batch_len = (jobs * 8).max(1);
    let mut batch: Vec<Vec<u8>> = first.into_iter().collect();
    if jobs > 1 {
        batch.extend(read_batch(&mut reader, batch_len - 1).with_context(read_error)?);
    }
    while !batch.is_empty() {
        let (scans, next) = if jobs > 1 {
            rayon::join(
                || {
                    batch
                        .par_iter()
                        .map(|c| repairer.scan(c))
                        .collect::<Vec<_>>()
                },
                || read_batch(&mut reader, batch_len),
            )
        } else {
            (
                batch.iter().map(|c| repairer.scan(c)).collect(),
                read_batch(&mut reader, batch_len),
            )
        };
        for (bytes, scan) in batch.iter().zip(&scans) {
            progress::add_bytes(bytes.len());
            sink.chunk(&Chunk {
                bytes,
                edits: &ignore.filter_all(kind, bytes, &scan.edits, &mut block),
                words: scan.words,
            })?;
        }
        batch = next.with_context(read_error)?;
    }
    Ok(Some(sink.finish()?))
}

fn read_batch(reader: &mut ChunkReader, count: usize) -> io::Result<Vec<Vec<u8>>> {
    let mut batch = Vec::with_capacity(count);
    while batch.len() < count {
        match reader.next_chunk()? {
            Some(chunk) => batch.push(chunk),
            None => break,
        }
    }
    Ok(batch)
}
