//! `--format html`: one self-contained page for an editor screening many
//! documents, and restoring them.
//!
//! The page has no external assets: the style and the script (sorting the
//! table, moving between findings, accepting and rejecting them, saving)
//! are inline, so it can be mailed or archived as one file and works
//! offline. A summary table ranks the documents by spin score; below it,
//! each document's text shows every finding as a word diff, the text
//! struck through and the original after it, with its reason on hover or
//! focus. Each finding has a toggle, set to what despin applies; the page
//! saves the text with the choices made, and exports the findings as CSV.
//! Printed, every replacement stays visible.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::Mutex;

use super::finding::{Finding, Report, Summary};

/// Documents are kept until the page is written.
#[derive(Default)]
pub struct Html {
    documents: Mutex<BTreeMap<String, Document>>,
}

#[derive(Default)]
struct Document {
    text: Vec<u8>,
    findings: Vec<Mark>,
    words: usize,
}

/// A finding, as the page shows it.
struct Mark {
    start: usize,
    end: usize,
    line: u64,
    replacement: String,
    dictionary: String,
    level: &'static str,
    applied: bool,
    reason: Option<String>,
}

impl Html {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, Document>) -> T) -> T {
        let mut documents = self
            .documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut documents)
    }
}

impl Report for Html {
    fn finding(&self, _out: &mut dyn Write, f: &Finding<'_>) -> io::Result<()> {
        self.with(|documents| {
            let document = documents.entry(f.path.to_string()).or_default();
            document.findings.push(Mark {
                start: f.byte_start as usize,
                end: f.byte_end as usize,
                line: f.line,
                replacement: f.replacement.to_string(),
                dictionary: f.dictionary.to_string(),
                level: f.level,
                applied: f.applied,
                reason: f.reason.clone(),
            });
        });
        Ok(())
    }

    fn summary(&self, _out: &mut dyn Write, s: &Summary<'_>) -> io::Result<()> {
        self.with(|documents| documents.entry(s.path.to_string()).or_default().words = s.words);
        Ok(())
    }

    fn text(&self, path: &str, chunk: &[u8]) {
        self.with(|documents| {
            documents
                .entry(path.to_string())
                .or_default()
                .text
                .extend_from_slice(chunk)
        });
    }

    fn wants_summaries(&self) -> bool {
        true
    }

    fn end(&self, out: &mut dyn Write) -> io::Result<()> {
        let page = self.with(|documents| {
            // Paths as a person in the working directory writes them.
            let cwd = std::env::current_dir().ok();
            let relative: BTreeMap<String, &Document> = documents
                .iter()
                .map(|(path, document)| (relative_to(cwd.as_deref(), path), document))
                .collect();
            render(&relative)
        });
        out.write_all(page.as_bytes())
    }
}

/// `path` relative to `cwd` when it lies under it.
fn relative_to(cwd: Option<&std::path::Path>, path: &str) -> String {
    let Some(cwd) = cwd else {
        return path.to_string();
    };
    match std::path::Path::new(path).strip_prefix(cwd) {
        Ok(rest) if std::path::Path::new(path).is_absolute() => rest.display().to_string(),
        _ => path.to_string(),
    }
}

fn spin_score(document: &Document) -> f64 {
    super::finding::spin_score(document.findings.len(), document.words)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // HTML turns a raw CR LF into LF; a reference survives, so a
            // saved text keeps its line endings.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Counts by key, as "news 3, science 1".
fn counts<'a>(keys: impl Iterator<Item = &'a str>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for key in keys {
        *counts.entry(key).or_default() += 1;
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render(documents: &BTreeMap<String, &Document>) -> String {
    let mut page = String::new();
    let total: usize = documents.values().map(|d| d.findings.len()).sum();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>despin report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><h1>despin report</h1><p>{} document{}, {total} finding{}. \
         Click a column to sort; hover or focus a highlighted phrase for why. \
         Tick or untick a finding to accept or reject it, then save the repaired text.</p>\n\
         <p class=\"legend\">Legend: <mark class=\"sure applied accepted\"><del>spun</del><ins>original</ins></mark> sure \
         <mark class=\"likely applied accepted\"><del>spun</del><ins>original</ins></mark> likely \
         <mark class=\"suggest\"><del>spun</del><ins>original</ins></mark> suggested \
         <mark class=\"guess\"><del>spun</del><ins>original</ins></mark> guessed. \
         A solid underline marks what despin applies; a struck-through phrase is followed by the original that replaces it, \
         and a phrase that is not struck through is kept.</p></header>\n",
        documents.len(),
        if documents.len() == 1 { "" } else { "s" },
        if total == 1 { "" } else { "s" },
    );
    page.push_str(
        "<table id=\"summary\"><thead><tr>\
         <th tabindex=\"0\" data-type=\"text\">Document</th>\
         <th tabindex=\"0\" data-type=\"number\" aria-sort=\"descending\">Spin score</th>\
         <th tabindex=\"0\" data-type=\"number\">Findings</th>\
         <th tabindex=\"0\" data-type=\"number\">Words</th>\
         <th tabindex=\"0\" data-type=\"text\">By source</th>\
         <th tabindex=\"0\" data-type=\"text\">By level</th>\
         <th tabindex=\"0\" data-type=\"number\">Guesses</th>\
         </tr></thead><tbody>\n",
    );
    let mut ranked: Vec<(usize, &String, &Document)> = documents
        .iter()
        .enumerate()
        .map(|(i, (path, d))| (i, path, *d))
        .collect();
    ranked.sort_by(|a, b| spin_score(b.2).total_cmp(&spin_score(a.2)));
    for (i, path, document) in &ranked {
        let guesses = document
            .findings
            .iter()
            .filter(|f| f.level == "guess")
            .count();
        let _ = writeln!(
            page,
            "<tr><td><a href=\"#doc-{i}\">{}</a></td><td>{:.2}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{guesses}</td></tr>",
            escape(path),
            spin_score(document),
            document.findings.len(),
            document.words,
            escape(&counts(
                document.findings.iter().map(|f| f.dictionary.as_str())
            )),
            counts(document.findings.iter().map(|f| f.level)),
        );
    }
    page.push_str("</tbody></table>\n");
    for (i, (path, document)) in documents.iter().enumerate() {
        render_document(&mut page, i, path, document);
    }
    let _ = write!(page, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    page
}

fn render_document(page: &mut String, i: usize, path: &str, document: &Document) {
    let _ = write!(
        page,
        "<section id=\"doc-{i}\" aria-labelledby=\"title-{i}\" data-name=\"{}\">\n\
         <h2 id=\"title-{i}\">{}</h2>\n\
         <p>{} finding{}, spin score {:.2} per 1,000 words.</p>\n",
        escape(path),
        escape(path),
        document.findings.len(),
        if document.findings.len() == 1 {
            ""
        } else {
            "s"
        },
        spin_score(document),
    );
    if !document.findings.is_empty() {
        page.push_str(
            "<p class=\"actions\"><button type=\"button\" class=\"save\">Save repaired text</button> \
             <button type=\"button\" class=\"csv\">Export findings as CSV</button></p>\n\
             <ol class=\"findings\">\n",
        );
        for (j, f) in document.findings.iter().enumerate() {
            let found = String::from_utf8_lossy(&document.text[f.start..f.end]);
            let _ = writeln!(
                page,
                "<li><input type=\"checkbox\" class=\"accept\" id=\"accept-{i}-{j}\" data-mark=\"f-{i}-{j}\"{}> \
                 <label for=\"accept-{i}-{j}\">accept</label> \
                 <a href=\"#f-{i}-{j}\">line {}: {} → {}</a> <span class=\"level {}\">{}, {}, {}</span></li>",
                if f.applied { " checked" } else { "" },
                f.line,
                escape(&found),
                escape(&f.replacement),
                f.level,
                escape(&f.dictionary),
                f.level,
                if f.applied { "applied" } else { "reported" },
            );
        }
        page.push_str("</ol>\n");
    }
    page.push_str("<pre class=\"text\">");
    let mut at = 0;
    for (j, f) in document.findings.iter().enumerate() {
        if f.start < at || f.end > document.text.len() {
            continue;
        }
        page.push_str(&escape(&String::from_utf8_lossy(
            &document.text[at..f.start],
        )));
        let found = String::from_utf8_lossy(&document.text[f.start..f.end]);
        let mut tip = format!("→ {} ({}, {}", f.replacement, f.dictionary, f.level);
        tip.push_str(if f.applied {
            ", applied)"
        } else {
            ", reported)"
        });
        if let Some(reason) = &f.reason {
            tip.push_str(": ");
            tip.push_str(reason);
        }
        let state = if f.applied { " applied accepted" } else { "" };
        let _ = write!(
            page,
            "<mark id=\"f-{i}-{j}\" class=\"{}{state}\" tabindex=\"0\" aria-describedby=\"tip-{i}-{j}\" \
             data-found=\"{}\" data-replacement=\"{}\" data-line=\"{}\" data-dictionary=\"{}\" data-level=\"{}\" \
             data-reason=\"{}\"><del>{}</del><ins>{}</ins>\
             <span class=\"tip\" role=\"tooltip\" id=\"tip-{i}-{j}\">{}</span></mark>",
            f.level,
            escape(&found),
            escape(&f.replacement),
            f.line,
            escape(&f.dictionary),
            f.level,
            escape(f.reason.as_deref().unwrap_or("")),
            escape(&found),
            escape(&f.replacement),
            escape(&tip),
        );
        at = f.end;
    }
    page.push_str(&escape(&String::from_utf8_lossy(&document.text[at..])));
    page.push_str("</pre>\n</section>\n");
}

const STYLE: &str = r#"
body { font: 15px/1.5 system-ui, sans-serif; margin: 2em auto; max-width: 70em; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0; }
table { border-collapse: collapse; width: 100%; margin: 1em 0 2em; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .6em; text-align: left; }
th { cursor: pointer; background: #f4f4f4; user-select: none; }
th[aria-sort=ascending]::after { content: " ▲"; }
th[aria-sort=descending]::after { content: " ▼"; }
th:focus, a:focus, mark:focus { outline: 2px solid #1a5fb4; outline-offset: 1px; }
section { border-top: 2px solid #ccc; margin-top: 2em; }
pre.text { white-space: pre-wrap; font: 14px/1.6 Georgia, serif; background: #fcfcfa; padding: 1em; border: 1px solid #eee; }
mark { position: relative; background: #ffd8a8; border-radius: 2px; cursor: help; }
mark.sure { background: #ffc9c9; }
mark.likely { background: #ffd8a8; }
mark.suggest { background: #d0ebff; }
mark.guess { background: #d3f9d8; }
mark .tip { display: none; position: absolute; left: 0; top: 1.6em; z-index: 2; width: max-content; max-width: 36em;
  background: #222; color: #fff; font: 13px/1.4 system-ui, sans-serif; padding: .4em .6em; border-radius: 4px; white-space: normal; }
mark:hover .tip, mark:focus .tip { display: block; }
.findings { columns: 2; font-size: 14px; }
.level { color: #666; font-size: 12px; }
mark.applied { border-bottom: 2px solid #555; }
mark del { color: #a61e1e; }
mark ins { text-decoration: none; font-weight: 600; margin-left: .25em; }
mark:not(.accepted) del { text-decoration: none; color: inherit; }
mark:not(.accepted) ins { display: none; }
.legend mark { cursor: default; }
.actions button { font: inherit; margin-right: .5em; }
@media print {
  .actions, .findings input, .findings label, mark .tip { display: none !important; }
  mark { background: none; border-bottom: 1px solid #000; }
  /* Every replacement is on paper, accepted or not. */
  mark:not(.accepted) ins { display: inline; font-style: italic; }
  mark:not(.accepted) ins::before { content: "[→ "; }
  mark:not(.accepted) ins::after { content: "]"; }
}
"#;

const SCRIPT: &str = r#"
(function () {
  "use strict";
  var table = document.getElementById("summary");
  if (!table) { return; }
  var headers = table.querySelectorAll("th");
  function sortBy(index) {
    var th = headers[index];
    var numeric = th.getAttribute("data-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[index].textContent, y = b.cells[index].textContent;
      var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  headers.forEach(function (th, index) {
    th.addEventListener("click", function () { sortBy(index); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(index); }
    });
  });
  // Accepting and rejecting: a finding's toggle decides whether its
  // original replaces the text in what is saved.
  document.querySelectorAll("input.accept").forEach(function (box) {
    box.addEventListener("change", function () {
      var mark = document.getElementById(box.getAttribute("data-mark"));
      if (mark) { mark.classList.toggle("accepted", box.checked); }
    });
  });
  function repairedText(section) {
    var out = "";
    section.querySelector("pre.text").childNodes.forEach(function (node) {
      if (node.nodeType === 3) {
        out += node.nodeValue;
      } else if (node.tagName === "MARK") {
        out += node.classList.contains("accepted") ? node.dataset.replacement : node.dataset.found;
      }
    });
    return out;
  }
  function download(name, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  function baseName(section) {
    return section.dataset.name.split("/").pop().replace(/\.[^.]*$/, "");
  }
  function csvField(value) {
    value = String(value);
    return /[",\r\n]/.test(value) ? "\"" + value.replace(/"/g, "\"\"") + "\"" : value;
  }
  document.querySelectorAll("section").forEach(function (section) {
    var save = section.querySelector("button.save");
    if (save) {
      save.addEventListener("click", function () {
        download(baseName(section) + ".repaired.txt", repairedText(section), "text/plain;charset=utf-8");
      });
    }
    var csv = section.querySelector("button.csv");
    if (csv) {
      csv.addEventListener("click", function () {
        var rows = [["document", "line", "found", "replacement", "dictionary", "level", "applied", "accepted", "reason"]];
        section.querySelectorAll("pre.text mark").forEach(function (mark) {
          rows.push([section.dataset.name, mark.dataset.line, mark.dataset.found, mark.dataset.replacement,
            mark.dataset.dictionary, mark.dataset.level, mark.classList.contains("applied"),
            mark.classList.contains("accepted"), mark.dataset.reason]);
        });
        download(baseName(section) + ".findings.csv",
          rows.map(function (row) { return row.map(csvField).join(","); }).join("\r\n") + "\r\n",
          "text/csv;charset=utf-8");
      });
    }
  });
  // n and p move between highlighted findings.
  var marks = Array.prototype.slice.call(document.querySelectorAll("pre.text mark"));
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT" || marks.length === 0) { return; }
    var current = marks.indexOf(document.activeElement);
    if (event.key === "n") { marks[(current + 1) % marks.length].focus(); }
    if (event.key === "p") { marks[(current - 1 + marks.length) % marks.length].focus(); }
  });
})();
"#;
