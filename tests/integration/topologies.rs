//! Routing around failures: health checks, DNS caching, failover, faults and retries, each
//! checked against its documented semantics with stated tolerances.

use meridian::run::{RunOptions, run};

use crate::support::inline;

/// Two regions near New York, one site, a steady rate: the building block of these tests.
fn two_regions(routing: &str, extra: &str, rate: f64, replications: u32) -> String {
    format!(
        r#"
[simulation]
duration_s = 1200
warmup_s = 120
seed = 17
replications = {replications}
[traffic]
total_rate_rps = {rate}
sites = [{{ name = "new-york" }}]
[requests]
prompt_tokens = {{ dist = "constant", value = 200 }}
output_tokens = {{ dist = "constant", value = 20 }}
[network]
jitter_ms = 0
[[regions]]
code = "us-east-1"
profile = "llama-2-13b@p4d.24xlarge"
instances = 2
[[regions]]
code = "us-east-2"
profile = "llama-2-13b@p4d.24xlarge"
instances = 2
[routing]
{routing}
{extra}
"#
    )
}

const HEALTH: &str = "[health_check]\ninterval_s = 10\nfailure_threshold = 3\n";
const OUTAGE_PRIMARY: &str =
    "[[faults]]\nkind = \"outage\"\nregion = \"us-east-1\"\nstart_s = 300\nduration_s = 600\n";

#[test]
fn failover_timing_and_loss_follow_interval_threshold_and_ttl() {
    // I = 10 s, T = 3, L = 60 s, no stale resolvers, no retries. A checker's T-th
    // consecutive failed probe comes (T−1)·I to T·I after the fault (probes are spread over
    // the interval), so detection D lies in ((T−1)·I, T·I]. Each resolver then switches
    // when its cached answer expires, so traffic leaves by D + L. Lost requests: all of
    // them until D, then those of resolvers still holding the old answer. A resolver
    // queried at rate λ/R renews its entry one query after expiry, so at D it holds an
    // entry with probability L / (L + R/λ), with uniformly distributed remaining life
    // (mean L/2): expected loss λ·(D + L/2 · L/(L + R/λ)) per replication.
    let (i, t, l) = (10.0, 3.0, 60.0);
    let rate = 20.0;
    let src = two_regions(
        "policy = \"failover\"\nprimary = \"us-east-1\"\nsecondary = \"us-east-2\"",
        &format!("{HEALTH}[dns]\nttl_s = 60\nresolvers_per_site = 400\n{OUTAGE_PRIMARY}"),
        rate,
        8,
    );
    let r = run(&inline(&src), RunOptions::default());
    let f = &r.faults[0];
    assert_eq!(f.detected_after_s.n, 8, "detected in every replication");
    let d = f.detected_after_s.mean;
    assert!(
        d > (t - 1.0) * i && d <= t * i,
        "detection {d} s outside ((T−1)·I, T·I]"
    );
    let left = f.traffic_left_after_s.mean + f.traffic_left_after_s.ci95;
    assert!(
        left <= t * i + l + 1.0,
        "traffic left after {left} s > T·I + L"
    );
    assert!(
        f.traffic_left_after_s.mean >= d,
        "traffic cannot leave before detection"
    );
    // Spread: Poisson-like plus which resolver expires when; compare with the
    // replications' own 95 % CI (or 3 Poisson sd of the mean), plus 5 % for the model.
    let resolvers = 400.0;
    let expected = rate * (d + l / 2.0 * l / (l + resolvers / rate));
    let lost = r.merged.outcomes.failed as f64 / 8.0;
    let tol = f
        .lost_requests
        .ci95
        .max(3.0 * expected.sqrt() / 8f64.sqrt())
        + 0.05 * expected;
    assert!(
        (lost - expected).abs() <= tol,
        "lost {lost} per replication, expected {expected} ± {tol}"
    );
    // Everything else was served: by the primary before and after, the secondary between.
    let o = r.merged.outcomes;
    assert!(o.is_balanced(), "{o:?}");
    assert_eq!(o.rejected + o.timed_out + o.throttled, 0, "{o:?}");
    assert!(r.merged.regions[1].outcomes.completed > 0);
}

#[test]
fn without_health_checks_dns_never_moves_and_the_outage_is_lost_whole() {
    // Latency routing with no health checks: Route 53 keeps answering us-east-1.
    let src = two_regions("policy = \"latency\"", OUTAGE_PRIMARY, 10.0, 2);
    let r = run(&inline(&src), RunOptions::default());
    let f = &r.faults[0];
    assert_eq!(f.detected_after_s.n, 0);
    let lost = r.merged.outcomes.failed as f64 / 2.0;
    // 10 requests/s × 600 s = 6000 per replication (Poisson sd 77): allow 4 sd.
    assert!((lost - 6000.0).abs() < 4.0 * 77.5, "{lost}");
    assert_eq!(
        r.merged.regions[1].outcomes.generated, 0,
        "nothing ever went to us-east-2"
    );
}

#[test]
fn latency_routing_moves_to_the_next_nearest_healthy_region_and_back() {
    let src = two_regions(
        "policy = \"latency\"",
        &format!("{HEALTH}{OUTAGE_PRIMARY}"),
        10.0,
        1,
    );
    let r = run(&inline(&src), RunOptions::default());
    let second = r.merged.regions[1].outcomes.completed as f64;
    // New York is nearer us-east-1 (Ashburn) than us-east-2 (Columbus): only while us-east-1
    // is marked unhealthy (about 600 s of the 1200) does us-east-2 serve.
    let share = second / r.merged.outcomes.completed as f64;
    assert!((0.4..0.55).contains(&share), "us-east-2 served {share}");
    // Without DNS caching traffic leaves as soon as the checks notice.
    let f = &r.faults[0];
    assert!(
        f.traffic_left_after_s.mean <= f.detected_after_s.mean + 1.0,
        "{f:?}"
    );
}

#[test]
fn stale_resolvers_keep_sending_users_to_the_dead_region() {
    let dns =
        "[dns]\nttl_s = 60\nstale_share = 0.2\nstale_ttl_factor = 5\nresolvers_per_site = 20\n";
    let fresh = "[dns]\nttl_s = 60\nstale_share = 0\nresolvers_per_site = 20\n";
    let failover = "policy = \"failover\"\nprimary = \"us-east-1\"\nsecondary = \"us-east-2\"";
    let with = run(
        &inline(&two_regions(
            failover,
            &format!("{HEALTH}{dns}{OUTAGE_PRIMARY}"),
            10.0,
            2,
        )),
        RunOptions::default(),
    );
    let without = run(
        &inline(&two_regions(
            failover,
            &format!("{HEALTH}{fresh}{OUTAGE_PRIMARY}"),
            10.0,
            2,
        )),
        RunOptions::default(),
    );
    // 4 of 20 resolvers hold the dead answer for 300 s instead of 60 s: the last of them
    // lets go about 4/5 × 300 = 240 s after detection on average (max of 4 uniforms); any
    // figure well beyond detection + TTL (≈ 90 s) shows it.
    assert!(
        with.faults[0].traffic_left_after_s.mean > 120.0,
        "{:?}",
        with.faults[0]
    );
    assert!(
        without.faults[0].traffic_left_after_s.mean < 100.0,
        "{:?}",
        without.faults[0]
    );
    // Expected loss per replication: λ·(D + ⅘·30 + ⅕·150) ≈ 10 × 81 with stale resolvers,
    // λ·(D + 30) ≈ 10 × 57 without (renewal factors ≈ 1 at 0.5 queries/s per resolver).
    let (w, wo) = (
        with.merged.outcomes.failed as f64,
        without.merged.outcomes.failed as f64,
    );
    assert!(w > 1.2 * wo, "with stale resolvers {w}, without {wo}");
}

#[test]
fn retries_recover_most_requests_lost_to_errors() {
    // A 50 % error rate for the whole window: without retries half fail; with 3 attempts
    // (all to the same region: one region only) about 0.5³ = 12.5 % do.
    let degraded = "[[faults]]\nkind = \"degradation\"\nregion = \"us-east-1\"\nstart_s = 0\nduration_s = 1200\nerror_rate = 0.5\n";
    let base = two_regions(
        "policy = \"weighted\"\nweights = { \"us-east-1\" = 1, \"us-east-2\" = 0 }",
        degraded,
        10.0,
        2,
    );
    let retry = "[retry]\nmax_attempts = 3\nbackoff_base_ms = 100\nbackoff_cap_ms = 1000\ndeadline_s = 60\n";
    let without = run(&inline(&base), RunOptions::default()).merged.outcomes;
    let with = run(&inline(&format!("{base}{retry}")), RunOptions::default())
        .merged
        .outcomes;
    let share = |o: meridian::metrics::Outcomes| o.failed as f64 / o.finished() as f64;
    // ~24000 requests: binomial sd of a share ≤ 0.0033; allow 0.015.
    assert!((share(without) - 0.5).abs() < 0.015, "{without:?}");
    assert!((share(with) - 0.125).abs() < 0.015, "{with:?}");
}

#[test]
fn degradation_adds_its_latency_to_every_response() {
    let slow = "[[faults]]\nkind = \"degradation\"\nregion = \"us-east-1\"\nstart_s = 0\nduration_s = 1200\nadded_latency_ms = 500\n";
    let routing = "policy = \"weighted\"\nweights = { \"us-east-1\" = 1, \"us-east-2\" = 0 }";
    let base = run(
        &inline(&two_regions(routing, "", 2.0, 1)),
        RunOptions::default(),
    );
    let degraded = run(
        &inline(&two_regions(routing, slow, 2.0, 1)),
        RunOptions::default(),
    );
    // Same requests (common random numbers), each 500 ms later: the means differ by 500 ms
    // (each latency is rounded up to whole microseconds, hence the 1 ms slack).
    let diff = degraded.merged.latency.ttft.mean_ms() - base.merged.latency.ttft.mean_ms();
    assert!((diff - 500.0).abs() < 1.0, "{diff}");
}

#[test]
fn a_partition_is_invisible_to_health_checks_elsewhere() {
    // Users in North America lose us-east-1; checkers on other continents still reach it,
    // so it stays healthy and latency routing keeps sending New York there.
    let cut = "[[faults]]\nkind = \"partition\"\ncontinent = \"NA\"\nregion = \"us-east-1\"\nstart_s = 300\nduration_s = 300\n";
    let r = run(
        &inline(&two_regions(
            "policy = \"latency\"",
            &format!("{HEALTH}{cut}"),
            10.0,
            1,
        )),
        RunOptions::default(),
    );
    assert_eq!(r.faults[0].detected_after_s.n, 0, "{:?}", r.faults[0]);
    let lost = r.merged.outcomes.failed as f64;
    assert!((lost - 3000.0).abs() < 4.0 * 55.0, "{lost}");
}

#[test]
fn a_quota_cut_throttles_down_to_the_remaining_quota() {
    let src = format!(
        "{}\n[[faults]]\nkind = \"quota_cut\"\nregion = \"us-east-1\"\nstart_s = 0\nduration_s = 1200\nfactor = 0.25\n",
        two_regions("policy = \"weighted\"\nweights = { \"us-east-1\" = 1, \"us-east-2\" = 0 }", "", 8.0, 1)
    )
    .replace("instances = 2\n[[regions]]\ncode = \"us-east-2\"", "instances = 2\nthrottle = { rate_rps = 8, burst = 8 }\n[[regions]]\ncode = \"us-east-2\"");
    let o = run(&inline(&src), RunOptions::default()).merged.outcomes;
    // 8 requests/s offered against 2/s left: about 75 % throttled.
    let share = o.throttled as f64 / o.generated as f64;
    assert!((share - 0.75).abs() < 0.02, "{o:?}");
}

#[test]
fn weighted_shares_follow_the_weight_schedule_within_a_binomial_interval() {
    // 20 : 80 for the first 600 s, 70 : 30 for the last 600 s, flat demand, no DNS caching:
    // us-east-1's expected share is (0.2 + 0.7) / 2 = 0.45 of all requests.
    let routing = "policy = \"weighted\"\nweights = { \"us-east-1\" = 20, \"us-east-2\" = 80 }\n[[routing.weight_schedule]]\nat_s = 600\nweights = { \"us-east-1\" = 70, \"us-east-2\" = 30 }";
    let r = run(
        &inline(&two_regions(routing, "", 10.0, 2)),
        RunOptions::default(),
    );
    let n = r.merged.outcomes.generated as f64;
    let share = r.merged.regions[0].outcomes.generated as f64 / n;
    // Binomial sd √(p(1−p)/n) with n ≈ 24000: 0.0032; the phase lengths add Poisson noise of
    // the same order. Allow 4 × the binomial sd × √2.
    let sd = (0.45 * 0.55 / n).sqrt();
    assert!(
        (share - 0.45).abs() < 4.0 * sd * 2f64.sqrt(),
        "share {share}, sd {sd}"
    );
}

#[test]
fn anycast_fails_over_faster_than_dns_on_the_same_fault() {
    // Same health checks, same outage. Anycast has no DNS answers to expire: traffic moves
    // the moment the checks see the outage. Latency records with a 60 s TTL move only as
    // resolvers' answers expire.
    let dns = "[dns]\nttl_s = 60\nresolvers_per_site = 40\n";
    let anycast = run(
        &inline(&two_regions(
            "policy = \"anycast\"",
            &format!("{HEALTH}{OUTAGE_PRIMARY}"),
            10.0,
            4,
        )),
        RunOptions::default(),
    );
    let dns_based = run(
        &inline(&two_regions(
            "policy = \"latency\"",
            &format!("{HEALTH}{dns}{OUTAGE_PRIMARY}"),
            10.0,
            4,
        )),
        RunOptions::default(),
    );
    let (a, d) = (&anycast.faults[0], &dns_based.faults[0]);
    assert!(
        (a.detected_after_s.mean - d.detected_after_s.mean).abs() < 1e-9,
        "same checks, same detection"
    );
    assert!(
        a.traffic_left_after_s.mean <= a.detected_after_s.mean + 1.0,
        "{a:?}"
    );
    assert!(
        d.traffic_left_after_s.mean > a.traffic_left_after_s.mean + 20.0,
        "{d:?}"
    );
    assert!(anycast.merged.outcomes.failed < dns_based.merged.outcomes.failed);
    // Recovery: about the detection time for anycast, detection + up to a TTL for DNS.
    assert!(a.recovery_s.mean < d.recovery_s.mean, "{a:?} vs {d:?}");
}

#[test]
fn anycast_traffic_dials_shift_the_share() {
    // Dial us-east-1 down to 30 %: 70 % of New York's traffic moves on to us-east-2.
    let r = run(
        &inline(&two_regions(
            "policy = \"anycast\"\ntraffic_dials = { \"us-east-1\" = 30 }",
            "",
            10.0,
            2,
        )),
        RunOptions::default(),
    );
    let share = r.merged.regions[0].outcomes.generated as f64 / r.merged.outcomes.generated as f64;
    let sd = (0.3 * 0.7 / r.merged.outcomes.generated as f64).sqrt();
    assert!((share - 0.3).abs() < 4.0 * sd, "{share}");
}

#[test]
fn the_standby_scales_up_after_failover_only_once_instances_have_launched() {
    let r = run(
        &crate::support::shipped("active-passive-failover.toml"),
        RunOptions {
            replications: Some(2),
            ..Default::default()
        },
    );
    let standby = &r.merged.regions[1];
    let series = standby.instances.means();
    let step_s = 300.0;
    // Before the outage (1200 s) and until detection (~30 s) + the next 60 s check + the
    // 300 s launch, the standby runs its 2 instances: buckets 0–4 (0–1500 s) stay at 2.
    for (b, n) in series.iter().enumerate().take(5) {
        assert!(
            (n - 2.0).abs() < 1e-9,
            "bucket {b} ({} s): {n} instances",
            b as f64 * step_s
        );
    }
    // Then it scales out (up to 14), and back in to 2 after the primary returns (3000 s).
    assert!(
        series[5] > 4.0 && series.iter().cloned().fold(0.0, f64::max) <= 14.0,
        "{series:?}"
    );
    assert!((series.last().unwrap() - 2.0).abs() < 1e-9, "{series:?}");
    // Recovery takes at least the launch time, and at most detection (≤ 30 s) + a check
    // period (60 s) + the launch (300 s) + the TTL (60 s) + the 60 s judging window.
    let f = &r.faults[0];
    assert!(
        f.recovery_s.mean >= 300.0 && f.recovery_s.mean <= 510.0,
        "{f:?}"
    );
    // Instance-hours follow the instance count over time, not the starting count.
    let hours = standby.instance_hours / 2.0;
    assert!(
        (hours - standby.instances.overall_mean() * 1.5).abs() < 1e-6,
        "{hours}"
    );
    assert!(hours > 2.0 * 1.5, "{hours}");
}

#[test]
fn scheduled_actions_set_the_floor_before_the_peak() {
    let r = run(
        &crate::support::shipped("scheduled-scaling.toml"),
        RunOptions {
            replications: Some(1),
            ..Default::default()
        },
    );
    let n = r.merged.regions[0].instances.means();
    // 30-minute buckets from 00:00 UTC. The morning floor of 8 fires at 13:00 (bucket 26);
    // the instances are ready 5 minutes later, so bucket 26 averages 2 + (8 − 2) × 25/30 or
    // more, and every later bucket sits at the floor or above.
    assert!(n[25] < 8.0, "{n:?}");
    assert!(n[26] >= 7.0 && n[26] < 8.0, "{n:?}");
    assert!(n[27..].iter().all(|x| *x >= 8.0 - 1e-9), "{n:?}");
    // The night action (03:00, bucket 6) caps the range at 6.
    assert!(n[7..26].iter().all(|x| *x <= 6.0 + 1e-9), "{n:?}");
}
