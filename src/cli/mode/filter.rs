//! Filter mode: print the repaired text, as sed does.

use std::io::Write;

use anyhow::Result;
use despin::Repairer;

use super::{BinaryPolicy, Chunk, Mode, Outcome, Sink};
use crate::cli::input::Input;

/// Prints each input repaired.
pub struct Filter {
    /// The output is a file of its own (`-o`), not a stream that stands
    /// for the input: extracted text may go there.
    pub to_file: bool,
}

impl Mode for Filter {
    fn begin<'a>(
        &'a self,
        _input: &'a Input,
        _repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        Ok(Box::new(FilterSink {
            out,
            outcome: Outcome::default(),
        }))
    }

    fn found(&self, _outcome: &Outcome) -> bool {
        false
    }

    /// A pipeline must not lose data, so binary input is copied through.
    fn binary_policy(&self) -> BinaryPolicy {
        BinaryPolicy::PassThrough
    }

    /// A PDF's repaired text is a new file, not the PDF: only `-o` says so.
    fn takes_extracted(&self) -> Result<(), &'static str> {
        if self.to_file {
            Ok(())
        } else {
            Err(super::NO_BYTES_TO_REWRITE)
        }
    }
}

struct FilterSink<'a> {
    out: &'a mut dyn Write,
    outcome: Outcome,
}

impl Sink for FilterSink<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        self.outcome.changed |= chunk.changes();
        self.outcome.findings += chunk.edits.len();
        despin::edit::apply(chunk.bytes, chunk.edits, self.out)?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Outcome> {
        Ok(self.outcome)
    }
}
