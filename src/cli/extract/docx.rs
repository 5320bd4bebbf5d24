//! DOCX text: the paragraphs of `word/document.xml` in a zip archive.
//!
//! WordprocessingML keeps a paragraph (`w:p`) as runs of text (`w:t`);
//! tabs, line breaks and hyphens are elements of their own. Footnotes and
//! endnotes follow the body, as they are read after it.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{ExtractError, Layout};

/// The parts read, in order: the body, then its notes.
const PARTS: [&str; 3] = [
    "word/document.xml",
    "word/footnotes.xml",
    "word/endnotes.xml",
];

/// The largest part read, uncompressed: a zip bomb stops here.
const MAX_PART_BYTES: u64 = 512 << 20;

/// The text of a DOCX file, paragraph by paragraph.
pub fn extract(bytes: &[u8]) -> Result<Layout, ExtractError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::Unreadable(format!("cannot read the zip archive: {e}")))?;
    if archive.index_for_name(PARTS[0]).is_none() {
        return Err(ExtractError::NotThisKind("DOCX (no word/document.xml)"));
    }
    let mut layout = Layout::default();
    for name in PARTS {
        let Some(index) = archive.index_for_name(name) else {
            continue;
        };
        let mut xml = Vec::new();
        archive
            .by_index(index)
            .map_err(|e| ExtractError::Unreadable(format!("{name}: {e}")))?
            .take(MAX_PART_BYTES + 1)
            .read_to_end(&mut xml)
            .map_err(|e| ExtractError::Unreadable(format!("{name}: {e}")))?;
        if xml.len() as u64 > MAX_PART_BYTES {
            return Err(ExtractError::Unreadable(format!(
                "{name}: larger than {} MiB uncompressed",
                MAX_PART_BYTES >> 20
            )));
        }
        paragraphs(&xml, &mut layout)
            .map_err(|e| ExtractError::Unreadable(format!("{name}: {e}")))?;
    }
    Ok(layout)
}

/// Adds the paragraphs of one WordprocessingML part.
fn paragraphs(xml: &[u8], layout: &mut Layout) -> Result<(), String> {
    let mut reader = Reader::from_reader(xml);
    let mut buffer = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut in_text = false;
    // Deleted text of tracked changes is not part of the document.
    let mut deleted = 0usize;
    loop {
        let event = reader
            .read_event_into(&mut buffer)
            .map_err(|e| format!("malformed XML at byte {}: {e}", reader.buffer_position()))?;
        match event {
            Event::Start(tag) => match tag.local_name().as_ref() {
                "t" => in_text = true,
                "del" => deleted += 1,
                "p" => {
                    lines.clear();
                    line.clear();
                }
                _ => {}
            },
            Event::Empty(tag) => match tag.local_name().as_ref() {
                "tab" if deleted == 0 => line.push('\t'),
                "br" | "cr" if deleted == 0 => lines.push(std::mem::take(&mut line)),
                "noBreakHyphen" if deleted == 0 => line.push('-'),
                "softHyphen" if deleted == 0 => line.push('\u{00AD}'),
                _ => {}
            },
            Event::End(tag) => match tag.local_name().as_ref() {
                "t" => in_text = false,
                "del" => deleted = deleted.saturating_sub(1),
                "p" => {
                    lines.push(std::mem::take(&mut line));
                    layout.push_paragraph(None, &lines);
                    lines.clear();
                }
                _ => {}
            },
            Event::Text(text) if in_text && deleted == 0 => {
                line.push_str(&text.xml10_content());
            }
            Event::GeneralRef(reference) if in_text && deleted == 0 => {
                let at = reader.buffer_position();
                match reference.resolve_char_ref() {
                    Ok(Some(c)) => line.push(c),
                    Ok(None) => {
                        let name = reference.xml10_content();
                        let entity = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown entity &{name}; at byte {at}"))?;
                        line.push_str(entity);
                    }
                    Err(e) => return Err(format!("bad character reference at byte {at}: {e}")),
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(())
}
