//! Loads dictionaries from disk, and the `despin dict` subcommands.
//!
//! A TSV dictionary is parsed and compiled in memory on every run; a `.fst`
//! file made by `despin dict compile` is used in place (read into memory,
//! or memory-mapped when large), which is what makes million-entry
//! dictionaries cheap to load.

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

/// Dictionaries of up to this size are read into memory. A memory-mapped
/// file that another process truncates or rewrites mid-run (`cp` over it)
/// kills the run with SIGBUS; a copy in memory cannot change. Only larger
/// compiled dictionaries are mapped, where loading a copy would cost more
/// than the run: replace those with `mv`, which leaves the mapped file
/// intact, never by writing into them.
const MAP_OVER_BYTES: u64 = 16 << 20;

/// The largest dictionary read from a pipe or a device, whose size is not
/// known in advance.
const MAX_STREAMED_BYTES: u64 = 1 << 30;

/// Loads one dictionary: a compiled one (`.fst`, or any file that starts
/// with the compiled format's magic bytes) or TSV.
pub fn load_file(path: &Path) -> Result<Dictionary> {
    let origin = path.display().to_string();
    let file = fs::File::open(path).with_context(|| format!("{origin}: cannot open dictionary"))?;
    let metadata = file
        .metadata()
        .with_context(|| format!("{origin}: cannot read dictionary"))?;
    let bytes = if metadata.is_file() && metadata.len() > MAP_OVER_BYTES {
        // SAFETY: the map is read-only; see MAP_OVER_BYTES for why a file
        // this large is mapped and how to replace it safely.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .with_context(|| format!("{origin}: cannot read dictionary"))?;
        Bytes::from_shared(Arc::new(map))
    } else {
        Bytes::from(
            read_dictionary(file).with_context(|| format!("{origin}: cannot read dictionary"))?,
        )
    };
    let compiled_name = path.extension().is_some_and(|e| e == "fst");
    if compiled_name || bytes.as_ref().starts_with(MAGIC) {
        let dictionary = Dictionary::from_compiled(&name_of(path), &origin, bytes)?;
        // A corrupt phrase index makes the fst crate panic on look-up, so
        // its checksum is checked before any text is.
        dictionary
            .verify_index()
            .with_context(|| format!("{origin}: corrupt compiled dictionary"))?;
        Ok(dictionary)
    } else {
        Ok(Dictionary::from_tsv(
            &name_of(path),
            &origin,
            bytes.as_ref(),
        )?)
    }
}

/// Reads a dictionary file, pipe or device whole, refusing one that is
/// not text (a NUL byte in its first 64 KiB, unless it is compiled) or
/// larger than [`MAX_STREAMED_BYTES`], before reading all of it:
/// `--dict /dev/zero` is an error at once, not a gigabyte later.
fn read_dictionary(file: fs::File) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let mut reader = file.take(MAX_STREAMED_BYTES + 1);
    (&mut reader).take(64 << 10).read_to_end(&mut bytes)?;
    if !bytes.starts_with(MAGIC) && memchr::memchr(0, &bytes).is_some() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "binary data (a NUL byte), neither TSV nor a compiled dictionary",
        ));
    }
    reader.read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_STREAMED_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_STREAMED_BYTES >> 20),
        ));
    }
    Ok(bytes)
}

/// Runs a `despin dict` subcommand.
pub fn run(command: &DictCommand) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match command {
        DictCommand::Check { files } => check_files(files, &mut out),
        DictCommand::Compile { input, output } => compile_file(input, output),
        DictCommand::CompileLm { input, output } => compile_lm_file(input, output),
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
    write_shared(output, &bytes)?;
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

/// Writes a compiled file atomically, readable by everyone (a temporary
/// file is private, 0600; a dictionary or model is for sharing).
fn write_shared(output: &Path, bytes: &[u8]) -> Result<()> {
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", output.display()))?;
    temp.write_all(bytes)
        .and_then(|_| temp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", output.display()))?;
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
    Ok(())
}

/// Compiles an ARPA language model (`-` reads standard input).
fn compile_lm_file(input: &Path, output: &Path) -> Result<ExitCode> {
    let origin = input.display();
    let reader: Box<dyn io::BufRead> = if input == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        let file = fs::File::open(input).with_context(|| format!("{origin}: cannot read model"))?;
        Box::new(io::BufReader::new(file))
    };
    let bytes = despin::context::compile_arpa(reader)
        .map_err(|e| anyhow::anyhow!("{origin}:{}: {}", e.line, e.message))?;
    write_shared(output, &bytes)?;
    eprintln!(
        "despin: compiled the language model {origin} into {} ({} bytes)",
        output.display(),
        bytes.len()
    );
    Ok(ExitCode::SUCCESS)
}
