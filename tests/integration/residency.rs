//! Data residency: geo-routing keeps requests in their jurisdiction even through outages;
//! latency routing does not, and the violation counter shows it.

use meridian::run::{RunOptions, run};

use crate::support::{inline, shipped};

#[test]
fn geolocation_never_violates_residency_even_during_outages() {
    let s = shipped("eu-residency-geo.toml");
    let r = run(
        &s,
        RunOptions {
            replications: Some(2),
            ..Default::default()
        },
    );
    assert_eq!(r.merged.residency_violations, 0);
    // Both outages happened and cost requests: German users failed rather than leave.
    assert!(r.merged.outcomes.failed > 0);
    assert!(r.merged.outcomes.is_balanced());
    // During the eu-west-1 outage, other Europeans were served from eu-central-1.
    assert!(r.merged.regions[1].outcomes.completed > 0);
}

#[test]
fn latency_routing_breaks_residency_when_the_nearest_region_fails() {
    let src =
        std::fs::read_to_string(crate::support::scenario_path("eu-residency-geo.toml")).unwrap();
    let latency: String = src
        .lines()
        .filter(|l| !l.starts_with("geo = "))
        .map(|l| {
            if l.starts_with("policy = ") {
                "policy = \"latency\""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let r = run(
        &inline(&latency),
        RunOptions {
            replications: Some(2),
            ..Default::default()
        },
    );
    // German users go to Dublin while Frankfurt is down: violations, one per such request.
    assert!(
        r.merged.residency_violations > 100,
        "{}",
        r.merged.residency_violations
    );
}

#[test]
fn geolocation_uses_the_most_specific_location() {
    // Berlin → Germany's record (eu-central-1); Paris → Europe's (eu-west-3); Tokyo → "*".
    let src = r#"
[simulation]
duration_s = 600
seed = 3
[traffic]
total_rate_rps = 6
sites = [{ name = "berlin", share = 1 }, { name = "paris", share = 1 }, { name = "tokyo", share = 1 }]
[[regions]]
code = "eu-central-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 4
[[regions]]
code = "eu-west-3"
profile = "llama-2-7b@g5.2xlarge"
instances = 4
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 4
[routing]
policy = "geolocation"
geo = { "Germany" = "eu-central-1", "EU" = "eu-west-3", "*" = "us-east-1" }
"#;
    let r = run(&inline(src), RunOptions::default());
    let c = &r.merged.continents;
    let eu = c[&meridian::catalog::Continent::Europe].outcomes.generated;
    let asia = c[&meridian::catalog::Continent::Asia].outcomes.generated;
    let by_region: Vec<u64> = r
        .merged
        .regions
        .iter()
        .map(|m| m.outcomes.generated)
        .collect();
    // Tokyo's requests all went to us-east-1, Europe's split between the two EU regions.
    assert_eq!(by_region[2], asia);
    assert_eq!(by_region[0] + by_region[1], eu);
    assert!(by_region[0] > 0 && by_region[1] > 0);
}

#[test]
fn geoproximity_bias_moves_a_catchment_and_keeps_residency() {
    let biased = run(
        &shipped("geoproximity-bias.toml"),
        RunOptions {
            replications: Some(1),
            ..Default::default()
        },
    );
    let src =
        std::fs::read_to_string(crate::support::scenario_path("geoproximity-bias.toml")).unwrap();
    let plain: String = src
        .lines()
        .filter(|l| !l.starts_with("bias = "))
        .collect::<Vec<_>>()
        .join("\n");
    let unbiased = run(
        &inline(&plain),
        RunOptions {
            replications: Some(1),
            ..Default::default()
        },
    );
    // Madrid's users (and only they) move from Frankfurt to Dublin: same requests (common
    // random numbers), so eu-west-1 gains exactly what eu-central-1 loses.
    let gain = biased.merged.regions[0].outcomes.generated as i64
        - unbiased.merged.regions[0].outcomes.generated as i64;
    let loss = unbiased.merged.regions[1].outcomes.generated as i64
        - biased.merged.regions[1].outcomes.generated as i64;
    assert!(gain > 0 && gain == loss, "gain {gain}, loss {loss}");
    assert_eq!(biased.merged.residency_violations, 0);
    assert_eq!(
        biased.merged.regions[2].outcomes.generated,
        unbiased.merged.regions[2].outcomes.generated
    );
}
