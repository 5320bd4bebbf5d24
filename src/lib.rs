//! despin repairs machine-paraphrased ("spun") English.
//!
//! Article spinners swap words for thesaurus synonyms, so "deep learning"
//! becomes "profound learning" and "this week" becomes "this 7 days". This
//! crate is the pure core of the `despin` tool: it finds such phrases with
//! dictionaries and proposes the original wording as byte-range [`Edit`]s.
//! It does no I/O and prints nothing; the command-line tool owns files,
//! terminals and processes.
//!
//! The flow, one module per step:
//! [`tokenize`] (words with byte offsets) → [`matcher`] (dictionary phrases
//! at each word) → [`repair`] (levels, conditions, overlaps, case) →
//! [`edit`] (apply in one pass).
//!
//! ```
//! use despin::Repairer;
//!
//! let repair = Repairer::default().repair("Counterfeit consciousness requires place this 7 days.");
//! assert_eq!(repair.text, "Artificial intelligence takes place this week.");
//! assert_eq!(repair.applied().count(), 3);
//! ```

#![deny(missing_docs)]

#[allow(missing_docs)]
pub mod case;
#[allow(missing_docs)]
pub mod dictionary;
pub mod document;
#[allow(missing_docs)]
pub mod edit;
pub mod guess;
#[allow(missing_docs)]
pub mod guess_model;
#[allow(missing_docs)]
pub mod level;
#[allow(missing_docs)]
pub mod matcher;
pub mod names;
pub mod reason;
pub mod repair;
mod segment;
#[allow(missing_docs)]
pub mod tokenize;

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
pub use repair::{Options, Repair, Repairer, Scan, SpinEvidence};
