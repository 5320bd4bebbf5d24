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

/// Bytes of one line of text for a terminal: control characters other
/// than a tab (an escape sequence, a carriage return that erases the line)
/// are written as escapes (`\x1b`), C1 controls as `\u{9b}`. A carriage
/// return that ends the bytes, as in a CRLF line, is harmless and stays.
/// Bytes that are not UTF-8 pass as they are; the terminal shows them as
/// it shows any such text.
pub fn terminal_line(bytes: &[u8]) -> Cow<'_, [u8]> {
    let control = |b: u8| b < 0x20 && b != b'\t' || b == 0x7f || b == 0xc2;
    let line = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    if !line.iter().any(|&b| control(b)) {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len() + 8);
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        match (b, bytes.get(at + 1)) {
            (0xc2, Some(&next)) if (0x80..0xa0).contains(&next) => {
                out.extend_from_slice(format!("\\u{{{next:x}}}").as_bytes());
                at += 2;
                continue;
            }
            (b'\r', None) => out.push(b'\r'),
            (b'\r', _) => out.extend_from_slice(b"\\r"),
            (b, _) if b < 0x20 && b != b'\t' || b == 0x7f => {
                out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
            }
            (b, _) => out.push(b),
        }
        at += 1;
    }
    Cow::Owned(out)
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
    fn terminal_lines_show_control_bytes_and_keep_the_rest() {
        assert_eq!(terminal_line(b"a\tb \xff\r"), &b"a\tb \xff\r"[..]);
        assert_eq!(
            terminal_line(b"x\x1b[2J\ry\xc2\x9bz \xc2\xa9"),
            &b"x\\x1b[2J\\ry\\u{9b}z \xc2\xa9"[..]
        );
    }

    #[test]
    fn odd_paths_are_quoted_as_git_quotes_them() {
        assert_eq!(diff_path("a/", "plain.txt"), "a/plain.txt");
        assert_eq!(diff_path("a/", "new\nline.txt"), "\"a/new\\nline.txt\"");
        assert_eq!(diff_path("b/", "q\"é.txt"), "\"b/q\\\"\\303\\251.txt\"");
    }
}
