//! Inline ignores: text that despin must never edit.
//!
//! Like linters' `noqa` comments, a marker in the text itself keeps a line
//! or a block as it is: `despin:ignore` on a line, or a block from a line
//! with `despin:ignore-start` to one with `despin:ignore-end`. The markers
//! usually sit in a comment of the markup (`<!-- despin:ignore -->`, `%
//! despin:ignore`). `--ignore-regex` keeps every match of a pattern. Chunks
//! of a stream arrive in order, so a block may span chunks.

use std::ops::Range;
use std::path::Path;

use memchr::memmem;
use regex::bytes::Regex;

use super::markup::{self, Format};

const MARKER: &[u8] = b"despin:ignore";
const START: &[u8] = b"despin:ignore-start";
const END: &[u8] = b"despin:ignore-end";

/// A `--ignore-regex` pattern that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("invalid --ignore-regex {pattern:?}: {source}")]
pub struct PatternError {
    pattern: String,
    #[source]
    source: regex::Error,
}

/// What the documents of a run protect: the markup of their format and
/// the ignore rules.
#[derive(Debug, Default)]
pub struct Protection {
    patterns: Vec<Regex>,
    /// The format every input has (`--type`), instead of its extension's.
    format: Option<Format>,
}

/// What a stream has open (an ignored block, a markup construct), carried
/// from one document of it to the next.
#[derive(Debug, Default, Clone)]
pub struct OpenSpans {
    inside: bool,
    markup: markup::State,
}

impl Protection {
    /// Rules with the given `--ignore-regex` patterns.
    pub fn new(patterns: &[String]) -> Result<Protection, PatternError> {
        let patterns = patterns
            .iter()
            .map(|p| {
                Regex::new(p).map_err(|source| PatternError {
                    pattern: p.clone(),
                    source,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Protection {
            patterns,
            format: None,
        })
    }

    /// Rules that treat every input as `format`, whatever its extension.
    pub fn with_format(mut self, format: Option<Format>) -> Protection {
        self.format = format;
        self
    }

    /// The format of an input: the forced one, else its extension's.
    pub fn format_of(&self, path: Option<&Path>) -> Format {
        self.format
            .or_else(|| path.map(Format::for_path))
            .unwrap_or(Format::Txt)
    }

    /// The protected byte ranges of the next document of a `format`
    /// input, in any order (they may overlap): its markup, its ignored
    /// lines and blocks, and every match of an ignore pattern.
    pub fn protected(
        &self,
        format: Format,
        bytes: &[u8],
        open: &mut OpenSpans,
    ) -> Vec<Range<usize>> {
        let mut ranges = markup::protected(format, bytes, &mut open.markup);
        let has_marker = memmem::find(bytes, MARKER).is_some();
        if has_marker || open.inside {
            let mut start = 0;
            while start < bytes.len() {
                let end =
                    memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
                let line = &bytes[start..end];
                let ignore_line = if memmem::find(line, START).is_some() {
                    open.inside = true;
                    true
                } else if memmem::find(line, END).is_some() {
                    open.inside = false;
                    true
                } else {
                    open.inside || memmem::find(line, MARKER).is_some()
                };
                if ignore_line {
                    ranges.push(start..end);
                }
                start = end;
            }
        }
        for pattern in &self.patterns {
            ranges.extend(pattern.find_iter(bytes).map(|m| m.range()));
        }
        ranges
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Repairer;

    /// The text of the edits made in one document, after `open`.
    fn edited(rules: &Protection, text: &str, open: &mut OpenSpans) -> Vec<String> {
        let protected = rules.protected(Format::Txt, text.as_bytes(), open);
        Repairer::default()
            .scan_protected(text.as_bytes(), &protected)
            .edits
            .iter()
            .map(|e| text[e.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn a_marked_line_is_kept() {
        let text = "this 7 days\nthis 7 days <!-- despin:ignore -->\nthis 7 days\n";
        let edits = edited(&Protection::default(), text, &mut OpenSpans::default());
        assert_eq!(edits.len(), 2);
    }

    #[test]
    fn a_block_is_kept_across_documents() {
        let rules = Protection::default();
        let mut open = OpenSpans::default();
        let first = "this 7 days\n% despin:ignore-start\nthis 7 days\n";
        let second = "this 7 days\n% despin:ignore-end\nthis 7 days\n";
        assert_eq!(edited(&rules, first, &mut open).len(), 1);
        assert_eq!(edited(&rules, second, &mut open).len(), 1);
    }

    #[test]
    fn regex_matches_are_kept() {
        let rules = Protection::new(&["\\[[^]]*\\]".to_string()]).unwrap();
        let edits = edited(
            &rules,
            "[this 7 days] and this 7 days",
            &mut OpenSpans::default(),
        );
        assert_eq!(edits.len(), 1);
        assert!(Protection::new(&["(".to_string()]).is_err());
    }
}
