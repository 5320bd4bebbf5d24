//! Compiles the default dictionaries in `dictionaries/*.tsv` into the bytes
//! that the library embeds with `include_bytes!`, so that start-up parses
//! nothing. The parser and compiler are the library's own modules, included
//! here by path, so the build and the runtime cannot disagree on the format.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "src/guess"]
mod guess {
    pub mod format;
}
#[path = "src/level.rs"]
#[allow(dead_code)]
mod level;
#[allow(dead_code)]
#[path = "src/text"]
mod text {
    pub mod hash;
    pub mod tokenize;
}
#[allow(dead_code)]
#[path = "src/dictionary"]
mod dictionary {
    pub mod compiled;
    pub mod source;
}

/// Default dictionaries in priority order: earlier ones win ties.
const DEFAULTS: &[&str] = &["news", "science"];

fn main() {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR is set"));
    let mut embedded = String::from("/// Default dictionaries: (name, compiled bytes).\n");
    embedded.push_str("pub static DICTIONARIES: &[(&str, &[u8])] = &[\n");
    for name in DEFAULTS {
        let source = Path::new("dictionaries").join(format!("{name}.tsv"));
        println!("cargo:rerun-if-changed={}", source.display());
        let tsv = fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let entries = dictionary::source::parse_tsv(&tsv)
            .unwrap_or_else(|e| panic!("{}:{}: {}", source.display(), e.line, e.message));
        let bytes = dictionary::compiled::compile(entries)
            .unwrap_or_else(|e| panic!("{}:{}: {}", source.display(), e.line, e.message));
        let target = out_dir.join(format!("{name}.dict"));
        fs::write(&target, bytes).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        writeln!(
            embedded,
            "    ({name:?}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{name}.dict\"))),"
        )
        .unwrap();
    }
    embedded.push_str("];\n");
    let thesaurus = compile_thesaurus(&out_dir);
    writeln!(
        embedded,
        "/// Thesaurus links `root\\tsynonym` as an FST set ({thesaurus} keys).\n\
         pub static THESAURUS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/thesaurus.fst\"));\n\
         /// A pair filter of the same links: most links asked about are absent.\n\
         pub static THESAURUS_PAIRS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/thesaurus-pairs.bin\"));\n\
         /// `synonym<TAB>head` lines: the close synonyms of organisation head words.\n\
         pub static HEAD_SYNONYMS: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/head-synonyms.tsv\"));\n\
         /// The thesaurus's root words as an FST set.\n\
         pub static THESAURUS_ROOTS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/thesaurus-roots.fst\"));\n\
         /// The links backwards, `synonym<TAB>root`, as an FST set.\n\
         pub static THESAURUS_INVERSE: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/thesaurus-inverse.fst\"));\n\
         /// Each root's number of synonyms, as an FST map.\n\
         pub static THESAURUS_BREADTH: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/thesaurus-breadth.fst\"));"
    )
    .unwrap();
    let source = Path::new("dictionaries/guess.tsv");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = fs::read_to_string(source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
    let model = guess::format::compile_model(&text)
        .unwrap_or_else(|e| panic!("{}:{}: {}", source.display(), e.line, e.message));
    fs::write(out_dir.join("guess-swaps.tsv"), &model.swaps).expect("write guess-swaps.tsv");
    fs::write(out_dir.join("guess-terms.fst"), &model.terms).expect("write guess-terms.fst");
    fs::write(out_dir.join("guess-pairs.bin"), &model.pairs).expect("write guess-pairs.bin");
    fs::write(out_dir.join("guess-slots.fst"), &model.slots).expect("write guess-slots.fst");
    fs::write(out_dir.join("guess-spun-pairs.bin"), &model.spun_pairs)
        .expect("write guess-spun-pairs.bin");
    fs::write(
        out_dir.join("guess-often-spun-pairs.bin"),
        &model.often_spun_pairs,
    )
    .expect("write guess-often-spun-pairs.bin");
    embedded.push_str(
        "/// The guesser's learned swaps (text lines) and term lexicon (an FST map).\n\
         pub static GUESS_SWAPS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/guess-swaps.tsv\"));\n\
         pub static GUESS_TERMS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/guess-terms.fst\"));\n\
         pub static GUESS_PAIRS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/guess-pairs.bin\"));\n\
         pub static GUESS_SLOTS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/guess-slots.fst\"));\n\
         pub static GUESS_SPUN_PAIRS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/guess-spun-pairs.bin\"));\n\
         pub static GUESS_OFTEN_SPUN_PAIRS: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/guess-often-spun-pairs.bin\"));\n",
    );
    fs::write(out_dir.join("embedded.rs"), embedded).expect("write embedded.rs");
    println!("cargo:rerun-if-changed=src/guess/format.rs");
    println!("cargo:rerun-if-changed=src/text/hash.rs");
    println!("cargo:rerun-if-changed=src/dictionary/source.rs");
    println!("cargo:rerun-if-changed=src/dictionary/compiled.rs");
    println!("cargo:rerun-if-changed=src/text/tokenize.rs");
    println!("cargo:rerun-if-changed=src/level.rs");
}

/// Compiles `dictionaries/thesaurus.tsv` (a root, then the synonyms its
/// entry lists) into an FST set of `root<TAB>synonym` keys.
fn compile_thesaurus(out_dir: &Path) -> usize {
    let source = Path::new("dictionaries/thesaurus.tsv");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = fs::read_to_string(source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
    let mut keys = Vec::new();
    let mut roots: Vec<String> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (word, synonyms) = line.split_once('\t').unwrap_or_else(|| {
            panic!("{}:{}: expected word<TAB>synonyms", source.display(), n + 1)
        });
        roots.push(word.to_string());
        for synonym in synonyms.split(' ').filter(|s| !s.is_empty()) {
            keys.push(format!("{word}\t{synonym}"));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    let mut pairs = vec![0u8; guess::format::THESAURUS_FILTER_BYTES];
    for key in &keys {
        let (root, synonym) = key.split_once('\t').expect("root<TAB>synonym");
        text::hash::PairProbe::of_words(root, synonym).insert(&mut pairs);
    }
    fs::write(out_dir.join("thesaurus-pairs.bin"), pairs).expect("write thesaurus-pairs.bin");
    // The close synonyms of the organisation head words of name_cues.tsv
    // ("centre" for center): each lists the other.
    let cues = Path::new("dictionaries/name_cues.tsv");
    println!("cargo:rerun-if-changed={}", cues.display());
    let cues = fs::read_to_string(cues).unwrap_or_else(|e| panic!("{}: {e}", cues.display()));
    let mut head_synonyms = String::new();
    let mut heads: Vec<&str> = cues
        .lines()
        .filter_map(|line| line.strip_prefix("head\t"))
        .collect();
    heads.sort_unstable();
    heads.dedup();
    for head in heads {
        // The keys are sorted: a head's links are one run of them.
        let prefix = format!("{head}\t");
        let from = keys.partition_point(|key| key.as_str() < prefix.as_str());
        for key in keys[from..]
            .iter()
            .take_while(|key| key.starts_with(&prefix))
        {
            let synonym = &key[prefix.len()..];
            if keys.binary_search(&format!("{synonym}\t{head}")).is_ok() {
                writeln!(head_synonyms, "{synonym}\t{head}").unwrap();
            }
        }
    }
    fs::write(out_dir.join("head-synonyms.tsv"), head_synonyms).expect("write head-synonyms.tsv");
    let set = fst::Set::from_iter(keys.iter()).expect("sorted keys");
    fs::write(out_dir.join("thesaurus.fst"), set.as_fst().as_bytes()).expect("write thesaurus.fst");
    // The same links read backwards (`synonym<TAB>root`): the words a
    // spinner may have replaced by a given word.
    let mut inverse: Vec<String> = keys
        .iter()
        .map(|key| {
            let (root, synonym) = key.split_once('\t').expect("root<TAB>synonym");
            format!("{synonym}\t{root}")
        })
        .collect();
    inverse.sort_unstable();
    let inverse = fst::Set::from_iter(inverse.iter()).expect("sorted links");
    fs::write(
        out_dir.join("thesaurus-inverse.fst"),
        inverse.as_fst().as_bytes(),
    )
    .expect("write thesaurus-inverse.fst");
    // How many synonyms each root lists: a root with many is a weak
    // candidate for any one of them.
    let mut breadth = fst::MapBuilder::memory();
    let mut start = 0;
    while start < keys.len() {
        let root = keys[start].split_once('\t').expect("root<TAB>synonym").0;
        let prefix = format!("{root}\t");
        let end = start + keys[start..].partition_point(|key| key.starts_with(&prefix));
        breadth
            .insert(root, (end - start) as u64)
            .expect("sorted roots");
        start = end;
    }
    fs::write(
        out_dir.join("thesaurus-breadth.fst"),
        breadth.into_inner().expect("breadth map"),
    )
    .expect("write thesaurus-breadth.fst");
    roots.sort_unstable();
    roots.dedup();
    let roots = fst::Set::from_iter(roots.iter()).expect("sorted roots");
    fs::write(
        out_dir.join("thesaurus-roots.fst"),
        roots.as_fst().as_bytes(),
    )
    .expect("write thesaurus-roots.fst");
    keys.len()
}
