//! Printing a comparison: aligned terminal tables, Markdown, or the JSON document with
//! sorted keys.

use std::fmt::Write;

use serde_json::Value;

use super::document::ComparisonDocument;
use super::sections::{Section, preamble, sections};
use crate::report::Table;

/// Output format of `meridian compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Markdown,
    /// Every table cell as one record `section,row,column,value` (the sections have
    /// different columns, so a long layout keeps one header).
    Csv,
}

/// Renders `doc` in `format`, ending with a newline.
pub fn render(doc: &ComparisonDocument, format: Format) -> String {
    match format {
        Format::Table => table(doc),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json(doc)).expect("a JSON value");
            s.push('\n');
            s
        }
        Format::Markdown => markdown(doc),
        Format::Csv => csv(doc),
    }
}

/// The document as JSON with sorted keys (serde_json's map is a BTreeMap).
pub fn json(doc: &ComparisonDocument) -> Value {
    serde_json::to_value(doc).expect("the document has only string keys")
}

fn table(doc: &ComparisonDocument) -> String {
    let mut out = String::new();
    for line in preamble(doc) {
        let _ = writeln!(out, "{line}");
    }
    for s in sections(doc) {
        let _ = writeln!(out, "\n{}", s.title);
        out.push_str(&terminal_table(&s));
        for n in &s.notes {
            let _ = writeln!(out, "{n}");
        }
    }
    out
}

/// Header of the comparison's CSV.
pub const CSV_HEADER: &str = "section,row,column,value";

fn csv(doc: &ComparisonDocument) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for s in sections(doc) {
        // An indented row belongs to the row above it (e.g. its confidence interval).
        let mut parent = String::new();
        for r in &s.rows {
            let first = r.first().map_or("", String::as_str);
            let row = if first.starts_with(' ') && !parent.is_empty() {
                format!("{parent} / {}", first.trim())
            } else {
                parent = first.trim().to_string();
                parent.clone()
            };
            for (h, v) in s.headers.iter().zip(r).skip(1) {
                out.push_str(&crate::report::csv_record(&[
                    s.title.as_str(),
                    row.as_str(),
                    h,
                    v.trim(),
                ]));
            }
        }
    }
    out
}

fn terminal_table(s: &Section) -> String {
    let headers: Vec<&str> = s.headers.iter().map(String::as_str).collect();
    let mut t = Table::new(&headers);
    for r in &s.rows {
        t.row(r.clone());
    }
    t.render()
}

fn markdown(doc: &ComparisonDocument) -> String {
    let mut out = String::from("### meridian compare\n");
    for line in preamble(doc) {
        let line = md_escape(&line);
        match line.strip_prefix("  ") {
            // A scenario, or a reason under the pairing line (already a list item).
            Some(item) => {
                let item = item.strip_prefix("- ").unwrap_or(item);
                let _ = writeln!(out, "- {item}");
            }
            None => {
                blank_line(&mut out);
                let _ = writeln!(out, "{line}");
                blank_line(&mut out);
            }
        }
    }
    for s in sections(doc) {
        blank_line(&mut out);
        let _ = writeln!(out, "#### {}\n", md_escape(&s.title));
        let _ = writeln!(out, "| {} |", cells(&s.headers).join(" | "));
        let align: Vec<&str> = (0..s.headers.len())
            .map(|i| if i == 0 { ":--" } else { "--:" })
            .collect();
        let _ = writeln!(out, "|{}|", align.join("|"));
        for r in &s.rows {
            let _ = writeln!(out, "| {} |", cells(r).join(" | "));
        }
        if !s.notes.is_empty() {
            out.push('\n');
            for n in &s.notes {
                // Two trailing spaces: a line break inside the paragraph.
                let _ = writeln!(out, "{}  ", md_escape(n));
            }
        }
    }
    out
}

/// Ends `out` with an empty line (a Markdown block boundary).
fn blank_line(out: &mut String) {
    while !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// Table cells: `|` escaped, leading spaces (indentation) made visible.
fn cells(row: &[String]) -> Vec<String> {
    row.iter()
        .map(|c| {
            let trimmed = c.trim_start();
            let indent = c.len() - trimmed.len();
            format!("{}{}", "&nbsp;".repeat(indent), md_escape(trimmed))
        })
        .collect()
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('*', "\\*")
}
