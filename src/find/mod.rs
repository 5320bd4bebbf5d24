//! Finding spun phrases: dictionary matches at each word, the document
//! conditions that decide them, the replacement's wording and case, and
//! names and organisations repaired from the document's own evidence.

pub(crate) mod condition;
pub(crate) mod matcher;
pub(crate) mod names;
pub(crate) mod replacement;
