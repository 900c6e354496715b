//! Charts and the HTML report through the binary (`--charts DIR`, `--report FILE.html` on
//! run and compare) and through the library's plain-data chart API.

use std::path::{Path, PathBuf};

use scraper::{Html, Selector};

use crate::cli::{assert_exit, files_under, meridian_with, scratch_dir, stderr};
use crate::support::{scenario_path, shipped, shipped_names};
use meridian::charts::{CapacityHeatmap, Chart, LoadCapacity, RegionLoad, render_png, render_svg};

/// Charts every run writes, by file stem (failover timelines come on top, one per fault).
const RUN_CHARTS: [&str; 7] = [
    "latency-cdf",
    "latency-over-day-ttft",
    "latency-over-day-e2e",
    "load-capacity",
    "capacity-heatmap",
    "cost-breakdown",
    "world-map",
];

/// Width and height from a PNG's IHDR chunk, after checking the signature.
pub(crate) fn png_size(bytes: &[u8], what: &str) -> (u32, u32) {
    assert!(bytes.len() > 33, "{what}: too short for a PNG");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{what}: PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "{what}: first chunk is IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Width and height of an SVG document's root element (parsed as markup).
pub(crate) fn svg_size(text: &str, what: &str) -> (u32, u32) {
    let doc = Html::parse_fragment(text);
    let svg = doc
        .select(&Selector::parse("svg").unwrap())
        .next()
        .unwrap_or_else(|| panic!("{what}: no <svg> root"));
    let attr = |name: &str| -> u32 {
        svg.value()
            .attr(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{what}: svg {name} missing or not a number"))
    };
    assert!(
        text.trim_end().ends_with("</svg>"),
        "{what}: svg not closed"
    );
    (attr("width"), attr("height"))
}

/// Checks `dir/<stem>.png` and `.svg` exist, agree on their size, and returns the SVG text.
pub(crate) fn chart_pair(dir: &Path, stem: &str) -> String {
    let png = std::fs::read(dir.join(format!("{stem}.png")))
        .unwrap_or_else(|e| panic!("{}/{stem}.png: {e}", dir.display()));
    let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg")))
        .unwrap_or_else(|e| panic!("{}/{stem}.svg: {e}", dir.display()));
    let (w, h) = png_size(&png, stem);
    assert!(
        (600..=2400).contains(&w) && (200..=4000).contains(&h),
        "{stem}: {w}×{h}"
    );
    assert_eq!(
        svg_size(&svg, stem),
        (w, h),
        "{stem}: png and svg sizes differ"
    );
    svg
}

fn run_ok(args: &[&str]) {
    let o = meridian_with(args);
    assert_exit(&o, 0, &format!("meridian {}", args.join(" ")));
}

#[test]
fn run_writes_every_chart_for_every_shipped_scenario() {
    for name in shipped_names() {
        let scenario = shipped(&name);
        let dir = scratch_dir(&format!("charts-{name}"));
        let path = scenario_path(&name);
        run_ok(&[
            "run",
            path.to_str().unwrap(),
            "--replications",
            "1",
            "--charts",
            dir.to_str().unwrap(),
        ]);
        let regions: Vec<&str> = scenario
            .deployments
            .iter()
            .map(|d| d.region.code.as_str())
            .collect();
        for stem in RUN_CHARTS {
            let svg = chart_pair(&dir, stem);
            assert!(svg.contains(&scenario.name), "{name} {stem}: title");
            if stem == "latency-cdf" {
                // One line per region that served requests (front ends only forward).
                assert!(
                    regions.iter().any(|c| svg.contains(c)),
                    "{name}: no CDF line"
                );
                continue;
            }
            // Every other chart names every region: legend, panel caption, bar or row label.
            for code in &regions {
                assert!(svg.contains(code), "{name} {stem}: no series for {code}");
            }
        }
        let failovers = (1..=scenario.faults.len())
            .map(|i| format!("failover-{i}"))
            .collect::<Vec<_>>();
        for stem in &failovers {
            let svg = chart_pair(&dir, stem);
            for want in [
                "success ratio [%]",
                "p99 latency [ms]",
                "fault start",
                "fault end",
            ] {
                assert!(svg.contains(want), "{name} {stem}: no {want}");
            }
        }
        let expected = 2 * (RUN_CHARTS.len() + failovers.len());
        assert_eq!(
            files_under(&dir).len(),
            expected,
            "{name}: {:?}",
            files_under(&dir)
        );
    }
}

#[test]
fn chart_series_names_match_the_data() {
    let dir = scratch_dir("charts-series");
    let path = scenario_path("region-outage-drill.toml");
    run_ok(&[
        "run",
        path.to_str().unwrap(),
        "--replications",
        "1",
        "--charts",
        dir.to_str().unwrap(),
    ]);
    let cdf = std::fs::read_to_string(dir.join("latency-cdf.svg")).unwrap();
    for want in [
        "Time to first token",
        "End-to-end latency",
        "all regions",
        "latency [ms] (log scale)",
        "requests at or below [%]",
    ] {
        assert!(cdf.contains(want), "latency-cdf: no {want}");
    }
    let over_day = std::fs::read_to_string(dir.join("latency-over-day-e2e.svg")).unwrap();
    for want in ["p50", "p50–p95", "p95–p99", "time of day [UTC]"] {
        assert!(over_day.contains(want), "latency-over-day: no {want}");
    }
    let load = std::fs::read_to_string(dir.join("load-capacity.svg")).unwrap();
    for want in [
        "request rate [req/s]",
        "capacity at 100 % slots [req/s]",
        "instances (right axis)",
        "batch slots in use [%]",
    ] {
        assert!(load.contains(want), "load-capacity: no {want}");
    }
    // The drill's eu-west-1 outage, with health checks and DNS caching: every marker.
    let failover = std::fs::read_to_string(dir.join("failover-1.svg")).unwrap();
    for want in [
        "detected by health checks",
        "DNS TTL expired",
        "recovered",
        "time since fault start [s]",
    ] {
        assert!(failover.contains(want), "failover-1: no {want}");
    }
    let cost = std::fs::read_to_string(dir.join("cost-breakdown.svg")).unwrap();
    assert!(cost.contains("instances") && cost.contains("cost per run [USD]"));
}

#[test]
fn charts_are_deterministic() {
    let path = scenario_path("single-region.toml");
    let render = |tag: &str| {
        let dir = scratch_dir(&format!("charts-det-{tag}"));
        run_ok(&[
            "run",
            path.to_str().unwrap(),
            "--replications",
            "2",
            "--charts",
            dir.to_str().unwrap(),
        ]);
        RUN_CHARTS
            .iter()
            .map(|s| std::fs::read(dir.join(format!("{s}.png"))).unwrap())
            .collect::<Vec<_>>()
    };
    assert!(
        render("a") == render("b"),
        "same run, different chart bytes"
    );
}

/// Parses the report and checks its structure: sections, one inline SVG figure per chart
/// file, nothing fetched from the network, no scripts.
pub(crate) fn check_report(html_text: &str, chart_dir: &Path, sections: &[&str]) -> Html {
    assert!(html_text.starts_with("<!DOCTYPE html>"));
    let doc = Html::parse_document(html_text);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    let sel = |s: &str| Selector::parse(s).unwrap();
    for id in sections {
        assert_eq!(
            doc.select(&sel(&format!("section#{id} > h2"))).count(),
            1,
            "section {id}"
        );
        assert_eq!(doc.select(&sel(&format!("nav a[href='#{id}']"))).count(), 1);
    }
    let stems: Vec<String> = files_under(chart_dir)
        .into_iter()
        .filter_map(|f| f.strip_suffix(".svg").map(str::to_string))
        .collect();
    assert!(!stems.is_empty());
    for stem in &stems {
        let figure = sel(&format!("figure#chart-{stem} svg"));
        assert_eq!(doc.select(&figure).count(), 1, "report lacks chart {stem}");
    }
    assert_eq!(doc.select(&sel("figure")).count(), stems.len());
    assert_eq!(doc.select(&sel("script")).count(), 0, "no scripts");
    for (tag, attr) in [
        ("link", "href"),
        ("img", "src"),
        ("iframe", "src"),
        ("use", "href"),
    ] {
        for e in doc.select(&sel(tag)) {
            let v = e.value().attr(attr).unwrap_or("");
            assert!(!v.contains("://"), "{tag} loads {v} from the network");
        }
    }
    doc
}

#[test]
fn run_report_is_self_contained_html_with_every_chart() {
    let dir = scratch_dir("report-run");
    let charts = dir.join("charts");
    let report = dir.join("report.html");
    let path = scenario_path("region-outage-drill.toml");
    run_ok(&[
        "run",
        path.to_str().unwrap(),
        "--replications",
        "1",
        "--charts",
        charts.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&report).unwrap();
    let doc = check_report(
        &text,
        &charts,
        &[
            "summary",
            "slo",
            "charts",
            "regions",
            "faults",
            "scenario",
            "assumptions",
        ],
    );
    let sel = |s: &str| Selector::parse(s).unwrap();
    // The scenario is echoed verbatim (escaped), the sources named, the SLOs judged.
    let pre: String = doc
        .select(&sel("section#scenario pre"))
        .flat_map(|e| e.text())
        .collect();
    let toml = std::fs::read_to_string(&path).unwrap();
    assert_eq!(pre, toml);
    let sources: String = doc
        .select(&sel("section#assumptions"))
        .flat_map(|e| e.text())
        .collect();
    assert!(sources.contains("models/regions.toml") && sources.contains("source: "));
    let slo_rows = doc.select(&sel("section#slo tbody tr")).count();
    // The drill sets three objectives: TTFT p95, end-to-end p99, availability.
    assert_eq!(slo_rows, 3);
    assert_eq!(doc.select(&sel("section#slo .verdict")).count(), 1);
    assert!(doc.select(&sel("td.pass, td.fail")).count() >= slo_rows);
}

#[test]
fn run_report_without_charts_dir_still_embeds_the_charts() {
    let dir = scratch_dir("report-only");
    let report = dir.join("r.html");
    let path = scenario_path("single-region.toml");
    run_ok(&[
        "run",
        path.to_str().unwrap(),
        "--replications",
        "1",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(files_under(&dir), vec!["r.html".to_string()]);
    let doc = Html::parse_document(&std::fs::read_to_string(&report).unwrap());
    let figures = doc.select(&Selector::parse("figure svg").unwrap()).count();
    assert_eq!(figures, RUN_CHARTS.len());
}

#[test]
fn compare_writes_charts_and_report_per_topology() {
    let dir = scratch_dir("compare-charts");
    let charts = dir.join("charts");
    let report = dir.join("compare.html");
    let path = scenario_path("three-region-latency.toml");
    let scenario = shipped("three-region-latency.toml");
    run_ok(&[
        "compare",
        path.to_str().unwrap(),
        "--replications",
        "1",
        "--charts",
        charts.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let mut names = vec!["base".to_string()];
    names.extend(scenario.topologies.iter().map(|t| t.name.clone()));
    for stem in ["latency-cdf", "cost-breakdown"] {
        let svg = chart_pair(&charts, stem);
        for n in &names {
            assert!(
                svg.contains(n.as_str()),
                "{stem}: no series for topology {n}"
            );
        }
    }
    let text = std::fs::read_to_string(&report).unwrap();
    check_report(&text, &charts, &["summary", "charts", "scenario-1"]);
}

/// `(flag, path, what the refusal says)` for chart and report paths that must be refused;
/// writes the file `a-file` into `dir` for them.
pub(crate) fn bad_chart_and_report_paths(dir: &Path) -> Vec<(&'static str, PathBuf, &'static str)> {
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let missing = dir.join("no-such-dir").join("charts");
    vec![
        ("--charts", file, "not a directory"),
        ("--charts", missing.clone(), "does not exist"),
        ("--report", missing.join("r.html"), "does not exist"),
        ("--report", dir.to_path_buf(), "is a directory"),
    ]
}

#[test]
fn chart_and_report_paths_are_checked_before_running() {
    let dir = scratch_dir("charts-guard");
    let path = scenario_path("single-region.toml");
    for (flag, target, why) in bad_chart_and_report_paths(&dir) {
        let o = meridian_with(&[
            "run",
            path.to_str().unwrap(),
            "--replications",
            "1",
            flag,
            target.to_str().unwrap(),
        ]);
        assert_exit(&o, 2, &format!("{flag} {}", target.display()));
        assert!(stderr(&o).contains(why), "{flag}: {}", stderr(&o));
    }
    assert_eq!(files_under(&dir), vec!["a-file".to_string()]);
    // A missing chart directory whose parent exists is created.
    let fresh = dir.join("fresh");
    run_ok(&[
        "run",
        path.to_str().unwrap(),
        "--replications",
        "1",
        "--charts",
        fresh.to_str().unwrap(),
    ]);
    assert!(fresh.join("latency-cdf.png").is_file());
}

#[test]
fn plan_shaped_data_renders_through_the_library() {
    // What a capacity planner would hand over: planned instances per hour, no simulation.
    let hours: Vec<String> = (0..24).map(|h| format!("{h:02}:00")).collect();
    let heatmap = CapacityHeatmap {
        title: "plan: instances per region and hour".into(),
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        hours,
        instances: vec![
            (0..24).map(|h| f64::from(2 + h % 5)).collect(),
            (0..24).map(|h| f64::from(1 + h % 3)).collect(),
        ],
        cost_usd: vec![412.5, 201.0],
    };
    let load = LoadCapacity {
        title: "plan: load and capacity".into(),
        end_hour: 24.0,
        regions: vec![RegionLoad {
            name: "us-east-1".into(),
            request_rate_rps: (0..24)
                .map(|h| (f64::from(h), 3.0 + f64::from(h % 6)))
                .collect(),
            capacity_rps: (0..24).map(|h| (f64::from(h), 10.0)).collect(),
            instances: (0..24).map(|h| (f64::from(h), 4.0)).collect(),
            utilisation_pct: Vec::new(),
        }],
    };
    for (name, svg, png, size) in [
        (
            "heatmap",
            render_svg(&heatmap, "heatmap").unwrap(),
            render_png(&heatmap, "heatmap").unwrap(),
            heatmap.size(),
        ),
        (
            "load",
            render_svg(&load, "load").unwrap(),
            render_png(&load, "load").unwrap(),
            load.size(),
        ),
    ] {
        assert_eq!(png_size(&png, name), size);
        assert_eq!(svg_size(&svg, name), size);
        assert!(svg.contains("us-east-1"));
    }
    let svg = render_svg(&heatmap, "heatmap").unwrap();
    assert!(svg.contains("$412.50") && svg.contains("23:00"));
}

#[test]
fn degenerate_chart_data_renders_without_panicking() {
    use meridian::charts::{
        CostBar, CostBreakdown, CostSegment, FailoverMarker, FailoverTimeline, LatencyCdf,
        LatencyOverDay, MapRegion, MapSite, RegionPercentiles, Series, WorldMap,
    };
    fn both<C: Chart>(c: &C, name: &str) {
        let (w, h) = c.size();
        assert_eq!(png_size(&render_png(c, name).unwrap(), name), (w, h));
        assert_eq!(svg_size(&render_svg(c, name).unwrap(), name), (w, h));
    }
    let nan = f64::NAN;
    both(
        &LatencyCdf {
            title: "empty".into(),
            ttft: Vec::new(),
            e2e: vec![Series {
                name: "zeros".into(),
                points: vec![(0.0, 0.0), (nan, 0.5), (5.0, 1.0)],
            }],
        },
        "cdf",
    );
    both(
        &LatencyOverDay {
            title: "gaps".into(),
            metric: "latency".into(),
            regions: vec![RegionPercentiles {
                name: "r".into(),
                hours: vec![0.0, 1.0],
                p50_ms: vec![None, Some(1.0)],
                p95_ms: vec![None, Some(1.0)],
                p99_ms: vec![None, None],
            }],
        },
        "over-day",
    );
    both(
        &LoadCapacity {
            title: "nothing".into(),
            end_hour: 0.0,
            regions: vec![RegionLoad {
                name: "r".into(),
                request_rate_rps: Vec::new(),
                capacity_rps: Vec::new(),
                instances: vec![(0.0, nan)],
                utilisation_pct: Vec::new(),
            }],
        },
        "load",
    );
    both(
        &CapacityHeatmap {
            title: "ragged".into(),
            regions: vec!["a".into(), "b".into()],
            hours: vec!["00:00".into()],
            instances: vec![vec![nan], Vec::new()],
            cost_usd: Vec::new(),
        },
        "heatmap",
    );
    both(
        &CostBreakdown {
            title: "zero".into(),
            y_desc: "USD".into(),
            bars: vec![CostBar {
                label: "a".into(),
                segments: vec![CostSegment {
                    component: "x".into(),
                    usd: -1.0,
                }],
            }],
        },
        "cost",
    );
    both(
        &FailoverTimeline {
            title: "no buckets".into(),
            t_s: Vec::new(),
            success_pct: Vec::new(),
            p99_ms: Vec::new(),
            target_pct: None,
            markers: vec![FailoverMarker {
                label: "start".into(),
                t_s: 0.0,
            }],
        },
        "failover",
    );
    both(
        &WorldMap {
            title: "edge".into(),
            regions: vec![MapRegion {
                code: "r".into(),
                lat_deg: 90.0,
                lon_deg: 180.0,
            }],
            sites: vec![MapSite {
                name: "s".into(),
                lat_deg: -90.0,
                lon_deg: -180.0,
                requests: 0.0,
                served_by: Some(7),
            }],
        },
        "map",
    );
}
