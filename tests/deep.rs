//! The neural scorer's real loading and scoring code, on a tiny Gemma 3
//! model that the test writes: random weights, the real architecture (six
//! layers, so both local and global attention run, with a sliding window
//! shorter than the sentences), a small SentencePiece vocabulary.

#![cfg(feature = "deep")]

use std::path::Path;
use std::process::Command;

use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use despin::context::{NeuralModel, Sentence, SentenceScorer};

const HIDDEN: usize = 64;
const HEADS: usize = 2;
const KV_HEADS: usize = 1;
const HEAD_DIM: usize = 32;
const FFN: usize = 128;
const LAYERS: usize = 6;
const WINDOW: u32 = 4;

/// Words the vocabulary holds whole (after `▁`), with every prefix, so
/// that merging reaches them; other words fall back to letters.
const WORDS: &[&str] = &[
    "the", "cat", "sat", "on", "mat", "dog", "man", "game", "head", "big", "large", "house",
    "home", "ground", "place", "floor", "old", "new", "a", "and", "it", "was", "quiet", "small",
];

/// A deterministic stream of weights in about ±`scale`.
struct Weights(u64);

impl Weights {
    fn tensor(&mut self, shape: &[usize], scale: f32) -> Tensor {
        let count: usize = shape.iter().product();
        let values: Vec<f32> = (0..count)
            .map(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((self.0 >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
            })
            .collect();
        Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
    }
}

fn vocabulary() -> Vec<(String, i32)> {
    let mut pieces: Vec<(String, i32)> = ["<pad>", "<eos>", "<bos>", "<unk>"]
        .iter()
        .zip([3, 3, 3, 2])
        .map(|(p, t)| (p.to_string(), t))
        .collect();
    pieces.extend((0..=255u8).map(|b| (format!("<0x{b:02X}>"), 6)));
    let mut normal: Vec<String> = vec!["▁".into()];
    normal.extend(('a'..='z').chain('A'..='Z').map(String::from));
    normal.extend([".", ",", "'"].map(String::from));
    for word in WORDS {
        let whole = format!("▁{word}");
        let chars: Vec<char> = whole.chars().collect();
        for end in 2..=chars.len() {
            let prefix: String = chars[..end].iter().collect();
            if !normal.contains(&prefix) {
                normal.push(prefix);
            }
        }
    }
    normal.push("▁The".into());
    normal.push("▁T".into());
    normal.push("▁Th".into());
    pieces.extend(normal.into_iter().map(|p| (p, 1)));
    pieces
}

fn write_model(path: &Path, architecture: &str) {
    let vocabulary = vocabulary();
    let mut weights = Weights(42);
    let mut tensors: Vec<(String, QTensor)> = Vec::new();
    let mut add = |name: &str, shape: &[usize], scale: f32, quantised: bool| {
        let tensor = weights.tensor(shape, scale);
        let dtype = if quantised {
            GgmlDType::Q8_0
        } else {
            GgmlDType::F32
        };
        tensors.push((name.to_string(), QTensor::quantize(&tensor, dtype).unwrap()));
    };
    add("token_embd.weight", &[vocabulary.len(), HIDDEN], 0.5, true);
    add("output_norm.weight", &[HIDDEN], 1.0, false);
    for i in 0..LAYERS {
        let part = |p: &str| format!("blk.{i}.{p}.weight");
        add(&part("attn_norm"), &[HIDDEN], 1.0, false);
        add(&part("attn_q"), &[HEADS * HEAD_DIM, HIDDEN], 0.2, true);
        add(&part("attn_k"), &[KV_HEADS * HEAD_DIM, HIDDEN], 0.2, true);
        add(&part("attn_v"), &[KV_HEADS * HEAD_DIM, HIDDEN], 0.2, true);
        add(&part("attn_q_norm"), &[HEAD_DIM], 1.0, false);
        add(&part("attn_k_norm"), &[HEAD_DIM], 1.0, false);
        add(&part("attn_output"), &[HIDDEN, HEADS * HEAD_DIM], 0.2, true);
        add(&part("post_attention_norm"), &[HIDDEN], 1.0, false);
        add(&part("ffn_norm"), &[HIDDEN], 1.0, false);
        add(&part("ffn_gate"), &[FFN, HIDDEN], 0.2, true);
        add(&part("ffn_up"), &[FFN, HIDDEN], 0.2, true);
        add(&part("ffn_down"), &[HIDDEN, FFN], 0.2, true);
        add(&part("post_ffw_norm"), &[HIDDEN], 1.0, false);
    }
    use gguf_file::Value;
    let int = |v: usize| Value::U32(v as u32);
    let metadata: Vec<(&str, Value)> = vec![
        ("general.architecture", Value::String(architecture.into())),
        ("gemma3.block_count", int(LAYERS)),
        ("gemma3.embedding_length", int(HIDDEN)),
        ("gemma3.attention.head_count", int(HEADS)),
        ("gemma3.attention.head_count_kv", int(KV_HEADS)),
        ("gemma3.attention.key_length", int(HEAD_DIM)),
        ("gemma3.attention.layer_norm_rms_epsilon", Value::F32(1e-6)),
        ("gemma3.rope.freq_base", Value::F32(1e6)),
        ("gemma3.attention.sliding_window", Value::U32(WINDOW)),
        ("tokenizer.ggml.model", Value::String("llama".into())),
        (
            "tokenizer.ggml.tokens",
            Value::Array(
                vocabulary
                    .iter()
                    .map(|(p, _)| Value::String(p.clone()))
                    .collect(),
            ),
        ),
        (
            "tokenizer.ggml.scores",
            // Longer pieces merge first.
            Value::Array(
                vocabulary
                    .iter()
                    .map(|(p, _)| Value::F32(p.chars().count() as f32))
                    .collect(),
            ),
        ),
        (
            "tokenizer.ggml.token_type",
            Value::Array(vocabulary.iter().map(|(_, t)| Value::I32(*t)).collect()),
        ),
        ("tokenizer.ggml.bos_token_id", Value::U32(2)),
        ("tokenizer.ggml.unknown_token_id", Value::U32(3)),
    ];
    let metadata: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (*k, v)).collect();
    let tensors: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut file = std::fs::File::create(path).unwrap();
    gguf_file::write(&mut file, &metadata, &tensors).unwrap();
}

fn tiny_model() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.gguf");
    write_model(&path, "gemma3");
    (dir, path)
}

fn load(path: &Path) -> NeuralModel {
    NeuralModel::from_gguf(&std::fs::read(path).unwrap()).unwrap()
}

/// A sentence of words split at single spaces, ending in a full stop.
fn sentence(text: &str) -> Sentence<'_> {
    let words: Vec<&str> = text.split(' ').collect();
    let mut gaps = vec![""];
    gaps.extend(std::iter::repeat_n(" ", words.len() - 1));
    gaps.push(".");
    Sentence { words, gaps }
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-3 * (1.0 + a.abs().max(b.abs()))
}

const LONG: &str = "The old dog sat on the big mat and the cat sat on the mats";

#[test]
fn a_word_is_read_with_its_one_piece_candidates() {
    let (_dir, path) = tiny_model();
    let model = load(&path);
    let text = sentence(LONG);
    let asked = vec![
        (2, vec!["cat".to_string(), "zebra".to_string()]),
        (14, vec!["house".to_string()]),
    ];
    let readings = model.read(&text, &asked);
    assert_eq!(readings.len(), 2);
    let dog = readings[0].as_ref().expect("dog is read");
    assert!(dog.written.is_finite());
    assert!(
        dog.candidates[0].is_some_and(f32::is_finite),
        "▁cat is a piece"
    );
    assert_eq!(dog.candidates[1], None, "zebra takes several pieces");
    let mats = readings[1].as_ref().expect("mats is read");
    assert!(mats.written.is_finite());
    assert!(mats.candidates[0].is_some());
}

#[test]
fn a_branch_reads_as_the_pass_over_the_whole_sentence() {
    // "mats" is two pieces (▁mat, s) far past the sliding window: its
    // second piece is scored from the sentence's own pass by `read`, and
    // from a branch off the cache by `continuations`.
    let (_dir, path) = tiny_model();
    let model = load(&path);
    let text = sentence(LONG);
    let read = model.read(&text, &[(14, Vec::new())])[0]
        .as_ref()
        .unwrap()
        .written;
    let branched = model.continuations(&text, &[(14, vec!["mats".to_string()])], 0)[0][0].unwrap();
    assert!(close(read, branched), "{read} vs {branched}");
}

#[test]
fn branches_read_together_score_as_each_read_alone() {
    let (_dir, path) = tiny_model();
    let model = load(&path);
    let text = sentence(LONG);
    let asked = vec![
        (
            2,
            vec!["dog".to_string(), "cat".to_string(), "zebra".to_string()],
        ),
        (7, vec!["mat".to_string(), "floor".to_string()]),
        (12, vec!["mat".to_string(), "ground".to_string()]),
    ];
    let together = model.continuations(&text, &asked, 3);
    for (i, one) in asked.iter().enumerate() {
        let alone = model.continuations(&text, std::slice::from_ref(one), 3);
        for (a, b) in together[i].iter().zip(&alone[0]) {
            let (a, b) = (a.unwrap(), b.unwrap());
            assert!(close(a, b), "word {}: {a} vs {b}", one.0);
        }
    }
    // The scores differ between replacements: the model reads them.
    assert_ne!(together[0][0], together[0][1]);
}

#[test]
fn a_file_that_is_not_gemma_is_refused() {
    assert!(NeuralModel::from_gguf(b"not a model at all").is_err());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("llama.gguf");
    write_model(&path, "llama");
    let error = NeuralModel::from_gguf(&std::fs::read(&path).unwrap()).unwrap_err();
    assert!(error.to_string().contains("gemma3"), "{error}");
}

fn despin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_despin"))
        .args(args)
        .env_remove("DESPIN_MODEL")
        .output()
        .unwrap()
}

/// Long enough for the document decision (twenty content words or more).
const DOCUMENT: &str = "The old dog sat on the big mat at home. The new cat sat on the \
    small mat in the house. A man and a dog sat on the ground in the old place. \
    The big cat was quiet on the floor of the large house, and the old man sat \
    at home on the new mat.\n";

#[test]
fn the_cli_judges_a_document_and_reports_the_verdict() {
    let (dir, path) = tiny_model();
    let input = dir.path().join("story.txt");
    std::fs::write(&input, DOCUMENT).unwrap();
    let model = path.to_str().unwrap();
    let out = despin(&[
        "--deep",
        "--model",
        model,
        "--check",
        "--format",
        "json",
        "--stats",
        "--deep-document-bar",
        "1000",
        input.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let deep = &summary["deep"];
    assert!(deep["words"].as_u64().unwrap() >= 20, "{summary}");
    assert!(deep["evidence"].is_number());
    assert_eq!(deep["spun"], false, "nothing passes a bar of 1000");
}

#[test]
fn a_document_judged_spun_gets_deep_edits_with_both_scorers_figures() {
    let (dir, path) = tiny_model();
    let input = dir.path().join("story.txt");
    std::fs::write(&input, DOCUMENT).unwrap();
    let model = path.to_str().unwrap();
    let args = [
        "--deep",
        "--model",
        model,
        "--deep-document-bar",
        "-1000",
        "--deep-choose-bar",
        "-1000",
    ];
    let check = despin(
        &[
            &args[..],
            &["--check", "--format", "json", input.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(
        check.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let findings: Vec<serde_json::Value> = String::from_utf8(check.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|f: &serde_json::Value| f["type"] == "finding" && f["deep_gain"].is_number())
        .collect();
    assert!(
        !findings.is_empty(),
        "every flagged word is replaced at a bar of -1000"
    );
    for finding in &findings {
        let reason = finding["reason"].as_str().unwrap();
        assert!(reason.starts_with("deep: "), "{reason}");
        assert!(reason.contains("nats in the neural model"), "{reason}");
        assert!(reason.contains("trigram model"), "{reason}");
    }
    // Repairing changes those words and keeps every other byte.
    let mut expected = DOCUMENT.as_bytes().to_vec();
    let mut applied: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["applied"] == true).collect();
    applied.sort_by_key(|f| std::cmp::Reverse(f["byte_start"].as_u64()));
    assert!(!applied.is_empty());
    for f in applied {
        let range =
            f["byte_start"].as_u64().unwrap() as usize..f["byte_end"].as_u64().unwrap() as usize;
        expected.splice(range, f["replacement"].as_str().unwrap().bytes());
    }
    let repaired = despin(&[&args[..], &[input.to_str().unwrap()]].concat());
    assert_eq!(
        String::from_utf8(repaired.stdout).unwrap(),
        String::from_utf8(expected).unwrap()
    );
}

#[test]
fn a_missing_model_names_the_command_that_fetches_it() {
    let out = despin(&["--deep", "--model", "/nonexistent/model.gguf", "-"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tools/fetch-model.sh"), "{stderr}");
}
