//! `meridian compare`: topologies side by side. Through the library (paired differences are
//! tight, the seed's questions follow from the measured figures, the pairing rule) and the
//! real binary (exit codes, tables, JSON, unpaired and invalid inputs).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use serde_json::Value;

use meridian::comparison::document::{Answer, ComparisonDocument};
use meridian::comparison::{self, ComparedRun};
use meridian::run::{RunOptions, RunResult};

use crate::cli::{assert_exit, files_under, meridian_with, scratch_dir, stderr, stdout};
use crate::support::{inline, scenario_path, shipped};

/// The three shipped scenarios with the same users, demand and seed, reference first.
const TRIO: [&str; 3] = [
    "single-region.toml",
    "three-region-latency.toml",
    "three-region-weighted.toml",
];

/// The trio run once with three replications (shared by the library tests) and compared.
fn trio() -> &'static (Vec<RunResult>, ComparisonDocument) {
    static TRIO_RUNS: OnceLock<(Vec<RunResult>, ComparisonDocument)> = OnceLock::new();
    TRIO_RUNS.get_or_init(|| {
        let scenarios: Vec<_> = TRIO.iter().map(|n| shipped(n)).collect();
        let options = RunOptions {
            seed: None,
            replications: Some(3),
        };
        let results = comparison::run_all(&scenarios, options, &AtomicBool::new(false))
            .expect("not cancelled");
        let runs: Vec<ComparedRun> = TRIO
            .iter()
            .zip(&results)
            .map(|(n, r)| ComparedRun {
                file: format!("scenarios/{n}"),
                result: r.clone(),
            })
            .collect();
        let doc = comparison::compare(&runs);
        (results, doc)
    })
}

/// The run's own cost per measured hour (the figure `meridian run` reports as cost).
fn cost_per_hour(r: &RunResult) -> f64 {
    r.summary.cost_usd.mean / (r.scenario.simulation.duration.as_secs_f64() / 3600.0)
}

#[test]
fn shipped_trio_is_paired_and_in_order() {
    let (_, doc) = trio();
    assert!(doc.pairing.paired, "reasons: {:?}", doc.pairing.reasons);
    assert_eq!(doc.pairing.method, "paired");
    assert!(doc.pairing.reasons.is_empty());
    let labels: Vec<&str> = doc.scenarios.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "single-region",
            "three-region-latency",
            "three-region-weighted"
        ]
    );
    assert_eq!(doc.reference, "single-region");
    assert!(doc.scenarios[0].vs_reference.is_none());
    for s in &doc.scenarios[1..] {
        let d = s
            .vs_reference
            .as_ref()
            .expect("a difference against the reference");
        assert_eq!(d.against, "single-region");
        assert_eq!(d.method, "paired");
        // Three pairs: two degrees of freedom, and an interval for every figure.
        assert_eq!(d.ttft_p50_ms.df, 2);
        assert!(d.ttft_p50_ms.ci95.is_some());
    }
}

#[test]
fn paired_differences_are_the_mean_of_per_replication_differences() {
    let (results, doc) = trio();
    for (i, s) in doc.scenarios.iter().enumerate().skip(1) {
        let d = s.vs_reference.as_ref().unwrap();
        let diffs: Vec<f64> = results[0]
            .per_replication
            .iter()
            .zip(&results[i].per_replication)
            .map(|(a, b)| b.ttft_p50_ms - a.ttft_p50_ms)
            .collect();
        let want = meridian::metrics::mean_ci95(&diffs);
        assert!((d.ttft_p50_ms.mean - want.mean).abs() < 1e-3, "{}", s.label);
        assert!((d.ttft_p50_ms.ci95.unwrap() - want.ci95).abs() < 1e-3);
        assert_eq!(
            d.ttft_p50_ms.significant,
            want.mean.abs() > want.ci95,
            "significant means the CI excludes 0"
        );
    }
}

#[test]
fn paired_difference_is_tighter_than_either_run() {
    // Latency against weighted routing over the same deployment: the common random numbers
    // cancel the replication-to-replication noise both runs share.
    let (results, _) = trio();
    let runs: Vec<ComparedRun> = [1, 2]
        .iter()
        .map(|&i| ComparedRun {
            file: TRIO[i].into(),
            result: results[i].clone(),
        })
        .collect();
    let doc = comparison::compare(&runs);
    assert!(doc.pairing.paired);
    let d = &doc.scenarios[1].vs_reference.as_ref().unwrap().ttft_p50_ms;
    let diff_ci = d.ci95.unwrap();
    let own_a = doc.scenarios[0].summary_ci95.ttft_p50_ms.ci95;
    let own_b = doc.scenarios[1].summary_ci95.ttft_p50_ms.ci95;
    assert!(
        diff_ci < own_a && diff_ci < own_b,
        "paired CI ±{diff_ci} should be narrower than ±{own_a} and ±{own_b}"
    );
    // Weighted routing sends users across oceans: its median TTFT is clearly higher.
    assert!(d.mean > 0.0 && d.significant, "{d:?}");
}

#[test]
fn seed_questions_follow_from_the_measured_figures() {
    let (results, doc) = trio();
    let reference_cost = cost_per_hour(&results[0]);
    for (r, s) in results.iter().zip(&doc.scenarios) {
        let q = &s.questions;

        // Latency: the worst continent's pooled TTFT p50 against 100 ms.
        let (worst, ms) = r
            .merged
            .continents
            .iter()
            .filter(|(_, m)| m.latency.ttft.count() > 0)
            .map(|(c, m)| (c.code(), m.latency.ttft.percentile_ms(50.0)))
            .fold(("", f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
        let l = &q.latency_under_100ms;
        assert_eq!(l.worst_continent.as_deref(), Some(worst), "{}", s.label);
        assert!((l.worst_ttft_p50_ms.unwrap() - ms).abs() < 1e-3);
        let want = if ms < 100.0 { Answer::Yes } else { Answer::No };
        assert_eq!(l.answer, want, "{}", s.label);

        // Availability: the per-replication CI against 99.99 %.
        let a = &q.availability_9999;
        let ci = r.summary.availability_pct;
        assert!((a.measured_pct - r.merged.outcomes.availability_pct()).abs() < 1e-4);
        if ci.mean - ci.ci95 >= 99.99 {
            assert_eq!(a.answer, Answer::Yes, "{}", s.label);
        }

        // Residency: these scenarios have no rule.
        assert!(r.scenario.residency.is_empty());
        assert_eq!(q.residency_kept.answer, Answer::NoRule);
        assert_eq!(q.residency_kept.violations, r.merged.residency_violations);

        // Cost: the ratio of the runs' own costs.
        let ratio = cost_per_hour(r) / reference_cost;
        assert!(
            (q.cost_multiple.multiple - ratio).abs() < 1e-4,
            "{}: multiple {} vs ratio {ratio}",
            s.label,
            q.cost_multiple.multiple
        );
        assert!((s.cost.multiple_of_reference - ratio).abs() < 1e-4);
    }
    // 17 g5.2xlarge in three regions cost more than 16 in us-east-1.
    assert!(doc.scenarios[1].questions.cost_multiple.multiple > 1.0);
    assert_eq!(doc.scenarios[0].questions.cost_multiple.multiple, 1.0);
}

#[test]
fn columns_carry_pooled_figures_and_regions() {
    let (results, doc) = trio();
    for (r, s) in results.iter().zip(&doc.scenarios) {
        assert!((s.latency.ttft.p95_ms - r.merged.latency.ttft.percentile_ms(95.0)).abs() < 1e-3);
        assert_eq!(s.slo.len(), r.slo.len());
        assert_eq!(s.retries, r.merged.retries);
        let served: f64 = s.regions.iter().map(|x| x.served_share).sum();
        assert!(
            (served - 1.0).abs() < 1e-5,
            "{}: shares sum to {served}",
            s.label
        );
        let codes: Vec<&str> = s.regions.iter().map(|x| x.region.as_str()).collect();
        let want: Vec<&str> = r
            .scenario
            .deployments
            .iter()
            .map(|d| d.region.code.as_str())
            .collect();
        assert_eq!(codes, want);
    }
}

#[test]
fn different_demand_or_sites_are_unpaired() {
    let base = std::fs::read_to_string(scenario_path("three-region-latency.toml")).unwrap();
    let short = base
        .replace("duration_s = 3600 ", "duration_s = 120 ")
        .replace("warmup_s = 600 ", "warmup_s = 0 ");
    assert_ne!(short, base, "the shipped scenario's layout changed");
    let variants = [
        (short.clone(), None),
        (
            short.replace(
                "{ name = \"london\" }",
                "{ name = \"london\", share = 0.5 }",
            ),
            // Shares are normalised, so the first site's share already differs.
            Some("share of new-york"),
        ),
        (
            short.replace("total_rate_rps = 9.0", "total_rate_rps = 9.5"),
            Some("total rate 9.5 req/s, reference 9 req/s"),
        ),
        (
            short.replace("diurnal = \"consumer\"", "diurnal = \"business\""),
            Some("diurnal curve"),
        ),
    ];
    let options = RunOptions {
        seed: None,
        replications: Some(2),
    };
    let run = |src: &str, file: &str| ComparedRun {
        file: file.into(),
        result: meridian::run::run(&inline(src), options),
    };
    let reference = run(&short, "a.toml");
    let mut all = vec![reference.clone()];
    for (src, why) in variants {
        let other = run(&src, "b.toml");
        all.push(other.clone());
        let doc = comparison::compare(&[reference.clone(), other]);
        let d = doc.scenarios[1].vs_reference.as_ref().unwrap();
        match why {
            None => {
                assert!(doc.pairing.paired, "{:?}", doc.pairing.reasons);
                assert_eq!(d.method, "paired");
                assert!(d.unpaired_because.is_empty());
            }
            Some(why) => {
                assert!(!doc.pairing.paired, "{why}: should be unpaired");
                assert_eq!(doc.pairing.method, "welch");
                assert!(
                    doc.pairing.reasons.iter().any(|r| r.contains(why)),
                    "{why}: {:?}",
                    doc.pairing.reasons
                );
                assert_eq!(d.method, "welch");
                assert!(d.unpaired_because.iter().any(|r| r.contains(why)));
            }
        }
    }
    // All together: each scenario is judged against the reference alone.
    let doc = comparison::compare(&all);
    assert_eq!(doc.pairing.method, "mixed");
    assert!(!doc.pairing.paired);
    let methods: Vec<&str> = doc.scenarios[1..]
        .iter()
        .map(|s| s.vs_reference.as_ref().unwrap().method.as_str())
        .collect();
    assert_eq!(methods, ["paired", "welch", "welch", "welch"]);
}

#[test]
fn cancelled_comparison_stops() {
    let scenarios = vec![shipped(TRIO[0]), shipped(TRIO[1])];
    let cancelled = AtomicBool::new(true);
    let r = comparison::run_all(&scenarios, RunOptions::default(), &cancelled);
    assert!(r.is_err(), "a cancelled comparison must not return results");
}

// --- through the binary -------------------------------------------------------------

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
}

fn labels(doc: &Value) -> Vec<String> {
    doc["scenarios"]
        .as_array()
        .expect("scenarios is a list")
        .iter()
        .map(|s| s["label"].as_str().expect("a label").to_string())
        .collect()
}

#[test]
fn cli_prints_the_tables_and_writes_the_document() {
    let dir = scratch_dir("compare-cli");
    let out = dir.join("comparison.json");
    let o = meridian_with(&[
        "compare",
        "scenarios/single-region.toml",
        "scenarios/three-region-latency.toml",
        "scenarios/three-region-weighted.toml",
        "--replications",
        "2",
        "--json",
        out.to_str().unwrap(),
    ]);
    assert_exit(&o, 0, "meridian compare");
    assert!(stderr(&o).is_empty(), "stderr: {}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "meridian compare: 3 scenarios, reference single-region",
        "paired: every scenario sees the reference's requests",
        "single-region",
        "three-region-latency",
        "three-region-weighted",
        "TTFT p50 [ms]",
        "end-to-end p99 [ms]",
        "mean of replications ± 95 % CI",
        "availability [%]",
        "objective ttft_p95_ms",
        "retries",
        "residency violations",
        "cost [USD/h]",
        "cost [USD per 1 M completed]",
        "cost [× single-region]",
        "served by eu-west-1 [%]",
        "difference against single-region (paired",
        "the seed's questions",
        "latency < 100 ms globally?",
        "99.99 % availability?",
        "residency kept?",
        "no rule",
        "cost multiple of single-region",
    ] {
        assert!(text.contains(want), "output lacks {want:?}:\n{text}");
    }
    // The header row names the scenarios in order.
    let header = text
        .lines()
        .find(|l| l.starts_with("figure "))
        .expect("a figures table");
    let pos: Vec<usize> = [
        "single-region",
        "three-region-latency",
        "three-region-weighted",
    ]
    .iter()
    .map(|n| header.find(n).expect("every scenario has a column"))
    .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{header}");

    assert_eq!(
        files_under(&dir),
        ["comparison.json"],
        "no temp file is left"
    );
    let doc = read_json(&out);
    assert_eq!(doc["kind"], "comparison");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["pairing"]["paired"], true);
    assert_eq!(
        labels(&doc),
        [
            "single-region",
            "three-region-latency",
            "three-region-weighted"
        ]
    );
    // The document reads back into its type (no unknown or missing fields).
    let typed: ComparisonDocument = serde_json::from_value(doc).expect("typed document");
    assert_eq!(typed.scenarios[2].scenario.replications, 2);
}

#[test]
fn cli_format_json_keeps_the_given_order_with_sorted_keys() {
    let o = meridian_with(&[
        "compare",
        "scenarios/three-region-weighted.toml",
        "scenarios/three-region-latency.toml",
        "--replications",
        "2",
        "--format",
        "json",
    ]);
    assert_exit(&o, 0, "meridian compare --format json");
    let text = stdout(&o);
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(
        labels(&doc),
        ["three-region-weighted", "three-region-latency"]
    );
    assert_eq!(doc["reference"], "three-region-weighted");
    assert_eq!(doc["kind"], "comparison");
    assert!(doc["scenarios"][0]["vs_reference"].is_null());
    assert!(doc["scenarios"][1]["vs_reference"]["ttft_p50_ms"]["mean"].is_number());
    // serde_json's map is sorted: re-serialising the parsed value reproduces the output
    // exactly only if the keys were sorted.
    let mut again = serde_json::to_string_pretty(&doc).unwrap();
    again.push('\n');
    assert_eq!(text, again, "keys are not sorted");
}

/// Writes the shipped three-region-latency scenario with `edit` applied to `dir/name`.
fn variant(dir: &Path, name: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let src = std::fs::read_to_string(scenario_path("three-region-latency.toml")).unwrap();
    let edited = edit(&src);
    assert_ne!(edited, src, "the edit must change the scenario");
    let path = dir.join(name);
    std::fs::write(&path, edited).unwrap();
    path
}

#[test]
fn cli_flags_different_seeds_as_unpaired() {
    let dir = scratch_dir("compare-unpaired");
    let a = variant(&dir, "seed-42.toml", |s| {
        s.replace("duration_s = 3600 ", "duration_s = 600 ")
    });
    let b = variant(&dir, "seed-7.toml", |s| {
        s.replace("duration_s = 3600 ", "duration_s = 600 ")
            .replace("seed = 42", "seed = 7")
    });
    let json = dir.join("unpaired.json");
    let o = meridian_with(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--replications",
        "2",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_exit(&o, 0, "unpaired compare");
    let text = stdout(&o);
    assert!(text.contains("unpaired:"), "{text}");
    assert!(
        text.contains("UNPAIRED: difference of means ± Welch"),
        "{text}"
    );
    assert!(text.contains("seed 7, reference 42"), "{text}");
    // Both files hold a scenario named three-region-latency: columns use the file names.
    assert!(
        text.contains("seed-42") && text.contains("seed-7"),
        "{text}"
    );
    let doc = read_json(&json);
    assert_eq!(doc["pairing"]["paired"], false);
    assert_eq!(doc["pairing"]["method"], "welch");
    assert_eq!(labels(&doc), ["seed-42", "seed-7"]);
    assert_eq!(doc["scenarios"][1]["vs_reference"]["method"], "welch");

    // The same two files with one --seed for both are paired again.
    let o = meridian_with(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--replications",
        "2",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    assert_exit(&o, 0, "compare --seed");
    let doc: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["pairing"]["paired"], true, "{}", doc["pairing"]);
}

#[test]
fn cli_bad_scenario_exits_2_with_its_location() {
    let dir = scratch_dir("compare-bad");
    let bad = variant(&dir, "bad.toml", |s| {
        s.replacen("instances = 6\n", "instances = 0\n", 1)
    });
    let line = std::fs::read_to_string(&bad)
        .unwrap()
        .lines()
        .position(|l| l == "instances = 0")
        .unwrap()
        + 1;
    let json = dir.join("never.json");
    let o = meridian_with(&[
        "compare",
        "scenarios/single-region.toml",
        bad.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_exit(&o, 2, "compare with an invalid scenario");
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:{line}:13", bad.display())),
        "the error must point at the file, line and column:\n{err}"
    );
    assert!(err.contains("0 instances is not allowed"), "{err}");
    assert!(stdout(&o).is_empty(), "nothing on stdout: {}", stdout(&o));
    assert!(!json.exists(), "nothing is written for bad input");

    // A missing file and a single scenario are bad input too.
    let o = meridian_with(&[
        "compare",
        "scenarios/single-region.toml",
        "scenarios/no-such.toml",
    ]);
    assert_exit(&o, 2, "compare with a missing file");
    assert!(
        stderr(&o).contains("scenarios/no-such.toml"),
        "{}",
        stderr(&o)
    );
    let o = meridian_with(&["compare", "scenarios/single-region.toml"]);
    assert_exit(&o, 2, "compare with one scenario");
}

#[test]
fn cli_markdown_has_a_table_per_section() {
    let o = meridian_with(&[
        "compare",
        "scenarios/single-region.toml",
        "scenarios/three-region-latency.toml",
        "--replications",
        "2",
        "--format",
        "markdown",
    ]);
    assert_exit(&o, 0, "compare --format markdown");
    let text = stdout(&o);
    assert!(text.starts_with("### meridian compare\n"), "{text}");
    assert_eq!(text.matches("\n#### ").count(), 3, "{text}");
    assert!(text.contains("| figure | single-region | three-region-latency |"));
    assert!(text.contains("|:--|--:|--:|"));
    assert!(
        text.contains("| residency kept? | no rule | no rule |"),
        "{text}"
    );
}

#[test]
fn cli_refuses_an_oversized_scenario_and_stops_on_ctrl_c() {
    use std::process::{Command, Stdio};
    use std::time::Duration;

    let dir = scratch_dir("compare-guards");
    // The three-region scenario at 10,000× its rate: about 1.5 × 10⁹ requests.
    let huge = variant(&dir, "huge.toml", |s| {
        s.replace("total_rate_rps = 9.0 ", "total_rate_rps = 90000.0 ")
    });
    let o = meridian_with(&[
        "compare",
        "scenarios/single-region.toml",
        huge.to_str().unwrap(),
    ]);
    assert_exit(&o, 2, "oversized compare");
    let err = stderr(&o);
    assert!(
        err.contains("refusing to run") && err.contains("huge.toml"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");

    // With --force it runs until Ctrl-C, then exits 130 and writes nothing.
    let json = dir.join("out.json");
    let child = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["compare", "scenarios/single-region.toml"])
        .arg(&huge)
        .arg("--force")
        .arg("--json")
        .arg(&json)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, stopped_after) = crate::guards::interrupt_after(child, Duration::from_millis(700));
    assert_eq!(status.code(), Some(130));
    assert!(
        stopped_after < Duration::from_secs(5),
        "took {:?}",
        stopped_after
    );
    assert_eq!(
        files_under(&dir),
        ["huge.toml"],
        "nothing but the scenario is left"
    );
}

#[test]
fn the_document_has_a_schema_naming_every_top_level_field() {
    let schema = comparison::schema();
    assert_eq!(schema["title"], "meridian comparison document");
    let (_, doc) = trio();
    let value = serde_json::to_value(doc).unwrap();
    let props = schema["properties"].as_object().expect("properties");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for key in value.as_object().unwrap().keys() {
        assert!(props.contains_key(key), "schema lacks `{key}`");
        assert!(required.contains(&key.as_str()), "`{key}` is not required");
    }
    // Every scenario column's fields are described too.
    let column = &schema["$defs"]["ScenarioColumn"]["properties"];
    for key in value["scenarios"][0].as_object().unwrap().keys() {
        assert!(
            column.get(key).is_some(),
            "ScenarioColumn schema lacks `{key}`"
        );
    }
}

#[test]
fn one_scenario_with_topology_blocks_compares_its_routing_alternatives() {
    let path = crate::support::scenario_path("three-region-latency.toml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("compare")
        .arg(&path)
        .args([
            "--topologies",
            "base,global-accelerator",
            "--replications",
            "2",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = doc.to_string();
    assert!(
        text.contains("#base") && text.contains("#global-accelerator"),
        "{text}"
    );
    // Variants of one scenario share its traffic: always paired.
    assert!(!text.contains("\"unpaired\""), "{text}");
    // An unknown name and --topologies with several files are usage errors.
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("compare")
        .arg(&path)
        .args(["--topologies", "base,nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no topology \"nope\""));
    let two = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("compare")
        .arg(&path)
        .arg(crate::support::scenario_path("single-region.toml"))
        .args(["--topologies", "base"])
        .output()
        .unwrap();
    assert_eq!(two.status.code(), Some(2));
    let alone = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("compare")
        .arg(crate::support::scenario_path("single-region.toml"))
        .output()
        .unwrap();
    assert_eq!(alone.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&alone.stderr).contains("no [[topology]] blocks"));
}

#[test]
fn a_topology_variant_routes_differently_on_the_same_requests() {
    let s = crate::support::shipped("three-region-latency.toml");
    let anycast = s
        .topologies
        .iter()
        .find(|t| t.name == "global-accelerator")
        .expect("shipped topology");
    let v = s.with_topology(anycast);
    assert_eq!(v.routing.name(), "anycast");
    assert!(
        v.dns.is_none() && v.health_check.is_some(),
        "anycast: no DNS, Global Accelerator checks"
    );
    let opts = meridian::run::RunOptions {
        replications: Some(1),
        ..Default::default()
    };
    let (a, b) = (meridian::run::run(&s, opts), meridian::run::run(&v, opts));
    assert_eq!(
        a.merged.outcomes.generated, b.merged.outcomes.generated,
        "same arrivals"
    );
}

#[test]
fn cross_region_share_counts_requests_served_away_from_their_entry_region() {
    let runs: Vec<meridian::comparison::ComparedRun> =
        ["bedrock-cross-region.toml", "three-region-latency.toml"]
            .iter()
            .map(|n| meridian::comparison::ComparedRun {
                file: n.to_string(),
                result: meridian::run::run(
                    &crate::support::shipped(n),
                    meridian::run::RunOptions {
                        replications: Some(1),
                        ..Default::default()
                    },
                ),
            })
            .collect();
    let doc = serde_json::to_value(meridian::comparison::compare(&runs))
        .unwrap()
        .to_string();
    let m = &runs[0].result.merged;
    let spilled: u64 = m.regions.iter().map(|r| r.served_for_other_regions).sum();
    let want = (100.0 * spilled as f64 / m.outcomes.completed as f64 * 1000.0).round() / 1000.0;
    assert!(want > 20.0, "{want}");
    assert!(
        doc.contains(&format!("\"cross_region_pct\":{want}")),
        "{want} not in {doc}"
    );
    assert!(
        doc.contains("\"cross_region_pct\":0.0"),
        "self-hosted latency routing never crosses"
    );
}
