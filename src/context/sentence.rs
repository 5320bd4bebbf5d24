//! The words a language model reads around an edit: lower case, within the
//! edit's sentence, with sentence marks at its ends.

use std::ops::Range;

use crate::text::segment::Segment;
use crate::text::tokenize::{normalize_word, tokens, Token};

/// The sentence-start word of the model's vocabulary.
pub const SENTENCE_START: &str = "<s>";
/// The sentence-end word.
pub const SENTENCE_END: &str = "</s>";

/// A word as the model knows words: normalised (lower case, one
/// apostrophe). A word with a digit is none the model knows, and says so
/// by a form no vocabulary holds.
pub fn model_word(word: &str) -> String {
    if word.bytes().any(|b| b.is_ascii_digit()) {
        return "<number>".to_string();
    }
    let mut out = Vec::with_capacity(word.len());
    normalize_word(word, |b| {
        out.push(b);
        true
    });
    String::from_utf8(out).unwrap_or_default()
}

/// The model's words of a phrase, such as a replacement.
pub fn phrase_words(phrase: &str) -> Vec<String> {
    tokens(phrase)
        .map(|t| model_word(&phrase[t.start..t.end]))
        .collect()
}

/// Whether the text between two words ends a sentence (or a clause that a
/// model should read alone): a full stop, question or exclamation mark,
/// semicolon, colon, or a blank line.
pub(crate) fn ends_sentence(gap: &str) -> bool {
    gap.bytes()
        .any(|b| matches!(b, b'.' | b'!' | b'?' | b';' | b':'))
        || gap.matches('\n').count() > 1
}

/// The words around a span of a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// Up to `n` words before the span, with [`SENTENCE_START`] first where
    /// the sentence starts within them.
    pub before: Vec<String>,
    /// The span's own words.
    pub span: Vec<String>,
    /// Up to `n` words after the span, with [`SENTENCE_END`] where the
    /// sentence ends within them.
    pub after: Vec<String>,
}

/// The window of `n` words each side of `range` (offsets in the segment's
/// text), or none when the range holds no whole word.
pub(crate) fn window(segment: &Segment<'_>, range: Range<usize>, n: usize) -> Option<Window> {
    let tokens = &segment.tokens;
    let first = tokens.partition_point(|t| t.end <= range.start);
    let last = tokens.partition_point(|t| t.start < range.end);
    if first >= last {
        return None;
    }
    let text = segment.text;
    let word = |t: &Token| model_word(&text[t.start..t.end]);
    let gap = |i: usize| &text[tokens[i].end..tokens[i + 1].start];
    let mut before = Vec::with_capacity(n + 1);
    let mut i = first;
    while before.len() < n {
        if i == 0 || ends_sentence(gap(i - 1)) {
            before.push(SENTENCE_START.to_string());
            break;
        }
        i -= 1;
        before.push(word(&tokens[i]));
    }
    before.reverse();
    let span = tokens[first..last].iter().map(word).collect();
    let mut after = Vec::with_capacity(n + 1);
    let mut i = last - 1;
    while after.len() < n {
        if i + 1 == tokens.len() || ends_sentence(gap(i)) {
            after.push(SENTENCE_END.to_string());
            break;
        }
        i += 1;
        after.push(word(&tokens[i]));
    }
    Some(Window {
        before,
        span,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn around(text: &str, span: &str) -> Window {
        let segment = Segment::new(0, text);
        let start = text.find(span).unwrap();
        window(&segment, start..start + span.len(), 2).unwrap()
    }

    #[test]
    fn a_window_stays_in_its_sentence() {
        let w = around("He left. The Residence Speaker said so.", "Residence");
        assert_eq!(w.before, ["<s>", "the"]);
        assert_eq!(w.span, ["residence"]);
        assert_eq!(w.after, ["speaker", "said"]);
        let w = around("We met the Residence Speaker.", "Speaker");
        assert_eq!(w.before, ["the", "residence"]);
        assert_eq!(w.after, ["</s>"]);
    }

    #[test]
    fn numbers_are_no_word_the_model_knows() {
        assert_eq!(phrase_words("this 7 days"), ["this", "<number>", "days"]);
        assert_eq!(phrase_words("Xi’s visit"), ["xi's", "visit"]);
    }
}
