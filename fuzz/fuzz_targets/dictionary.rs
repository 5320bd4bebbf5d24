//! Parses arbitrary bytes as a TSV dictionary and as a compiled one, and
//! corrupts a valid compiled dictionary with the bytes as edits; loading
//! may fail, nothing may panic or hang, and what loads must work.
#![no_main]

use std::sync::LazyLock;

use despin::dictionary::Bytes;
use despin::{Dictionary, Options, Repairer};
use libfuzzer_sys::fuzz_target;

/// A valid compiled dictionary with conditions, case and several entries
/// per key, for the input to corrupt.
static COMPILED: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let tsv = include_str!("../../tests/fixtures/corruptible.tsv");
    let entries = despin::dictionary::source::parse_tsv(tsv.as_bytes()).expect("valid TSV");
    despin::dictionary::compiled::compile(entries).expect("compiles")
});

/// Loads compiled bytes as `--dict X.fst` does, then uses what loads.
fn load_and_use(bytes: Vec<u8>) {
    let Ok(dictionary) = Dictionary::from_compiled("fuzz", "fuzz.fst", Bytes::from(bytes)) else {
        return;
    };
    if dictionary.verify_index().is_err() {
        return;
    }
    for (key, _) in dictionary.keys().take(16) {
        let _ = dictionary.lookup(&key);
    }
    let repairer = Repairer::new(vec![dictionary], Options::default());
    let _ = repairer.find_edits(
        b"Profound learning this 7 days. The Residence Speaker; flag to commotion noise. keep away from",
    );
}

fuzz_target!(|input: &[u8]| {
    if let Ok(dictionary) = Dictionary::from_tsv("fuzz", "fuzz.tsv", input) {
        let keys: Vec<_> = dictionary.keys().collect();
        for (key, _) in keys.iter().take(8) {
            assert!(!dictionary.lookup(key).is_empty());
        }
        let repairer = Repairer::new(vec![dictionary], Options::default());
        let text = String::from_utf8_lossy(input);
        let _ = repairer.repair(&text);
    }
    load_and_use(input.to_vec());
    // Each 5 bytes of the input: a little-endian offset into the valid
    // dictionary and the byte to write there.
    let mut corrupt = COMPILED.clone();
    for edit in input.chunks_exact(5).take(16) {
        let offset = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize;
        let len = corrupt.len();
        corrupt[offset % len] = edit[4];
    }
    load_and_use(corrupt);
});
