//! What a document is, and which of its text is protected.
//!
//! Some text must never be edited and is no evidence either: code, markup
//! and math in Markdown, LaTeX and HTML, lines and blocks marked
//! `despin:ignore`, and matches of `--ignore-regex`. [`Protection`] finds
//! those byte ranges in each document, following constructs that stay open
//! from one document of a stream to the next, and
//! [`crate::Repairer::scan_protected`] treats them as no text at all.

mod ignore;
mod markup;

pub use ignore::{OpenSpans, PatternError, Protection};
pub use markup::Format;
