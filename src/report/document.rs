//! The run document as typed structs: the single source of both the JSON a run writes and
//! the JSON Schema `meridian schema` prints, so the two cannot drift apart.
//!
//! Units are in field names (`_ms`, `_usd`, `_rps`, `_pct`, `_s`). Counts are totals over all
//! replications; costs and instance-hours are per replication (one measured window).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

/// The JSON document `meridian run --json` writes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "meridian run document")]
pub struct RunDocument {
    /// Version of this layout; bumped on any incompatible change.
    pub schema_version: u32,
    /// Always `"run"` for this document.
    pub kind: String,
    /// Version of meridian that wrote the document.
    pub meridian_version: String,
    pub scenario: ScenarioEcho,
    /// What happened to the requests generated in the measured window (all replications).
    pub outcomes: OutcomesDoc,
    pub latency: LatencyDocs,
    /// Share of generated requests that waited in a load-balancer queue.
    pub waited_share: f64,
    /// Headline figures as mean ± 95 % CI half-width across replications.
    pub summary_ci95: SummaryDoc,
    /// Per region code.
    pub regions: BTreeMap<String, RegionDoc>,
    /// Per user continent code (NA, SA, EU, AS, OC, AF).
    pub continents: BTreeMap<String, ContinentDoc>,
    pub cost: CostDoc,
    /// Each service-level objective of the scenario, checked.
    pub slo: Vec<SloDoc>,
    /// What each fault of the scenario did (empty without faults).
    pub faults: Vec<FaultDoc>,
    /// Client attempts beyond the first, all replications.
    pub retries: u64,
    /// Completed requests served outside their users' jurisdiction, all replications.
    pub residency_violations: u64,
    pub engine: EngineDoc,
}

/// One fault's effect across replications.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultDoc {
    pub label: String,
    /// From the start of the measured window.
    pub start_s: f64,
    pub duration_s: f64,
    /// Fault start to health checks marking the region unhealthy (`n` = replications where
    /// they did).
    pub detected_after_s: MeanCiDoc,
    /// Fault start to the last attempt that still reached the faulty region.
    pub traffic_left_after_s: MeanCiDoc,
    /// Attempts that reached the faulty region during the fault, per replication.
    pub attempts_during: MeanCiDoc,
    /// Fault start until the success ratio over 60 s is back at the target for good.
    pub recovery_s: MeanCiDoc,
    pub recovered_replications: usize,
    /// Requests not served between the fault start and recovery, per replication.
    pub lost_requests: MeanCiDoc,
    /// Success ratio the recovery is judged against (the availability SLO, else 99 %).
    pub recovery_target_pct: f64,
}

/// Identifies the input: a document is only comparable with one of the same scenario and seed.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEcho {
    pub name: String,
    /// FNV-1a 64-bit hash of the scenario file, hex.
    pub content_hash: String,
    pub seed: u64,
    pub replications: u32,
    pub duration_s: f64,
    pub warmup_s: f64,
    /// `latency` or `weighted`.
    pub routing: String,
}

/// Outcome counts. `generated = completed + throttled + rejected + timed_out + failed +
/// in_flight_at_end`; for a region, `generated` counts requests whose last attempt went there.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomesDoc {
    pub generated: u64,
    pub completed: u64,
    /// HTTP 429: refused by a region's request quota.
    pub throttled: u64,
    /// HTTP 503: the load balancer's queue was full.
    pub rejected: u64,
    /// HTTP 504: no first token within the region's timeout.
    pub timed_out: u64,
    /// Lost to a fault: the region was down or cut off, or answered 5xx.
    pub failed: u64,
    pub in_flight_at_end: u64,
    /// completed ÷ (generated − in flight), %.
    pub availability_pct: f64,
}

/// A latency distribution, ms, each percentile within 1 % of the exact sample value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyDoc {
    pub count: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
}

/// Client-side latencies and the time spent queued at the region.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyDocs {
    /// Time to first token, as the client sees it.
    pub ttft: LatencyDoc,
    /// Time to last token, as the client sees it.
    pub e2e: LatencyDoc,
    /// Arrival at the region to admission into a batch.
    pub queue_wait: LatencyDoc,
}

/// A mean across replications with its 95 % confidence half-width.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeanCiDoc {
    pub mean: f64,
    /// Half-width of the Student-t 95 % interval; 0 with one replication.
    pub ci95: f64,
    /// Replications.
    pub n: usize,
}

/// Headline figures across replications.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryDoc {
    pub ttft_p50_ms: MeanCiDoc,
    pub ttft_p95_ms: MeanCiDoc,
    pub ttft_p99_ms: MeanCiDoc,
    pub e2e_p50_ms: MeanCiDoc,
    pub e2e_p95_ms: MeanCiDoc,
    pub e2e_p99_ms: MeanCiDoc,
    pub availability_pct: MeanCiDoc,
    pub throughput_rps: MeanCiDoc,
    pub output_tokens_per_s: MeanCiDoc,
    pub cost_usd: MeanCiDoc,
}

/// Per-bucket series over the measured window.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionTimeseries {
    /// Start of each bucket, seconds from the start of the measured window.
    pub bucket_start_s: Vec<f64>,
    /// Mean share of batch slots in use, 0–1.
    pub utilisation: Vec<f64>,
    /// Time-averaged load-balancer queue length, requests.
    pub queue_length_mean: Vec<f64>,
    /// Longest queue in the bucket over all replications, requests.
    pub queue_length_max: Vec<f64>,
    /// Instances running (billed), time-averaged per bucket: changes with autoscaling.
    pub instances: Vec<f64>,
}

/// One region's deployment and what it saw.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionDoc {
    /// Self-hosted: serving profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_batch: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_usd_per_hour: Option<f64>,
    /// Managed API: the catalog model name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_model: Option<String>,
    /// Managed API: tokens × price, per replication.
    pub token_cost_usd: f64,
    /// Managed API: requests served here that entered another region (this region was
    /// their `inferenceRegion`), all replications.
    pub served_for_other_regions: u64,
    /// Front ends: requests forwarded to the model region, all replications.
    pub forwarded: u64,
    /// Front ends: requests that waited for a new execution environment, all replications.
    pub cold_starts: u64,
    /// Front ends: per-request fees, per replication.
    pub request_fees_usd: f64,
    pub outcomes: OutcomesDoc,
    /// Share of all completed requests this region served.
    pub served_share: f64,
    pub ttft: LatencyDoc,
    pub e2e: LatencyDoc,
    pub queue_wait: LatencyDoc,
    pub utilisation_mean: f64,
    /// Instances running, time-averaged over the measured window.
    pub instances_mean: f64,
    pub queue_length_mean: f64,
    pub queue_length_max: f64,
    pub prompt_tokens: u64,
    pub output_tokens: u64,
    /// Per replication.
    pub instance_hours: f64,
    /// Per replication.
    pub instance_cost_usd: f64,
    pub timeseries: RegionTimeseries,
}

/// What users of one continent saw.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinentDoc {
    pub outcomes: OutcomesDoc,
    pub ttft: LatencyDoc,
    pub e2e: LatencyDoc,
}

/// Money, per replication (one measured window).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostDoc {
    pub instances_usd: f64,
    /// Managed APIs: tokens × per-token price.
    pub tokens_usd: f64,
    /// Front ends: per-request fees.
    pub request_fees_usd: f64,
    pub instances_usd_per_hour: f64,
    /// Instances and tokens together.
    pub total_usd_per_hour: f64,
    pub usd_per_1k_requests: f64,
}

/// One service-level objective with what was measured.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SloDoc {
    /// e.g. `ttft_p95_ms`, `e2e_p99_ms`, `availability_pct`.
    pub name: String,
    pub target: f64,
    /// Over all replications pooled.
    pub measured: f64,
    pub per_replication: MeanCiDoc,
    pub pass: bool,
}

/// Work the engine did.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EngineDoc {
    pub events: u64,
    /// Requests generated including warm-up, all replications.
    pub requests_simulated: u64,
}

/// The JSON Schema (draft 2020-12) of every document meridian writes, by kind.
pub fn schemas() -> serde_json::Value {
    let run = schemars::schema_for!(RunDocument);
    let plan = schemars::schema_for!(crate::plan::PlanDocument);
    serde_json::json!({ "run": run, "comparison": crate::comparison::schema(), "plan": plan })
}
