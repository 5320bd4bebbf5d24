//! Extracted text and where each of its paragraphs stands in the source.
//!
//! Extraction hands over paragraphs as the lines a page or a document
//! showed. Joining them undoes what typesetting did to the words: a word
//! hyphenated at a line end is whole again, so a tortured phrase split
//! across lines is found, and ligature glyphs become their letters.

use despin::context::LanguageModel;

/// The text of an extracted input, and the place of each paragraph.
#[derive(Debug, Default)]
pub struct Layout {
    /// Plain UTF-8; paragraphs are separated by a blank line.
    pub text: String,
    /// Where each paragraph starts in `text`, in order. Empty when the
    /// text keeps its own lines (UTF-16), so findings are located by line.
    pub places: Vec<Place>,
}

/// Where a paragraph of the extracted text stands in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Byte offset of the paragraph in [`Layout::text`].
    pub start: usize,
    /// 1-based page, for a paged source (PDF).
    pub page: Option<u32>,
    /// 1-based paragraph: on its page for a PDF, in the document for DOCX.
    pub paragraph: u32,
}

impl Layout {
    /// Text that keeps its own lines.
    pub fn lines(text: String) -> Layout {
        Layout {
            text,
            places: Vec::new(),
        }
    }

    /// Adds a paragraph of `lines`, joined as typeset text is read; a
    /// paragraph with no words is left out and not counted.
    pub fn push_paragraph(&mut self, page: Option<u32>, lines: &[String]) {
        let joined = join_lines(lines);
        if !joined.chars().any(char::is_alphanumeric) {
            return;
        }
        let paragraph = match self.places.last() {
            Some(last) if last.page == page => last.paragraph + 1,
            _ => 1,
        };
        if !self.text.is_empty() {
            self.text.push_str("\n\n");
        }
        self.places.push(Place {
            start: self.text.len(),
            page,
            paragraph,
        });
        self.text.push_str(&joined);
    }

    /// The place of the paragraph holding byte `offset` of the text.
    pub fn place(&self, offset: usize) -> Option<Place> {
        let index = self.places.partition_point(|p| p.start <= offset);
        index.checked_sub(1).map(|i| self.places[i])
    }
}

/// Joins a paragraph's lines with line breaks, undoing hyphenation and
/// ligatures. A line that ends in a hyphen after a letter, before a line
/// that starts in lower case, was hyphenated by the typesetter when the
/// joined word is an English word ("counter-" "feit") or a half is no word
/// ("classi-" "fiers"); when both halves are words and the joined one is
/// not, or the word before has a hyphen already, the hyphen is the word's
/// own ("well-" "known", "state-of-the-" "art") and stays, with the
/// halves joined.
fn join_lines(lines: &[String]) -> String {
    let model = despin::context::embedded();
    let mut out = String::new();
    for line in lines {
        let line = undo_ligatures(line.trim());
        if line.is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str(&line);
            continue;
        }
        let starts_lower = line.chars().next().is_some_and(char::is_lowercase);
        let hyphen = ['-', '\u{2010}', '\u{00AD}']
            .into_iter()
            .find(|&h| out.ends_with(h));
        match hyphen {
            Some(h) if starts_lower && before_is_letter(&out, h) => {
                let head_start = out[..out.len() - h.len_utf8()]
                    .rfind(|c: char| !c.is_alphabetic())
                    .map_or(0, |i| i + out[i..].chars().next().map_or(1, char::len_utf8));
                let head = &out[head_start..out.len() - h.len_utf8()];
                let tail: String = line.chars().take_while(|c| c.is_alphabetic()).collect();
                let compound = out[..head_start].ends_with('-');
                let joined = format!("{head}{tail}").to_lowercase();
                let halves_are_words =
                    model.knows(&head.to_lowercase()) && model.knows(&tail.to_lowercase());
                let typeset = model.knows(&joined) || !halves_are_words;
                // A soft hyphen only ever marks a break.
                if h == '\u{00AD}' || (!compound && typeset) {
                    out.truncate(out.len() - h.len_utf8());
                } else if h == '\u{2010}' {
                    out.truncate(out.len() - h.len_utf8());
                    out.push('-');
                }
                out.push_str(&line);
            }
            _ => {
                out.push('\n');
                out.push_str(&line);
            }
        }
    }
    out.replace('\u{00AD}', "")
}

fn before_is_letter(text: &str, hyphen: char) -> bool {
    text[..text.len() - hyphen.len_utf8()]
        .chars()
        .next_back()
        .is_some_and(char::is_alphabetic)
}

/// Replaces the Latin ligature characters (U+FB00 to U+FB06) by letters.
fn undo_ligatures(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '\u{FB00}' => out.push_str("ff"),
            '\u{FB01}' => out.push_str("fi"),
            '\u{FB02}' => out.push_str("fl"),
            '\u{FB03}' => out.push_str("ffi"),
            '\u{FB04}' => out.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => out.push_str("st"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(lines: &[&str]) -> String {
        join_lines(&lines.iter().map(|l| l.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn hyphenation_by_the_typesetter_is_undone_and_a_words_own_hyphen_kept() {
        assert_eq!(
            joined(&["we use counter-", "feit consciousness here"]),
            "we use counterfeit consciousness here"
        );
        assert_eq!(joined(&["a well-", "known result"]), "a well-known result");
        assert_eq!(joined(&["the classi-", "fiers"]), "the classifiers");
        assert_eq!(
            joined(&["the state-of-the-", "art method"]),
            "the state-of-the-art method"
        );
        assert_eq!(joined(&["soft\u{AD}", "ware"]), "software");
        // A dash before a capital, or after a number, is not hyphenation.
        assert_eq!(
            joined(&["pages 10-", "12 and East-", "West"]),
            "pages 10-\n12 and East-\nWest"
        );
        assert_eq!(joined(&["flag", "to commotion"]), "flag\nto commotion");
    }

    #[test]
    fn ligatures_become_letters() {
        assert_eq!(
            joined(&["e\u{FB00}ective \u{FB01}ndings \u{FB02}ow"]),
            "effective findings flow"
        );
    }

    #[test]
    fn paragraphs_are_numbered_per_page_and_located() {
        let mut layout = Layout::default();
        layout.push_paragraph(Some(1), &["First one.".into()]);
        layout.push_paragraph(Some(1), &["  ".into()]);
        layout.push_paragraph(Some(1), &["Second".into(), "one.".into()]);
        layout.push_paragraph(Some(2), &["Third.".into()]);
        assert_eq!(layout.text, "First one.\n\nSecond\none.\n\nThird.");
        let at = |needle: &str| layout.place(layout.text.find(needle).unwrap()).unwrap();
        assert_eq!((at("First").page, at("First").paragraph), (Some(1), 1));
        assert_eq!(
            (at("one.\n\nT").page, at("one.\n\nT").paragraph),
            (Some(1), 2)
        );
        assert_eq!((at("Third").page, at("Third").paragraph), (Some(2), 1));
    }
}
