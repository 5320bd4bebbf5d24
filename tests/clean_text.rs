//! The safety guard: default settings must not harm text that was never
//! spun. The fixtures are public-domain never-spun text: US State of the
//! Union addresses (1945-2006) and PubMed abstracts from the NCBI disease
//! corpus. `tools/clean-hits.sh` measures the larger corpora that cannot be
//! committed.

use std::fs;
use std::path::Path;

use despin::Repairer;

/// At most one applied edit per this many words.
const WORDS_PER_ALLOWED_EDIT: usize = 100_000;

/// Each document of a file: the file itself, or its blank-line-separated
/// paragraphs for corpora of abstracts.
/// Some speeches are Latin-1, which despin passes through as invalid UTF-8,
/// so documents are bytes.
fn documents(path: &Path, split: bool) -> Vec<Vec<u8>> {
    let text = fs::read(path).unwrap();
    if split {
        text.split(|&b| b == b'\n')
            .collect::<Vec<_>>()
            .split(|line| line.is_empty())
            .map(|lines| lines.join(&b'\n'))
            .collect()
    } else {
        vec![text]
    }
}

fn count_edits(documents: &[Vec<u8>]) -> (usize, usize, Vec<String>) {
    let repairer = Repairer::default();
    let (mut edits, mut words, mut hits) = (0, 0, Vec::new());
    for document in documents {
        let scan = repairer.scan(document);
        words += scan.words;
        for edit in scan.edits.iter().filter(|e| e.applied) {
            edits += 1;
            let found = String::from_utf8_lossy(&document[edit.range.clone()]);
            hits.push(format!("{found:?} -> {:?}", edit.replacement));
        }
    }
    (edits, words, hits)
}

#[track_caller]
fn assert_clean(name: &str, documents: &[Vec<u8>]) {
    let (edits, words, hits) = count_edits(documents);
    assert!(
        words > 100_000,
        "{name}: too little text to measure ({words} words)"
    );
    assert!(
        edits * WORDS_PER_ALLOWED_EDIT <= words,
        "{name}: {edits} edits in {words} words (limit 1 per {WORDS_PER_ALLOWED_EDIT}): {hits:?}"
    );
}

#[test]
fn state_of_the_union_speeches_stay_clean() {
    let dir = Path::new("tests/fixtures/clean/state_union");
    let mut docs = Vec::new();
    let mut paths: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        docs.extend(documents(&path, false));
    }
    assert_clean("state_union", &docs);
}

#[test]
fn scientific_abstracts_stay_clean() {
    let docs = documents(
        Path::new("tests/fixtures/clean/ncbi_disease_corpus_pubmed_abstracts.txt"),
        true,
    );
    assert_clean("ncbi abstracts", &docs);
}
