//! The safety guard: default settings must not harm text that was never
//! spun, in any genre, whole or cut short. The fixtures are public-domain
//! never-spun text: US State of the Union addresses (1945-2006), PubMed
//! abstracts from the NCBI disease corpus, and the developers' own samples
//! of other genres (`tests/fixtures/clean/genres`: UI text, wire news,
//! fiction, reviews and ads, government and learned prose, a script).
//! `tools/clean_rates.py` measures the larger corpora that cannot be
//! committed.
//!
//! Each corpus is repaired three ways, as users feed it:
//! - whole files, each one document;
//! - short documents: paragraphs, and windows of 150 words or more of
//!   longer ones, as abstracts or single paragraphs are checked;
//! - the whole corpus as one stream, cut into documents of up to 1 MiB as
//!   the command line cuts a pipe, where stories run together.

use std::fs;
use std::path::{Path, PathBuf};

use despin::Repairer;

/// The most applied edits allowed per 100,000 words, as a fraction: 0.5.
const ALLOWED_PER_100K_WORDS: (usize, usize) = (1, 2);

/// Some speeches are Latin-1, which despin passes through as invalid UTF-8,
/// so documents are bytes.
fn files(path: &str) -> Vec<Vec<u8>> {
    let path = Path::new(path);
    if path.is_file() {
        return vec![fs::read(path).unwrap()];
    }
    let mut paths: Vec<PathBuf> = fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
}

fn word_count(text: &[u8]) -> usize {
    text.split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .count()
}

/// Paragraphs, and within a paragraph of more than 300 words, windows of
/// lines of at least 150 words.
fn short_documents(text: &[u8]) -> Vec<Vec<u8>> {
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let mut docs = Vec::new();
    for paragraph in lines.split(|line| line.iter().all(u8::is_ascii_whitespace)) {
        if paragraph.is_empty() {
            continue;
        }
        let words: usize = paragraph.iter().map(|l| word_count(l)).sum();
        if words <= 300 {
            docs.push(paragraph.join(&b'\n'));
            continue;
        }
        let (mut window, mut count) = (Vec::new(), 0);
        for line in paragraph {
            window.push(*line);
            count += word_count(line);
            if count >= 150 {
                docs.push(window.join(&b'\n'));
                window.clear();
                count = 0;
            }
        }
        if !window.is_empty() {
            docs.push(window.join(&b'\n'));
        }
    }
    docs
}

/// The files run together, cut into documents as the command line cuts a
/// stream: the first under 1 MiB, then about 256 KiB each.
fn stream_documents(files: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let all = files.concat();
    let mut docs = Vec::new();
    let mut rest = &all[..];
    let mut target = 1 << 20;
    while rest.len() > target {
        let cut = despin::document::cut::cut_point(&rest[..target], target / 2);
        docs.push(rest[..cut].to_vec());
        rest = &rest[cut..];
        target = 256 << 10;
    }
    docs.push(rest.to_vec());
    docs
}

/// Applied edits, words, and a line per edit.
fn count_edits(documents: &[Vec<u8>]) -> (usize, usize, Vec<String>) {
    let repairer = Repairer::default();
    let (mut edits, mut words, mut hits) = (0, 0, Vec::new());
    for document in documents {
        let scan = repairer.scan(document);
        words += scan.words;
        for edit in scan.edits.iter().filter(|e| e.applied) {
            edits += 1;
            let found = String::from_utf8_lossy(&document[edit.range.clone()]);
            hits.push(format!(
                "{found:?} -> {:?} ({:?})",
                edit.replacement, edit.origin
            ));
        }
    }
    (edits, words, hits)
}

/// Repairs a corpus whole, cut short and as a stream, and fails above the
/// bar in any of them.
#[track_caller]
fn assert_clean(name: &str, path: &str, least_words: usize) {
    let files = files(path);
    let cuts = [
        ("whole files", files.clone()),
        (
            "short documents",
            files.iter().flat_map(|f| short_documents(f)).collect(),
        ),
        ("one stream", stream_documents(&files)),
    ];
    for (cut, documents) in cuts {
        let (edits, words, hits) = count_edits(&documents);
        assert!(
            words >= least_words,
            "{name}, {cut}: too little text ({words} words)"
        );
        let (allowed, per) = ALLOWED_PER_100K_WORDS;
        assert!(
            edits * per * 100_000 <= allowed * words,
            "{name}, {cut}: {edits} edits in {words} words (limit {allowed} per {per}00k): {hits:#?}"
        );
    }
}

#[test]
fn state_of_the_union_speeches_stay_clean() {
    assert_clean("state_union", "tests/fixtures/clean/state_union", 300_000);
}

#[test]
fn scientific_abstracts_stay_clean() {
    assert_clean(
        "ncbi abstracts",
        "tests/fixtures/clean/ncbi_disease_corpus_pubmed_abstracts.txt",
        150_000,
    );
}

#[test]
fn other_genres_stay_clean() {
    // A few thousand words: the bar allows no edit at all.
    assert_clean("genres", "tests/fixtures/clean/genres", 2_000);
}

#[test]
fn short_documents_are_paragraphs_and_windows() {
    let long_line = "word ".repeat(100);
    let text = format!(
        "one two\n\nthree\nfour\n\n{}",
        [long_line.as_str(); 4].join("\n")
    );
    let docs = short_documents(text.as_bytes());
    let words: Vec<usize> = docs.iter().map(|d| word_count(d)).collect();
    assert_eq!(words, [2, 2, 200, 200]);
}
