//! Text from inputs made safe to print: a file name or a phrase may hold
//! control characters (an escape sequence that retitles the terminal, a
//! carriage return that erases the line, a line break that splits a
//! report line), which must reach a person or a parser as visible text.

use std::borrow::Cow;

/// A phrase of the text for a one-line report: runs of whitespace (a line
/// break inside a phrase) fold to one space, and other control characters
/// are written as escapes (`\x1b`), so each finding stays on its line.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        escape_into(c, &mut out);
    }
    Cow::Owned(out)
}

/// A file name for a report: control characters as escapes, the rest as
/// it is.
pub fn name(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        escape_into(c, &mut out);
    }
    Cow::Owned(out)
}

fn escape_into(c: char, out: &mut String) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if c.is_control() && (c as u32) < 0x100 => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        c => out.push(c),
    }
}

/// A path in a diff header after its `a/` or `b/` prefix, quoted as git
/// quotes it when it holds a control character, a double quote or a
/// backslash (`"a/new\nline.txt"`, with C escapes and octal bytes), so
/// that `git apply` reads the header back and a terminal shows no raw
/// control bytes.
pub fn diff_path(prefix: &str, path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| !c.is_control() && c != '"' && c != '\\');
    if plain {
        return format!("{prefix}{path}");
    }
    let mut out = String::from("\"");
    out.push_str(prefix);
    for byte in path.bytes() {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b if b < 0x20 || b == 0x7f || b >= 0x80 => out.push_str(&format!("\\{b:03o}")),
            b => out.push(b as char),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_fold_to_one_line_and_show_escapes() {
        assert_eq!(one_line("flag\nto  commotion"), "flag to commotion");
        assert_eq!(one_line("a\u{1b}]0;owned\u{7}b"), "a\\x1b]0;owned\\x07b");
        assert_eq!(one_line("plain"), "plain");
        assert_eq!(name("a\rb"), "a\\rb");
    }

    #[test]
    fn odd_paths_are_quoted_as_git_quotes_them() {
        assert_eq!(diff_path("a/", "plain.txt"), "a/plain.txt");
        assert_eq!(diff_path("a/", "new\nline.txt"), "\"a/new\\nline.txt\"");
        assert_eq!(diff_path("b/", "q\"é.txt"), "\"b/q\\\"\\303\\251.txt\"");
    }
}
