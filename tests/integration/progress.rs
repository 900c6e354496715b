//! Progress reporting (`run`/`compare` progress bars): it counts replications, changes no
//! result, and stays off stderr when stderr is not a terminal or with `--quiet`.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crate::cli::{assert_exit, meridian_with, stderr};
use crate::support::{scenario_path, shipped};
use meridian::comparison::{run_all, run_all_with_progress};
use meridian::report::run_document;
use meridian::run::{RunOptions, run, run_with_progress};

#[test]
fn progress_counts_every_replication_and_changes_nothing() {
    let scenario = shipped("single-region.toml");
    let options = RunOptions {
        seed: None,
        replications: Some(3),
    };
    let ticks = AtomicU32::new(0);
    let never = AtomicBool::new(false);
    let with = run_with_progress(&scenario, options, &never, &|| {
        ticks.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(ticks.load(Ordering::Relaxed), 3);
    assert_eq!(
        run_document(&with),
        run_document(&run(&scenario, options)),
        "a progress callback must not change the result"
    );
}

#[test]
fn comparison_progress_counts_replications_of_every_scenario() {
    let a = shipped("single-region.toml");
    let b = shipped("three-region-latency.toml");
    let options = RunOptions {
        seed: None,
        replications: Some(2),
    };
    let ticks = AtomicU32::new(0);
    let never = AtomicBool::new(false);
    let scenarios = [a, b];
    let with = run_all_with_progress(&scenarios, options, &never, &|| {
        ticks.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(ticks.load(Ordering::Relaxed), 4);
    let without = run_all(&scenarios, options, &never).unwrap();
    for (x, y) in with.iter().zip(&without) {
        assert_eq!(run_document(x), run_document(y));
    }
}

#[test]
fn no_progress_on_captured_stderr_or_with_quiet() {
    let path = scenario_path("single-region.toml");
    let p = path.to_str().unwrap();
    let planned = scenario_path("plan-three-region.toml");
    let planned = planned.to_str().unwrap();
    for args in [
        vec!["run", p, "--replications", "2"],
        vec!["run", p, "--replications", "2", "--quiet"],
        vec!["compare", p, p, "--replications", "1", "-q"],
        vec!["plan", planned, "--replications", "2"],
        vec!["plan", planned, "--replications", "2", "-q"],
    ] {
        let o = meridian_with(&args);
        assert_exit(&o, 0, &args.join(" "));
        assert_eq!(stderr(&o), "", "{}: stderr must stay empty", args.join(" "));
    }
}
