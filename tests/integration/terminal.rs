//! Terminal commands through the binary: `meridian models` with its filters and formats,
//! `meridian init`, and `meridian run --format` / `--timeseries`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cli::{assert_exit, meridian_with, scratch_dir, stderr, stdout};
use crate::support::catalog;
use meridian::scenario::Scenario;

fn models(args: &[&str]) -> String {
    let mut all = vec!["models"];
    all.extend_from_slice(args);
    let o = meridian_with(&all);
    assert_exit(&o, 0, &format!("meridian {}", all.join(" ")));
    stdout(&o)
}

fn json(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON: {e}\n{text}"))
}

/// Writes the starter scenario into a fresh scratch directory and returns its path.
fn starter(name: &str) -> PathBuf {
    let path = scratch_dir(name).join("scenario.toml");
    let p = path.to_str().unwrap();
    let o = meridian_with(&["init", p]);
    assert_exit(&o, 0, "meridian init");
    path
}

fn run(scenario: &Path, extra: &[&str]) -> String {
    let mut args = vec!["run", scenario.to_str().unwrap(), "--replications", "1"];
    args.extend_from_slice(extra);
    let o = meridian_with(&args);
    assert_exit(&o, 0, &format!("meridian {}", args.join(" ")));
    stdout(&o)
}

#[test]
fn models_table_lists_every_section_with_units() {
    let out = models(&[]);
    for want in [
        "Regions",
        "User sites",
        "Instance types",
        "Serving profiles",
        "Managed models",
        "price in us-east-1 [USD/h]",
        "traffic share [%]",
        "UTC offset [h]",
        "TPOT batch 1 [ms]",
        "input [USD/1M tok]",
        "us-east-1",
        "new-york",
        "g5.2xlarge",
        "llama-2-7b@g5.2xlarge",
        "claude-3-5-sonnet",
        "A10G × 1",
    ] {
        assert!(
            out.contains(want),
            "`meridian models` lacks {want:?}:\n{out}"
        );
    }
}

#[test]
fn models_region_filter_keeps_one_region() {
    let out = models(&["--region", "eu-west-1", "--format", "json"]);
    let doc = json(&out, "models --region --format json");
    let regions = doc["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 1);
    assert_eq!(regions[0]["code"], "eu-west-1");
    let c = catalog();
    for t in doc["instance_types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let want = c.instance_types[name].prices["eu-west-1"].usd_per_hour;
        assert_eq!(t["usd_per_hour"].as_f64(), Some(want), "{name}");
    }
    for m in doc["managed_models"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        let price = c.managed_models[name].input_usd_per_1m_tokens["eu-west-1"];
        assert_eq!(m["input_usd_per_1m_tokens"]["min"].as_f64(), Some(price));
        assert_eq!(m["input_usd_per_1m_tokens"]["max"].as_f64(), Some(price));
    }
    let table = models(&["--region", "eu-west-1"]);
    assert!(table.contains("price in eu-west-1 [USD/h]"), "{table}");
    assert!(!table.contains("us-east-1"), "{table}");
}

#[test]
fn models_type_filter_keeps_one_instance_type() {
    let doc = json(
        &models(&["--type", "g5.2xlarge", "--format", "json"]),
        "json",
    );
    let types = doc["instance_types"].as_array().unwrap();
    assert_eq!(types.len(), 1);
    assert_eq!(types[0]["name"], "g5.2xlarge");
    let profiles = doc["serving_profiles"].as_array().unwrap();
    assert!(!profiles.is_empty());
    assert!(
        profiles.iter().all(|p| p["instance_type"] == "g5.2xlarge"),
        "{profiles:?}"
    );
    assert_eq!(
        doc["regions"].as_array().unwrap().len(),
        catalog().regions.len()
    );
}

#[test]
fn models_unknown_filters_exit_2_with_a_suggestion() {
    for (args, want) in [
        (
            ["models", "--region", "us-est-1"],
            "did you mean \"us-east-1\"",
        ),
        (
            ["models", "--type", "g5.2xlarg"],
            "did you mean \"g5.2xlarge\"",
        ),
    ] {
        let o = meridian_with(&args);
        assert_exit(&o, 2, &args.join(" "));
        assert!(stderr(&o).contains(want), "{}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn models_csv_has_one_block_per_section() {
    let out = models(&["--format", "csv", "--type", "g5.2xlarge"]);
    let blocks: Vec<&str> = out.split("\n\n").collect();
    let names: Vec<&str> = blocks
        .iter()
        .map(|b| b.lines().next().unwrap().trim_start_matches("# "))
        .collect();
    assert_eq!(
        names,
        [
            "regions",
            "sites",
            "instance_types",
            "serving_profiles",
            "managed_models"
        ]
    );
    assert!(out.contains("\nname,accelerators,price in us-east-1 [USD/h],price\n"));
    assert!(out.contains("\ng5.2xlarge,A10G × 1,"), "{out}");
    for b in blocks {
        let cols = |l: &str| l.split(',').count();
        let mut lines = b.lines().skip(1);
        let header = cols(lines.next().unwrap());
        // Site and region names hold no commas, so a plain split counts fields.
        if !b.starts_with("# managed_models") {
            assert!(lines.all(|l| cols(l) == header), "{b}");
        }
    }
}

#[test]
fn models_markdown_has_headings_and_tables() {
    let out = models(&["--format", "markdown", "--region", "us-east-1"]);
    for want in [
        "## Regions\n\n| code | city |",
        "## Instance types\n\n| name |",
        "## Managed models in us-east-1",
        "|---|",
    ] {
        assert!(out.contains(want), "markdown lacks {want:?}:\n{out}");
    }
}

#[test]
fn init_writes_a_valid_runnable_scenario() {
    let path = starter("init-valid");
    let scenario = Scenario::from_file(&path, &catalog()).expect("the starter is valid");
    assert_eq!(scenario.deployments.len(), 2);
    let out = run(&path, &[]);
    assert!(out.contains("scenario starter"), "{out}");
    assert!(
        out.contains("us-east-1") && out.contains("eu-west-1"),
        "{out}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("README"), "the starter points to the README");
    assert!(text.contains("[slo]"), "the starter sets objectives");
    assert!(
        out.contains("objective"),
        "its objectives are checked:\n{out}"
    );
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let path = starter("init-refuse");
    std::fs::write(&path, "mine").unwrap();
    let p = path.to_str().unwrap();
    let o = meridian_with(&["init", p]);
    assert_exit(&o, 2, "init over an existing file");
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");

    let o = meridian_with(&["init", p, "--force"]);
    assert_exit(&o, 0, "init --force");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("[[regions]]"), "{text}");
    Scenario::from_file(&path, &catalog()).expect("the overwritten file is valid");
    let dir = path.parent().unwrap();
    assert_eq!(
        crate::cli::files_under(dir),
        ["scenario.toml"],
        "no temporary file is left behind"
    );
}

#[test]
fn run_format_table_is_the_summary() {
    let path = starter("run-table");
    let out = run(&path, &["--format", "table"]);
    assert_eq!(out, run(&path, &[]), "table is the default");
    assert!(
        out.contains("TTFT p95 [ms]") && out.contains("----"),
        "{out}"
    );
}

#[test]
fn run_format_json_is_the_run_document() {
    let path = starter("run-json");
    let doc = json(&run(&path, &["--format", "json"]), "run --format json");
    assert_eq!(doc["kind"], "run");
    assert_eq!(doc["scenario"]["name"], "starter");
    let regions = doc["regions"].as_object().unwrap();
    assert!(regions.contains_key("us-east-1") && regions.contains_key("eu-west-1"));
}

#[test]
fn run_format_csv_has_one_row_per_region() {
    let path = starter("run-csv");
    let out = run(&path, &["--format", "csv"]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(meridian::report::REGIONS_HEADER));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{out}");
    let cols = meridian::report::REGIONS_HEADER.split(',').count();
    for r in &rows {
        assert_eq!(r.split(',').count(), cols, "{r}");
        for v in r.split(',').skip(1) {
            v.parse::<f64>().unwrap_or_else(|_| panic!("{v:?} in {r}"));
        }
    }
    assert!(rows.iter().any(|r| r.starts_with("eu-west-1,")));
    assert!(rows.iter().any(|r| r.starts_with("us-east-1,")));
}

#[test]
fn run_format_markdown_has_the_summary_tables() {
    let path = starter("run-md");
    let out = run(&path, &["--format", "markdown"]);
    for want in [
        "| metric | pooled | mean of replications | ± 95 % CI |",
        "| region | instances |",
        "| users in | requests |",
        "| objective |",
        "|---|---:|",
    ] {
        assert!(out.contains(want), "markdown lacks {want:?}:\n{out}");
    }
}

#[test]
fn run_timeseries_writes_one_row_per_region_and_bucket() {
    let path = starter("run-ts");
    let csv = path.with_file_name("ts.csv");
    let json_path = path.with_file_name("run.json");
    run(
        &path,
        &[
            "--timeseries",
            csv.to_str().unwrap(),
            "--json",
            json_path.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&csv).expect("timeseries written");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("region,bucket_start_s,utilisation,queue_length_mean,queue_length_max,instances")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let doc = json(&std::fs::read_to_string(&json_path).unwrap(), "run.json");
    let regions = doc["regions"].as_object().unwrap();
    let buckets = |code: &str| {
        regions[code]["timeseries"]["bucket_start_s"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(buckets("us-east-1"), 10, "600 s in 60 s buckets");
    for code in ["us-east-1", "eu-west-1"] {
        let mine: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == code).collect();
        assert_eq!(mine.len(), buckets(code), "{code}");
        let ts = &regions[code]["timeseries"];
        for (i, r) in mine.iter().enumerate() {
            assert_eq!(r.len(), 6);
            assert_eq!(r[1].parse::<f64>().ok(), ts["bucket_start_s"][i].as_f64());
            assert_eq!(r[2].parse::<f64>().ok(), ts["utilisation"][i].as_f64());
            assert_eq!(r[5].parse::<f64>().ok(), ts["instances"][i].as_f64());
        }
    }
    assert_eq!(rows.len(), buckets("us-east-1") + buckets("eu-west-1"));
}

#[test]
fn run_timeseries_into_a_missing_directory_exits_2_before_running() {
    let path = starter("run-ts-missing");
    let csv = path.with_file_name("no-such-dir").join("ts.csv");
    let o = meridian_with(&[
        "run",
        path.to_str().unwrap(),
        "--timeseries",
        csv.to_str().unwrap(),
    ]);
    assert_exit(&o, 2, "--timeseries into a missing directory");
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
}
