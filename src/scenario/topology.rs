//! Scenario settings around routing: faults on a timeline, health checks, DNS caching and
//! client retries — their typed values and their validation.

use super::error::{FieldPath, ScenarioError};
use super::geo::region_index;
use super::raw::{RawDns, RawFault, RawHealthCheck, RawRetry};
use super::validate::Checker;
use super::{Deployment, Simulation};
use crate::catalog::{Catalog, Continent};
use crate::engine::SimTime;

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultKind {
    /// The region stops answering: requests there fail, those in flight are lost.
    Outage,
    /// The region answers slower and some requests fail with 5xx.
    Degradation {
        added_latency_ms: f64,
        error_rate: f64,
    },
    /// Users (and health checkers) on `continent` cannot reach the region.
    Partition { continent: Continent },
    /// The region's request quota drops to `factor` × its rate.
    QuotaCut { factor: f64 },
}

/// A fault on one region, active in `[start, end)` (simulated time, warm-up included).
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    /// Index into the scenario's deployments.
    pub region: usize,
    pub start: SimTime,
    pub end: SimTime,
    /// Human label, e.g. `outage of us-east-1`.
    pub label: String,
}

/// Route 53 health-checker regions (botocore `HealthCheckRegion`).
pub const ROUTE53_CHECKER_REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];

/// Health checks on every deployment (Route 53 / Global Accelerator semantics).
#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheckConfig {
    /// Time between two probes of one checker (10 or 30 s).
    pub interval: SimTime,
    /// Consecutive failures (or successes) before a checker changes its verdict (1–10).
    pub failure_threshold: u32,
    /// Continent of each checker (one checker per checker region).
    pub checker_continents: Vec<Continent>,
    /// The endpoint is healthy while more than this fraction of checkers say so (0.18).
    pub healthy_quorum: f64,
}

/// How clients cache DNS answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DnsConfig {
    /// Record TTL.
    pub ttl: SimTime,
    /// Share of resolvers that keep answers `stale_ttl_factor` times longer than the TTL.
    pub stale_share: f64,
    pub stale_ttl_factor: f64,
    /// Independent resolver caches per user site.
    pub resolvers_per_site: u32,
}

/// Client retries with capped exponential backoff and full jitter (botocore "standard").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff before retry k (k ≥ 1) is uniform in [0, min(cap, base × 2^(k−1))].
    pub backoff_base_ms: f64,
    pub backoff_cap_ms: f64,
    /// No retry starts later than this after the first attempt.
    pub deadline: SimTime,
}

impl RetryPolicy {
    /// A policy that never retries.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        backoff_base_ms: 0.0,
        backoff_cap_ms: 0.0,
        deadline: SimTime::ZERO,
    };
}

pub(super) fn check_faults(
    c: &Checker,
    raw: &[RawFault],
    deployments: &[Deployment],
    sim: &Simulation,
) -> Result<Vec<Fault>, ScenarioError> {
    let window_s = sim.duration.as_secs_f64();
    let mut out = Vec::with_capacity(raw.len());
    for (i, f) in raw.iter().enumerate() {
        let p = FieldPath::default().key("faults").index(i);
        let (region, start_s, duration_s) = match f {
            RawFault::Outage {
                region,
                start_s,
                duration_s,
            }
            | RawFault::Degradation {
                region,
                start_s,
                duration_s,
                ..
            }
            | RawFault::Partition {
                region,
                start_s,
                duration_s,
                ..
            }
            | RawFault::QuotaCut {
                region,
                start_s,
                duration_s,
                ..
            } => (region, *start_s, *duration_s),
        };
        let index = region_index(c, &p.clone().key("region"), region, deployments)?;
        if !start_s.is_finite() || start_s < 0.0 || start_s >= window_s {
            return Err(c.err(
                &p.clone().key("start_s"),
                format!("the fault starts at {start_s} s, outside the measured window (0 to {window_s} s)"),
                "start_s counts from the end of warm-up; use a time within duration_s",
            ));
        }
        let duration_s = c.positive(
            &p.clone().key("duration_s"),
            duration_s,
            31.0 * 86_400.0,
            "s",
        )?;
        let kind = match f {
            RawFault::Outage { .. } => FaultKind::Outage,
            RawFault::Degradation {
                added_latency_ms,
                error_rate,
                ..
            } => {
                let added_latency_ms = c.range(
                    &p.clone().key("added_latency_ms"),
                    *added_latency_ms,
                    0.0,
                    600_000.0,
                    "ms",
                )?;
                let error_rate = c.range(
                    &p.clone().key("error_rate"),
                    *error_rate,
                    0.0,
                    1.0,
                    "(a share)",
                )?;
                if added_latency_ms == 0.0 && error_rate == 0.0 {
                    return Err(c.err(
                        &p,
                        "a degradation with no added latency and no errors changes nothing".into(),
                        "set added_latency_ms and/or error_rate",
                    ));
                }
                FaultKind::Degradation {
                    added_latency_ms,
                    error_rate,
                }
            }
            RawFault::Partition { continent, .. } => FaultKind::Partition {
                continent: Continent::from_code(continent).ok_or_else(|| {
                    c.err(
                        &p.clone().key("continent"),
                        format!("unknown continent \"{continent}\""),
                        "use one of NA, SA, EU, AS, OC, AF",
                    )
                })?,
            },
            RawFault::QuotaCut { factor, .. } => {
                if deployments[index].throttle.is_none() {
                    return Err(c.err(
                        &p.clone().key("region"),
                        format!("quota cut on {region}, which has no throttle"),
                        "add throttle = { rate_rps = ..., burst = ... } to that region",
                    ));
                }
                FaultKind::QuotaCut {
                    factor: c.range(
                        &p.clone().key("factor"),
                        *factor,
                        0.0,
                        1.0,
                        "(share of the quota left)",
                    )?,
                }
            }
        };
        let name = match kind {
            FaultKind::Outage => "outage",
            FaultKind::Degradation { .. } => "degradation",
            FaultKind::Partition { .. } => "partition",
            FaultKind::QuotaCut { .. } => "quota cut",
        };
        let start = sim.warmup + SimTime::from_secs_ceil(start_s);
        out.push(Fault {
            kind,
            region: index,
            start,
            end: start + SimTime::from_secs_ceil(duration_s),
            label: format!("{name} of {region} at {start_s} s"),
        });
    }
    Ok(out)
}

pub(super) fn check_health(
    c: &Checker,
    raw: &RawHealthCheck,
    catalog: &Catalog,
) -> Result<HealthCheckConfig, ScenarioError> {
    let p = FieldPath::default().key("health_check");
    if raw.interval_s != 10.0 && raw.interval_s != 30.0 {
        return Err(c.err(
            &p.clone().key("interval_s"),
            format!("interval {} s is not offered", raw.interval_s),
            "Route 53 and Global Accelerator check every 10 or 30 s",
        ));
    }
    if !(1..=10).contains(&raw.failure_threshold) {
        return Err(c.err(
            &p.clone().key("failure_threshold"),
            format!("threshold {} is not allowed", raw.failure_threshold),
            "use 1 to 10 consecutive checks (default 3)",
        ));
    }
    let codes: Vec<String> = match &raw.checker_regions {
        Some(v) => v.clone(),
        None => ROUTE53_CHECKER_REGIONS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    if codes.len() < 3 {
        return Err(c.err(
            &p.clone().key("checker_regions"),
            format!("{} checker region(s)", codes.len()),
            "Route 53 needs at least 3 checker regions",
        ));
    }
    let mut continents = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        if !ROUTE53_CHECKER_REGIONS.contains(&code.as_str()) {
            return Err(c.err(
                &p.clone().key("checker_regions").index(i),
                format!("\"{code}\" hosts no Route 53 health checkers"),
                format!("use some of: {}", ROUTE53_CHECKER_REGIONS.join(", ")),
            ));
        }
        let region = catalog.regions.get(code).ok_or_else(|| {
            c.err(
                &p.clone().key("checker_regions").index(i),
                format!("\"{code}\" is not in the catalog"),
                "check models/regions.toml",
            )
        })?;
        continents.push(region.continent());
    }
    let quorum = c.range(
        &p.key("healthy_quorum_pct"),
        raw.healthy_quorum_pct,
        0.0,
        99.0,
        "%",
    )?;
    Ok(HealthCheckConfig {
        interval: SimTime::from_secs_ceil(raw.interval_s),
        failure_threshold: raw.failure_threshold,
        checker_continents: continents,
        healthy_quorum: quorum / 100.0,
    })
}

/// Health checks with the defaults of Route 53 and Global Accelerator: every 30 s, threshold
/// 3, all checker regions, healthy above 18 %.
pub fn default_health(catalog: &Catalog) -> HealthCheckConfig {
    HealthCheckConfig {
        interval: SimTime::from_secs(30),
        failure_threshold: 3,
        checker_continents: ROUTE53_CHECKER_REGIONS
            .iter()
            .filter_map(|code| catalog.regions.get(*code).map(|r| r.continent()))
            .collect(),
        healthy_quorum: 0.18,
    }
}

pub(super) fn check_dns(c: &Checker, raw: &RawDns) -> Result<DnsConfig, ScenarioError> {
    let p = FieldPath::default().key("dns");
    let ttl_s = c.range(&p.clone().key("ttl_s"), raw.ttl_s, 0.0, 172_800.0, "s")?;
    let stale_share = c.range(
        &p.clone().key("stale_share"),
        raw.stale_share,
        0.0,
        1.0,
        "(a share)",
    )?;
    let stale_ttl_factor = c.range(
        &p.clone().key("stale_ttl_factor"),
        raw.stale_ttl_factor,
        1.0,
        1000.0,
        "×",
    )?;
    if raw.resolvers_per_site == 0 || raw.resolvers_per_site > 1024 {
        return Err(c.err(
            &p.key("resolvers_per_site"),
            format!("{} resolvers per site", raw.resolvers_per_site),
            "use 1 to 1024",
        ));
    }
    Ok(DnsConfig {
        ttl: SimTime::from_secs_ceil(ttl_s),
        stale_share,
        stale_ttl_factor,
        resolvers_per_site: raw.resolvers_per_site,
    })
}

pub(super) fn check_retry(c: &Checker, raw: &RawRetry) -> Result<RetryPolicy, ScenarioError> {
    let p = FieldPath::default().key("retry");
    if raw.max_attempts == 0 || raw.max_attempts > 10 {
        return Err(c.err(
            &p.clone().key("max_attempts"),
            format!("{} attempts", raw.max_attempts),
            "use 1 (no retries) to 10; the AWS SDK's standard mode uses 3",
        ));
    }
    let base = c.positive(
        &p.clone().key("backoff_base_ms"),
        raw.backoff_base_ms,
        600_000.0,
        "ms",
    )?;
    let cap = c.positive(
        &p.clone().key("backoff_cap_ms"),
        raw.backoff_cap_ms,
        3_600_000.0,
        "ms",
    )?;
    if cap < base {
        return Err(c.err(
            &p.clone().key("backoff_cap_ms"),
            format!("cap {cap} ms is below the base {base} ms"),
            "the cap bounds the growing backoff; make it at least the base",
        ));
    }
    let deadline_s = c.positive(&p.key("deadline_s"), raw.deadline_s, 86_400.0, "s")?;
    Ok(RetryPolicy {
        max_attempts: raw.max_attempts,
        backoff_base_ms: base,
        backoff_cap_ms: cap,
        deadline: SimTime::from_secs_ceil(deadline_s),
    })
}
