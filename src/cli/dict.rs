//! Loads dictionaries from disk, and the `despin dict` subcommands.
//!
//! A TSV dictionary is parsed and compiled in memory on every run; a `.fst`
//! file made by `despin dict compile` is memory-mapped and used in place,
//! which is what makes million-entry dictionaries cheap to load.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use despin::dictionary::check::check;
use despin::dictionary::compiled::{self, MAGIC};
use despin::dictionary::source::parse_tsv;
use despin::dictionary::Bytes;
use despin::{Dictionary, Level};

use crate::cli::args::{DictCommand, DictionaryArgs};

/// The dictionaries to use: the user's first, then the defaults.
pub fn load(args: &DictionaryArgs) -> Result<Vec<Dictionary>> {
    let mut dictionaries = Vec::new();
    for path in &args.dicts {
        dictionaries.push(load_file(path)?);
    }
    if !args.no_default_dict {
        dictionaries.extend(Dictionary::defaults());
    }
    Ok(dictionaries)
}

fn name_of(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Loads one dictionary, memory-mapping compiled ones.
pub fn load_file(path: &Path) -> Result<Dictionary> {
    let origin = path.display().to_string();
    let file = fs::File::open(path).with_context(|| format!("{origin}: cannot open dictionary"))?;
    let compiled_name = path.extension().is_some_and(|e| e == "fst");
    // SAFETY: the map is read-only; like every memory-mapped reader we rely
    // on the file not being truncated while despin runs.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .with_context(|| format!("{origin}: cannot read dictionary"))?;
    if compiled_name || map.starts_with(MAGIC) {
        let dictionary =
            Dictionary::from_compiled(&name_of(path), &origin, Bytes::from_shared(Arc::new(map)))?;
        Ok(dictionary)
    } else {
        Ok(Dictionary::from_tsv(&name_of(path), &origin, &map)?)
    }
}

/// Runs a `despin dict` subcommand.
pub fn run(command: &DictCommand) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match command {
        DictCommand::Check { files } => check_files(files, &mut out),
        DictCommand::Compile { input, output } => compile_file(input, output),
        DictCommand::Lookup {
            phrase,
            dictionaries,
        } => lookup(&phrase.join(" "), dictionaries, &mut out),
        DictCommand::Stats { dictionaries } => stats(dictionaries, &mut out),
    }
}

fn check_files(files: &[std::path::PathBuf], out: &mut dyn Write) -> Result<ExitCode> {
    let mut problems = 0;
    let mut errored = false;
    for path in files {
        let origin = path.display();
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("despin: {origin}: cannot read dictionary: {e}");
                errored = true;
                continue;
            }
        };
        match parse_tsv(&bytes) {
            Err(e) => {
                eprintln!("despin: {origin}:{}: {}", e.line, e.message);
                errored = true;
            }
            Ok(entries) => {
                for problem in check(&entries) {
                    writeln!(out, "{origin}:{}: {problem}", problem.line)?;
                    problems += 1;
                }
                if problems == 0 {
                    writeln!(out, "{origin}: {} entries, no problems", entries.len())?;
                }
            }
        }
    }
    Ok(exit_code(problems > 0, errored))
}

fn compile_file(input: &Path, output: &Path) -> Result<ExitCode> {
    let origin = input.display();
    let tsv = fs::read(input).with_context(|| format!("{origin}: cannot read dictionary"))?;
    let entries =
        parse_tsv(&tsv).map_err(|e| anyhow::anyhow!("{origin}:{}: {}", e.line, e.message))?;
    let count = entries.len();
    let bytes = compiled::compile(entries)
        .map_err(|e| anyhow::anyhow!("{origin}:{}: {}", e.line, e.message))?;
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", output.display()))?;
    temp.write_all(&bytes)
        .and_then(|_| temp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", output.display()))?;
    // A temporary file is private (0600); a dictionary is for sharing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(0o644))
            .with_context(|| format!("{}: cannot set permissions", output.display()))?;
    }
    temp.persist(output)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot write", output.display()))?;
    eprintln!(
        "despin: compiled {count} entries from {origin} into {} ({} bytes)",
        output.display(),
        bytes.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn lookup(phrase: &str, args: &DictionaryArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let dictionaries = load(args)?;
    let mut found = false;
    for dictionary in &dictionaries {
        for (_, entry) in dictionary.lookup(phrase) {
            found = true;
            let condition = entry
                .condition
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            writeln!(
                out,
                "{}: {phrase} -> {} [{}]{condition}",
                dictionary.name(),
                entry.original,
                entry.level
            )?;
        }
    }
    if !found {
        writeln!(out, "{phrase:?} is in no dictionary")?;
        let mut near: Vec<String> = dictionaries
            .iter()
            .flat_map(|d| d.near_keys(phrase, 1))
            .collect();
        near.dedup();
        if !near.is_empty() {
            writeln!(
                out,
                "similar: {}",
                near.into_iter().take(5).collect::<Vec<_>>().join(", ")
            )?;
        }
    }
    Ok(exit_code(!found, false))
}

fn stats(args: &DictionaryArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let dictionaries = load(args)?;
    writeln!(
        out,
        "dictionary\tentries\tphrases\tsure\tlikely\tsuggest\tconditional"
    )?;
    for dictionary in &dictionaries {
        let mut by_level = [0usize; 3];
        let mut conditional = 0;
        for id in 0..dictionary.len() as u64 {
            if let Some(entry) = dictionary.entry(id) {
                by_level[Level::ALL
                    .iter()
                    .position(|&l| l == entry.level)
                    .unwrap_or(2)] += 1;
                conditional += entry.condition.is_some() as usize;
            }
        }
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            dictionary.name(),
            dictionary.len(),
            dictionary.key_count(),
            by_level[0],
            by_level[1],
            by_level[2],
            conditional
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// grep's convention: 2 on error, 1 when something was found, else 0.
pub fn exit_code(found: bool, errored: bool) -> ExitCode {
    if errored {
        ExitCode::from(2)
    } else if found {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
