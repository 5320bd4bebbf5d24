//! Diff mode: show every repair as a unified diff for review.
//!
//! The output is a plain unified diff with `a/` and `b/` prefixes and three
//! lines of context, so `git apply` and `patch -p1` accept it. On a terminal
//! it is coloured, and the changed words inside each line are highlighted.
//! A diff needs the whole file, so this mode holds one file in memory.

use std::io::Write;

use anyhow::Result;
use despin::Repairer;
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

use super::{Chunk, Mode, Outcome, Sink};
use crate::cli::input::Input;

/// Prints a unified diff per changed input.
pub struct Diff {
    pub color: bool,
}

impl Mode for Diff {
    fn begin<'a>(
        &'a self,
        input: &'a Input,
        _repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        let name = match input {
            Input::Stdin => "stdin".to_string(),
            Input::File { path, .. } => {
                let shown = path.display().to_string();
                shown.strip_prefix("./").unwrap_or(&shown).to_string()
            }
        };
        Ok(Box::new(DiffSink {
            mode: self,
            name,
            old: Vec::new(),
            new: Vec::new(),
            outcome: Outcome::default(),
            out,
        }))
    }

    fn found(&self, outcome: &Outcome) -> bool {
        outcome.changed
    }
}

struct DiffSink<'a> {
    mode: &'a Diff,
    name: String,
    old: Vec<u8>,
    new: Vec<u8>,
    outcome: Outcome,
    out: &'a mut dyn Write,
}

impl Sink for DiffSink<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        self.outcome.changed |= chunk.changes();
        self.outcome.findings += chunk.edits.len();
        self.old.extend_from_slice(chunk.bytes);
        super::write_repaired(&mut self.new, chunk)?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Outcome> {
        if self.outcome.changed {
            let style = if self.mode.color {
                Style::COLOR
            } else {
                Style::PLAIN
            };
            write_unified(self.out, &self.name, &self.old, &self.new, style)?;
        }
        Ok(self.outcome)
    }
}

/// ANSI escapes for each part of a diff; empty when colour is off.
struct Style {
    header: &'static str,
    hunk: &'static str,
    removed: &'static str,
    added: &'static str,
    removed_word: &'static str,
    added_word: &'static str,
    reset: &'static str,
}

impl Style {
    const PLAIN: Style = Style {
        header: "",
        hunk: "",
        removed: "",
        added: "",
        removed_word: "",
        added_word: "",
        reset: "",
    };
    const COLOR: Style = Style {
        header: "\x1b[1m",
        hunk: "\x1b[36m",
        removed: "\x1b[31m",
        added: "\x1b[32m",
        removed_word: "\x1b[1;7;31m",
        added_word: "\x1b[1;7;32m",
        reset: "\x1b[0m",
    };
}

/// The `start,len` part of a hunk header (1-based; an empty side names the
/// line before it).
fn hunk_range(start: usize, len: usize) -> String {
    if len == 0 {
        format!("{start},0")
    } else {
        format!("{},{len}", start + 1)
    }
}

fn write_unified(
    out: &mut dyn Write,
    name: &str,
    old: &[u8],
    new: &[u8],
    style: Style,
) -> std::io::Result<()> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_lines(old, new);
    let s = &style;
    writeln!(out, "{}--- a/{name}{}", s.header, s.reset)?;
    writeln!(out, "{}+++ b/{name}{}", s.header, s.reset)?;
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_start = first.old_range().start;
        let new_start = first.new_range().start;
        let old_len = last.old_range().end - old_start;
        let new_len = last.new_range().end - new_start;
        writeln!(
            out,
            "{}@@ -{} +{} @@{}",
            s.hunk,
            hunk_range(old_start, old_len),
            hunk_range(new_start, new_len),
            s.reset
        )?;
        for op in &group {
            if s.reset.is_empty() || !matches!(op, DiffOp::Replace { .. }) {
                write_plain_op(out, &diff, op, s)?;
            } else {
                write_highlighted_op(out, &diff, op, s)?;
            }
        }
    }
    Ok(())
}

fn write_plain_op(
    out: &mut dyn Write,
    diff: &TextDiff<'_, '_, '_, [u8]>,
    op: &DiffOp,
    s: &Style,
) -> std::io::Result<()> {
    for change in diff.iter_changes(op) {
        let (sign, color) = match change.tag() {
            ChangeTag::Equal => (" ", ""),
            ChangeTag::Delete => ("-", s.removed),
            ChangeTag::Insert => ("+", s.added),
        };
        let line = change.value();
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        write!(out, "{color}{sign}")?;
        out.write_all(body)?;
        let reset = if color.is_empty() { "" } else { s.reset };
        writeln!(out, "{reset}")?;
        if change.missing_newline() {
            writeln!(out, "\\ No newline at end of file")?;
        }
    }
    Ok(())
}

/// Writes a replaced block with the changed words emphasised.
fn write_highlighted_op<'a>(
    out: &mut dyn Write,
    diff: &'a TextDiff<'a, 'a, 'a, [u8]>,
    op: &DiffOp,
    s: &Style,
) -> std::io::Result<()> {
    for change in diff.iter_inline_changes(op) {
        let (sign, color, word) = match change.tag() {
            ChangeTag::Equal => (" ", "", ""),
            ChangeTag::Delete => ("-", s.removed, s.removed_word),
            ChangeTag::Insert => ("+", s.added, s.added_word),
        };
        write!(out, "{color}{sign}")?;
        for (emphasized, text) in change.iter_strings_lossy() {
            let text = text.strip_suffix('\n').unwrap_or(&text);
            if emphasized {
                write!(out, "{word}{text}{}{color}", s.reset)?;
            } else {
                write!(out, "{text}")?;
            }
        }
        writeln!(out, "{}", s.reset)?;
        if change.missing_newline() {
            writeln!(out, "\\ No newline at end of file")?;
        }
    }
    Ok(())
}
