//! PDF text through `pdf-extract`, laid out into lines and paragraphs here.
//!
//! `pdf-extract` decodes the fonts and hands over each glyph with its
//! position; its own plain-text writer joins the last line of a column to
//! the first of the next with a space. Here a glyph that moves up the page
//! starts a new paragraph (a new column or block), one that moves down by
//! more than a line and a half starts one too, and the glyphs in between
//! make lines.

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::{ExtractError, Layout};

/// The text of a PDF, page by page.
pub fn extract(bytes: &[u8]) -> Result<Layout, ExtractError> {
    let document = pdf_extract::Document::load_mem(bytes)
        .map_err(|e| ExtractError::Unreadable(format!("cannot read the PDF: {e}")))?;
    if document.is_encrypted() {
        return Err(ExtractError::Unreadable(
            "the PDF is encrypted; save an unencrypted copy".to_string(),
        ));
    }
    let mut pages = Pages::default();
    // pdf-extract panics on some malformed files: that is an unreadable
    // file, not a crash of the run.
    let result = super::quietly(|| pdf_extract::output_doc(&document, &mut pages));
    match result {
        Some(Ok(())) => {}
        Some(Err(e)) => {
            return Err(ExtractError::Unreadable(format!(
                "cannot extract the PDF's text: {e}"
            )))
        }
        None => {
            return Err(ExtractError::Unreadable(
                "cannot extract the PDF's text (malformed content)".to_string(),
            ))
        }
    }
    let mut layout = Layout::default();
    for (index, page) in pages.done.iter().enumerate() {
        for paragraph in page {
            layout.push_paragraph(Some(index as u32 + 1), paragraph);
        }
    }
    if layout.text.is_empty() && !pages.done.is_empty() {
        return Err(ExtractError::Unreadable(
            "the PDF has no text layer (scanned pages need OCR first)".to_string(),
        ));
    }
    Ok(layout)
}

/// A glyph's place: its baseline, where it starts and ends, and its size.
#[derive(Clone, Copy)]
struct Pen {
    x_end: f64,
    y: f64,
    size: f64,
}

/// Collects each page's paragraphs of lines.
#[derive(Default)]
struct Pages {
    done: Vec<Vec<Vec<String>>>,
    /// The page being read: its finished paragraphs, and the lines of the
    /// paragraph being read.
    paragraphs: Vec<Vec<String>>,
    lines: Vec<String>,
    line: String,
    /// Where the line being read starts.
    line_x: f64,
    last: Option<Pen>,
}

impl Pages {
    fn end_paragraph(&mut self) {
        self.end_line();
        if !self.lines.is_empty() {
            self.paragraphs.push(std::mem::take(&mut self.lines));
        }
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        if !line.trim().is_empty() {
            self.lines.push(line);
        }
    }
}

impl OutputDev for Pages {
    fn begin_page(
        &mut self,
        _page: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.last = None;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.end_paragraph();
        self.done.push(std::mem::take(&mut self.paragraphs));
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        // The glyph's size on the page: the text matrix scales the font.
        let size = ((trm.m11 + trm.m21) * font_size * (trm.m12 + trm.m22) * font_size)
            .abs()
            .sqrt()
            .max(1e-3);
        let (x, y) = (trm.m31, trm.m32);
        if let Some(last) = self.last {
            let rise = y - last.y;
            if rise > 0.5 * last.size || rise < -1.6 * last.size {
                // Up the page (the next column or block), or down by more
                // than a line (a gap between paragraphs).
                self.end_paragraph();
                self.line_x = x;
            } else if rise < -0.5 * last.size {
                // The next line; one indented past the last one's start
                // begins a paragraph, as typeset paragraphs do.
                if x > self.line_x + 1.5 * size {
                    self.end_paragraph();
                } else {
                    self.end_line();
                }
                self.line_x = x;
            } else if x > last.x_end + 0.15 * size
                && !self.line.ends_with(' ')
                && !text.starts_with(' ')
            {
                self.line.push(' ');
            }
        }
        if self.last.is_none() {
            self.line_x = x;
        }
        self.line.push_str(text);
        self.last = Some(Pen {
            x_end: x + width * size,
            y,
            size,
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
