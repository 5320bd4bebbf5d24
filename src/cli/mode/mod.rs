//! The ways despin delivers a repair: one [`Mode`] implementation each.
//!
//! The driver (`cli::run`) reads an input, finds its edits document by
//! document and pushes them, in order, into the [`Sink`] the mode opened
//! for that input, as ripgrep's searcher pushes into its sinks. Adding a
//! mode touches one file here and the line in `cli::choose_mode` that
//! picks it.

mod check;
pub mod diff;
mod filter;
mod in_place;
mod interactive;
mod jsonl;
mod mine;

use std::io::Write;
use std::ops::Range;
use std::process::ExitCode;

use anyhow::Result;
use despin::{Edit, Repairer};

pub use check::Check;
pub use diff::Diff;
pub use filter::Filter;
pub use in_place::InPlace;
pub use interactive::Interactive;
pub use jsonl::Jsonl;
pub use mine::Mine;

use crate::cli::extract::Layout;
use crate::cli::input::Input;
use crate::cli::run::Status;

/// A document of an input with its edits.
pub struct Chunk<'a> {
    /// The text that was scanned: the input's bytes, or a record's text.
    pub bytes: &'a [u8],
    /// Edits with byte ranges relative to `bytes`, sorted.
    pub edits: &'a [Edit],
    /// Number of words in the chunk.
    pub words: usize,
    /// The neural scorer's verdict on the chunk's document (`--deep`).
    pub deep: Option<despin::DeepVerdict>,
    /// The line `bytes` came from, when the mode reads records.
    pub record: Option<Record<'a>>,
}

/// One line of an input read as records ([`Framing::Lines`]).
pub struct Record<'a> {
    /// The whole line, with its line ending.
    pub line: &'a [u8],
    /// Where the text's encoded value lies in the line; `None` when the
    /// line holds no record (and the chunk's text is empty).
    pub value: Option<Range<usize>>,
}

/// How a mode's input divides into documents.
pub enum Framing<'m> {
    /// The core's documents: a file whole, a stream cut at paragraphs.
    Documents,
    /// One document per line, the text that `records` finds in it.
    Lines(&'m dyn Records),
}

/// Finds the text to repair in one line of record input.
pub trait Records: Sync {
    /// The record's text and where its encoded value lies in `line`, or
    /// `None` when the line holds no such record.
    fn text(&self, line: &[u8]) -> Option<(String, Range<usize>)>;
}

impl Chunk<'_> {
    /// Whether any edit in the chunk is written.
    pub fn changes(&self) -> bool {
        self.edits.iter().any(|e| e.applied)
    }
}

/// What happened to one input.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outcome {
    /// The repaired text differs from the input.
    pub changed: bool,
    /// Number of edits reported.
    pub findings: usize,
}

/// What to do with binary inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryPolicy {
    /// Copy the bytes through unchanged, with a warning.
    PassThrough,
    /// Leave the input alone, with a note.
    Skip,
    /// An error: the input was named to be read as text, and a report
    /// that said nothing about it would read as "clean".
    Refuse,
}

/// What a mode that rewrites bytes says of a PDF, DOCX or UTF-16 input.
pub const NO_BYTES_TO_REWRITE: &str =
    "its text is extracted, so there are no bytes to rewrite: report with --check, or write the repaired text with -o FILE.txt (-o - prints it)";

/// A way of delivering repairs.
pub trait Mode: Sync {
    /// Opens the sink for one input; whatever it prints goes to `out`.
    fn begin<'a>(
        &'a self,
        input: &'a Input,
        repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>>;

    /// Whether an outcome counts as "found" for the exit status.
    fn found(&self, outcome: &Outcome) -> bool;

    /// Called once after every input: a report that is one document (SARIF)
    /// is written here.
    fn end(&self, _out: &mut dyn Write) -> Result<()> {
        Ok(())
    }

    /// How binary inputs named on the command line are treated.
    fn binary_policy(&self) -> BinaryPolicy {
        BinaryPolicy::Refuse
    }

    /// Whether the mode takes text extracted from a PDF, DOCX or UTF-16
    /// input, which has no bytes of its own to rewrite; `Err` says what to
    /// do instead.
    fn takes_extracted(&self) -> Result<(), &'static str> {
        Err(NO_BYTES_TO_REWRITE)
    }

    /// Opens the sink for an input's extracted text, which `layout` maps
    /// back to pages and paragraphs.
    fn begin_extracted<'a>(
        &'a self,
        input: &'a Input,
        _layout: &'a Layout,
        repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        self.begin(input, repairer, out)
    }

    /// How each input divides into documents.
    fn framing(&self) -> Framing<'_> {
        Framing::Documents
    }

    /// Whether inputs go one at a time, each sink writing straight to the
    /// output as it goes: a review asks before it moves on.
    fn one_at_a_time(&self) -> bool {
        false
    }

    /// Whether the run ends before the next input (the reviewer quit).
    fn stopped(&self) -> bool {
        false
    }

    /// The run's exit status: grep's, 0 clean, 1 found, 2 error.
    fn exit_code(&self, status: &Status) -> ExitCode {
        crate::cli::dict::exit_code(status.found, status.errored)
    }
}

/// Receives the chunks of one input, in order.
pub trait Sink {
    /// One chunk and its edits.
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()>;

    /// The input ended; finish writing and say what happened.
    fn finish(self: Box<Self>) -> Result<Outcome>;
}

/// Replaces `target` with `bytes` atomically: a temporary file in the same
/// directory, with the target's permissions, synced and renamed over it.
/// The file that rewriting `path` replaces: its real path, with symlinks
/// followed so that a link survives the rename. A rename would replace a
/// FIFO or a device with a regular file, and give a hard-linked file a new
/// inode that its other names do not see, so both are refused rather than
/// changing what the path is.
pub fn rewritable(path: &std::path::Path) -> Result<std::path::PathBuf> {
    use anyhow::{bail, Context};
    use std::os::unix::fs::MetadataExt;
    let target = std::fs::canonicalize(path)
        .with_context(|| format!("{}: cannot resolve", path.display()))?;
    let metadata =
        std::fs::metadata(&target).with_context(|| format!("{}: cannot read", path.display()))?;
    if !metadata.is_file() {
        bail!(
            "{}: not a regular file; only regular files are rewritten (pipe it through despin instead)",
            path.display()
        );
    }
    if metadata.nlink() > 1 {
        bail!(
            "{}: has {} hard links, which a rewrite would split; repair a copy, or pipe it through despin",
            path.display(),
            metadata.nlink()
        );
    }
    Ok(target)
}

pub fn replace_atomically(target: &std::path::Path, display: &str, bytes: &[u8]) -> Result<()> {
    use anyhow::Context;
    let mut file = temporary_beside(target, display)?;
    file.write_all(bytes)
        .with_context(|| format!("{display}: cannot write"))?;
    persist(file, target, display)
}

/// A new temporary file in `target`'s directory, named so that a later
/// run's sweep finds it (`.despin-PID-XXXXXX.tmp`), and locked ([`hold`]).
pub fn temporary_beside(
    target: &std::path::Path,
    display: &str,
) -> Result<tempfile::NamedTempFile> {
    use anyhow::Context;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or_else(|| ".".as_ref());
    let file = tempfile::Builder::new()
        .prefix(&format!(".despin-{}-", std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "{display}: cannot create a temporary file in {}",
                dir.display()
            )
        })?;
    hold(&file, display)?;
    Ok(file)
}

/// Locks a temporary file for as long as it is open, so that another run's
/// sweep of stale temporary files leaves it alone.
pub fn hold(file: &tempfile::NamedTempFile, display: &str) -> Result<()> {
    use anyhow::Context;
    file.as_file()
        .lock()
        .with_context(|| format!("{display}: cannot lock the temporary file"))
}

/// Gives a finished temporary file the target's permissions, syncs it and
/// renames it over the target.
pub fn persist(
    file: tempfile::NamedTempFile,
    target: &std::path::Path,
    display: &str,
) -> Result<()> {
    use anyhow::Context;
    use std::os::unix::fs::{fchown, MetadataExt, PermissionsExt};
    let metadata =
        std::fs::metadata(target).with_context(|| format!("{display}: cannot read permissions"))?;
    let mut permissions = metadata.permissions();
    // The new file belongs to whoever runs despin: give it the old file's
    // owner and group (root can; anyone can keep a group they are in).
    // A set-id bit whose owner or group could not be kept would grant the
    // runner's rights instead, so it is dropped.
    let temp = file.as_file();
    if fchown(temp, Some(metadata.uid()), Some(metadata.gid())).is_err() {
        let group_kept = fchown(temp, None, Some(metadata.gid())).is_ok();
        let owner_kept = temp.metadata().is_ok_and(|m| m.uid() == metadata.uid());
        let mut mode = permissions.mode();
        if !owner_kept {
            mode &= !0o4000;
        }
        if !group_kept {
            mode &= !0o2000;
        }
        permissions.set_mode(mode);
    }
    file.as_file()
        .set_permissions(permissions)
        .with_context(|| format!("{display}: cannot set permissions"))?;
    file.as_file()
        .sync_all()
        .with_context(|| format!("{display}: cannot write"))?;
    file.persist(target)
        .map_err(|e| e.error)
        .with_context(|| format!("{display}: cannot replace the file"))?;
    Ok(())
}
