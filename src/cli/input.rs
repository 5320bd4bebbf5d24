//! Finds the inputs named on the command line and reads them in chunks.
//!
//! Directories are walked with the `ignore` crate, so .gitignore and hidden
//! files are honoured as in ripgrep, in a sorted and therefore deterministic
//! order. A file named twice, or reached through two paths, is read once.
//! What an input's documents are is the core's rule
//! ([`despin::document::DocumentReader`]).

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

/// What a directory walk leaves out, besides what .gitignore does.
#[derive(Default)]
pub struct Skip {
    /// Globs from the settings file's `exclude`.
    exclude: GlobSet,
    /// The dictionaries in use, by device and inode: a walk that rewrote
    /// one (`despin -i .`) would turn its entries into self-maps.
    dictionaries: HashSet<(u64, u64)>,
}

impl Skip {
    pub fn new(exclude: GlobSet, dictionaries: &[PathBuf]) -> Skip {
        Skip {
            exclude,
            dictionaries: dictionaries.iter().filter_map(|d| file_id(d)).collect(),
        }
    }

    fn skips(&self, dir: &Path, path: &Path) -> bool {
        let relative = path.strip_prefix(dir).unwrap_or(path);
        self.exclude.is_match(relative)
            || self.exclude.is_match(path)
            || (!self.dictionaries.is_empty()
                && file_id(path).is_some_and(|id| self.dictionaries.contains(&id)))
            || is_dictionary(path)
    }
}

/// A file's device and inode, which every path to it shares.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// Whether a `.tsv` or `.fst` file is a despin dictionary: compiled ones
/// start with the format's magic bytes, TSV ones parse as entries. Any
/// other file, and a TSV of other data, is text like the rest.
fn is_dictionary(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str());
    if !matches!(extension, Some("tsv" | "fst")) {
        return false;
    }
    let mut start = Vec::new();
    let read = File::open(path).and_then(|file| file.take(TSV_SNIFF_BYTES).read_to_end(&mut start));
    if read.is_err() {
        return false;
    }
    if start.starts_with(despin::dictionary::compiled::MAGIC) {
        return true;
    }
    // Judge whole lines only: the sniffed prefix may end mid-line.
    let whole = match memchr::memrchr(b'\n', &start) {
        Some(end) if start.len() as u64 == TSV_SNIFF_BYTES => &start[..end],
        _ => &start[..],
    };
    despin::dictionary::source::parse_tsv(whole).is_ok_and(|entries| !entries.is_empty())
}

/// How much of a `.tsv` file is read to tell whether it is a dictionary.
const TSV_SNIFF_BYTES: u64 = 64 << 10;

/// Expands the command-line paths into inputs, in order.
///
/// No paths means standard input. Errors are returned in place so that the
/// other inputs are still processed and the messages come out in order.
/// Files under a walked directory that `skip` names are left out; a file
/// named on the command line is always read.
pub fn discover(paths: &[PathBuf], skip: &Skip) -> Vec<Result<Input, InputError>> {
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
            Ok(meta) if meta.is_dir() => walk(path, skip, &mut seen, &mut inputs),
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

fn walk(dir: &Path, skip: &Skip, seen: &mut Seen, inputs: &mut Vec<Result<Input, InputError>>) {
    let walker = ignore::WalkBuilder::new(dir)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    for entry in walker {
        match entry {
            Err(e) => inputs.push(Err(InputError {
                error: anyhow!(e.to_string()).context(format!("{}: cannot walk", dir.display())),
            })),
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file())
                    && !skip.skips(dir, entry.path())
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
