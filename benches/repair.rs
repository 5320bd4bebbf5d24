//! Throughput of each stage, and of the whole tool in filter mode.
//!
//! The corpus is generated reproducibly: never-spun prose from the test
//! fixtures, cycled to the wanted size, with a spun phrase from the default
//! dictionaries mixed in about once per 1,000 words. Every group reports
//! bytes per second, so criterion prints MB/s.
//!
//! Run with `cargo bench --bench repair`; `DESPIN_BENCH_MB` sets the size of
//! the filter-mode corpus (default 64).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use despin::Repairer;

/// Spun phrases that the default dictionaries know.
const SPUN: &[&str] = &[
    "this 7 days",
    "in man or woman",
    "point out media",
    "Residence Speaker",
    "counterfeit consciousness",
    "irregular woodland",
    "requires place",
    "information mining",
];

/// Never-spun prose, as one string of paragraphs.
fn prose() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean/state_union");
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| String::from_utf8_lossy(&fs::read(p).unwrap()).into_owned())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `size` bytes of prose with a spun phrase about every 1,000 words.
pub fn corpus(size: usize) -> String {
    let prose = prose();
    let words: Vec<&str> = prose.split(' ').collect();
    let mut out = String::with_capacity(size + 1024);
    let (mut i, mut n) = (0usize, 0usize);
    while out.len() < size {
        out.push_str(words[i % words.len()]);
        out.push(' ');
        i += 1;
        if i % 1000 == 0 {
            out.push_str(SPUN[n % SPUN.len()]);
            out.push(' ');
            n += 1;
        }
    }
    out
}

fn stages(c: &mut Criterion) {
    let text = corpus(4 << 20);
    let repairer = Repairer::default();
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("tokenize", |b| {
        b.iter(|| despin::text::tokenize::tokens(&text).count())
    });
    group.bench_function("find_edits", |b| {
        b.iter(|| repairer.find_edits(text.as_bytes()).len())
    });
    group.bench_function("repair", |b| b.iter(|| repairer.repair(&text).text.len()));
    group.finish();

    // Dictionary lookups of every spun phrase, and of as many misses.
    let dictionaries = despin::Dictionary::defaults();
    let phrases: Vec<String> = dictionaries
        .iter()
        .flat_map(|d| d.keys().map(|(k, _)| k).collect::<Vec<_>>())
        .flat_map(|k| [format!("{k} x"), k])
        .collect();
    let bytes: usize = phrases.iter().map(String::len).sum();
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("lookup", |b| {
        b.iter(|| {
            phrases
                .iter()
                .map(|p| {
                    dictionaries
                        .iter()
                        .map(|d| d.lookup(p).len())
                        .sum::<usize>()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

fn filter_mode(c: &mut Criterion) {
    let mb: usize = std::env::var("DESPIN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-corpus-{mb}mb.txt"));
    if fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < (mb << 20) as u64 {
        fs::File::create(&path)
            .unwrap()
            .write_all(corpus(mb << 20).as_bytes())
            .unwrap();
    }
    let size = fs::metadata(&path).unwrap().len();
    let mut group = c.benchmark_group("filter");
    group.throughput(Throughput::Bytes(size));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function(format!("despin {mb} MB file"), |b| {
        b.iter(|| {
            let status = Command::new(env!("CARGO_BIN_EXE_despin"))
                .arg(&path)
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
        })
    });
    group.finish();
}

criterion_group!(benches, stages, filter_mode);
criterion_main!(benches);
