//! The text formats: one line per finding for people, JSON Lines, and
//! SARIF 2.1.0 for code-scanning tools.

use std::io::{self, Write};

use std::sync::Mutex;

use serde_json::json;

use crate::cli::visible;

use super::finding::{Finding, Report, Summary};

/// `PATH:LINE:COL: spun -> original [dictionary, level]`, as compilers and
/// grep print locations, so editors can jump to them; a finding that is
/// only reported ends its brackets with `, not applied`.
pub struct Human;

impl Report for Human {
    fn finding(&self, out: &mut dyn Write, f: &Finding<'_>) -> io::Result<()> {
        match f.place() {
            Some(place) => write!(out, "{}: {place}: ", visible::name(f.path))?,
            None => write!(out, "{}:{}:{}: ", visible::name(f.path), f.line, f.column)?,
        }
        // A guess is its own source: its score says more than its name
        // twice.
        let how = match f.score {
            Some(score) => format!("{} {score:.2}", f.level),
            None if f.dictionary == f.level => f.level.to_string(),
            None => format!("{}, {}", f.dictionary, f.level),
        };
        write!(
            out,
            "{} -> {} [{how}{}]",
            visible::one_line(f.found),
            visible::one_line(f.replacement),
            if f.applied { "" } else { ", not applied" }
        )?;
        match &f.reason {
            Some(reason) => writeln!(out, " ({})", visible::one_line(reason)),
            None => writeln!(out),
        }
    }

    fn summary(&self, out: &mut dyn Write, s: &Summary<'_>) -> io::Result<()> {
        writeln!(
            out,
            "{}: {} finding{}, {} words, spin score {:.2} per 1,000 words",
            s.path,
            s.findings,
            if s.findings == 1 { "" } else { "s" },
            s.words,
            s.spin_score
        )?;
        if let Some(deep) = &s.deep {
            writeln!(
                out,
                "{}: deep: evidence {:.2} nats per content word over {}, so it {}",
                s.path,
                deep.evidence,
                deep.words,
                if deep.spun {
                    "counts as spun"
                } else {
                    "does not count as spun"
                }
            )?;
        }
        Ok(())
    }
}

/// `-l`: the path of each input with a finding, once, as `grep -l` prints.
pub struct Paths;

impl Report for Paths {
    fn finding(&self, _out: &mut dyn Write, _f: &Finding<'_>) -> io::Result<()> {
        Ok(())
    }

    fn summary(&self, out: &mut dyn Write, s: &Summary<'_>) -> io::Result<()> {
        if s.findings > 0 {
            writeln!(out, "{}", visible::name(s.path))?;
        }
        Ok(())
    }

    fn wants_summaries(&self) -> bool {
        true
    }
}

/// JSON Lines: one object per finding or summary, with a `type` field.
pub struct Json;

impl Report for Json {
    fn finding(&self, out: &mut dyn Write, f: &Finding<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, f)?;
        out.write_all(b"\n")
    }

    fn summary(&self, out: &mut dyn Write, s: &Summary<'_>) -> io::Result<()> {
        serde_json::to_writer(&mut *out, s)?;
        out.write_all(b"\n")
    }
}

/// SARIF 2.1.0, for code-scanning tools: one log for the whole run, with
/// a rule per dictionary and level, a result per finding located by line
/// and column, and the replacement as a fix.
#[derive(Default)]
pub struct Sarif {
    results: Mutex<Vec<SarifResult>>,
}

/// A finding, kept until the log is written.
struct SarifResult {
    rule: String,
    level: &'static str,
    path: String,
    line: u64,
    column: u64,
    end_column: Option<u64>,
    found: String,
    replacement: String,
    applied: bool,
    reason: Option<String>,
    /// Page and paragraph of extracted text, which has no lines to point at.
    place: Option<(Option<u32>, Option<u32>, String)>,
}

impl Sarif {
    /// The SARIF level for a despin level: `sure` findings are errors
    /// a reviewer must look at, `suggest` and guesses only notes.
    fn level(level: &str) -> &'static str {
        match level {
            "sure" => "error",
            "likely" => "warning",
            _ => "note",
        }
    }
}

impl Report for Sarif {
    fn finding(&self, _out: &mut dyn Write, f: &Finding<'_>) -> io::Result<()> {
        let single_line = !f.found.contains('\n');
        let result = SarifResult {
            rule: format!("{}/{}", f.dictionary, f.level),
            level: Sarif::level(f.level),
            path: f.path.to_string(),
            line: f.line,
            column: f.column,
            end_column: single_line.then(|| f.column + f.found.chars().count() as u64),
            found: f.found.to_string(),
            replacement: f.replacement.to_string(),
            applied: f.applied,
            reason: f.reason.clone(),
            place: f.place().map(|shown| (f.page, f.paragraph, shown)),
        };
        self.results
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(result);
        Ok(())
    }

    fn summary(&self, _out: &mut dyn Write, _s: &Summary<'_>) -> io::Result<()> {
        Ok(())
    }

    fn end(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut results = std::mem::take(
            &mut *self
                .results
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        results.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        let mut rules: Vec<(String, &'static str)> =
            results.iter().map(|r| (r.rule.clone(), r.level)).collect();
        rules.sort();
        rules.dedup();
        let rule_objects: Vec<serde_json::Value> = rules
            .iter()
            .map(|(id, level)| {
                let (dictionary, despin_level) = id.split_once('/').unwrap_or((id, ""));
                json!({
                    "id": id,
                    "name": format!("{dictionary}-{despin_level}"),
                    "shortDescription": {
                        "text": format!("Spun phrase ({despin_level}) from the {dictionary} source")
                    },
                    "defaultConfiguration": { "level": level },
                })
            })
            .collect();
        let result_objects: Vec<serde_json::Value> = results
            .iter()
            .map(|r| {
                let index = rules.iter().position(|(id, _)| *id == r.rule).unwrap_or(0);
                let mut region = json!({
                    "startLine": r.line,
                    "startColumn": r.column,
                    "snippet": { "text": r.found },
                });
                if let Some(end) = r.end_column {
                    region["endLine"] = json!(r.line);
                    region["endColumn"] = json!(end);
                }
                let mut message = format!("'{}' -> '{}'", r.found, r.replacement);
                if let Some(reason) = &r.reason {
                    message.push_str(&format!(" ({reason})"));
                }
                if let Some((page, paragraph, shown)) = &r.place {
                    // A PDF or DOCX has no lines to point at or bytes to
                    // replace: say where, and offer no fix.
                    return json!({
                        "ruleId": r.rule,
                        "ruleIndex": index,
                        "level": r.level,
                        "message": { "text": format!("{message}, {shown}") },
                        "locations": [{
                            "physicalLocation": {
                                "artifactLocation": { "uri": r.path },
                            }
                        }],
                        "properties": {
                            "applied": r.applied,
                            "page": page,
                            "paragraph": paragraph,
                        },
                    });
                }
                json!({
                    "ruleId": r.rule,
                    "ruleIndex": index,
                    "level": r.level,
                    "message": { "text": message },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": r.path },
                            "region": region,
                        }
                    }],
                    "fixes": [{
                        "description": { "text": format!("Replace with '{}'", r.replacement) },
                        "artifactChanges": [{
                            "artifactLocation": { "uri": r.path },
                            "replacements": [{
                                "deletedRegion": region.clone(),
                                "insertedContent": { "text": r.replacement },
                            }],
                        }],
                    }],
                    "properties": { "applied": r.applied },
                })
            })
            .collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "despin",
                        "version": env!("CARGO_PKG_VERSION"),
                        "informationUri": "https://github.com/despin/despin",
                        "rules": rule_objects,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": result_objects,
            }]
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")
    }
}
