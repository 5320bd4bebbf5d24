//! What a document is, and which of its text is protected.
//!
//! [`DocumentReader`] cuts an input into the documents that every mode
//! repairs: whole up to [`WHOLE_FILE_LIMIT`], else at paragraph or
//! sentence boundaries ([`cut`]). Document rules (conditions, spin
//! evidence, names, guesses) see one document at a time.
//!
//! Some text must never be edited and is no evidence either: code, markup
//! and math in Markdown, LaTeX and HTML, lines and blocks marked
//! `despin:ignore`, and matches of `--ignore-regex`. [`Protection`] finds
//! those byte ranges in each document, following constructs that stay open
//! from one document of a stream to the next, and
//! [`crate::Repairer::scan_protected`] treats them as no text at all.

pub mod cut;
mod ignore;
mod markup;
mod reader;

pub use ignore::{OpenSpans, PatternError, Protection};
pub use markup::Format;
pub use reader::{
    is_utf16, looks_binary, scan_in_documents, DocumentReader, LineBatches, STREAM_CHUNK,
    WHOLE_FILE_LIMIT,
};
