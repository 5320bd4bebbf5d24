//! The replacement's wording: an entry's original in the case of the
//! spun text, with the text's own separators, widened over repeated words
//! the entry drops.

use crate::find::matcher::Candidate;
use crate::text::case::transfer_case;
use crate::text::segment::Segment;
use crate::text::tokenize::{normalize_word, tokens, Gap};

/// The byte range an edit of `candidate` must cover for a second run to
/// find nothing more: the match, widened over repeats of words the entry
/// drops. An entry may drop the spinner's extra words at one end of its
/// key ("profound deep learning" -> "deep learning"); where the text
/// repeats them ("profound profound deep learning"), the repeats go too,
/// since each run would otherwise drop one more.
pub(crate) fn with_repeats(
    segment: &Segment<'_>,
    candidate: &Candidate,
    replacement: &str,
) -> (usize, usize) {
    let normalized = |word: &str| {
        let mut out = Vec::new();
        normalize_word(word, |b| {
            out.push(b);
            true
        });
        out
    };
    let word = |t: usize| {
        let token = segment.tokens[t];
        normalized(&segment.text[token.start..token.stem_end])
    };
    let kept: Vec<Vec<u8>> = tokens(replacement)
        .map(|t| normalized(&replacement[t.start..t.stem_end]))
        .collect();
    let (first, last) = (candidate.first_token, candidate.last_token);
    let key: Vec<Vec<u8>> = (first..=last).map(word).collect();
    let dropped = key.len().saturating_sub(kept.len());
    if kept.is_empty() || dropped == 0 {
        return (candidate.start, candidate.end);
    }
    // Words joined by plain spaces, as the key's are.
    let spaced = |from: usize, to: usize| (from..to).all(|t| segment.gaps[t] == Gap::Space);
    let (mut start, mut end) = (first, last);
    if key[dropped..] == kept[..] {
        while start >= dropped
            && spaced(start - dropped, start)
            && (0..dropped).all(|i| word(start - dropped + i) == key[i])
        {
            start -= dropped;
        }
    } else if key[..kept.len()] == kept[..] {
        while end + dropped < segment.tokens.len()
            && spaced(end, end + dropped)
            && (0..dropped).all(|i| word(end + 1 + i) == key[kept.len() + i])
        {
            end += dropped;
        }
    }
    let start = if start < first {
        segment.tokens[start].start
    } else {
        candidate.start
    };
    let end = if end > last {
        segment.tokens[end].end
    } else {
        candidate.end
    };
    (start, end)
}

/// Whether the capitalised words of a match agree with an entry's mask.
pub(crate) fn case_fits(segment: &Segment<'_>, candidate: &Candidate, mask: u32) -> bool {
    if mask == 0 {
        return true;
    }
    let words = &segment.tokens[candidate.first_token..=candidate.last_token];
    words.iter().enumerate().take(32).all(|(i, token)| {
        let capital = segment.text[token.start..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase);
        capital == (mask & (1 << i) != 0)
    })
}

/// The replacement text: the original in the match's case, keeping the
/// match's own separators (a hyphen, a line break) when the word counts
/// agree.
pub(crate) fn build_replacement(
    segment: &Segment<'_>,
    candidate: &Candidate,
    matched: &str,
    original: &str,
) -> String {
    let cased = transfer_case(matched, original);
    let matched_words = candidate.last_token - candidate.first_token + 1;
    if matched_words < 2 {
        return cased;
    }
    let words: Vec<&str> = cased.split(' ').collect();
    let gaps = &segment.gaps[candidate.first_token..candidate.last_token];
    if words.len() != matched_words
        || words.iter().any(|w| w.is_empty() || w.contains(','))
        || gaps.contains(&Gap::Comma)
    {
        return cased;
    }
    let mut out = String::with_capacity(cased.len());
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let before = segment.tokens[candidate.first_token + i - 1];
            let after = segment.tokens[candidate.first_token + i];
            out.push_str(&segment.text[before.end..after.start]);
        }
        out.push_str(word);
    }
    out
}
