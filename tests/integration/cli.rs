//! The `meridian` binary as a user meets it: exit codes, the summary table, the JSON document
//! and how `--json` fails. Also the helpers the other binary-level tests share.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// A command running the real binary from the crate root (so relative paths like
/// `scenarios/x.toml` work and appear in messages as given).
pub(crate) fn meridian() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_meridian"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Runs the binary with `args` and returns its output.
pub(crate) fn meridian_with(args: &[&str]) -> Output {
    meridian()
        .args(args)
        .output()
        .expect("the meridian binary starts")
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the process exited with `code` and did not panic; shows its output otherwise.
#[track_caller]
pub(crate) fn assert_exit(o: &Output, code: i32, what: &str) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked"),
        "{what}: the binary panicked:\n{err}"
    );
    assert_eq!(
        o.status.code(),
        Some(code),
        "{what}: wrong exit status\n--- stdout\n{}\n--- stderr\n{err}",
        stdout(o)
    );
}

/// An empty scratch directory of its own for one test, under Cargo's target tmp dir.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("meridian-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Every file under `dir`, recursively, relative to it, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read scratch dir") {
            let p = entry.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// The shipped scenarios as paths relative to the crate root (`scenarios/x.toml`), sorted.
pub(crate) fn shipped_scenarios() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".toml"))
        .map(|n| format!("scenarios/{n}"))
        .collect();
    names.sort();
    assert!(
        names.iter().any(|n| n == "scenarios/single-region.toml")
            && names
                .iter()
                .any(|n| n == "scenarios/three-region-latency.toml"),
        "the shipped scenarios are missing: {names:?}"
    );
    names
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}\n{text}", path.display()))
}

/// `doc` at a `/`-separated path, or a panic naming the missing key.
#[track_caller]
fn at<'a>(doc: &'a Value, path: &str) -> &'a Value {
    doc.pointer(&format!("/{path}"))
        .unwrap_or_else(|| panic!("JSON document has no `{path}`"))
}

#[track_caller]
fn count(doc: &Value, path: &str) -> u64 {
    at(doc, path)
        .as_u64()
        .unwrap_or_else(|| panic!("`{path}` is not a count: {}", at(doc, path)))
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    for s in shipped_scenarios() {
        let o = meridian_with(&["validate", &s]);
        assert_exit(&o, 0, &s);
        let out = stdout(&o);
        assert!(out.starts_with(&format!("{s}: ok")), "{s}: {out}");
        assert!(stderr(&o).is_empty(), "{s}: stderr: {}", stderr(&o));
    }
}

#[test]
fn run_prints_the_summary_and_writes_the_json_document() {
    let dir = scratch_dir("cli-run");
    let out_path = dir.join("single.json");
    // An old document at the target is replaced, not appended to or left half-written.
    std::fs::write(&out_path, "stale, not JSON").unwrap();
    let scenario = "scenarios/single-region.toml";
    let o = meridian_with(&[
        "run",
        scenario,
        "--replications",
        "1",
        "--json",
        out_path.to_str().unwrap(),
    ]);
    assert_exit(&o, 0, "meridian run");
    assert!(stderr(&o).is_empty(), "stderr: {}", stderr(&o));

    // The summary: headers carry their units.
    let table = stdout(&o);
    for header in [
        "scenario single-region — 1 replication(s)",
        "requests: ",
        "TTFT p50 [ms]",
        "TTFT p95 [ms]",
        "end-to-end p99 [ms]",
        "throughput [req/s]",
        "cost [USD]",
        "served [%]",
        "util [%]",
        "availability [%]",
        "± 95 % CI",
        "us-east-1",
    ] {
        assert!(table.contains(header), "summary lacks {header:?}:\n{table}");
    }

    // Only the document is left in the directory: no temp file.
    assert_eq!(files_under(&dir), ["single.json"]);
    let doc = read_json(&out_path);
    assert_eq!(
        count(&doc, "schema_version"),
        u64::from(meridian::report::SCHEMA_VERSION)
    );
    assert_eq!(
        at(&doc, "meridian_version").as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    let bytes = std::fs::read(crate::support::scenario_path("single-region.toml")).unwrap();
    assert_eq!(
        at(&doc, "scenario/content_hash").as_str(),
        Some(meridian::scenario::content_hash(&bytes).as_str()),
        "the content hash must be that of the scenario file's bytes"
    );
    let seed = crate::support::shipped("single-region.toml")
        .simulation
        .seed;
    assert_eq!(count(&doc, "scenario/seed"), seed);
    assert_eq!(count(&doc, "scenario/replications"), 1);

    // Every generated request ends exactly once.
    let generated = count(&doc, "outcomes/generated");
    let ends: u64 = [
        "completed",
        "throttled",
        "rejected",
        "timed_out",
        "in_flight_at_end",
    ]
    .iter()
    .map(|k| count(&doc, &format!("outcomes/{k}")))
    .sum();
    assert!(generated > 1000, "too few requests: {generated}");
    assert_eq!(
        generated,
        ends,
        "outcomes do not add up: {}",
        at(&doc, "outcomes")
    );

    // Units are in the key names.
    for key in [
        "latency/ttft/p99_ms",
        "latency/e2e/p50_ms",
        "latency/queue_wait/mean_ms",
        "regions/us-east-1/instance_cost_usd",
        "regions/us-east-1/price_usd_per_hour",
        "summary_ci95/ttft_p95_ms/mean",
        "summary_ci95/throughput_rps/ci95",
        "outcomes/availability_pct",
        "cost/usd_per_1k_requests",
        "scenario/duration_s",
    ] {
        assert!(
            at(&doc, key).is_number(),
            "`{key}` should be a number: {}",
            at(&doc, key)
        );
    }
    let p99 = at(&doc, "latency/ttft/p99_ms").as_f64().unwrap();
    let p50 = at(&doc, "latency/ttft/p50_ms").as_f64().unwrap();
    assert!(0.0 < p50 && p50 <= p99, "TTFT p50 {p50} ms, p99 {p99} ms");
    assert!(
        at(&doc, "regions/us-east-1/instance_cost_usd")
            .as_f64()
            .unwrap()
            > 0.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn seed_override_changes_the_results() {
    let dir = scratch_dir("cli-seed");
    let mut docs = Vec::new();
    for seed in ["1", "2"] {
        let path = dir.join(format!("seed{seed}.json"));
        let o = meridian_with(&[
            "run",
            "scenarios/single-region.toml",
            "--replications",
            "1",
            "--seed",
            seed,
            "--json",
            path.to_str().unwrap(),
        ]);
        assert_exit(&o, 0, &format!("--seed {seed}"));
        assert!(
            stdout(&o).contains(&format!("seed {seed}")),
            "the summary names the seed used:\n{}",
            stdout(&o)
        );
        docs.push(read_json(&path));
    }
    assert_eq!(count(&docs[0], "scenario/seed"), 1);
    assert_eq!(count(&docs[1], "scenario/seed"), 2);
    // Not just the seed field: the simulated requests differ.
    assert_ne!(at(&docs[0], "outcomes"), at(&docs[1], "outcomes"));
    assert_ne!(at(&docs[0], "latency"), at(&docs[1], "latency"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_into_a_missing_directory_fails_with_2_and_leaves_nothing() {
    let dir = scratch_dir("cli-json-missing");
    let target = dir.join("no").join("such").join("dir").join("out.json");
    let o = meridian_with(&[
        "run",
        "scenarios/single-region.toml",
        "--replications",
        "1",
        "--json",
        target.to_str().unwrap(),
    ]);
    assert_exit(&o, 2, "--json into a missing directory");
    let err = stderr(&o);
    assert!(
        err.starts_with("error: cannot write ") && err.contains(target.to_str().unwrap()),
        "the error names the output path: {err}"
    );
    assert!(
        stdout(&o).is_empty(),
        "no summary on failure: {}",
        stdout(&o)
    );
    assert!(
        files_under(&dir).is_empty() && !dir.join("no").exists(),
        "nothing may be created: {:?}",
        files_under(&dir)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_onto_a_directory_fails_with_2_and_removes_its_temp_file() {
    // Here the temp file can be written; the rename onto a directory fails afterwards.
    let dir = scratch_dir("cli-json-onto-dir");
    let target = dir.join("taken");
    std::fs::create_dir(&target).unwrap();
    let o = meridian_with(&[
        "run",
        "scenarios/single-region.toml",
        "--replications",
        "1",
        "--json",
        target.to_str().unwrap(),
    ]);
    assert_exit(&o, 2, "--json onto a directory");
    assert!(
        stderr(&o).contains(target.to_str().unwrap()),
        "{}",
        stderr(&o)
    );
    assert!(
        files_under(&dir).is_empty(),
        "a temp file was left behind: {:?}",
        files_under(&dir)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_and_version_work() {
    let o = meridian_with(&["--help"]);
    assert_exit(&o, 0, "meridian --help");
    let help = stdout(&o);
    for word in ["Usage: meridian", "run", "validate", "--models"] {
        assert!(help.contains(word), "--help lacks {word:?}:\n{help}");
    }

    let o = meridian_with(&["run", "--help"]);
    assert_exit(&o, 0, "meridian run --help");
    let help = stdout(&o);
    for word in ["<SCENARIO>", "--seed", "--replications", "--json"] {
        assert!(help.contains(word), "run --help lacks {word:?}:\n{help}");
    }

    let o = meridian_with(&["validate", "--help"]);
    assert_exit(&o, 0, "meridian validate --help");
    assert!(stdout(&o).contains("<SCENARIO>"), "{}", stdout(&o));

    let o = meridian_with(&["--version"]);
    assert_exit(&o, 0, "meridian --version");
    assert!(
        stdout(&o).contains(env!("CARGO_PKG_VERSION")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["simulate", "scenarios/single-region.toml"],
            "unrecognized subcommand",
        ),
        (&[], "Usage"),
        (&["run"], "<SCENARIO>"),
        (&["validate"], "<SCENARIO>"),
        (
            &["run", "scenarios/single-region.toml", "--replications", "0"],
            "--replications",
        ),
        (
            &[
                "run",
                "scenarios/single-region.toml",
                "--replications",
                "1001",
            ],
            "--replications",
        ),
        (
            &["run", "scenarios/single-region.toml", "--seed", "abc"],
            "--seed",
        ),
        (
            &["run", "scenarios/single-region.toml", "--frobnicate"],
            "--frobnicate",
        ),
    ];
    for (args, expected) in cases {
        let o = meridian_with(args);
        let what = format!("meridian {}", args.join(" "));
        assert_exit(&o, 2, &what);
        assert!(
            stderr(&o).contains(expected),
            "{what}: stderr lacks {expected:?}:\n{}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty(), "{what}: stdout: {}", stdout(&o));
    }
}
