//! despin repairs machine-paraphrased ("spun") English.
//!
//! Article spinners swap words for thesaurus synonyms, so "deep learning"
//! becomes "profound learning" and "this week" becomes "this 7 days". This
//! crate is the pure core of the `despin` tool: it finds such phrases with
//! dictionaries and proposes the original wording as byte-range [`Edit`]s.
//! It does no I/O and prints nothing; the command-line tool owns files,
//! terminals and processes.
//!
//! The flow, one folder per stage:
//! [`document`] (an input cut into documents, and their protected text) →
//! [`text`] (tokens with byte offsets, indexed segments, case, word
//! hashes) → `find` (dictionary matches, conditions, replacements, names)
//! and [`guess`] (repairs no list names) → [`context`] (a language model
//! judges whether each edit that is not `sure` fits its sentence), driven
//! by [`repair`] (levels, spin evidence, repair to a fixed point) →
//! [`edit`] (one overlap resolution, apply in one pass). [`dictionary`] loads and compiles the
//! lists that `find` matches; [`reason`] says why a guess was made, as
//! data.
//!
//! ```
//! use despin::Repairer;
//!
//! let repair = Repairer::default().repair("Counterfeit consciousness requires place this 7 days.");
//! assert_eq!(repair.text, "Artificial intelligence takes place this week.");
//! assert_eq!(repair.applied().count(), 3);
//! ```

#![deny(missing_docs)]

pub mod context;
pub mod dictionary;
pub mod document;
pub mod edit;
pub(crate) mod find;
pub mod guess;
pub mod level;
pub mod reason;
pub mod repair;
pub mod text;

/// Data compiled by `build.rs`: the default dictionaries and the thesaurus.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

pub use dictionary::source::LineError;
pub use dictionary::{Dictionary, DictionaryError, Entry};
pub use edit::{Edit, EntryRef, Origin};
pub use guess::GuessModel;
pub use level::Level;
pub use reason::GuessReason;
pub use repair::{DeepVerdict, Options, Repair, Repairer, Scan, SpinEvidence};
