//! Printing a comparison: an aligned table for people, JSON (sorted keys, fixed layout) for
//! programs, Markdown for bots that comment on pull requests. Each ends with the same
//! one-line summary.

use std::fmt::Write;

use serde_json::{Map, Value, json};

use super::Comparison;
use super::judge::{Difference, Verdict};
use crate::report::Table;

/// Output format of `meridian check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Markdown,
    /// One CSV record per difference under the table's headers (no summary line: the exit
    /// code tells pass or fail).
    Csv,
}

/// Version of the JSON report's layout.
pub const REPORT_VERSION: u32 = 1;

/// Renders `c` in `format`, ending with a newline.
pub fn render(c: &Comparison, format: Format) -> String {
    match format {
        Format::Table => table(c),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json_report(c)).expect("a JSON value");
            s.push('\n');
            s
        }
        Format::Markdown => markdown(c),
        Format::Csv => csv(c),
    }
}

/// The one-line verdict, e.g. `ok: 0 worse, 0 changed, ... — 812 values compared: ...`.
pub fn summary(c: &Comparison) -> String {
    let status = if c.passed() { "ok" } else { "REGRESSION" };
    let verdicts: Vec<String> = Verdict::ALL
        .iter()
        .map(|v| format!("{} {}", c.count(*v), v.label()))
        .collect();
    let t = &c.tally;
    format!(
        "{status}: {} — {} values compared: {} identical, {} within tolerance, {} ignored",
        verdicts.join(", "),
        t.compared,
        t.identical,
        t.within_tolerance,
        t.ignored
    )
}

fn heading(c: &Comparison) -> String {
    let identity: Vec<String> = c
        .identity
        .iter()
        .map(|(f, v)| format!("{f} {}", plain(v)))
        .collect();
    format!(
        "{} against baseline {}\n{} document, schema {}{}, {}",
        c.result,
        c.baseline,
        c.kind.name(),
        c.schema_version,
        c.scenario
            .as_deref()
            .map(|s| format!(", scenario {s}"))
            .unwrap_or_default(),
        identity.join(", ")
    )
}

const HEADERS: [&str; 7] = [
    "field",
    "baseline",
    "result",
    "change",
    "change [%]",
    "tolerance",
    "verdict",
];

fn cells(d: &Difference) -> [String; 7] {
    [
        d.field.clone(),
        value_cell(d.baseline.as_ref()),
        value_cell(d.result.as_ref()),
        d.change.map_or("—".into(), signed),
        d.change_pct.map_or("—".into(), |p| format!("{p:+.2}")),
        tolerance_cell(d),
        d.verdict.label().into(),
    ]
}

fn csv(c: &Comparison) -> String {
    let mut t = Table::new(&HEADERS);
    for d in &c.differences {
        t.row(cells(d).to_vec());
    }
    t.render_csv()
}

fn table(c: &Comparison) -> String {
    let mut out = format!("meridian check: {}\n\n", heading(c));
    if !c.differences.is_empty() {
        let mut t = Table::new(&HEADERS);
        for d in &c.differences {
            t.row(cells(d).to_vec());
        }
        out.push_str(&t.render());
        out.push('\n');
    }
    out.push_str(&summary(c));
    out.push('\n');
    out
}

fn markdown(c: &Comparison) -> String {
    let status = if c.passed() { "ok" } else { "REGRESSION" };
    let heading = md_escape(&heading(c)).replace('\n', "  \n");
    let mut out = format!("### meridian check: {status}\n\n{heading}\n\n");
    if c.differences.is_empty() {
        out.push_str("No differences beyond tolerance.\n\n");
    } else {
        let _ = writeln!(out, "| {} |", HEADERS.join(" | "));
        out.push_str("|:--|--:|--:|--:|--:|:--|:--|\n");
        for d in &c.differences {
            let mut cells = cells(d).map(|s| md_escape(&s));
            cells[0] = format!("`{}`", cells[0]);
            if d.verdict.fails() {
                cells[6] = format!("**{}**", cells[6]);
            }
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", md_escape(&summary(c)));
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The JSON report: stable keys (sorted), differences in the table's order.
pub fn json_report(c: &Comparison) -> Value {
    let identity: Map<String, Value> = c
        .identity
        .iter()
        .map(|(f, v)| (f.to_string(), v.clone()))
        .collect();
    let mut counts = Map::new();
    for v in Verdict::ALL {
        counts.insert(v.key().to_string(), json!(c.count(v)));
    }
    let t = &c.tally;
    counts.insert("compared".into(), json!(t.compared));
    counts.insert("identical".into(), json!(t.identical));
    counts.insert("within_tolerance".into(), json!(t.within_tolerance));
    counts.insert("ignored".into(), json!(t.ignored));
    let differences: Vec<Value> = c
        .differences
        .iter()
        .map(|d| {
            json!({
                "field": d.field,
                "present_in": match (&d.baseline, &d.result) {
                    (Some(_), Some(_)) => "both",
                    (Some(_), None) => "baseline",
                    _ => "result",
                },
                "baseline": d.baseline,
                "result": d.result,
                "change": d.change.map(round9),
                "change_pct": d.change_pct.map(round9),
                "tolerance": d.tolerance.to_string(),
                "class": d.class.name(),
                "pattern": d.pattern,
                "significance_threshold": d.significance_threshold.map(round9),
                "verdict": d.verdict.key(),
                "fails": d.verdict.fails(),
            })
        })
        .collect();
    json!({
        "report_version": REPORT_VERSION,
        "status": if c.passed() { "ok" } else { "regression" },
        "passed": c.passed(),
        "baseline": c.baseline,
        "result": c.result,
        "document": {
            "kind": c.kind.name(),
            "schema_version": c.schema_version,
            "scenario": c.scenario,
            "identity": identity,
        },
        "counts": counts,
        "differences": differences,
        "summary": summary(c),
    })
}

fn round9(x: f64) -> f64 {
    let r = (x * 1e9).round() / 1e9;
    if r == 0.0 { 0.0 } else { r }
}

/// A value as shown in a table cell.
fn value_cell(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(Value::Object(m)) => format!("{{{} keys}}", m.len()),
        Some(Value::Array(a)) => format!("[{} items]", a.len()),
        Some(v) => plain(v),
    }
}

/// A scalar without JSON quotes.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn tolerance_cell(d: &Difference) -> String {
    match d.significance_threshold {
        Some(t) => format!("{}, CI ±{}", d.tolerance, significant(t, 4)),
        None => d.tolerance.to_string(),
    }
}

/// A change with its sign and at most six decimals.
fn signed(x: f64) -> String {
    let s = format!("{x:+.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if x != 0.0 && s.trim_start_matches(['+', '-']) == "0" {
        format!("{x:+.3e}")
    } else {
        s.to_string()
    }
}

/// `x` with about `digits` significant digits, trailing zeros trimmed.
fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (digits - 1 - x.abs().log10().floor() as i32).clamp(0, 9) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_trimmed() {
        assert_eq!(signed(3230.9248000000007), "+3230.9248");
        assert_eq!(signed(-2.0), "-2");
        assert_eq!(signed(1e-9), "+1.000e-9");
        assert_eq!(significant(42.567828, 4), "42.57");
        assert_eq!(significant(0.24579, 4), "0.2458");
        assert_eq!(significant(2564.7, 4), "2565");
        assert_eq!(significant(123456.0, 4), "123456");
    }

    #[test]
    fn cells_show_absence_and_containers() {
        assert_eq!(value_cell(None), "(absent)");
        assert_eq!(value_cell(Some(&json!({"a": 1}))), "{1 keys}");
        assert_eq!(value_cell(Some(&json!("x"))), "x");
        assert_eq!(value_cell(Some(&json!(1.5))), "1.5");
    }
}
