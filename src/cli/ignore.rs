//! Inline ignores: text that despin must never edit.
//!
//! Like linters' `noqa` comments, a marker in the text itself keeps a line
//! or a block as it is: `despin:ignore` on a line, or a block from a line
//! with `despin:ignore-start` to one with `despin:ignore-end`. The markers
//! usually sit in a comment of the markup (`<!-- despin:ignore -->`, `%
//! despin:ignore`). `--ignore-regex` keeps every match of a pattern. Chunks
//! of a stream arrive in order, so a block may span chunks.

use std::borrow::Cow;
use std::ops::Range;

use anyhow::{Context, Result};
use despin::Edit;
use memchr::memmem;
use regex::bytes::Regex;

use crate::cli::markup::{self, Kind};

const MARKER: &[u8] = b"despin:ignore";
const START: &[u8] = b"despin:ignore-start";
const END: &[u8] = b"despin:ignore-end";

/// The ignore rules of a run.
#[derive(Debug, Default)]
pub struct Ignore {
    patterns: Vec<Regex>,
    /// The format every input has (`--type`), instead of its extension's.
    file_type: Option<Kind>,
}

/// What a stream has open (an ignored block, a markup construct), carried
/// from chunk to chunk.
#[derive(Debug, Default, Clone)]
pub struct BlockState {
    inside: bool,
    markup: markup::State,
}

impl Ignore {
    /// Rules with the given `--ignore-regex` patterns.
    pub fn new(patterns: &[String]) -> Result<Ignore> {
        let patterns = patterns
            .iter()
            .map(|p| Regex::new(p).with_context(|| format!("invalid --ignore-regex {p:?}")))
            .collect::<Result<_>>()?;
        Ok(Ignore {
            patterns,
            file_type: None,
        })
    }

    /// Rules that treat every input as `kind`, whatever its extension.
    pub fn with_type(mut self, kind: Option<Kind>) -> Ignore {
        self.file_type = kind;
        self
    }

    /// The format of an input.
    pub fn kind(&self, path: Option<&std::path::Path>) -> Kind {
        self.file_type
            .or_else(|| path.map(Kind::for_path))
            .unwrap_or(Kind::Txt)
    }

    /// The edits of a chunk of a `kind` input that touch neither ignored
    /// text nor markup.
    pub fn filter_all<'e>(
        &self,
        kind: Kind,
        bytes: &[u8],
        edits: &'e [Edit],
        state: &mut BlockState,
    ) -> Cow<'e, [Edit]> {
        let kept = self.filter(bytes, edits, state);
        match markup::filter(kind, bytes, &kept, &mut state.markup) {
            Some(fewer) => Cow::Owned(fewer),
            None => kept,
        }
    }

    /// The edits of a chunk that touch no ignored text.
    pub fn filter<'e>(
        &self,
        bytes: &[u8],
        edits: &'e [Edit],
        state: &mut BlockState,
    ) -> Cow<'e, [Edit]> {
        let has_marker = memmem::find(bytes, MARKER).is_some();
        if !has_marker && !state.inside && self.patterns.is_empty() {
            return Cow::Borrowed(edits);
        }
        let ignored = self.ignored(bytes, has_marker, state);
        if ignored.is_empty() {
            return Cow::Borrowed(edits);
        }
        Cow::Owned(markup::outside(edits, ignored))
    }

    /// The ignored byte ranges of a chunk, in order (they may overlap).
    fn ignored(&self, bytes: &[u8], has_marker: bool, state: &mut BlockState) -> Vec<Range<usize>> {
        let mut ignored = Vec::new();
        if has_marker || state.inside {
            let mut start = 0;
            while start < bytes.len() {
                let end =
                    memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
                let line = &bytes[start..end];
                let ignore_line = if memmem::find(line, START).is_some() {
                    state.inside = true;
                    true
                } else if memmem::find(line, END).is_some() {
                    state.inside = false;
                    true
                } else {
                    state.inside || memmem::find(line, MARKER).is_some()
                };
                if ignore_line {
                    ignored.push(start..end);
                }
                start = end;
            }
        }
        for pattern in &self.patterns {
            ignored.extend(pattern.find_iter(bytes).map(|m| m.range()));
        }
        ignored
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use despin::Repairer;

    fn kept(ignore: &Ignore, text: &str) -> Vec<String> {
        let edits = Repairer::default().find_edits(text.as_bytes());
        let mut state = BlockState::default();
        ignore
            .filter(text.as_bytes(), &edits, &mut state)
            .iter()
            .map(|e| text[e.range.clone()].to_string())
            .collect()
    }

    #[test]
    fn a_marked_line_is_kept() {
        let text = "this 7 days\nthis 7 days <!-- despin:ignore -->\nthis 7 days\n";
        assert_eq!(kept(&Ignore::default(), text).len(), 2);
    }

    #[test]
    fn a_block_is_kept_across_chunks() {
        let ignore = Ignore::default();
        let mut state = BlockState::default();
        let first = "this 7 days\n% despin:ignore-start\nthis 7 days\n";
        let second = "this 7 days\n% despin:ignore-end\nthis 7 days\n";
        let count = |text: &str, state: &mut BlockState| {
            let edits = Repairer::default().find_edits(text.as_bytes());
            ignore.filter(text.as_bytes(), &edits, state).len()
        };
        assert_eq!(count(first, &mut state), 1);
        assert_eq!(count(second, &mut state), 1);
    }

    #[test]
    fn regex_matches_are_kept() {
        let ignore = Ignore::new(&["\\[[^]]*\\]".to_string()]).unwrap();
        assert_eq!(kept(&ignore, "[this 7 days] and this 7 days").len(), 1);
        assert!(Ignore::new(&["(".to_string()]).is_err());
    }
}
