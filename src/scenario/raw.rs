//! Serde mirror of the scenario TOML. Nothing outside `scenario` sees these types: they are
//! checked and turned into [`super::Scenario`] by [`super::validate`].

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<String>,
    pub description: Option<String>,
    pub simulation: RawSimulation,
    pub traffic: RawTraffic,
    #[serde(default)]
    pub requests: RawRequests,
    #[serde(default)]
    pub network: RawNetwork,
    pub regions: Vec<RawRegion>,
    pub routing: RawRouting,
    #[serde(default)]
    pub slo: RawSlo,
    #[serde(default)]
    pub faults: Vec<RawFault>,
    pub health_check: Option<RawHealthCheck>,
    pub dns: Option<RawDns>,
    pub retry: Option<RawRetry>,
    #[serde(default)]
    pub residency: Vec<RawResidency>,
    #[serde(default)]
    pub topology: Vec<RawTopology>,
    pub plan: Option<RawPlan>,
}

/// The `[plan]` section: what `meridian plan` may choose and how hard it searches.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    pub horizon_h: Option<u32>,
    pub step_h: Option<u32>,
    /// Instance types to choose among (`["all"]`: every type with a profile for the model).
    pub instance_types: Option<Vec<String>>,
    /// `base` (the scenario's routing) and/or names of `[[topology]]` blocks.
    pub topologies: Option<Vec<String>>,
    pub replications: Option<u32>,
    pub min_instances: Option<u32>,
    pub max_instances: Option<u32>,
    pub lead_time_s: Option<f64>,
    pub search_window_s: Option<f64>,
    pub window_warmup_s: Option<f64>,
    pub budget_usd_per_day: Option<f64>,
    pub demand_growth_pct: Option<f64>,
    /// `horizon` (default) or `windows`.
    pub verify: Option<String>,
    pub resilience: Option<RawSlo>,
}

/// A named alternative to the scenario's routing, for `meridian compare`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopology {
    pub name: String,
    pub routing: RawRouting,
    pub dns: Option<RawDns>,
}

/// A geolocation record's target: one region, or several tried in order (a failover record
/// set behind the geolocation record).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawGeoTarget {
    One(String),
    Ordered(Vec<String>),
}

impl RawGeoTarget {
    pub fn regions(&self) -> Vec<&str> {
        match self {
            RawGeoTarget::One(r) => vec![r.as_str()],
            RawGeoTarget::Ordered(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Users of a continent or a country may only be served by the listed regions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResidency {
    pub continent: Option<String>,
    pub country: Option<String>,
    pub regions: Vec<String>,
}

/// A fault on the timeline; times are from the start of the measured window.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawFault {
    Outage {
        region: String,
        start_s: f64,
        duration_s: f64,
    },
    Degradation {
        region: String,
        start_s: f64,
        duration_s: f64,
        #[serde(default)]
        added_latency_ms: f64,
        #[serde(default)]
        error_rate: f64,
    },
    Partition {
        continent: String,
        region: String,
        start_s: f64,
        duration_s: f64,
    },
    QuotaCut {
        region: String,
        start_s: f64,
        duration_s: f64,
        factor: f64,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHealthCheck {
    #[serde(default = "default_hc_interval_s")]
    pub interval_s: f64,
    #[serde(default = "default_hc_threshold")]
    pub failure_threshold: u32,
    pub checker_regions: Option<Vec<String>>,
    #[serde(default = "default_hc_quorum_pct")]
    pub healthy_quorum_pct: f64,
}

fn default_hc_interval_s() -> f64 {
    30.0
}
fn default_hc_threshold() -> u32 {
    3
}
fn default_hc_quorum_pct() -> f64 {
    18.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDns {
    #[serde(default = "default_dns_ttl_s")]
    pub ttl_s: f64,
    #[serde(default)]
    pub stale_share: f64,
    #[serde(default = "default_stale_ttl_factor")]
    pub stale_ttl_factor: f64,
    #[serde(default = "default_resolvers_per_site")]
    pub resolvers_per_site: u32,
}

fn default_dns_ttl_s() -> f64 {
    60.0
}
fn default_stale_ttl_factor() -> f64 {
    10.0
}
fn default_resolvers_per_site() -> u32 {
    16
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRetry {
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_backoff_base_ms")]
    pub backoff_base_ms: f64,
    #[serde(default = "default_backoff_cap_ms")]
    pub backoff_cap_ms: f64,
    #[serde(default = "default_deadline_s")]
    pub deadline_s: f64,
}

fn default_max_attempts() -> u32 {
    3
}
fn default_backoff_base_ms() -> f64 {
    1000.0
}
fn default_backoff_cap_ms() -> f64 {
    20_000.0
}
fn default_deadline_s() -> f64 {
    120.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub duration_s: f64,
    #[serde(default)]
    pub warmup_s: f64,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_replications")]
    pub replications: u32,
    #[serde(default)]
    pub start_utc_hour: f64,
    #[serde(default = "default_timeseries_step_s")]
    pub timeseries_step_s: f64,
    /// `MON` … `SUN`, for weekly scheduled actions (default `MON`).
    pub start_weekday: Option<String>,
}

fn default_seed() -> u64 {
    1
}
fn default_replications() -> u32 {
    1
}
fn default_timeseries_step_s() -> f64 {
    300.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraffic {
    /// Required unless the arrivals come from `trace` or every site is closed-loop.
    pub total_rate_rps: Option<f64>,
    pub diurnal: Option<String>,
    pub diurnal_curve: Option<Vec<f64>>,
    pub burstiness: Option<RawBurstiness>,
    pub sites: Vec<RawSite>,
    /// Replay a request trace instead of drawing Poisson arrivals.
    pub trace: Option<RawTrace>,
}

/// `[traffic.trace]`: arrivals and token counts from a CSV file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    /// Path of the CSV, relative to the scenario file.
    pub file: String,
    pub timestamp_column: Option<String>,
    pub prompt_column: Option<String>,
    pub output_column: Option<String>,
    /// Column naming each request's user site; without it requests go to sites by share.
    pub site_column: Option<String>,
    /// Replay this many times faster than recorded (3 = one hour of trace in 20 minutes).
    #[serde(default = "default_speedup")]
    pub speedup: f64,
    /// Start the trace again when it ends, to fill the run.
    #[serde(default, rename = "loop")]
    pub looping: bool,
    /// UTC offset of the users who made the trace; given, each site replays it shifted by
    /// its own offset's difference, so the trace follows each site's local day.
    pub recorded_utc_offset_hours: Option<f64>,
}

fn default_speedup() -> f64 {
    1.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBurstiness {
    #[serde(default = "default_burst_window_s")]
    pub window_s: f64,
    pub rate_cv: f64,
}

fn default_burst_window_s() -> f64 {
    60.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub name: String,
    pub share: Option<f64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub utc_offset_hours: Option<f64>,
    pub country: Option<String>,
    pub continent: Option<String>,
    /// Closed-loop load: this many virtual users, each sending, waiting for the reply,
    /// thinking, and sending again (instead of open-loop arrivals).
    pub virtual_users: Option<u32>,
    /// Mean think time between a reply and the user's next request (exponential), s.
    pub think_mean_s: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequests {
    pub prompt_tokens: RawTokenDist,
    pub output_tokens: RawTokenDist,
}

impl Default for RawRequests {
    /// Log-normals fitted to the Azure LLM inference trace 2023, conversation
    /// (median and p90 of ContextTokens / GeneratedTokens; see models/README.md).
    fn default() -> Self {
        RawRequests {
            prompt_tokens: RawTokenDist::Lognormal {
                median: 1020.0,
                p90: 2735.0,
                max: Some(14050.0),
            },
            output_tokens: RawTokenDist::Lognormal {
                median: 129.0,
                p90: 424.0,
                max: Some(1000.0),
            },
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawTokenDist {
    Lognormal {
        median: f64,
        p90: f64,
        max: Option<f64>,
    },
    Exponential {
        mean: f64,
        max: Option<f64>,
    },
    Constant {
        value: f64,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    #[serde(default = "default_route_inflation")]
    pub route_inflation: f64,
    #[serde(default = "default_backbone_overhead_ms")]
    pub backbone_overhead_ms: f64,
    #[serde(default = "default_last_mile_ms")]
    pub last_mile_ms: f64,
    #[serde(default = "default_jitter_ms")]
    pub jitter_ms: f64,
    #[serde(default = "default_handshake_rtts")]
    pub handshake_rtts: f64,
    #[serde(default = "default_new_connection_share")]
    pub new_connection_share: f64,
    #[serde(default = "default_edge_access_ms")]
    pub edge_access_ms: f64,
    #[serde(default = "default_edge_inflation")]
    pub edge_inflation: f64,
    #[serde(default = "default_edge_jitter_share")]
    pub edge_jitter_share: f64,
}

impl Default for RawNetwork {
    fn default() -> Self {
        RawNetwork {
            route_inflation: default_route_inflation(),
            backbone_overhead_ms: default_backbone_overhead_ms(),
            last_mile_ms: default_last_mile_ms(),
            jitter_ms: default_jitter_ms(),
            handshake_rtts: default_handshake_rtts(),
            new_connection_share: default_new_connection_share(),
            edge_access_ms: default_edge_access_ms(),
            edge_inflation: default_edge_inflation(),
            edge_jitter_share: default_edge_jitter_share(),
        }
    }
}

pub(crate) fn default_route_inflation() -> f64 {
    1.5
}
pub(crate) fn default_backbone_overhead_ms() -> f64 {
    7.0
}
fn default_last_mile_ms() -> f64 {
    20.0
}
fn default_jitter_ms() -> f64 {
    2.0
}
fn default_handshake_rtts() -> f64 {
    2.0
}
fn default_new_connection_share() -> f64 {
    0.2
}
fn default_edge_access_ms() -> f64 {
    4.0
}
fn default_edge_inflation() -> f64 {
    1.3
}
fn default_edge_jitter_share() -> f64 {
    0.5
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub code: String,
    pub profile: Option<String>,
    pub instances: Option<u32>,
    pub managed: Option<String>,
    pub ttft_ms: Option<f64>,
    pub output_tokens_per_s: Option<f64>,
    pub rpm_quota: Option<f64>,
    pub tpm_quota: Option<f64>,
    pub inference_profile: Option<String>,
    pub frontend: Option<RawFrontend>,
    pub autoscaling: Option<RawAutoscaling>,
    #[serde(default)]
    pub scheduled_actions: Vec<RawScheduledAction>,
    #[serde(default = "default_max_queue")]
    pub max_queue: u32,
    #[serde(default = "default_timeout_s")]
    pub timeout_s: f64,
    pub max_batch: Option<u32>,
    pub service: Option<RawService>,
    pub throttle: Option<RawThrottle>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawThrottle {
    pub rate_rps: f64,
    pub burst: f64,
}

fn default_max_queue() -> u32 {
    1000
}
fn default_timeout_s() -> f64 {
    60.0
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum RawService {
    Exponential { mean_ms: f64 },
    Deterministic { ms: f64 },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRouting {
    pub policy: String,
    pub weights: Option<BTreeMap<String, f64>>,
    pub primary: Option<String>,
    pub secondary: Option<String>,
    #[serde(default)]
    pub weight_schedule: Vec<RawWeightStep>,
    pub geo: Option<BTreeMap<String, RawGeoTarget>>,
    pub traffic_dials: Option<BTreeMap<String, f64>>,
    pub bias: Option<BTreeMap<String, f64>>,
}

/// A scheduled change of the autoscaling range (`put_scheduled_action`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheduledAction {
    pub name: String,
    pub cron: String,
    pub min_instances: u32,
    pub max_instances: u32,
}

/// Target-tracking autoscaling of a self-hosted region.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAutoscaling {
    pub min_instances: u32,
    pub max_instances: u32,
    pub target_utilisation: f64,
    #[serde(default = "default_launch_s")]
    pub launch_s: f64,
    #[serde(default = "default_period_s")]
    pub period_s: f64,
    #[serde(default = "default_scale_out_cooldown_s")]
    pub scale_out_cooldown_s: f64,
    #[serde(default = "default_scale_in_cooldown_s")]
    pub scale_in_cooldown_s: f64,
}

fn default_launch_s() -> f64 {
    300.0
}
fn default_period_s() -> f64 {
    60.0
}
fn default_scale_out_cooldown_s() -> f64 {
    60.0
}
fn default_scale_in_cooldown_s() -> f64 {
    300.0
}

/// A serverless front end (API Gateway + Lambda) that forwards to a model region.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFrontend {
    pub backend: String,
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
    pub cold_start_ms: f64,
    #[serde(default = "default_idle_timeout_s")]
    pub idle_timeout_s: f64,
    pub usd_per_million_requests: f64,
}

fn default_concurrency() -> u32 {
    1000
}
fn default_idle_timeout_s() -> f64 {
    600.0
}

/// From `at_s` (after warm-up) on, the weights are `weights`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeightStep {
    pub at_s: f64,
    pub weights: BTreeMap<String, f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlo {
    pub ttft: Option<RawLatencyTarget>,
    pub e2e: Option<RawLatencyTarget>,
    pub availability_pct: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLatencyTarget {
    pub percentile: f64,
    pub max_ms: f64,
}
