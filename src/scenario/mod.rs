//! Scenarios: the user's TOML input, parsed, then validated into typed, checked values.
//!
//! [`raw`] mirrors the file with serde (`deny_unknown_fields`); [`validate`] checks every
//! value against the catalog and turns it into a [`Scenario`], naming the field at fault with
//! file:line:column. Nothing downstream ever sees raw input.

mod diurnal;
mod error;
mod geo;
mod managed;
mod plan;
mod raw;
mod schedule;
mod topology;
mod validate;
mod workload;

pub use diurnal::DiurnalCurve;
pub use error::{Diagnostic, FieldPath, PathSeg, ScenarioError, did_you_mean, locate};
pub use geo::{ResidencyRule, allowed_regions};
pub use plan::{InstanceCandidate, PlanSpec, Verification};
pub use schedule::{CronSchedule, ScheduledAction, WEEKDAYS, daily_minutes, parse_cron};
pub use topology::{
    DnsConfig, Fault, FaultKind, HealthCheckConfig, ROUTE53_CHECKER_REGIONS, RetryPolicy,
    default_health,
};

use std::path::Path;

use crate::catalog::{Catalog, InstancePrice, Region, ServingProfile, Site};
use crate::engine::SimTime;

/// A validated scenario: everything a run needs, resolved against the catalog.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// FNV-1a 64-bit hash of the scenario file's bytes, hex: ties a result to its input.
    pub content_hash: String,
    pub simulation: Simulation,
    pub traffic: Traffic,
    pub requests: RequestMix,
    pub network: NetworkParams,
    pub deployments: Vec<Deployment>,
    pub routing: RoutingConfig,
    pub slo: SloTargets,
    /// Faults on the timeline, in the order given.
    pub faults: Vec<Fault>,
    /// Health checks on every region; without them every region counts as healthy.
    pub health_check: Option<HealthCheckConfig>,
    /// DNS answer caching; without it every request resolves afresh.
    pub dns: Option<DnsConfig>,
    /// Client retries ([`RetryPolicy::NONE`] unless `[retry]` is given).
    pub retry: RetryPolicy,
    /// Data-residency rules; requests served outside them count as violations.
    pub residency: Vec<ResidencyRule>,
    /// RTT between deployments (index-aligned), ms: the measured matrix where it has both
    /// regions, else the distance model.
    pub region_rtt_ms: Vec<Vec<f64>>,
    /// Named alternatives to `routing` (`[[topology]]`), compared on the same traffic.
    pub topologies: Vec<Topology>,
    /// What `meridian plan` may choose, from the `[plan]` section.
    pub plan: Option<PlanSpec>,
}

/// A named routing alternative: the same deployments and traffic, routed differently.
#[derive(Debug, Clone)]
pub struct Topology {
    pub name: String,
    pub routing: RoutingConfig,
    pub health_check: Option<HealthCheckConfig>,
    pub dns: Option<DnsConfig>,
}

impl Scenario {
    /// This scenario routed as `topology` (named `<scenario> / <topology>`).
    pub fn with_topology(&self, topology: &Topology) -> Scenario {
        let mut s = self.clone();
        s.name = format!("{} / {}", self.name, topology.name);
        s.routing = topology.routing.clone();
        s.health_check = topology.health_check.clone();
        s.dns = topology.dns;
        s.topologies = Vec::new();
        s
    }
}

/// Run length and statistics settings.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Measured window, after warm-up.
    pub duration: SimTime,
    /// Simulated before measuring, so queues start from a realistic state.
    pub warmup: SimTime,
    pub seed: u64,
    pub replications: u32,
    /// UTC hour of day (0–24) at simulated time 0, after warm-up is subtracted: the measured
    /// window starts at this hour.
    pub start_utc_hour: f64,
    /// Width of the time-series buckets (utilisation, queue length).
    pub timeseries_step: SimTime,
    /// When set, latency and outcomes are also kept per region and per bucket of this
    /// length (by the time the request was sent): the capacity planner's region-hour
    /// cells. Not settable from a scenario file.
    pub cell_step: Option<SimTime>,
    /// Day of the week (0 = Monday) of the measured start's UTC day: weekly scheduled
    /// actions fire by it.
    pub start_weekday: u32,
}

/// Open-loop demand: a mean rate split over user sites, shaped by a local-time curve.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// Mean request rate over a day, all sites together, requests/s.
    pub total_rate_rps: f64,
    pub diurnal: DiurnalCurve,
    pub burstiness: Option<Burstiness>,
    pub sites: Vec<UserSite>,
    /// Arrivals replayed from a trace instead of drawn (then `diurnal` and `burstiness` are
    /// unused and `total_rate_rps` is the trace's own rate × speed-up).
    pub trace: Option<TraceReplay>,
}

/// A request trace replayed as the arrivals of every open-loop site.
///
/// Trace time 0 (its first request) is simulated time 0 (the start of the warm-up). Each
/// request goes to one site: the one its site column names, else one drawn by share from a
/// counter-based stream (`world::streams::TRACE`), the same draw whatever the site's shift,
/// so the sites partition the trace.
#[derive(Debug, Clone)]
pub struct TraceReplay {
    pub trace: std::sync::Arc<crate::workload::Trace>,
    /// Replay speed ÷ recorded speed (> 0).
    pub speedup: f64,
    /// Restart at the end (a pass lasts [`crate::workload::Trace::period_ns`]).
    pub looping: bool,
    /// Per scenario site: its shift, trace ns earlier than recorded (site UTC offset −
    /// recorded UTC offset), 0 without `recorded_utc_offset_hours`.
    pub shift_ns: Vec<i64>,
    /// Per trace row: scenario site index, when the trace has a site column.
    pub site_of_row: Option<std::sync::Arc<Vec<u32>>>,
}

/// Closed-loop users of a site: each has one request outstanding at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClosedLoop {
    pub virtual_users: u32,
    /// Mean of the exponential think time after each reply, s (0: send again at once).
    pub think_mean_s: f64,
}

/// Over-dispersion: the rate of each site is multiplied, per window, by an independent
/// Gamma-distributed factor with mean 1 and coefficient of variation `rate_cv` (a
/// doubly-stochastic Poisson process, as LLM traces show bursts beyond Poisson).
#[derive(Debug, Clone, Copy)]
pub struct Burstiness {
    pub window: SimTime,
    pub rate_cv: f64,
}

/// A user site with its normalised share of the traffic.
#[derive(Debug, Clone)]
pub struct UserSite {
    pub site: Site,
    /// Fraction of `total_rate_rps` (all open-loop sites sum to 1).
    pub share: f64,
    /// Closed-loop users instead of open-loop arrivals (then `share` is 0).
    pub closed_loop: Option<ClosedLoop>,
}

/// Prompt and output token-count distributions.
#[derive(Debug, Clone)]
pub struct RequestMix {
    pub prompt_tokens: TokenDist,
    pub output_tokens: TokenDist,
}

/// A distribution of token counts (always ≥ 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TokenDist {
    /// Log-normal with log-mean `mu` and log-sd `sigma`; values above `max` are redrawn
    /// (an explicit truncation, reported in the scenario, never a silent clip).
    Lognormal {
        mu: f64,
        sigma: f64,
        max: f64,
    },
    Exponential {
        mean: f64,
        max: f64,
    },
    Constant {
        value: u32,
    },
}

impl TokenDist {
    /// Mean of the (truncated) distribution, estimated analytically where possible.
    pub fn mean_untruncated(&self) -> f64 {
        match *self {
            TokenDist::Lognormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            TokenDist::Exponential { mean, .. } => mean,
            TokenDist::Constant { value } => value as f64,
        }
    }
}

/// Network model parameters (see `world::network`).
#[derive(Debug, Clone, Copy)]
pub struct NetworkParams {
    /// Path length ÷ great-circle distance for the long-haul part.
    pub route_inflation: f64,
    /// Fixed routing/switching overhead added to every long-haul RTT, ms.
    pub backbone_overhead_ms: f64,
    /// RTT from a user to the ISP's first hop, ms.
    pub last_mile_ms: f64,
    /// Mean of the exponential per-request RTT jitter, ms.
    pub jitter_ms: f64,
    /// Round trips spent on TCP + TLS set-up by a request on a new connection.
    pub handshake_rtts: f64,
    /// Fraction of requests that open a new connection (the rest reuse one).
    pub new_connection_share: f64,
    /// Anycast: RTT from the user's ISP to the nearest edge location, ms (edges sit in or
    /// near every large metro).
    pub edge_access_ms: f64,
    /// Anycast: path inflation on the provider backbone from the edge to the region (vs
    /// `route_inflation` on the public internet).
    pub edge_inflation: f64,
    /// Anycast: jitter on the backbone path as a share of the public-internet jitter.
    pub edge_jitter_share: f64,
}

/// How an instance's service time is modelled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ServiceModel {
    /// Token-level: prefill + output tokens at the profile's batch-dependent speed.
    TokenProfile,
    /// Exponential service time with this mean, independent of batch size (for validating
    /// against M/M/c).
    Exponential { mean_ms: f64 },
    /// Constant service time (for M/D/1).
    Deterministic { ms: f64 },
}

/// A deployment in one region: self-hosted instances, or a managed model API.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub region: Region,
    pub kind: DeploymentKind,
    /// Requests the region's load balancer holds waiting; beyond it, reject (HTTP 503).
    pub max_queue: u32,
    /// Longest a request may wait for its first token in the region before a 504.
    pub timeout: SimTime,
    /// Front-door request quota (API Gateway style); `None` means unthrottled.
    pub throttle: Option<Throttle>,
    /// A serverless front end that forwards requests to a model region.
    pub frontend: Option<Frontend>,
}

/// What serves requests in a region.
#[derive(Debug, Clone)]
pub enum DeploymentKind {
    SelfHosted(SelfHosted),
    Managed(ManagedApi),
    /// Only a front end: every request is forwarded (see [`Deployment::frontend`]).
    FrontendOnly,
}

/// A serverless front end (API Gateway + Lambda, the first seed's pattern) in front of a
/// model in some region: a concurrency limit (HTTP 429 beyond), cold starts when no warm
/// execution environment is free, and a fee per request.
#[derive(Debug, Clone, PartialEq)]
pub struct Frontend {
    /// Deployment (index) that serves the model; may be this region itself.
    pub backend: usize,
    /// Concurrent executions allowed (Lambda's account default: 1,000 per region).
    pub concurrency: u32,
    /// Extra latency of a request that needs a new execution environment, ms.
    pub cold_start_ms: f64,
    /// An idle environment is recycled after this long.
    pub idle_timeout: SimTime,
    /// API Gateway + Lambda request fees, USD per million requests.
    pub usd_per_million_requests: f64,
}

/// GPU instances running a serving profile.
#[derive(Debug, Clone)]
pub struct SelfHosted {
    pub profile: ServingProfile,
    pub price: InstancePrice,
    pub instances: u32,
    /// Sequences per instance at once (profile default unless overridden).
    pub max_batch: u32,
    pub service: ServiceModel,
    /// Target tracking; without it the instance count is fixed.
    pub autoscaling: Option<Autoscaling>,
    /// Scheduled changes of the autoscaling range.
    pub scheduled_actions: Vec<ScheduledAction>,
}

/// Target-tracking autoscaling: every `period` the region compares the batch slots its
/// demand needs (mean busy slots over the period plus the queue) with `target_utilisation`
/// of its slots, launches instances that become ready after `launch` (instance start plus
/// model load), and drains surplus ones, within `[min_instances, max_instances]` and the
/// cooldowns (Application Auto Scaling semantics, simplified).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Autoscaling {
    pub min_instances: u32,
    pub max_instances: u32,
    /// Share of batch slots to keep busy, 0–1.
    pub target_utilisation: f64,
    pub launch: SimTime,
    pub period: SimTime,
    pub scale_out_cooldown: SimTime,
    pub scale_in_cooldown: SimTime,
}

/// A managed model API (Bedrock style): no instances; per-region requests-per-minute and
/// tokens-per-minute quotas (token buckets, HTTP 429 beyond), priced per token.
#[derive(Debug, Clone)]
pub struct ManagedApi {
    /// Catalog name, e.g. `claude-3-5-sonnet`.
    pub model: String,
    /// Time to first token inside the region, ms (given by the scenario: no public
    /// reference figure is in the catalog).
    pub ttft_ms: f64,
    /// Streaming speed after the first token, output tokens/s.
    pub output_tokens_per_s: f64,
    pub rpm_quota: f64,
    /// Input + output tokens per minute.
    pub tpm_quota: f64,
    pub input_usd_per_1m_tokens: f64,
    pub output_usd_per_1m_tokens: f64,
    /// Cross-region inference profile: other deployments (indices) of the same model and
    /// geography that serve a request when this region's quota would throttle it.
    pub spill_to: Vec<usize>,
    /// The profile's prefix (`us`, `eu`, `apac`), if any.
    pub inference_profile: Option<String>,
}

impl Deployment {
    /// The self-hosted part, if this is a self-hosted deployment.
    pub fn self_hosted(&self) -> Option<&SelfHosted> {
        match &self.kind {
            DeploymentKind::SelfHosted(s) => Some(s),
            _ => None,
        }
    }

    /// The managed part, if this is a managed API.
    pub fn managed(&self) -> Option<&ManagedApi> {
        match &self.kind {
            DeploymentKind::Managed(m) => Some(m),
            _ => None,
        }
    }

    /// Short description, e.g. `6 × g5.2xlarge` or `managed claude-3-5-sonnet`.
    pub fn describe(&self) -> String {
        match &self.kind {
            DeploymentKind::SelfHosted(s) => {
                format!("{} × {}", s.instances, s.profile.instance_type)
            }
            DeploymentKind::Managed(m) => format!("managed {}", m.model),
            DeploymentKind::FrontendOnly => "front end".to_string(),
        }
    }
}

/// A request-rate quota enforced as a token bucket; beyond it requests get HTTP 429.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    /// Steady rate, requests/s.
    pub rate_rps: f64,
    /// Bucket size, requests.
    pub burst: f64,
}

/// The routing policy and its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum RoutingConfig {
    /// Lowest expected RTT from the user's site (Route 53 latency records); not load-aware.
    Latency,
    /// Share = weight ÷ sum, one weight per deployment (index-aligned), Route 53 semantics:
    /// weight 0 is never chosen unless all are 0, then all are equal.
    /// `schedule` lists later changes: from each time on, its weights apply.
    Weighted {
        weights: Vec<f64>,
        schedule: Vec<(SimTime, Vec<f64>)>,
    },
    /// Active-passive (Route 53 failover records): the primary while its health check
    /// passes, else the secondary if healthy, else the primary again.
    Failover { primary: usize, secondary: usize },
    /// Route 53 geolocation: per site, candidate regions from the most specific matching
    /// location (country, continent, `*`); residency rules restrict the fallback.
    Geolocation { chains: Vec<Vec<usize>> },
    /// Route 53 geoproximity: nearest region by great-circle distance shifted by a bias per
    /// deployment (−99…99); residency rules restrict the candidates.
    Geoproximity { bias: Vec<f64> },
    /// Global Accelerator: static anycast IPs, no DNS; the nearest healthy endpoint group,
    /// each group keeping `dials[r]` (0–1) of the traffic that would go to it.
    Anycast { dials: Vec<f64> },
}

/// A latency target: the given percentile must not exceed `max_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyTarget {
    pub percentile: f64,
    pub max_ms: f64,
}

/// Service-level objectives checked after a run.
#[derive(Debug, Clone, Default)]
pub struct SloTargets {
    pub ttft: Option<LatencyTarget>,
    pub e2e: Option<LatencyTarget>,
    pub availability_pct: Option<f64>,
}

impl RoutingConfig {
    /// The policy's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            RoutingConfig::Latency => "latency",
            RoutingConfig::Weighted { .. } => "weighted",
            RoutingConfig::Failover { .. } => "failover",
            RoutingConfig::Geolocation { .. } => "geolocation",
            RoutingConfig::Geoproximity { .. } => "geoproximity",
            RoutingConfig::Anycast { .. } => "anycast",
        }
    }
}

impl Scenario {
    /// Reads and validates a scenario file. The file name appears in every error.
    pub fn from_file(path: &Path, catalog: &Catalog) -> Result<Scenario, ScenarioError> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(ScenarioError::Read {
                path: shown,
                reason: "it is a directory; pass a .toml scenario file".into(),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| ScenarioError::Read {
            path: shown.clone(),
            reason: e.to_string().to_lowercase(),
        })?;
        let src = String::from_utf8(bytes).map_err(|_| ScenarioError::Read {
            path: shown.clone(),
            reason: "it is not UTF-8 text; pass a .toml scenario file".into(),
        })?;
        Scenario::from_toml(&src, &shown, catalog)
    }

    /// Parses and validates scenario text; `file` names it in errors.
    pub fn from_toml(src: &str, file: &str, catalog: &Catalog) -> Result<Scenario, ScenarioError> {
        validate::parse_and_validate(src, file, catalog)
    }

    /// Requests expected in one replication (warm-up included), from the mean rate.
    pub fn expected_requests_per_replication(&self) -> f64 {
        // A closed-loop user sends at most one request per think time plus about a second of
        // service: a bound good enough for the run budget.
        let closed_rps: f64 = self
            .traffic
            .sites
            .iter()
            .filter_map(|s| s.closed_loop)
            .map(|c| f64::from(c.virtual_users) / (c.think_mean_s + 1.0))
            .sum();
        (self.traffic.total_rate_rps + closed_rps)
            * (self.simulation.duration + self.simulation.warmup).as_secs_f64()
    }
}

/// FNV-1a 64-bit: a small, stable, dependency-free content hash.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}
