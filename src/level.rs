//! How confident an entry is, which decides whether it is applied.
//!
//! Levels exist so that ambiguous knowledge can still ship: a phrase that a
//! spinner produces but that also occurs in clean English is reported for a
//! person to judge instead of being rewritten. This module uses only `std`
//! because `build.rs` compiles it too.

use std::fmt;
use std::str::FromStr;

/// The confidence of a dictionary entry, most confident first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Never clean English: applied by default.
    Sure,
    /// Usually spun, sometimes clean: applied with `--aggressive`, or when
    /// the document already shows enough spin.
    Likely,
    /// Worth a look: reported, never written.
    Suggest,
    /// A guess of the guesser, not a dictionary entry: applied only when
    /// its score reaches the document's guess threshold.
    Guess,
    /// A word the context stage restored from the thesaurus because its
    /// sentence prefers it: applied only in a document the gate judges
    /// spun.
    Context,
}

impl Level {
    /// All levels, most confident first.
    pub const ALL: [Level; 5] = [
        Level::Sure,
        Level::Likely,
        Level::Suggest,
        Level::Guess,
        Level::Context,
    ];

    /// The name used in dictionaries and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Sure => "sure",
            Level::Likely => "likely",
            Level::Suggest => "suggest",
            Level::Guess => "guess",
            Level::Context => "context",
        }
    }

    /// The compact form stored in compiled dictionaries.
    pub fn to_byte(self) -> u8 {
        self as u8
    }

    /// The inverse of [`Level::to_byte`].
    pub fn from_byte(byte: u8) -> Option<Level> {
        Level::ALL.get(byte as usize).copied()
    }

    /// Whether an entry of this level is at least as confident as `floor`.
    pub fn at_least(self, floor: Level) -> bool {
        self <= floor
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Level, String> {
        Level::ALL
            .into_iter()
            .find(|level| level.as_str() == s)
            .ok_or_else(|| {
                format!("unknown level {s:?} (expected sure, likely, suggest, guess or context)")
            })
    }
}
