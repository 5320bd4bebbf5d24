//! Text as the later stages see it: tokens with byte offsets, indexed
//! segments of valid UTF-8, case, and the word hash every filter uses.

pub mod case;
pub mod hash;
pub(crate) mod segment;
pub mod tokenize;
