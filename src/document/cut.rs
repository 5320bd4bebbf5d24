//! Where a long input may be cut into independently repaired documents.
//!
//! Streaming and parallel repair cut the input into chunks. A cut after a
//! blank line or a sentence changes nothing about matching, because no
//! phrase spans one; the fallbacks (a line break, a space, a character
//! boundary) are for text without paragraphs or sentences, and a reader
//! that knows the dictionaries takes them only outside a phrase
//! ([`cut_point_avoiding`]). Document-level rules (conditions, spin
//! evidence, names) see one chunk at a time.

/// Where to end a chunk of `buf`: after the last blank line in
/// `buf[floor..]`, else after the last punctuation that ends a phrase
/// (".", "!", "?", ";", ":", ")", "]", a closing quote) and the whitespace
/// after it, else after the last line break, else after the last space,
/// else before the last UTF-8 lead byte (never inside a character). Only
/// the last three can split a phrase, and only in 128 KiB or more of text
/// with no punctuation; [`cut_point_avoiding`] keeps them out of phrases.
pub fn cut_point(buf: &[u8], floor: usize) -> usize {
    cut_point_avoiding(buf, floor, |_, _| false)
}

/// Candidates of each fallback kind (line breaks, then spaces) tried
/// against `spanned`, from the end, before the last one is taken anyway:
/// a bound on the work per cut when every candidate is inside a phrase.
pub const FALLBACK_TRIES: usize = 256;

/// [`cut_point`], where a fallback cut at a line break or a space is taken
/// only where `spanned(buf, at)` says no phrase runs across `at`: the
/// latest such line break, else such a space (of the last
/// [`FALLBACK_TRIES`] of each), else the last line break or space.
pub fn cut_point_avoiding(
    buf: &[u8],
    floor: usize,
    spanned: impl Fn(&[u8], usize) -> bool,
) -> usize {
    let tail = &buf[floor.min(buf.len())..];
    let base = buf.len() - tail.len();
    if let Some(i) = memchr::memmem::rfind(tail, b"\n\n") {
        return base + i + 2;
    }
    // Then after punctuation that ends a phrase and the space or line break
    // after it. A phrase may continue across a single line break ("this
    // 7\ndays"), so a bare line break is only the next fallback.
    if let Some(i) = tail.windows(2).rposition(|w| {
        matches!(w[0], b'.' | b'!' | b'?' | b';' | b':' | b')' | b']' | b'"')
            && matches!(w[1], b' ' | b'\n' | b'\t' | b'\r')
    }) {
        return base + i + 2;
    }
    let line_breaks = || memchr::memrchr_iter(b'\n', tail).map(|i| base + i + 1);
    let spaces = || {
        (tail.iter().enumerate().rev())
            .filter(|(_, b)| b.is_ascii_whitespace())
            .map(|(i, _)| base + i + 1)
    };
    let unspanned = |cuts: &mut dyn Iterator<Item = usize>| {
        cuts.take(FALLBACK_TRIES).find(|&at| !spanned(buf, at))
    };
    if let Some(cut) = unspanned(&mut line_breaks())
        .or_else(|| unspanned(&mut spaces()))
        .or_else(|| line_breaks().next())
        .or_else(|| spaces().next())
    {
        return cut;
    }
    let mut cut = buf.len();
    for back in 1..=4.min(buf.len()) {
        let b = buf[buf.len() - back];
        if b & 0xC0 != 0x80 {
            cut = buf.len() - back;
            break;
        }
    }
    if cut == 0 {
        buf.len()
    } else {
        cut
    }
}

/// Moves `cut` forward past UTF-8 continuation bytes, so that a chunk never
/// ends inside a character of `buf`.
pub fn next_boundary(buf: &[u8], mut cut: usize) -> usize {
    while cut < buf.len() && buf[cut] & 0xC0 == 0x80 {
        cut += 1;
    }
    cut
}

/// Where the document at the start of `buf` ends, when a stream is cut
/// into documents of about `target` bytes and `buf[..end]` is what has
/// been read: [`cut_point_avoiding`] past half the target, moved to a
/// character boundary of `buf`, never empty. The one rule that
/// [`DocumentReader`](super::DocumentReader) and [`split`] both follow.
pub fn document_end(
    buf: &[u8],
    end: usize,
    target: usize,
    spanned: impl Fn(&[u8], usize) -> bool,
) -> usize {
    let cut = cut_point_avoiding(&buf[..end.min(buf.len())], target / 2, spanned);
    next_boundary(buf, cut.max(1))
}

/// Splits `input` into documents of about `target` bytes, cut as
/// [`document_end`] says: the same cuts a streaming reader makes.
pub fn split(input: &[u8], target: usize) -> Vec<&[u8]> {
    let target = target.max(1);
    let mut chunks = Vec::new();
    let mut rest = input;
    while rest.len() > target {
        let cut = document_end(rest, target, target, |_, _| false);
        chunks.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        chunks.push(rest);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_blank_lines_then_sentences_then_lines_then_spaces() {
        assert_eq!(cut_point(b"a b\n\nc d\ne f", 0), 5);
        assert_eq!(cut_point(b"a b\nc d e", 0), 4);
        assert_eq!(cut_point(b"a b. c d", 0), 5);
        // A phrase may run across a single line break, not a full stop.
        assert_eq!(cut_point(b"met. this 7\ndays", 0), 5);
        assert_eq!(cut_point(b"met.\nthis 7\ndays", 0), 5);
        assert_eq!(cut_point(b"a b c", 0), 4);
        assert_eq!(cut_point("abcé".as_bytes(), 0), 3);
    }

    #[test]
    fn fallback_cuts_avoid_places_inside_a_phrase() {
        // "7\ndays" is one phrase: the line break inside it is no cut, so
        // the one before "this" is taken; without line breaks, a space.
        let inside = |buf: &[u8], at: usize| {
            (0..buf.len().saturating_sub(10))
                .filter(|&i| buf[i..].starts_with(b"this 7"))
                .any(|i| i < at && at < i + 11)
        };
        assert_eq!(cut_point_avoiding(b"a\nthis 7\ndays", 0, inside), 2);
        assert_eq!(cut_point_avoiding(b"a this 7 days", 0, inside), 2);
        assert_eq!(cut_point(b"a this 7 days", 0), 9);
        // A space outside the phrase beats a line break inside it.
        assert_eq!(
            cut_point_avoiding(b"this 7\ndays this 7\ndays", 0, inside),
            12
        );
        // When every place is inside a phrase, the last line break is cut.
        let everywhere = |_: &[u8], _: usize| true;
        assert_eq!(cut_point_avoiding(b"a b\nc d", 0, everywhere), 4);
    }

    #[test]
    fn split_covers_the_input() {
        let text = b"one two\n\nthree four five\nsix".repeat(20);
        for target in [1, 3, 10, 64, 10_000] {
            assert_eq!(split(&text, target).concat(), text);
        }
    }
}
