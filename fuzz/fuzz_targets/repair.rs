//! Repairs arbitrary bytes with the default dictionaries and checks the
//! structural promises of the edits.
#![no_main]

use std::sync::OnceLock;

use despin::Repairer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    static REPAIRER: OnceLock<Repairer> = OnceLock::new();
    let repairer = REPAIRER.get_or_init(Repairer::default);
    let edits = repairer.find_edits(input);
    let mut last = 0;
    for edit in &edits {
        assert!(edit.range.start >= last && edit.range.end <= input.len());
        assert!(std::str::from_utf8(&input[edit.range.clone()]).is_ok());
        last = edit.range.end;
    }
    let out = despin::edit::applied(input, &edits);
    if edits.iter().all(|e| !e.applied) {
        assert_eq!(out, input);
    }
});
