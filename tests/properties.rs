//! Properties that must hold for any input and any dictionary.

use despin::{edit, Dictionary, Options, Repairer};
use proptest::prelude::*;
use std::sync::LazyLock;

/// Words a spinner writes (the spun side) and words of the original side.
/// They are disjoint, as in a dictionary without chains.
const SPUN: &[&str] = &[
    "profound",
    "woodland",
    "Residence",
    "7",
    "days",
    "man",
    "woman",
    "né",
];
const ORIGINAL: &[&str] = &["deep", "forest", "House", "week", "person", "ünïcode"];
const OTHER: &[&str] = &["the", "a", "of", "and", "Learning", "x", "'s", "don't"];
const SEPARATORS: &[&str] = &[
    " ", "  ", "\n", "\r\n", "-", ", ", ". ", "\n\n", "’", "\t", "\u{2011}",
];

fn phrase(vocabulary: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vocabulary), 1..4).prop_map(|w| w.join(" "))
}

fn level() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["sure", "likely", "suggest"][..])
}

fn dictionary() -> impl Strategy<Value = Dictionary> {
    prop::collection::btree_map(phrase(SPUN), (phrase(ORIGINAL), level()), 1..8).prop_map(
        |entries| {
            let tsv: String = entries
                .iter()
                .map(|(spun, (original, level))| format!("{spun}\t{original}\t{level}\n"))
                .collect();
            Dictionary::from_tsv("prop", "prop.tsv", tsv.as_bytes())
                .expect("generated dictionary is valid")
        },
    )
}

fn text() -> impl Strategy<Value = String> {
    let word = prop::sample::select([SPUN, ORIGINAL, OTHER].concat());
    let piece = (word, prop::sample::select(SEPARATORS)).prop_map(|(w, s)| format!("{w}{s}"));
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

/// Checks the structural promises of a list of edits over `input`.
fn assert_well_formed(input: &[u8], edits: &[despin::Edit]) {
    let mut last_end = 0;
    for e in edits {
        assert!(e.range.start >= last_end, "edits overlap or are unsorted");
        assert!(e.range.start < e.range.end && e.range.end <= input.len());
        let span = &input[e.range.clone()];
        assert!(
            std::str::from_utf8(span).is_ok(),
            "edit not on char boundaries"
        );
        last_end = e.range.end;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..512)) {
        let repairer = Repairer::default();
        let edits = repairer.find_edits(&input);
        assert_well_formed(&input, &edits);
    }

    #[test]
    fn arbitrary_text_never_panics_with_defaults(input in "\\PC{0,300}") {
        let repair = Repairer::default().repair(&input);
        assert_well_formed(input.as_bytes(), &repair.edits);
    }

    #[test]
    fn bytes_outside_edits_are_preserved(dictionary in dictionary(), input in text(), junk in prop::collection::vec(any::<u8>(), 0..4)) {
        let repairer = Repairer::new(vec![dictionary], Options::default());
        // Splice invalid bytes in the middle of the text.
        let mut bytes = input.clone().into_bytes();
        let at = bytes.len() / 2;
        let at = (0..=at).rev().find(|&i| input.is_char_boundary(i)).unwrap_or(0);
        bytes.splice(at..at, junk.iter().map(|b| b | 0x80));
        let edits = repairer.find_edits(&bytes);
        assert_well_formed(&bytes, &edits);
        let out = edit::applied(&bytes, &edits);
        // Walk the output: every byte between applied edits is the input's.
        let mut pos_in = 0;
        let mut pos_out = 0;
        for e in edits.iter().filter(|e| e.applied) {
            let kept = &bytes[pos_in..e.range.start];
            prop_assert_eq!(&out[pos_out..pos_out + kept.len()], kept);
            pos_out += kept.len() + e.replacement.len();
            pos_in = e.range.end;
        }
        prop_assert_eq!(&out[pos_out..], &bytes[pos_in..]);
    }

    #[test]
    fn identity_when_nothing_matches(dictionary in dictionary(), words in prop::collection::vec(prop::sample::select([ORIGINAL, OTHER].concat()), 0..30), sep in prop::sample::select(SEPARATORS)) {
        let input = words.join(sep);
        let repairer = Repairer::new(vec![dictionary], Options::default());
        let repair = repairer.repair(&input);
        prop_assert!(repair.edits.is_empty());
        prop_assert_eq!(repair.text, input);
    }

    #[test]
    fn repair_is_idempotent(dictionary in dictionary(), input in text()) {
        let repairer = Repairer::new(vec![dictionary], Options::default());
        let once = repairer.repair(&input).text;
        let twice = repairer.repair(&once).text;
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn chunked_repair_equals_whole_repair(dictionary in dictionary(), input in text(), target in 1usize..200) {
        // Document-level rules see one chunk at a time, so they are off here;
        // everything else must not depend on where the input is cut.
        let options = Options { promote: None, names: false, guess: None, ..Options::default() };
        let repairer = Repairer::new(vec![dictionary], options);
        let whole = repairer.repair(&input).text;
        let bytes = input.as_bytes();
        let pieces: Vec<String> = despin::document::cut::split(bytes, target)
            .into_iter()
            .map(|chunk| repairer.repair(std::str::from_utf8(chunk).unwrap()).text)
            .collect();
        // Cuts after a blank line never change a match; other cuts may split
        // a phrase, so compare only inputs whose chunks end at blank lines.
        let chunks = despin::document::cut::split(bytes, target);
        if chunks.iter().rev().skip(1).all(|c| c.ends_with(b"\n\n")) {
            prop_assert_eq!(pieces.concat(), whole);
        }
    }

    #[test]
    fn defaults_are_idempotent(input in text()) {
        let repairer = Repairer::default();
        let once = repairer.repair(&input).text;
        let twice = repairer.repair(&once).text;
        prop_assert_eq!(twice, once);
    }
}

/// Phrases of the shipped dictionaries: a sample of every default
/// dictionary's spun keys, with the originals and condition phrases of
/// their entries. Documents built from them hit chains, conditions met by
/// another repair, promotion and guesses.
static SHIPPED_PHRASES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut phrases = Vec::new();
    for dictionary in Dictionary::defaults() {
        let keys: Vec<(String, u64)> = dictionary.keys().collect();
        let step = (keys.len() / 1500).max(1);
        for (key, first) in keys.into_iter().step_by(step) {
            for (_, entry) in dictionary.entries_from(first) {
                phrases.push(entry.original.to_string());
                let clauses = entry.condition.into_iter().flat_map(|c| c.split(';'));
                for clause in clauses {
                    let body = clause.split_once(':').map_or(clause, |(_, body)| body);
                    let body = body.rsplit_once('~').map_or(body, |(body, _)| body);
                    phrases.extend(body.split('|').map(|p| p.trim_end_matches('*').to_string()));
                }
            }
            phrases.push(key);
        }
    }
    phrases
});

/// Name material: a full name with a cue, the short form, and thesaurus
/// synonyms of the short form as a spinner writes them, for people and
/// for an organisation's head word.
const NAME_PIECES: &[&str] = &[
    "Yun Sun",
    "Sun",
    "Sunshine",
    "Solar",
    "analyst Sun",
    "Sun said",
    "Sunshine said",
    "Maria Stone",
    "Stone",
    "Rock",
    "professor Rock",
    "Stone stated",
    "Stimson Center",
    "Stimson Middle",
    "Center",
    "Middle",
    "the",
    "and",
    "of",
    "was",
    "said",
];
const PUNCTUATION: &[&str] = &[
    " ",
    " ",
    " ",
    ", ",
    ". ",
    "\n",
    "\n\n",
    "; ",
    " (",
    ") ",
    "\"",
    "-",
    ": ",
    "\u{2019}s ",
];

/// One phrase in lower, first-capital or upper case, and what follows it.
fn shipped_piece() -> impl Strategy<Value = String> {
    let phrase = prop_oneof![
        3 => prop::sample::select(SHIPPED_PHRASES.clone()),
        1 => prop::sample::select(NAME_PIECES).prop_map(str::to_string),
    ];
    (phrase, 0..6u8, prop::sample::select(PUNCTUATION)).prop_map(|(phrase, case, after)| {
        let cased = match case {
            0 => phrase.to_uppercase(),
            1 => {
                let mut chars = phrase.chars();
                chars.next().map_or(String::new(), |first| {
                    first.to_uppercase().chain(chars).collect()
                })
            }
            _ => phrase,
        };
        format!("{cased}{after}")
    })
}

proptest! {
    // Each case repairs a document twice with every default rule.
    // `tools/idempotence.py` runs the same generator over many more
    // documents through the binary.
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn shipped_dictionaries_repair_once_and_for_all(pieces in prop::collection::vec(shipped_piece(), 1..80)) {
        let repairer = Repairer::default();
        let input = pieces.concat();
        let once = repairer.repair(&input).text;
        let twice = repairer.repair(&once).text;
        prop_assert_eq!(twice, once);
    }
}

/// A valid compiled dictionary, with a condition, a fallback and case, for
/// the corruption test to damage.
static COMPILED: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let tsv = include_str!("fixtures/corruptible.tsv");
    let entries = despin::dictionary::source::parse_tsv(tsv.as_bytes()).unwrap();
    despin::dictionary::compiled::compile(entries).unwrap()
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_corrupt_compiled_dictionary_is_refused_or_works(
        writes in prop::collection::vec((any::<bool>(), any::<prop::sample::Index>(), any::<u8>()), 1..6)
    ) {
        let mut bytes = COMPILED.clone();
        // Most of the file is the key filter, where any byte is valid; the
        // writes go to the header or to the tail (index, entry table,
        // strings), where a bad byte matters.
        let tail = bytes.len().min(4096);
        for (head, at, byte) in &writes {
            let at = if *head {
                at.index(256.min(bytes.len()))
            } else {
                bytes.len() - tail + at.index(tail)
            };
            bytes[at] = *byte;
        }
        // Loaded as `--dict X.fst` loads it: the layout, then the index's
        // checksum. What passes both must repair without a panic.
        let bytes = despin::dictionary::Bytes::from(bytes);
        let Ok(dictionary) = Dictionary::from_compiled("c", "c.fst", bytes) else {
            return Ok(());
        };
        if dictionary.verify_index().is_err() {
            return Ok(());
        }
        for (key, _) in dictionary.keys().take(16) {
            let _ = dictionary.lookup(&key);
        }
        let repairer = Repairer::new(vec![dictionary], Options::default());
        let text = b"Profound learning this 7 days. The Residence Speaker; flag to commotion noise.";
        let edits = repairer.find_edits(text);
        assert_well_formed(text, &edits);
    }
}
