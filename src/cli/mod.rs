//! The command-line tool around the `despin` library.
//!
//! `args` declares the interface, `input` finds inputs, `run` drives them
//! through the repairer in parallel, `mode` delivers the result (filter,
//! diff, in-place, check, review, JSON Lines, mine), `report` renders
//! findings and `dict` handles user dictionaries and the `dict`
//! subcommands.

pub mod args;
pub mod config;
pub mod deep;
pub mod dict;
pub mod extract;
pub mod input;
pub mod mode;
pub mod progress;
pub mod reason;
pub mod report;
pub mod run;
pub mod visible;

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use anyhow::{Context, Result};
use despin::context::{Bars, Decoding};
use despin::{Level, Options, Repairer, SpinEvidence};

use args::{Cli, ColorChoice, Command, Format};
use mode::Mode;

/// Runs despin and returns its exit status (0 clean, 1 found, 2 error).
pub fn main() -> ExitCode {
    // A panic is a bug, or a compiled dictionary corrupt in a way its
    // checks missed: say so, and end with exit 2 like any other error
    // rather than with the runtime's 101.
    std::panic::set_hook(Box::new(|info| {
        if extract::panicking_quietly() {
            return;
        }
        eprintln!("despin: internal error: {info}");
    }));
    std::panic::catch_unwind(run_main).unwrap_or(ExitCode::from(2))
}

fn run_main() -> ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Some(message) = pointless_flag(&cli, &matches) {
        <Cli as clap::CommandFactory>::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit();
    }
    match run_cli(&cli, &matches) {
        Ok(code) => code,
        // `despin dict stats | head` closed early: not an error.
        Err(error)
            if error.chain().any(|cause| {
                cause
                    .downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("despin: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// A flag given on the command line that the chosen mode would ignore.
/// Pairs that clap can state are declared on the arguments; these depend
/// on which mode the other flags choose.
fn pointless_flag(cli: &Cli, matches: &clap::ArgMatches) -> Option<String> {
    use clap::parser::ValueSource;
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let reports = cli.mode.check
        || cli.output.format != Format::Human
        || cli.output.stats
        || cli.jsonl.annotate;
    if given("color") && !(cli.mode.diff || cli.mode.interactive) {
        return Some("--color colours --diff and --interactive only".to_string());
    }
    if given("level") && !reports {
        return Some(
            "--level chooses what a report lists: use it with --check, --format, --stats or --jsonl --annotate"
                .to_string(),
        );
    }
    None
}

/// The settings file for inputs under `start`: the one `--config` names,
/// none with `--no-config`, else the nearest `despin.toml` above it that
/// can be trusted. `untrusted` collects the files passed over, to say so
/// once each.
fn settings_file(
    cli: &Cli,
    start: &std::path::Path,
    untrusted: &mut Vec<(std::path::PathBuf, &'static str)>,
) -> Option<std::path::PathBuf> {
    if let Some(file) = &cli.config {
        return Some(file.clone());
    }
    if cli.no_config {
        return None;
    }
    match config::find(start) {
        config::Found::Use(path) => Some(path),
        config::Found::Untrusted(path, why) => {
            if !untrusted.iter().any(|(seen, _)| *seen == path) {
                untrusted.push((path, why));
            }
            None
        }
        config::Found::None => None,
    }
}

/// The command-line paths in order, grouped by the settings file that
/// applies to each, as typos finds its `typos.toml`: from the path's
/// directory upward. Standard input's is the current directory's.
fn settings_groups(
    cli: &Cli,
) -> Result<Vec<(Option<std::path::PathBuf>, Vec<std::path::PathBuf>)>> {
    let cwd = std::env::current_dir().context("cannot find the current directory")?;
    let mut untrusted = Vec::new();
    let mut groups: Vec<(Option<std::path::PathBuf>, Vec<std::path::PathBuf>)> = Vec::new();
    if cli.paths.is_empty() {
        groups.push((settings_file(cli, &cwd, &mut untrusted), Vec::new()));
    }
    for path in &cli.paths {
        let start = if path.as_os_str() == "-" {
            cwd.clone()
        } else {
            // Components drop the "." of `despin .` from the name shown.
            let absolute: std::path::PathBuf = cwd.join(path).components().collect();
            if absolute.is_dir() {
                absolute
            } else {
                absolute
                    .parent()
                    .map_or_else(|| cwd.clone(), |p| p.to_path_buf())
            }
        };
        let file = settings_file(cli, &start, &mut untrusted);
        match groups.last_mut() {
            Some((last, paths)) if *last == file => paths.push(path.clone()),
            _ => groups.push((file, vec![path.clone()])),
        }
    }
    for (path, why) in untrusted {
        eprintln!("despin: {}: not used: {why}", path.display());
    }
    Ok(groups)
}

/// The inputs that share one settings file, with the repairer those
/// settings make.
pub struct Batch {
    inputs: Vec<Result<input::Input, input::InputError>>,
    repairer: Repairer,
    protection: despin::document::Protection,
}

fn run_cli(cli: &Cli, matches: &clap::ArgMatches) -> Result<ExitCode> {
    match &cli.command {
        Some(Command::Dict(command)) => return dict::run(command),
        Some(Command::Mine(args)) => {
            let repairer = Repairer::new(dict::load(&args.dictionaries)?, mode::Mine::options());
            let repairer = with_guess_model(repairer, args.guess_model.as_deref())?;
            let inputs = input::discover(
                &args.paths,
                &input::Skip::new(globset::GlobSet::empty(), &args.dictionaries.dicts),
            );
            // Code and markup are no evidence here either.
            let protection = despin::document::Protection::default();
            let batch = Batch {
                inputs,
                repairer,
                protection,
            };
            return drive(vec![batch], &mode::Mine::new(args), None, None);
        }
        Some(Command::Completions { shell }) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "despin", &mut io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            man_page(&mut io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let groups = settings_groups(cli)?;
    let several = groups.len() > 1;
    let mut batches = Vec::new();
    let mut settled = None;
    for (file, paths) in groups {
        let mut cli = cli.clone();
        cli.paths = paths;
        let loaded = match &file {
            Some(path) => Some((path.as_path(), config::read(path)?)),
            None => None,
        };
        if let Some((path, config)) = &loaded {
            if config.changes_repairs() && !cli.quiet && !cli.print_config {
                eprintln!("despin: using settings from {}", path.display());
            }
        }
        let settings = config::apply(&mut cli, matches, loaded)?;
        if cli.print_config {
            if several {
                let shown: Vec<String> =
                    cli.paths.iter().map(|p| p.display().to_string()).collect();
                println!("# for {}", shown.join(" "));
            }
            print!("{}", config::render(&settings, file.as_deref()));
            continue;
        }
        let repairer = build_repairer(&cli)?;
        let protection = despin::document::Protection::new(&cli.ignore_regex)?
            .with_format(cli.file_type.map(Into::into));
        let inputs = input::discover(
            &cli.paths,
            &input::Skip::new(settings.exclude.clone(), &cli.dictionaries.dicts),
        );
        batches.push(Batch {
            inputs,
            repairer,
            protection,
        });
        settled.get_or_insert(cli);
    }
    let Some(settled) = settled else {
        // --print-config printed every group's settings.
        return Ok(ExitCode::SUCCESS);
    };
    let mode = choose_mode(&settled);
    drive(
        batches,
        mode.as_ref(),
        settled.jobs,
        settled.output.output_file.as_deref(),
    )
}

/// The repairer that the settings in `cli` describe.
fn build_repairer(cli: &Cli) -> Result<Repairer> {
    let options = Options {
        apply: Some(if cli.levels.aggressive {
            Level::Likely
        } else {
            Level::Sure
        }),
        report: cli.levels.level.0,
        promote: (!cli.levels.no_promote).then_some(SpinEvidence {
            min_findings: cli.levels.spin_min_findings,
            per_thousand_words: cli.levels.spin_threshold,
        }),
        names: !cli.levels.no_names,
        guess: (!cli.guesses.no_guess).then_some(cli.guesses.guess_threshold),
        context: (!cli.levels.no_context).then(Bars::default),
        decoding: (!cli.levels.no_context).then(|| Decoding {
            penalty: cli.levels.context_penalty,
            breadth_weight: cli.levels.context_breadth_weight,
            gate_per_thousand: cli.levels.context_gate,
            ..Decoding::default()
        }),
        deep: cli.levels.deep.then(|| despin::context::Deep {
            document_bar: cli.levels.deep_document_bar,
            choose_bar: cli.levels.deep_choose_bar,
            ..despin::context::Deep::default()
        }),
    };
    let repairer = Repairer::new(dict::load(&cli.dictionaries)?, options);
    let repairer = with_guess_model(repairer, cli.guesses.guess_model.as_deref())?;
    let repairer = with_language_model(repairer, cli.levels.lm.as_deref())?;
    let repairer = if cli.levels.deep {
        deep::with_scorer(repairer, cli.levels.model.as_deref())?
    } else {
        repairer
    };
    Ok(repairer)
}

/// The man page: clap's sections from the flag definitions, then EXAMPLES
/// and FILES.
fn man_page(out: &mut dyn io::Write) -> io::Result<()> {
    // The help's closing lines are the sections below.
    let command = <Cli as clap::CommandFactory>::command()
        .after_help(None::<&'static str>)
        .after_long_help(None::<&'static str>);
    clap_mangen::Man::new(command).render(out)?;
    let roff = |text: &str| text.replace('\\', "\\\\").replace('-', "\\-");
    writeln!(
        out,
        ".SH \"EXIT STATUS\"\n0 nothing found, 1 found (\\-\\-check, \\-\\-diff, \\-l), 2 an error (after the other inputs are processed)."
    )?;
    writeln!(out, ".SH EXAMPLES")?;
    for (command, what) in args::EXAMPLES {
        writeln!(out, ".TP\n\\fB{}\\fR\n{}", roff(command), roff(what))?;
    }
    writeln!(out, ".SH FILES")?;
    for (file, what) in [
        (
            "despin.toml",
            "Settings: the nearest one above each input, up to the repository root or the home directory (see --print-config, --config, --no-config).",
        ),
        (
            "~/.cache/despin/gemma-3-270m-q4_k_m.gguf",
            "The neural model of --deep, fetched by tools/fetch-model.sh; DESPIN_MODEL or --model name another.",
        ),
        (
            ".despin-PID-XXXXXX.tmp",
            "A temporary file of -i, -I or -o beside its target; a run killed mid-write may leave one, which the next run in that directory removes.",
        ),
    ] {
        writeln!(out, ".TP\n\\fI{}\\fR\n{}", roff(file), roff(what))?;
    }
    Ok(())
}

/// Uses the guess model in `path`, when one is given, instead of the
/// embedded one.
fn with_guess_model(repairer: Repairer, path: Option<&std::path::Path>) -> Result<Repairer> {
    let Some(path) = path else {
        return Ok(repairer);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read guess model {}", path.display()))?;
    let model = despin::GuessModel::from_tsv(&text)
        .map_err(|e| anyhow::anyhow!("{}:{}: {}", path.display(), e.line, e.message))?;
    Ok(repairer.with_guess_model(model))
}

/// Uses the language model compiled at `path`, memory-mapped, if given.
fn with_language_model(repairer: Repairer, path: Option<&std::path::Path>) -> Result<Repairer> {
    let Some(path) = path else {
        return Ok(repairer);
    };
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read language model {}", path.display()))?;
    // SAFETY: the map is read-only; a model changed while despin runs may
    // give wrong figures, as a dictionary may, but not unsafety in Rust's
    // sense beyond what memmap2 documents for any shared file.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .with_context(|| format!("cannot map language model {}", path.display()))?;
    // The model is read until the process ends.
    let bytes: &'static [u8] = Box::leak(Box::new(map));
    let model = despin::context::TrigramModel::from_static(bytes)
        .and_then(|model| model.verify().map(|()| model))
        .with_context(|| format!("{}: cannot load language model", path.display()))?;
    Ok(repairer.with_language_model(std::sync::Arc::new(model)))
}

/// Runs every batch's inputs through `mode` on `jobs` threads (all cores
/// when not given), and ends the mode: the one driver of every mode. What
/// the mode prints goes to standard output, or to `output_file` (`-o`).
fn drive(
    batches: Vec<Batch>,
    mode: &dyn Mode,
    jobs: Option<usize>,
    output_file: Option<&std::path::Path>,
) -> Result<ExitCode> {
    let jobs = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    // A file is written beside its target and renamed over it at the end,
    // so a reader never sees half of it.
    let file = match output_file.filter(|path| path.as_os_str() != "-") {
        Some(path) => Some(OutputFile::create(path)?),
        None => None,
    };
    let sink: Box<dyn io::Write + Send> = match &file {
        Some(file) => Box::new(
            file.temp
                .reopen()
                .with_context(|| format!("{}: cannot write", file.target.display()))?,
        ),
        None => Box::new(io::stdout()),
    };
    let mut out = run::Output::new(io::BufWriter::with_capacity(1 << 16, sink));
    // A review asks on the terminal: no progress line over its questions.
    let progress = (!mode.one_at_a_time()).then(progress::Progress::start);
    let result = pool
        .install(|| {
            let mut status = run::Status::default();
            for batch in batches {
                let done = run::run(
                    batch.inputs,
                    &batch.repairer,
                    &batch.protection,
                    mode,
                    jobs,
                    &mut out,
                )?;
                status.found |= done.found;
                status.errored |= done.errored;
                if mode.stopped() {
                    break;
                }
            }
            Ok::<_, io::Error>(status)
        })
        .and_then(|status| {
            mode.end(&mut out)
                .map_err(|e| match e.downcast::<io::Error>() {
                    Ok(io) => io,
                    Err(other) => io::Error::other(other.to_string()),
                })?;
            io::Write::flush(&mut out)?;
            Ok(status)
        });
    drop(progress);
    drop(out);
    if let (Ok(_), Some(file)) = (&result, file) {
        if let Err(e) = file.persist() {
            eprintln!("despin: {e:#}");
            return Ok(ExitCode::from(2));
        }
    }
    match result {
        Ok(status) => Ok(mode.exit_code(&status)),
        // A reader that went away (`despin big.txt | head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("despin: error writing output: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

/// The file `-o` names, written first as a temporary file beside it.
struct OutputFile {
    target: std::path::PathBuf,
    temp: tempfile::NamedTempFile,
}

impl OutputFile {
    fn create(target: &std::path::Path) -> Result<OutputFile> {
        Ok(OutputFile {
            target: target.to_path_buf(),
            temp: mode::temporary_beside(target, &target.display().to_string())?,
        })
    }

    /// Syncs the text and renames it over the target, which keeps its
    /// permissions; a new file gets the usual 0644, not a temporary
    /// file's 0600.
    fn persist(self) -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let display = self.target.display().to_string();
        let permissions = std::fs::metadata(&self.target).map_or_else(
            |_| std::fs::Permissions::from_mode(0o644),
            |m| m.permissions(),
        );
        self.temp
            .as_file()
            .set_permissions(permissions)
            .with_context(|| format!("{display}: cannot set permissions"))?;
        self.temp
            .as_file()
            .sync_all()
            .with_context(|| format!("{display}: cannot write"))?;
        self.temp
            .persist(&self.target)
            .map_err(|e| e.error)
            .with_context(|| format!("{display}: cannot write"))?;
        Ok(())
    }
}

fn choose_mode(cli: &Cli) -> Box<dyn Mode> {
    if cli.mode.interactive {
        let color = match cli.output.color {
            ColorChoice::Always => Some(true),
            ColorChoice::Never => Some(false),
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_some().then_some(false),
        };
        Box::new(mode::Interactive::new(color))
    } else if cli.jsonl.jsonl {
        Box::new(mode::Jsonl::new(
            cli.jsonl.field.clone(),
            cli.jsonl.annotate,
        ))
    } else if cli.mode.diff {
        let color = match cli.output.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Box::new(mode::Diff {
            color,
            visible: io::stdout().is_terminal(),
        })
    } else if cli.mode.in_place {
        Box::new(mode::InPlace::new(cli.quiet))
    } else if cli.mode.files_with_findings {
        Box::new(mode::Check {
            report: report::paths(),
            stats: false,
        })
    } else if cli.mode.check || cli.output.format != Format::Human || cli.output.stats {
        // A report format or a summary asks for a report.
        Box::new(mode::Check {
            report: report::for_format(cli.output.format),
            stats: cli.output.stats,
        })
    } else {
        Box::new(mode::Filter {
            to_file: cli.output.output_file.is_some(),
        })
    }
}
