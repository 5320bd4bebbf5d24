//! Repairs spun names from the document's own evidence.
//!
//! A spinner cannot tell a name from a word, so "Yun Sun" becomes "Yun
//! Sunshine" in one sentence and "analyst Solar" in another, while "Sun
//! said" survives elsewhere. No dictionary can list every name, but the
//! document itself shows which form is the name: the one used alone in a
//! name position ("Sun said", "analyst Sun") to which the other forms are
//! thesaurus synonyms. This pass finds such forms and restores them.
//!
//! It also proposes the head word of organisation names whose last word is
//! a spinner's synonym of one ("Stimson Middle" -> "Stimson Center"), at a
//! lower level because the evidence is weaker.
//!
//! The thesaurus and the cue words are data in `dictionaries/`; no name is
//! written anywhere in the code.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use crate::edit::{Edit, Origin};
use crate::level::Level;
use crate::text::hash::PairProbe;
use crate::text::hash::WordHash;
use crate::text::segment::Segment;
use crate::text::tokenize::{is_apostrophe, Gap};

/// The data the name pass works from.
pub struct NameRules {
    /// `root<TAB>synonym` keys: the substitutions a spinner can make.
    thesaurus: fst::Set<&'static [u8]>,
    /// A pair filter of the same links. The pass asks about every pair of
    /// name forms in a text, nearly all unlinked, and a look-up in the set
    /// costs about fifty times a test of the filter.
    links: &'static [u8],
    /// The thesaurus's root words: common English words. The pass asks
    /// about many capitalised words of a text, most of them common. A set
    /// of the roots alone is small enough to stay in the cache, where a
    /// binary search of a sorted list, or a walk of the thesaurus's own
    /// keys, missed it at nearly every step.
    roots: fst::Set<&'static [u8]>,
    speech: WordList,
    titles: WordList,
    heads: WordList,
    function: WordList,
    /// Words that are close synonyms (each lists the other) of a head
    /// word, with those heads: found in the thesaurus by build.rs.
    head_synonyms: HashMap<&'static str, Vec<&'static str>>,
    /// A bit per hashed speech verb or title: most capitalised words have
    /// neither next to them, which the indexer's hashes tell at once.
    cues: [u64; CUE_WORDS],
}

/// Words of 64 bits in the cue filter.
const CUE_WORDS: usize = 64;

/// A small sorted list of lower-case words.
///
/// The pass asks these lists about many words that are not in them, so a
/// bit per (first byte, length) answers most questions before any search.
struct WordList {
    words: Vec<&'static str>,
    /// The same words, for membership.
    set: rustc_hash::FxHashSet<&'static str>,
    shapes: [u32; 256],
}

impl Default for WordList {
    fn default() -> WordList {
        WordList {
            words: Vec::new(),
            set: rustc_hash::FxHashSet::default(),
            shapes: [0; 256],
        }
    }
}

impl WordList {
    fn shape(word: &str) -> Option<(usize, u32)> {
        let first = *word.as_bytes().first()?;
        Some((first as usize, 1 << word.len().min(31)))
    }

    fn add(&mut self, word: &'static str) {
        if let Some((first, length)) = WordList::shape(word) {
            self.shapes[first] |= length;
        }
        self.words.push(word);
        self.set.insert(word);
    }

    fn contains(&self, word: &str) -> bool {
        WordList::shape(word).is_some_and(|(first, length)| self.shapes[first] & length != 0)
            && self.set.contains(word)
    }

    fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.words.iter().copied()
    }
}

impl NameRules {
    /// The rules built into the binary.
    pub fn embedded() -> &'static NameRules {
        static RULES: OnceLock<NameRules> = OnceLock::new();
        RULES.get_or_init(|| {
            let mut rules = NameRules {
                // build.rs built this set; a test verifies it.
                thesaurus: fst::Set::new(crate::embedded::THESAURUS)
                    .expect("embedded thesaurus is valid"),
                links: crate::embedded::THESAURUS_PAIRS,
                roots: fst::Set::new(crate::embedded::THESAURUS_ROOTS)
                    .expect("embedded thesaurus roots are valid"),
                speech: WordList::default(),
                titles: WordList::default(),
                heads: WordList::default(),
                function: WordList::default(),
                head_synonyms: HashMap::new(),
                cues: [0; CUE_WORDS],
            };
            for line in include_str!("../../dictionaries/name_cues.tsv").lines() {
                match line.split_once('\t') {
                    Some(("speech", word)) => rules.speech.add(word),
                    Some(("title", word)) => rules.titles.add(word),
                    Some(("head", word)) => rules.heads.add(word),
                    Some(("function", word)) => rules.function.add(word),
                    _ => {}
                }
            }
            for list in [
                &mut rules.speech,
                &mut rules.titles,
                &mut rules.heads,
                &mut rules.function,
            ] {
                list.words.sort_unstable();
                list.words.dedup();
            }
            // build.rs found them in the thesaurus; a test checks the table.
            for line in crate::embedded::HEAD_SYNONYMS.lines() {
                if let Some((synonym, head)) = line.split_once('\t') {
                    rules.head_synonyms.entry(synonym).or_default().push(head);
                }
            }
            for word in rules.speech.iter().chain(rules.titles.iter()) {
                let (word_at, bit) = WordHash::of(word.as_bytes()).bit_in(CUE_WORDS);
                rules.cues[word_at] |= bit;
            }
            rules
        })
    }

    /// Whether a hashed normalised word may be a speech verb or a title
    /// (false means it is neither).
    fn may_be_cue(&self, hash: WordHash) -> bool {
        let (word_at, bit) = hash.bit_in(CUE_WORDS);
        self.cues[word_at] & bit != 0
    }

    /// Whether the thesaurus lists `synonym` under `root`.
    pub(crate) fn lists(&self, root: &str, synonym: &str) -> bool {
        if !PairProbe::of_words(root, synonym).test(self.links) {
            return false;
        }
        let mut key = String::with_capacity(root.len() + synonym.len() + 1);
        key.push_str(root);
        key.push('\t');
        key.push_str(synonym);
        self.thesaurus.contains(key)
    }

    /// Whether a lower-case word is a common English word: one the
    /// thesaurus lists synonyms for. Given names and surnames like "Yun" or
    /// "Stimson" are not.
    fn is_common(&self, word: &str) -> bool {
        self.function.contains(word) || self.roots.contains(word)
    }

    /// The function words.
    pub(crate) fn function_words(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.function.iter()
    }

    /// Whether a lower-case word is a function word ("the", "of", "with").
    pub(crate) fn is_function_word(&self, word: &str) -> bool {
        self.function.contains(word)
    }

    /// Whether a word can be a person's name at all: not a function word,
    /// a role title or an organisation head.
    fn can_be_name(&self, word: &str) -> bool {
        !self.function.contains(word) && !self.titles.contains(word) && !self.heads.contains(word)
    }

    /// The synonyms the thesaurus lists under `root`.
    pub(crate) fn listed_under(&self, root: &str) -> Vec<String> {
        use fst::{IntoStreamer, Streamer};
        let from = format!("{root}\t");
        let to = format!("{root}\u{b}");
        let mut stream = self.thesaurus.range().ge(&from).lt(&to).into_stream();
        let mut out = Vec::new();
        while let Some(key) = stream.next() {
            out.push(String::from_utf8_lossy(&key[from.len()..]).into_owned());
        }
        out
    }

    /// Whether a spinner could turn one word into the other.
    fn synonyms(&self, a: &str, b: &str) -> bool {
        self.synonyms_of((a, self.roots.contains(a)), (b, self.roots.contains(b)))
    }

    /// [`NameRules::synonyms`] of two words, each with whether it is a
    /// thesaurus root: every link has a root on its left, so a pair of
    /// non-roots (most names) needs no pair test, and a caller that asks
    /// about many pairs tests each word once.
    fn synonyms_of(&self, (a, a_root): (&str, bool), (b, b_root): (&str, bool)) -> bool {
        a != b && (a_root && self.lists(a, b) || b_root && self.lists(b, a))
    }
}

/// A word of the document as the name pass sees it.
#[derive(Clone, Copy)]
struct Word<'a> {
    /// The word without a trailing possessive, as written.
    text: &'a str,
    capitalized: bool,
    possessive: bool,
    sentence_start: bool,
    /// Byte offset in the input.
    offset: usize,
}

impl<'a> Word<'a> {
    /// The word in lower case, with plain apostrophes. Computed on demand:
    /// only capitalised words and their neighbours are ever looked at.
    fn lower(&self) -> Cow<'a, str> {
        if self
            .text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'\'')
        {
            return Cow::Borrowed(self.text);
        }
        if self.text.is_ascii() {
            // The apostrophe is already plain; no char-wise mapping needed.
            return Cow::Owned(self.text.to_ascii_lowercase());
        }
        Cow::Owned(
            self.text
                .chars()
                .map(|c| if is_apostrophe(c) { '\'' } else { c })
                .flat_map(char::to_lowercase)
                .collect(),
        )
    }
}

/// Words that start with a capital and have a lower-case letter (so not
/// acronyms like "AFP").
fn is_capitalized(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_lowercase)
}

/// Whether the text before `start` ends a sentence or a paragraph.
fn starts_sentence(text: &str, start: usize) -> bool {
    for c in text[..start].chars().rev() {
        match c {
            ' ' | '\t' | '"' | '\'' | '(' | '[' | '\u{201C}' | '\u{2018}' => continue,
            '.' | '!' | '?' | ':' | '\n' | '\r' => return true,
            _ => return false,
        }
    }
    true
}

/// What the name pass found in a document.
pub(crate) struct NameFindings {
    pub(crate) edits: Vec<Edit>,
    /// Of the person repairs the evidence chose but the story did not
    /// support, the fewest words by which one missed: a repair that shifts
    /// words by fewer than `closest_miss - STORY_WORDS` makes none of them
    /// (`usize::MAX` when there is none).
    pub(crate) closest_miss: usize,
    /// The heading test's memory of the document's lines, for later
    /// questions about the same document.
    pub(crate) headings: HeadingLines,
    pub(crate) people: PersonForms,
}

/// The forms the person pass found in a document.
#[derive(Clone, Debug, Default)]
pub(crate) struct PersonForms {
    /// Forms used alone in a name position.
    pub(crate) alone: Vec<String>,
    /// Every form in a name position, when the pass got as far as
    /// collecting them (it stops where nothing is used alone).
    pub(crate) positions: Option<Vec<String>>,
    /// Whether any form in a name position is a synonym of one used alone.
    pub(crate) linked: bool,
}

impl PersonForms {
    /// Whether the forms of `added` roles, joined to these, could link a
    /// form in a name position to a form used alone, where none was.
    pub(crate) fn could_link(&self, rules: &NameRules, added: &[Role]) -> bool {
        if self.linked {
            return true;
        }
        let mut alone: Vec<&str> = self.alone.iter().map(String::as_str).collect();
        let mut new_positions = Vec::new();
        let mut new_alone = Vec::new();
        for role in added {
            match role {
                Role::Alone(form) => {
                    new_alone.push(form.as_str());
                    new_positions.push(form.as_str());
                }
                Role::Full { last, .. } => new_positions.push(last.as_str()),
            }
        }
        // The positions the pass did not collect could link to a new form
        // used alone.
        let Some(positions) = &self.positions else {
            return !new_alone.is_empty();
        };
        alone.extend(&new_alone);
        let old_positions = positions.iter().map(String::as_str);
        new_positions
            .iter()
            .any(|&form| alone.iter().any(|&name| rules.synonyms(form, name)))
            || old_positions
                .into_iter()
                .any(|form| new_alone.iter().any(|&name| rules.synonyms(form, name)))
    }
}

/// Finds name and organisation repairs in a tokenized document.
pub(crate) fn find_name_edits(segments: &[Segment<'_>], rules: &NameRules) -> NameFindings {
    let runs = capitalized_runs(segments);
    let mut headings = HeadingLines::default();
    let (mut edits, closest_miss, people) = person_edits(segments, &runs, rules, &mut headings);
    edits.extend(organisation_edits(segments, &runs, rules, &mut headings));
    NameFindings {
        edits,
        closest_miss,
        headings,
        people,
    }
}

/// The words of one segment, built on demand: the name rules look only at
/// capitalised words and their neighbours, a small part of any text.
#[derive(Clone, Copy)]
struct Words<'s, 'a> {
    segment: &'s Segment<'a>,
}

impl<'s, 'a> Words<'s, 'a> {
    fn len(&self) -> usize {
        self.segment.tokens.len()
    }

    fn get(&self, i: usize) -> Option<Word<'a>> {
        (i < self.len()).then(|| self.at(i))
    }

    fn at(&self, i: usize) -> Word<'a> {
        let segment = self.segment;
        let token = segment.tokens[i];
        let text = &segment.text[token.start..token.stem_end];
        let capitalized = is_capitalized(text);
        Word {
            text,
            capitalized,
            possessive: token.has_possessive(),
            sentence_start: capitalized && starts_sentence(segment.text, token.start),
            offset: segment.offset + token.start,
        }
    }

    fn range(&self, from: usize, to: usize) -> impl Iterator<Item = Word<'a>> + '_ {
        (from..to).map(|i| self.at(i))
    }
}

/// Runs of capitalised words joined by spaces: `(segment, first, last)`.
fn capitalized_runs(segments: &[Segment<'_>]) -> Vec<(usize, usize, usize)> {
    let mut runs = Vec::new();
    for (s, segment) in segments.iter().enumerate() {
        runs_from(segment, &segment.capitals, |first, last| {
            runs.push((s, first, last));
            true
        });
    }
    runs
}

/// Calls `each(first, last)` for the runs of capitalised words of
/// `segment` that start among `capitals` (a tail of the segment's list
/// whose first token does not follow another listed token), in order,
/// until it returns false.
fn runs_from(
    segment: &Segment<'_>,
    capitals: &[usize],
    mut each: impl FnMut(usize, usize) -> bool,
) {
    let capitalized = |t: usize| {
        is_capitalized(&segment.text[segment.tokens[t].start..segment.tokens[t].stem_end])
    };
    // Only tokens that start with a capital (or a non-ASCII letter) can
    // be capitalised; the indexer listed them.
    let mut candidates = capitals.iter().copied().peekable();
    while let Some(first) = candidates.next() {
        if !capitalized(first) {
            continue;
        }
        let mut last = first;
        while candidates.peek() == Some(&(last + 1))
            && segment.gaps[last] == Gap::Space
            && !segment.text[segment.tokens[last].end..segment.tokens[last + 1].start]
                .contains('\n')
            && !segment.tokens[last].has_possessive()
            && capitalized(last + 1)
        {
            candidates.next();
            last += 1;
        }
        if !each(first, last) {
            return;
        }
    }
}

/// What a run of capitalised words is to the person pass, short of where
/// it stands in the document: the facts its repairs are decided from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A form used alone in a name position ("Sun said").
    Alone(String),
    /// A person's name of two or three words, by its last word, and
    /// whether it has a cue of its own.
    Full { last: String, cued: bool },
}

/// The roles of the runs of `segment` that have a word among `tokens`,
/// in order, where `heading(token)` says whether the line of a token is
/// a heading. With `open_ends`, the segment is a window of a longer text,
/// and a run that reaches either end of it may go on: then `None`.
pub(crate) fn person_roles(
    rules: &NameRules,
    segment: &Segment<'_>,
    tokens: Range<usize>,
    open_ends: bool,
    mut heading: impl FnMut(usize) -> bool,
) -> Option<Vec<Role>> {
    let capitals = &segment.capitals;
    // A run that reaches into `tokens` from before starts in the block of
    // listed tokens that holds its first one: back to that block's start,
    // where the whole list's runs start too.
    let mut from = capitals.partition_point(|&c| c < tokens.start);
    while from > 0 && from < capitals.len() && capitals[from - 1] + 1 == capitals[from] {
        from -= 1;
    }
    let ws = Words { segment };
    let mut roles = Vec::new();
    let mut open = false;
    runs_from(segment, &capitals[from..], |first, last| {
        if first >= tokens.end {
            return false;
        }
        if last < tokens.start {
            return true;
        }
        if open_ends && (first == 0 || last + 1 == segment.tokens.len()) {
            open = true;
            return false;
        }
        if first == last {
            if used_alone(rules, segment, first) && !heading(first) {
                roles.push(Role::Alone(ws.at(first).lower().into_owned()));
            }
        } else if full_name(rules, segment, first, last) && !heading(first) {
            roles.push(Role::Full {
                last: ws.at(last).lower().into_owned(),
                cued: cued_full_name(rules, ws, first, last),
            });
        }
        true
    });
    (!open).then_some(roles)
}

/// Whether the one-word run at `first` is a form used alone in a name
/// position: after a title or before a speech verb ("analyst Sun", "Sun
/// said"). The heading test, which costs most, is left to the caller.
fn used_alone(rules: &NameRules, segment: &Segment<'_>, first: usize) -> bool {
    let ws = Words { segment };
    // Most capitalised words have no cue beside them, which the
    // indexer's hashes tell at once.
    let hashes = &segment.hashes;
    if !(first > 0 && rules.may_be_cue(hashes[first - 1].stem)
        || first + 1 < hashes.len() && rules.may_be_cue(hashes[first + 1].stem))
    {
        return false;
    }
    let word = ws.at(first);
    if word.sentence_start {
        return false;
    }
    let before_word = first.checked_sub(1).map(|b| ws.at(b));
    let before = before_word.as_ref().map(|b| b.lower());
    let before = before.as_deref();
    let spoken = ws
        .get(first + 1)
        .is_some_and(|next| rules.speech.contains(&next.lower()))
        && segment.gaps[first] == Gap::Space
        && !before.is_some_and(is_determiner);
    let titled = before_word.is_some_and(|b| !b.possessive)
        && segment.gaps[first - 1] == Gap::Space
        && before.is_some_and(|b| rules.titles.contains(b));
    (spoken || titled) && rules.can_be_name(&word.lower()) && !in_headline(rules, ws, first, first)
}

/// Whether the run `first..=last` reads as a person's name in full; the
/// heading test is left to the caller.
fn full_name(rules: &NameRules, segment: &Segment<'_>, first: usize, last: usize) -> bool {
    let ws = Words { segment };
    let run: Vec<Word<'_>> = ws.range(first, last + 1).collect();
    person_like(rules, &run, first.checked_sub(1).map(|b| ws.at(b)))
        && !in_headline(rules, ws, first, last)
}

/// Whether the words around a run are capitalised too, as in a headline or
/// a title ("Bangladeshis Reveal a Correlation of Rice"), where capitals
/// say nothing about names.
fn in_headline(rules: &NameRules, ws: Words<'_, '_>, first: usize, last: usize) -> bool {
    let window = first.saturating_sub(3)..(last + 4).min(ws.len());
    window
        .filter(|&i| i < first || i > last)
        .map(|i| ws.at(i))
        .filter(|w| w.capitalized && !w.sentence_start)
        .filter(|w| !rules.function.contains(&w.lower()))
        .count()
        >= 2
}

/// Words that come before common nouns, never before a person's name.
fn is_determiner(word: &str) -> bool {
    matches!(
        word,
        "the"
            | "a"
            | "an"
            | "this"
            | "that"
            | "these"
            | "those"
            | "our"
            | "their"
            | "its"
            | "his"
            | "her"
            | "my"
            | "your"
            | "each"
            | "every"
            | "any"
            | "no"
    )
}

/// Whether a run of capitalised words reads as a person's full name: two or
/// three words, not after a determiner, whose first words are not common
/// English ("Yun Sunshine", not "Shared Task" or "the Web Service"). That
/// test also keeps a capital at the start of a sentence from counting.
fn person_like(rules: &NameRules, run: &[Word<'_>], before: Option<Word<'_>>) -> bool {
    (2..=3).contains(&run.len())
        && !before.is_some_and(|b| is_determiner(&b.lower()))
        && run[..run.len() - 1]
            .iter()
            .all(|w| !rules.is_common(&w.lower()))
        && rules.can_be_name(&run[run.len() - 1].lower())
}

/// Words on either side of a name repair within which its evidence must
/// lie: about one news story. Archives and crawls run many stories
/// together, and a word capitalised in one ("Release notes") is no
/// evidence about a word in another.
pub(crate) const STORY_WORDS: usize = 1_000;

/// A word in a name position, with its place in the document.
#[derive(Clone, Copy)]
struct Mention<'a> {
    word: Word<'a>,
    /// Index of the word among all the document's words.
    at: usize,
}

/// The items of `sorted` (in document order, by `at`) within one story of
/// the word at `center`.
fn in_story<T>(sorted: &[T], at: impl Fn(&T) -> usize, center: usize) -> std::ops::Range<usize> {
    let from = sorted.partition_point(|item| at(item) + STORY_WORDS < center);
    let to = sorted.partition_point(|item| at(item) <= center + STORY_WORDS);
    from..to.max(from)
}

/// People's names: a form used alone as a name is the original of its
/// thesaurus synonyms used in name positions, when the same story also
/// names the person in full.
///
/// The full name is the co-reference: "Yun Sunshine, director of ..."
/// followed by "Sun said" and "analyst Solar" is one person. Without a
/// full name with a cue of its own (a comma of apposition, a speech verb
/// or a title), a capitalised word beside "said" is as likely a product,
/// a place or a menu label as a surname.
fn person_edits<'a>(
    segments: &[Segment<'a>],
    runs: &[(usize, usize, usize)],
    rules: &NameRules,
    headings: &mut HeadingLines,
) -> (Vec<Edit>, usize, PersonForms) {
    let none = |forms: PersonForms| (Vec::new(), usize::MAX, forms);
    // Each segment's first word among all the document's words.
    let mut base = Vec::with_capacity(segments.len());
    let mut words = 0;
    for segment in segments {
        base.push(words);
        words += segment.tokens.len();
    }
    // Forms used alone in a name position ("Sun said", "analyst Sun"),
    // every use.
    let mut alone: HashMap<String, Vec<Mention<'a>>> = HashMap::new();
    // Every word in a name position: alone, or the last word of a name of
    // two or more words ("Yun Sunshine").
    let mut positions: Vec<Mention<'a>> = Vec::new();
    for &(s, first, _) in runs.iter().filter(|&&(_, first, last)| first == last) {
        let segment = &segments[s];
        if used_alone(rules, segment, first) && !headings.contains(rules, segment, first) {
            let word = Words { segment }.at(first);
            let mention = Mention {
                word,
                at: base[s] + first,
            };
            alone
                .entry(word.lower().into_owned())
                .or_default()
                .push(mention);
            positions.push(mention);
        }
    }
    // Without a form used alone there is nothing to restore: the longer
    // names are looked at only then.
    if alone.is_empty() {
        return none(PersonForms::default());
    }
    // Full names whose last word is a name form, and those of them that
    // have a cue: the co-references.
    let mut full_names: Vec<(String, usize)> = Vec::new();
    for &(s, first, last) in runs.iter().filter(|&&(_, first, last)| first != last) {
        let segment = &segments[s];
        if full_name(rules, segment, first, last) && !headings.contains(rules, segment, first) {
            let ws = Words { segment };
            let last_word = ws.at(last);
            positions.push(Mention {
                word: last_word,
                at: base[s] + last,
            });
            if cued_full_name(rules, ws, first, last) {
                full_names.push((last_word.lower().into_owned(), base[s] + last));
            }
        }
    }
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    for mention in &positions {
        *occurrences
            .entry(mention.word.lower().into_owned())
            .or_default() += 1;
    }
    // Links between the forms in name positions and the forms used alone.
    // Whether each form is a thesaurus root, asked once: most names are
    // not, which spares the pair test (a probable cache miss in a large
    // filter) of nearly every pair.
    fn with_roots<'f>(
        rules: &NameRules,
        forms: impl Iterator<Item = &'f String>,
    ) -> Vec<(&'f str, bool)> {
        forms
            .map(|f| (f.as_str(), rules.roots.contains(f)))
            .collect()
    }
    let mut linked: HashMap<&str, Vec<&str>> = HashMap::new();
    let names = with_roots(rules, alone.keys());
    for (form, form_is_root) in with_roots(rules, occurrences.keys()) {
        for &(name, name_is_root) in &names {
            if rules.synonyms_of((form, form_is_root), (name, name_is_root)) {
                linked.entry(form).or_default().push(name);
            }
        }
    }
    let forms = PersonForms {
        alone: alone.keys().cloned().collect(),
        positions: Some(occurrences.keys().cloned().collect()),
        linked: !linked.is_empty(),
    };
    if linked.is_empty() {
        return none(forms);
    }
    let originals = choose_originals(rules, &occurrences, &alone, &linked);
    let mut closest_miss = usize::MAX;
    let edits = positions
        .into_iter()
        .filter_map(|mention| {
            let form = mention.word.lower();
            let &name = originals.get(form.as_ref())?;
            let named_by =
                |last: &str| last == name || last == form.as_ref() || rules.synonyms(last, name);
            // The nearest use of the original alone, in the same story.
            // Both lists are in document order, so the story is a slice.
            let uses = &alone[name];
            let evidence = uses[in_story(uses, |e| e.at, mention.at)]
                .iter()
                .min_by_key(|e| e.at.abs_diff(mention.at));
            // The story names the person in full, with the original, this
            // variant or another variant of the original as surname.
            let named = full_names[in_story(&full_names, |(_, at)| *at, mention.at)]
                .iter()
                .any(|(last, _)| named_by(last));
            let Some(evidence) = evidence.filter(|_| named) else {
                // How far the story would have to reach for this repair.
                let apart = |at: usize| at.abs_diff(mention.at);
                let used = uses.iter().map(|e| apart(e.at)).min();
                let full = full_names
                    .iter()
                    .filter(|(last, _)| named_by(last))
                    .map(|&(_, at)| apart(at))
                    .min();
                if let (Some(used), Some(full)) = (used, full) {
                    closest_miss = closest_miss.min(used.max(full));
                }
                return None;
            };
            Some(Edit {
                range: mention.word.offset..mention.word.offset + mention.word.text.len(),
                replacement: evidence.word.text.to_string(),
                origin: Origin::Name {
                    name: evidence.word.text.to_string(),
                    evidence: evidence.word.offset,
                },
                level: Level::Sure,
                applied: false,
                fit: None,
            })
        })
        .collect();
    (edits, closest_miss, forms)
}

/// The original chosen for each linked form, where the evidence decides:
/// the hub of the variants. Each form's score is how many other name forms
/// it is a synonym of, one more if it is used alone as a name, then how
/// often it occurs in a name position.
fn choose_originals<'f>(
    rules: &NameRules,
    occurrences: &'f HashMap<String, usize>,
    alone: &'f HashMap<String, Vec<Mention<'_>>>,
    linked: &HashMap<&'f str, Vec<&'f str>>,
) -> HashMap<&'f str, &'f str> {
    let mut scores: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut score = |form: &'f str| -> (usize, usize) {
        *scores.entry(form).or_insert_with(|| {
            let links = occurrences
                .keys()
                .filter(|other| rules.synonyms(form, other))
                .count();
            (
                links + alone.contains_key(form) as usize,
                occurrences.get(form).copied().unwrap_or(0),
            )
        })
    };
    let mut originals = HashMap::new();
    for (&variant, names) in linked {
        let own = score(variant);
        let mut best: Option<(&str, (usize, usize))> = None;
        let mut tied = false;
        for &name in names {
            let theirs = score(name);
            if theirs <= own {
                continue;
            }
            match best {
                Some((_, top)) if top > theirs => {}
                Some((_, top)) if top == theirs => tied = true,
                _ => {
                    best = Some((name, theirs));
                    tied = false;
                }
            }
        }
        if let (Some((name, _)), false) = (best, tied) {
            originals.insert(variant, name);
        }
    }
    originals
}

/// Whether a full name has a cue of its own: a comma of apposition after
/// it ("Yun Sun, director of"), a speech verb after or before it ("Emma
/// Cook told", "said Hal Brands"), or a title before it ("analyst Yun
/// Sun").
fn cued_full_name(rules: &NameRules, ws: Words<'_, '_>, first: usize, last: usize) -> bool {
    let gaps = &ws.segment.gaps;
    let apposition = last + 1 < ws.len() && gaps[last] == Gap::Comma;
    let spoken_after = last + 1 < ws.len()
        && gaps[last] == Gap::Space
        && rules.speech.contains(&ws.at(last + 1).lower());
    let cued_before =
        first > 0 && gaps[first - 1] == Gap::Space && !ws.at(first - 1).possessive && {
            let before = ws.at(first - 1).lower();
            rules.speech.contains(&before) || rules.titles.contains(&before)
        };
    apposition || spoken_after || cued_before
}

/// Which lines are headings, labels or title case, where a capital says
/// where a word stands and nothing about names: most of the line's
/// content words are capitalised ("Save Page As", "Release Notes",
/// "Contents"). Remembered per line, since a line may hold many runs.
#[derive(Default)]
pub(crate) struct HeadingLines {
    known: HashMap<(usize, usize), bool>,
    /// Each segment's line breaks, found once: searching back from every
    /// word for its line's start made a long line quadratic.
    breaks: HashMap<usize, Vec<usize>>,
}

impl HeadingLines {
    /// Whether the line of `segment` that holds `token` is a heading.
    pub(crate) fn contains(
        &mut self,
        rules: &NameRules,
        segment: &Segment<'_>,
        token: usize,
    ) -> bool {
        let at = segment.tokens[token].start;
        let bytes = segment.text.as_bytes();
        let breaks = self
            .breaks
            .entry(segment.offset)
            .or_insert_with(|| memchr::memchr_iter(b'\n', bytes).collect());
        let line = breaks.partition_point(|&b| b < at);
        let start = line.checked_sub(1).map_or(0, |i| breaks[i] + 1);
        let end = breaks.get(line).copied().unwrap_or(bytes.len());
        *self
            .known
            .entry((segment.offset, start))
            .or_insert_with(|| {
                let from = segment.tokens.partition_point(|t| t.start < start);
                let to = segment.tokens.partition_point(|t| t.start < end);
                LineCase::headings_with(rules, segment, from..to, LineCase::default()).0
            })
    }
}

/// How many of a line's content words are capitalised and how many are in
/// lower case, as the heading test counts them. Signed, so that the
/// counts of a changed stretch can be taken off and added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LineCase {
    pub(crate) capitals: isize,
    pub(crate) lower: isize,
}

impl LineCase {
    /// The counts of the tokens `tokens` of `segment`.
    pub(crate) fn of(rules: &NameRules, segment: &Segment<'_>, tokens: Range<usize>) -> LineCase {
        let mut case = LineCase::default();
        for word in (Words { segment }).range(tokens.start, tokens.end) {
            case.count(rules, word);
        }
        case
    }

    /// Whether the line of `tokens` is a heading, and whether it would be
    /// with `change` added to its counts. Most lines are prose by far, which
    /// a few words tell for both.
    pub(crate) fn headings_with(
        rules: &NameRules,
        segment: &Segment<'_>,
        tokens: Range<usize>,
        change: LineCase,
    ) -> (bool, bool) {
        let mut case = LineCase::default();
        let words = tokens.len();
        for (i, word) in (Words { segment })
            .range(tokens.start, tokens.end)
            .enumerate()
        {
            // Even if every word left were a capital, and the change added
            // only capitals, neither could reach three capitals per word in
            // lower case.
            let capitals = case.capitals + (words - i) as isize + change.capitals.max(0);
            if capitals < 3 * (case.lower + change.lower.min(0)) {
                return (false, false);
            }
            case.count(rules, word);
        }
        let changed = LineCase {
            capitals: case.capitals + change.capitals,
            lower: case.lower + change.lower,
        };
        (case.is_heading(), changed.is_heading())
    }

    fn count(&mut self, rules: &NameRules, word: Word<'_>) {
        if rules.function.contains(&word.lower()) {
            return;
        }
        if word.text.chars().next().is_some_and(char::is_uppercase) {
            self.capitals += 1;
        } else {
            self.lower += 1;
        }
    }

    /// Three in four content words capitalised: at least three capitals
    /// per word in lower case ("Save Page As", "Release Notes").
    pub(crate) fn is_heading(self) -> bool {
        self.capitals > 0 && self.capitals >= 3 * self.lower
    }
}

/// Whether the run starting at word `first` follows "the", possibly with a
/// hyphenated compound in between ("the Washington-based Stimson Middle").
fn after_the(segment: &Segment<'_>, first: usize) -> bool {
    let Some(mut at) = first.checked_sub(1) else {
        return false;
    };
    if at > 0 && segment.gaps[at - 1] == Gap::Hyphen {
        // Skip back to the first word of the compound, then one more.
        while at > 0 && segment.gaps[at - 1] == Gap::Hyphen {
            at -= 1;
        }
        let Some(before) = at.checked_sub(1) else {
            return false;
        };
        at = before;
    }
    // No character beyond ASCII lowercases to "t", "h" or "e", so an ASCII
    // comparison agrees with `Word::lower`, without building the word.
    let token = segment.tokens[at];
    segment.text[token.start..token.stem_end].eq_ignore_ascii_case("the")
        && segment.gaps[at] == Gap::Space
}

/// Organisation names whose last word is a spinner's synonym of a common
/// head word ("the Stimson Middle" -> "the Stimson Center").
fn organisation_edits(
    segments: &[Segment<'_>],
    runs: &[(usize, usize, usize)],
    rules: &NameRules,
    headings: &mut HeadingLines,
) -> Vec<Edit> {
    // Found edits, with the last word in lower case when only one head is
    // close: such an edit is likely unless the document also uses the word
    // in lower case (an ordinary word there, so perhaps an ordinary name
    // ending too). That is settled below, in one scan for all of them.
    let mut found: Vec<(Edit, Option<String>)> = Vec::new();
    for &(s, first, last) in runs {
        let ws = Words {
            segment: &segments[s],
        };
        if last == first || !after_the(&segments[s], first) {
            continue;
        }
        let word = ws.at(last);
        let lower = word.lower();
        let lower = lower.as_ref();
        if rules.heads.contains(lower) {
            continue;
        }
        // Heads that are close synonyms (each lists the other) of the word:
        // most runs end in a word that has none ("the United States").
        let heads: Vec<&str> = rules.head_synonyms.get(lower).cloned().unwrap_or_default();
        let Some(&head) = heads.first() else {
            continue;
        };
        // In a heading every word is capitalised, names or not.
        if headings.contains(rules, &segments[s], first) {
            continue;
        }
        // An organisation's name has a proper word ("Stimson"), unlike a
        // common phrase that happens to be capitalised ("Shared Task").
        if ws.range(first, last).all(|w| rules.is_common(&w.lower())) {
            continue;
        }
        let mut replacement = String::with_capacity(head.len());
        let mut chars = head.chars();
        replacement.extend(chars.next().into_iter().flat_map(char::to_uppercase));
        replacement.push_str(chars.as_str());
        let edit = Edit {
            range: word.offset..word.offset + word.text.len(),
            replacement,
            origin: Origin::OrganisationHead {
                head: heads.join("|"),
            },
            // Several close heads make the edit only a suggestion.
            level: Level::Suggest,
            applied: false,
            fit: None,
        };
        found.push((edit, (heads.len() == 1).then(|| lower.to_string())));
    }
    // The scan compares the words' filter hashes, which the indexer has
    // computed, and the text only where a hash is equal (or, for a word
    // beyond ASCII, whose normalised form may differ, always).
    let mut asked: Vec<(WordHash, bool, &str)> = found
        .iter()
        .filter_map(|(_, w)| w.as_deref())
        .map(|w| (WordHash::of(w.as_bytes()), w.is_ascii(), w))
        .collect();
    asked.sort_unstable_by_key(|&(_, _, w)| w);
    asked.dedup_by_key(|&mut (_, _, w)| w);
    // One bit of a word for each asked hash, so that most words are passed
    // over with one test; a word beyond ASCII is always compared.
    let bit = |hash: WordHash| hash.bit_in(1).1;
    let mask = asked
        .iter()
        .map(|&(hash, ascii, _)| if ascii { bit(hash) } else { u64::MAX })
        .fold(0, |mask, word| mask | word);
    let mut in_lowercase: HashSet<String> = HashSet::new();
    'scan: for segment in segments {
        if in_lowercase.len() == asked.len() {
            break 'scan;
        }
        for (t, hashes) in segment.tokens.iter().zip(&segment.hashes) {
            if mask & bit(hashes.stem) == 0 {
                continue;
            }
            for &(hash, ascii, word) in &asked {
                if (hashes.stem == hash || !ascii)
                    && &segment.text[t.start..t.stem_end] == word
                    && in_lowercase.insert(word.to_string())
                    && in_lowercase.len() == asked.len()
                {
                    break 'scan;
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(mut edit, lower)| {
            if lower.is_some_and(|w| !in_lowercase.contains(&w)) {
                edit.level = Level::Likely;
            }
            edit
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_case_words_agree_with_the_char_rules() {
        for text in [
            "Sun",
            "McCARTHY",
            "O'Brien",
            "O\u{2019}Brien",
            "Zoë",
            "İstanbul",
            "x2",
        ] {
            let word = Word {
                text,
                capitalized: true,
                possessive: false,
                sentence_start: false,
                offset: 0,
            };
            let by_chars: String = text
                .chars()
                .map(|c| if is_apostrophe(c) { '\'' } else { c })
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(word.lower(), by_chars, "{text}");
        }
    }

    #[test]
    fn embedded_thesaurus_is_valid() {
        let rules = NameRules::embedded();
        rules.thesaurus.as_fst().verify().unwrap();
        rules.roots.as_fst().verify().unwrap();
        assert!(rules.is_common("middle") && !rules.is_common("stimson"));
        assert!(rules.synonyms("sun", "sunshine"));
        assert!(rules.synonyms("solar", "sun"));
        assert!(!rules.synonyms("sun", "table"));
        assert!(rules.speech.contains("said"));
        assert!(rules.heads.contains("center"));
    }

    #[test]
    fn build_found_every_close_synonym_of_a_head_word() {
        let rules = NameRules::embedded();
        let mut expected: HashMap<String, Vec<&str>> = HashMap::new();
        for head in rules.heads.iter() {
            for synonym in rules.listed_under(head) {
                if rules.lists(&synonym, head) {
                    expected.entry(synonym).or_default().push(head);
                }
            }
        }
        assert!(!expected.is_empty());
        assert_eq!(expected.len(), rules.head_synonyms.len());
        for (synonym, heads) in &expected {
            assert_eq!(
                rules.head_synonyms.get(synonym.as_str()),
                Some(heads),
                "{synonym}"
            );
        }
    }

    #[test]
    fn the_link_filter_passes_every_thesaurus_link() {
        use fst::Streamer;
        let rules = NameRules::embedded();
        let mut keys = rules.thesaurus.stream();
        let (mut links, mut absent_passed) = (0, 0);
        while let Some(key) = keys.next() {
            let key = std::str::from_utf8(key).unwrap();
            let (root, synonym) = key.split_once('\t').unwrap();
            assert!(rules.lists(root, synonym), "{key}");
            links += 1;
            // The same words the other way round are mostly not a link.
            let reversed = PairProbe::of_words(synonym, root).test(rules.links);
            absent_passed +=
                usize::from(reversed && !rules.thesaurus.contains(format!("{synonym}\t{root}")));
        }
        assert!(links > 100_000);
        // The filter answers most absent links by itself.
        assert!(absent_passed * 10 < links, "{absent_passed} of {links}");
    }
}
