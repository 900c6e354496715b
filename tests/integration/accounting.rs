//! Every generated request is accounted for exactly once.

use meridian::run::{RunOptions, run};

use crate::support::{inline, shipped};

#[test]
fn every_request_is_accounted_for_once_in_shipped_scenarios() {
    let names = crate::support::shipped_names();
    assert!(names.len() >= 4, "{names:?}");
    for name in &names {
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

#[test]
fn throttle_passes_its_rate_and_refuses_the_rest() {
    // 10 requests/s offered against a 2 requests/s quota (burst 5): over 2000 s about
    // 4000 pass (+ the burst) and the rest get HTTP 429.
    let s = inline(
        r#"
[simulation]
duration_s = 2000
warmup_s = 100
seed = 11
[traffic]
total_rate_rps = 10
sites = [{ name = "paris" }]
[[regions]]
code = "eu-west-3"
profile = "llama-2-13b@p4d.24xlarge"
instances = 4
throttle = { rate_rps = 2, burst = 5 }
[routing]
policy = "latency"
"#,
    );
    let r = run(&s, RunOptions::default());
    let o = r.merged.outcomes;
    assert!(o.is_balanced(), "{o:?}");
    let passed = (o.generated - o.throttled) as f64;
    // Arrivals are Poisson, so a few tokens go unused when gaps are long: passed is at most
    // rate × duration + burst and close to it when offered load is 5× the quota.
    assert!(passed <= 4000.0 + 5.0 + 2.0, "{o:?}");
    assert!(passed >= 0.97 * 4000.0, "{o:?}");
    assert_eq!(o.rejected, 0);
}
