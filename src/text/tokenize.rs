//! Splits text into word tokens with byte offsets.
//!
//! Matching works on words, never on raw bytes, so that an entry can never
//! fire inside a longer word. The tokenizer is lossless: it only records
//! where words start and end, and everything between two words (spaces,
//! punctuation, line breaks) stays in the input untouched. The same rules
//! normalise dictionary keys, so a key and the text it should match always
//! agree on what a word is.
//!
//! This module uses only `std` because `build.rs` compiles it too.

/// A word in the input: `text[start..end]`.
///
/// `stem_end` is where a trailing possessive (`'s`, `’s`) begins, or `end`
/// when there is none, so a phrase can match "Speaker" inside "Speaker’s"
/// and leave the possessive where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the word's first byte.
    pub start: usize,
    /// Byte offset just past the word, possessive included.
    pub end: usize,
    /// Where the word ends without its possessive (`end` when none).
    pub stem_end: usize,
}

impl Token {
    /// Whether the word ends in a possessive that a match may leave outside.
    pub fn has_possessive(&self) -> bool {
        self.stem_end < self.end
    }
}

/// Whether `c` belongs inside a word. Combining marks do too: decomposed
/// text ("nai\u{308}ve") and lower-cased letters such as "İ" ("i\u{307}")
/// would otherwise break a word in two.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

/// The Unicode blocks of combining diacritical marks.
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Apostrophes that join two parts of one word ("don't", "China’s").
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Hyphen variants that join the parts of a compound ("profound-learning").
pub fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{00AD}' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}'
    )
}

/// Iterates over the words of `text`, in order.
pub fn tokens(text: &str) -> Tokens<'_> {
    Tokens { text, pos: 0 }
}

/// Iterates over the words of `text` that start at or after byte `pos`,
/// which must be a char boundary outside a word.
pub fn tokens_from(text: &str, pos: usize) -> Tokens<'_> {
    Tokens { text, pos }
}

/// For each byte: its lower-case form if it is an ASCII word character,
/// otherwise 0. Lets a scanner find, lowercase and hash the common ASCII
/// word in one table lookup per byte.
pub static ASCII_WORD_LOWER: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Iterator returned by [`tokens`].
pub struct Tokens<'a> {
    text: &'a str,
    pos: usize,
}

/// Decodes the char at `pos`, with an ASCII fast path.
#[inline]
fn char_at(text: &str, pos: usize) -> char {
    let b = text.as_bytes()[pos];
    if b < 0x80 {
        b as char
    } else {
        text[pos..].chars().next().unwrap_or('\u{FFFD}')
    }
}

const SEPARATOR: u8 = 0;
const WORD: u8 = 1;
const OTHER: u8 = 2;

/// The class of each byte for the tokenizer's fast paths: ASCII word
/// characters, ASCII separators, and everything that needs a closer look
/// (non-ASCII bytes; the apostrophe, which may join two parts of a word).
static ASCII_CLASS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() || c == b'_' {
            WORD
        } else if c == b'\'' {
            OTHER
        } else {
            SEPARATOR
        };
        b += 1;
    }
    table
};

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let bytes = self.text.as_bytes();
        // Skip to the first word character.
        let mut pos = self.pos;
        loop {
            // Fast path: skip ASCII separators a byte at a time.
            while pos < bytes.len() && ASCII_CLASS[bytes[pos] as usize] == SEPARATOR {
                pos += 1;
            }
            if pos >= bytes.len() {
                self.pos = pos;
                return None;
            }
            let b = bytes[pos];
            if b < 0x80 {
                if ASCII_CLASS[b as usize] == WORD {
                    break;
                }
                // An apostrophe that does not join two parts of a word.
                pos += 1;
            } else {
                let c = char_at(self.text, pos);
                if is_word_char(c) {
                    break;
                }
                pos += c.len_utf8();
            }
        }
        let start = pos;
        // Consume the word, joining parts across single apostrophes.
        let mut last_apostrophe = None;
        loop {
            // Fast path: ASCII word bytes.
            while pos < bytes.len() && ASCII_CLASS[bytes[pos] as usize] == WORD {
                pos += 1;
            }
            if pos >= bytes.len() {
                break;
            }
            let b = bytes[pos];
            if b < 0x80 {
                if b == b'\'' && self.word_char_follows(pos + 1) {
                    last_apostrophe = Some(pos);
                    pos += 1;
                    continue;
                }
                break;
            }
            let c = char_at(self.text, pos);
            if is_word_char(c) {
                pos += c.len_utf8();
            } else if is_apostrophe(c) && self.word_char_follows(pos + c.len_utf8()) {
                last_apostrophe = Some(pos);
                pos += c.len_utf8();
            } else {
                break;
            }
        }
        let end = pos;
        self.pos = end;
        let stem_end = match last_apostrophe {
            Some(a) => {
                let after = a + char_at(self.text, a).len_utf8();
                if after + 1 == end && matches!(bytes[after], b's' | b'S') {
                    a
                } else {
                    end
                }
            }
            None => end,
        };
        Some(Token {
            start,
            end,
            stem_end,
        })
    }
}

impl Tokens<'_> {
    fn word_char_follows(&self, pos: usize) -> bool {
        pos < self.text.len() && is_word_char(char_at(self.text, pos))
    }
}

/// How two neighbouring words are separated, for phrase matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// Whitespace with at most one line break: a phrase may continue.
    Space,
    /// A single hyphen: the words form a compound, and a phrase may continue.
    Hyphen,
    /// A comma and whitespace: a phrase may continue only if its key has a
    /// comma there ("accuracy, precision, recall").
    Comma,
    /// Anything else (punctuation, a blank line): a phrase ends here.
    Break,
}

/// Classifies the text between two words.
#[inline]
pub fn classify_gap(gap: &str) -> Gap {
    // Prose separates most words by one space, a comma and a space, or
    // ASCII punctuation, which always ends a phrase (except a lone hyphen,
    // or a comma before spacing): these need no walk over the gap.
    match gap.as_bytes() {
        [b' '] => Gap::Space,
        [b'-'] => Gap::Hyphen,
        [b',', b' '] => Gap::Comma,
        [first, ..] if first.is_ascii_punctuation() && *first != b',' && *first != b'-' => {
            Gap::Break
        }
        _ => classify_any_gap(gap),
    }
}

/// [`classify_gap`] by the rules, for any gap.
fn classify_any_gap(gap: &str) -> Gap {
    let mut chars = gap.chars();
    match chars.next() {
        None => return Gap::Break,
        Some(c) if is_hyphen(c) && chars.as_str().is_empty() => return Gap::Hyphen,
        _ => {}
    }
    let (spaces, comma) = match gap.strip_prefix(',') {
        Some(rest) if !rest.is_empty() => (rest, true),
        _ => (gap, false),
    };
    let mut line_breaks = 0;
    let mut previous = '\0';
    for c in spaces.chars() {
        if !c.is_whitespace() {
            return Gap::Break;
        }
        if c == '\n' && previous != '\r' || c == '\r' {
            line_breaks += 1;
        }
        previous = c;
    }
    if line_breaks > 1 {
        Gap::Break
    } else if comma {
        Gap::Comma
    } else {
        Gap::Space
    }
}

/// The bytes a gap contributes to a normalised key, or `None` when a
/// phrase cannot continue across it.
pub fn gap_key(gap: Gap) -> Option<&'static [u8]> {
    match gap {
        Gap::Space | Gap::Hyphen => Some(b" "),
        Gap::Comma => Some(b", "),
        Gap::Break => None,
    }
}

/// Calls `sink` with the bytes of `word` in normalised form: lowercase,
/// with every apostrophe variant written as `'`.
#[inline]
pub fn normalize_word(word: &str, mut sink: impl FnMut(u8) -> bool) -> bool {
    for (i, &b) in word.as_bytes().iter().enumerate() {
        if b < 0x80 {
            if !sink(b.to_ascii_lowercase()) {
                return false;
            }
        } else {
            // Rare: fall back to char-wise lowercasing for the rest.
            return normalize_word_slow(&word[i..], sink);
        }
    }
    true
}

fn normalize_word_slow(word: &str, mut sink: impl FnMut(u8) -> bool) -> bool {
    let mut buf = [0u8; 4];
    for c in word.chars() {
        if is_apostrophe(c) {
            if !sink(b'\'') {
                return false;
            }
            continue;
        }
        for lower in c.to_lowercase() {
            for &b in lower.encode_utf8(&mut buf).as_bytes() {
                if !sink(b) {
                    return false;
                }
            }
        }
    }
    true
}

/// Normalises a phrase to the key form used in dictionaries: its words,
/// normalised, joined by single spaces (or ", " where the phrase has a
/// comma). Returns an empty string when the phrase has no words.
pub fn normalize_phrase(phrase: &str) -> String {
    let mut key = Vec::with_capacity(phrase.len());
    let mut previous: Option<Token> = None;
    for token in tokens(phrase) {
        if let Some(before) = previous {
            let gap = classify_gap(&phrase[before.end..token.start]);
            key.extend_from_slice(gap_key(gap).unwrap_or(b" "));
        }
        previous = Some(token);
        normalize_word(&phrase[token.start..token.end], |b| {
            key.push(b);
            true
        });
    }
    // Only whole UTF-8 sequences were pushed.
    String::from_utf8(key).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokens(text).map(|t| &text[t.start..t.end]).collect()
    }

    #[test]
    fn splits_on_spaces_and_punctuation() {
        assert_eq!(
            words("Hello, world! 7 days"),
            ["Hello", "world", "7", "days"]
        );
    }

    #[test]
    fn keeps_apostrophes_inside_words() {
        assert_eq!(
            words("don't China’s 'quoted'"),
            ["don't", "China’s", "quoted"]
        );
    }

    #[test]
    fn hyphen_splits_words() {
        assert_eq!(words("profound-learning"), ["profound", "learning"]);
    }

    #[test]
    fn finds_possessive_stem() {
        let text = "Speaker’s";
        let token = tokens(text).next().unwrap();
        assert_eq!(&text[token.start..token.stem_end], "Speaker");
        let text = "it's";
        let token = tokens(text).next().unwrap();
        assert_eq!(&text[token.start..token.stem_end], "it");
        let text = "don't";
        let token = tokens(text).next().unwrap();
        assert!(!token.has_possessive());
    }

    #[test]
    fn unicode_words() {
        assert_eq!(words("café naïve—Zürich"), ["café", "naïve", "Zürich"]);
    }

    #[test]
    fn combining_marks_stay_inside_words() {
        assert_eq!(
            words("nai\u{308}ve cafe\u{301}"),
            ["nai\u{308}ve", "cafe\u{301}"]
        );
        // Lower-casing "İ" gives "i" and a combining dot; normalising twice
        // must give the same key.
        let once = normalize_phrase("İUbbb qq");
        assert_eq!(normalize_phrase(&once), once);
    }

    #[test]
    fn classifies_gaps() {
        assert_eq!(classify_gap(" "), Gap::Space);
        assert_eq!(classify_gap("  \t"), Gap::Space);
        assert_eq!(classify_gap("\n "), Gap::Space);
        assert_eq!(classify_gap("\r\n"), Gap::Space);
        assert_eq!(classify_gap("\n\n"), Gap::Break);
        assert_eq!(classify_gap("-"), Gap::Hyphen);
        assert_eq!(classify_gap("\u{2011}"), Gap::Hyphen);
        assert_eq!(classify_gap(" - "), Gap::Break);
        assert_eq!(classify_gap(", "), Gap::Comma);
        assert_eq!(classify_gap(",\n"), Gap::Comma);
        assert_eq!(classify_gap(","), Gap::Break);
    }

    #[test]
    fn classifying_common_gaps_quickly_agrees_with_the_rules() {
        let pieces = [
            " ", "  ", ",", ", ", "-", "--", " - ", ".", ". ", "\n", "\r\n", "\n\n", "\t", "!",
            "\u{2011}", "\u{a0}", "\u{2014}", "\u{b}", ";", "\"", "(", ")", "_",
        ];
        for a in pieces {
            for b in pieces {
                for gap in [a.to_string(), format!("{a}{b}")] {
                    assert_eq!(classify_gap(&gap), classify_any_gap(&gap), "{gap:?}");
                }
            }
        }
    }

    #[test]
    fn normalizes_phrases() {
        assert_eq!(
            normalize_phrase("  Profound-Learning "),
            "profound learning"
        );
        assert_eq!(normalize_phrase("China’s  ÉTAT"), "china's état");
        assert_eq!(normalize_phrase("--"), "");
        assert_eq!(normalize_phrase("Accuracy,  recall"), "accuracy, recall");
    }
}
