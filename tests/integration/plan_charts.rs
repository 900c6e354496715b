//! `meridian plan --charts DIR --report FILE.html`: the plan's charts agree with the plan
//! document, the report is self-contained HTML with every chart, the scheduled actions and
//! the verification, infeasible plans still write both, and bad paths are refused before
//! planning.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use scraper::{Html, Selector};

use meridian::charts::{Chart, from_plan, render_svg};
use meridian::plan;
use meridian::run::RunOptions;

use crate::charts::{bad_chart_and_report_paths, chart_pair, check_report};
use crate::cli::{assert_exit, files_under, meridian_with, scratch_dir, stderr};
use crate::support::{catalog, inline};

/// Charts a plan writes, by file stem.
const PLAN_CHARTS: [&str; 3] = ["capacity-heatmap", "load-capacity", "cost-breakdown"];

/// Two regions, three afternoon hours of a consumer curve: demand rises, so the plan scales
/// up with scheduled actions. `extra` is appended to `[plan]`.
fn scenario_text(extra: &str) -> String {
    format!(
        r#"
name = "plan-charts"
[simulation]
duration_s = 3600
warmup_s = 300
seed = 5
start_utc_hour = 11
[traffic]
total_rate_rps = 6.0
diurnal = "consumer"
sites = [{{ name = "new-york" }}, {{ name = "london" }}]
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[[regions]]
code = "eu-west-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[routing]
policy = "latency"
[slo]
ttft = {{ percentile = 95, max_ms = 2500 }}
availability_pct = 99.9
[plan]
horizon_h = 3
replications = 2
max_instances = 30
search_window_s = 600
{extra}
"#
    )
}

/// Writes the scenario into a fresh scratch directory; returns (directory, scenario path).
fn write_scenario(tag: &str, extra: &str) -> (PathBuf, PathBuf) {
    let dir = scratch_dir(tag);
    let path = dir.join("plan.toml");
    std::fs::write(&path, scenario_text(extra)).unwrap();
    (dir, path)
}

/// Runs `meridian plan SCENARIO --charts DIR/charts --report DIR/plan.html ARGS…` next to the
/// scenario; returns the output, the chart directory and the report's path.
fn plan_with_charts_and_report(
    scenario: &Path,
    args: &[&str],
) -> (std::process::Output, PathBuf, PathBuf) {
    let dir = scenario.parent().unwrap();
    let (charts, report) = (dir.join("charts"), dir.join("plan.html"));
    let mut all = vec![
        "plan",
        scenario.to_str().unwrap(),
        "--charts",
        charts.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    (meridian_with(&all), charts, report)
}

#[test]
fn plan_charts_are_valid_png_and_svg_drawn_from_the_plan_document() {
    let (dir, path) = write_scenario("plan-charts", "");
    let charts = dir.join("charts");
    let o = meridian_with(&[
        "plan",
        path.to_str().unwrap(),
        "--charts",
        charts.to_str().unwrap(),
    ]);
    assert_exit(&o, 0, "plan --charts");
    let mut want: Vec<String> = PLAN_CHARTS
        .iter()
        .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    want.sort();
    assert_eq!(files_under(&charts), want);

    // The same plan through the library: the files are exactly its charts.
    let doc = plan::plan(
        &inline(&scenario_text("")),
        &catalog(),
        RunOptions::default(),
        &AtomicBool::new(false),
    )
    .unwrap();
    let expected = from_plan::plan_charts(&doc);
    assert_eq!(
        expected.iter().map(|c| c.stem.as_str()).collect::<Vec<_>>(),
        PLAN_CHARTS
    );
    let (best, detail) = doc.shown().expect("a recommended plan");
    assert_eq!(best.status, "recommended");
    for c in &expected {
        let svg = chart_pair(&charts, &c.stem);
        let png = std::fs::read(charts.join(format!("{}.png", c.stem))).unwrap();
        assert_eq!(
            crate::charts::png_size(&png, &c.stem),
            c.chart.size(),
            "{}: size",
            c.stem
        );
        assert_eq!(
            svg,
            render_svg(&c.chart, &c.stem).unwrap(),
            "{}: the file is not the plan document's chart",
            c.stem
        );
        assert!(svg.contains("plan-charts"), "{}: title", c.stem);
    }

    let heatmap = std::fs::read_to_string(charts.join("capacity-heatmap.svg")).unwrap();
    let load = std::fs::read_to_string(charts.join("load-capacity.svg")).unwrap();
    let labels: Vec<String> = Html::parse_fragment(&heatmap)
        .select(&Selector::parse("text").unwrap())
        .map(|t| t.text().collect::<String>().trim().to_string())
        .collect();
    for r in &detail.regions {
        assert!(heatmap.contains(&r.region), "heat map: no row {}", r.region);
        assert!(load.contains(&r.region), "load: no panel {}", r.region);
        // Every planned count is written in a cell.
        for s in &r.steps {
            assert!(
                labels.contains(&s.desired.to_string()),
                "heat map: no cell {} ({labels:?})",
                s.desired
            );
        }
    }
    for want in ["11:00", "12:00", "13:00", "hour [UTC]", "instances"] {
        assert!(heatmap.contains(want), "heat map: no {want}");
    }
    for want in [
        "request rate [req/s]",
        "instances (right axis)",
        "batch slots in use [%]",
        "utilisation [%]",
        "time of day [UTC]",
    ] {
        assert!(load.contains(want), "load-capacity: no {want}");
    }
    let cost = std::fs::read_to_string(charts.join("cost-breakdown.svg")).unwrap();
    for want in [best.name.as_str(), "cost per day [USD]", "instances"] {
        assert!(cost.contains(want), "cost-breakdown: no {want}");
    }
}

#[test]
fn plan_report_has_every_chart_the_actions_and_the_verification() {
    let (dir, path) = write_scenario("plan-report", "");
    let json = dir.join("plan.json");
    let (o, charts, report) =
        plan_with_charts_and_report(&path, &["--json", json.to_str().unwrap()]);
    assert_exit(&o, 0, "plan --report");
    let text = std::fs::read_to_string(&report).unwrap();
    let doc = check_report(
        &text,
        &charts,
        &[
            "summary",
            "candidates",
            "plan",
            "actions",
            "cost",
            "verification",
            "sensitivity",
            "search",
            "charts",
            "scenario",
        ],
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let detail = &plan["candidates"][0]["plan"];
    let sel = |s: &str| Selector::parse(s).unwrap();
    let text_of = |doc: &Html, s: &str| -> String {
        doc.select(&sel(s))
            .flat_map(|e| e.text())
            .collect::<String>()
    };

    // Every scheduled action, as a row with its cron schedule and capacities.
    let actions = detail["scheduled_actions"].as_array().unwrap();
    assert!(!actions.is_empty(), "demand rises: the plan scales up");
    let rows: Vec<Vec<String>> = doc
        .select(&sel("section#actions tbody tr"))
        .map(|tr| {
            tr.select(&sel("td"))
                .map(|td| td.text().collect())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), actions.len());
    for (row, a) in rows.iter().zip(actions) {
        let want: Vec<String> = [
            a["region"].as_str().unwrap().to_string(),
            a["name"].as_str().unwrap().to_string(),
            a["schedule"].as_str().unwrap().to_string(),
            a["min_capacity"].to_string(),
            a["max_capacity"].to_string(),
            a["desired_capacity"].to_string(),
        ]
        .into();
        assert_eq!(row, &want);
    }

    // The verification: one row per target, judged, with its CI, and the overall verdict.
    let targets = detail["verification"]["targets"].as_array().unwrap();
    assert_eq!(
        doc.select(&sel("section#verification tbody tr")).count(),
        targets.len()
    );
    assert_eq!(doc.select(&sel("section#verification td.pass")).count(), 2);
    assert_eq!(
        text_of(&doc, "section#verification .verdict"),
        "PASS: every target met"
    );
    assert!(text_of(&doc, "section#verification").contains("± "));

    // Candidates, plan, cost baselines and sensitivity say what the JSON says.
    let cand = text_of(&doc, "section#candidates");
    assert!(cand.contains("base / as configured") && cand.contains("recommended"));
    let plan_rows = doc.select(&sel("section#plan table")).next().unwrap();
    assert_eq!(
        plan_rows.select(&sel("tbody tr")).count(),
        detail["regions"].as_array().unwrap().len()
    );
    let cost = text_of(&doc, "section#cost");
    assert!(cost.contains("static peak") && cost.contains("single region"));
    assert!(cost.contains(&format!(
        "{:.2}",
        detail["cost"]["total_usd_per_day"].as_f64().unwrap()
    )));
    let sens = text_of(&doc, "section#sensitivity");
    assert!(sens.contains("+20 % demand") && sens.contains("lost region"));
    assert!(text_of(&doc, "section#search").contains("iterations"));
    // The scenario is echoed verbatim.
    assert_eq!(
        text_of(&doc, "section#scenario pre"),
        std::fs::read_to_string(&path).unwrap()
    );
    assert_eq!(
        text_of(&doc, "section#summary .verdict"),
        "FEASIBLE: recommended base / as configured"
    );
}

#[test]
fn infeasible_plan_still_writes_charts_and_report_of_the_closest_candidate() {
    let (_, path) = write_scenario(
        "plan-charts-infeasible",
        "instance_types = [\"g5.2xlarge\", \"g5.12xlarge\"]\nbudget_usd_per_day = 100",
    );
    let (o, charts, report) = plan_with_charts_and_report(&path, &[]);
    assert_exit(&o, 1, "over-budget plan");
    assert!(stderr(&o).contains("infeasible"), "{}", stderr(&o));
    for stem in PLAN_CHARTS {
        chart_pair(&charts, stem);
    }
    // One bar per planned candidate.
    let cost = std::fs::read_to_string(charts.join("cost-breakdown.svg")).unwrap();
    for name in ["base / g5.2xlarge", "base / g5.12xlarge"] {
        assert!(cost.contains(name), "cost-breakdown: no bar for {name}");
    }
    let text = std::fs::read_to_string(&report).unwrap();
    let doc = check_report(&text, &charts, &["summary", "candidates", "plan", "charts"]);
    let verdict: String = doc
        .select(&Selector::parse("section#summary .verdict.fail").unwrap())
        .flat_map(|e| e.text())
        .collect();
    assert!(verdict.starts_with("INFEASIBLE"), "{verdict}");
    assert!(text.contains("over budget"));
}

#[test]
fn plan_chart_and_report_paths_are_checked_before_planning() {
    let (dir, path) = write_scenario("plan-charts-guard", "");
    let json = dir.join("plan.json");
    for (flag, target, why) in bad_chart_and_report_paths(&dir) {
        let o = meridian_with(&[
            "plan",
            path.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
            flag,
            target.to_str().unwrap(),
        ]);
        assert_exit(&o, 2, &format!("{flag} {}", target.display()));
        assert!(stderr(&o).contains(why), "{flag}: {}", stderr(&o));
    }
    // Nothing was planned: not even the valid --json was written.
    assert_eq!(
        files_under(&dir),
        vec!["a-file".to_string(), "plan.toml".to_string()]
    );
}
