//! Parses the reviewable text form of a dictionary.
//!
//! Dictionaries live as TSV so that people can read, diff and review them:
//!
//! ```text
//! # comment
//! spun phrase<TAB>original<TAB>level[<TAB>condition]
//! ```
//!
//! The optional condition ties an entry to its document: `if:PHRASE` applies
//! the entry only when the document also contains PHRASE somewhere,
//! `unless:PHRASE` only when it does not, and `near:PHRASE~N` only when
//! PHRASE is within N words of the match. `A|B` accepts either phrase, a
//! trailing `*` makes a word a prefix, and `;` joins clauses that must all
//! hold. A spun side written with capitals
//! ("Residence Speaker") only matches text with the same capitalised words,
//! which keeps ordinary lowercase uses ("a residence speaker system") clean.
//!
//! This module uses only `std` and the tokenizer because `build.rs` compiles
//! it too.

use crate::level::Level;
use crate::text::tokenize::{normalize_phrase, tokens};

/// What a condition clause asks of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClauseKind {
    /// One of the phrases occurs somewhere in the document.
    Requires,
    /// None of the phrases occurs anywhere in the document.
    Unless,
    /// One of the phrases occurs within this many words of the match.
    Near(u32),
}

/// One clause of an entry's condition: a kind and its alternative phrases,
/// normalised. A phrase word ending in `*` matches any word with that
/// prefix ("optimiz*").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// Whether the phrases must occur, be absent, or be near the match.
    pub kind: ClauseKind,
    /// Normalised phrases, any of which satisfies the clause.
    pub phrases: Vec<String>,
}

/// Parses a condition expression: clauses separated by `;`, each
/// `if:A|B`, `unless:A|B` or `near:A|B~N`. All clauses must hold.
pub fn parse_condition(field: &str) -> Result<Vec<Clause>, String> {
    let mut clauses = Vec::new();
    for clause in field.split(';').map(str::trim).filter(|c| !c.is_empty()) {
        let (kind, body) = clause.split_once(':').ok_or_else(|| {
            format!("condition {clause:?} must be if:PHRASE, unless:PHRASE or near:PHRASE~N")
        })?;
        let (kind, body) = match kind.trim() {
            "if" => (ClauseKind::Requires, body),
            "unless" => (ClauseKind::Unless, body),
            "near" => {
                let (body, distance) = body.rsplit_once('~').ok_or_else(|| {
                    format!("condition {clause:?} needs a distance: near:PHRASE~N")
                })?;
                let distance = distance
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| format!("condition {clause:?} has a bad distance"))?;
                (ClauseKind::Near(distance), body)
            }
            other => {
                return Err(format!(
                    "unknown condition {other:?} (expected if, unless or near)"
                ))
            }
        };
        let mut phrases = Vec::new();
        for alternative in body.split('|') {
            let prefix = alternative.trim_end().ends_with('*');
            let mut phrase = normalize_phrase(alternative);
            if phrase.is_empty() {
                return Err(format!("condition {clause:?} has an empty phrase"));
            }
            if prefix {
                phrase.push('*');
            }
            phrases.push(phrase);
        }
        clauses.push(Clause { kind, phrases });
    }
    if clauses.is_empty() {
        return Err("empty condition".to_string());
    }
    Ok(clauses)
}

/// Writes clauses back in canonical form, as stored in compiled dictionaries.
pub fn condition_to_source(clauses: &[Clause]) -> String {
    clauses
        .iter()
        .map(|c| {
            let phrases = c.phrases.join("|");
            match c.kind {
                ClauseKind::Requires => format!("if:{phrases}"),
                ClauseKind::Unless => format!("unless:{phrases}"),
                ClauseKind::Near(n) => format!("near:{phrases}~{n}"),
            }
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// One line of a dictionary, parsed and normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceEntry {
    /// 1-based line number in the source, for messages.
    pub line: usize,
    /// The spun side as written.
    pub spun: String,
    /// The spun side normalised: the key looked up in the text.
    pub key: String,
    /// The original wording to restore.
    pub original: String,
    /// How sure a repair by this entry is.
    pub level: Level,
    /// The condition in canonical form (see [`parse_condition`]).
    pub condition: Option<String>,
    /// Bit `i` is set when word `i` of the spun side must be capitalised.
    /// Zero means the entry matches in any case.
    pub case_mask: u32,
}

/// A line of a data file (a dictionary, a guess model) that cannot be
/// used: malformed, or at odds with another line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with the line.
    pub message: String,
}

/// The longest dictionary line, in bytes. A phrase and its original are a
/// few words each; a longer line is a wrong file, and the matcher's tables
/// grow with the longest key.
pub const MAX_LINE_BYTES: usize = 4096;

/// Parses a whole TSV dictionary.
///
/// Every line is checked: the first malformed one is returned as an error
/// with its line number, so a user can fix their file.
pub fn parse_tsv(bytes: &[u8]) -> Result<Vec<SourceEntry>, LineError> {
    let mut entries = Vec::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.len() > MAX_LINE_BYTES {
            return Err(LineError {
                line,
                message: format!(
                    "line of {} bytes is longer than the {MAX_LINE_BYTES} a dictionary line may have",
                    raw.len()
                ),
            });
        }
        let text = std::str::from_utf8(raw).map_err(|e| LineError {
            line,
            message: format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() + 1),
        })?;
        if text.trim().is_empty() || text.trim_start().starts_with('#') {
            continue;
        }
        let entry = parse_line(text).map_err(|message| LineError { line, message })?;
        entries.push(SourceEntry { line, ..entry });
    }
    Ok(entries)
}

fn parse_line(text: &str) -> Result<SourceEntry, String> {
    let fields: Vec<&str> = text.split('\t').collect();
    if fields.len() < 3 {
        return Err(format!(
            "expected spun<TAB>original<TAB>level, found {} field{}",
            fields.len(),
            if fields.len() == 1 { "" } else { "s" }
        ));
    }
    if fields.len() > 4 {
        return Err(format!("expected at most 4 fields, found {}", fields.len()));
    }
    let spun = fields[0].trim();
    let original = fields[1].trim();
    if spun.is_empty() {
        return Err("the spun phrase is empty".to_string());
    }
    if original.is_empty() {
        return Err("the original is empty".to_string());
    }
    let key = normalize_phrase(spun);
    if key.is_empty() {
        return Err(format!("the spun phrase {spun:?} has no words"));
    }
    let level = fields[2].trim().parse::<Level>()?;
    if matches!(level, Level::Guess | Level::Context) {
        return Err(format!(
            "level {level} is despin's own; entries are sure, likely or suggest"
        ));
    }
    let condition = match fields.get(3).map(|f| f.trim()) {
        Some(field) if !field.is_empty() => Some(condition_to_source(&parse_condition(field)?)),
        _ => None,
    };
    Ok(SourceEntry {
        line: 0,
        spun: spun.to_string(),
        key,
        original: original.to_string(),
        level,
        condition,
        case_mask: case_mask(spun),
    })
}

/// Which words of `phrase` start with a capital letter, as a bit mask.
/// Phrases written all in lowercase get zero: they match in any case.
pub fn case_mask(phrase: &str) -> u32 {
    let mut mask = 0;
    for (i, token) in tokens(phrase).enumerate().take(32) {
        let first = phrase[token.start..].chars().next().unwrap_or(' ');
        if first.is_uppercase() {
            mask |= 1 << i;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_comments_and_conditions() {
        let source = b"# c\n\nprofound learning\tdeep learning\tsure\nResidence Speaker\tHouse Speaker\tlikely\tif:house\n";
        let entries = parse_tsv(source).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].key, "profound learning");
        assert_eq!(entries[0].line, 3);
        assert_eq!(entries[0].case_mask, 0);
        assert_eq!(entries[1].case_mask, 0b11);
        assert_eq!(entries[1].condition.as_deref(), Some("if:house"));
    }

    #[test]
    fn parses_condition_expressions() {
        let clauses =
            parse_condition("if:Deep Learning|neural*; unless:specular ;near:TP~5").unwrap();
        assert_eq!(clauses.len(), 3);
        assert_eq!(clauses[0].phrases, ["deep learning", "neural*"]);
        assert_eq!(clauses[2].kind, ClauseKind::Near(5));
        assert_eq!(
            condition_to_source(&clauses),
            "if:deep learning|neural*;unless:specular;near:tp~5"
        );
        assert!(parse_condition("maybe:x").is_err());
        assert!(parse_condition("near:x").is_err());
        assert!(parse_condition("if:--").is_err());
    }

    #[test]
    fn names_the_bad_line() {
        let err = parse_tsv(b"a\tb\tsure\nmissing tab\n").unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse_tsv(b"a\t\tsure\n").unwrap_err();
        assert!(err.message.contains("original is empty"), "{}", err.message);
        let err = parse_tsv(b"a\tb\tmaybe\n").unwrap_err();
        assert!(err.message.contains("unknown level"));
        let err = parse_tsv(b"a\tb\tsure\n\xff\tb\tsure\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("UTF-8"));
    }
}
