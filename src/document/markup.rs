//! Markup awareness: prose inside Markdown, LaTeX and HTML is repaired,
//! the markup never.
//!
//! Each format has spans no edit may touch: Markdown code (fenced blocks
//! and inline spans), link targets and raw URLs; LaTeX commands, math and
//! the keys of `\cite`, `\ref` and friends; HTML tags with their
//! attributes, comments, entities, and `script`, `style`, `pre` and `code`
//! elements. The format comes from the file's extension or `--type`.
//! Constructs that span lines (fences, display math, script elements) are
//! followed across the chunks of a stream.

use std::ops::Range;
use std::path::Path;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text: everything is prose.
    Txt,
    /// Markdown.
    Md,
    /// LaTeX.
    Tex,
    /// HTML.
    Html,
}

impl Format {
    /// The format a file's extension names; plain text otherwise.
    pub fn for_path(path: &Path) -> Format {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("md" | "markdown" | "mdown" | "mkd") => Format::Md,
            Some("tex" | "latex" | "ltx" | "sty" | "cls") => Format::Tex,
            Some("html" | "htm" | "xhtml") => Format::Html,
            _ => Format::Txt,
        }
    }
}

/// What is open at the end of a chunk.
#[derive(Debug, Default, Clone)]
pub(crate) struct State {
    /// An open Markdown fence: its character and length.
    fence: Option<(u8, usize)>,
    /// The closing text of an open LaTeX math construct or HTML element
    /// ("$$", "\\]", "\\end{equation}", "</script>").
    until: Option<Vec<u8>>,
}

/// The protected byte ranges of a chunk.
pub(crate) fn protected(kind: Format, bytes: &[u8], state: &mut State) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    match kind {
        // Plain text is all prose: even a URL in it is text.
        Format::Txt => return spans,
        Format::Md => markdown(bytes, state, &mut spans),
        Format::Tex => latex(bytes, state, &mut spans),
        Format::Html => html(bytes, 0, bytes.len(), state, &mut spans),
    }
    urls(bytes, &mut spans);
    spans
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Raw URLs, in any format: up to the next space or closing bracket.
fn urls(bytes: &[u8], spans: &mut Vec<Range<usize>>) {
    for scheme in [&b"http://"[..], b"https://", b"ftp://", b"www."] {
        for start in memchr::memmem::find_iter(bytes, scheme) {
            let end = bytes[start..]
                .iter()
                .position(|&b| {
                    b.is_ascii_whitespace() || matches!(b, b')' | b']' | b'>' | b'"' | b'\'')
                })
                .map_or(bytes.len(), |i| start + i);
            spans.push(start..end);
        }
    }
}

/// Lines with their start offsets, endings included.
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        let line = (start, &bytes[start..end]);
        start = end;
        Some(line)
    })
}

/// A Markdown fence opening or closing line: its character and length.
fn fence(line: &[u8]) -> Option<(u8, usize)> {
    let indent = line.iter().take_while(|&&b| b == b' ').count();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = *rest.first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = rest.iter().take_while(|&&b| b == c).count();
    (n >= 3).then_some((c, n))
}

fn markdown(bytes: &[u8], state: &mut State, spans: &mut Vec<Range<usize>>) {
    for (start, line) in lines(bytes) {
        let end = start + line.len();
        if let Some((c, n)) = state.fence {
            spans.push(start..end);
            if fence(line).is_some_and(|(d, m)| d == c && m >= n) {
                state.fence = None;
            }
            continue;
        }
        if let Some(opened) = fence(line) {
            state.fence = Some(opened);
            spans.push(start..end);
            continue;
        }
        // A link reference definition: "[id]: url".
        let trimmed = line.iter().take_while(|&&b| b == b' ').count();
        if line.get(trimmed) == Some(&b'[') {
            if let Some(close) = find(&line[trimmed..], b"]:") {
                spans.push(start + trimmed + close..end);
                continue;
            }
        }
        inline_markdown(line, start, spans);
    }
}

fn inline_markdown(line: &[u8], offset: usize, spans: &mut Vec<Range<usize>>) {
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'`' => {
                // A code span: a run of backticks up to the same run.
                let n = line[i..].iter().take_while(|&&b| b == b'`').count();
                let tick = vec![b'`'; n];
                let mut j = i + n;
                let mut close = None;
                while let Some(k) = find(&line[j..], &tick) {
                    let at = j + k;
                    let run = line[at..].iter().take_while(|&&b| b == b'`').count();
                    if run == n {
                        close = Some(at + n);
                        break;
                    }
                    j = at + run;
                }
                match close {
                    Some(end) => {
                        spans.push(offset + i..offset + end);
                        i = end;
                    }
                    None => i += n,
                }
            }
            b']' if line.get(i + 1) == Some(&b'(') => {
                // A link target: "](url "title")".
                let end = line[i..]
                    .iter()
                    .position(|&b| b == b')')
                    .map_or(line.len(), |k| i + k + 1);
                spans.push(offset + i + 1..offset + end);
                i = end;
            }
            b'<' => {
                // Autolinks and inline HTML tags.
                match line[i..].iter().position(|&b| b == b'>') {
                    Some(k) if looks_like_tag(&line[i..i + k + 1]) => {
                        spans.push(offset + i..offset + i + k + 1);
                        i += k + 1;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
}

/// Whether `<...>` is a tag or an autolink, not a comparison ("a < b > c").
fn looks_like_tag(text: &[u8]) -> bool {
    let inner = &text[1..text.len() - 1];
    match inner.first() {
        Some(b'/' | b'!' | b'?') => true,
        Some(c) if c.is_ascii_alphabetic() => {
            !inner.contains(&b' ')
                || inner.iter().any(|&b| matches!(b, b'=' | b'"'))
                || inner.contains(&b':')
        }
        _ => false,
    }
}

/// LaTeX environments whose content is not prose.
const VERBATIM_ENVIRONMENTS: &[&str] = &[
    "equation",
    "equation*",
    "align",
    "align*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "eqnarray",
    "eqnarray*",
    "math",
    "displaymath",
    "verbatim",
    "lstlisting",
    "minted",
    "tikzpicture",
];

/// LaTeX commands whose arguments are keys, labels or paths.
const KEY_COMMANDS: &[&str] = &[
    "cite",
    "citep",
    "citet",
    "citealp",
    "citeauthor",
    "citeyear",
    "nocite",
    "ref",
    "eqref",
    "pageref",
    "autoref",
    "cref",
    "Cref",
    "label",
    "url",
    "href",
    "includegraphics",
    "input",
    "include",
    "bibliography",
    "bibliographystyle",
    "usepackage",
    "documentclass",
    "begin",
    "end",
    "newcommand",
    "renewcommand",
    "hypersetup",
    "graphicspath",
];

fn latex(bytes: &[u8], state: &mut State, spans: &mut Vec<Range<usize>>) {
    let mut i = 0;
    if let Some(until) = state.until.take() {
        match find(bytes, &until) {
            Some(k) => {
                spans.push(0..k + until.len());
                i = k + until.len();
            }
            None => {
                spans.push(0..bytes.len());
                state.until = Some(until);
                return;
            }
        }
    }
    while i < bytes.len() {
        let rest = &bytes[i..];
        let opened: Option<Vec<u8>> = if rest.starts_with(b"$$") {
            Some(b"$$".to_vec())
        } else if rest.starts_with(b"\\[") {
            Some(b"\\]".to_vec())
        } else if rest.starts_with(b"\\(") {
            Some(b"\\)".to_vec())
        } else if rest[0] == b'$' {
            Some(b"$".to_vec())
        } else {
            None
        };
        if let Some(close) = opened {
            let from = i + if close == b"$" { 1 } else { 2 };
            match find_unescaped(&bytes[from..], &close) {
                Some(k) => {
                    spans.push(i..from + k + close.len());
                    i = from + k + close.len();
                }
                None => {
                    spans.push(i..bytes.len());
                    state.until = Some(close);
                    return;
                }
            }
            continue;
        }
        if rest[0] == b'\\' {
            let name_len = rest[1..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic() || **b == b'*')
                .count();
            if name_len == 0 {
                // An escaped character ("\%", "\$"): markup, two bytes.
                spans.push(i..(i + 2).min(bytes.len()));
                i += 2;
                continue;
            }
            let name = std::str::from_utf8(&rest[1..1 + name_len]).unwrap_or("");
            let mut end = i + 1 + name_len;
            if name == "verb" {
                if let Some(&delimiter) = bytes.get(end) {
                    end = bytes[end + 1..]
                        .iter()
                        .position(|&b| b == delimiter)
                        .map_or(bytes.len(), |k| end + 1 + k + 1);
                }
            } else if KEY_COMMANDS.contains(&name.trim_end_matches('*')) {
                end = skip_arguments(bytes, end);
            }
            if name == "begin" {
                let environment = argument(bytes, i + 1 + name_len);
                if let Some(environment) = environment.filter(|e| VERBATIM_ENVIRONMENTS.contains(e))
                {
                    let close = format!("\\end{{{environment}}}").into_bytes();
                    match find(&bytes[end..], &close) {
                        Some(k) => end += k + close.len(),
                        None => {
                            spans.push(i..bytes.len());
                            state.until = Some(close);
                            return;
                        }
                    }
                }
            }
            spans.push(i..end);
            i = end;
            continue;
        }
        i += 1;
    }
}

/// `needle` in `haystack`, not preceded by a backslash.
fn find_unescaped(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(k) = find(&haystack[from..], needle) {
        let at = from + k;
        if at == 0 || haystack[at - 1] != b'\\' {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The end of a command's optional `[...]` and braced `{...}` arguments.
fn skip_arguments(bytes: &[u8], mut at: usize) -> usize {
    loop {
        let open = match bytes.get(at) {
            Some(b'{') => b'}',
            Some(b'[') => b']',
            _ => return at,
        };
        let close = open;
        let mut depth = 0usize;
        let mut j = at;
        loop {
            match bytes.get(j) {
                None => return bytes.len(),
                Some(b) if *b == bytes[at] => depth += 1,
                Some(b) if *b == close => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        at = j + 1;
    }
}

/// The first braced argument after `at`, if it is short and on one line.
fn argument(bytes: &[u8], at: usize) -> Option<&str> {
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let end = bytes[at..].iter().take(64).position(|&b| b == b'}')?;
    std::str::from_utf8(&bytes[at + 1..at + end]).ok()
}

/// Elements whose content is not prose.
const RAW_ELEMENTS: &[&str] = &["script", "style", "pre", "code", "textarea"];

fn html(bytes: &[u8], from: usize, to: usize, state: &mut State, spans: &mut Vec<Range<usize>>) {
    let mut i = from;
    if let Some(until) = state.until.take() {
        match find(&bytes[i..to], &until) {
            Some(k) => {
                spans.push(i..i + k + until.len());
                i += k + until.len();
            }
            None => {
                spans.push(i..to);
                state.until = Some(until);
                return;
            }
        }
    }
    while i < to {
        match bytes[i] {
            b'<' => {
                if bytes[i..to].starts_with(b"<!--") {
                    match find(&bytes[i..to], b"-->") {
                        Some(k) => {
                            spans.push(i..i + k + 3);
                            i += k + 3;
                        }
                        None => {
                            spans.push(i..to);
                            state.until = Some(b"-->".to_vec());
                            return;
                        }
                    }
                    continue;
                }
                let Some(k) = bytes[i..to].iter().position(|&b| b == b'>') else {
                    spans.push(i..to);
                    return;
                };
                let tag = &bytes[i..i + k + 1];
                spans.push(i..i + k + 1);
                i += k + 1;
                let name: String = tag[1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .map(|&b| (b as char).to_ascii_lowercase())
                    .collect();
                if RAW_ELEMENTS.contains(&name.as_str()) && !tag.ends_with(b"/>") {
                    let close = format!("</{name}").into_bytes();
                    let lower: Vec<u8> = bytes[i..to].to_ascii_lowercase();
                    match find(&lower, &close) {
                        Some(k) => {
                            spans.push(i..i + k);
                            i += k;
                        }
                        None => {
                            spans.push(i..to);
                            state.until = Some(close);
                            return;
                        }
                    }
                }
            }
            b'&' => {
                let end = bytes[i..to]
                    .iter()
                    .take(12)
                    .position(|&b| b == b';')
                    .map(|k| i + k + 1);
                match end {
                    Some(end) => {
                        spans.push(i..end);
                        i = end;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Repairer;

    /// The text of the edits despin makes in a document of a format.
    fn kept(format: Format, text: &str) -> Vec<String> {
        let protected = protected(format, text.as_bytes(), &mut State::default());
        let scan = Repairer::default().scan_protected(text.as_bytes(), &protected);
        scan.edits
            .iter()
            .map(|e| text[e.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn markdown_code_and_links_are_kept() {
        let text = "We met this 7 days.\n\
                    ```\nthis 7 days\n```\n\
                    Use `this 7 days` or [this 7 days](http://x.org/this%207%20days).\n\
                    [ref]: http://example.org/this-7-days\n";
        assert_eq!(kept(Format::Md, text), ["this 7 days", "this 7 days"]);
    }

    #[test]
    fn latex_commands_math_and_keys_are_kept() {
        let text = "We met this 7 days \\cite{this7days} in $this 7 days$.\n\
                    \\begin{equation}this 7 days\\end{equation}\n\\textbf{this 7 days}\n";
        assert_eq!(kept(Format::Tex, text), ["this 7 days", "this 7 days"]);
    }

    #[test]
    fn html_tags_attributes_and_code_are_kept() {
        let text = "<p title=\"this 7 days\">We met this 7 days.</p>\
                    <!-- this 7 days --><code>this 7 days</code><p>this 7 days</p>";
        assert_eq!(kept(Format::Html, text), ["this 7 days", "this 7 days"]);
    }

    #[test]
    fn a_fence_is_followed_across_chunks() {
        let mut state = State::default();
        let first = b"```\ncode";
        let second = b" more code\n```\nprose\n";
        assert_eq!(protected(Format::Md, first, &mut state), [0..4, 4..8]);
        assert_eq!(protected(Format::Md, second, &mut state), [0..11, 11..15]);
    }

    #[test]
    fn extensions_name_formats() {
        assert_eq!(Format::for_path(Path::new("a/b.MD")), Format::Md);
        assert_eq!(Format::for_path(Path::new("paper.tex")), Format::Tex);
        assert_eq!(Format::for_path(Path::new("index.htm")), Format::Html);
        assert_eq!(Format::for_path(Path::new("notes")), Format::Txt);
    }
}
