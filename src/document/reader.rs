//! Reading an input as the documents every mode repairs.
//!
//! An input up to [`WHOLE_FILE_LIMIT`] is one document, whatever its
//! source, so a file and the same bytes through a pipe find the same
//! edits. A longer one is a corpus or a book: it is cut into documents of
//! about [`STREAM_CHUNK`] bytes at paragraph, sentence or line boundaries
//! ([`super::cut`]), which keeps memory bounded and lets documents be
//! repaired in parallel. JSON Lines input is read a whole line at a time
//! instead ([`LineBatches`]), since each record is its own document.

use std::io::{self, BufRead, BufReader, Read};

use crate::document::cut::document_end;
use crate::document::{Format, OpenSpans, Protection};
use crate::{Repairer, Scan};

/// Inputs up to this size, files and standard input alike, are one
/// document; a larger input's first document is cut below it. A paper or
/// an article fits many times over. Larger inputs are corpora and books,
/// whose document rules work per document, in parallel and in bounded
/// memory: the per-document tables of a whole 8 MB file took 90 MB.
pub const WHOLE_FILE_LIMIT: u64 = 1 << 20;
/// Target document size when streaming a large input.
pub const STREAM_CHUNK: usize = 256 << 10;

/// How many leading bytes are searched for NUL to detect binary files, as
/// git and ripgrep do.
const BINARY_PROBE: usize = 8192;

/// Whether an input that starts with `start` is binary, not text.
pub fn looks_binary(start: &[u8]) -> bool {
    memchr::memchr(0, &start[..start.len().min(BINARY_PROBE)]).is_some()
}

/// Whether an input starts with a UTF-16 byte-order mark.
pub fn is_utf16(start: &[u8]) -> bool {
    start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF")
}

/// Reads an input as a sequence of documents.
///
/// The first document is read up to `first` bytes and each later one up
/// to `target`; a document ends where [`document_end`] says in what was
/// read (unless the input ends first). Phrases never span a blank line or
/// a sentence end, so a cut there changes nothing about matching; a
/// reader made with [`DocumentReader::for_input`] also keeps the fallback
/// cuts out of its repairer's phrases.
pub struct DocumentReader<'r> {
    source: Box<dyn Read + Send + 'r>,
    /// What the next document is read up to.
    next_target: usize,
    target: usize,
    carry: Vec<u8>,
    done: bool,
    /// Whose phrases a cut at a line break or a space must not split.
    repairer: Option<&'r Repairer>,
}

impl<'r> DocumentReader<'r> {
    /// The documents of an input of `size` bytes (when known), as every
    /// mode reads them: whole up to [`WHOLE_FILE_LIMIT`], else a first
    /// document below it and then about [`STREAM_CHUNK`] bytes each, cut
    /// where no phrase of `repairer` runs across.
    pub fn for_input(
        source: Box<dyn Read + Send + 'r>,
        size: Option<u64>,
        repairer: &'r Repairer,
    ) -> DocumentReader<'r> {
        // The first document is read up to one byte past the limit, to see
        // whether the input ends within it; a small file's up to one byte
        // past its size, without a buffer sized for the largest file.
        let first = size.unwrap_or(WHOLE_FILE_LIMIT).min(WHOLE_FILE_LIMIT) as usize + 1;
        let mut reader = DocumentReader::new(source, first, STREAM_CHUNK);
        reader.repairer = Some(repairer);
        reader
    }

    /// A reader with its own targets, which knows no phrases.
    pub fn new(
        source: Box<dyn Read + Send + 'r>,
        first: usize,
        target: usize,
    ) -> DocumentReader<'r> {
        DocumentReader {
            source,
            next_target: first.max(1),
            target: target.max(1),
            carry: Vec::new(),
            done: false,
            repairer: None,
        }
    }

    /// The next document, or `None` at the end of the input.
    pub fn next_document(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut buf = std::mem::take(&mut self.carry);
        let target = std::mem::replace(&mut self.next_target, self.target);
        if !self.done && buf.len() < target {
            // `read_to_end` reads into the spare capacity without zeroing
            // it first, and stops at the target or at the end of input.
            let want = (target - buf.len()).max(64 * 1024);
            buf.reserve_exact(want);
            // Reading less means the input ended. A document that still
            // reached the target (reads are at least 64 KiB) is cut as
            // usual, and the next call finds the end.
            let read = (&mut self.source).take(want as u64).read_to_end(&mut buf)?;
            if read < want && buf.len() < target {
                self.done = true;
            }
        }
        if buf.is_empty() {
            return Ok(None);
        }
        if !self.done {
            let spanned =
                |buf: &[u8], at: usize| self.repairer.is_some_and(|r| r.spans_cut(buf, at));
            let cut = document_end(&buf, buf.len(), target, spanned);
            self.carry = buf.split_off(cut);
        }
        Ok(Some(buf))
    }
}

/// Scans bytes held in memory (a JSON Lines field, a file under review)
/// in the same documents as an input of that size: whole up to
/// [`WHOLE_FILE_LIMIT`], else cut as [`DocumentReader::for_input`] cuts,
/// so a long field costs what a long file does and finds the same edits,
/// with the same text of `format` protected. Edit ranges are into `bytes`.
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
    let mut reader = DocumentReader::for_input(Box::new(bytes), Some(bytes.len() as u64), repairer);
    let mut all = Scan::default();
    let mut start = 0;
    while let Some(document) = reader
        .next_document()
        .expect("reading from memory cannot fail")
    {
        let protected = protection.protected(format, &document, &mut open);
        let scan = repairer.scan_protected(&document, &protected);
        all.words += scan.words;
        all.promoted |= scan.promoted;
        all.edits.extend(scan.edits.into_iter().map(|mut edit| {
            edit.range = edit.range.start + start..edit.range.end + start;
            edit
        }));
        start += document.len();
    }
    all
}

/// Reads whole lines in batches of about `batch_bytes`: the records of
/// JSON Lines input, each one document. A line is never cut, however long.
pub struct LineBatches<'r> {
    source: BufReader<Box<dyn Read + Send + 'r>>,
    batch_bytes: usize,
}

impl<'r> LineBatches<'r> {
    /// Batches of about `batch_bytes` of `source`'s lines.
    pub fn new(source: Box<dyn Read + Send + 'r>, batch_bytes: usize) -> LineBatches<'r> {
        LineBatches {
            source: BufReader::with_capacity(1 << 20, source),
            batch_bytes: batch_bytes.max(1),
        }
    }

    /// The next lines, each with its line ending; `None` at the end.
    pub fn next_batch(&mut self) -> io::Result<Option<Vec<Vec<u8>>>> {
        let mut batch = Vec::new();
        let mut size = 0;
        while size < self.batch_bytes {
            let mut line = Vec::new();
            if self.source.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            size += line.len();
            batch.push(line);
        }
        Ok((!batch.is_empty()).then_some(batch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documents(text: &[u8], target: usize) -> Vec<Vec<u8>> {
        let mut reader = DocumentReader::new(Box::new(text), target, target);
        let mut out = Vec::new();
        while let Some(document) = reader.next_document().unwrap() {
            out.push(document);
        }
        out
    }

    #[test]
    fn documents_concatenate_to_the_input() {
        let text = b"one two\n\nthree four\nfive six seven\n\neight".repeat(50);
        for target in [1, 7, 64, 1000, 100_000] {
            let parts = documents(&text, target);
            assert_eq!(parts.concat(), text, "target {target}");
        }
    }

    #[test]
    fn the_first_document_has_its_own_target() {
        // Reads are at least 64 KiB, so the targets here are larger.
        let text = b"one two three\n\n".repeat(30_000);
        let mut reader = DocumentReader::new(Box::new(&text[..]), 200_000, 100_000);
        let mut sizes = Vec::new();
        let mut joined = Vec::new();
        while let Some(document) = reader.next_document().unwrap() {
            sizes.push(document.len());
            joined.extend(document);
        }
        assert_eq!(joined, text);
        assert!((100_000..=200_000).contains(&sizes[0]), "{sizes:?}");
        // Each later document but the last is cut past half the later target.
        assert!(sizes.len() > 2, "{sizes:?}");
        let later = &sizes[1..sizes.len() - 1];
        assert!(
            later.iter().all(|&n| (50_000..=200_000).contains(&n)),
            "{sizes:?}"
        );
        // An input shorter than the first target is one document.
        let mut whole = DocumentReader::new(Box::new(&text[..]), text.len() + 1, 100);
        assert_eq!(whole.next_document().unwrap(), Some(text.clone()));
        assert_eq!(whole.next_document().unwrap(), None);
    }

    #[test]
    fn the_reader_and_split_cut_alike() {
        let text = b"aaaa bbbb\n\ncccc dddd\neeee. ffff gggg hhhh iiii".repeat(40);
        for target in [12, 50, 333] {
            let read = documents(&text, target);
            let split: Vec<Vec<u8>> = crate::document::cut::split(&text, target)
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect();
            // Reads are at least 64 KiB, so the reader sees more than
            // `target` at once; its cuts differ, but by the same rule they
            // fall after a blank line when there is one.
            assert_eq!(read.concat(), split.concat());
        }
        assert_eq!(
            documents(b"aaaa bbbb\n\ncccc dddd\neeee", 12)[0],
            b"aaaa bbbb\n\n"
        );
    }

    #[test]
    fn never_cuts_inside_a_character() {
        let text = "é".repeat(100);
        for part in documents(text.as_bytes(), 5) {
            assert!(std::str::from_utf8(&part).is_ok());
        }
    }

    #[test]
    fn lines_come_whole_in_batches() {
        let text = b"{\"a\":1}\n{\"b\":2}\r\nlast".to_vec();
        let mut lines = LineBatches::new(Box::new(&text[..]), 1);
        let mut all = Vec::new();
        while let Some(batch) = lines.next_batch().unwrap() {
            assert_eq!(batch.len(), 1);
            all.extend(batch);
        }
        assert_eq!(all, [&b"{\"a\":1}\n"[..], b"{\"b\":2}\r\n", b"last"]);
    }

    #[test]
    fn detects_binary() {
        assert!(looks_binary(b"abc\0def"));
        assert!(!looks_binary(b"plain text"));
        assert!(is_utf16(b"\xFF\xFEa\0"));
    }
}
