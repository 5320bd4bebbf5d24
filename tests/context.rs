//! The context stage: the language model's judgement of fit decides edits
//! that are not `sure`.

use despin::context::{compile_arpa, LanguageModel, TrigramModel};
use despin::{Dictionary, Level, Options, Repairer};

/// One `sure` phrase (known spin, too little to count as spun) and two
/// `likely` ones.
const DICTIONARY: &str = "\
this 7 days\tthis week\tsure
additionally\talso\tlikely
stated\tsaid\tlikely
";

fn repairer(options: Options) -> Repairer {
    let dictionary = Dictionary::from_tsv("test", "test.tsv", DICTIONARY.as_bytes()).unwrap();
    Repairer::new(vec![dictionary], options)
}

#[track_caller]
fn assert_repair_with(options: Options, input: &str, expected: &str) {
    assert_eq!(repairer(options).repair(input).text, expected);
}

const MEETING: &str =
    "The meeting is this 7 days in the capital. The minister additionally said that the talks would go on.";

#[test]
fn a_likely_entry_that_its_sentence_confirms_is_applied_where_spin_is_known() {
    assert_repair_with(
        Options::default(),
        MEETING,
        "The meeting is this week in the capital. The minister also said that the talks would go on.",
    );
}

#[test]
fn without_context_a_likely_entry_waits_for_a_spun_document() {
    let options = Options {
        context: None,
        ..Options::default()
    };
    assert_repair_with(
        options,
        MEETING,
        "The meeting is this week in the capital. The minister additionally said that the talks would go on.",
    );
}

#[test]
fn ordinary_prose_with_likely_entries_is_left_alone() {
    // No known spin: the context alone never applies a `likely` entry.
    let text =
        "The authors stated that the results were robust. Additionally, the model was tested.";
    assert_repair_with(Options::default(), text, text);
}

#[test]
fn every_reported_edit_carries_its_figures() {
    let options = Options {
        report: Some(Level::Likely),
        ..Options::default()
    };
    let scan = repairer(options).scan(MEETING.as_bytes());
    let also = scan.edits.iter().find(|e| e.replacement == "also").unwrap();
    let fit = also.fit.expect("a likely edit of known words is measured");
    assert!(fit.gain() > 0.0 && fit.lift() >= 3.0, "{fit:?}");
    // A `sure` entry keeps the rule's decision, so it is not measured.
    let week = scan
        .edits
        .iter()
        .find(|e| e.replacement == "this week")
        .unwrap();
    assert_eq!(week.fit, None);
}

#[test]
fn the_embedded_model_knows_news_english() {
    let model = despin::context::embedded();
    assert!(model.words() > 70_000);
    // "house speaker" is a bigram of the model; "residence speaker" is not.
    let gain = model.gain(&["the"], &["residence"], &["house"], &["speaker", "said"]);
    assert!(gain > 1.0, "{gain}");
    let lift = model.lift(&["the"], &["residence"], &["house"], &["speaker", "said"]);
    assert!(lift > 1.0, "{lift}");
    // Read backwards, the same change is a loss.
    assert!(model.gain(&["the"], &["house"], &["residence"], &["speaker"]) < -1.0);
}

#[test]
fn a_compiled_model_reads_back_its_figures() {
    let arpa =
        "\\data\\\nngram 1=3\n\n\\1-grams:\n-1.0\t<s>\t-0.5\n-0.5\tA\t-0.2\n-2.0\tb\n\n\\end\\\n";
    let bytes = compile_arpa(arpa.as_bytes()).unwrap();
    let model = TrigramModel::from_static(Box::leak(bytes.into_boxed_slice())).unwrap();
    model.verify().unwrap();
    assert_eq!(model.words(), 3);
    // Words are lower-cased.
    assert!(model.knows("a") && !model.knows("A"));
    assert!((model.log_prob(&["b"], 0) + 2.0).abs() < 0.05);
    // Not a model at all.
    assert!(TrigramModel::from_static(b"DSPNLM01").is_err());
    assert!(TrigramModel::from_static(b"nonsense").is_err());
}

/// Three `sure` findings in a short text: a spun document.
const SPUN: &str = "We met this 7 days. They voted this 7 days. We spoke this 7 days.";

#[test]
fn a_spun_document_gets_back_a_word_that_no_list_names() {
    let text = format!("{SPUN} The lawmakers met in the residence of representatives on Monday.");
    let repair = repairer(Options::default()).repair(&text);
    assert!(
        repair
            .text
            .ends_with("met in the house of representatives on Monday."),
        "{}",
        repair.text
    );
    let edit = repair
        .edits
        .iter()
        .find(|e| e.level == Level::Context)
        .expect("a context edit");
    match &edit.origin {
        despin::Origin::Context(reason) => {
            assert_eq!(reason.root, "house");
            assert!(reason.gate_passed && reason.score_milli > 0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_known_spin_no_word_is_restored_from_context() {
    // The same sentence alone: nothing says the document was spun.
    let text = "The lawmakers met in the residence of representatives on Monday.";
    assert_repair_with(Options::default(), text, text);
    // Reported at its level, it says it was not applied.
    let options = Options {
        report: Some(Level::Context),
        ..Options::default()
    };
    let repair = repairer(options).repair(text);
    assert_eq!(repair.text, text);
    assert!(repair
        .edits
        .iter()
        .any(|e| e.level == Level::Context && !e.applied));
}

#[test]
fn decoding_off_restores_only_what_lists_name() {
    let text = format!("{SPUN} The lawmakers met in the residence of representatives on Monday.");
    let options = Options {
        decoding: None,
        ..Options::default()
    };
    let repair = repairer(options).repair(&text);
    assert!(repair.text.contains("the residence of"), "{}", repair.text);
}

#[test]
fn a_repair_that_changes_its_length_keeps_the_rules_decision() {
    // Fewer words are always more probable, and the lift over-corrects:
    // it vetoed "considering the fact that -> since" in the founding
    // example, a right repair in a spun document.
    let text = std::fs::read_to_string("tests/fixtures/xi-putin-summit.spun.txt").unwrap();
    let repaired = Repairer::default().repair(&text).text;
    assert!(
        repaired.contains("initial meeting since the Russian leader"),
        "{repaired}"
    );
}
