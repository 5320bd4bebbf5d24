//! `despin --interactive`: review each change, the way `git add -p` does.
//!
//! Every change despin would apply is shown in its line, old and new, with
//! the changed words highlighted, and waits for a decision. Accepted
//! changes are written when a file is done (or at `q`), atomically, like
//! `--in-place`. Keys are read a line at a time, so the review also works
//! over a plain pipe.

use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Result};
use despin::{Edit, Origin, Repairer};

use super::diff::changed_words;
use super::{replace_atomically, rewritable, Chunk, Mode, Outcome, Sink};
use crate::cli::input::Input;
use crate::cli::visible;

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

/// The file under review and the changes accepted so far, where an
/// interrupt can find them: Ctrl-C writes them, as `q` does, instead of
/// throwing the review away.
struct Accepted {
    target: PathBuf,
    display: String,
    bytes: std::sync::Arc<Vec<u8>>,
    edits: Vec<Edit>,
    /// How many changes the file has.
    total: usize,
}

static ACCEPTED: Mutex<Option<Accepted>> = Mutex::new(None);

/// Writes the accepted changes of the file under review, if any, and says
/// how many.
fn write_accepted(accepted: Accepted, out: &mut dyn Write) -> Result<()> {
    let of = accepted.total;
    if !accepted.edits.is_empty() {
        let repaired = despin::edit::applied(&accepted.bytes, &accepted.edits);
        replace_atomically(&accepted.target, &accepted.display, &repaired)?;
    }
    writeln!(
        out,
        "{}: {} of {} change{} applied",
        accepted.display,
        accepted.edits.len(),
        of,
        if of == 1 { "" } else { "s" }
    )?;
    Ok(())
}

/// On SIGINT (Ctrl-C) the review ends as at `q`: what was accepted in the
/// file under review is written, atomically, and despin exits with 130,
/// as a shell reports an interrupted command.
fn write_accepted_on_interrupt() {
    let installed = ctrlc::set_handler(|| {
        // The review holds the lock only while it records a decision or
        // writes the file; wait for that, then take what is accepted.
        let accepted = ACCEPTED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        let mut stdout = io::stdout();
        let _ = writeln!(stdout);
        if let Some(accepted) = accepted {
            if let Err(e) = write_accepted(accepted, &mut stdout) {
                eprintln!("despin: {e:#}");
            }
        }
        let _ = stdout.flush();
        eprintln!("despin: interrupted");
        std::process::exit(130);
    });
    if let Err(e) = installed {
        eprintln!("despin: cannot catch Ctrl-C, so it would discard accepted changes: {e}");
    }
}

/// Reviews every change of each input file, one file at a time.
pub struct Interactive {
    style: &'static Style,
    /// The reviewer's keys, a line at a time.
    keys: Mutex<BufReader<io::Stdin>>,
    /// The reviewer quit: no further file is reviewed.
    quit: AtomicBool,
}

impl Interactive {
    /// A review in colour when `color` says so, else when standard output
    /// is a terminal.
    pub fn new(color: Option<bool>) -> Interactive {
        let style = if color.unwrap_or_else(|| io::stdout().is_terminal()) {
            &COLOR
        } else {
            &PLAIN
        };
        write_accepted_on_interrupt();
        Interactive {
            style,
            keys: Mutex::new(BufReader::new(io::stdin())),
            quit: AtomicBool::new(false),
        }
    }
}

impl Mode for Interactive {
    fn begin<'a>(
        &'a self,
        input: &'a Input,
        repairer: &'a Repairer,
        out: &'a mut dyn Write,
    ) -> Result<Box<dyn Sink + 'a>> {
        let Input::File { path, .. } = input else {
            bail!("--interactive reviews files, not standard input");
        };
        Ok(Box::new(Review {
            mode: self,
            repairer,
            display: visible::name(&input.display()).into_owned(),
            target: rewritable(path)?,
            out,
            bytes: Vec::new(),
            edits: Vec::new(),
        }))
    }

    /// Changes are the reviewer's to make; none is a failure.
    fn found(&self, _outcome: &Outcome) -> bool {
        false
    }

    fn one_at_a_time(&self) -> bool {
        true
    }

    fn stopped(&self) -> bool {
        self.quit.load(Ordering::Relaxed)
    }
}

/// One file under review: its text and the changes the other modes would
/// apply to it, gathered document by document.
struct Review<'a> {
    mode: &'a Interactive,
    repairer: &'a Repairer,
    display: String,
    target: PathBuf,
    out: &'a mut dyn Write,
    bytes: Vec<u8>,
    edits: Vec<Edit>,
}

impl Sink for Review<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        let offset = self.bytes.len();
        self.edits
            .extend(chunk.edits.iter().filter(|e| e.applied).map(|e| {
                let mut edit = e.clone();
                edit.range = e.range.start + offset..e.range.end + offset;
                edit
            }));
        self.bytes.extend_from_slice(chunk.bytes);
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<Outcome> {
        let Review {
            mode,
            repairer,
            display,
            target,
            out,
            bytes,
            edits,
        } = *self;
        let mut keys = mode
            .keys
            .lock()
            .expect("no review panicked holding the keys");
        let accept = |edit: Edit| {
            if let Some(accepted) = ACCEPTED
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .as_mut()
            {
                accepted.edits.push(edit);
            }
        };
        let bytes = std::sync::Arc::new(bytes);
        *ACCEPTED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Accepted {
            target,
            display: display.clone(),
            bytes: bytes.clone(),
            edits: Vec::new(),
            total: edits.len(),
        });
        let mut rest: Option<bool> = None;
        for (i, edit) in edits.iter().enumerate() {
            let decision = match rest {
                Some(true) => Decision::Apply(None),
                Some(false) => Decision::Skip,
                None => {
                    show(
                        &display,
                        &bytes,
                        edit,
                        i,
                        edits.len(),
                        repairer,
                        mode.style,
                        out,
                    )?;
                    ask(&mut *keys, out)?
                }
            };
            match decision {
                Decision::Apply(replacement) => {
                    let mut edit = edit.clone();
                    if let Some(replacement) = replacement {
                        edit.replacement = replacement;
                    }
                    accept(edit);
                }
                Decision::Skip => {}
                Decision::ApplyRest => {
                    accept(edit.clone());
                    rest = Some(true);
                }
                Decision::SkipRest => rest = Some(false),
                Decision::Quit => {
                    mode.quit.store(true, Ordering::Relaxed);
                    break;
                }
            }
        }
        // The lock is held while the file is written, so an interrupt now
        // waits for the write instead of cutting it short.
        let mut slot = ACCEPTED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let accepted = slot.take().expect("the review's file is recorded");
        let changed = !accepted.edits.is_empty();
        write_accepted(accepted, out)?;
        drop(slot);
        Ok(Outcome {
            changed,
            findings: edits.len(),
        })
    }
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
        Origin::Guess(guess) => format!(" guess {:.2}: {}", guess.score(), guess.describe()),
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
    // escapes rather than act. A change across a line break shows each of
    // its lines with the sign, as a diff does.
    let text = |b: &[u8], style: &str| {
        b.split(|&byte| byte == b'\n')
            .map(|line| String::from_utf8_lossy(&visible::terminal_line(line)).into_owned())
            .collect::<Vec<_>>()
            .join(&format!("{reset}\n{color}{sign}{style}"))
    };
    writeln!(
        out,
        "{color}{sign}{}{word}{}{reset}{color}{}{reset}",
        text(head, ""),
        text(changed, word),
        text(tail, "")
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
