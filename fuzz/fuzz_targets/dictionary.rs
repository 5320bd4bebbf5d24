//! Parses arbitrary bytes as a TSV dictionary and as a compiled one; either
//! may fail, neither may panic, and what loads must work.
#![no_main]

use despin::dictionary::Bytes;
use despin::{Dictionary, Options, Repairer};
use libfuzzer_sys::fuzz_target;

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
    if let Ok(dictionary) = Dictionary::from_compiled("fuzz", "fuzz.fst", Bytes::from(input.to_vec())) {
        if dictionary.verify().is_ok() {
            let repairer = Repairer::new(vec![dictionary], Options::default());
            let _ = repairer.find_edits(b"a b c profound learning this 7 days");
        }
    }
});
