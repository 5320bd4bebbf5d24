//! Finds the inputs named on the command line and reads them in chunks.
//!
//! Directories are walked with the `ignore` crate, so .gitignore and hidden
//! files are honoured as in ripgrep, in a sorted and therefore deterministic
//! order. A file named twice, or reached through two paths, is read once.
//! Reading is streaming: [`ChunkReader`] cuts a long input at paragraph or
//! line boundaries so that memory stays bounded whatever its size.

use despin::Repairer;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use globset::GlobSet;

/// One input to repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File {
        path: PathBuf,
        /// Named on the command line, rather than found in a directory.
        explicit: bool,
    },
}

impl Input {
    /// The name used in reports and diff headers. Bytes of the path that
    /// are not UTF-8 are written as `\xNN`, not as U+FFFD: two paths that
    /// differ only there stay two names (the HTML report merged them).
    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File { path, .. } => {
                use std::os::unix::ffi::OsStrExt;
                let mut shown = String::new();
                for chunk in path.as_os_str().as_bytes().utf8_chunks() {
                    shown.push_str(chunk.valid());
                    for byte in chunk.invalid() {
                        shown.push_str(&format!("\\x{byte:02x}"));
                    }
                }
                shown
            }
        }
    }

    /// Whether a person asked for this input by name.
    pub fn is_explicit(&self) -> bool {
        match self {
            Input::Stdin => true,
            Input::File { explicit, .. } => *explicit,
        }
    }

    /// The file's path; `None` for standard input.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::Stdin => None,
            Input::File { path, .. } => Some(path),
        }
    }

    /// Size in bytes when known in advance: only a regular file has one.
    /// A FIFO, `<(…)` or a device reports 0 (or nothing meaningful), and is
    /// read as a stream, as standard input is.
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Stdin => None,
            Input::File { path, .. } => std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
        }
    }

    /// Opens the input for reading.
    pub fn open(&self) -> Result<Box<dyn Read + Send>> {
        match self {
            Input::Stdin => Ok(Box::new(io::stdin())),
            Input::File { path, .. } => {
                let file =
                    File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
                Ok(Box::new(file))
            }
        }
    }
}

/// An input that could not be found or listed, kept in command-line order.
#[derive(Debug)]
pub struct InputError {
    pub error: anyhow::Error,
}

/// Expands the command-line paths into inputs, in order.
///
/// No paths means standard input. Errors are returned in place so that the
/// other inputs are still processed and the messages come out in order.
/// Files under a walked directory that match `exclude` are skipped; a file
/// named on the command line is always read.
pub fn discover(paths: &[PathBuf], exclude: &GlobSet) -> Vec<Result<Input, InputError>> {
    if paths.is_empty() {
        return vec![Ok(Input::Stdin)];
    }
    let mut seen = Seen::default();
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Ok(Input::Stdin));
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => inputs.push(Err(InputError {
                error: anyhow!(e).context(format!("{}: cannot read", path.display())),
            })),
            Ok(meta) if meta.is_dir() => walk(path, exclude, &mut seen, &mut inputs),
            Ok(_) => {
                if seen.first_time(path) {
                    inputs.push(Ok(Input::File {
                        path: path.clone(),
                        explicit: true,
                    }));
                }
            }
        }
    }
    inputs
}

fn walk(
    dir: &Path,
    exclude: &GlobSet,
    seen: &mut Seen,
    inputs: &mut Vec<Result<Input, InputError>>,
) {
    let walker = ignore::WalkBuilder::new(dir)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Err(e) => inputs.push(Err(InputError {
                error: anyhow!(e.to_string()).context(format!("{}: cannot walk", dir.display())),
            })),
            Ok(entry) => {
                let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                let excluded = exclude.is_match(relative) || exclude.is_match(entry.path());
                if entry.file_type().is_some_and(|t| t.is_file())
                    && !excluded
                    && seen.first_time(entry.path())
                {
                    inputs.push(Ok(Input::File {
                        path: entry.path().to_path_buf(),
                        explicit: false,
                    }));
                }
            }
        }
    }
}

/// The inputs that were found, reporting the others on stderr; the flag
/// says whether any was missing. For modes that take the whole list at once.
pub fn found_or_report(inputs: Vec<Result<Input, InputError>>) -> (Vec<Input>, bool) {
    let mut found = Vec::new();
    let mut missing = false;
    for input in inputs {
        match input {
            Ok(input) => found.push(input),
            Err(e) => {
                eprintln!("despin: {:#}", e.error);
                missing = true;
            }
        }
    }
    (found, missing)
}

/// Remembers files already listed, by device and inode where possible.
#[derive(Default)]
struct Seen {
    files: HashSet<(u64, u64)>,
    paths: HashSet<PathBuf>,
}

impl Seen {
    fn first_time(&mut self, path: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Ok(meta) = std::fs::metadata(path) {
                return self.files.insert((meta.dev(), meta.ino()));
            }
        }
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.paths.insert(key)
    }
}

/// How many leading bytes are searched for NUL to detect binary files, as
/// git and ripgrep do.
const BINARY_PROBE: usize = 8192;

/// Whether a buffer looks like a binary file.
pub fn looks_binary(start: &[u8]) -> bool {
    memchr::memchr(0, &start[..start.len().min(BINARY_PROBE)]).is_some()
}

/// Whether a buffer starts with a UTF-16 byte-order mark.
pub fn is_utf16(start: &[u8]) -> bool {
    start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF")
}

/// Reads an input as a sequence of chunks cut at paragraph or line
/// boundaries.
///
/// The first chunk is read up to `first` bytes and each later one up to
/// `target`; a chunk is cut in the second half of what was read (unless the
/// input ends first), after a blank line when the text has one, else after
/// a line break, else after a space, else at a character boundary. Phrases
/// never span a blank line, so a cut there changes nothing about matching.
/// An input shorter than `first` is one chunk whatever its source, so a
/// file and the same bytes through a pipe are cut alike.
pub struct ChunkReader<'r> {
    source: Box<dyn Read + Send>,
    /// What the next chunk is read up to.
    next_target: usize,
    target: usize,
    carry: Vec<u8>,
    done: bool,
    /// Whose phrases a cut at a line break or a space must not split.
    repairer: Option<&'r Repairer>,
}

impl<'r> ChunkReader<'r> {
    pub fn new(source: Box<dyn Read + Send>, first: usize, target: usize) -> ChunkReader<'r> {
        ChunkReader {
            source,
            next_target: first.max(1),
            target: target.max(1),
            carry: Vec::new(),
            done: false,
            repairer: None,
        }
    }

    /// Cuts text without blank lines or sentences only where none of
    /// `repairer`'s phrases runs across the cut, when there is such a place
    /// ([`despin::chunk::cut_point_avoiding`]).
    pub fn avoiding_phrases_of(mut self, repairer: &'r Repairer) -> ChunkReader<'r> {
        self.repairer = Some(repairer);
        self
    }

    /// The next chunk, or `None` at the end of the input.
    pub fn next_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut buf = std::mem::take(&mut self.carry);
        let target = std::mem::replace(&mut self.next_target, self.target);
        if !self.done && buf.len() < target {
            // `read_to_end` reads into the spare capacity without zeroing
            // it first, and stops at the target or at the end of input.
            let want = (target - buf.len()).max(64 * 1024);
            buf.reserve_exact(want);
            // Reading less means the input ended. A chunk that still
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
            let cut = despin::chunk::cut_point_avoiding(&buf, target / 2, spanned);
            let cut = despin::chunk::next_boundary(&buf, cut);
            self.carry = buf.split_off(cut);
        }
        Ok(Some(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &[u8], target: usize) -> Vec<Vec<u8>> {
        let mut reader = ChunkReader::new(Box::new(io::Cursor::new(text.to_vec())), target, target);
        let mut out = Vec::new();
        while let Some(chunk) = reader.next_chunk().unwrap() {
            out.push(chunk);
        }
        out
    }

    #[test]
    fn chunks_concatenate_to_the_input() {
        let text = b"one two\n\nthree four\nfive six seven\n\neight".repeat(50);
        for target in [1, 7, 64, 1000, 100_000] {
            let parts = chunks(&text, target);
            assert_eq!(parts.concat(), text, "target {target}");
        }
    }

    #[test]
    fn the_first_chunk_has_its_own_target() {
        // Reads are at least 64 KiB, so the targets here are larger.
        let text = b"one two three\n\n".repeat(30_000);
        let mut reader =
            ChunkReader::new(Box::new(io::Cursor::new(text.clone())), 200_000, 100_000);
        let mut sizes = Vec::new();
        let mut joined = Vec::new();
        while let Some(chunk) = reader.next_chunk().unwrap() {
            sizes.push(chunk.len());
            joined.extend(chunk);
        }
        assert_eq!(joined, text);
        assert!((100_000..=200_000).contains(&sizes[0]), "{sizes:?}");
        // Each later chunk but the last is cut past half the later target.
        assert!(sizes.len() > 2, "{sizes:?}");
        let later = &sizes[1..sizes.len() - 1];
        assert!(
            later.iter().all(|&n| (50_000..=200_000).contains(&n)),
            "{sizes:?}"
        );
        // An input shorter than the first target is one chunk.
        let mut whole =
            ChunkReader::new(Box::new(io::Cursor::new(text.clone())), text.len() + 1, 100);
        assert_eq!(whole.next_chunk().unwrap(), Some(text));
        assert_eq!(whole.next_chunk().unwrap(), None);
    }

    #[test]
    fn prefers_paragraph_boundaries() {
        let text = b"aaaa bbbb\n\ncccc dddd\neeee";
        let parts = chunks(text, 12);
        assert_eq!(parts[0], b"aaaa bbbb\n\n");
    }

    #[test]
    fn never_cuts_inside_a_character() {
        let text = "é".repeat(100);
        for part in chunks(text.as_bytes(), 5) {
            assert!(std::str::from_utf8(&part).is_ok());
        }
    }

    #[test]
    fn detects_binary() {
        assert!(looks_binary(b"abc\0def"));
        assert!(!looks_binary(b"plain text"));
    }
}
