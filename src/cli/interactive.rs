//! `despin --interactive`: review each change, the way `git add -p` does.
//!
//! Every change despin would apply is shown in its line, old and new, with
//! the changed words highlighted, and waits for a decision. Accepted
//! changes are written when a file is done (or at `q`), atomically, like
//! `--in-place`. Keys are read a line at a time, so the review also works
//! over a plain pipe.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use despin::{Edit, Origin, Repairer};

use crate::cli::input::Input;
use crate::cli::mode::diff::changed_words;
use crate::cli::mode::replace_atomically;
use crate::cli::run::scan_in_documents;
use crate::cli::visible;
use despin::document::Protection;

const HELP: &str = "\
y - apply this change
n - do not apply this change
e - type another replacement for this change
a - apply this change and the rest of this file
d - skip this change and the rest of this file
q - quit; changes accepted so far are written
? - print help
";

/// ANSI styles, or none.
struct Style {
    removed: &'static str,
    added: &'static str,
    removed_word: &'static str,
    added_word: &'static str,
    header: &'static str,
    context: &'static str,
    reset: &'static str,
}

const COLOR: Style = Style {
    removed: "\x1b[31m",
    added: "\x1b[32m",
    removed_word: "\x1b[1;7;31m",
    added_word: "\x1b[1;7;32m",
    header: "\x1b[1;36m",
    context: "\x1b[2m",
    reset: "\x1b[0m",
};

const PLAIN: Style = Style {
    removed: "",
    added: "",
    removed_word: "",
    added_word: "",
    header: "",
    context: "",
    reset: "",
};

/// What the reviewer decided for one change.
enum Decision {
    Apply(Option<String>),
    Skip,
    ApplyRest,
    SkipRest,
    Quit,
}

/// Reviews every input; returns the exit status.
pub fn run(
    inputs: Vec<Input>,
    repairer: &Repairer,
    protection: &Protection,
    color: Option<bool>,
) -> Result<ExitCode> {
    let stdin = io::stdin();
    let mut keys = stdin.lock();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let style = if color.unwrap_or_else(|| io::stdout().is_terminal()) {
        &COLOR
    } else {
        &PLAIN
    };
    let mut errored = false;
    for input in inputs {
        let Input::File { path, .. } = &input else {
            eprintln!("despin: --interactive reviews files, not standard input");
            errored = true;
            continue;
        };
        match review(path, repairer, protection, style, &mut keys, &mut out) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                eprintln!("despin: {e:#}");
                errored = true;
            }
        }
    }
    Ok(if errored {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The edits the other modes would apply to `bytes`, found in the same
/// documents: a file over the one-document size is cut as they cut it.
/// Markup and ignored text are protected as they are there.
fn applied_edits(
    repairer: &Repairer,
    protection: &Protection,
    path: &Path,
    bytes: &[u8],
) -> Vec<Edit> {
    let format = protection.format_of(Some(path));
    let mut edits = scan_in_documents(repairer, protection, format, bytes).edits;
    edits.retain(|e| e.applied);
    edits
}

/// Reviews one file. Returns false when the reviewer quit.
fn review(
    path: &Path,
    repairer: &Repairer,
    protection: &Protection,
    style: &Style,
    keys: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<bool> {
    let display = visible::name(&path.display().to_string()).into_owned();
    let path = &crate::cli::mode::rewritable(path)?;
    let bytes = std::fs::read(path).with_context(|| format!("{display}: cannot read"))?;
    let edits = applied_edits(repairer, protection, path, &bytes);
    let mut accepted: Vec<Edit> = Vec::new();
    let mut rest: Option<bool> = None;
    let mut quit = false;
    for (i, edit) in edits.iter().enumerate() {
        let decision = match rest {
            Some(true) => Decision::Apply(None),
            Some(false) => Decision::Skip,
            None => {
                show(&display, &bytes, edit, i, edits.len(), repairer, style, out)?;
                ask(keys, out)?
            }
        };
        match decision {
            Decision::Apply(replacement) => {
                let mut edit = edit.clone();
                if let Some(replacement) = replacement {
                    edit.replacement = replacement;
                }
                accepted.push(edit);
            }
            Decision::Skip => {}
            Decision::ApplyRest => {
                accepted.push(edit.clone());
                rest = Some(true);
            }
            Decision::SkipRest => rest = Some(false),
            Decision::Quit => {
                quit = true;
                break;
            }
        }
    }
    if !accepted.is_empty() {
        let repaired = despin::edit::applied(&bytes, &accepted);
        replace_atomically(path, &display, &repaired)?;
    }
    writeln!(
        out,
        "{display}: {} of {} change{} applied",
        accepted.len(),
        edits.len(),
        if edits.len() == 1 { "" } else { "s" }
    )?;
    Ok(!quit)
}

/// Shows one change: where, why, and its line before and after.
#[allow(clippy::too_many_arguments)]
fn show(
    display: &str,
    bytes: &[u8],
    edit: &Edit,
    index: usize,
    count: usize,
    repairer: &Repairer,
    s: &Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let line_start = memchr::memrchr(b'\n', &bytes[..edit.range.start]).map_or(0, |i| i + 1);
    let line_end =
        memchr::memchr(b'\n', &bytes[edit.range.end..]).map_or(bytes.len(), |i| edit.range.end + i);
    let line_no = memchr::memchr_iter(b'\n', &bytes[..edit.range.start]).count() + 1;
    let reason = match &edit.origin {
        Origin::Guess(guess) => format!(" {}", guess.describe()),
        _ => String::new(),
    };
    writeln!(
        out,
        "{}{display}:{line_no} ({}/{count}) [{}, {}]{reason}{}",
        s.header,
        index + 1,
        repairer.source_name(edit),
        edit.level,
        s.reset
    )?;
    // One line of context on each side, dimmed, as a diff hunk shows it.
    let context_before = line_start.checked_sub(1).map(|end| {
        let start = memchr::memrchr(b'\n', &bytes[..end]).map_or(0, |i| i + 1);
        &bytes[start..end]
    });
    let context_after = (line_end < bytes.len()).then(|| {
        let start = line_end + 1;
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        &bytes[start..end]
    });
    let write_context = |out: &mut dyn Write, line: &[u8]| {
        writeln!(
            out,
            "{} {}{}",
            s.context,
            String::from_utf8_lossy(&visible::terminal_line(line)),
            s.reset
        )
    };
    if let Some(line) = context_before {
        write_context(out, line)?;
    }
    // Only the words that differ are emphasised: "this [7 days]".
    let found = &bytes[edit.range.clone()];
    let replacement = edit.replacement.as_bytes();
    let (old, new) = changed_words(found, replacement);
    let before = &bytes[line_start..edit.range.start];
    let after = &bytes[edit.range.end..line_end];
    let removed = [before, &found[..old.start]].concat();
    write_side(
        out,
        "-",
        s.removed,
        s.removed_word,
        s.reset,
        &removed,
        &found[old.clone()],
        &[&found[old.end..], after].concat(),
    )?;
    let added = [before, &replacement[..new.start]].concat();
    write_side(
        out,
        "+",
        s.added,
        s.added_word,
        s.reset,
        &added,
        &replacement[new.clone()],
        &[&replacement[new.end..], after].concat(),
    )?;
    if let Some(line) = context_after.filter(|l| !l.is_empty()) {
        write_context(out, line)?;
    }
    Ok(())
}

/// One side of a change: its line with the changed words emphasised.
#[allow(clippy::too_many_arguments)]
fn write_side(
    out: &mut dyn Write,
    sign: &str,
    color: &str,
    word: &str,
    reset: &str,
    head: &[u8],
    changed: &[u8],
    tail: &[u8],
) -> io::Result<()> {
    // The review is read on a terminal: control bytes of the text show as
    // escapes rather than act.
    let text = |b: &[u8]| String::from_utf8_lossy(&visible::terminal_line(b)).into_owned();
    writeln!(
        out,
        "{color}{sign}{}{word}{}{reset}{color}{}{reset}",
        text(head),
        text(changed),
        text(tail)
    )
}

/// Asks until the reviewer gives a known key. End of input quits.
fn ask(keys: &mut dyn BufRead, out: &mut dyn Write) -> io::Result<Decision> {
    loop {
        write!(out, "Apply this change [y,n,e,a,d,q,?]? ")?;
        out.flush()?;
        let mut answer = String::new();
        if keys.read_line(&mut answer)? == 0 {
            writeln!(out)?;
            return Ok(Decision::Quit);
        }
        match answer.trim() {
            "y" => return Ok(Decision::Apply(None)),
            "n" => return Ok(Decision::Skip),
            "a" => return Ok(Decision::ApplyRest),
            "d" => return Ok(Decision::SkipRest),
            "q" => return Ok(Decision::Quit),
            "e" => {
                write!(out, "Replacement: ")?;
                out.flush()?;
                let mut replacement = String::new();
                if keys.read_line(&mut replacement)? == 0 {
                    return Ok(Decision::Quit);
                }
                let replacement = replacement.trim_end_matches(['\n', '\r']).to_string();
                return Ok(Decision::Apply(Some(replacement)));
            }
            _ => write!(out, "{HELP}")?,
        }
    }
}
