//! The shipped dictionaries pass their own check, alone and together.

use std::process::Command;

use despin::dictionary::check::{check, ProblemKind};
use despin::dictionary::source::parse_tsv;

const SHIPPED: &[&str] = &["dictionaries/news.tsv", "dictionaries/science.tsv"];

#[test]
fn dict_check_passes_every_shipped_dictionary() {
    let output = Command::new(env!("CARGO_BIN_EXE_despin"))
        .arg("dict")
        .arg("check")
        .args(SHIPPED)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("despin runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn no_shipped_repair_is_repaired_again_by_another_dictionary() {
    // The defaults run together, so a chain may cross from one file to
    // the other; one file's check cannot see that.
    let mut entries = Vec::new();
    for path in SHIPPED {
        let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
            .expect("shipped dictionary is readable");
        entries.extend(parse_tsv(&bytes).expect("shipped dictionary parses"));
    }
    let unstable: Vec<String> = check(&entries)
        .into_iter()
        .filter(|p| {
            matches!(
                p.kind,
                ProblemKind::Chain | ProblemKind::Cycle | ProblemKind::Growth
            )
        })
        .map(|p| p.to_string())
        .collect();
    assert!(unstable.is_empty(), "{unstable:#?}");
}
