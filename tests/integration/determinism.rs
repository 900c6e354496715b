//! Reproducibility: the same scenario and seed give a bit-identical JSON document run after
//! run and for any number of threads; another seed gives another document.

use meridian::report::run_document;
use meridian::run::{RunOptions, run};
use meridian::scenario::Scenario;
use serde_json::Value;

use crate::cli::{assert_exit, meridian, scratch_dir, shipped_scenarios, stdout};
use crate::support::catalog;

/// Replications per run: more than one so that threads share the work, odd so that two
/// threads get unequal shares.
const REPLICATIONS: u32 = 3;

/// Where two documents first differ, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    match a
        .lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
    {
        Some((i, (x, y))) => format!("line {}: {x:?} vs {y:?}", i + 1),
        None => format!(
            "one is a prefix of the other ({} vs {} lines)",
            a.lines().count(),
            b.lines().count()
        ),
    }
}

#[test]
fn json_is_bit_identical_across_runs_and_thread_counts() {
    let dir = scratch_dir("determinism-binary");
    for scenario in shipped_scenarios() {
        let stem = scenario
            .trim_start_matches("scenarios/")
            .trim_end_matches(".toml");
        let mut docs = Vec::new();
        for (threads, attempt) in [("1", "a"), ("2", "a"), ("2", "b")] {
            let out = dir.join(format!("{stem}-t{threads}{attempt}.json"));
            let o = meridian()
                .env("RAYON_NUM_THREADS", threads)
                .args([
                    "run",
                    &scenario,
                    "--replications",
                    &REPLICATIONS.to_string(),
                ])
                .arg("--json")
                .arg(&out)
                .output()
                .expect("the meridian binary starts");
            assert_exit(&o, 0, &format!("{scenario} with {threads} thread(s)"));
            assert!(
                stdout(&o).contains(&format!("{REPLICATIONS} replication(s)")),
                "{}",
                stdout(&o)
            );
            let text = std::fs::read_to_string(&out).expect("document written");
            docs.push((format!("{threads} thread(s), run {attempt}"), text));
        }
        let (first_name, first) = &docs[0];
        for (name, text) in &docs[1..] {
            assert!(
                text == first,
                "{scenario}: the document with {name} differs from {first_name}: {}",
                first_difference(first, text)
            );
        }
        let doc: Value = serde_json::from_str(first).expect("JSON");
        assert_eq!(doc["scenario"]["replications"], REPLICATIONS);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn document_with_threads(s: &Scenario, threads: usize, options: RunOptions) -> Value {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| run_document(&run(s, options)))
}

#[test]
fn replications_do_not_depend_on_the_thread_count() {
    let catalog = catalog();
    let options = RunOptions {
        replications: Some(REPLICATIONS),
        ..Default::default()
    };
    for name in shipped_scenarios() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&name);
        let s = Scenario::from_file(&path, &catalog).expect("shipped scenario is valid");
        let one = document_with_threads(&s, 1, options);
        let two = document_with_threads(&s, 2, options);
        let three = document_with_threads(&s, 3, options);
        assert!(
            one == two && two == three,
            "{name}: the document depends on the thread count: {}",
            first_difference(
                &serde_json::to_string_pretty(&one).unwrap(),
                &serde_json::to_string_pretty(if one != two { &two } else { &three }).unwrap()
            )
        );
        // Bit-identical down to the serialised text, not only equal as values.
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&two).unwrap()
        );
    }
}

#[test]
fn per_replication_results_do_not_depend_on_the_thread_count() {
    let s = crate::support::shipped("three-region-latency.toml");
    let options = RunOptions {
        replications: Some(REPLICATIONS),
        ..Default::default()
    };
    let in_pool = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool")
            .install(|| run(&s, options))
    };
    let (one, two) = (in_pool(1), in_pool(2));
    assert_eq!(one.per_replication, two.per_replication);
    assert_eq!(one.merged.outcomes, two.merged.outcomes);
    // Replications are distinct draws, not copies of one another.
    assert_ne!(one.per_replication[0], one.per_replication[1]);
}

#[test]
fn changing_the_seed_changes_the_document() {
    let s = crate::support::shipped("single-region.toml");
    let doc = |seed: u64| {
        run_document(&run(
            &s,
            RunOptions {
                seed: Some(seed),
                replications: Some(2),
            },
        ))
    };
    let (a, b, a_again) = (doc(1), doc(2), doc(1));
    assert_eq!(a, a_again, "the same seed must give the same document");
    assert_ne!(a, b);
    assert_eq!(a["scenario"]["seed"], 1);
    assert_eq!(b["scenario"]["seed"], 2);
    // The simulated requests differ, not only the recorded seed.
    for key in ["outcomes", "latency", "summary_ci95", "engine"] {
        assert_ne!(a[key], b[key], "`{key}` does not depend on the seed");
    }
    // The scenario itself did not change.
    assert_eq!(a["scenario"]["content_hash"], b["scenario"]["content_hash"]);
}
