//! `meridian check`: regression checking of result documents against baselines, through
//! the real binary (exit codes, reports, `--bless`) and the library, and the committed
//! baselines against fresh runs.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::cli::{
    assert_exit, files_under, meridian_with, scratch_dir, shipped_scenarios, stderr, stdout,
};

/// A committed baseline, parsed.
fn baseline(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("baselines")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} is missing: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Writes `doc` as pretty JSON to `dir/name` and returns the path.
fn write(dir: &Path, name: &str, doc: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path
}

/// The value at a `/`-separated JSON pointer, mutably.
#[track_caller]
fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the document"))
}

#[track_caller]
fn scale(doc: &mut Value, pointer: &str, factor: f64) {
    let v = at(doc, pointer);
    *v = Value::from(v.as_f64().unwrap() * factor);
}

#[track_caller]
fn add(doc: &mut Value, pointer: &str, delta: i64) {
    let v = at(doc, pointer);
    *v = Value::from(v.as_i64().unwrap() + delta);
}

/// Runs `meridian check RESULT --baseline BASELINE [extra…]`.
fn check(result: &Path, baseline: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "check",
        result.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    meridian_with(&args)
}

/// A scratch directory holding the committed `name` baseline as `baseline.json` and
/// `edit(baseline)` as `result.json`.
fn pair(test: &str, name: &str, edit: impl FnOnce(&mut Value)) -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch_dir(&format!("check-{test}"));
    let base = baseline(name);
    let mut result = base.clone();
    edit(&mut result);
    let b = write(&dir, "baseline.json", &base);
    let r = write(&dir, "result.json", &result);
    (dir, b, r)
}

/// The report line of `field`, or a panic showing the report.
#[track_caller]
fn line_of<'a>(report: &'a str, field: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with(&format!("{field} ")))
        .unwrap_or_else(|| panic!("the report has no line for {field}:\n{report}"))
}

#[test]
fn identical_documents_pass() {
    let (dir, b, r) = pair("identical", "three-region-latency", |_| {});
    let o = check(&r, &b, &[]);
    assert_exit(&o, 0, "identical documents");
    let out = stdout(&o);
    assert!(
        out.contains("ok: 0 worse, 0 changed, 0 better, 0 not significant, 0 info"),
        "{out}"
    );
    assert!(
        !out.contains("verdict"),
        "no table when nothing moved:\n{out}"
    );
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn latency_up_10_percent_is_a_regression_naming_the_field() {
    let (dir, b, r) = pair("latency10", "three-region-latency", |d| {
        scale(d, "/latency/e2e/p99_ms", 1.10)
    });
    let o = check(&r, &b, &[]);
    assert_exit(&o, 1, "e2e p99 +10 %");
    let out = stdout(&o);
    let line = line_of(&out, "latency.e2e.p99_ms");
    assert!(
        line.contains("+10.00") && line.contains("5% or 1") && line.ends_with("worse"),
        "{line}"
    );
    assert!(out.contains("REGRESSION: 1 worse"), "{out}");
    assert!(
        stderr(&o).starts_with("error: regression: 1 value(s)"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn latency_up_1_percent_is_within_tolerance() {
    let (dir, b, r) = pair("latency1", "three-region-latency", |d| {
        scale(d, "/latency/e2e/p99_ms", 1.01);
        scale(d, "/regions/eu-west-1/ttft/p95_ms", 1.01);
    });
    let o = check(&r, &b, &[]);
    assert_exit(&o, 0, "+1 %");
    assert!(stdout(&o).contains("2 within tolerance"), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_changed_count_is_a_regression() {
    let (dir, b, r) = pair("count", "single-region", |d| {
        add(d, "/outcomes/completed", -1);
        add(d, "/outcomes/in_flight_at_end", 1);
    });
    let o = check(&r, &b, &[]);
    assert_exit(&o, 1, "one request fewer completed");
    let out = stdout(&o);
    assert!(
        line_of(&out, "outcomes.completed").ends_with("worse"),
        "{out}"
    );
    assert!(
        line_of(&out, "outcomes.in_flight_at_end").ends_with("worse"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);

    // A count without a better direction is "changed", which fails too.
    let (dir, b, r) = pair("count-changed", "single-region", |d| {
        add(d, "/regions/us-east-1/output_tokens", 7);
    });
    let o = check(&r, &b, &[]);
    assert_exit(&o, 1, "output tokens changed");
    let out = stdout(&o);
    let line = line_of(&out, "regions.us-east-1.output_tokens");
    assert!(line.contains("+7") && line.ends_with("changed"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_improvement_passes_but_is_reported() {
    let (dir, b, r) = pair("better", "three-region-latency", |d| {
        scale(d, "/latency/ttft/p95_ms", 0.8);
        scale(d, "/cost/instances_usd", 0.9);
    });
    let o = check(&r, &b, &[]);
    assert_exit(&o, 0, "faster and cheaper");
    let out = stdout(&o);
    assert!(
        line_of(&out, "latency.ttft.p95_ms").ends_with("better"),
        "{out}"
    );
    assert!(
        line_of(&out, "cost.instances_usd").ends_with("better"),
        "{out}"
    );
    assert!(out.contains("ok: 0 worse, 0 changed, 2 better"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_new_meridian_version_is_information_only() {
    let (dir, b, r) = pair("version", "single-region", |d| {
        *at(d, "/meridian_version") = Value::from("9.9.9");
    });
    let o = check(&r, &b, &[]);
    assert_exit(&o, 0, "another meridian version");
    let out = stdout(&o);
    let line = line_of(&out, "meridian_version");
    assert!(line.contains("9.9.9") && line.ends_with("info"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn documents_of_different_scenarios_seeds_or_layouts_are_unusable() {
    let cases: [(&str, &str, Value); 4] = [
        (
            "/scenario/content_hash",
            "scenario.content_hash",
            Value::from("0123456789abcdef"),
        ),
        ("/scenario/seed", "scenario.seed", Value::from(43)),
        ("/schema_version", "schema_version", Value::from(99)),
        ("/kind", "kind", Value::from("forecast")),
    ];
    for (pointer, field, value) in cases {
        let (dir, b, r) = pair("identity", "single-region", |d| {
            *at(d, pointer) = value.clone()
        });
        let o = check(&r, &b, &[]);
        assert_exit(&o, 2, field);
        let err = stderr(&o);
        assert!(stdout(&o).is_empty(), "{field}: {}", stdout(&o));
        if field == "kind" {
            // A kind this build does not know is refused before any comparison.
            assert!(
                err.contains(r.to_str().unwrap()) && err.contains("\"forecast\""),
                "{err}"
            );
        } else {
            assert!(
                err.contains(&format!("`{field}` differs")) && err.contains("--bless"),
                "{field}: {err}"
            );
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn unreadable_or_invalid_files_are_unusable_and_named() {
    let dir = scratch_dir("check-unreadable");
    let good = write(&dir, "good.json", &baseline("single-region"));
    let missing = dir.join("missing.json");
    let not_json = dir.join("not-json.json");
    std::fs::write(&not_json, "{ \"schema_version\": 1,").unwrap();
    let array = write(&dir, "array.json", &Value::from(vec![1, 2]));
    let cases: [(&Path, &Path, &Path, &str); 5] = [
        (&missing, &good, &missing, "cannot read"),
        (&good, &missing, &missing, "cannot read"),
        (&not_json, &good, &not_json, "is not JSON"),
        (&good, &array, &array, "is not a meridian result document"),
        (&dir, &good, &dir, "cannot read"),
    ];
    for (result, base, named, what) in cases {
        let o = check(result, base, &[]);
        let label = format!("check {} --baseline {}", result.display(), base.display());
        assert_exit(&o, 2, &label);
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ")
                && err.contains(named.to_str().unwrap())
                && err.contains(what),
            "{label}: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_tolerance_file_overrides_the_defaults_with_wildcards() {
    let (dir, b, r) = pair("tolerance", "three-region-latency", |d| {
        for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
            let v = at(d, &format!("/regions/{region}/utilisation_mean"));
            *v = Value::from(v.as_f64().unwrap() + 0.015);
        }
        scale(d, "/latency/e2e/p99_ms", 1.08);
        add(d, "/outcomes/completed", -100);
    });
    // Defaults: utilisation 0.01 absolute, latency 5 %, counts exact.
    let o = check(&r, &b, &[]);
    assert_exit(&o, 1, "defaults");
    let out = stdout(&o);
    for field in [
        "regions.us-east-1.utilisation_mean",
        "regions.ap-southeast-1.utilisation_mean",
        "latency.e2e.p99_ms",
        "outcomes.completed",
    ] {
        line_of(&out, field);
    }

    let tol = dir.join("tolerance.toml");
    std::fs::write(
        &tol,
        r#"# loosen what this comparison may move
"regions.*.utilisation_mean" = "0.02"
"outcomes.completed" = "1%"
"latency.e2e.p99_ms" = "10%"
"#,
    )
    .unwrap();
    let o = check(&r, &b, &["--tolerance", tol.to_str().unwrap()]);
    assert_exit(&o, 0, "loosened per field");
    assert!(stdout(&o).contains("5 within tolerance"), "{}", stdout(&o));

    // The most specific pattern wins; `[default]` changes a whole class.
    std::fs::write(
        &tol,
        r#""regions.*.utilisation_mean" = 0.02
"**.completed" = "1%"
"outcomes.completed" = "exact"

[default]
latency = "10%"
"#,
    )
    .unwrap();
    let o = check(&r, &b, &["--tolerance", tol.to_str().unwrap()]);
    assert_exit(&o, 1, "outcomes.completed exact again");
    let out = stdout(&o);
    let line = line_of(&out, "outcomes.completed");
    assert!(line.contains("exact") && line.ends_with("worse"), "{line}");
    assert!(!out.contains("latency.e2e.p99_ms"), "{out}");
    assert!(out.contains("REGRESSION: 1 worse, 0 changed"), "{out}");

    // A pattern that matches nothing is an error, located, with a suggestion.
    std::fs::write(&tol, "\"regions.*.utilisaton_mean\" = 0.02\n").unwrap();
    let o = check(&r, &b, &["--tolerance", tol.to_str().unwrap()]);
    assert_exit(&o, 2, "typo in the tolerance file");
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:1:1", tol.display()))
            && err.contains("matches no field")
            && err.contains("did you mean `regions.*.utilisation_mean`"),
        "{err}"
    );

    // So is an unreadable or malformed tolerance file.
    std::fs::write(&tol, "\"latency.e2e.p99_ms\" = \"five percent\"\n").unwrap();
    let o = check(&r, &b, &["--tolerance", tol.to_str().unwrap()]);
    assert_exit(&o, 2, "bad tolerance");
    assert!(stderr(&o).contains("is not a tolerance"), "{}", stderr(&o));
    let missing = dir.join("nope.toml");
    let o = check(&r, &b, &["--tolerance", missing.to_str().unwrap()]);
    assert_exit(&o, 2, "missing tolerance file");
    assert!(
        stderr(&o).contains(missing.to_str().unwrap()),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_summary_mean_within_the_confidence_intervals_is_not_a_regression() {
    // e2e p99 mean +8 %: beyond the 5 % tolerance. With CI half-widths of 500 ms on both
    // sides the threshold is sqrt(500² + 500²) ≈ 707 ms > the move, so it is noise.
    let set_ci = |d: &mut Value, ci: f64| {
        *at(d, "/summary_ci95/e2e_p99_ms/ci95") = Value::from(ci);
    };
    let base_mean = baseline("api-gateway-throttle")["summary_ci95"]["e2e_p99_ms"]["mean"]
        .as_f64()
        .unwrap();
    assert!(0.08 * base_mean < 500f64.hypot(500.0) && 0.08 * base_mean > 50f64.hypot(50.0));
    for (ci, code, verdict) in [(500.0, 0, "not significant"), (50.0, 1, "worse")] {
        let dir = scratch_dir("check-ci");
        let mut base = baseline("api-gateway-throttle");
        set_ci(&mut base, ci);
        let mut result = base.clone();
        scale(&mut result, "/summary_ci95/e2e_p99_ms/mean", 1.08);
        let b = write(&dir, "baseline.json", &base);
        let r = write(&dir, "result.json", &result);
        let o = check(&r, &b, &[]);
        assert_exit(&o, code, &format!("ci95 {ci}"));
        let out = stdout(&o);
        let line = line_of(&out, "summary_ci95.e2e_p99_ms.mean");
        assert!(line.ends_with(verdict) && line.contains("CI ±"), "{line}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn json_format_is_parseable_and_stable() {
    let (dir, b, r) = pair("json", "three-region-latency", |d| {
        scale(d, "/latency/e2e/p99_ms", 1.10);
        scale(d, "/cost/instances_usd", 0.9);
    });
    let o = check(&r, &b, &["--format", "json"]);
    assert_exit(&o, 1, "--format json");
    let text = stdout(&o);
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(report["status"], "regression");
    assert_eq!(report["passed"], false);
    assert_eq!(report["document"]["kind"], "run");
    assert_eq!(report["document"]["identity"]["scenario.seed"], 42);
    assert_eq!(report["counts"]["worse"], 1);
    assert_eq!(report["counts"]["better"], 1);
    let diffs = report["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 2, "{text}");
    assert_eq!(diffs[0]["field"], "latency.e2e.p99_ms");
    assert_eq!(diffs[0]["verdict"], "worse");
    assert_eq!(diffs[0]["class"], "latency");
    assert_eq!(diffs[0]["tolerance"], "5% or 1");
    assert_eq!(diffs[0]["fails"], true);
    assert!((diffs[0]["change_pct"].as_f64().unwrap() - 10.0).abs() < 1e-6);
    assert_eq!(diffs[1]["field"], "cost.instances_usd");
    assert_eq!(diffs[1]["verdict"], "better");
    // The same inputs give the same bytes.
    let again = check(&r, &b, &["--format", "json"]);
    assert_eq!(stdout(&again), text);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn markdown_format_has_a_table() {
    let (dir, b, r) = pair("markdown", "three-region-latency", |d| {
        scale(d, "/latency/e2e/p99_ms", 1.10);
    });
    let o = check(&r, &b, &["--format", "markdown"]);
    assert_exit(&o, 1, "--format markdown");
    let out = stdout(&o);
    assert!(out.starts_with("### meridian check: REGRESSION"), "{out}");
    assert!(
        out.contains(
            "| field | baseline | result | change | change [%] | tolerance | verdict |\n|:--|"
        ),
        "{out}"
    );
    assert!(
        out.contains("| `latency.e2e.p99_ms` | 32309.248 |") && out.contains("**worse** |"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bless_replaces_the_baseline_atomically() {
    let (dir, b, r) = pair("bless", "single-region", |d| {
        scale(d, "/latency/e2e/p99_ms", 1.5);
    });
    let o = check(&r, &b, &["--bless"]);
    assert_exit(&o, 0, "--bless");
    let out = stdout(&o);
    assert!(
        out.starts_with(&format!(
            "blessed: {} now holds {}",
            b.display(),
            r.display()
        )) && out.contains("the old baseline differed: REGRESSION: 1 worse"),
        "{out}"
    );
    let blessed: Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&r).unwrap()).unwrap();
    assert_eq!(blessed, result);
    assert_eq!(
        files_under(&dir),
        ["baseline.json", "result.json"],
        "no temp file left"
    );
    assert_exit(&check(&r, &b, &[]), 0, "check after bless");

    // A new baseline can be created.
    let fresh = dir.join("fresh.json");
    let o = check(&r, &fresh, &["--bless"]);
    assert_exit(&o, 0, "--bless onto nothing");
    assert!(
        stdout(&o).contains("there was no baseline before"),
        "{}",
        stdout(&o)
    );

    // An invalid result is refused and the baseline stays as it was.
    let before = std::fs::read(&b).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"kind\": \"run\"}").unwrap();
    let o = check(&bad, &b, &["--bless"]);
    assert_exit(&o, 2, "--bless an invalid result");
    assert!(stderr(&o).contains("schema_version"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&b).unwrap(), before);

    // Blessing takes no tolerance or format.
    let o = check(&r, &b, &["--bless", "--format", "json"]);
    assert_exit(&o, 2, "--bless --format");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_library_compares_documents_too() {
    use meridian::compare::{Document, Tolerances, Verdict, compare};
    let base = baseline("three-region-weighted");
    let mut result = base.clone();
    scale(&mut result, "/summary_ci95/ttft_p99_ms/mean", 1.5);
    let b = Document::from_value("baseline", base).unwrap();
    let r = Document::from_value("result", result).unwrap();
    let c = compare(&b, &r, &Tolerances::builtin()).unwrap();
    assert!(!c.passed());
    assert_eq!(c.regressions(), 1);
    assert_eq!(c.differences[0].field, "summary_ci95.ttft_p99_ms.mean");
    assert_eq!(c.differences[0].verdict, Verdict::Worse);
    assert!(c.differences[0].significance_threshold.is_some());
    assert_eq!(c.tally.compared, c.tally.identical + 1);
}

#[test]
fn every_committed_baseline_matches_a_fresh_run() {
    let dir = scratch_dir("check-baselines");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut baselines: Vec<String> = std::fs::read_dir(root.join("baselines"))
        .expect("baselines/ exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    baselines.sort();
    let scenarios = shipped_scenarios();
    let expected: Vec<String> = scenarios
        .iter()
        .map(|s| {
            format!(
                "{}.json",
                Path::new(s).file_stem().unwrap().to_string_lossy()
            )
        })
        .collect();
    assert_eq!(
        baselines, expected,
        "every shipped scenario needs a committed baseline and vice versa (scripts/bless-baselines.sh)"
    );
    for (scenario, name) in scenarios.iter().zip(&expected) {
        let fresh = dir.join(name);
        let o = meridian_with(&["run", scenario, "--json", fresh.to_str().unwrap()]);
        assert_exit(&o, 0, scenario);
        let committed = root.join("baselines").join(name);
        let o = check(&fresh, &committed, &[]);
        assert_exit(
            &o,
            0,
            &format!(
                "{scenario} against baselines/{name} (if the change is intended: scripts/bless-baselines.sh)"
            ),
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
