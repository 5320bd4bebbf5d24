//! Command-line arguments, declared once with clap's derive API.
//!
//! The flags are grouped in `--help` by what a user is deciding: which mode
//! to run, what to report, which dictionaries to use and how fast to go.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use despin::Level;

/// Examples, for `--help` and the man page.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "despin --check paper.txt",
        "list the tortured phrases, each with its place",
    ),
    (
        "despin --check --stats manuscripts/",
        "the same for a tree, with a spin score per file",
    ),
    (
        "despin --check paper.pdf paper.docx",
        "manuscripts: findings by page and paragraph",
    ),
    (
        "despin --format html manuscripts/ > report.html",
        "a report to review and restore in a browser",
    ),
    (
        "despin --diff story.txt",
        "the repairs as a diff, for git apply",
    ),
    (
        "despin -I story.txt",
        "accept or reject each repair, then write the file",
    ),
    ("despin -i story.txt", "apply the repairs in place"),
    (
        "despin -o paper.txt paper.pdf",
        "write a PDF's repaired text to a new file",
    ),
    (
        "cat corpus.txt | despin > clean.txt",
        "clean a corpus in a pipeline",
    ),
    (
        "despin --jsonl --annotate < in.jsonl > out.jsonl",
        "repair each record's \"text\" field",
    ),
];

/// What `--help` (not `-h`) ends with: the examples and the exit status.
fn after_long_help() -> String {
    let mut text = String::from("Examples:\n");
    for (command, _) in EXAMPLES {
        text.push_str(&format!("  {command}\n"));
    }
    text.push_str("\nExit status: 0 nothing found, 1 found (--check, --diff, -l), 2 error.");
    text
}

/// Repair machine-paraphrased ("spun") English.
///
/// With no mode flag despin is a filter: it prints the repaired text of each
/// PATH, or of standard input when there is none or PATH is "-".
#[derive(Debug, Clone, Parser)]
#[command(name = "despin", version, args_conflicts_with_subcommands = true)]
#[command(after_help = "Exit status: 0 nothing found, 1 found (--check, --diff, -l), 2 error.")]
#[command(after_long_help = after_long_help())]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files or directories to repair; directories are walked honouring
    /// .gitignore. "-" is standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub mode: ModeArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub dictionaries: DictionaryArgs,

    #[command(flatten)]
    pub levels: LevelArgs,

    #[command(flatten)]
    pub guesses: GuessArgs,

    #[command(flatten)]
    pub jsonl: JsonlArgs,

    /// Never edit text matching this regular expression (repeatable).
    /// Lines with `despin:ignore`, and blocks from `despin:ignore-start` to
    /// `despin:ignore-end`, are always kept.
    #[arg(long, value_name = "REGEX", help_heading = "Inputs")]
    pub ignore_regex: Vec<String>,

    /// Treat inputs as this format (default: by extension): prose inside
    /// Markdown, LaTeX or HTML is repaired, the markup never.
    #[arg(
        long = "type",
        value_name = "TYPE",
        value_enum,
        help_heading = "Inputs"
    )]
    pub file_type: Option<FileType>,

    /// Print the effective settings (flags, despin.toml, defaults) and
    /// where each comes from, then exit.
    #[arg(long, help_heading = "Inputs")]
    pub print_config: bool,

    /// Ignore despin.toml files.
    #[arg(long, help_heading = "Inputs")]
    pub no_config: bool,

    /// Use this settings file for every input, instead of the despin.toml
    /// found above each.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "no_config",
        help_heading = "Inputs"
    )]
    pub config: Option<PathBuf>,

    /// Print no notes on standard error (which settings file is in use,
    /// which files -i rewrote); errors are still printed.
    #[arg(short = 'q', long, help_heading = "Output")]
    pub quiet: bool,

    /// Number of threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N", help_heading = "Performance")]
    pub jobs: Option<usize>,
}

/// How the repair is delivered.
#[derive(Debug, Clone, Args)]
#[group(multiple = false)]
#[command(next_help_heading = "Modes")]
pub struct ModeArgs {
    /// Print a unified diff of the repairs (exit 1 when there is one).
    #[arg(long)]
    pub diff: bool,
    /// Rewrite changed files atomically.
    #[arg(short = 'i', long)]
    pub in_place: bool,
    /// Report findings as PATH:LINE:COL (exit 1 when there is one).
    #[arg(long)]
    pub check: bool,
    /// Print only the path of each input the repair would change, once,
    /// as `grep -l` does (exit 1 when there is one).
    #[arg(short = 'l', long)]
    pub files_with_findings: bool,
    /// Review each change and accept or reject it, as `git add -p` does;
    /// accepted changes are written atomically.
    #[arg(short = 'I', long)]
    pub interactive: bool,
}

/// What reports look like.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Format of the --check report; a format other than human implies
    /// --check.
    #[arg(
        long,
        value_enum,
        default_value_t = Format::Human,
        conflicts_with_all = ["diff", "in_place", "interactive", "jsonl", "files_with_findings"]
    )]
    pub format: Format,
    /// Add a per-file summary with the spin score (findings per 1,000
    /// words) to the report; implies --check.
    #[arg(long, conflicts_with_all = ["diff", "in_place", "interactive", "jsonl", "files_with_findings"])]
    pub stats: bool,
    /// Write the repaired text to FILE instead of standard output ("-"
    /// prints it), atomically once every input is read. The text of a
    /// PDF, DOCX or UTF-16 input is repaired only this way or by --check.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with_all = ["diff", "in_place", "interactive", "check", "format", "stats", "jsonl", "files_with_findings"]
    )]
    pub output_file: Option<PathBuf>,
    /// When to colour diffs.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// Which dictionaries are used.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Dictionaries")]
pub struct DictionaryArgs {
    /// Add a dictionary: TSV (spun<TAB>original<TAB>level) or compiled .fst.
    /// Repeatable; user dictionaries win over the defaults.
    #[arg(long = "dict", value_name = "FILE")]
    pub dicts: Vec<PathBuf>,
    /// Do not use the embedded default dictionaries.
    #[arg(long)]
    pub no_default_dict: bool,
}

/// Which levels are applied and reported.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Levels")]
pub struct LevelArgs {
    /// Also apply `likely` entries (by default only `sure` ones are applied).
    #[arg(long)]
    pub aggressive: bool,
    /// What to report: `applied` (the findings the repair writes), or the
    /// least confident level to report as well when not applied: sure,
    /// likely, suggest or guess (guess also reports guesses below the
    /// threshold). Each finding that is not applied says so.
    #[arg(long, value_name = "LEVEL", default_value = "applied", value_parser = parse_report_level)]
    pub level: ReportLevel,
    /// A document with at least this many `sure` findings per 1,000 words
    /// (and --spin-min-findings of them) counts as spun, and its `likely`
    /// entries are applied too.
    #[arg(long, value_name = "PER_1000", default_value_t = 1.0)]
    pub spin_threshold: f64,
    /// The fewest `sure` findings that can make a document count as spun.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub spin_min_findings: usize,
    /// Never apply `likely` entries because of document-level spin.
    #[arg(long)]
    pub no_promote: bool,
    /// Do not repair names from the document's own evidence.
    #[arg(long)]
    pub no_names: bool,
    /// Decide by rule alone: do not ask the language model whether an edit
    /// that is not `sure` fits its sentence.
    #[arg(long)]
    pub no_context: bool,
    /// Judge edits in context with this language model, compiled by
    /// `despin dict compile-lm`, instead of the embedded one.
    #[arg(long, value_name = "FILE.lm", conflicts_with = "no_context")]
    pub lm: Option<PathBuf>,
    /// Judge each document, and choose words in the ones judged spun, with
    /// a neural language model (Gemma 3 270M): slower, for one document at
    /// a time. Fetch the model with `tools/fetch-model.sh`.
    #[arg(long, conflicts_with = "no_context")]
    pub deep: bool,
    /// The neural model (GGUF) for --deep; default
    /// ~/.cache/despin/gemma-3-270m-q4_k_m.gguf.
    #[arg(
        long,
        value_name = "FILE.gguf",
        env = "DESPIN_MODEL",
        requires = "deep"
    )]
    pub model: Option<PathBuf>,
    /// The least evidence of spin, in mean nats per content word, that
    /// makes --deep repair a document: higher leaves more documents alone.
    #[arg(long, value_name = "NATS", requires = "deep", allow_negative_numbers = true, default_value_t = despin::context::Deep::default().document_bar)]
    pub deep_document_bar: f64,
    /// How much more probable (nats) a sentence must be with a --deep
    /// candidate for it to replace the word: higher restores fewer words.
    #[arg(long, value_name = "NATS", requires = "deep", allow_negative_numbers = true, default_value_t = despin::context::Deep::default().choose_bar)]
    pub deep_choose_bar: f64,
    /// What one change costs the context stage, in log10 units of the
    /// language model: higher restores fewer words that no list names.
    #[arg(long, value_name = "LOG10", default_value_t = despin::context::Decoding::default().penalty)]
    pub context_penalty: f64,
    /// What each power of ten of a thesaurus root's synonyms costs it as a
    /// candidate of the context stage (a root listing hundreds of words is
    /// a weak candidate for any one).
    #[arg(long, value_name = "LOG10", default_value_t = despin::context::Decoding::default().breadth_weight)]
    pub context_breadth_weight: f64,
    /// The context stage's proposals per 1,000 eligible words at which a
    /// document with some known spin counts as spun, so they are applied.
    #[arg(long, value_name = "PER_1000", default_value_t = despin::context::Decoding::default().gate_per_thousand)]
    pub context_gate: f64,
}

/// JSON Lines input, for pipelines (Spark's `rdd.pipe`, Hadoop Streaming).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "JSON Lines")]
pub struct JsonlArgs {
    /// Read JSON Lines and repair one string field of each object, keeping
    /// every other byte of the line. Each line is one document. The
    /// repaired lines go to standard output: no other mode goes with it.
    #[arg(long, conflicts_with_all = ["diff", "in_place", "interactive", "check", "files_with_findings"])]
    pub jsonl: bool,
    /// The field to repair.
    #[arg(long, value_name = "NAME", default_value = "text", requires = "jsonl")]
    pub field: String,
    /// Add a "despin" object with the findings and the spin score.
    #[arg(long, requires = "jsonl")]
    pub annotate: bool,
}

/// The guesser: repairs that no dictionary lists.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Guesses")]
pub struct GuessArgs {
    /// Score (0 to 1) a guess needs to be applied in a document with enough
    /// known spin; documents with less need more (see the README).
    #[arg(long, value_name = "SCORE", default_value_t = despin::guess::DEFAULT_THRESHOLD,
          value_parser = parse_score)]
    pub guess_threshold: f64,
    /// Make no guesses.
    #[arg(long)]
    pub no_guess: bool,
    /// Use this guess model (the dictionaries/guess.tsv format) instead of
    /// the embedded one.
    #[arg(long, value_name = "FILE")]
    pub guess_model: Option<PathBuf>,
}

fn parse_score(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(score) if (0.0..=1.0).contains(&score) => Ok(score),
        _ => Err(format!("{s:?} is not a score from 0 to 1")),
    }
}

/// What `--level` reports: only applied findings (`None`), or every
/// finding of a level at least as confident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportLevel(pub Option<Level>);

impl std::fmt::Display for ReportLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(level) => level.fmt(f),
            None => f.write_str("applied"),
        }
    }
}

impl std::str::FromStr for ReportLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<ReportLevel, String> {
        match s {
            "applied" => Ok(ReportLevel(None)),
            _ => s
                .parse::<Level>()
                .map(|l| ReportLevel(Some(l)))
                .map_err(|_| {
                    format!(
                        "unknown level {s:?} (expected applied, sure, likely, suggest or guess)"
                    )
                }),
        }
    }
}

fn parse_report_level(s: &str) -> Result<ReportLevel, String> {
    s.parse()
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// PATH:LINE:COL: spun -> original [dictionary, level]
    Human,
    /// One JSON object per line.
    Json,
    /// One SARIF 2.1.0 log, for code-scanning tools.
    Sarif,
    /// One self-contained HTML page: a sortable summary table and every
    /// document with its findings highlighted.
    Html,
}

/// Colour choice, as in ripgrep and git.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Inspect, validate and compile dictionaries.
    #[command(subcommand)]
    Dict(DictCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from these definitions.
    Man,
    /// Rank candidate new dictionary entries found by the guesser across a
    /// corpus of suspected documents; prints TSV to edit and pass to --dict.
    Mine(MineArgs),
}

/// `despin mine ...`
#[derive(Debug, Clone, Args)]
pub struct MineArgs {
    /// Files or directories of suspected documents (each file is one
    /// document).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Keep candidates seen in at least this many documents.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_docs: usize,
    /// Keep candidates whose best score reaches this (0 to 1).
    #[arg(long, value_name = "SCORE", default_value_t = 0.3, value_parser = parse_score)]
    pub min_score: f64,
    /// Use this guess model instead of the embedded one.
    #[arg(long, value_name = "FILE")]
    pub guess_model: Option<PathBuf>,
    #[command(flatten)]
    pub dictionaries: DictionaryArgs,
}

/// `despin dict ...`
#[derive(Debug, Clone, Subcommand)]
pub enum DictCommand {
    /// Validate TSV dictionaries: syntax, duplicates, self-maps, cycles and
    /// phrases with two originals (exit 1 when a problem is found).
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Compile a TSV dictionary once into a memory-mappable .fst file.
    Compile {
        #[arg(value_name = "FILE.tsv")]
        input: PathBuf,
        #[arg(short, long, value_name = "FILE.fst")]
        output: PathBuf,
    },
    /// Compile an ARPA back-off language model (order 3 at most, `-` for
    /// standard input) into the memory-mappable form that `--lm` reads.
    CompileLm {
        #[arg(value_name = "FILE.arpa")]
        input: PathBuf,
        #[arg(short, long, value_name = "FILE.lm")]
        output: PathBuf,
    },
    /// Show the entries for a phrase (exit 1 when there is none).
    Lookup {
        #[arg(required = true, value_name = "PHRASE")]
        phrase: Vec<String>,
        #[command(flatten)]
        dictionaries: DictionaryArgs,
    },
    /// Count the entries of each dictionary by level.
    Stats {
        #[command(flatten)]
        dictionaries: DictionaryArgs,
    },
}

/// A file format for `--type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    /// Plain text: everything is prose.
    Txt,
    /// Markdown.
    Md,
    /// LaTeX.
    Tex,
    /// HTML.
    Html,
}

impl From<FileType> for despin::document::Format {
    fn from(file_type: FileType) -> Self {
        use despin::document::Format;
        match file_type {
            FileType::Txt => Format::Txt,
            FileType::Md => Format::Md,
            FileType::Tex => Format::Tex,
            FileType::Html => Format::Html,
        }
    }
}
