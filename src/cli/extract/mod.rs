//! Text out of the files manuscripts come as: PDF, DOCX and UTF-16.
//!
//! Investigators receive papers as PDF and DOCX, and a tool that called
//! those "binary, skipped" would read as "no tortured phrases". Their text
//! is extracted here into plain UTF-8 with a map from each paragraph back
//! to where it stands (page and paragraph), so reports can point a reader
//! at it. There are no bytes of the original to rewrite, so only the modes
//! that report, or write the repaired text to a new file, take them.

mod docx;
mod layout;
mod pdf;

use std::path::Path;

pub use layout::Layout;

/// The kinds of input whose text is extracted rather than read as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Docx,
    Utf16,
}

impl Kind {
    /// What the input is, in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Pdf => "PDF",
            Kind::Docx => "DOCX",
            Kind::Utf16 => "UTF-16 text",
        }
    }

    /// Which kind an input that starts with `start` is, if any. A zip file
    /// is taken for DOCX when it is named so, or comes on standard input
    /// (`None`); [`extract`] says when it is not one. Other zip files are
    /// binary like any other.
    pub fn sniff(start: &[u8], path: Option<&Path>) -> Option<Kind> {
        if start.starts_with(b"%PDF-") {
            Some(Kind::Pdf)
        } else if start.starts_with(b"PK\x03\x04") && path.is_none_or(named_like) {
            Some(Kind::Docx)
        } else if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
            Some(Kind::Utf16)
        } else {
            None
        }
    }
}

/// Why no text came out.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The bytes are not of the kind sniffed (a zip that is no DOCX): the
    /// input is binary like any other.
    #[error("not a {0}")]
    NotThisKind(&'static str),
    /// A file of the kind that cannot be read: the reason.
    #[error("{0}")]
    Unreadable(String),
}

/// The text of `bytes`, an input of `kind`, with its layout.
pub fn extract(kind: Kind, bytes: &[u8]) -> Result<Layout, ExtractError> {
    match kind {
        Kind::Pdf => pdf::extract(bytes),
        Kind::Docx => docx::extract(bytes),
        Kind::Utf16 => utf16(bytes),
    }
}

/// Decodes UTF-16 with its byte-order mark. Its lines are the text's own,
/// so findings are located by line as in any text file.
fn utf16(bytes: &[u8]) -> Result<Layout, ExtractError> {
    let little = bytes.starts_with(b"\xFF\xFE");
    let body = &bytes[2..];
    if !body.len().is_multiple_of(2) {
        return Err(ExtractError::Unreadable(
            "UTF-16 with an odd number of bytes (truncated)".to_string(),
        ));
    }
    let units = body.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut text = String::with_capacity(body.len() / 2);
    for (index, unit) in char::decode_utf16(units).enumerate() {
        match unit {
            Ok(c) => text.push(c),
            Err(e) => {
                let line = text.matches('\n').count() + 1;
                return Err(ExtractError::Unreadable(format!(
                    "invalid UTF-16 at line {line} (unpaired surrogate {:#06x}, code unit {})",
                    e.unpaired_surrogate(),
                    index + 1
                )));
            }
        }
    }
    Ok(Layout::lines(text))
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work`, turning a panic into `None` that the panic hook does not
/// report: a parser's panic on a malformed file is the file's fault.
pub fn quietly<T>(work: impl FnOnce() -> T) -> Option<T> {
    QUIET.set(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok();
    QUIET.set(false);
    result
}

/// Whether a panic now is one that [`quietly`] catches.
pub fn panicking_quietly() -> bool {
    QUIET.get()
}

/// Whether a path is named as a Word document (`.docx`, `.docm`, and
/// their templates).
fn named_like(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "docx" | "docm" | "dotx" | "dotm"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_of_either_order_decodes() {
        let text = "The counterfeit consciousness\nof \u{1F600} machines.\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            le.extend(unit.to_le_bytes());
            be.extend(unit.to_be_bytes());
        }
        assert_eq!(Kind::sniff(&le, None), Some(Kind::Utf16));
        assert_eq!(extract(Kind::Utf16, &le).unwrap().text, text);
        assert_eq!(extract(Kind::Utf16, &be).unwrap().text, text);
        le.push(0);
        assert!(matches!(
            extract(Kind::Utf16, &le),
            Err(ExtractError::Unreadable(_))
        ));
        let lone = [0xFF, 0xFE, b'a', 0, b'\n', 0, 0x00, 0xD8, b'b', 0];
        let error = extract(Kind::Utf16, &lone).unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
    }
}
