//! Every generated request is accounted for exactly once.

use meridian::run::{RunOptions, run};

use crate::support::{inline, shipped};

#[test]
fn every_request_is_accounted_for_once_in_shipped_scenarios() {
    for name in ["three-region-latency.toml", "single-region.toml"] {
        let s = shipped(name);
        let r = run(
            &s,
            RunOptions {
                replications: Some(2),
                ..Default::default()
            },
        );
        let o = r.merged.outcomes;
        assert!(
            o.generated > 1000,
            "{name}: too few requests to mean anything ({})",
            o.generated
        );
        assert!(o.is_balanced(), "{name}: {o:?}");
        // Per region and per continent the books balance too, and add up to the total.
        let mut by_region = meridian::metrics::Outcomes::default();
        for rm in &r.merged.regions {
            assert!(
                rm.outcomes.is_balanced(),
                "{name}: region {:?}",
                rm.outcomes
            );
            by_region += rm.outcomes;
        }
        assert_eq!(by_region, o, "{name}: regions must add up to the total");
        let mut by_continent = meridian::metrics::Outcomes::default();
        for cm in r.merged.continents.values() {
            by_continent += cm.outcomes;
        }
        assert_eq!(
            by_continent, o,
            "{name}: continents must add up to the total"
        );
    }
}

#[test]
fn overload_produces_rejections_and_timeouts_and_still_balances() {
    let s = inline(
        r#"
[simulation]
duration_s = 600
warmup_s = 60
seed = 3
[traffic]
total_rate_rps = 20
sites = [{ name = "london" }]
[[regions]]
code = "eu-west-2"
profile = "llama-2-7b@g5.2xlarge"
instances = 1
max_queue = 20
timeout_s = 5
[routing]
policy = "latency"
"#,
    );
    let r = run(&s, RunOptions::default());
    let o = r.merged.outcomes;
    assert!(o.rejected > 0, "{o:?}");
    assert!(o.timed_out > 0, "{o:?}");
    assert!(o.completed > 0, "{o:?}");
    assert!(o.is_balanced(), "{o:?}");
    // The single instance is saturated: its batch is full nearly all the time.
    assert!(r.merged.regions[0].utilisation.overall_mean() > 0.95);
}
