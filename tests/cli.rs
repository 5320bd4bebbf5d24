//! Runs the real `despin` binary on fixtures, as a user would.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const EXAMPLE: &str = "tests/fixtures/xi-putin-summit.spun.txt";
const TEST_DICT: &str = "tests/fixtures/test-dict.tsv";

fn despin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_despin"))
}

/// Runs despin with `args`, feeding `stdin`.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, stdin)
}

fn run_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = despin()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("despin runs");
    // Feed stdin from a thread so a large input cannot deadlock against a
    // full stdout pipe; despin may also exit before reading it all.
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[track_caller]
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
}

/// A temporary directory with files in it.
struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, contents).unwrap();
        path
    }

    fn read(&self, name: &str) -> Vec<u8> {
        fs::read(self.path().join(name)).unwrap()
    }
}

fn test_dict_arg() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(TEST_DICT)
        .display()
        .to_string()
}

#[test]
fn filter_reads_stdin_and_files() {
    let output = run(&[], b"We met this 7 days in man or woman.\n");
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "We met this week in person.\n");

    let dir = Dir::new();
    dir.write("a.txt", "this 7 days\n");
    dir.write("b.txt", "in man or woman");
    let output = run_in(dir.path(), &["a.txt", "-", "b.txt"], b"point out media\n");
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "this week\nstate media\nin person");
}

#[test]
fn filter_keeps_crlf_bom_tabs_and_missing_newline() {
    let input = b"\xEF\xBB\xBFthis 7 days\r\n\tin man or woman\rlast\r\n\r\nno newline";
    let output = run(&[], input);
    assert_exit(&output, 0);
    assert_eq!(
        output.stdout,
        b"\xEF\xBB\xBFthis week\r\n\tin person\rlast\r\n\r\nno newline"
    );
}

#[test]
fn filter_keeps_invalid_utf8() {
    let input = b"\xff this 7 days \xfe\xfd in man or woman \xc3";
    let output = run(&[], input);
    assert_exit(&output, 0);
    assert_eq!(output.stdout, b"\xff this week \xfe\xfd in person \xc3");
}

#[test]
fn output_equals_input_when_nothing_matches() {
    let input = fs::read("tests/fixtures/clean/state_union/1961-Kennedy.txt").unwrap();
    let output = run(&[], &input);
    assert_exit(&output, 0);
    assert!(output.stdout == input, "clean text changed");
}

#[test]
fn diff_applies_with_git_and_patch_and_equals_in_place() {
    let example = fs::read(EXAMPLE).unwrap();
    for tool in ["git", "patch"] {
        let dir = Dir::new();
        dir.write("story.txt", &example);
        let diff = run_in(dir.path(), &["--diff", "story.txt"], b"");
        assert_exit(&diff, 1);
        let text = stdout(&diff);
        assert!(
            text.starts_with("--- a/story.txt\n+++ b/story.txt\n@@ -1,"),
            "{text}"
        );
        assert!(text
            .contains("+In August, ties strike a extraordinary new lower when US House Speaker"));

        let applied = Dir::new();
        applied.write("story.txt", &example);
        apply_diff(tool, &applied, &diff.stdout);

        let in_place = run_in(dir.path(), &["--in-place", "story.txt"], b"");
        assert_exit(&in_place, 0);
        assert_eq!(applied.read("story.txt"), dir.read("story.txt"), "{tool}");
        assert_ne!(dir.read("story.txt"), example);

        // Repairing the repaired text changes nothing.
        let again = run_in(dir.path(), &["--diff", "story.txt"], b"");
        assert_exit(&again, 0);
        assert!(again.stdout.is_empty());
    }
}

/// Applies a diff with `git apply` or `patch -p1` in `dir`.
fn apply_diff(tool: &str, dir: &Dir, diff: &[u8]) {
    let mut command = match tool {
        "git" => {
            let mut c = Command::new("git");
            c.args(["apply", "-"]);
            c
        }
        _ => {
            let mut c = Command::new("patch");
            c.args(["-p1", "--quiet"]);
            c
        }
    };
    let mut child = command
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(diff).unwrap();
    assert!(child.wait().unwrap().success(), "{tool} rejected the diff");
}

#[test]
fn diff_hunks_apply_for_awkward_layouts() {
    let filler: String = (1..=12).map(|i| format!("plain line {i}\n")).collect();
    let texts = [
        // Changes far apart: two hunks, the second shifted by nothing.
        format!("We met this 7 days.\n{filler}Then the Residence Speaker spoke.\n"),
        // Changes close together: one hunk.
        "a\nWe met this 7 days.\nb\nc\nThe Residence Speaker.\nd\n".to_string(),
        // A phrase across a line break, and no newline at the end.
        format!("{filler}They met this 7\ndays and the Residence Speaker"),
        // Several changes in one line, CRLF line ends.
        "x\r\nthis 7 days, this 7 days and in man or woman\r\ny\r\n".to_string(),
        // The only line, without a newline.
        "this 7 days".to_string(),
    ];
    for text in &texts {
        for tool in ["git", "patch"] {
            let dir = Dir::new();
            dir.write("t.txt", text);
            let diff = run_in(dir.path(), &["--diff", "t.txt"], b"");
            assert_exit(&diff, 1);
            let applied = Dir::new();
            applied.write("t.txt", text);
            apply_diff(tool, &applied, &diff.stdout);
            let in_place = run_in(dir.path(), &["--in-place", "t.txt"], b"");
            assert_exit(&in_place, 0);
            assert_eq!(
                applied.read("t.txt"),
                dir.read("t.txt"),
                "{tool} on {text:?}:\n{}",
                stdout(&diff)
            );
        }
    }
}

/// Standard input is read in chunks of 256 KiB, and the diff is written as
/// it streams; a small file is one chunk. Both must give the same hunks,
/// wherever the changes fall against the chunk boundaries: far apart, close
/// enough to share a hunk, and on every line (one hunk for the whole text).
#[test]
fn streamed_diff_equals_the_diff_of_the_whole_file() {
    for every in [97, 5, 1] {
        let mut text = String::new();
        for i in 0..25_000 {
            if i % every == 0 {
                text.push_str(&format!("Line {i} was written this 7 days.\r\n"));
            } else {
                text.push_str(&format!("Line {i} says nothing of interest at all.\n"));
            }
        }
        text.push_str("and no newline at the end, this 7 days");
        assert!(text.len() > 3 * 256 * 1024);
        let dir = Dir::new();
        dir.write("t.txt", &text);
        let whole = run_in(dir.path(), &["--diff", "t.txt"], b"");
        assert_exit(&whole, 1);
        let streamed = run_in(dir.path(), &["--diff", "-"], text.as_bytes());
        assert_exit(&streamed, 1);
        let streamed = stdout(&streamed)
            .replacen("a/stdin", "a/t.txt", 1)
            .replacen("b/stdin", "b/t.txt", 1);
        assert_eq!(streamed, stdout(&whole), "a change every {every} lines");
        assert!(stdout(&whole).matches("\n+Line").count() >= 25_000 / every);
    }
}

/// The test dictionary alone, without guesses.
fn only_test_dict(dict: &str) -> [&str; 4] {
    ["--no-default-dict", "--no-guess", "--dict", dict]
}

/// "surface area" at the top, `paragraphs` plain paragraphs, then `last`:
/// the test dictionary's "surface region" entry holds only where the top
/// and `last` are in one document.
fn condition_far_away(paragraphs: usize, last: &str) -> String {
    format!(
        "We measured the surface area first.\n\n{}{last}",
        "Nothing in this paragraph is spun at all.\n\n".repeat(paragraphs)
    )
}

/// A file and the same bytes through a pipe are cut into the same
/// documents: whole up to the one-document size, so a condition met at the
/// top applies at the bottom, and in the same chunks above it.
#[test]
fn a_file_and_its_stream_are_the_same_documents() {
    for (paragraphs, condition_holds) in [(15_000, true), (80_000, false)] {
        let text = condition_far_away(paragraphs, "The surface region grew.\n");
        let dir = Dir::new();
        dir.write("t.txt", &text);
        let dict = test_dict_arg();
        let args = only_test_dict(&dict);
        let by_path = run_in(dir.path(), &[&args[..], &["t.txt"]].concat(), b"");
        assert_exit(&by_path, 0);
        let by_pipe = run_in(dir.path(), &args, text.as_bytes());
        assert_exit(&by_pipe, 0);
        assert!(by_path.stdout == by_pipe.stdout, "{} bytes", text.len());
        // The sure entry needs "surface area" in the same document; its
        // `suggest` fallback is reported, never applied.
        let repaired = stdout(&by_path).ends_with("The surface area grew.\n");
        assert_eq!(repaired, condition_holds, "{} bytes", text.len());
    }
}

/// Interactive review offers what `--in-place` applies, in the same
/// documents, also in a file over the one-document size.
#[test]
fn interactive_review_cuts_a_large_file_as_in_place_does() {
    let text = condition_far_away(80_000, "The surface region grew this 7 days.\n");
    let dir = Dir::new();
    dir.write("a.txt", &text);
    dir.write("b.txt", &text);
    let dict = test_dict_arg();
    let args = only_test_dict(&dict);
    let in_place = run_in(dir.path(), &[&args[..], &["-i", "a.txt"]].concat(), b"");
    assert_exit(&in_place, 0);
    // "a": apply this change and all the rest.
    let reviewed = run_in(dir.path(), &[&args[..], &["-I", "b.txt"]].concat(), b"a\n");
    assert_exit(&reviewed, 0);
    let (a, b) = (dir.read("a.txt"), dir.read("b.txt"));
    assert!(a == b, "{}", stdout(&reviewed));
    let end = String::from_utf8_lossy(&a[a.len() - 100..]).into_owned();
    assert!(
        end.ends_with("The surface region grew this week.\n"),
        "{end}"
    );
}

/// Every mode reads inputs through one driver: a binary file named on the
/// command line is an error for the review, `--in-place` and `--check` (a
/// report that said nothing would read as "clean"), one found in a walk is
/// skipped with a note, and the filter and JSON Lines pass it through,
/// saying so.
#[test]
fn every_mode_treats_binary_input_alike() {
    let binary = b"We met this 7 days.\0\x01\x02 and this 7 days.\n";
    let dir = Dir::new();
    dir.write("a.bin", binary);
    dir.write("walked/a.bin", binary);
    for mode in [&["-i"][..], &["-I"], &["--check"], &["--diff"]] {
        let output = run_in(dir.path(), &[mode, &["a.bin"]].concat(), b"a\n");
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("a.bin: binary file, not text"),
            "{mode:?}: {}",
            stderr(&output)
        );
        assert_eq!(dir.read("a.bin"), binary, "{mode:?}");
        if mode != ["-I"] {
            let output = run_in(dir.path(), &[mode, &["walked"]].concat(), b"");
            assert_exit(&output, 0);
            assert!(
                stderr(&output).contains("binary file skipped"),
                "{mode:?}: {}",
                stderr(&output)
            );
        }
    }
    for mode in [&[][..], &["--jsonl"]] {
        let output = run_in(dir.path(), &[mode, &["a.bin"]].concat(), b"");
        assert_exit(&output, 0);
        assert!(
            stderr(&output).contains("passed through unchanged"),
            "{mode:?}"
        );
        assert_eq!(output.stdout, binary, "{mode:?}");
    }
}

#[test]
fn diff_colours_changed_words_when_asked() {
    let dir = Dir::new();
    dir.write("a.txt", "one\nWe met this 7 days.\nthree\n");
    let output = run_in(dir.path(), &["--diff", "--color", "always", "a.txt"], b"");
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(text.contains("\x1b[1;7;31m7 days"), "{text:?}");
    assert!(text.contains("\x1b[1;7;32mweek"), "{text:?}");
    let plain = run_in(dir.path(), &["--diff", "a.txt"], b"");
    assert!(
        !stdout(&plain).contains('\x1b'),
        "piped output is not coloured"
    );
}

#[test]
fn in_place_rewrites_only_changed_files_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let changed = dir.write("changed.txt", "this 7 days\r\n");
    let clean = dir.write("clean.txt", "nothing here\n");
    fs::set_permissions(&changed, fs::Permissions::from_mode(0o640)).unwrap();
    let before = fs::metadata(&clean).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    let output = run_in(dir.path(), &["-i", "changed.txt", "clean.txt"], b"");
    assert_exit(&output, 0);
    assert_eq!(dir.read("changed.txt"), b"this week\r\n");
    assert_eq!(
        fs::metadata(&changed).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(fs::metadata(&clean).unwrap().modified().unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("despin"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn in_place_follows_symlinks_and_keeps_the_link() {
    let dir = Dir::new();
    dir.write("real.txt", "this 7 days\n");
    std::os::unix::fs::symlink("real.txt", dir.path().join("link.txt")).unwrap();
    let output = run_in(dir.path(), &["-i", "link.txt", "real.txt"], b"");
    assert_exit(&output, 0);
    assert_eq!(dir.read("real.txt"), b"this week\n");
    assert!(fs::symlink_metadata(dir.path().join("link.txt"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn directories_are_walked_honouring_gitignore_and_skipping_binaries() {
    let dir = Dir::new();
    fs::create_dir(dir.path().join(".git")).unwrap();
    dir.write(".gitignore", "ignored.txt\n");
    dir.write("docs/a.txt", "this 7 days\n");
    dir.write("docs/b.txt", "in man or woman\n");
    dir.write("ignored.txt", "this 7 days\n");
    dir.write("blob.bin", b"this 7 days\0\x01\x02");
    let output = run_in(dir.path(), &["--check", "."], b"");
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("docs/a.txt:1:1: this 7 days -> this week [news, sure]"),
        "{text}"
    );
    assert!(text.contains("docs/b.txt:1:1: in man or woman -> in person [news, sure]"));
    assert!(!text.contains("ignored.txt"));
    assert!(stderr(&output).contains("blob.bin: binary file skipped"));
}

#[test]
fn named_binary_file_passes_through_the_filter() {
    let dir = Dir::new();
    let bytes = b"this 7 days\0\xff";
    dir.write("blob.bin", bytes);
    let output = run_in(dir.path(), &["blob.bin"], b"");
    assert_exit(&output, 0);
    assert_eq!(output.stdout, bytes);
    assert!(stderr(&output).contains("blob.bin: binary file passed through unchanged"));
}

#[test]
fn check_reports_locations_and_exit_codes() {
    let dir = Dir::new();
    dir.write(
        "spun.txt",
        "Intro line.\nThey met “this 7 days” in man or woman.\n",
    );
    dir.write("clean.txt", "Nothing to see.\n");
    let output = run_in(dir.path(), &["--check", "spun.txt"], b"");
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "spun.txt:2:11: this 7 days -> this week [news, sure]\n\
         spun.txt:2:24: in man or woman -> in person [news, sure]\n"
    );
    let output = run_in(dir.path(), &["--check", "clean.txt"], b"");
    assert_exit(&output, 0);
    assert!(output.stdout.is_empty());
}

#[test]
fn check_json_lines_and_stats() {
    let dir = Dir::new();
    dir.write("spun.txt", "Él dijo: this 7 days.\n");
    let output = run_in(
        dir.path(),
        &["--check", "--format", "json", "--stats", "spun.txt"],
        b"",
    );
    assert_exit(&output, 1);
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let finding = &lines[0];
    assert_eq!(finding["type"], "finding");
    assert_eq!(finding["path"], "spun.txt");
    assert_eq!(finding["line"], 1);
    assert_eq!(finding["column"], 10, "columns count characters");
    assert_eq!(finding["byte_start"], 10, "byte offsets count bytes");
    assert_eq!(finding["byte_end"], 21);
    assert_eq!(finding["found"], "this 7 days");
    assert_eq!(finding["replacement"], "this week");
    assert_eq!(finding["dictionary"], "news");
    assert_eq!(finding["level"], "sure");
    assert_eq!(finding["applied"], true);
    let summary = &lines[1];
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["findings"], 1);
    assert_eq!(summary["words"], 5);
    assert_eq!(summary["spin_score"], 200.0);
}

#[test]
fn missing_file_is_reported_and_the_others_processed() {
    let dir = Dir::new();
    dir.write("a.txt", "this 7 days\n");
    dir.write("c.txt", "in man or woman\n");
    let output = run_in(dir.path(), &["a.txt", "missing.txt", "c.txt"], b"");
    assert_exit(&output, 2);
    assert_eq!(stdout(&output), "this week\nin person\n");
    let err = stderr(&output);
    assert!(err.contains("missing.txt"), "{err}");
    assert!(err.contains("No such file"), "{err}");
}

#[test]
fn user_dictionaries_and_levels() {
    let dict = test_dict_arg();
    let output = run(
        &["--no-default-dict", "--dict", &dict],
        b"this 7 days, He stated\n",
    );
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "this week, He stated\n");
    let output = run(
        &["--no-default-dict", "--dict", &dict, "--aggressive"],
        b"this 7 days, He stated\n",
    );
    assert_eq!(stdout(&output), "this week, He said\n");
    // Without the default dictionaries the news phrases are unknown.
    let output = run(
        &["--no-default-dict", "--dict", &dict],
        b"in man or woman\n",
    );
    assert_eq!(stdout(&output), "in man or woman\n");
    // Suggestions are reported only when asked for.
    let output = run(
        &[
            "--check",
            "--no-default-dict",
            "--dict",
            &dict,
            "--level",
            "suggest",
            "-",
        ],
        b"the place\n",
    );
    // Reported, not applied: nothing would change, so the exit is 0.
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "<stdin>:1:1: the place -> where [test-dict, suggest, not applied]\n"
    );
}

#[test]
fn bad_dictionary_line_names_file_and_line() {
    let output = run(&["--dict", "tests/fixtures/bad-dict.tsv"], b"x\n");
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(err.contains("tests/fixtures/bad-dict.tsv:2:"), "{err}");
    assert!(
        err.contains("expected spun<TAB>original<TAB>level"),
        "{err}"
    );
}

#[test]
fn dict_subcommands() {
    let dir = Dir::new();
    dir.write(
        "mine.tsv",
        "a b\tc\tsure\nc\ta b\tsure\nx y\tz\tsure\nx  y\tz\tsure\n",
    );
    let output = run_in(dir.path(), &["dict", "check", "mine.tsv"], b"");
    assert_exit(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("mine.tsv:1: cycle: a b -> c -> a b"),
        "{text}"
    );
    assert!(text.contains("mine.tsv:4: duplicate"), "{text}");

    let output = run(&["dict", "check", TEST_DICT], b"");
    assert_exit(&output, 0);

    let fst = dir.path().join("mine.fst");
    let output = run_in(
        dir.path(),
        &["dict", "compile", &test_dict_arg(), "-o", "mine.fst"],
        b"",
    );
    assert_exit(&output, 0);
    assert!(fst.exists());
    let output = run_in(
        dir.path(),
        &["--no-default-dict", "--dict", "mine.fst"],
        b"Irregular woodland\n",
    );
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "Random forest\n");

    let output = run(&["dict", "lookup", "this 7 days"], b"");
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "news: this 7 days -> this week [sure]\n");
    let output = run(&["dict", "lookup", "this 7 dayz"], b"");
    assert_exit(&output, 1);
    assert!(stdout(&output).contains("similar: this 7 days"));

    let output = run(&["dict", "stats"], b"");
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(text.starts_with("dictionary\tentries"), "{text}");
    assert!(text.contains("\nnews\t") && text.contains("\nscience\t"));
}

#[test]
fn truncated_compiled_dictionary_is_an_error() {
    let dir = Dir::new();
    let output = run_in(
        dir.path(),
        &["dict", "compile", &test_dict_arg(), "-o", "full.fst"],
        b"",
    );
    assert_exit(&output, 0);
    let bytes = dir.read("full.fst");
    dir.write("cut.fst", &bytes[..bytes.len() - 7]);
    let output = run_in(dir.path(), &["--dict", "cut.fst"], b"x\n");
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("cut.fst: truncated or corrupt"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn output_order_is_the_same_for_any_number_of_jobs() {
    let dir = Dir::new();
    for i in 0..300 {
        dir.write(
            &format!("d{}/f{i:03}.txt", i % 7),
            format!("file {i}: this 7 days\n"),
        );
    }
    let one = run_in(dir.path(), &["--check", "-j", "1", "."], b"");
    let four = run_in(dir.path(), &["--check", "-j", "4", "."], b"");
    assert_exit(&one, 1);
    assert_eq!(stdout(&one).lines().count(), 300);
    assert_eq!(one.stdout, four.stdout);
}

#[test]
fn large_input_is_streamed_in_chunks_with_the_same_result() {
    let paragraph = "Plain words here. They met this 7 days in man or woman.\n\n";
    let input = paragraph.repeat(60_000); // about 3.5 MB, several chunks
    let expected = "Plain words here. They met this week in person.\n\n".repeat(60_000);
    let output = run(&["-j", "2"], input.as_bytes());
    assert_exit(&output, 0);
    assert!(output.stdout == expected.as_bytes());
    let check = run(&["--check", "-"], input.as_bytes());
    let text = stdout(&check);
    assert_eq!(text.lines().count(), 120_000);
    assert_eq!(
        text.lines().last().unwrap(),
        "<stdin>:119999:40: in man or woman -> in person [news, sure]"
    );
}

/// A stream longer than the chunks in flight at once (sixteen per thread)
/// comes out whole and in order; every line is numbered, so a chunk emitted
/// out of turn would show.
#[test]
fn a_long_stream_comes_out_in_input_order() {
    let lines = |phrase: &str| -> String {
        (0..400_000)
            .map(|i| format!("Line {i} met {phrase}.\n"))
            .collect()
    };
    let input = lines("this 7 days"); // about 10.6 MB: 41 chunks
    for jobs in ["2", "3"] {
        let output = run(&["-j", jobs], input.as_bytes());
        assert_exit(&output, 0);
        assert!(output.stdout == lines("this week").as_bytes(), "-j {jobs}");
    }
}

#[test]
fn broken_pipe_exits_quietly() {
    let dir = Dir::new();
    let big = "this 7 days and more words\n".repeat(400_000);
    dir.write("big.txt", &big);
    let mut child = despin()
        .arg("big.txt")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "this week and more words\n");
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 0);
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

#[test]
fn write_errors_are_reported() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not on this system
    };
    let output = despin()
        .arg(EXAMPLE)
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("No space left"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn founding_example_check_lists_its_spun_phrases() {
    let output = run(&["--check", EXAMPLE], b"");
    assert_exit(&output, 1);
    let text = stdout(&output);
    for expected in [
        ":1:96: this 7 days -> this week [news, sure]",
        ":10:58: Residence Speaker -> House Speaker [news, sure]",
        ":13:189: point out media -> state media [news, sure]",
        ":20:30: in man or woman -> in person [news, sure]",
        ":22:13: requires place -> takes place [news, sure]",
    ] {
        assert!(text.contains(expected), "missing {expected}\n{text}");
    }
}

/// Runs despin as an unprivileged user when the tests run as root, so that
/// permission bits mean something. Returns `None` when that is impossible.
fn run_unprivileged(dir: &Path, args: &[&str]) -> Option<Output> {
    let root = Command::new("id").arg("-u").output().ok()?.stdout == b"0\n";
    let command = || {
        if root {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
            c.arg(env!("CARGO_BIN_EXE_despin"));
            c
        } else {
            despin()
        }
    };
    // The unprivileged user may not reach the binary (a checkout in /root).
    if !command().arg("--version").output().ok()?.status.success() {
        return None;
    }
    if root {
        // The unprivileged user must reach the binary and the files.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).ok()?;
    }
    command().args(args).current_dir(dir).output().ok()
}

#[test]
fn permission_errors_are_per_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    let secret = dir.write("secret.txt", "this 7 days\n");
    let locked = dir.write("locked.txt", "this 7 days\n");
    dir.write("open.txt", "this 7 days\n");
    let closed = dir.path().join("closed");
    fs::create_dir(&closed).unwrap();
    dir.write("closed/inner.txt", "this 7 days\n");
    for path in [&dir.path().join("open.txt"), &secret, &locked] {
        fs::set_permissions(path, fs::Permissions::from_mode(0o666)).unwrap();
    }
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
    fs::set_permissions(&closed, fs::Permissions::from_mode(0o000)).unwrap();
    let Some(output) = run_unprivileged(
        dir.path(),
        &[
            "-i",
            "secret.txt",
            "locked.txt",
            "missing.txt",
            "closed",
            "open.txt",
        ],
    ) else {
        eprintln!("skipped: cannot drop privileges here");
        return;
    };
    fs::set_permissions(&closed, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).unwrap();
    assert_exit(&output, 2);
    let err = stderr(&output);
    for name in [
        "secret.txt: cannot open",
        "locked.txt: cannot write",
        "missing.txt",
        "closed",
    ] {
        assert!(err.contains(name), "no error for {name}: {err}");
    }
    assert_eq!(
        dir.read("open.txt"),
        b"this week\n",
        "the good file is still repaired"
    );
    assert_eq!(dir.read("locked.txt"), b"this 7 days\n");
}

#[test]
fn a_file_named_twice_is_processed_once() {
    let dir = Dir::new();
    dir.write("a.txt", "this 7 days\n");
    std::os::unix::fs::symlink("a.txt", dir.path().join("b.txt")).unwrap();
    let output = run_in(
        dir.path(),
        &["--check", "a.txt", "./a.txt", "b.txt", "."],
        b"",
    );
    assert_exit(&output, 1);
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
}

#[test]
fn every_bad_user_dictionary_is_an_error_naming_where() {
    let dir = Dir::new();
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "tab.tsv",
            b"ok\tfine\tsure\nno tab\n",
            "tab.tsv:2: expected spun<TAB>original<TAB>level",
        ),
        (
            "empty.tsv",
            b"\tfine\tsure\n",
            "empty.tsv:1: the spun phrase is empty",
        ),
        (
            "utf8.tsv",
            b"ok\tfine\tsure\nbad \xff\tx\tsure\n",
            "utf8.tsv:2: invalid UTF-8",
        ),
        (
            "dup.tsv",
            b"a b\tc\tsure\nx\ty\tsure\na  b\td\tsure\n",
            "dup.tsv:3: ",
        ),
        ("level.tsv", b"a\tb\tmaybe\n", "level.tsv:1: unknown level"),
    ];
    for (name, contents, expected) in cases {
        dir.write(name, contents);
        let output = run_in(dir.path(), &["--dict", name, "-"], b"x\n");
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"));
    }
}

#[test]
fn ten_thousand_files_in_a_stable_order() {
    let dir = Dir::new();
    for i in 0..10_000 {
        dir.write(
            &format!("t{}/u{}/f{i:05}.txt", i % 13, i % 7),
            format!("{i} this 7 days\n"),
        );
    }
    let one = run_in(dir.path(), &["--check", "-j", "1", "."], b"");
    let eight = run_in(dir.path(), &["--check", "-j", "8", "."], b"");
    assert_exit(&one, 1);
    assert_eq!(stdout(&one).lines().count(), 10_000);
    assert!(
        one.stdout == eight.stdout,
        "order differs between -j 1 and -j 8"
    );
}

#[test]
fn line_endings_of_every_kind_are_kept() {
    let input = b"this 7 days\r\nin man or woman\rpoint out media\n\r\nlast line this 7 days";
    let output = run(&[], input);
    assert_eq!(
        output.stdout,
        b"this week\r\nin person\rstate media\n\r\nlast line this week"
    );
}

#[test]
fn utf16_is_decoded_for_reports_and_never_rewritten() {
    let dir = Dir::new();
    let utf16: Vec<u8> = b"\xFF\xFE"
        .iter()
        .copied()
        .chain(
            "First line.\nWe met this 7 days.\n"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    dir.write("wide.txt", &utf16);
    let output = run_in(dir.path(), &["--check", "wide.txt"], b"");
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "wide.txt:2:8: this 7 days -> this week [news, sure]\n"
    );
    let output = run_in(dir.path(), &["-o", "-", "wide.txt"], b"");
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "First line.\nWe met this week.\n");
    for mode in [&["-i"][..], &[]] {
        let output = run_in(dir.path(), &[mode, &["wide.txt"]].concat(), b"");
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("wide.txt: UTF-16 text: its text is extracted"),
            "{}",
            stderr(&output)
        );
        assert_eq!(dir.read("wide.txt"), utf16);
    }
}

#[test]
fn stale_temporary_files_of_dead_runs_are_removed() {
    let dir = Dir::new();
    dir.write("a.txt", "this 7 days\n");
    dir.write(".despin-4000000-abcdef.tmp", "half a file");
    dir.write(".despin-notapid.tmp", "not ours");
    let output = run_in(dir.path(), &["-i", "a.txt"], b"");
    assert_exit(&output, 0);
    assert!(!dir.path().join(".despin-4000000-abcdef.tmp").exists());
    assert!(dir.path().join(".despin-notapid.tmp").exists());
}

#[test]
fn subcommands_exit_quietly_on_a_broken_pipe() {
    let mut child = despin()
        .args(["dict", "stats"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the pipe before despin writes.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 0);
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

#[test]
fn guesses_show_their_score_and_reason() {
    let dir = Dir::new();
    dir.write(
        "paper.txt",
        "We met this 7 days in man or woman with the Residence Speaker.\n\
         The woodland fire was studied.\n",
    );
    let output = run_in(
        dir.path(),
        &[
            "--check",
            "--format",
            "json",
            "--level",
            "guess",
            "paper.txt",
        ],
        b"",
    );
    assert_exit(&output, 1);
    let text = stdout(&output);
    let guess = text
        .lines()
        .find(|line| line.contains("\"level\":\"guess\""))
        .unwrap_or_else(|| panic!("no guess in {text}"));
    assert!(guess.contains("\"score\":"), "{guess}");
    assert!(guess.contains("\"restored\":\"forest fire\""), "{guess}");
    assert!(guess.contains("learned swap woodland→forest"), "{guess}");
    assert!(guess.contains("\"attested\":["), "{guess}");
    // For people: the score in the brackets, one short reason after them.
    let human = run_in(
        dir.path(),
        &["--check", "--level", "guess", "paper.txt"],
        b"",
    );
    let line = stdout(&human)
        .lines()
        .find(|line| line.contains("woodland"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no guess in {}", stdout(&human)));
    assert!(line.contains(" [guess 0."), "{line}");
    assert!(!line.contains("guess, guess"), "{line}");
    assert!(line.len() < 200, "{line}");
    // A diff says why in the hunk header, where patch tools ignore it.
    let diff = run_in(
        dir.path(),
        &["--diff", "--guess-threshold", "0.1", "paper.txt"],
        b"",
    );
    assert!(
        stdout(&diff).contains("@@ guess ")
            && stdout(&diff).contains("'forest fire' is a known term"),
        "{}",
        stdout(&diff)
    );
    let off = run_in(
        dir.path(),
        &["--check", "--level", "guess", "--no-guess", "paper.txt"],
        b"",
    );
    assert!(!stdout(&off).contains("[guess"), "{}", stdout(&off));
}

#[test]
fn a_guess_threshold_outside_zero_to_one_is_refused() {
    let output = run(&["--guess-threshold", "2"], b"");
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("not a score from 0 to 1"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn mined_entries_are_a_dictionary_despin_can_use() {
    let corpus = Dir::new();
    corpus.write(
        "a.txt",
        "We study profound learning here. Deep learning is popular.\n",
    );
    corpus.write("b.txt", "A profound learning model. Deep learning again.\n");
    corpus.write("clean.txt", "Nothing spun in this one.\n");
    let mined = run_in(corpus.path(), &["mine", "--no-default-dict", "."], b"");
    assert_exit(&mined, 0);
    let tsv = stdout(&mined);
    assert!(
        tsv.contains("\nprofound learning\tdeep learning\t"),
        "{tsv}"
    );
    assert!(tsv.contains("# documents 2, occurrences 2"), "{tsv}");
    let dir = Dir::new();
    dir.write("mined.tsv", &tsv);
    assert_exit(&run_in(dir.path(), &["dict", "check", "mined.tsv"], b""), 0);
    let repaired = run_in(
        dir.path(),
        &[
            "--no-default-dict",
            "--no-guess",
            "--aggressive",
            "--dict",
            "mined.tsv",
        ],
        b"A profound learning model.",
    );
    assert_eq!(stdout(&repaired), "A deep learning model.");
}

#[test]
fn mine_reads_no_guess_from_code() {
    let corpus = Dir::new();
    corpus.write(
        "a.md",
        "Deep learning is popular.\n\n```\nprofound_learning = profound learning model\n```\n",
    );
    corpus.write("b.md", "Deep learning again. `a profound learning model`\n");
    let mined = run_in(corpus.path(), &["mine", "--no-default-dict", "."], b"");
    assert_exit(&mined, 1);
    assert!(
        !stdout(&mined).contains("profound learning\t"),
        "{}",
        stdout(&mined)
    );
    // As prose, the same words are mined.
    corpus.write(
        "a.md",
        "Deep learning is popular. A profound learning model.\n",
    );
    let mined = run_in(corpus.path(), &["mine", "--no-default-dict", "."], b"");
    assert!(
        stdout(&mined).contains("profound learning\tdeep learning\t"),
        "{}",
        stdout(&mined)
    );
}

#[test]
fn sarif_output_has_the_2_1_0_structure() {
    let dir = Dir::new();
    dir.write("a.txt", "We met this 7 days.\nNothing here.\n");
    dir.write("b.txt", "Clean text.\n");
    let output = run_in(dir.path(), &["--format", "sarif", "a.txt", "b.txt"], b"");
    assert_exit(&output, 1);
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "despin");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules[0]["id"], "news/sure");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result["ruleId"], "news/sure");
    assert_eq!(result["ruleIndex"], 0);
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "a.txt");
    assert_eq!(location["region"]["startLine"], 1);
    assert_eq!(location["region"]["startColumn"], 8);
    assert_eq!(location["region"]["endColumn"], 19);
    let replacement = &result["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "this week");
}

#[test]
fn jsonl_repairs_one_field_and_keeps_every_other_byte() {
    let input = concat!(
        "{\"id\": 1, \"text\": \"We met this 7 days.\", \"n\": 1.50}\n",
        "{\"text\":\"clean\"}\n",
        "not json\n",
        "{\"id\":3,\"body\":\"this 7 days\"}\n",
        "{\"id\":4,\"text\":5}\r\n",
        "{\"z\":[1,2],\"text\":\"in man or woman\"}",
    );
    let output = run(&["--jsonl"], input.as_bytes());
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        concat!(
            "{\"id\": 1, \"text\": \"We met this week.\", \"n\": 1.50}\n",
            "{\"text\":\"clean\"}\n",
            "not json\n",
            "{\"id\":3,\"body\":\"this 7 days\"}\n",
            "{\"id\":4,\"text\":5}\r\n",
            "{\"z\":[1,2],\"text\":\"in person\"}",
        )
    );
    assert!(
        stderr(&output).contains("3 of 6 lines passed through unchanged"),
        "{}",
        stderr(&output)
    );
    let other = run(&["--jsonl", "--field", "body"], input.as_bytes());
    assert!(stdout(&other).contains("{\"id\":3,\"body\":\"this week\"}\n"));
}

#[test]
fn jsonl_annotations_carry_findings_and_the_spin_score() {
    let output = run(
        &["--jsonl", "--annotate"],
        b"{\"text\": \"We met this 7 days.\"}\n",
    );
    assert_exit(&output, 0);
    let line = stdout(&output);
    let record: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
    assert_eq!(record["text"], "We met this week.");
    let despin = &record["despin"];
    assert_eq!(despin["findings"][0]["found"], "this 7 days");
    assert_eq!(despin["findings"][0]["replacement"], "this week");
    assert_eq!(despin["words"], 5);
    assert_eq!(despin["spin_score"], 200.0);
}

#[test]
fn jsonl_output_is_the_same_in_parallel_and_in_order() {
    let mut input = String::new();
    for i in 0..20_000 {
        let text = if i % 7 == 0 {
            "We met this 7 days."
        } else {
            "Plain words only."
        };
        input.push_str(&format!("{{\"i\":{i},\"text\":\"{text}\"}}\n"));
    }
    let one = run(&["--jsonl", "-j", "1"], input.as_bytes());
    let many = run(&["--jsonl", "-j", "4"], input.as_bytes());
    assert_eq!(one.stdout, many.stdout);
    let out = stdout(&one);
    assert_eq!(out.lines().count(), 20_000);
    assert!(out.lines().nth(7).unwrap().contains("this week"));
}

#[test]
fn ignored_lines_blocks_and_patterns_are_never_edited() {
    let dir = Dir::new();
    let text = "this 7 days\n\
                Quote: this 7 days <!-- despin:ignore -->\n\
                <!-- despin:ignore-start -->\nthis 7 days\n<!-- despin:ignore-end -->\n\
                \"this 7 days\" and this 7 days\n";
    dir.write("a.md", text);
    let output = run_in(
        dir.path(),
        &["-i", "--ignore-regex", "\"[^\"]*\"", "a.md"],
        b"",
    );
    assert_exit(&output, 0);
    assert_eq!(
        String::from_utf8(dir.read("a.md")).unwrap(),
        "this week\n\
         Quote: this 7 days <!-- despin:ignore -->\n\
         <!-- despin:ignore-start -->\nthis 7 days\n<!-- despin:ignore-end -->\n\
         \"this 7 days\" and this week\n"
    );
    let bad = run(&["--ignore-regex", "("], b"");
    assert_exit(&bad, 2);
    assert!(
        stderr(&bad).contains("invalid --ignore-regex"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_flag_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let output = run(&["completions", shell], b"");
        assert_exit(&output, 0);
        assert!(stdout(&output).contains("guess-threshold"), "{shell}");
    }
    let man = run(&["man"], b"");
    assert_exit(&man, 0);
    let page = stdout(&man);
    assert!(page.contains(".TH despin 1"), "{page}");
    assert!(page.contains("jsonl"), "{page}");
}

#[test]
fn despin_toml_sets_defaults_that_flags_override() {
    let dir = Dir::new();
    dir.write(
        "despin.toml",
        "level = \"suggest\"\nguess-threshold = 0.7\nexclude = [\"vendor/**\"]\n\
         ignore-regex = [\"\\\\[[^]]*\\\\]\"]\ndictionaries = [\"extra.tsv\"]\n",
    );
    dir.write("extra.tsv", "blue sky\tclear sky\tsure\n");
    dir.write("sub/a.txt", "We met this 7 days. [this 7 days] blue sky\n");
    dir.write("sub/vendor/b.txt", "We met this 7 days.\n");
    let sub = dir.path().join("sub");
    let output = run_in(&sub, &["--check", "."], b"");
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "./a.txt:1:8: this 7 days -> this week [news, sure]\n\
         ./a.txt:1:35: blue sky -> clear sky [extra, sure]\n"
    );
    let shown = stdout(&run_in(
        &sub,
        &["--print-config", "--guess-threshold", "0.5"],
        b"",
    ));
    assert!(shown.contains("level = suggest    # "), "{shown}");
    assert!(shown.contains("despin.toml"), "{shown}");
    assert!(
        shown.contains("guess-threshold = 0.5    # command line"),
        "{shown}"
    );
    assert!(shown.contains("aggressive = false    # default"), "{shown}");
    // Without the file, vendor/ is read and the extra dictionary is gone.
    let plain = run_in(&sub, &["--check", "--no-config", "."], b"");
    assert!(stdout(&plain).contains("vendor/b.txt"));
    assert!(!stdout(&plain).contains("clear sky"));
    dir.write("despin.toml", "levl = 1\n");
    let bad = run_in(&sub, &["--check", "."], b"");
    assert_exit(&bad, 2);
    assert!(
        stderr(&bad).contains("unknown field `levl`"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn html_report_is_one_self_contained_page() {
    let dir = Dir::new();
    dir.write("a.txt", "We met this 7 days. <script>alert(1)</script>\n");
    dir.write("b.txt", "Clean text.\n");
    let output = run_in(dir.path(), &["--format", "html", "."], b"");
    assert_exit(&output, 1);
    let page = stdout(&output);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.trim_end().ends_with("</html>"));
    // No external assets.
    for external in ["src=\"http", "href=\"http", "<link", "@import"] {
        assert!(!page.contains(external), "{external}");
    }
    // The finding is highlighted as a word diff, accepted as despin
    // applies it, with a toggle, and its original in a tooltip.
    assert!(
        page.contains("<mark id=\"f-0-0\" class=\"sure applied accepted\" tabindex=\"0\""),
        "{page}"
    );
    assert!(
        page.contains("<del>this 7 days</del><ins>this week</ins>"),
        "{page}"
    );
    assert!(
        page.contains("<input type=\"checkbox\" class=\"accept\" id=\"accept-0-0\" data-mark=\"f-0-0\" checked>"),
        "{page}"
    );
    assert!(page.contains("class=\"save\">Save repaired text</button>"));
    assert!(page.contains("@media print"));
    assert!(page.contains("→ this week (news, sure, applied)"), "{page}");
    // The document's own markup is text, never markup.
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(
        page.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    // One summary row per document, most spun first.
    let a = page.find("<td><a href=\"#doc-0\">./a.txt</a>").unwrap();
    let b = page.find("<td><a href=\"#doc-1\">./b.txt</a>").unwrap();
    assert!(a < b);
}

#[test]
fn markup_is_never_edited_but_its_prose_is() {
    let dir = Dir::new();
    dir.write(
        "a.md",
        "We met this 7 days.\n```\nthis 7 days\n```\nSee `this 7 days` and [this 7 days](http://x.org/this%207%20days).\n",
    );
    dir.write(
        "b.tex",
        "We met this 7 days \\cite{this7days}, $this 7 days$.\n",
    );
    dir.write("c.txt", "<b title=\"this 7 days\">this 7 days</b>\n");
    let output = run_in(dir.path(), &["-i", "a.md", "b.tex"], b"");
    assert_exit(&output, 0);
    assert_eq!(
        String::from_utf8(dir.read("a.md")).unwrap(),
        "We met this week.\n```\nthis 7 days\n```\nSee `this 7 days` and [this week](http://x.org/this%207%20days).\n"
    );
    assert_eq!(
        String::from_utf8(dir.read("b.tex")).unwrap(),
        "We met this week \\cite{this7days}, $this 7 days$.\n"
    );
    // By extension a .txt file is prose; --type html makes it HTML.
    let as_text = run_in(dir.path(), &["c.txt"], b"");
    assert_eq!(stdout(&as_text), "<b title=\"this week\">this week</b>\n");
    let as_html = run_in(dir.path(), &["--type", "html", "c.txt"], b"");
    assert_eq!(stdout(&as_html), "<b title=\"this 7 days\">this week</b>\n");
}

#[test]
fn check_lists_and_counts_only_what_the_repair_applies() {
    // A `likely` phrase in clean prose: nothing would change.
    let clean = b"The authors stated that the results were robust.\n";
    let output = run(&["--check", "-"], clean);
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "");
    for format in ["json", "sarif"] {
        let output = run(&["--check", "--format", format, "-"], clean);
        assert_exit(&output, 0);
        assert!(!stdout(&output).contains("stated"), "{format}");
    }
    // Asked for, it is listed as not applied, and still exits 0.
    let output = run(&["--check", "--level", "likely", "-"], clean);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "<stdin>:1:13: stated -> said [news, likely, not applied]\n"
    );
    // A sure finding is applied and listed, and exits 1.
    let output = run(&["--check", "-"], b"We met this 7 days.\n");
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "<stdin>:1:8: this 7 days -> this week [news, sure]\n"
    );
}

/// Runs despin and kills it if it has not finished within `seconds`.
fn run_with_deadline(args: &[&str], seconds: u64) -> Option<Output> {
    let mut child = despin()
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("despin runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Some(child.wait_with_output().unwrap())
}

#[test]
fn a_corrupt_compiled_dictionary_is_an_error_not_a_hang() {
    let dir = Dir::new();
    let tsv = dir.write(
        "m.tsv",
        "blue sky\tclear sky\tsure\nthis 7 days\tthis week\tsure\n",
    );
    let fst = dir.path().join("m.fst");
    let (tsv, fst) = (tsv.to_str().unwrap(), fst.to_str().unwrap());
    assert_exit(&run(&["dict", "compile", tsv, "-o", fst], b""), 0);
    let mut bytes = fs::read(fst).unwrap();
    // A byte inside the phrase index, near the end of the file.
    let at = bytes.len() - 110;
    bytes[at] = 0xff;
    fs::write(fst, &bytes).unwrap();
    let text = dir.write("t.txt", "the blue sky this 7 days\n".repeat(20_000));
    let text = text.to_str().unwrap();
    let output = run_with_deadline(&["--no-default-dict", "--dict", fst, "-j2", text], 10)
        .expect("despin hung on a corrupt dictionary");
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("m.fst: corrupt compiled dictionary"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_dictionary_that_is_not_a_file_or_not_text() {
    // A device full of NUL bytes is refused at once.
    let output = run_with_deadline(&["--dict", "/dev/zero", "-"], 10).expect("no hang");
    assert_exit(&output, 2);
    assert!(stderr(&output).contains("/dev/zero: cannot read dictionary: binary data"));
    // A line longer than any phrase is refused with its line number.
    let dir = Dir::new();
    let long = dir.write("long.tsv", format!("{}\tx\tsure\n", "word ".repeat(1000)));
    let output = run(&["--dict", long.to_str().unwrap(), "-"], b"x\n");
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("long.tsv:1: line of 5007 bytes"),
        "{}",
        stderr(&output)
    );
    // A FIFO, as `<(...)` gives, is read like a file.
    let fifo = dir.path().join("d.tsv");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(fifo, "blue sky\tclear sky\tsure\n").unwrap())
    };
    let output = run(
        &["--no-default-dict", "--dict", fifo.to_str().unwrap()],
        b"a blue sky\n",
    );
    writer.join().unwrap();
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "a clear sky\n");
}

#[test]
fn special_files_are_streams_and_never_rewritten() {
    let dir = Dir::new();
    let fifo = dir.path().join("in.txt");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let feed = |fifo: PathBuf| {
        std::thread::spawn(move || {
            let _ = fs::write(fifo, "We met this 7 days.\n");
        })
    };
    // Read as a stream: repaired like standard input.
    let writer = feed(fifo.clone());
    let output = run(&[fifo.to_str().unwrap()], b"");
    writer.join().unwrap();
    assert_eq!(stdout(&output), "We met this week.\n");
    // --in-place refuses it, and it stays a FIFO.
    let writer = feed(fifo.clone());
    let output = run(&["-i", fifo.to_str().unwrap()], b"");
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );
    // Unblock the writer if despin refused before opening the FIFO: a
    // non-blocking reader lets its open return.
    if !writer.is_finished() {
        use std::os::unix::fs::OpenOptionsExt;
        const O_NONBLOCK: i32 = 0o4000;
        let _reader = fs::OpenOptions::new()
            .read(true)
            .custom_flags(O_NONBLOCK)
            .open(&fifo);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    writer.join().unwrap();
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // /dev/zero by path streams in bounded memory: its first bytes come out
    // at once, through a pipe closed after them.
    let mut child = despin()
        .arg("/dev/zero")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = [1u8; 4096];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut first).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.iter().all(|&b| b == 0));
}

#[test]
fn a_hard_linked_file_is_refused_by_in_place() {
    let dir = Dir::new();
    let a = dir.write("a.txt", "We met this 7 days.\n");
    let b = dir.path().join("b.txt");
    fs::hard_link(&a, &b).unwrap();
    let output = run(&["-i", a.to_str().unwrap()], b"");
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("has 2 hard links"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_to_string(&b).unwrap(), "We met this 7 days.\n");
}

#[test]
fn a_stream_is_cut_where_no_phrase_spans() {
    // Each phrase runs across a line break; the sentences end in full stops.
    let text = "We met this 7\ndays. ".repeat(120_000);
    let output = run(&[], text.as_bytes());
    assert_eq!(stdout(&output), "We met this week. ".repeat(120_000));
    // Without punctuation, every line break is inside a phrase: the cuts
    // fall at spaces outside them.
    let text = "We met this 7\ndays ".repeat(120_000);
    let output = run(&[], text.as_bytes());
    assert_eq!(stdout(&output), "We met this week ".repeat(120_000));
}

#[test]
fn a_temporary_file_in_use_by_another_run_is_kept() {
    // Another container's run: its PID is not in our /proc, but it holds
    // the lock on its temporary file.
    let dir = Dir::new();
    let live = dir.write(".despin-4000001-abcdef.tmp", "being written");
    let mut holder = Command::new("flock")
        .arg(&live)
        .args(["sleep", "30"])
        .spawn()
        .unwrap();
    // Wait until the lock is held.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while Command::new("flock")
        .args(["-n", live.to_str().unwrap(), "true"])
        .status()
        .unwrap()
        .success()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "flock never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let file = dir.write("a.txt", "We met this 7 days.\n");
    assert_exit(&run(&["-i", file.to_str().unwrap()], b""), 0);
    assert!(live.exists(), "a live run's temporary file was deleted");
    holder.kill().unwrap();
    holder.wait().unwrap();
}

#[test]
fn every_mode_protects_markup_and_ignored_text() {
    // A Markdown fence, a despin:ignore line, and prose.
    let text = "We met this 7 days.\n\n```\nthis 7 days\n```\n\n\
                Kept: this 7 days <!-- despin:ignore -->\n";
    let expected = "We met this week.\n\n```\nthis 7 days\n```\n\n\
                    Kept: this 7 days <!-- despin:ignore -->\n";
    let dir = Dir::new();
    dir.write("a.md", text);
    dir.write("b.md", text);
    assert_exit(&run_in(dir.path(), &["-i", "a.md"], b""), 0);
    assert_eq!(String::from_utf8(dir.read("a.md")).unwrap(), expected);
    // Interactive review, accepting everything, changes the same text.
    assert_exit(&run_in(dir.path(), &["-I", "b.md"], b"a\n"), 0);
    assert_eq!(String::from_utf8(dir.read("b.md")).unwrap(), expected);
    // JSON Lines honours --ignore-regex and despin:ignore in the field.
    let records = b"{\"text\":\"[this 7 days] met this 7 days\"}\n\
                    {\"text\":\"this 7 days despin:ignore\"}\n";
    let output = run(&["--jsonl", "--ignore-regex", r"\[[^]]*\]"], records);
    assert_eq!(
        stdout(&output),
        "{\"text\":\"[this 7 days] met this week\"}\n\
         {\"text\":\"this 7 days despin:ignore\"}\n"
    );
}

#[test]
fn a_settings_file_is_trusted_only_inside_the_project_and_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    // A planted dictionary, and a settings file that loads it.
    dir.write("planted.tsv", "this week\tthis month\tsure\n");
    let settings = "default-dictionaries = false\ndictionaries = [\"planted.tsv\"]\n";
    let toml = dir.write("despin.toml", settings);
    // Below a repository root, a file above the root is not found.
    dir.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    let repo = dir.path().join("repo");
    let output = run_in(&repo, &["-"], b"We met this week.\n");
    assert_eq!(stdout(&output), "We met this week.\n");
    // In the project itself it is used, and despin says so unless -q.
    let output = run_in(dir.path(), &["-"], b"We met this week.\n");
    assert_eq!(stdout(&output), "We met this month.\n");
    assert!(
        stderr(&output).contains("using settings from"),
        "{}",
        stderr(&output)
    );
    let output = run_in(dir.path(), &["-q", "-"], b"We met this week.\n");
    assert_eq!(stderr(&output), "");
    // Writable by others, it is not used, with a note.
    fs::set_permissions(&toml, fs::Permissions::from_mode(0o666)).unwrap();
    let output = run_in(dir.path(), &["-"], b"We met this week.\n");
    assert_eq!(stdout(&output), "We met this week.\n");
    assert!(stderr(&output).contains("not used: others can write to it"));
}

#[test]
fn reports_show_control_bytes_and_line_breaks_visibly() {
    // A finding across a line break is one report line; an escape
    // sequence in the text or a file name is shown, not sent.
    let dir = Dir::new();
    dir.write("a.txt", "flag\nto commotion\n");
    dir.write("b\u{1b}]0;owned\u{7}.txt", "We met this 7 days.\n");
    let output = run_in(dir.path(), &["--check", "."], b"");
    assert_eq!(
        stdout(&output),
        "./a.txt:1:1: flag to commotion -> signal to noise [science, sure]\n\
         ./b\\x1b]0;owned\\x07.txt:1:8: this 7 days -> this week [news, sure]\n"
    );
}

#[test]
fn code_is_no_evidence_of_spin() {
    // Three sure phrases inside a fence promote nothing in the prose: the
    // fence is no text for any rule, in every mode.
    let dir = Dir::new();
    let text = "The results were anticipated.\n\n```\nthis 7 days\nthe Residence Speaker\nin man or woman\n```\n";
    dir.write("b.md", text);
    assert_eq!(stdout(&run_in(dir.path(), &["b.md"], b"")), text);
    assert_exit(&run_in(dir.path(), &["--check", "b.md"], b""), 0);
    let record = format!("{}\n", serde_json::json!({ "text": text }));
    let jsonl = run_in(dir.path(), &["--jsonl", "--type", "md"], record.as_bytes());
    assert_eq!(stdout(&jsonl), record);
    // Without the fence the same words are prose, and the document is spun.
    let prose = text.replace("```\n", "");
    assert!(stdout(&run(&[], prose.as_bytes())).contains("were expected"));
}

#[test]
fn a_diff_shows_control_bytes_on_a_terminal_and_keeps_them_in_a_pipe() {
    let dir = Dir::new();
    let text = "We met this 7 days.\u{1b}]0;owned\u{7}\u{1b}[2J\n";
    dir.write("b.txt", text);
    // Through a pipe the body is byte-exact, so that it applies.
    let piped = stdout(&run_in(dir.path(), &["--diff", "b.txt"], b""));
    assert!(
        piped.contains("+We met this week.\u{1b}]0;owned\u{7}\u{1b}[2J\n"),
        "{piped:?}"
    );
    // On a terminal (script(1) gives despin one) the escapes are shown.
    let terminal = Command::new("script")
        .args([
            "-qec",
            &format!(
                "{} --diff --color never b.txt",
                env!("CARGO_BIN_EXE_despin")
            ),
            "/dev/null",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("script(1) runs");
    let shown = String::from_utf8_lossy(&terminal.stdout);
    assert!(
        shown.contains("+We met this week.\\x1b]0;owned\\x07\\x1b[2J"),
        "{shown:?}"
    );
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
}

#[test]
fn interactive_review_shows_control_bytes_of_the_text() {
    let dir = Dir::new();
    dir.write(
        "b\u{1b}[2J.txt",
        "\u{1b}]0;owned\u{7}\nWe met this 7 days.\r\u{1b}[K\n",
    );
    let output = run_in(dir.path(), &["-I", "b\u{1b}[2J.txt"], b"n\n");
    let shown = stdout(&output);
    assert!(shown.contains("b\\x1b[2J.txt:2 (1/1)"), "{shown:?}");
    assert!(shown.contains("\\x1b]0;owned\\x07"), "{shown:?}");
    assert!(
        shown.contains("-We met this 7 days.\\r\\x1b[K"),
        "{shown:?}"
    );
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
}

#[test]
fn a_diff_of_an_oddly_named_file_applies() {
    let dir = Dir::new();
    dir.write("new\nline.txt", "We met this 7 days.\n");
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    git(&["init", "-q"]);
    let output = run_in(dir.path(), &["--diff", "."], b"");
    let diff = stdout(&output);
    assert!(
        diff.starts_with("--- \"a/new\\nline.txt\"\n+++ \"b/new\\nline.txt\"\n"),
        "{diff}"
    );
    dir.write("p.diff", &diff);
    git(&["apply", "p.diff"]);
    assert_eq!(dir.read("new\nline.txt"), b"We met this week.\n");
}

#[test]
fn paths_that_differ_only_in_invalid_bytes_stay_apart() {
    use std::os::unix::ffi::OsStrExt;
    let dir = Dir::new();
    for (byte, text) in [
        (0xfe, "In man or woman.\n"),
        (0xff, "We met this 7 days.\n"),
    ] {
        let name = [b'a', byte, b'.', b't', b'x', b't'];
        fs::write(dir.path().join(std::ffi::OsStr::from_bytes(&name)), text).unwrap();
    }
    let output = run_in(dir.path(), &["--check", "."], b"");
    assert_eq!(
        stdout(&output),
        "./a\\xfe.txt:1:1: In man or woman -> In person [news, sure]\n\
         ./a\\xff.txt:1:8: this 7 days -> this week [news, sure]\n"
    );
    let html = stdout(&run_in(dir.path(), &["--format", "html", "."], b""));
    assert!(html.contains("a\\xfe.txt") && html.contains("a\\xff.txt"));
    assert!(html.contains("In man or woman") && html.contains("this 7 days"));
}

#[test]
fn a_compiled_language_model_replaces_the_embedded_one() {
    let dir = tempfile::tempdir().unwrap();
    let arpa = dir.path().join("tiny.arpa");
    // A model that knows only "the", "minister" and "also".
    fs::write(
        &arpa,
        "\\data\\\n\n\\1-grams:\n-99\t<s>\t-0.5\n-1.0\t</s>\n-1.0\tthe\t0.0\n-1.0\tminister\t0.0\n-1.0\talso\t0.0\n\n\\end\\\n",
    )
    .unwrap();
    let lm = dir.path().join("tiny.lm");
    let out = run(
        &[
            "dict",
            "compile-lm",
            arpa.to_str().unwrap(),
            "-o",
            lm.to_str().unwrap(),
        ],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = b"The minister additionally said so.\n";
    let check = |extra: &[&str]| {
        let mut args = vec!["--check", "--format", "json", "--level", "likely"];
        args.extend_from_slice(extra);
        String::from_utf8(run(&args, text).stdout).unwrap()
    };
    // The embedded model knows "additionally" and measures the edit; the
    // tiny one does not, so the edit has no figures; --no-context measures
    // nothing.
    assert!(check(&[]).contains("\"lift\":"));
    assert!(!check(&["--lm", lm.to_str().unwrap()]).contains("\"lift\":"));
    assert!(!check(&["--no-context"]).contains("\"lift\":"));
    // A file that is no model is an error that names it.
    let bad = dir.path().join("bad.lm");
    fs::write(&bad, "not a model").unwrap();
    let out = run(&["--lm", bad.to_str().unwrap()], text);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.lm"));
}

#[test]
fn contradictory_flags_are_refused_and_change_nothing() {
    let dir = Dir::new();
    let spun = "We met this 7 days.\n";
    dir.write("a.txt", spun);
    let refused: &[&[&str]] = &[
        &["--format", "html", "-i"],
        &["--format", "json", "-i"],
        &["--format", "sarif", "--diff"],
        &["--format", "json", "-I"],
        &["--jsonl", "--check"],
        &["--jsonl", "--diff"],
        &["--jsonl", "-i"],
        &["--jsonl", "--format", "json"],
        &["--jsonl", "--stats"],
        &["--stats", "-i"],
        &["--stats", "--diff"],
        &["--color", "always", "--check"],
        &["--color", "always"],
        &["--level", "likely"],
        &["--level", "likely", "-i"],
        &["--annotate"],
    ];
    for args in refused {
        let mut args = args.to_vec();
        args.push("a.txt");
        let output = run_in(dir.path(), &args, b"");
        assert_exit(&output, 2);
        assert!(stderr(&output).starts_with("error: "), "{args:?}");
        assert_eq!(stdout(&output), "", "{args:?}");
        assert_eq!(dir.read("a.txt"), spun.as_bytes(), "{args:?}");
    }
    // What the words say: a summary or a format asks for a report.
    let output = run_in(dir.path(), &["--stats", "a.txt"], b"");
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "a.txt:1:8: this 7 days -> this week [news, sure]\n\
         a.txt: 1 finding, 5 words, spin score 200.00 per 1,000 words\n"
    );
    let output = run_in(dir.path(), &["--format", "json", "a.txt"], b"");
    assert_exit(&output, 1);
    assert!(stdout(&output).starts_with("{\"type\":\"finding\""));
    let output = run_in(
        dir.path(),
        &["--jsonl", "--annotate", "--level", "likely", "-"],
        b"{\"text\":\"The authors stated it.\"}\n",
    );
    assert_exit(&output, 0);
    assert!(stdout(&output).contains("\"found\":\"stated\""));
    assert!(stdout(&output).contains("\"applied\":false"));
    assert_eq!(dir.read("a.txt"), spun.as_bytes());
}

#[test]
fn a_walk_never_rewrites_dictionaries() {
    let dir = Dir::new();
    dir.write("despin.toml", "dictionaries = [\"house.txt\"]\n");
    // Each dictionary holds its own spun phrase, which a rewrite would map
    // onto its original.
    let house = "residence speaker\thouse speaker\tsure\n";
    dir.write("house.txt", house);
    let other =
        "# spun\toriginal\tlevel\ncounterfeit consciousness\tartificial intelligence\tsure\n";
    dir.write("terms/other.tsv", other);
    let compiled = dir.path().join("terms/house.fst");
    let output = run_in(
        dir.path(),
        &[
            "dict",
            "compile",
            "house.txt",
            "-o",
            compiled.to_str().unwrap(),
        ],
        b"",
    );
    assert_exit(&output, 0);
    let compiled_bytes = fs::read(&compiled).unwrap();
    // A TSV of other data is text like any other.
    dir.write("data.tsv", "note\tWe met this 7 days.\n");
    dir.write("story.txt", "The residence speaker met this 7 days.\n");
    let output = run_in(dir.path(), &["-i", "."], b"");
    assert_exit(&output, 0);
    assert_eq!(dir.read("house.txt"), house.as_bytes());
    assert_eq!(dir.read("terms/other.tsv"), other.as_bytes());
    assert_eq!(fs::read(&compiled).unwrap(), compiled_bytes);
    assert_eq!(dir.read("data.tsv"), b"note\tWe met this week.\n");
    assert_eq!(dir.read("story.txt"), b"The house speaker met this week.\n");
    // Named on the command line, a dictionary is read as asked.
    let output = run_in(dir.path(), &["--check", "terms/other.tsv"], b"");
    assert_exit(&output, 1);
}

/// The manuscript fixture: pages of columns of paragraphs of lines.
fn manuscript() -> Vec<Vec<Vec<Vec<String>>>> {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manuscript.txt"),
    )
    .unwrap();
    let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    body.join("\n")
        .split("\n==\n")
        .map(|page| {
            page.split("\n=\n")
                .map(|column| {
                    column
                        .split("\n\n")
                        .map(|paragraph| paragraph.lines().map(str::to_string).collect())
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Typesets the manuscript as a PDF: Helvetica at 10 points on 12, each
/// page in two columns, the "fl" ligature as a glyph of its own.
fn manuscript_pdf() -> Vec<u8> {
    let mut contents = Vec::new();
    for page in manuscript() {
        let mut stream = String::new();
        for (index, column) in page.iter().enumerate() {
            let x = 72 + index * 250;
            stream.push_str(&format!("BT /F1 10 Tf 12 TL {x} 720 Td\n"));
            for (p, paragraph) in column.iter().enumerate() {
                if p > 0 {
                    stream.push_str("T* ");
                }
                for line in paragraph {
                    let escaped = line
                        .replace('\\', "\\\\")
                        .replace('(', "\\(")
                        .replace(')', "\\)")
                        .replace('\u{FB02}', "\\001");
                    stream.push_str(&format!("({escaped}) Tj T*\n"));
                }
            }
            stream.push_str("ET\n");
        }
        contents.push(stream);
    }
    let pages = contents.len();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            (0..pages)
                .map(|i| format!("{} 0 R", 4 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding \
         << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /fl] >> >>"
            .to_string(),
    ];
    for (i, stream) in contents.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{stream}endstream",
            stream.len()
        ));
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// The manuscript as a DOCX: a paragraph per paragraph, its lines joined
/// by line breaks, a line-end hyphen as a soft hyphen.
fn manuscript_docx() -> Vec<u8> {
    let mut body = String::new();
    for paragraph in manuscript().iter().flatten().flatten() {
        body.push_str("<w:p><w:r>");
        for (i, line) in paragraph.iter().enumerate() {
            if i > 0 && !paragraph[i - 1].ends_with('-') {
                body.push_str("<w:br/>");
            }
            let (text, soft) = match line.strip_suffix('-') {
                Some(head) => (head, "<w:softHyphen/>"),
                None => (line.as_str(), ""),
            };
            let text = text.replace('&', "&amp;").replace('<', "&lt;");
            body.push_str(&format!("<w:t xml:space=\"preserve\">{text}</w:t>{soft}"));
        }
        body.push_str("</w:r></w:p>");
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}<w:p><w:r><w:delText>counterfeit consciousness</w:delText></w:r></w:p></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>",
        ),
        ("word/document.xml", document.as_str()),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn manuscripts_as_pdf_and_docx_are_checked_with_page_and_paragraph() {
    let dir = Dir::new();
    dir.write("paper.pdf", manuscript_pdf());
    dir.write("paper.docx", manuscript_docx());
    let output = run_in(dir.path(), &["--check", "paper.pdf", "paper.docx"], b"");
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "paper.pdf: page 1, paragraph 1: counterfeit consciousness -> artificial intelligence [science, sure]\n\
         paper.pdf: page 1, paragraph 1: flag to commotion -> signal to noise [science, sure]\n\
         paper.pdf: page 2, paragraph 1: an irregular woodland -> a random forest [science, sure]\n\
         paper.docx: paragraph 1: counterfeit consciousness -> artificial intelligence [science, sure]\n\
         paper.docx: paragraph 1: flag to commotion -> signal to noise [science, sure]\n\
         paper.docx: paragraph 3: an irregular woodland -> a random forest [science, sure]\n"
    );
    // The text itself: hyphenation undone where the typesetter made it,
    // the ligature undone, and the second column not run into the first.
    let output = run_in(
        dir.path(),
        &["--no-context", "--no-default-dict", "-o", "-", "paper.pdf"],
        b"",
    );
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "Our method applies counterfeit consciousness to the\n\
         detection of a weak flag\nto commotion ratio.\n\n\
         A well-known baseline was used.\n\n\
         We trained an irregular\nwoodland on the data."
    );
    for format in ["json", "sarif", "html"] {
        let output = run_in(dir.path(), &["--format", format, "paper.pdf"], b"");
        assert_exit(&output, 1);
        assert!(
            stdout(&output).contains("forest"),
            "{format}: {}",
            stdout(&output)
        );
    }
    let json = stdout(&run_in(dir.path(), &["--format", "json", "paper.pdf"], b""));
    assert!(json.contains("\"page\":2,\"paragraph\":1,"), "{json}");
    let output = run_in(dir.path(), &["--stats", "paper.docx"], b"");
    assert!(stdout(&output).contains("paper.docx: 3 findings, "));
    // The repaired text goes to a new file; the manuscript is never
    // rewritten.
    let output = run_in(dir.path(), &["-o", "paper.txt", "paper.docx"], b"");
    assert_exit(&output, 0);
    assert!(String::from_utf8(dir.read("paper.txt"))
        .unwrap()
        .starts_with("Our method applies artificial intelligence to the\n"));
    let pdf = dir.read("paper.pdf");
    for mode in [&["-i"][..], &["--diff"], &["-I"], &[]] {
        let output = run_in(
            dir.path(),
            &[mode, &["paper.pdf", "paper.docx"]].concat(),
            b"q\n",
        );
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("paper.pdf: PDF: its text is extracted")
                && stderr(&output).contains("paper.docx: DOCX: its text is extracted")
                && stderr(&output).contains("-o FILE.txt"),
            "{mode:?}: {}",
            stderr(&output)
        );
        assert_eq!(dir.read("paper.pdf"), pdf);
    }
    // A damaged one is an error that names it and says why.
    dir.write("broken.pdf", &pdf[..pdf.len() / 3]);
    dir.write("broken.docx", b"PK\x03\x04 not really a zip");
    let output = run_in(
        dir.path(),
        &["--check", "broken.pdf", "broken.docx", "paper.docx"],
        b"",
    );
    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("broken.pdf: cannot read as PDF: "),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("broken.docx: cannot read as DOCX: "),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("paper.docx: paragraph 3: an irregular woodland"));
}

#[test]
fn in_place_says_what_it_rewrote_and_l_lists_what_would_change() {
    let dir = Dir::new();
    dir.write(
        "a.txt",
        "We met this 7 days in counterfeit consciousness.\n",
    );
    dir.write("b.txt", "Nothing to repair here.\n");
    dir.write("c.txt", "We met this 7 days.\n");
    let output = run_in(dir.path(), &["-l", "a.txt", "b.txt", "c.txt"], b"");
    assert_exit(&output, 1);
    assert_eq!(stdout(&output), "a.txt\nc.txt\n");
    let output = run_in(dir.path(), &["-l", "b.txt"], b"");
    assert_exit(&output, 0);
    assert_eq!(stdout(&output), "");
    let output = run_in(dir.path(), &["-i", "a.txt", "b.txt"], b"");
    assert_exit(&output, 0);
    assert_eq!(stderr(&output), "despin: a.txt: 2 changes written\n");
    let output = run_in(dir.path(), &["-i", "-q", "c.txt"], b"");
    assert_exit(&output, 0);
    assert_eq!(stderr(&output), "");
    assert_eq!(dir.read("c.txt"), b"We met this week.\n");
}

#[test]
fn each_input_gets_the_settings_file_above_it() {
    let dir = Dir::new();
    dir.write(
        "one/despin.toml",
        "dictionaries = [\"one.tsv\"]\nspin-threshold = 4.5\ntype = \"md\"\n",
    );
    dir.write("one/one.tsv", "blue sky\tclear sky\tsure\n");
    dir.write("one/sub/doc.txt", "A blue sky and a green field.\n");
    dir.write("two/despin.toml", "dictionaries = [\"two.tsv\"]\n");
    dir.write("two/two.tsv", "green field\tgrassy meadow\tsure\n");
    dir.write("two/doc.txt", "A blue sky and a green field.\n");
    // Run from outside both projects: each file gets its own.
    let shown = stdout(&run_in(
        dir.path(),
        &["--print-config", "one/sub/doc.txt"],
        b"",
    ));
    assert!(shown.contains("one/despin.toml"), "{shown}");
    assert!(shown.contains("spin-threshold = 4.5    # "), "{shown}");
    assert!(shown.contains("type = md    # "), "{shown}");
    let output = run_in(
        dir.path(),
        &["--check", "-q", "one/sub/doc.txt", "two/doc.txt"],
        b"",
    );
    assert_exit(&output, 1);
    assert_eq!(
        stdout(&output),
        "one/sub/doc.txt:1:3: blue sky -> clear sky [one, sure]\n\
         two/doc.txt:1:18: green field -> grassy meadow [two, sure]\n"
    );
    // --config names one file for every input.
    let output = run_in(
        dir.path(),
        &[
            "--check",
            "-q",
            "--config",
            "two/despin.toml",
            "one/sub/doc.txt",
        ],
        b"",
    );
    assert_eq!(
        stdout(&output),
        "one/sub/doc.txt:1:18: green field -> grassy meadow [two, sure]\n"
    );
    // A flag still wins over the file.
    let shown = stdout(&run_in(
        dir.path(),
        &["--print-config", "--spin-threshold", "2", "one/sub/doc.txt"],
        b"",
    ));
    assert!(
        shown.contains("spin-threshold = 2    # command line"),
        "{shown}"
    );
}

/// `--annotate` uses the schema of `--format json`, and its offsets point
/// into the record as written: the repaired text.
#[test]
fn annotations_share_the_json_schema_and_point_into_the_output() {
    let text = "Ünïcode: this 7 days, a counterfeit consciousness; and the authors stated it.";
    let input = format!(
        "{}\n\n{}\n",
        serde_json::json!({ "text": "plain" }),
        serde_json::json!({ "id": 7, "text": text })
    );
    let output = run(
        &["--jsonl", "--annotate", "--level", "likely"],
        input.as_bytes(),
    );
    assert_exit(&output, 0);
    let printed = stdout(&output);
    let lines: Vec<&str> = printed.lines().collect();
    let record: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    let repaired = record["text"].as_str().unwrap();
    let findings = record["despin"]["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "{findings:?}");
    let checked = run(
        &["--check", "--format", "json", "--level", "likely", "-"],
        text.as_bytes(),
    );
    let json: Vec<serde_json::Value> = stdout(&checked)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (annotated, reported) in findings.iter().zip(&json) {
        let keys = |v: &serde_json::Value| {
            let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            keys
        };
        assert_eq!(keys(annotated), keys(reported));
        assert_eq!(annotated["line"], 3, "the record's line in the input");
        let start = annotated["byte_start"].as_u64().unwrap() as usize;
        let end = annotated["byte_end"].as_u64().unwrap() as usize;
        let shown = if annotated["applied"] == true {
            &annotated["replacement"]
        } else {
            &annotated["found"]
        };
        assert_eq!(&repaired[start..end], shown.as_str().unwrap());
        let column = annotated["column"].as_u64().unwrap() as usize;
        assert_eq!(
            repaired
                .chars()
                .skip(column - 1)
                .take(4)
                .collect::<String>(),
            shown.as_str().unwrap().chars().take(4).collect::<String>()
        );
    }
}

/// The README's figures come from the binary: the founding example's
/// findings and diff, the defaults and the exit statuses it states.
#[test]
fn the_readme_says_what_the_binary_does() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let findings = stdout(&run(&["--check", EXAMPLE], b"")).lines().count();
    assert!(
        readme.contains(&format!("lists the {findings} findings that the repair")),
        "the README's count of the example's findings is not {findings}"
    );
    // Every line of the example diff, less what "…" leaves out, is in the
    // real diff, in order.
    let diff = stdout(&run(&["--diff", EXAMPLE], b""));
    let block = readme
        .split("```diff\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README shows a diff");
    let mut at = 0;
    for line in block
        .lines()
        .filter(|l| l.starts_with(['-', '+']) || l.starts_with("@@"))
    {
        for piece in line
            .split('…')
            .map(str::trim)
            .filter(|p| !p.is_empty() && p.len() > 1)
        {
            let piece = piece.trim_start_matches(['-', '+']);
            let found = diff[at..].find(piece).unwrap_or_else(|| {
                panic!("README diff: {piece:?} is not in the real diff (after byte {at})")
            });
            at += found;
        }
    }
    // Defaults the README names, as the binary reports them.
    let config = stdout(&run(&["--print-config", "--no-config"], b""));
    for (setting, stated) in [
        ("guess-threshold", "guess-threshold = 0.55"),
        ("spin-threshold", "spin-threshold = 1.0"),
    ] {
        let value = stated.split(" = ").nth(1).unwrap();
        assert!(readme.contains(stated), "{stated}");
        let shown = config
            .lines()
            .find(|l| l.starts_with(&format!("{setting} = ")))
            .unwrap_or_else(|| panic!("{setting} in {config}"));
        assert_eq!(
            shown
                .split(" = ")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .parse::<f64>()
                .unwrap(),
            value.parse::<f64>().unwrap(),
            "{setting}"
        );
    }
    let help = stdout(&run(&["--help"], b""));
    for (flag, stated) in [
        ("--context-penalty", "(`--context-penalty`, 3)"),
        (
            "--context-breadth-weight",
            "(`--context-breadth-weight`, 1)",
        ),
        (
            "--spin-min-findings",
            "at least 3 `sure` dictionary findings",
        ),
    ] {
        assert!(readme.contains(stated), "{stated}");
        let number = stated
            .chars()
            .filter(char::is_ascii_digit)
            .collect::<String>();
        let line = help
            .split(&format!("{flag} <"))
            .nth(1)
            .and_then(|rest| rest.split("[default: ").nth(1))
            .and_then(|rest| rest.split(']').next())
            .unwrap_or_else(|| panic!("{flag} has no default in --help"));
        assert_eq!(line, number, "{flag}");
    }
    // `dict check`: 1 on a problem, 2 on a syntax error.
    assert!(readme.contains("exit 1 on a problem, 2 on a syntax error"));
    let dir = Dir::new();
    dir.write("twice.tsv", "a b\tc\tsure\na b\td\tsure\n");
    dir.write("broken.tsv", "a b\n");
    assert_exit(&run_in(dir.path(), &["dict", "check", "twice.tsv"], b""), 1);
    assert_exit(
        &run_in(dir.path(), &["dict", "check", "broken.tsv"], b""),
        2,
    );
    // No hook points at a repository or tag that does not exist.
    assert!(!readme.contains("rev: v0.1.0"));
}
