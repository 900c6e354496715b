//! Managed model APIs: quotas as token buckets, and cross-region inference that spills to
//! sibling regions of the profile's geography when the source region would throttle.

use meridian::run::{RunOptions, run};

use crate::support::{inline, scenario_path, shipped};

fn without_profile() -> String {
    std::fs::read_to_string(scenario_path("bedrock-cross-region.toml"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("inference_profile"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_inference_profile_absorbs_load_above_the_source_quota() {
    let opts = RunOptions {
        replications: Some(2),
        ..Default::default()
    };
    let with = run(&shipped("bedrock-cross-region.toml"), opts);
    let without = run(&inline(&without_profile()), opts);
    let share = |o: meridian::metrics::Outcomes| o.throttled as f64 / o.generated as f64;
    assert!(
        share(without.merged.outcomes) > 0.2,
        "{:?}",
        without.merged.outcomes
    );
    assert!(
        share(with.merged.outcomes) < 0.005,
        "{:?}",
        with.merged.outcomes
    );
    // Same arrivals (common random numbers): what was throttled without the profile was
    // served by the two siblings, in proportion to their (equal) quotas.
    let r = &with.merged.regions;
    assert!(r[1].served_for_other_regions > 0 && r[2].served_for_other_regions > 0);
    let (a, b) = (
        r[1].outcomes.completed as f64,
        r[2].outcomes.completed as f64,
    );
    assert!((a - b).abs() / (a + b) < 0.05, "siblings {a} vs {b}");
    assert_eq!(
        r[0].served_for_other_regions, 0,
        "us-east-1 is the only source"
    );
    // us-east-1 itself never serves more than its quota: 600 requests/min (+ one minute's
    // burst) over the 32 simulated minutes per replication.
    let source_rate = r[0].outcomes.completed as f64 / 2.0 / 1800.0;
    assert!(source_rate <= 10.0 + 600.0 / 1800.0, "{source_rate}");
    // Billed at the source region's price, nothing extra: all token cost sits in us-east-1,
    // $3 / $15 per million input / output tokens.
    let tokens_in: u64 = r.iter().map(|m| m.prompt_tokens).sum();
    let tokens_out: u64 = r.iter().map(|m| m.output_tokens).sum();
    let expected = (tokens_in as f64 * 3.0 + tokens_out as f64 * 15.0) / 1e6;
    let billed: f64 = r.iter().map(|m| m.token_cost_usd).sum();
    // Billing happens at admission, tokens at completion: requests in flight at the end
    // differ by a few hundredths of a percent.
    assert!(
        (billed - expected).abs() / expected < 0.01,
        "{billed} vs {expected}"
    );
    assert_eq!(r[1].token_cost_usd + r[2].token_cost_usd, 0.0);
}

#[test]
fn spilled_requests_pay_the_inter_region_round_trip() {
    let with = run(
        &shipped("bedrock-cross-region.toml"),
        RunOptions {
            replications: Some(1),
            ..Default::default()
        },
    );
    let r = &with.merged.regions;
    // us-east-1 → us-west-2 is about 64 ms (measured p50); → us-east-2 about 15 ms.
    let extra = r[2].latency.ttft.percentile_ms(50.0) - r[0].latency.ttft.percentile_ms(50.0);
    assert!((40.0..90.0).contains(&extra), "{extra}");
}

#[test]
fn rpm_quota_throttles_at_its_rate() {
    // 5 requests/s against 120 requests/min (2/s): ~60 % throttled, no profile.
    let src = r#"
[simulation]
duration_s = 1200
warmup_s = 60
seed = 2
[traffic]
total_rate_rps = 5
sites = [{ name = "new-york" }]
[requests]
prompt_tokens = { dist = "constant", value = 100 }
output_tokens = { dist = "constant", value = 10 }
[[regions]]
code = "us-east-1"
managed = "claude-3-5-haiku"
ttft_ms = 300
output_tokens_per_s = 80
rpm_quota = 120
[routing]
policy = "latency"
"#;
    let o = run(&inline(src), RunOptions::default()).merged.outcomes;
    let share = o.throttled as f64 / o.generated as f64;
    assert!((share - 0.6).abs() < 0.02, "{o:?}");
}
