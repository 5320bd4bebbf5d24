//! Regression tests for crashes found by fuzzing (`fuzz/`), named after
//! what they pin.

use despin::Dictionary;

/// The dictionary fuzzer found a key that could not be looked up by its own
/// text: lower-casing "İ" gives "i" and a combining dot, which the
/// tokenizer used to treat as a word break, so normalising the key again
/// gave another key.
#[test]
fn fuzz_dictionary_dotted_capital_i_key_is_found_by_its_own_text() {
    let input = include_bytes!("fixtures/fuzz/dictionary-dotted-capital-i.bin");
    let dictionary = Dictionary::from_tsv("fuzz", "fuzz.tsv", input).unwrap();
    let keys: Vec<_> = dictionary.keys().collect();
    assert!(!keys.is_empty());
    for (key, _) in keys {
        assert!(!dictionary.lookup(&key).is_empty(), "{key:?} not found");
    }
    let dictionary = Dictionary::from_tsv(
        "t",
        "t.tsv",
        "İstanbul koşusu\tIstanbul run\tsure\n".as_bytes(),
    )
    .unwrap();
    assert_eq!(dictionary.lookup("İSTANBUL KOŞUSU").len(), 1);
}
