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
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

use anyhow::{Context, Result};
use despin::document::{
    looks_binary, scan_in_documents, DocumentReader, LineBatches, OpenSpans, Protection,
    WHOLE_FILE_LIMIT,
};
use despin::{Repairer, Scan};

use crate::cli::extract;
use crate::cli::input::{Input, InputError};
use crate::cli::mode::{BinaryPolicy, Chunk, Framing, Mode, Outcome, Record, Records};
use crate::cli::progress;

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
    // A mode that takes inputs one at a time gets each straight, on this
    // thread, so what it writes comes out as it goes.
    let together = !mode.one_at_a_time();
    let small = |input: &Result<Input, InputError>| {
        together
            && matches!(input, Ok(input) if input.size().is_some_and(|s| s <= WHOLE_FILE_LIMIT))
    };
    let mut inputs = inputs.into_iter().peekable();
    while inputs.peek().is_some() && !mode.stopped() {
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
    let read_error = || format!("{name}: cannot read");
    let mut source = match mode.framing() {
        Framing::Documents => Source::Documents(DocumentReader::for_input(
            input.open()?,
            input.size(),
            repairer,
        )),
        Framing::Lines(records) => {
            Source::Lines(LineBatches::new(input.open()?, LINE_BATCH), records)
        }
    };
    let mut first = source.next().with_context(read_error)?;
    let start = first.as_ref().map_or(&[][..], Piece::start);
    let extractable = matches!(source, Source::Documents(_))
        .then(|| extract::Kind::sniff(start, input.path()))
        .flatten();
    let mut layout = None;
    if let Some(kind) = extractable {
        if let Err(instead) = mode.takes_extracted() {
            if input.is_explicit() {
                anyhow::bail!("{name}: {}: {instead}", kind.describe());
            }
            *note = Some(format!("{name}: {} skipped ({instead})", kind.describe()));
            return Ok(None);
        }
        let mut bytes = Vec::new();
        let mut piece = first.take();
        while let Some(read) = piece {
            read.write_raw(&mut bytes)?;
            if bytes.len() as u64 > MAX_EXTRACTED_BYTES {
                anyhow::bail!(
                    "{name}: {} larger than {} MiB",
                    kind.describe(),
                    MAX_EXTRACTED_BYTES >> 20
                );
            }
            piece = source.next().with_context(read_error)?;
        }
        let extracted = extract::extract(kind, &bytes)
            .map_err(|e| anyhow::anyhow!("{name}: cannot read as {}: {e}", kind.describe()))?;
        let text = extracted.text.as_bytes().to_vec();
        let size = text.len() as u64;
        source = Source::Documents(DocumentReader::for_input(
            Box::new(std::io::Cursor::new(text)),
            Some(size),
            repairer,
        ));
        first = source.next().with_context(read_error)?;
        layout = Some(extracted);
    } else if let Some(start) = first.as_ref().map(Piece::start) {
        if looks_binary(start) {
            let policy = if input.is_explicit() {
                mode.binary_policy()
            } else {
                BinaryPolicy::Skip
            };
            return match policy {
                BinaryPolicy::Refuse => Err(anyhow::anyhow!(
                    "{name}: binary file, not text (a NUL byte in its first 8 KiB); only text, PDF, DOCX and UTF-16 are read"
                )),
                BinaryPolicy::Skip => {
                    *note = Some(format!("{name}: binary file skipped"));
                    Ok(None)
                }
                BinaryPolicy::PassThrough => {
                    *note = Some(format!("{name}: binary file passed through unchanged"));
                    let mut piece = first;
                    while let Some(bytes) = piece {
                        bytes.write_raw(out)?;
                        piece = source.next().with_context(read_error)?;
                    }
                    Ok(None)
                }
            };
        }
    }
    let mut sink = match &layout {
        Some(layout) => mode.begin_extracted(input, layout, repairer, out)?,
        None => mode.begin(input, repairer, out)?,
    };
    // Extracted text is plain text, whatever the file's name.
    let format = match layout {
        Some(_) => despin::document::Format::Txt,
        None => protection.format_of(input.path()),
    };
    // Protection follows constructs open across documents, so it is found
    // in input order, as each document is read; the scans then run in any
    // order. Each record is a document of its own, protected alone.
    let mut open = OpenSpans::default();
    let mut next = || -> Result<Option<Piece>> {
        let mut piece = match first.take() {
            Some(piece) => piece,
            None => match source.next().with_context(read_error)? {
                Some(piece) => piece,
                None => return Ok(None),
            },
        };
        if let Piece::Document(bytes, protected) = &mut piece {
            *protected = protection.protected(format, bytes, &mut open);
        }
        Ok(Some(piece))
    };
    let scan = |piece: Piece| match piece {
        Piece::Document(bytes, protected) => {
            let scan = repairer.scan_protected(&bytes, &protected);
            Scanned::Document(bytes, scan)
        }
        Piece::Lines(lines, records) => Scanned::Lines(
            lines
                .into_iter()
                .map(|line| {
                    let found = records.text(&line).map(|(text, value)| {
                        let scan = scan_in_documents(repairer, protection, format, text.as_bytes());
                        (text, value, scan)
                    });
                    (line, found)
                })
                .collect(),
        ),
    };
    let mut emit = |scanned: Scanned| -> Result<()> {
        match scanned {
            Scanned::Document(bytes, scan) => {
                progress::add_bytes(bytes.len());
                sink.chunk(&Chunk {
                    bytes: &bytes,
                    edits: &scan.edits,
                    words: scan.words,
                    deep: scan.deep,
                    record: None,
                })
            }
            Scanned::Lines(lines) => {
                for (line, found) in &lines {
                    progress::add_bytes(line.len());
                    let (text, value, edits, words, deep) = match found {
                        Some((text, value, scan)) => (
                            text.as_bytes(),
                            Some(value.clone()),
                            &scan.edits[..],
                            scan.words,
                            scan.deep,
                        ),
                        None => (&b""[..], None, &[][..], 0, None),
                    };
                    sink.chunk(&Chunk {
                        bytes: text,
                        edits,
                        words,
                        deep,
                        record: Some(Record { line, value }),
                    })?;
                }
                Ok(())
            }
        }
    };
    if jobs > 1 {
        // Sixteen documents per thread in flight (4 MiB of text per
        // thread) keep every thread busy while one slow document holds up
        // the output.
        in_order(&mut next, &scan, jobs * 16, &mut emit)?;
    } else {
        while let Some(piece) = next()? {
            emit(scan(piece))?;
        }
    }
    Ok(Some(sink.finish()?))
}

/// The largest PDF or DOCX read: its text is extracted from the whole file.
const MAX_EXTRACTED_BYTES: u64 = 1 << 30;

/// Bytes of record lines scanned as one piece of work.
const LINE_BATCH: usize = 64 << 10;

/// Where an input's pieces come from: the core's documents, or batches of
/// record lines.
enum Source<'r> {
    Documents(DocumentReader<'r>),
    Lines(LineBatches<'r>, &'r dyn Records),
}

impl<'r> Source<'r> {
    fn next(&mut self) -> std::io::Result<Option<Piece<'r>>> {
        Ok(match self {
            Source::Documents(reader) => reader
                .next_document()?
                .map(|bytes| Piece::Document(bytes, Vec::new())),
            Source::Lines(lines, records) => lines
                .next_batch()?
                .map(|batch| Piece::Lines(batch, *records)),
        })
    }
}

/// What is read at once: a document with its protected ranges (found in
/// input order, before the scan), or a batch of record lines.
enum Piece<'r> {
    Document(Vec<u8>, Vec<Range<usize>>),
    Lines(Vec<Vec<u8>>, &'r dyn Records),
}

impl Piece<'_> {
    /// The bytes that binary detection looks at.
    fn start(&self) -> &[u8] {
        match self {
            Piece::Document(bytes, _) => bytes,
            Piece::Lines(lines, _) => lines.first().map_or(&[][..], Vec::as_slice),
        }
    }

    /// Copies the piece's bytes through unchanged.
    fn write_raw(&self, out: &mut dyn Write) -> std::io::Result<()> {
        match self {
            Piece::Document(bytes, _) => out.write_all(bytes),
            Piece::Lines(lines, _) => lines.iter().try_for_each(|line| out.write_all(line)),
        }
    }
}

/// A scanned piece: a document, or each line with its record, if any.
enum Scanned {
    Document(Vec<u8>, Scan),
    Lines(Vec<(Vec<u8>, Option<ScannedRecord>)>),
}

/// A record's text, where its value lies in the line, and the text's scan.
type ScannedRecord = (String, Range<usize>, Scan);

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
