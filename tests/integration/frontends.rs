//! Serverless front ends calling a model in another region (the first seed's pattern).

use meridian::catalog::Continent;
use meridian::run::{RunOptions, run};

use crate::support::{inline, shipped};

#[test]
fn every_request_crosses_to_the_central_model() {
    let r = run(
        &shipped("central-model-frontends.toml"),
        RunOptions {
            replications: Some(2),
            ..Default::default()
        },
    );
    let m = &r.merged;
    // All served in us-east-1, whatever front end they entered.
    assert_eq!(m.regions[0].outcomes.completed, m.outcomes.completed);
    let eu = &m.continents[&Continent::Europe];
    let na = &m.continents[&Continent::NorthAmerica];
    // Europeans enter in eu-west-1 (anycast: nearest front end) and are forwarded.
    assert!(
        m.regions[1].forwarded >= eu.outcomes.generated,
        "{} vs {}",
        m.regions[1].forwarded,
        eu.outcomes.generated
    );
    // Their first token pays the Dublin–Virginia round trip (measured p50 ≈ 70 ms) on top
    // of a similar distance to their own front end; allow for the site mix.
    let extra = eu.latency.ttft.percentile_ms(50.0) - na.latency.ttft.percentile_ms(50.0);
    assert!((40.0..130.0).contains(&extra), "{extra}");
    // Request fees: $1.20 per million forwarded requests.
    let forwarded: u64 = m.regions.iter().map(|x| x.forwarded).sum();
    let fees: f64 = m.regions.iter().map(|x| x.request_fees_usd).sum();
    assert!((fees - forwarded as f64 * 1.2e-6).abs() < 1e-9, "{fees}");
    assert!(m.regions.iter().map(|x| x.cold_starts).sum::<u64>() > 0);
}

fn frontend_scenario(frontend: &str) -> String {
    format!(
        r#"
[simulation]
duration_s = 600
warmup_s = 30
seed = 8
[traffic]
total_rate_rps = 20
sites = [{{ name = "london" }}]
[requests]
prompt_tokens = {{ dist = "constant", value = 100 }}
output_tokens = {{ dist = "constant", value = 100 }}
[[regions]]
code = "us-east-1"
managed = "claude-3-5-haiku"
ttft_ms = 500
output_tokens_per_s = 50
rpm_quota = 100000
tpm_quota = 100000000
[[regions]]
code = "eu-west-1"
frontend = {frontend}
[routing]
policy = "weighted"
weights = {{ "us-east-1" = 0, "eu-west-1" = 1 }}
"#
    )
}

#[test]
fn the_concurrency_limit_refuses_the_excess() {
    // 20 requests/s each holding an environment for about 2.5 s: ~50 in flight; with 25
    // allowed, about half are refused (HTTP 429).
    let src = frontend_scenario(
        "{ backend = \"us-east-1\", concurrency = 25, cold_start_ms = 0, usd_per_million_requests = 0 }",
    );
    let o = run(&inline(&src), RunOptions::default()).merged.outcomes;
    let share = o.throttled as f64 / o.generated as f64;
    assert!((0.35..0.65).contains(&share), "{o:?}");
    assert!(o.is_balanced());
}

#[test]
fn environments_idle_too_long_start_cold() {
    // Idle timeout 1 ms: practically every request starts cold and waits 300 ms more.
    let warm = run(
        &inline(&frontend_scenario(
            "{ backend = \"us-east-1\", cold_start_ms = 300, usd_per_million_requests = 0 }",
        )),
        RunOptions::default(),
    );
    let cold = run(
        &inline(&frontend_scenario(
            "{ backend = \"us-east-1\", cold_start_ms = 300, idle_timeout_s = 0.001, usd_per_million_requests = 0 }",
        )),
        RunOptions::default(),
    );
    let n = cold.merged.outcomes.generated as f64;
    assert!(cold.merged.regions[1].cold_starts as f64 > 0.95 * n);
    assert!((warm.merged.regions[1].cold_starts as f64) < 0.01 * n);
    let diff = cold.merged.latency.ttft.mean_ms() - warm.merged.latency.ttft.mean_ms();
    assert!((diff - 300.0).abs() < 10.0, "{diff}");
}
