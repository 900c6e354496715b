//! Scenarios that validate and are small enough to simulate quickly are run end to end:
//! the simulation must not panic and every request must be accounted for exactly once.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use meridian::catalog::Catalog;
use meridian::run::{RunOptions, run};
use meridian::scenario::Scenario;

/// Skip inputs that would generate more requests than this (all replications together).
const MAX_REQUESTS: f64 = 20_000.0;
/// Skip inputs whose simulated span is long: a quiet week is few requests but many buckets.
const MAX_SPAN_S: f64 = 86_400.0;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().expect("embedded catalog loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(scenario) = Scenario::from_toml(src, "fuzz.toml", catalog()) else {
        return;
    };
    let sim = &scenario.simulation;
    let reps = f64::from(sim.replications);
    if scenario.expected_requests_per_replication() * reps > MAX_REQUESTS
        || (sim.duration + sim.warmup).as_secs_f64() > MAX_SPAN_S
        || reps > 4.0
    {
        return;
    }
    let r = run(&scenario, RunOptions::default());
    let o = r.merged.outcomes;
    assert!(o.is_balanced(), "{o:?}");
    let mut by_region = meridian::metrics::Outcomes::default();
    for rm in &r.merged.regions {
        assert!(rm.outcomes.is_balanced(), "{:?}", rm.outcomes);
        by_region += rm.outcomes;
    }
    assert_eq!(by_region, o);
    let _ = meridian::report::run_document(&r);
});
