//! Carries the case pattern of spun text over to its replacement.
//!
//! A dictionary stores one form of each original ("deep learning"), but the
//! text may say "Profound learning" at the start of a sentence, "Profound
//! Learning" in a title or "PROFOUND LEARNING" in a heading. The repair has
//! to read as if it had been there all along.

/// The case pattern of a piece of text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasePattern {
    /// Nothing to carry over: the dictionary's own form is used.
    Lower,
    /// First letter capitalised, as at the start of a sentence.
    Capitalized,
    /// Every word capitalised, as in a title or a name.
    Title,
    /// Every letter capitalised.
    Upper,
}

impl CasePattern {
    /// Reads the pattern of `text`.
    pub fn of(text: &str) -> CasePattern {
        let mut letters = 0;
        let mut all_upper = true;
        for c in text.chars().filter(|c| c.is_alphabetic()) {
            letters += 1;
            all_upper &= c.is_uppercase();
        }
        if letters >= 2 && all_upper {
            return CasePattern::Upper;
        }
        let mut words = 0;
        let mut all_title = true;
        for word in crate::text::tokenize::tokens(text) {
            words += 1;
            all_title &= text[word.start..]
                .chars()
                .next()
                .is_some_and(char::is_uppercase);
        }
        if words >= 2 && all_title {
            CasePattern::Title
        } else if text
            .chars()
            .find(|c| c.is_alphabetic())
            .is_some_and(char::is_uppercase)
        {
            CasePattern::Capitalized
        } else {
            CasePattern::Lower
        }
    }

    /// Writes `replacement` in this pattern.
    pub fn apply(self, replacement: &str) -> String {
        match self {
            CasePattern::Lower => replacement.to_string(),
            CasePattern::Upper => replacement.to_uppercase(),
            CasePattern::Capitalized => capitalize_words(replacement, 1),
            CasePattern::Title => capitalize_words(replacement, usize::MAX),
        }
    }
}

/// Upper-cases the first letter of the first `count` words.
fn capitalize_words(text: &str, count: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for word in crate::text::tokenize::tokens(text).take(count) {
        out.push_str(&text[last..word.start]);
        let mut chars = text[word.start..word.end].chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
        }
        out.push_str(chars.as_str());
        last = word.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Writes `replacement` with the case pattern of `matched`.
pub fn transfer_case(matched: &str, replacement: &str) -> String {
    CasePattern::of(matched).apply(replacement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_each_pattern() {
        assert_eq!(
            transfer_case("profound learning", "deep learning"),
            "deep learning"
        );
        assert_eq!(
            transfer_case("Profound learning", "deep learning"),
            "Deep learning"
        );
        assert_eq!(
            transfer_case("Profound Learning", "deep learning"),
            "Deep Learning"
        );
        assert_eq!(
            transfer_case("PROFOUND LEARNING", "deep learning"),
            "DEEP LEARNING"
        );
        assert_eq!(transfer_case("Stated", "said"), "Said");
    }

    #[test]
    fn keeps_the_dictionary_case_for_lowercase_text() {
        assert_eq!(transfer_case("deoxyribonucleic corrosive", "DNA"), "DNA");
        assert_eq!(
            transfer_case("residence speaker", "House Speaker"),
            "House Speaker"
        );
    }
}
