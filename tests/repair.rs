//! Core behaviour of `Repairer`, written as input/expected-output pairs.

use despin::{Dictionary, Level, Options, Repairer};

fn test_dictionary() -> Dictionary {
    let tsv = include_bytes!("fixtures/test-dict.tsv");
    Dictionary::from_tsv("test", "tests/fixtures/test-dict.tsv", tsv).unwrap()
}

fn repairer(options: Options) -> Repairer {
    Repairer::new(vec![test_dictionary()], options)
}

/// Asserts that repairing `input` with the test dictionary gives `expected`.
#[track_caller]
fn assert_repair(input: &str, expected: &str) {
    assert_repair_with(Options::default(), input, expected);
}

#[track_caller]
fn assert_repair_with(options: Options, input: &str, expected: &str) {
    let repair = repairer(options).repair(input);
    assert_eq!(repair.text, expected, "input: {input:?}");
}

#[test]
fn replaces_a_phrase() {
    assert_repair(
        "We use profound learning here.",
        "We use deep learning here.",
    );
}

#[test]
fn identity_when_nothing_matches() {
    let text = "Nothing\r\nto see  here,\ttruly.\u{FEFF} No final newline";
    assert_repair(text, text);
}

#[test]
fn carries_case_over() {
    assert_repair("Profound learning works.", "Deep learning works.");
    assert_repair("PROFOUND LEARNING WORKS", "DEEP LEARNING WORKS");
    assert_repair("On Profound Learning", "On Deep Learning");
    assert_repair("deoxyribonucleic corrosive", "DNA");
}

#[test]
fn longest_match_wins() {
    // "profound" alone is a likely entry; the sure two-word entry wins.
    let aggressive = Options {
        apply: Some(Level::Likely),
        ..Options::default()
    };
    assert_repair_with(aggressive, "profound learning", "deep learning");
    assert_repair_with(aggressive, "profound thought", "deep thought");
}

#[test]
fn never_matches_inside_a_word() {
    assert_repair("unprofound learning", "unprofound learning");
    assert_repair("profound learningless", "profound learningless");
    assert_repair("this 7 dayss", "this 7 dayss");
}

#[test]
fn matches_across_spacing_line_breaks_and_hyphens() {
    assert_repair("this 7\n days", "this week");
    assert_repair("this  7   days", "this week");
    assert_repair("profound-learning", "deep-learning");
    assert_repair("profound\u{2011}learning", "deep\u{2011}learning");
    assert_repair("profound\nlearning", "deep\nlearning");
}

#[test]
fn stops_at_a_blank_line_and_punctuation() {
    assert_repair("this 7\n\ndays", "this 7\n\ndays");
    assert_repair("profound. Learning", "profound. Learning");
}

#[test]
fn does_not_split_hyphenated_compounds() {
    // "learning" is not the start of a phrase inside "pre-profound-learning".
    assert_repair("pre-profound learning", "pre-profound learning");
    assert_repair("profound learning-based", "profound learning-based");
}

#[test]
fn keeps_possessives_and_punctuation() {
    assert_repair(
        "the Residence Speaker’s office, (profound learning).",
        "the House Speaker’s office, (deep learning).",
    );
    assert_repair("Residence Speaker's", "House Speaker's");
}

#[test]
fn capitalised_entries_need_capitals() {
    assert_repair("a residence speaker system", "a residence speaker system");
    assert_repair("US Residence Speaker Pelosi", "US House Speaker Pelosi");
}

#[test]
fn apostrophe_variants_are_the_same() {
    assert_repair("don’t stop", "keep going");
    assert_repair("don't stop", "keep going");
    assert_repair("Don\u{02BC}t stop", "Keep going");
}

#[test]
fn commas_in_keys_match_commas_in_text() {
    assert_repair("accuracy, review and F1", "accuracy, recall and F1");
    assert_repair("accuracy review", "accuracy review");
}

#[test]
fn levels_decide_what_is_applied() {
    let defaults = repairer(Options::default());
    let repair = defaults.repair("He stated it, the place is fine.");
    assert_eq!(repair.text, "He stated it, the place is fine.");
    assert!(repair.edits.is_empty(), "only applied edits by default");
    let reported = Options {
        report: Some(Level::Likely),
        ..Options::default()
    };
    let repair = repairer(reported).repair("He stated it, the place is fine.");
    assert_eq!(repair.edits.len(), 1, "likely is reported when asked");
    assert!(!repair.edits[0].applied);

    let aggressive = Options {
        apply: Some(Level::Likely),
        report: Some(Level::Suggest),
        ..Options::default()
    };
    let repair = repairer(aggressive).repair("He stated it, the place is fine.");
    assert_eq!(repair.text, "He said it, the place is fine.");
    assert_eq!(repair.edits.len(), 2);
    assert_eq!(repair.edits[1].level, Level::Suggest);
    assert!(!repair.edits[1].applied, "suggest is never applied");
}

#[test]
fn likely_entries_apply_in_a_spun_document() {
    let spun = "Profound learning this 7 days. Counterfeit consciousness. He stated it.";
    assert_repair(
        spun,
        "Deep learning this week. Artificial intelligence. He said it.",
    );
    let no_promotion = Options {
        promote: None,
        ..Options::default()
    };
    assert_repair_with(
        no_promotion,
        spun,
        "Deep learning this week. Artificial intelligence. He stated it.",
    );
}

#[test]
fn likely_phrases_alone_never_make_a_document_spun() {
    // Each is ordinary English; together in a short methods paragraph they
    // are still ordinary English.
    let methods = "Additionally, samples were collected utilizing sterile swabs. \
                   As stated in the protocol, the anticipated yield was low.";
    assert_repair(methods, methods);
    // However many different habits, and however dense.
    let tsv = b"stated\tsaid\tlikely\nlikewise\talso\tlikely\nutilized\tused\tlikely\n";
    let habits = Dictionary::from_tsv("habits", "habits.tsv", tsv).unwrap();
    let repairer = Repairer::new(vec![habits], Options::default());
    let text = "He stated it. She likewise utilized it.";
    assert_eq!(repairer.repair(text).text, text);
    // Sure findings still make the same phrases the spinner's.
    assert_repair(
        "Profound learning this 7 days. Counterfeit consciousness. As stated, it works.",
        "Deep learning this week. Artificial intelligence. As said, it works.",
    );
}

#[test]
fn name_repairs_are_no_evidence_of_spin() {
    // Two sure dictionary findings are one short of the three that make a
    // document spun; the name repair beside them does not count.
    let text = "Laura Swamp, a hydrologist, warned of profound learning this 7 days. \
                It was stated before, Marsh said.";
    assert_repair(
        text,
        "Laura Marsh, a hydrologist, warned of deep learning this week. \
         It was stated before, Marsh said.",
    );
}

#[test]
fn a_guess_never_writes_a_listed_spun_phrase() {
    // The guesser would restore "woman" to "man" (a thesaurus swap, and
    // the document writes "man man", a web bigram), but the dictionary
    // lists "man" as spun: a second run would repair the guess again.
    let dictionary = Dictionary::from_tsv("d", "d.tsv", b"man\tdeep\tsure\n").unwrap();
    let repairer = Repairer::new(vec![dictionary], Options::default());
    let once = repairer.repair("man man woman man ").text;
    assert_eq!(once, "deep deep woman deep ");
    assert_eq!(repairer.repair(&once).text, once);
}

#[test]
fn document_conditions() {
    // `if:` needs the phrase elsewhere in the document; otherwise the
    // fallback entry only suggests.
    assert_repair(
        "The surface region grows. The surface area is known.",
        "The surface area grows. The surface area is known.",
    );
    assert_repair("The surface region grows.", "The surface region grows.");
    // `unless:` is blocked by the phrase.
    assert_repair("bosom cancer", "breast cancer");
    assert_repair("a bosom friend and bosom", "a bosom friend and bosom");
}

#[test]
fn near_conditions_look_around_the_match() {
    assert_repair(
        "We ran clustering and the gatherings were tight.",
        "We ran clustering and the clusters were tight.",
    );
    assert_repair("K-means found gatherings.", "K-means found clusters.");
    assert_repair(
        "The gatherings were large. One two three four five six: clustering.",
        "The gatherings were large. One two three four five six: clustering.",
    );
}

#[test]
fn clauses_combine_and_prefixes_match() {
    assert_repair(
        "Highlight extraction for neural networks.",
        "Feature extraction for neural networks.",
    );
    assert_repair(
        "Highlight extraction for neurally inspired models.",
        "Feature extraction for neurally inspired models.",
    );
    assert_repair(
        "Highlight extraction for neural nets with specular light.",
        "Highlight extraction for neural nets with specular light.",
    );
    assert_repair("Highlight extraction alone.", "Highlight extraction alone.");
}

#[test]
fn invalid_utf8_passes_through() {
    let repairer = repairer(Options::default());
    let input = b"\xff\xfeprofound learning \xc3 this 7 days\x80";
    let edits = repairer.find_edits(input);
    let out = despin::edit::applied(input, &edits);
    assert_eq!(out, b"\xff\xfedeep learning \xc3 this week\x80");
}

#[test]
fn edits_carry_their_entry() {
    let repairer = repairer(Options::default());
    let repair = repairer.repair("x profound learning");
    let edit = &repair.edits[0];
    assert_eq!(edit.range, 2..19);
    assert_eq!(repairer.source_name(edit), "test");
    assert_eq!(
        repairer
            .entry(edit.origin.entry().unwrap())
            .unwrap()
            .original,
        "deep learning"
    );
}

#[test]
fn default_dictionaries_repair_the_founding_example_phrases() {
    let repair = Repairer::default().repair(
        "US Residence Speaker Nancy Pelosi will meet in man or woman this 7 days, \
         in accordance to point out media.",
    );
    assert_eq!(
        repair.text,
        "US House Speaker Nancy Pelosi will meet in person this week, \
         according to state media.",
        "four sure findings make the sentence spun, so `likely` applies too"
    );
}

#[test]
fn default_science_entries_match_inflections_and_variants() {
    let repairer = Repairer::default();
    let cases = [
        (
            "We train profound neural organizations.",
            "We train deep neural networks.",
        ),
        ("We fit irregular woodlands.", "We fit random forests."),
        (
            "Counterfeit consciousness is here.",
            "Artificial intelligence is here.",
        ),
        (
            "the counterfeit  consciousness field",
            "the artificial  intelligence field",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(repairer.repair(input).text, expected);
    }
}

#[test]
fn default_conditional_entries_need_their_condition() {
    let repairer = Repairer::default();
    // "profound learning" is only a fingerprint together with "deep learning".
    let alone = "We use profound learning for this task.";
    assert_eq!(repairer.repair(alone).text, alone);
    assert_eq!(
        repairer
            .repair("We use profound-learning here. Deep learning is popular.")
            .text,
        "We use deep-learning here. Deep learning is popular."
    );
}

#[test]
fn an_entry_that_drops_words_drops_their_repeats_too() {
    // "profound deep learning" -> "deep learning" drops the spinner's extra
    // word; repeated, each run would drop one more, so one run drops them
    // all. The same holds for words dropped at the end.
    let tsv = b"profound deep learning\tdeep learning\tsure\nneural network model\tneural network\tsure\n";
    let repairer = Repairer::new(
        vec![Dictionary::from_tsv("d", "d.tsv", tsv).unwrap()],
        Options::default(),
    );
    for (input, expected) in [
        (
            "We use profound profound deep Learning here.",
            "We use deep learning here.",
        ),
        (
            "A neural network model model model fits.",
            "A neural network fits.",
        ),
        // Not a repeat: a comma between, or another word.
        (
            "Profound, profound deep learning.",
            "Profound, deep learning.",
        ),
        ("Very profound deep learning.", "Very deep learning."),
    ] {
        let once = repairer.repair(input).text;
        assert_eq!(once, expected, "input: {input:?}");
        assert_eq!(repairer.repair(&once).text, once, "input: {input:?}");
    }
}

/// Repairs `input` with the default dictionaries, keeping the byte ranges
/// of each `[...]` protected, and returns the text.
fn repair_protecting_brackets(input: &str) -> String {
    let protected: Vec<std::ops::Range<usize>> = input
        .match_indices('[')
        .filter_map(|(start, _)| input[start..].find(']').map(|end| start..start + end + 1))
        .collect();
    let scan = Repairer::default().scan_protected(input.as_bytes(), &protected);
    let out = despin::edit::applied(input.as_bytes(), &scan.edits);
    String::from_utf8(out).unwrap()
}

#[test]
fn protected_text_is_never_edited() {
    assert_eq!(
        repair_protecting_brackets("We met this 7 days [this 7 days] and this 7 days."),
        "We met this week [this 7 days] and this week."
    );
    // A phrase does not run across protected text.
    assert_eq!(
        repair_protecting_brackets("We met this [x] 7 days."),
        "We met this [x] 7 days."
    );
}

#[test]
fn protected_text_is_no_evidence_of_spin() {
    // Three sure phrases make a document spun, and "anticipated" is then
    // repaired too; inside protected text (code) they count for nothing.
    let sure = "this 7 days, the Residence Speaker, in man or woman";
    let prose = format!("The results were anticipated. {sure}.");
    assert!(Repairer::default()
        .repair(&prose)
        .text
        .contains("were expected"));
    let code = format!("The results were anticipated. [{sure}].");
    assert_eq!(repair_protecting_brackets(&code), code);
}

#[test]
fn a_second_scan_keeps_protected_text_where_it_was() {
    // The first scan shortens the text before the protected range; the
    // scan of the repaired text must protect the same bytes.
    let text = "We met this 7 days, in man or woman. [this 7 days] in man or woman";
    assert_eq!(
        repair_protecting_brackets(text),
        "We met this week, in person. [this 7 days] in person"
    );
}

#[test]
fn the_article_agrees_with_the_replacement() {
    assert_repair(
        "We trained an irregular woodland on it.",
        "We trained a random forest on it.",
    );
    assert_repair(
        "An irregular woodland was trained.",
        "A random forest was trained.",
    );
    assert_repair(
        "It is a counterfeit consciousness system.",
        "It is an artificial intelligence system.",
    );
    // Across a line break, the break is kept.
    assert_repair(
        "We trained an\nirregular woodland.",
        "We trained a\nrandom forest.",
    );
    // An article that did not agree with the text is the writer's: left.
    assert_repair(
        "We trained a irregular woodland.",
        "We trained a random forest.",
    );
    // A word that merely ends in "a" is no article.
    assert_repair("Data irregular woodland.", "Data random forest.");
}
