//! Drives the inputs through the repairer and the chosen mode, in parallel.
//!
//! Small files are repaired several at a time, each into its own buffer,
//! and printed whole in input order, so outputs never interleave. A large
//! file or standard input is read as a stream of chunks that are repaired
//! in parallel and written in order, with a bounded number in flight, so
//! memory stays bounded whatever the input size. Errors are per input: they
//! are reported in order and the run goes on.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

use anyhow::{Context, Result};
use despin::{Repairer, Scan};

use crate::cli::input::{is_utf16, looks_binary, ChunkReader, Input, InputError};
use crate::cli::mode::{BinaryPolicy, Chunk, Mode, Outcome};
use crate::cli::progress;
use despin::document::{Format, OpenSpans, Protection};

/// Inputs up to this size, files and standard input alike, are one
/// document and one chunk; a larger input's first chunk is cut below it.
/// A paper or an article fits many times over. Larger inputs are corpora
/// and books, whose document rules work per chunk, in parallel and in
/// bounded memory: the per-document tables of a whole 8 MB file took
/// 90 MB.
pub const WHOLE_FILE_LIMIT: u64 = 1 << 20;
/// Target chunk size when streaming a large input.
pub const STREAM_CHUNK: usize = 256 << 10;

/// Reads an input of `size` bytes (if known) as the documents every mode
/// repairs: whole up to [`WHOLE_FILE_LIMIT`], else a first chunk below it
/// and then [`STREAM_CHUNK`]s.
/// Cuts fall where no phrase of `repairer` runs across them.
pub fn document_reader<'r>(
    source: Box<dyn Read + Send>,
    size: Option<u64>,
    repairer: &'r Repairer,
) -> ChunkReader<'r> {
    // The first chunk is read up to one byte past the limit, to see
    // whether the input ends within it; a small file's up to one byte past
    // its size, without a buffer sized for the largest file.
    let first = size.unwrap_or(WHOLE_FILE_LIMIT).min(WHOLE_FILE_LIMIT) as usize + 1;
    ChunkReader::new(source, first, STREAM_CHUNK).avoiding_phrases_of(repairer)
}

/// Scans bytes held in memory (a JSON Lines field, a file under review)
/// in the same documents as a file of that size: whole up to
/// [`WHOLE_FILE_LIMIT`], else cut as [`document_reader`] cuts, so a long
/// field costs what a long file does and finds the same edits, with the
/// same text of a `format` protected. Edit ranges are into `bytes`.
pub fn scan_in_documents(
    repairer: &Repairer,
    protection: &Protection,
    format: Format,
    bytes: &[u8],
) -> Scan {
    let mut open = OpenSpans::default();
    if bytes.len() as u64 <= WHOLE_FILE_LIMIT {
        return repairer.scan_protected(bytes, &protection.protected(format, bytes, &mut open));
    }
    let mut reader = document_reader(
        Box::new(io::Cursor::new(bytes.to_vec())),
        Some(bytes.len() as u64),
        repairer,
    );
    let mut all = Scan::default();
    let mut start = 0;
    while let Some(chunk) = reader
        .next_chunk()
        .expect("reading from memory cannot fail")
    {
        let protected = protection.protected(format, &chunk, &mut open);
        let scan = repairer.scan_protected(&chunk, &protected);
        all.words += scan.words;
        all.promoted |= scan.promoted;
        all.edits.extend(scan.edits.into_iter().map(|mut edit| {
            edit.range = edit.range.start + start..edit.range.end + start;
            edit
        }));
        start += chunk.len();
    }
    all
}

/// How many small files may be taken but not yet printed: their outputs
/// wait in memory for the files before them.
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
    protection: &Protection,
    mode: &dyn Mode,
    jobs: usize,
    out: &mut Output<W>,
) -> Result<Status, io::Error> {
    let mut status = Status::default();
    let small = |input: &Result<Input, InputError>| matches!(input, Ok(input) if input.size().is_some_and(|s| s <= WHOLE_FILE_LIMIT));
    let mut inputs = inputs.into_iter().peekable();
    while inputs.peek().is_some() {
        // A run of small files: each is repaired into its own buffer, several
        // at a time, and printed whole in input order.
        in_order(
            &mut || Ok(inputs.next_if(small).and_then(Result::ok)),
            &|input: Input| {
                let mut buffer = Vec::new();
                let result = process(&input, repairer, protection, mode, 1, &mut buffer);
                (buffer, result)
            },
            FILE_WINDOW,
            &mut |(buffer, result): (Vec<u8>, InputResult)| {
                out.write_all(&buffer)?;
                finish_input(result, mode, out, &mut status)
            },
        )?;
        // Then a large file, streamed in parallel chunks, or an input that
        // could not be opened.
        let result = match inputs.next() {
            None => break,
            Some(Ok(input)) => process(&input, repairer, protection, mode, jobs, out),
            Some(Err(InputError { error })) => InputResult {
                outcome: None,
                error: Some(error),
                note: None,
            },
        };
        finish_input(result, mode, out, &mut status)?;
    }
    out.flush()?;
    Ok(status)
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
    protection: &Protection,
    mode: &dyn Mode,
    jobs: usize,
    out: &mut dyn Write,
) -> InputResult {
    let mut note = None;
    let result = process_inner(input, repairer, protection, mode, jobs, out, &mut note);
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
    protection: &Protection,
    mode: &dyn Mode,
    jobs: usize,
    out: &mut dyn Write,
    note: &mut Option<String>,
) -> Result<Option<Outcome>> {
    let name = input.display();
    let mut reader = document_reader(input.open()?, input.size(), repairer);
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
    let format = protection.format_of(input.path());
    let mut emit = |bytes: &[u8], scan: &Scan| -> Result<()> {
        progress::add_bytes(bytes.len());
        sink.chunk(&Chunk {
            bytes,
            edits: &scan.edits,
            words: scan.words,
        })?;
        Ok(())
    };
    // Protection follows constructs open across documents, so it is found
    // in input order, as each document is read; the scans then run in any
    // order.
    let mut open = OpenSpans::default();
    let mut protect = |bytes: Vec<u8>| {
        let protected = protection.protected(format, &bytes, &mut open);
        (bytes, protected)
    };
    let mut first = first.map(&mut protect);
    let mut next_document = || -> Result<Option<Protected>> {
        if let Some(document) = first.take() {
            return Ok(Some(document));
        }
        Ok(reader
            .next_chunk()
            .with_context(read_error)?
            .map(&mut protect))
    };
    let scan = |(bytes, protected): Protected| {
        let scan = repairer.scan_protected(&bytes, &protected);
        (bytes, scan)
    };
    if jobs > 1 {
        // Sixteen chunks per thread in flight (4 MiB of text per thread)
        // keep every thread busy while one slow chunk holds up the output.
        in_order(&mut next_document, &scan, jobs * 16, &mut |(
            bytes,
            scan,
        ): (
            Vec<u8>,
            Scan,
        )| {
            emit(&bytes, &scan)
        })?;
    } else {
        while let Some(document) = next_document()? {
            let (bytes, scan) = scan(document);
            emit(&bytes, &scan)?;
        }
    }
    Ok(Some(sink.finish()?))
}

/// A document's bytes and its protected ranges.
type Protected = (Vec<u8>, Vec<Range<usize>>);

/// Runs `work` on each item of `next()` (until it gives `None`) in
/// parallel, and hands the results to `emit` in item order.
///
/// At most `window` items are taken but not yet emitted. There is no batch
/// barrier: the calling thread takes items, emits whatever result is next
/// in order, and otherwise works on queued items itself, so no thread
/// waits for the slowest item of a batch while others are queued.
fn in_order<T: Send, R: Send, E>(
    next: &mut dyn FnMut() -> Result<Option<T>, E>,
    work: &(dyn Fn(T) -> R + Sync),
    window: usize,
    emit: &mut dyn FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    // A panicking item is sent as its panic, and raised again on this
    // thread: the receiver would otherwise wait for it forever.
    let (done_tx, done_rx) = mpsc::channel::<(usize, std::thread::Result<R>)>();
    rayon::in_place_scope_fifo(|scope| {
        let mut waiting: BTreeMap<usize, R> = BTreeMap::new();
        let (mut taken, mut emitted) = (0, 0);
        let mut at_end = false;
        loop {
            while !at_end && taken - emitted < window {
                let Some(item) = next()? else {
                    at_end = true;
                    break;
                };
                let done_tx = done_tx.clone();
                let index = taken;
                scope.spawn_fifo(move |_| {
                    // The receiver is gone only when the run already failed.
                    let result = panic::catch_unwind(AssertUnwindSafe(|| work(item)));
                    let _ = done_tx.send((index, result));
                });
                taken += 1;
            }
            if emitted == taken {
                return Ok(());
            }
            let (index, result) = loop {
                if let Ok(done) = done_rx.try_recv() {
                    break done;
                }
                // Work on a queued item here rather than wait; block only
                // when every item is taken.
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    break done_rx.recv().expect("the sender is alive");
                }
            };
            let result = result.unwrap_or_else(|payload| panic::resume_unwind(payload));
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&emitted) {
                emit(result)?;
                emitted += 1;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `in_order` over `0..count` on a pool of `threads`, where item
    /// `i` takes longer the smaller `i % 7` is, so results finish out of
    /// order.
    fn emitted(
        threads: usize,
        count: usize,
        fail_next_at: Option<usize>,
        fail_emit_at: Option<usize>,
    ) -> (Vec<usize>, Result<(), String>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut out = Vec::new();
        let result = pool.install(|| {
            let mut items = 0..count;
            in_order(
                &mut || match items.next() {
                    Some(i) if Some(i) == fail_next_at => Err(format!("cannot read {i}")),
                    item => Ok(item),
                },
                &|i: usize| {
                    std::thread::sleep(std::time::Duration::from_micros(50 * (7 - i % 7) as u64));
                    i
                },
                4,
                &mut |i: usize| {
                    if Some(i) == fail_emit_at {
                        return Err(format!("cannot write {i}"));
                    }
                    out.push(i);
                    Ok(())
                },
            )
        });
        (out, result)
    }

    #[test]
    fn results_come_out_in_item_order() {
        for threads in [1, 2, 3] {
            let (out, result) = emitted(threads, 200, None, None);
            assert_eq!(result, Ok(()));
            assert_eq!(out, (0..200).collect::<Vec<_>>(), "{threads} threads");
        }
        assert_eq!(emitted(2, 0, None, None), (Vec::new(), Ok(())));
    }

    #[test]
    fn a_panicking_item_ends_the_run_instead_of_hanging_it() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                pool.install(|| {
                    let mut items = 0..100;
                    in_order(
                        &mut || Ok::<_, ()>(items.next()),
                        &|i: usize| {
                            assert_ne!(i, 40, "item 40 is corrupt");
                            i
                        },
                        8,
                        &mut |_| Ok(()),
                    )
                })
            }));
            let _ = tx.send(result.is_err());
        });
        let panicked = rx.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(panicked, Ok(true), "the run must end, with the panic");
    }

    #[test]
    fn the_first_error_ends_the_run_after_the_items_before_it() {
        let (out, result) = emitted(3, 200, None, Some(50));
        assert_eq!(result, Err("cannot write 50".to_string()));
        assert_eq!(out, (0..50).collect::<Vec<_>>());
        let (out, result) = emitted(3, 200, Some(120), None);
        assert_eq!(result, Err("cannot read 120".to_string()));
        // Items taken before the failed read may or may not be emitted, but
        // never out of order or past it.
        assert!(out.len() <= 120);
        assert_eq!(out, (0..out.len()).collect::<Vec<_>>());
    }
}
