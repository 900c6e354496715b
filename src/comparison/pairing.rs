//! Whether runs can be compared pair-wise, replication by replication.
//!
//! Every random stream is tied to `(seed, replication, purpose, index)`, and the arrival,
//! token and jitter streams are indexed by user site. So two runs see exactly the same
//! requests in replication i — the same arrival times from the same sites with the same
//! prompt and output sizes and the same network jitter — when they share the seed, the
//! sites (in the same order, with the same shares) and everything that turns random numbers
//! into requests: total rate, diurnal curve, burstiness, request mix and the simulated
//! window. Then the difference of replication i's figures measures the topology alone, and
//! the paired interval is much tighter than the spread of either run. Anything else is
//! compared as independent samples (Welch).

use crate::run::RunResult;
use crate::scenario::{Scenario, TokenDist, UserSite};

/// What every scenario must share with the reference for a paired comparison.
pub const PAIRED_WHEN: &str = "the reference's seed, replications, user sites (same order \
and shares), total rate, diurnal curve, burstiness, request mix, duration, warm-up and start \
hour";

/// The rule in one sentence, as written in the JSON document.
pub fn rule() -> String {
    format!(
        "paired (Student-t on per-replication differences) when every scenario has \
         {PAIRED_WHEN}; otherwise unpaired (Welch intervals)"
    )
}

/// The verdict on a set of runs, the first being the reference. Each run is judged against
/// the reference alone: one incomparable run does not unpair the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    /// Index-aligned with the runs: why each one does not see the reference's requests,
    /// one line per difference found; empty when it does (always for the reference).
    pub reasons: Vec<Vec<String>>,
}

impl Pairing {
    /// Run `i` sees the reference's requests, replication by replication.
    pub fn is_paired(&self, i: usize) -> bool {
        self.reasons.get(i).is_none_or(Vec::is_empty)
    }

    /// Every run is paired with the reference.
    pub fn all_paired(&self) -> bool {
        self.reasons.iter().all(Vec::is_empty)
    }
}

/// Checks every run against the first.
pub fn check(runs: &[&RunResult]) -> Pairing {
    let reasons = match runs.split_first() {
        None => Vec::new(),
        Some((reference, _)) => runs.iter().map(|r| differences(reference, r)).collect(),
    };
    Pairing { reasons }
}

/// What keeps `b` from seeing `a`'s requests (empty when nothing does).
fn differences(a: &RunResult, b: &RunResult) -> Vec<String> {
    let mut out = Vec::new();
    let differ = |out: &mut Vec<String>, what: &str, va: String, vb: String| {
        if va != vb {
            out.push(format!("{what} {vb}, reference {va}"));
        }
    };
    differ(&mut out, "seed", a.seed.to_string(), b.seed.to_string());
    differ(
        &mut out,
        "replications",
        a.replications.to_string(),
        b.replications.to_string(),
    );
    let (sa, sb) = (&a.scenario, &b.scenario);
    let (ta, tb) = (&sa.simulation, &sb.simulation);
    differ(
        &mut out,
        "duration",
        secs(ta.duration.as_secs_f64()),
        secs(tb.duration.as_secs_f64()),
    );
    differ(
        &mut out,
        "warm-up",
        secs(ta.warmup.as_secs_f64()),
        secs(tb.warmup.as_secs_f64()),
    );
    differ(
        &mut out,
        "start hour (UTC)",
        ta.start_utc_hour.to_string(),
        tb.start_utc_hour.to_string(),
    );
    differ(
        &mut out,
        "total rate",
        format!("{} req/s", sa.traffic.total_rate_rps),
        format!("{} req/s", sb.traffic.total_rate_rps),
    );
    if sa.traffic.diurnal != sb.traffic.diurnal {
        out.push("diurnal curve differs from the reference's".into());
    }
    differ(&mut out, "burstiness", burstiness(sa), burstiness(sb));
    if sa.requests.prompt_tokens != sb.requests.prompt_tokens {
        out.push(format!(
            "prompt tokens {}, reference {}",
            tokens(&sb.requests.prompt_tokens),
            tokens(&sa.requests.prompt_tokens)
        ));
    }
    if sa.requests.output_tokens != sb.requests.output_tokens {
        out.push(format!(
            "output tokens {}, reference {}",
            tokens(&sb.requests.output_tokens),
            tokens(&sa.requests.output_tokens)
        ));
    }
    if let Some(why) = sites(&sa.traffic.sites, &sb.traffic.sites) {
        out.push(why);
    }
    out
}

fn secs(s: f64) -> String {
    format!("{s} s")
}

/// A token distribution as a scenario would describe it (only for messages: the check
/// compares the exact parameters).
fn tokens(d: &TokenDist) -> String {
    match *d {
        TokenDist::Lognormal { mu, sigma, max } => format!(
            "lognormal (median {:.0}, p90 {:.0}, max {max})",
            mu.exp(),
            (mu + 1.281_551_565_5 * sigma).exp()
        ),
        TokenDist::Exponential { mean, max } => format!("exponential (mean {mean}, max {max})"),
        TokenDist::Constant { value } => format!("constant {value}"),
    }
}

fn burstiness(s: &Scenario) -> String {
    match s.traffic.burstiness {
        None => "none".into(),
        Some(b) => format!("window {} s, rate CV {}", b.window.as_secs_f64(), b.rate_cv),
    }
}

/// The first difference in the user sites: count, order, place or share.
fn sites(a: &[UserSite], b: &[UserSite]) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("{} user sites, reference {}", b.len(), a.len()));
    }
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x.site != y.site {
            return Some(if x.site.name == y.site.name {
                format!(
                    "user site {} is placed differently from the reference's",
                    y.site.name
                )
            } else {
                format!(
                    "user site {} is {}, reference {} (the order matters: random streams are per site)",
                    i + 1,
                    y.site.name,
                    x.site.name
                )
            });
        }
        // Shares are normalised weights: allow for rounding in the normalisation.
        if (x.share - y.share).abs() > 1e-9 * x.share.abs().max(y.share.abs()) {
            return Some(format!(
                "share of {} {:.6}, reference {:.6}",
                y.site.name, y.share, x.share
            ));
        }
    }
    None
}
