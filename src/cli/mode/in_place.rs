//! In-place mode: rewrite changed files atomically.
//!
//! The repaired text goes to a temporary file in the same directory as the
//! target, which is flushed to disk, given the target's permissions and then
//! renamed over it. A crash at any moment leaves either the old file or the
//! new one, never a mix. A symlink is followed: its target is rewritten and
//! the link stays a link. Files that do not change are never touched.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use despin::Repairer;
use tempfile::NamedTempFile;

use super::{Chunk, Mode, Outcome, Sink};
use crate::cli::input::Input;

/// Rewrites each changed input file.
pub struct InPlace;

impl Mode for InPlace {
    fn begin<'a>(
        &'a self,
        input: &'a Input,
        _repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        let Input::File { path, .. } = input else {
            bail!("<stdin>: --in-place needs files, not standard input");
        };
        // Follow symlinks so the link itself survives the rename.
        let target = fs::canonicalize(path)
            .with_context(|| format!("{}: cannot resolve", path.display()))?;
        // Refuse read-only files up front, as a person who protected a file
        // expects, instead of replacing it through the directory.
        fs::OpenOptions::new()
            .append(true)
            .open(&target)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        Ok(Box::new(InPlaceSink {
            display: path.display().to_string(),
            target,
            temp: None,
            chunks: 0,
            pending: Vec::new(),
            outcome: Outcome::default(),
            _out: out,
        }))
    }

    fn found(&self, _outcome: &Outcome) -> bool {
        false
    }
}

struct InPlaceSink<'a> {
    display: String,
    target: PathBuf,
    temp: Option<BufWriter<NamedTempFile>>,
    chunks: usize,
    /// The first chunk, held back until we know whether it is the only one.
    pending: Vec<u8>,
    outcome: Outcome,
    _out: &'a mut dyn Write,
}

impl InPlaceSink<'_> {
    fn temp(&mut self) -> Result<&mut BufWriter<NamedTempFile>> {
        if self.temp.is_none() {
            let dir = self.target.parent().unwrap_or_else(|| ".".as_ref());
            let file = tempfile::Builder::new()
                .prefix(".despin-")
                .suffix(".tmp")
                .tempfile_in(dir)
                .with_context(|| {
                    format!(
                        "{}: cannot create a temporary file in {}",
                        self.display,
                        dir.display()
                    )
                })?;
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

impl Sink for InPlaceSink<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        self.outcome.changed |= chunk.changes();
        self.outcome.findings += chunk.edits.len();
        self.chunks += 1;
        if self.chunks == 1 && !chunk.changes() {
            // Most files are one unchanged chunk: avoid a temporary file.
            self.pending = chunk.bytes.to_vec();
            return Ok(());
        }
        let display = self.display.clone();
        let temp = self.temp()?;
        super::write_repaired(temp, chunk).with_context(|| format!("{display}: cannot write"))?;
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
        let permissions = fs::metadata(&this.target)
            .with_context(|| format!("{display}: cannot read permissions"))?
            .permissions();
        file.as_file()
            .set_permissions(permissions)
            .with_context(|| format!("{display}: cannot set permissions"))?;
        file.as_file()
            .sync_all()
            .with_context(|| format!("{display}: cannot write"))?;
        file.persist(&this.target)
            .map_err(|e| e.error)
            .with_context(|| format!("{display}: cannot replace the file"))?;
        Ok(this.outcome)
    }
}
