//! Diff mode: show every repair as a unified diff for review.
//!
//! The output is a plain unified diff with `a/` and `b/` prefixes and three
//! lines of context, so `git apply` and `patch -p1` accept it. On a terminal
//! it is coloured, and the changed words inside each line are highlighted.
//!
//! The edits already say exactly which bytes change, so the hunks are built
//! from them directly: no diff algorithm runs, and the cost is one pass over
//! the input plus the changed lines, however long a line is. The input
//! streams through: a hunk is written as soon as no later change can join
//! it, and only the lines that a later hunk may show as context are kept,
//! so memory does not grow with the input.

use std::io::Write;

use anyhow::Result;
use despin::{Origin, Repairer};
use std::ops::Range;

use super::{Chunk, Mode, Outcome, Sink};
use crate::cli::input::Input;
use crate::cli::visible;

/// Prints a unified diff per changed input.
pub struct Diff {
    pub color: bool,
    /// Show control bytes of the text as escapes: the diff goes to a
    /// terminal, where raw ones would act (clear the screen, retitle the
    /// window). Otherwise the body is byte-exact, so that it applies.
    pub visible: bool,
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
        let style = Style {
            visible: self.visible,
            ..if self.color {
                Style::COLOR
            } else {
                Style::PLAIN
            }
        };
        Ok(Box::new(DiffSink {
            name,
            style,
            window: Vec::new(),
            first_line: 0,
            changes: Vec::new(),
            shift: 0,
            started: false,
            outcome: Outcome::default(),
            out,
        }))
    }

    fn found(&self, outcome: &Outcome) -> bool {
        outcome.changed
    }
}

struct DiffSink<'a> {
    name: String,
    style: Style,
    /// The input from the first line that a hunk not yet written may show.
    window: Vec<u8>,
    /// The number of input lines before the window.
    first_line: usize,
    /// Applied edits not yet written, with ranges into `window`.
    changes: Vec<Change>,
    /// How many lines the new side has gained in the hunks written.
    shift: isize,
    /// Whether the file header is written.
    started: bool,
    outcome: Outcome,
    out: &'a mut dyn Write,
}

impl Sink for DiffSink<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        self.outcome.changed |= chunk.changes();
        self.outcome.findings += chunk.edits.len();
        if self.changes.is_empty() && !chunk.changes() {
            // Nothing to show yet: keep only the lines a later hunk may
            // show before its first change, and count the rest.
            self.keep_tail_of(chunk.bytes);
            return Ok(());
        }
        let offset = self.window.len();
        self.window.extend_from_slice(chunk.bytes);
        for edit in chunk.edits.iter().filter(|e| e.applied) {
            let range = offset + edit.range.start..offset + edit.range.end;
            let note = match &edit.origin {
                Origin::Guess(reason) => Some(format!(
                    "guess {:.2}: {}",
                    reason.score(),
                    reason.describe()
                )),
                _ => None,
            };
            self.changes.push((range, edit.replacement.clone(), note));
        }
        self.write_hunks(false)?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<Outcome> {
        if !self.changes.is_empty() {
            self.write_hunks(true)?;
        }
        Ok(self.outcome)
    }
}

impl DiffSink<'_> {
    /// Appends `bytes` when no change is pending, keeping only the last
    /// [`CONTEXT`] whole lines and the unfinished one.
    fn keep_tail_of(&mut self, bytes: &[u8]) {
        let mut tail = bytes.len();
        let mut newlines = 0;
        while newlines <= CONTEXT {
            match memchr::memrchr(b'\n', &bytes[..tail]) {
                Some(at) => {
                    tail = at;
                    newlines += 1;
                }
                None => break,
            }
        }
        if newlines > CONTEXT {
            // The kept lines start after the newline found last.
            let tail = tail + 1;
            self.first_line += count_lines(&self.window) + count_lines(&bytes[..tail]);
            self.window.clear();
            self.window.extend_from_slice(&bytes[tail..]);
        } else {
            self.window.extend_from_slice(bytes);
            let lines = Lines::new(&self.window);
            let keep = lines.complete().saturating_sub(CONTEXT);
            self.drop_lines(lines.starts[keep], keep);
        }
    }

    /// Removes the first `lines` lines (`bytes` bytes) of the window.
    fn drop_lines(&mut self, bytes: usize, lines: usize) {
        self.window.drain(..bytes);
        self.first_line += lines;
        for (range, _, _) in &mut self.changes {
            *range = range.start - bytes..range.end - bytes;
        }
    }

    /// Writes the hunks that no later change can join (all of them at the
    /// end of the input), then drops what no later hunk will show.
    fn write_hunks(&mut self, at_end: bool) -> std::io::Result<()> {
        let lines = Lines::new(&self.window);
        let blocks = blocks_of(&lines, &self.changes);
        // A later change starts on the unfinished line or after it, and
        // joins a hunk whose last change is at most 2 × CONTEXT lines
        // before it.
        let complete = lines.complete();
        let mut written = 0;
        let mut rest = &blocks[..];
        while !rest.is_empty() {
            // Blocks whose context would touch share a hunk.
            let mut size = 1;
            while size < rest.len()
                && rest[size].lines.start - rest[size - 1].lines.end <= 2 * CONTEXT
            {
                size += 1;
            }
            let (hunk, next) = rest.split_at(size);
            if !at_end && complete.saturating_sub(hunk[size - 1].lines.end) <= 2 * CONTEXT {
                break;
            }
            rest = next;
            if !self.started {
                let s = &self.style;
                let (old, new) = (
                    visible::diff_path("a/", &self.name),
                    visible::diff_path("b/", &self.name),
                );
                writeln!(self.out, "{}--- {old}{}", s.header, s.reset)?;
                writeln!(self.out, "{}+++ {new}{}", s.header, s.reset)?;
                self.started = true;
            }
            let gained = write_hunk(
                self.out,
                &lines,
                hunk,
                &self.changes,
                self.first_line,
                self.shift,
                &self.style,
            )?;
            self.shift += gained;
            written = hunk[size - 1].changes.end;
        }
        // Keep the context lines of the first hunk not written, or of a
        // hunk yet to come.
        let next_start = rest.first().map_or(complete, |block| block.lines.start);
        let keep = next_start.min(complete).saturating_sub(CONTEXT);
        let bytes = lines.starts[keep];
        drop(lines);
        self.changes.drain(..written);
        self.drop_lines(bytes, keep);
        Ok(())
    }
}

/// The number of line feeds in `bytes` (a loop the compiler vectorises).
fn count_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
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
    /// Text bytes are shown for a terminal ([`visible::terminal_line`]).
    visible: bool,
}

impl Style {
    /// Writes bytes of the text, shown for a terminal when asked.
    fn write_text(&self, out: &mut dyn Write, bytes: &[u8]) -> std::io::Result<()> {
        if self.visible {
            out.write_all(&visible::terminal_line(bytes))
        } else {
            out.write_all(bytes)
        }
    }

    const PLAIN: Style = Style {
        header: "",
        hunk: "",
        removed: "",
        added: "",
        removed_word: "",
        added_word: "",
        reset: "",
        visible: false,
    };
    const COLOR: Style = Style {
        header: "\x1b[1m",
        hunk: "\x1b[36m",
        removed: "\x1b[31m",
        added: "\x1b[32m",
        removed_word: "\x1b[1;7;31m",
        added_word: "\x1b[1;7;32m",
        reset: "\x1b[0m",
        visible: false,
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

/// An applied edit: its range in the old text, its replacement, and a
/// note for the hunk header when the edit is a guess (why it was made).
type Change = (Range<usize>, String, Option<String>);

/// Lines of unchanged context around each change, as `diff -u` gives.
const CONTEXT: usize = 3;

/// The lines of a text: `starts[i]` is where line `i` begins, and one more
/// entry marks the end.
struct Lines<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        if *starts.last().unwrap_or(&0) != text.len() {
            starts.push(text.len());
        }
        Lines { text, starts }
    }

    fn count(&self) -> usize {
        self.starts.len() - 1
    }

    /// The number of lines that end in a line feed: all but an unfinished
    /// last line.
    fn complete(&self) -> usize {
        if self.text.ends_with(b"\n") || self.text.is_empty() {
            self.count()
        } else {
            self.count() - 1
        }
    }

    /// The line holding byte `at`.
    fn of(&self, at: usize) -> usize {
        self.starts.partition_point(|&start| start <= at) - 1
    }

    fn span(&self, lines: Range<usize>) -> Range<usize> {
        self.starts[lines.start]..self.starts[lines.end]
    }
}

/// A run of changed lines, with the edits inside it.
struct Block {
    lines: Range<usize>,
    changes: Range<usize>,
}

/// Changed lines, merged where edits share or touch a line.
fn blocks_of(lines: &Lines<'_>, changes: &[Change]) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for (i, (range, _, _)) in changes.iter().enumerate() {
        let first = lines.of(range.start);
        let last = lines.of(range.end.max(range.start + 1) - 1);
        match blocks.last_mut() {
            Some(block) if first < block.lines.end => {
                block.lines.end = block.lines.end.max(last + 1);
                block.changes.end = i + 1;
            }
            _ => blocks.push(Block {
                lines: first..last + 1,
                changes: i..i + 1,
            }),
        }
    }
    blocks
}

/// Writes one hunk of `lines`, which start at line `first_line` of the
/// input, when the new side has gained `shift` lines before it. Returns
/// the lines the new side gains in this hunk.
fn write_hunk(
    out: &mut dyn Write,
    lines: &Lines<'_>,
    hunk: &[Block],
    changes: &[Change],
    first_line: usize,
    shift: isize,
    s: &Style,
) -> std::io::Result<isize> {
    let old = lines.text;
    let from = hunk[0].lines.start.saturating_sub(CONTEXT);
    let to = (hunk[hunk.len() - 1].lines.end + CONTEXT).min(lines.count());
    // Render the new side of each block first, to count its lines.
    let rendered: Vec<(Vec<u8>, Vec<Range<usize>>)> = hunk
        .iter()
        .map(|block| render_new(lines, block, changes))
        .collect();
    let old_len = to - from;
    let new_len = old_len as isize
        + rendered
            .iter()
            .zip(hunk)
            .map(|((text, _), block)| {
                Lines::new(text).count() as isize - block.lines.len() as isize
            })
            .sum::<isize>();
    // Guesses say why in the hunk header's free text, which git and patch
    // ignore.
    // A guess made three times in a hunk is said once.
    let mut notes: Vec<&str> = Vec::new();
    for note in hunk
        .iter()
        .flat_map(|block| &changes[block.changes.clone()])
        .filter_map(|(_, _, note)| note.as_deref())
    {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    let heading = if notes.is_empty() {
        String::new()
    } else {
        format!(" {}", notes.join("; "))
    };
    let start = first_line + from;
    writeln!(
        out,
        "{}@@ -{} +{} @@{heading}{}",
        s.hunk,
        hunk_range(start, old_len),
        hunk_range((start as isize + shift) as usize, new_len as usize),
        s.reset
    )?;
    let mut at = from;
    for (block, (new_text, new_marks)) in hunk.iter().zip(&rendered) {
        write_context(out, lines, at..block.lines.start, s)?;
        let old_span = lines.span(block.lines.clone());
        let old_marks: Vec<Range<usize>> = changes[block.changes.clone()]
            .iter()
            .map(|(range, replacement, _)| {
                let (changed, _) = changed_words(&old[range.clone()], replacement.as_bytes());
                let start = range.start - old_span.start;
                start + changed.start..start + changed.end
            })
            .collect();
        let at_end = block.lines.end == lines.count();
        write_side(
            out,
            "-",
            &old[old_span],
            &old_marks,
            at_end,
            s.removed,
            s.removed_word,
            s,
        )?;
        write_side(
            out,
            "+",
            new_text,
            new_marks,
            at_end,
            s.added,
            s.added_word,
            s,
        )?;
        at = block.lines.end;
    }
    write_context(out, lines, at..to, s)?;
    Ok(new_len - old_len as isize)
}

/// The words that differ between a matched phrase and its replacement:
/// "this 7 days" and "this week" differ in "7 days" and "week", so only
/// those are emphasised.
pub fn changed_words(old: &[u8], new: &[u8]) -> (Range<usize>, Range<usize>) {
    let limit = old.len().min(new.len());
    let mut prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    // Back off to a word boundary of both texts.
    let space = |text: &[u8], at: usize| text.get(at).is_none_or(u8::is_ascii_whitespace);
    let boundary = |at: usize| {
        at == 0 || (space(old, at - 1) || space(old, at)) && (space(new, at - 1) || space(new, at))
    };
    while !boundary(prefix) {
        prefix -= 1;
    }
    let mut suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(limit - prefix)
        .take_while(|(a, b)| a == b)
        .count();
    let boundary = |suffix: usize| {
        let (at_old, at_new) = (old.len() - suffix, new.len() - suffix);
        suffix == 0
            || (at_old == 0 || space(old, at_old - 1) || space(old, at_old))
                && (at_new == 0 || space(new, at_new - 1) || space(new, at_new))
    };
    while !boundary(suffix) {
        suffix -= 1;
    }
    (prefix..old.len() - suffix, prefix..new.len() - suffix)
}

/// The new text of a block's lines, and where the replacements sit in it.
fn render_new(
    lines: &Lines<'_>,
    block: &Block,
    changes: &[Change],
) -> (Vec<u8>, Vec<Range<usize>>) {
    let span = lines.span(block.lines.clone());
    let mut text = Vec::with_capacity(span.len());
    let mut marks = Vec::new();
    let mut last = span.start;
    for (range, replacement, _) in &changes[block.changes.clone()] {
        text.extend_from_slice(&lines.text[last..range.start]);
        let (_, changed) = changed_words(&lines.text[range.clone()], replacement.as_bytes());
        marks.push(text.len() + changed.start..text.len() + changed.end);
        text.extend_from_slice(replacement.as_bytes());
        last = range.end;
    }
    text.extend_from_slice(&lines.text[last..span.end]);
    (text, marks)
}

fn write_context(
    out: &mut dyn Write,
    lines: &Lines<'_>,
    range: Range<usize>,
    s: &Style,
) -> std::io::Result<()> {
    for line in range {
        let text = &lines.text[lines.span(line..line + 1)];
        out.write_all(b" ")?;
        match text.strip_suffix(b"\n") {
            Some(body) => {
                s.write_text(out, body)?;
                out.write_all(b"\n")?;
            }
            None => s.write_text(out, text)?,
        }
        if !text.ends_with(b"\n") {
            writeln!(out)?;
            writeln!(out, "\\ No newline at end of file")?;
        }
    }
    Ok(())
}

/// Writes one side of a changed block, line by line, emphasising the
/// bytes in `marks` when colour is on.
#[allow(clippy::too_many_arguments)]
fn write_side(
    out: &mut dyn Write,
    sign: &str,
    text: &[u8],
    marks: &[Range<usize>],
    at_end: bool,
    color: &str,
    word: &str,
    s: &Style,
) -> std::io::Result<()> {
    let mut start = 0;
    while start < text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i + 1);
        let body = text[start..end]
            .strip_suffix(b"\n")
            .unwrap_or(&text[start..end]);
        let body_end = start + body.len();
        write!(out, "{color}{sign}")?;
        if word.is_empty() {
            s.write_text(out, body)?;
        } else {
            let mut at = start;
            for mark in marks {
                let (from, to) = (mark.start.clamp(at, body_end), mark.end.clamp(at, body_end));
                if from >= to {
                    continue;
                }
                s.write_text(out, &text[at..from])?;
                write!(out, "{word}")?;
                s.write_text(out, &text[from..to])?;
                write!(out, "{}{color}", s.reset)?;
                at = to;
            }
            s.write_text(out, &text[at..body_end])?;
        }
        let reset = if color.is_empty() { "" } else { s.reset };
        writeln!(out, "{reset}")?;
        if end == text.len() && at_end && !text.ends_with(b"\n") {
            writeln!(out, "\\ No newline at end of file")?;
        }
        start = end;
    }
    Ok(())
}
