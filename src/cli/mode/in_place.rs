//! In-place mode: rewrite changed files atomically.
//!
//! The repaired text goes to a temporary file in the same directory as the
//! target, which is flushed to disk, given the target's permissions and then
//! renamed over it. A crash at any moment leaves either the old file or the
//! new one, never a mix. A symlink is followed: its target is rewritten and
//! the link stays a link. Files that do not change are never touched.
//!
//! A killed run can leave its temporary file behind. Temporary files are
//! named `.despin-PID-XXXXXX.tmp` and locked while in use; the next run that
//! writes in the same directory removes those whose lock it can take.

use std::collections::HashSet;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use despin::Repairer;
use tempfile::NamedTempFile;

use super::{Chunk, Mode, Outcome, Sink};
use crate::cli::input::Input;

/// Rewrites each changed input file.
pub struct InPlace {
    /// Directories already cleared of stale temporary files in this run.
    swept: Mutex<HashSet<PathBuf>>,
    /// Say nothing of the files rewritten (`-q`).
    pub quiet: bool,
}

impl InPlace {
    pub fn new(quiet: bool) -> InPlace {
        InPlace {
            swept: Mutex::default(),
            quiet,
        }
    }

    /// Removes temporary files left in `dir` by despin runs that died.
    fn sweep(&self, dir: &Path) {
        let Ok(mut swept) = self.swept.lock() else {
            return;
        };
        if !swept.insert(dir.to_path_buf()) {
            return;
        }
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let own = std::process::id();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.strip_prefix(".despin-"))
                .filter(|n| n.ends_with(".tmp"))
                .and_then(|n| n.split('-').next())
                .and_then(|pid| pid.parse::<u32>().ok())
            else {
                continue;
            };
            // A live run holds a lock on its temporary file, whatever its
            // PID namespace (a container on a shared volume has its own
            // PIDs): only a file whose lock can be taken is stale.
            if pid == own {
                continue;
            }
            let Ok(file) = fs::File::open(entry.path()) else {
                continue;
            };
            if file.try_lock().is_ok() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

impl Mode for InPlace {
    fn begin<'a>(
        &'a self,
        input: &'a Input,
        _repairer: &'a Repairer,
        _out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        let Input::File { path, .. } = input else {
            bail!("<stdin>: --in-place needs files, not standard input");
        };
        let target = super::rewritable(path)?;
        // Refuse read-only files up front, as a person who protected a file
        // expects, instead of replacing it through the directory.
        fs::OpenOptions::new()
            .append(true)
            .open(&target)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        let dir = target.parent().unwrap_or_else(|| Path::new("."));
        self.sweep(dir);
        Ok(Box::new(InPlaceSink {
            quiet: self.quiet,
            written: 0,
            display: path.display().to_string(),
            target,
            temp: None,
            chunks: 0,
            pending: Vec::new(),
            outcome: Outcome::default(),
        }))
    }

    fn found(&self, _outcome: &Outcome) -> bool {
        false
    }
}

struct InPlaceSink {
    quiet: bool,
    /// Edits written into the new file.
    written: usize,
    display: String,
    target: PathBuf,
    temp: Option<BufWriter<NamedTempFile>>,
    chunks: usize,
    /// The first chunk, held back until we know whether it is the only one.
    pending: Vec<u8>,
    outcome: Outcome,
}

impl InPlaceSink {
    fn temp(&mut self) -> Result<&mut BufWriter<NamedTempFile>> {
        if self.temp.is_none() {
            let file = super::temporary_beside(&self.target, &self.display)?;
            let mut writer = BufWriter::with_capacity(1 << 20, file);
            writer
                .write_all(&self.pending)
                .with_context(|| format!("{}: cannot write", self.display))?;
            self.pending = Vec::new();
            self.temp = Some(writer);
        }
        Ok(self.temp.as_mut().expect("just created"))
    }
}

impl Sink for InPlaceSink {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        self.outcome.changed |= chunk.changes();
        self.outcome.findings += chunk.edits.len();
        self.written += chunk.edits.iter().filter(|e| e.applied).count();
        self.chunks += 1;
        if self.chunks == 1 && !chunk.changes() {
            // Most files are one unchanged chunk: avoid a temporary file.
            self.pending = chunk.bytes.to_vec();
            return Ok(());
        }
        let display = self.display.clone();
        let temp = self.temp()?;
        despin::edit::apply(chunk.bytes, chunk.edits, temp)
            .with_context(|| format!("{display}: cannot write"))?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Outcome> {
        let this = *self;
        let Some(writer) = this.temp else {
            return Ok(this.outcome);
        };
        if !this.outcome.changed {
            // The temporary file is removed when dropped.
            return Ok(this.outcome);
        }
        let display = &this.display;
        let file = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("{display}: cannot write"))?;
        super::persist(file, &this.target, display)?;
        // One line per file rewritten, as codespell's FIXED: says it, so a
        // person sees what a run over a tree changed.
        if !this.quiet {
            eprintln!(
                "despin: {display}: {} change{} written",
                this.written,
                if this.written == 1 { "" } else { "s" }
            );
        }
        Ok(this.outcome)
    }
}
