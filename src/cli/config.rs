//! `despin.toml`: project settings, found from the current directory up.
//!
//! A project keeps its dictionaries, levels, guess threshold, excluded
//! paths and ignore patterns in one file next to its text, as typos keeps
//! `typos.toml`. Flags given on the command line win over the file, and the
//! file over the defaults; `--print-config` shows every effective setting
//! and where it came from.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::parser::ValueSource;
use clap::ArgMatches;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::cli::args::Cli;

/// The name of the settings file.
pub const FILE_NAME: &str = "despin.toml";

/// The settings a `despin.toml` may hold; every one is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// Extra dictionaries, relative to the file.
    pub dictionaries: Option<Vec<PathBuf>>,
    pub default_dictionaries: Option<bool>,
    pub level: Option<String>,
    pub aggressive: Option<bool>,
    pub names: Option<bool>,
    pub context: Option<bool>,
    pub deep: Option<bool>,
    pub guess: Option<bool>,
    pub guess_threshold: Option<f64>,
    /// A guess model, relative to the file.
    pub guess_model: Option<PathBuf>,
    pub spin_threshold: Option<f64>,
    pub spin_min_findings: Option<usize>,
    pub promote: Option<bool>,
    /// A compiled language model, relative to the file.
    pub lm: Option<PathBuf>,
    /// The neural model for `deep`, relative to the file.
    pub model: Option<PathBuf>,
    pub deep_document_bar: Option<f64>,
    pub deep_choose_bar: Option<f64>,
    pub context_penalty: Option<f64>,
    pub context_breadth_weight: Option<f64>,
    pub context_gate: Option<f64>,
    /// The format inputs are read as (`type = "md"`).
    #[serde(rename = "type")]
    pub file_type: Option<crate::cli::args::FileType>,
    pub jobs: Option<usize>,
    /// Globs of paths to skip when walking directories.
    pub exclude: Option<Vec<String>>,
    pub ignore_regex: Option<Vec<String>>,
}

/// The settings in force, with where each came from.
pub struct Effective {
    /// Paths skipped when walking directories.
    pub exclude: GlobSet,
    /// `(setting, value, source)`, for `--print-config`.
    pub report: Vec<(&'static str, String, String)>,
}

/// A settings file found above the current directory: the file to use, or
/// why the nearest one is not used.
pub enum Found {
    Use(PathBuf),
    /// A file that someone else could have planted: owned by another user,
    /// or writable by group or others.
    Untrusted(PathBuf, &'static str),
    None,
}

/// Finds `despin.toml` in `start` or the nearest directory above it,
/// searching no higher than the repository root (a directory holding
/// `.git`) or the home directory: a settings file can load dictionaries,
/// so one in `/tmp` or another user's directory must not steer a run.
pub fn find(start: &Path) -> Found {
    use std::os::unix::fs::MetadataExt;
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for dir in start.ancestors() {
        let path = dir.join(FILE_NAME);
        if let Some(metadata) = std::fs::metadata(&path).ok().filter(|m| m.is_file()) {
            // The owner of /proc/self is this process's effective user.
            let me = std::fs::metadata("/proc/self").map_or(metadata.uid(), |m| m.uid());
            if metadata.uid() != me {
                return Found::Untrusted(path, "it belongs to another user");
            }
            if metadata.mode() & 0o022 != 0 {
                return Found::Untrusted(path, "others can write to it");
            }
            return Found::Use(path);
        }
        if dir.join(".git").exists() || home.as_deref() == Some(dir) {
            break;
        }
    }
    Found::None
}

impl FileConfig {
    /// Whether the file changes what is repaired, not only what is
    /// reported or walked: then despin says which file is in use.
    pub fn changes_repairs(&self) -> bool {
        self.dictionaries.is_some()
            || self.default_dictionaries.is_some()
            || self.aggressive.is_some()
            || self.names.is_some()
            || self.context.is_some()
            || self.deep.is_some()
            || self.guess.is_some()
            || self.guess_threshold.is_some()
            || self.guess_model.is_some()
            || self.spin_threshold.is_some()
            || self.spin_min_findings.is_some()
            || self.promote.is_some()
            || self.lm.is_some()
            || self.model.is_some()
            || self.deep_document_bar.is_some()
            || self.deep_choose_bar.is_some()
            || self.context_penalty.is_some()
            || self.context_breadth_weight.is_some()
            || self.context_gate.is_some()
            || self.file_type.is_some()
    }
}

/// Reads a settings file.
pub fn read(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        // toml's message names the line and the key.
        anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end())
    })
}

/// Fills the flags the command line did not set from `config`, and returns
/// the effective settings.
pub fn apply(
    cli: &mut Cli,
    matches: &ArgMatches,
    config: Option<(&Path, FileConfig)>,
) -> Result<Effective> {
    let from_flag = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let (file, config) = match config {
        Some((path, config)) => (Some(path), config),
        None => (None, FileConfig::default()),
    };
    let base = file.and_then(Path::parent).unwrap_or(Path::new("."));
    let file_source = file.map_or(String::new(), |f| f.display().to_string());
    let mut report = Vec::new();
    let mut source = |setting: &'static str, id: &str, in_file: bool, value: String| {
        let origin = if from_flag(id) {
            "command line".to_string()
        } else if in_file {
            file_source.clone()
        } else {
            "default".to_string()
        };
        report.push((setting, value, origin));
    };

    if let (false, Some(dictionaries)) = (from_flag("dicts"), &config.dictionaries) {
        cli.dictionaries.dicts = dictionaries.iter().map(|d| base.join(d)).collect();
    }
    let shown: Vec<String> = cli
        .dictionaries
        .dicts
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    source(
        "dictionaries",
        "dicts",
        config.dictionaries.is_some(),
        format!("{shown:?}"),
    );

    if let (false, Some(on)) = (from_flag("no_default_dict"), config.default_dictionaries) {
        cli.dictionaries.no_default_dict = !on;
    }
    source(
        "default-dictionaries",
        "no_default_dict",
        config.default_dictionaries.is_some(),
        (!cli.dictionaries.no_default_dict).to_string(),
    );

    if let (false, Some(level)) = (from_flag("level"), &config.level) {
        cli.levels.level = level
            .parse()
            .map_err(|e: String| anyhow::anyhow!("{file_source}: level: {e}"))?;
    }
    source(
        "level",
        "level",
        config.level.is_some(),
        cli.levels.level.to_string(),
    );

    if let (false, Some(on)) = (from_flag("aggressive"), config.aggressive) {
        cli.levels.aggressive = on;
    }
    source(
        "aggressive",
        "aggressive",
        config.aggressive.is_some(),
        cli.levels.aggressive.to_string(),
    );

    if let (false, Some(on)) = (from_flag("no_names"), config.names) {
        cli.levels.no_names = !on;
    }
    source(
        "names",
        "no_names",
        config.names.is_some(),
        (!cli.levels.no_names).to_string(),
    );

    if let (false, Some(on)) = (from_flag("no_context"), config.context) {
        cli.levels.no_context = !on;
    }
    source(
        "context",
        "no_context",
        config.context.is_some(),
        (!cli.levels.no_context).to_string(),
    );

    if let (false, Some(on)) = (from_flag("deep"), config.deep) {
        cli.levels.deep = on && !cli.levels.no_context;
    }
    source(
        "deep",
        "deep",
        config.deep.is_some(),
        cli.levels.deep.to_string(),
    );

    if let (false, Some(on)) = (from_flag("no_guess"), config.guess) {
        cli.guesses.no_guess = !on;
    }
    source(
        "guess",
        "no_guess",
        config.guess.is_some(),
        (!cli.guesses.no_guess).to_string(),
    );

    if let (false, Some(threshold)) = (from_flag("guess_threshold"), config.guess_threshold) {
        if !(0.0..=1.0).contains(&threshold) {
            anyhow::bail!("{file_source}: guess-threshold {threshold} is not a score from 0 to 1");
        }
        cli.guesses.guess_threshold = threshold;
    }
    source(
        "guess-threshold",
        "guess_threshold",
        config.guess_threshold.is_some(),
        cli.guesses.guess_threshold.to_string(),
    );

    // The settings that are a plain value of one flag.
    let number = |setting: &'static str,
                  id: &str,
                  in_file: Option<f64>,
                  target: &mut f64,
                  source: &mut dyn FnMut(&'static str, &str, bool, String)| {
        if let (false, Some(value)) = (from_flag(id), in_file) {
            *target = value;
        }
        source(setting, id, in_file.is_some(), target.to_string());
    };
    number(
        "spin-threshold",
        "spin_threshold",
        config.spin_threshold,
        &mut cli.levels.spin_threshold,
        &mut source,
    );
    number(
        "deep-document-bar",
        "deep_document_bar",
        config.deep_document_bar,
        &mut cli.levels.deep_document_bar,
        &mut source,
    );
    number(
        "deep-choose-bar",
        "deep_choose_bar",
        config.deep_choose_bar,
        &mut cli.levels.deep_choose_bar,
        &mut source,
    );
    number(
        "context-penalty",
        "context_penalty",
        config.context_penalty,
        &mut cli.levels.context_penalty,
        &mut source,
    );
    number(
        "context-breadth-weight",
        "context_breadth_weight",
        config.context_breadth_weight,
        &mut cli.levels.context_breadth_weight,
        &mut source,
    );
    number(
        "context-gate",
        "context_gate",
        config.context_gate,
        &mut cli.levels.context_gate,
        &mut source,
    );

    if let (false, Some(n)) = (from_flag("spin_min_findings"), config.spin_min_findings) {
        cli.levels.spin_min_findings = n;
    }
    source(
        "spin-min-findings",
        "spin_min_findings",
        config.spin_min_findings.is_some(),
        cli.levels.spin_min_findings.to_string(),
    );
    if let (false, Some(on)) = (from_flag("no_promote"), config.promote) {
        cli.levels.no_promote = !on;
    }
    source(
        "promote",
        "no_promote",
        config.promote.is_some(),
        (!cli.levels.no_promote).to_string(),
    );

    // Files named in the settings file are relative to it.
    let file_setting =
        |setting: &'static str,
         id: &str,
         in_file: &Option<PathBuf>,
         target: &mut Option<PathBuf>,
         source: &mut dyn FnMut(&'static str, &str, bool, String)| {
            if let (false, Some(path)) = (from_flag(id), in_file) {
                *target = Some(base.join(path));
            }
            let shown = target
                .as_ref()
                .map_or("none".to_string(), |p| p.display().to_string());
            source(setting, id, in_file.is_some(), shown);
        };
    file_setting(
        "guess-model",
        "guess_model",
        &config.guess_model,
        &mut cli.guesses.guess_model,
        &mut source,
    );
    file_setting("lm", "lm", &config.lm, &mut cli.levels.lm, &mut source);
    file_setting(
        "model",
        "model",
        &config.model,
        &mut cli.levels.model,
        &mut source,
    );

    if let (false, Some(file_type)) = (from_flag("file_type"), config.file_type) {
        cli.file_type = Some(file_type);
    }
    source(
        "type",
        "file_type",
        config.file_type.is_some(),
        cli.file_type.map_or("by extension".to_string(), |t| {
            format!("{t:?}").to_lowercase()
        }),
    );
    if let (false, Some(jobs)) = (from_flag("jobs"), config.jobs) {
        cli.jobs = Some(jobs);
    }
    source(
        "jobs",
        "jobs",
        config.jobs.is_some(),
        cli.jobs.map_or("all cores".to_string(), |j| j.to_string()),
    );

    if let (false, Some(patterns)) = (from_flag("ignore_regex"), &config.ignore_regex) {
        cli.ignore_regex = patterns.clone();
    }
    source(
        "ignore-regex",
        "ignore_regex",
        config.ignore_regex.is_some(),
        format!("{:?}", cli.ignore_regex),
    );

    let patterns = config.exclude.clone().unwrap_or_default();
    let mut globs = GlobSetBuilder::new();
    for pattern in &patterns {
        globs.add(
            Glob::new(pattern)
                .with_context(|| format!("{file_source}: exclude: invalid glob {pattern:?}"))?,
        );
    }
    source(
        "exclude",
        "",
        config.exclude.is_some(),
        format!("{patterns:?}"),
    );
    Ok(Effective {
        exclude: globs.build()?,
        report,
    })
}

/// The `--print-config` table.
pub fn render(effective: &Effective, file: Option<&Path>) -> String {
    let mut out = String::new();
    match file {
        Some(path) => writeln!(out, "# settings file: {}", path.display()),
        None => writeln!(out, "# settings file: none ({FILE_NAME} not found)"),
    }
    .expect("writing to a String");
    for (setting, value, source) in &effective.report {
        writeln!(out, "{setting} = {value}    # {source}").expect("writing to a String");
    }
    out
}
