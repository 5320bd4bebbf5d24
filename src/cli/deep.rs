//! Loading the neural scorer of `--deep`: the user's download, found by
//! `--model`, `DESPIN_MODEL` or the path `tools/fetch-model.sh` writes.

use std::path::Path;
#[cfg(feature = "deep")]
use std::path::PathBuf;

use anyhow::Result;
use despin::Repairer;

/// What to run when the model is missing.
const FETCH: &str = "tools/fetch-model.sh";

/// Where `tools/fetch-model.sh` puts the model by default.
#[cfg(feature = "deep")]
pub fn default_path() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(cache.join("despin").join("gemma-3-270m-q4_k_m.gguf"))
}

/// Gives `repairer` the neural scorer read from `path` (or the default).
#[cfg(feature = "deep")]
pub fn with_scorer(repairer: Repairer, path: Option<&Path>) -> Result<Repairer> {
    use anyhow::Context;
    use std::sync::Arc;

    let path = match path {
        Some(path) => path.to_path_buf(),
        None => default_path().context("--deep: no --model given and no home directory")?,
    };
    if !path.exists() {
        anyhow::bail!(
            "--deep: no model at {}; fetch it with `{FETCH}` (it prints the model's licence terms), \
             or give --model FILE.gguf or DESPIN_MODEL",
            path.display()
        );
    }
    let file = std::fs::File::open(&path)
        .with_context(|| format!("cannot read model {}", path.display()))?;
    // SAFETY: read-only; the weights are copied out while loading.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .with_context(|| format!("cannot map model {}", path.display()))?;
    let model = despin::context::NeuralModel::from_gguf(&map)
        .with_context(|| format!("{}", path.display()))?;
    Ok(repairer.with_sentence_scorer(Arc::new(Counted(model))))
}

/// Without the `deep` feature there is no scorer: say how to get one.
#[cfg(not(feature = "deep"))]
pub fn with_scorer(_repairer: Repairer, _path: Option<&Path>) -> Result<Repairer> {
    anyhow::bail!(
        "--deep: this despin was built without the neural scorer; \
         build it with `cargo install --path . --features deep`, then fetch the model with `{FETCH}`"
    )
}

/// The scorer, counting sentences for the progress line.
#[cfg(feature = "deep")]
#[derive(Debug)]
struct Counted(despin::context::NeuralModel);

#[cfg(feature = "deep")]
impl despin::context::SentenceScorer for Counted {
    fn read(
        &self,
        sentence: &despin::context::Sentence<'_>,
        asked: &[(usize, Vec<String>)],
    ) -> Vec<Option<despin::context::Reading>> {
        crate::cli::progress::add_sentence();
        self.0.read(sentence, asked)
    }

    fn continuations(
        &self,
        sentence: &despin::context::Sentence<'_>,
        asked: &[(usize, Vec<String>)],
        lookahead: usize,
    ) -> Vec<Vec<Option<f32>>> {
        self.0.continuations(sentence, asked, lookahead)
    }
}
