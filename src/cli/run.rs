//! Drives the inputs through the repairer and the chosen mode, in parallel.
//!
//! Small files are repaired several at a time, each into its own buffer,
//! and printed whole in input order, so outputs never interleave. A large
//! file or standard input is read as a stream of chunks that are repaired
//! in parallel and written in order, with a bounded number in flight, so
//! memory stays bounded whatever the input size. Errors are per input: they
//! are reported in order and the run goes on.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc;

use anyhow::{Context, Result};
use despin::{Repairer, Scan};
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
    let mut emit = |bytes: &[u8], scan: &Scan| -> Result<()> {
        progress::add_bytes(bytes.len());
        sink.chunk(&Chunk {
            bytes,
            edits: &ignore.filter_all(kind, bytes, &scan.edits, &mut block),
            words: scan.words,
        })?;
        Ok(())
    };
    let mut next_chunk = || reader.next_chunk().with_context(read_error);
    if jobs > 1 {
        // Sixteen chunks per thread in flight (4 MiB of text each) keep
        // every thread busy while one slow chunk holds up the output.
        scan_in_order(first, &mut next_chunk, repairer, jobs * 16, &mut emit)?;
    } else {
        let mut chunk = first;
        while let Some(bytes) = chunk {
            emit(&bytes, &repairer.scan(&bytes))?;
            chunk = next_chunk()?;
        }
    }
    Ok(Some(sink.finish()?))
}

/// Scans the chunks `first`, then `next_chunk()` until it is `None`, in
/// parallel, and hands each with its scan to `emit` in input order.
///
/// At most `window` chunks are read but not yet emitted. There is no batch
/// barrier: the calling thread reads, emits whatever is next in order, and
/// otherwise scans queued chunks itself, so no thread waits for the
/// slowest chunk of a batch while others are queued.
fn scan_in_order(
    first: Option<Vec<u8>>,
    next_chunk: &mut dyn FnMut() -> Result<Option<Vec<u8>>>,
    repairer: &Repairer,
    window: usize,
    emit: &mut dyn FnMut(&[u8], &Scan) -> Result<()>,
) -> Result<()> {
    let (done_tx, done_rx) = mpsc::channel::<(usize, Vec<u8>, Scan)>();
    rayon::in_place_scope_fifo(|scope| {
        let mut waiting: BTreeMap<usize, (Vec<u8>, Scan)> = BTreeMap::new();
        let (mut read, mut emitted) = (0, 0);
        let mut pending = first;
        let mut at_end = pending.is_none();
        loop {
            while !at_end && read - emitted < window {
                let Some(bytes) = pending
                    .take()
                    .map_or_else(&mut *next_chunk, |c| Ok(Some(c)))?
                else {
                    at_end = true;
                    break;
                };
                let done_tx = done_tx.clone();
                let index = read;
                scope.spawn_fifo(move |_| {
                    let scan = repairer.scan(&bytes);
                    // The receiver is gone only when the run already failed.
                    let _ = done_tx.send((index, bytes, scan));
                });
                read += 1;
            }
            if emitted == read {
                return Ok(());
            }
            let (index, bytes, scan) = loop {
                if let Ok(done) = done_rx.try_recv() {
                    break done;
                }
                // Scan a queued chunk here rather than wait; block only
                // when every chunk is taken.
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    break done_rx.recv().expect("the sender is alive");
                }
            };
            waiting.insert(index, (bytes, scan));
            while let Some((bytes, scan)) = waiting.remove(&emitted) {
                emit(&bytes, &scan)?;
                emitted += 1;
            }
        }
    })
}
