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
