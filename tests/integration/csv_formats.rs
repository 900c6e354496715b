//! `--format csv` on `meridian compare` and `meridian check`.

use crate::cli::{assert_exit, meridian_with, scratch_dir, stdout};
use crate::support::{scenario_path, shipped};

/// Splits one CSV record (RFC 4180 quoting) into fields.
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

#[test]
fn compare_csv_has_one_record_per_cell() {
    let path = scenario_path("three-region-latency.toml");
    let args = [
        "compare",
        path.to_str().unwrap(),
        "--replications",
        "1",
        "--format",
        "csv",
    ];
    let o = meridian_with(&args);
    assert_exit(&o, 0, "compare --format csv");
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("section,row,column,value"));
    let records: Vec<Vec<String>> = lines.map(fields).collect();
    assert!(records.iter().all(|r| r.len() == 4), "4 fields per record");
    let scenario = shipped("three-region-latency.toml");
    let p50: Vec<&Vec<String>> = records
        .iter()
        .filter(|r| r[0].starts_with("figures") && r[1] == "TTFT p50 [ms]")
        .collect();
    assert_eq!(
        p50.len(),
        1 + scenario.topologies.len(),
        "one value per topology"
    );
    assert!(p50.iter().all(|r| r[3].parse::<f64>().is_ok()), "{p50:?}");
    // Indented rows carry the row they belong to.
    assert!(
        records
            .iter()
            .any(|r| r[1] == "TTFT p50 [ms] / mean of replications ± 95 % CI")
    );
}

#[test]
fn check_csv_lists_each_difference_and_keeps_the_exit_code() {
    let dir = scratch_dir("check-csv");
    let result = dir.join("result.json");
    let path = scenario_path("single-region.toml");
    let o = meridian_with(&[
        "run",
        path.to_str().unwrap(),
        "--replications",
        "1",
        "--json",
        result.to_str().unwrap(),
    ]);
    assert_exit(&o, 0, "run --json");
    let r = result.to_str().unwrap();
    let o = meridian_with(&["check", r, "--baseline", r, "--format", "csv"]);
    assert_exit(&o, 0, "check against itself");
    let header = "field,baseline,result,change,change [%],tolerance,verdict";
    assert_eq!(stdout(&o), format!("{header}\n"));

    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    let p99 = &mut doc["latency"]["e2e"]["p99_ms"];
    *p99 = serde_json::json!(p99.as_f64().unwrap() * 1.5);
    let worse = dir.join("worse.json");
    std::fs::write(&worse, serde_json::to_string(&doc).unwrap()).unwrap();
    let o = meridian_with(&[
        "check",
        worse.to_str().unwrap(),
        "--baseline",
        r,
        "--format",
        "csv",
    ]);
    assert_exit(&o, 1, "check a regression");
    let out = stdout(&o);
    let rows: Vec<Vec<String>> = out.lines().skip(1).map(fields).collect();
    let row = rows
        .iter()
        .find(|f| f[0] == "latency.e2e.p99_ms")
        .unwrap_or_else(|| panic!("no row for the changed field:\n{out}"));
    assert_eq!(row.len(), 7);
    assert_eq!(row[6], "worse");
}
