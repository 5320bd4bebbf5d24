//! The guesser: repairs that no dictionary lists, from learned swaps, a
//! term lexicon, and the document's own evidence.

use despin::{Dictionary, GuessModel, GuessReason, Level, Options, Origin, Repair, Repairer};

/// A tiny model: two learned swaps and a few terms.
const MODEL: &str = "\
swap\tprofound\tdeep\t20
swap\twoodland\tforest\t5
swap\tdisorder\tdisease\t1
term\tdeep learning\tlisted\t0
term\trandom forest\twordnet\t0
term\theart disease\twordnet\t0
term\tprofound sleep\twordnet\t0
";

/// Known phrases, to give a document its spin prior.
const KNOWN: &str = "\
this 7 days\tthis week\tsure
in man or woman\tin person\tsure
residence speaker\thouse speaker\tsure
";

fn repairer(options: Options) -> Repairer {
    let known = Dictionary::from_tsv("known", "known.tsv", KNOWN.as_bytes()).unwrap();
    Repairer::new(vec![known], options).with_guess_model(GuessModel::from_tsv(MODEL).unwrap())
}

/// Three sure findings in a short text: a spun document.
const SPUN_CONTEXT: &str = "We met this 7 days in man or woman with the Residence Speaker.";

fn guesses(options: Options, text: &str) -> Vec<(String, String, bool)> {
    let repair = repairer(options).repair(text);
    repair
        .edits
        .iter()
        .filter(|e| e.level == Level::Guess)
        .map(|e| {
            (
                text[e.range.clone()].to_string(),
                e.replacement.clone(),
                e.applied,
            )
        })
        .collect()
}

fn reporting_guesses() -> Options {
    Options {
        report: Some(Level::Guess),
        ..Options::default()
    }
}

#[test]
fn applies_a_confident_guess_in_a_spun_document() {
    let text = format!("{SPUN_CONTEXT} They trained a profound learning model.");
    let repair = repairer(Options::default()).repair(&text);
    assert!(
        repair.text.ends_with("They trained a deep learning model."),
        "{}",
        repair.text
    );
    let (reason, _) = first_guess_in(&repair);
    assert_eq!(reason.restored, "deep learning");
    assert!(
        reason.describe().contains("profound→deep"),
        "{}",
        reason.describe()
    );
}

#[test]
fn a_document_without_known_spin_only_reports_guesses() {
    let text = "They trained a profound learning model.";
    assert_eq!(
        guesses(reporting_guesses(), text),
        [("profound".to_string(), "deep".to_string(), false)]
    );
    // At the default report level an unapplied guess is not shown at all.
    assert!(guesses(Options::default(), text).is_empty());
    assert_eq!(repairer(Options::default()).repair(text).text, text);
}

/// The reason of a repair's first guess, and whether it was applied.
fn first_guess_in(repair: &Repair) -> (GuessReason, bool) {
    repair
        .edits
        .iter()
        .find_map(|e| match &e.origin {
            Origin::Guess(reason) => Some(((**reason).clone(), e.applied)),
            _ => None,
        })
        .expect("a guess")
}

/// The first guess of a text, with the reporting options.
fn first_guess(text: &str) -> GuessReason {
    first_guess_in(&repairer(reporting_guesses()).repair(text)).0
}

#[test]
fn the_document_using_the_right_term_confirms_a_guess() {
    let without = first_guess(&format!("{SPUN_CONTEXT} We grew a random woodland."));
    let with = first_guess(&format!(
        "{SPUN_CONTEXT} We grew a random woodland. The random forest did well."
    ));
    assert_eq!(with.restored, "random forest");
    assert!(!without.in_document && with.in_document);
    assert!(with.score() > without.score(), "{without:?} {with:?}");
    assert!(with.describe().contains("also appears in this document"));
}

#[test]
fn an_established_phrase_is_left_alone() {
    // "profound sleep" is itself a term: nothing to repair.
    let text = format!("{SPUN_CONTEXT} The patient fell into a profound sleep.");
    assert!(guesses(reporting_guesses(), &text).is_empty());
}

#[test]
fn a_guess_never_overlaps_a_dictionary_edit() {
    let known = Dictionary::from_tsv(
        "known",
        "known.tsv",
        b"profound learning\tdeep learning\tsure\n",
    )
    .unwrap();
    let repairer = Repairer::new(vec![known], reporting_guesses())
        .with_guess_model(GuessModel::from_tsv(MODEL).unwrap());
    let repair = repairer.repair("They trained a profound learning model.");
    assert_eq!(repair.edits.len(), 1, "{:?}", repair.edits);
    assert!(matches!(repair.edits[0].origin, Origin::Entry(_)));
}

#[test]
fn no_guess_turns_the_guesser_off() {
    let text = format!("{SPUN_CONTEXT} They trained a profound learning model.");
    let options = Options {
        guess: None,
        ..reporting_guesses()
    };
    assert!(guesses(options, &text).is_empty());
}

#[test]
fn the_threshold_decides_what_is_applied() {
    let text = format!("{SPUN_CONTEXT} Patients with heart disorder were seen.");
    // A swap seen once: a modest score.
    let at = |threshold: f64| {
        guesses(
            Options {
                guess: Some(threshold),
                ..reporting_guesses()
            },
            &text,
        )
    };
    assert_eq!(
        at(0.1),
        [("disorder".to_string(), "disease".to_string(), true)]
    );
    assert_eq!(
        at(0.99),
        [("disorder".to_string(), "disease".to_string(), false)]
    );
}

#[test]
fn the_embedded_model_repairs_a_learned_swap_in_a_spun_paper() {
    let text = "We use counterfeit consciousness and irregular woodland models. \
                Results were compared this 7 days with a profound learning baseline \
                for image acknowledgment.";
    let repair = Repairer::default().repair(text);
    assert!(repair.text.contains("image recognition"), "{}", repair.text);
}

#[test]
fn the_documents_own_pair_of_runs_is_a_fingerprint() {
    // No learned swap for "profound": the thesaurus links deep/profound,
    // and the document writes both runs.
    let model = GuessModel::from_tsv("term\tdeep learning\tlisted\t0\n").unwrap();
    let known = Dictionary::from_tsv("known", "known.tsv", KNOWN.as_bytes()).unwrap();
    let repairer = Repairer::new(vec![known], reporting_guesses()).with_guess_model(model);
    let text =
        format!("{SPUN_CONTEXT} We trained a profound learning model. Deep learning is popular.");
    let repair = repairer.repair(&text);
    assert!(
        repair.text.contains("We trained a deep learning model."),
        "{}",
        repair.text
    );
    // The right term is never turned into the spun one.
    assert!(repair.text.contains("Deep learning is popular."));
    // Without known spin the fingerprint is not searched for.
    let clean = "We trained a profound learning model. Deep learning is popular.";
    assert_eq!(repairer.repair(clean).text, clean);
}

#[test]
fn a_fingerprint_may_link_its_words_in_either_direction() {
    // The thesaurus lists "transfer" under "movement" but not the other way
    // round; the spinner's word may be on either side of a listing.
    let text = format!("{SPUN_CONTEXT} The heat movement was measured. Heat transfer matters.");
    let repair = with_model("term\theat transfer\tlisted\t0\n").repair(&text);
    assert!(
        repair.text.contains("The heat transfer was measured."),
        "{}",
        repair.text
    );
    // The reason says the link is the thesaurus's, not a learned swap.
    let why = first_guess_in(&repair).0.describe();
    assert!(why.contains("swap movement→transfer (thesaurus)"), "{why}");
    assert!(!why.contains("learned"), "{why}");
}

#[test]
fn leaving_out_unapplied_guesses_changes_no_applied_one() {
    // A long document (no document evidence) with known spin throughout:
    // only a swap seen often enough can reach the threshold there, so by
    // default the guesser looks only from such swaps. What it applies must
    // not change.
    let filler = "The committee met on a quiet morning to read the reports again. ".repeat(220);
    let text = format!(
        "{} They trained a profound learning model. \
         Patients with heart disorder were seen.",
        format!("{SPUN_CONTEXT} {filler}").repeat(8)
    );
    let applied = |options: Options| -> Vec<(String, String)> {
        repairer(options)
            .repair(&text)
            .edits
            .iter()
            .filter(|e| e.applied)
            .map(|e| (text[e.range.clone()].to_string(), e.replacement.clone()))
            .collect()
    };
    let by_default = applied(Options::default());
    assert!(
        by_default.contains(&("profound".to_string(), "deep".to_string())),
        "{by_default:?}"
    );
    assert_eq!(by_default, applied(reporting_guesses()));
    // Reported, the weak guess is there but not applied.
    let reported = guesses(reporting_guesses(), &text);
    assert!(
        reported.contains(&("disorder".to_string(), "disease".to_string(), false)),
        "{reported:?}"
    );
}

/// A repairer with only the known phrases and the given guesser model.
/// A repairer with `model` that decides guesses by the guesser's rules
/// alone, without the language model's judgement of fit.
fn with_model(model: &str) -> Repairer {
    let known = Dictionary::from_tsv("known", "known.tsv", KNOWN.as_bytes()).unwrap();
    let options = Options {
        context: None,
        ..reporting_guesses()
    };
    Repairer::new(vec![known], options).with_guess_model(GuessModel::from_tsv(model).unwrap())
}

/// A spun document that writes a thesaurus-linked pair of runs, with no
/// term on either side unless the model gives one.
fn trench_text() -> String {
    format!("{SPUN_CONTEXT} They dove into the profound trench. The deep trench was dark.")
}

#[test]
fn a_thesaurus_link_alone_gives_no_direction() {
    // The thesaurus links profound to deep, but neither run is a term:
    // nothing says which one the spinner wrote.
    let repair = with_model("term\tocean floor\twordnet\t0\n").repair(&trench_text());
    assert!(repair
        .text
        .ends_with("They dove into the profound trench. The deep trench was dark."));
    // With an established term (or a web bigram) on one side, the other is
    // the spinner's.
    for model in [
        "term\tdeep trench\twordnet\t0\n",
        "term\tdeep trench\tweb\t2000\n",
    ] {
        let repair = with_model(model).repair(&trench_text());
        assert!(
            repair.text.contains("into the deep trench."),
            "{model}: {}",
            repair.text
        );
    }
}

#[test]
fn a_spinners_habit_words_give_a_fingerprint_direction() {
    // No lexicon has either run, and no list shows profound for deep. But
    // spinners were seen writing "profound" (for "intense") and replacing
    // "deep" (by "thick"): the run with "profound" is the spun one.
    let text = trench_text();
    let habits = "swap\tprofound\tintense\t4\nswap\tthick\tdeep\t3\n";
    let repair = with_model(habits).repair(&text);
    assert!(
        repair.text.contains("into the deep trench."),
        "{}",
        repair.text
    );
    // Habits the other way round point the other way.
    let reversed = "swap\tdeep\tintense\t4\nswap\tthick\tprofound\t3\n";
    let repair = with_model(reversed).repair(&text);
    assert!(
        repair
            .text
            .ends_with("into the profound trench. The profound trench was dark."),
        "{}",
        repair.text
    );
    // Nor is a word the lists show only once.
    let once = "swap\tprofound\tintense\t1\nswap\tthick\tdeep\t3\n";
    let repair = with_model(once).repair(&text);
    assert!(
        repair
            .text
            .ends_with("into the profound trench. The deep trench was dark."),
        "{}",
        repair.text
    );
    // A word that spinners write as often as they replace it is no habit.
    let both_ways = "swap\tprofound\tintense\t4\nswap\tintense\tprofound\t4\n\
                     swap\tthick\tdeep\t3\n";
    let repair = with_model(both_ways).repair(&text);
    assert!(
        repair
            .text
            .ends_with("into the profound trench. The deep trench was dark."),
        "{}",
        repair.text
    );
}

#[test]
fn a_fingerprint_may_be_four_words_long() {
    // The thesaurus links profound/deep; only the four-word run is a term.
    let text = format!(
        "{SPUN_CONTEXT} The profound brain stimulation trial ended. \
         Keywords: deep brain stimulation trial."
    );
    let repair = with_model("term\tdeep brain stimulation trial\tlisted\t0\n").repair(&text);
    assert!(
        repair
            .text
            .contains("The deep brain stimulation trial ended."),
        "{}",
        repair.text
    );
}

#[test]
fn a_term_may_hold_a_possessive() {
    let model = "swap\tsickness\tdisease\t8\nterm\tparkinson's disease\tlisted\t0\n";
    let text = format!("{SPUN_CONTEXT} Patients with Parkinson\u{2019}s sickness were seen.");
    let repair = with_model(model).repair(&text);
    assert!(
        repair
            .text
            .ends_with("Patients with Parkinson\u{2019}s disease were seen."),
        "{}",
        repair.text
    );
    // The possessive is part of the term: without it, no term is made.
    let text = format!("{SPUN_CONTEXT} Patients with Parkinson sickness were seen.");
    let repair = with_model(model).repair(&text);
    assert!(
        repair
            .text
            .ends_with("Patients with Parkinson sickness were seen."),
        "{}",
        repair.text
    );
}

#[test]
fn a_fingerprint_links_inflected_words_through_their_stems() {
    // The thesaurus links "speck" and "dot", not "specks" and "dots".
    let text = format!("{SPUN_CONTEXT} The quantum specks glow. Keywords: quantum dots.");
    let repair = with_model("term\tquantum dots\tlisted\t0\n").repair(&text);
    assert!(
        repair.text.contains("The quantum dots glow."),
        "{}",
        repair.text
    );
}

#[test]
fn runs_that_share_no_word_are_no_fingerprint_by_synonyms_alone() {
    // "profound learning" and "deep knowledge" are linked word by word
    // through the thesaurus, but share no word: unrelated phrases can be.
    let text = format!("{SPUN_CONTEXT} We studied profound learning here. Deep knowledge helps.");
    let unchanged = |model: &str| {
        let repair = with_model(model).repair(&text);
        assert!(
            repair
                .text
                .ends_with("We studied profound learning here. Deep knowledge helps."),
            "{model}: {}",
            repair.text
        );
    };
    let restored = |model: &str| {
        let repair = with_model(model).repair(&text);
        assert!(
            repair.text.contains("We studied deep knowledge here."),
            "{model}: {}",
            repair.text
        );
    };
    // Thesaurus links alone are not enough, even to a term.
    unchanged("term\tdeep knowledge\tlisted\t0\n");
    // A learned swap for every changed word is direction enough.
    restored("swap\tprofound\tdeep\t3\nswap\tlearning\tknowledge\t3\n");
    // So is a learned swap for one word with an established term on the
    // other side ("large information" beside "big data")...
    let swap = "swap\tprofound\tdeep\t25\t0\n";
    restored(&format!("{swap}term\tdeep knowledge\twordnet\t0\n"));
    // ...but not with a web bigram, which many chance pairs of synonyms are.
    unchanged(&format!("{swap}term\tdeep knowledge\tweb\t5000\n"));
}

#[test]
fn a_swap_that_everyday_text_triggers_is_worth_less() {
    // The same swap, once with no false alarms in never-spun text and once
    // with twice as many as sightings: the second guess scores lower, its
    // reason says why, and at the default threshold it is no longer applied.
    let text = format!("{SPUN_CONTEXT} They trained a profound learning model.");
    let trusted = with_model("swap\tprofound\tdeep\t20\t0\nterm\tdeep learning\tlisted\t0\n");
    let doubted = with_model("swap\tprofound\tdeep\t20\t40\nterm\tdeep learning\tlisted\t0\n");
    let score = |repairer: &Repairer| {
        let (reason, applied) = first_guess_in(&repairer.repair(&text));
        (reason.score(), reason.describe(), applied)
    };
    let (high, _, applied) = score(&trusted);
    let (low, why, doubted_applied) = score(&doubted);
    assert!(low < high, "{low} {high}");
    assert!(applied && !doubted_applied);
    assert!(why.contains("40× in never-spun text"), "{why}");
}

/// Whether `model` makes no guess in `text`.
fn makes_no_guess(model: &str, text: &str) -> bool {
    with_model(model)
        .repair(text)
        .edits
        .iter()
        .all(|e| e.level != Level::Guess)
}

/// The text `model` repairs `text` into, and where its first guess's term
/// is attested, when that guess is applied.
fn applied_guess(model: &str, text: &str) -> (String, Vec<&'static str>) {
    let repair = with_model(model).repair(text);
    let (reason, applied) = first_guess_in(&repair);
    assert!(applied, "{}", reason.describe());
    (repair.text, reason.attested())
}

#[test]
fn a_translation_dictionary_headword_is_an_established_term() {
    // "heat transfer" known only from web counts is no term to restore to;
    // a translation dictionary's headword is, and the reason names it.
    let text = format!("{SPUN_CONTEXT} The warmth transfer was measured.");
    let swap = "swap\twarmth\theat\t9\n";
    assert!(makes_no_guess(
        &format!("{swap}term\theat transfer\tweb\t632452\n"),
        &text
    ));
    let (repaired, why) = applied_guess(
        &format!("{swap}term\theat transfer\tbilingual,web\t632452\n"),
        &text,
    );
    assert!(
        repaired.ends_with("The heat transfer was measured."),
        "{repaired}"
    );
    assert!(why.contains(&"translation dictionary"), "{why:?}");
}

#[test]
fn a_documentation_phrase_is_an_established_term() {
    // "loss function" is in no dictionary of 2006; the documentation of
    // scientific software repeats it, which makes it a term to restore to.
    // Its source is the ninth source bit, so a term value packs sixteen
    // source bits now, and a large web count must survive the wider
    // packing.
    let text = format!("{SPUN_CONTEXT} The misfortune function was minimised.");
    let swap = "swap\tmisfortune\tloss\t9\n";
    assert!(makes_no_guess(swap, &text));
    let model = format!("{swap}term\tloss function\tdocs,web\t16777217\n");
    assert_eq!(
        GuessModel::from_tsv(&model)
            .unwrap()
            .term("loss function")
            .map(|(_, count)| count),
        Some(16_777_217)
    );
    let (repaired, why) = applied_guess(&model, &text);
    assert!(
        repaired.ends_with("The loss function was minimised."),
        "{repaired}"
    );
    assert!(why.contains(&"software documentation"), "{why:?}");
}

#[test]
fn one_sure_finding_in_a_long_file_is_no_known_spin() {
    // A sure finding lowers the bar for guesses in a short document, but
    // one finding among thousands of words (an archive, a long report)
    // says nothing about a sentence far away.
    let applied_guess = |text: &str| {
        Repairer::default()
            .repair(text)
            .applied()
            .any(|e| e.level == Level::Guess)
    };
    let short = "We fit irregular woodland models. He had a chronic kidney ailment.";
    assert!(applied_guess(short));
    let long = format!(
        "We fit irregular woodland models. {} He had a chronic kidney ailment.",
        "The committee met again and read the minutes. ".repeat(400)
    );
    assert!(!applied_guess(&long));
}
