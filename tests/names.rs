//! Names repaired from the document's own evidence, and never invented.

use std::fs;
use std::path::Path;

use despin::{Origin, Repairer};

#[track_caller]
fn assert_names(input: &str, expected: &str) {
    let repair = Repairer::default().repair(input);
    assert_eq!(repair.text, expected);
}

fn name_edits(input: &[u8]) -> Vec<String> {
    Repairer::default()
        .find_edits(input)
        .into_iter()
        .filter(|e| matches!(e.origin, Origin::Name { .. }))
        .map(|e| {
            format!(
                "{} -> {}",
                String::from_utf8_lossy(&input[e.range.clone()]),
                e.replacement
            )
        })
        .collect()
}

#[test]
fn founding_example_restores_yun_sun_and_nothing_else() {
    let text = fs::read("tests/fixtures/xi-putin-summit.spun.txt").unwrap();
    assert_eq!(name_edits(&text), ["Sunshine -> Sun", "Solar -> Sun"]);
    let repaired = Repairer::default()
        .repair(std::str::from_utf8(&text).unwrap())
        .text;
    assert!(repaired.contains("” Yun Sun, director of the China Method"));
    assert!(repaired.contains("relations,” analyst Sun said."));
    assert!(repaired.contains("the Washington-based Stimson Center"));
    for name in [
        "Xi Jinping",
        "Yang Jiechi",
        "Andrey Denisov",
        "Li Zhanshu",
        "Nancy Pelosi",
        "Joseph Torigian",
        "Hal Makes",
    ] {
        assert!(repaired.contains(name), "{name} changed");
    }
}

#[test]
fn a_hydrologist_named_marsh() {
    assert_names(
        "Laura Swamp, a hydrologist at the regional water board, warned that the levees were failing.\n\
         “We have seen this before,” Marsh said on Tuesday.\n",
        "Laura Marsh, a hydrologist at the regional water board, warned that the levees were failing.\n\
         “We have seen this before,” Marsh said on Tuesday.\n",
    );
}

#[test]
fn an_economist_named_fox() {
    assert_names(
        "Daniel Wolf, chief economist at the bank, expects rates to fall by the summer.\n\
         The decision will come in June, Fox said, and markets have already priced it in.\n",
        "Daniel Fox, chief economist at the bank, expects rates to fall by the summer.\n\
         The decision will come in June, Fox said, and markets have already priced it in.\n",
    );
}

#[test]
fn a_restaurant_owner_named_cook() {
    assert_names(
        "Emma Chef told reporters that the menu would change every season.\n\
         Diners want simpler food, critic Cook said, and the kitchen has listened.\n",
        "Emma Cook told reporters that the menu would change every season.\n\
         Diners want simpler food, critic Cook said, and the kitchen has listened.\n",
    );
}

#[test]
fn no_evidence_no_change() {
    // Both forms are used alone as names: nothing says which is original.
    let text = "Wolf said the plan works. Fox said it does not.";
    assert_names(text, text);
    // A synonym that is never used as a name alone is not evidence.
    let text = "Laura Swamp visited the marsh on Tuesday.";
    assert_names(text, text);
}

#[test]
fn never_spun_text_keeps_every_name() {
    let mut paths =
        vec![
            Path::new("tests/fixtures/clean/ncbi_disease_corpus_pubmed_abstracts.txt")
                .to_path_buf(),
        ];
    let mut speeches: Vec<_> = fs::read_dir("tests/fixtures/clean/state_union")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    speeches.sort();
    paths.extend(speeches);
    for path in paths {
        let text = fs::read(&path).unwrap();
        assert_eq!(
            name_edits(&text),
            Vec::<String>::new(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_name_never_runs_across_a_line_break() {
    // "Tabbrowser" ends one bug title and "Save" starts the next: no full
    // name "Tabbrowser Save" to repair.
    let text = "Page loads slowly in Tabbrowser\nSave dialog hangs on exit\n\
                0.9 Release says 0.8 in the user agent string\n";
    assert_eq!(name_edits(text.as_bytes()), Vec::<String>::new());
}

#[test]
fn a_surname_needs_a_full_name_with_a_cue() {
    // "Release says" looks like a surname before a speech verb, and
    // "Tabbrowser Save" like a full name, but nothing names a person: no
    // comma of apposition, speech verb or title by the full name.
    let text = "Clicking Tabbrowser Save does nothing\n\
                0.9 Release says 0.8 in the user agent string\n";
    assert_eq!(name_edits(text.as_bytes()), Vec::<String>::new());
}

#[test]
fn name_evidence_from_another_story_is_not_used() {
    let story = |between: usize| {
        format!(
            "Laura Swamp, a hydrologist at the regional water board, warned that the levees were failing.\n\
             {}\n“We have seen this before,” Marsh said on Tuesday.\n",
            "The board met again and the minutes were read. ".repeat(between)
        )
    };
    // A few paragraphs apart: one story.
    assert_eq!(name_edits(story(20).as_bytes()), ["Swamp -> Marsh"]);
    // Over a thousand words apart: another story of an archive.
    assert_eq!(name_edits(story(130).as_bytes()), Vec::<String>::new());
}

#[test]
fn title_case_lines_are_not_names() {
    // A label capitalises every word: "Tabbrowser Save" there is no name,
    // though the same words in prose below are.
    let text = "Tabbrowser Save:\nThe dialog is slow, analyst Release said.\n\
                Ann Save, a tester, agreed.\n";
    assert_eq!(name_edits(text.as_bytes()), ["Save -> Release"]);
}
