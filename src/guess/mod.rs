//! Proposes repairs that no dictionary lists.
//!
//! Spinners swap single words for thesaurus synonyms, and they keep making
//! the same swaps: "profound" for deep, "woodland" for forest. The model
//! (its file format is `guess/format.rs`) holds the swaps learned from known spun and
//! original phrases, and a lexicon of established terms. For a run of two
//! or three words that contains a learned spun word, the guesser undoes the
//! swaps and keeps the result only if it is an established term while the
//! spun run is not. The strongest evidence is the document itself: a spun
//! paper often still uses the right term in another sentence.
//!
//! Each guess carries a score and its reasons. Whether it is applied is
//! decided by the repairer from the score and the document prior (how much
//! known spin the document shows), by `score::guess_threshold`.

pub(crate) mod format;
mod model;
mod pairs;
mod score;
mod window;

pub use format::SOURCE_DOCUMENT;
pub use model::{GuessModel, LearnedSwap};
pub use score::DEFAULT_THRESHOLD;
pub(crate) use score::{guess_threshold, Prior};
pub(crate) use window::{find_guesses, Document, DOCUMENT_EVIDENCE_MAX_WORDS};
