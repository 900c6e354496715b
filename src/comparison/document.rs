//! The comparison document as typed structs: the JSON `meridian compare --format json` (and
//! `--json FILE`) writes, and its JSON Schema. The terminal and Markdown tables are rendered
//! from the same document, so the three outputs cannot disagree.
//!
//! Units are in field names (`_ms`, `_usd`, `_pct`, `_s`). Scenarios are listed in the order
//! given; the first is the reference every other one is compared against.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of this layout; bumped on any incompatible change.
pub const COMPARISON_SCHEMA_VERSION: u32 = 1;

/// The JSON document of `meridian compare`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "meridian comparison document")]
pub struct ComparisonDocument {
    /// Version of this layout; bumped on any incompatible change.
    pub schema_version: u32,
    /// Always `"comparison"` for this document.
    pub kind: String,
    /// Version of meridian that wrote the document.
    pub meridian_version: String,
    /// Label of the reference scenario (the first one).
    pub reference: String,
    pub pairing: PairingDoc,
    /// One entry per scenario, in the order given; the first is the reference.
    pub scenarios: Vec<ScenarioColumn>,
}

/// Whether the differences are paired (common random numbers) or not. Each scenario is
/// judged against the reference alone (see `vs_reference.method`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PairingDoc {
    /// Every scenario saw the reference's requests, replication by replication.
    pub paired: bool,
    /// `paired` (all scenarios: Student-t on per-replication differences), `welch` (none:
    /// independent samples) or `mixed`.
    pub method: String,
    /// The rule deciding between the two.
    pub rule: String,
    /// Why scenarios are unpaired, each prefixed with its label (empty when all are paired).
    pub reasons: Vec<String>,
}

/// One scenario's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioColumn {
    /// Column heading: the scenario's name, or its file when names repeat.
    pub label: String,
    /// The scenario file as given on the command line.
    pub file: String,
    pub scenario: ScenarioIdentity,
    /// All replications pooled.
    pub latency: PooledLatency,
    /// Headline figures as mean ± 95 % CI half-width across replications.
    pub summary_ci95: SummaryCi,
    /// Completed ÷ (generated − in flight), all replications pooled, %.
    pub availability_pct: f64,
    /// Requests that completed, all replications.
    pub completed: u64,
    /// Each objective of the scenario's `[slo]`, checked.
    pub slo: Vec<SloColumn>,
    /// Recovery after each fault of the scenario (empty without faults).
    pub faults: Vec<FaultColumn>,
    /// Client attempts beyond the first, all replications.
    pub retries: u64,
    /// Residency rules in the scenario.
    pub residency_rules: usize,
    /// Completed requests served outside their users' jurisdiction, all replications.
    pub residency_violations: u64,
    /// Share of completed requests served by a region other than the one they entered
    /// (cross-region inference and front ends forwarding to a model region), %.
    pub cross_region_pct: f64,
    pub cost: CostColumn,
    /// Per deployed region, in the scenario's order.
    pub regions: Vec<RegionColumn>,
    /// Per user continent code with traffic (NA, SA, EU, AS, OC, AF).
    pub continents: BTreeMap<String, ContinentColumn>,
    /// This scenario minus the reference (`null` for the reference itself).
    pub vs_reference: Option<DifferencesDoc>,
    /// The seed's questions, answered from the measured figures.
    pub questions: QuestionsDoc,
}

/// What identifies the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioIdentity {
    pub name: String,
    /// FNV-1a 64-bit hash of the scenario file, hex.
    pub content_hash: String,
    /// After `--seed`.
    pub seed: u64,
    /// After `--replications`.
    pub replications: u32,
    pub duration_s: f64,
    pub warmup_s: f64,
    /// The routing policy.
    pub routing: String,
}

/// p50, p95 and p99 of a latency, ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Percentiles {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

/// Client-side latencies over all replications pooled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PooledLatency {
    /// Time to first token.
    pub ttft: Percentiles,
    /// Time to last token.
    pub e2e: Percentiles,
}

/// A mean across replications with its 95 % confidence half-width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeanCiDoc {
    pub mean: f64,
    /// Half-width of the Student-t 95 % interval; 0 with one replication.
    pub ci95: f64,
    /// Replications.
    pub n: usize,
}

/// Headline figures across replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SummaryCi {
    pub ttft_p50_ms: MeanCiDoc,
    pub ttft_p95_ms: MeanCiDoc,
    pub ttft_p99_ms: MeanCiDoc,
    pub e2e_p50_ms: MeanCiDoc,
    pub e2e_p95_ms: MeanCiDoc,
    pub e2e_p99_ms: MeanCiDoc,
    pub availability_pct: MeanCiDoc,
    /// Cost per hour of the measured window.
    pub cost_usd_per_hour: MeanCiDoc,
}

/// One service-level objective with what was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SloColumn {
    /// e.g. `ttft_p95_ms`, `e2e_p99_ms`, `availability_pct`.
    pub name: String,
    /// Target value (ms for latency: at most; % for availability: at least).
    pub target: f64,
    /// Over all replications pooled.
    pub measured: f64,
    pub per_replication: MeanCiDoc,
    pub pass: bool,
}

/// Recovery after one fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultColumn {
    pub label: String,
    /// From the start of the measured window.
    pub start_s: f64,
    pub duration_s: f64,
    /// Fault start until the success ratio over 60 s is back at the target for good, over
    /// the replications that recovered (`n`).
    pub recovery_s: MeanCiDoc,
    pub recovered_replications: usize,
    pub replications: u32,
    /// Success ratio recovery is judged against (the availability SLO, else 99 %).
    pub recovery_target_pct: f64,
}

/// Money: everything the run charges (instance-hours and, where the scenario has them,
/// managed-API tokens and request fees).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostColumn {
    /// Cost per hour of the measured window (mean over replications).
    pub usd_per_hour: f64,
    /// Cost ÷ completed requests × 10⁶, all replications pooled.
    pub usd_per_million_completed: f64,
    /// `usd_per_hour` ÷ the reference's.
    pub multiple_of_reference: f64,
}

/// One deployed region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionColumn {
    pub region: String,
    /// What runs there, e.g. `6 × g5.2xlarge` or `managed claude-3-5-sonnet`.
    pub deployment: String,
    /// Self-hosted instances (`null` for other kinds of deployment).
    pub instances: Option<u32>,
    /// Share of all completed requests this region served, 0–1.
    pub served_share: f64,
}

/// What users of one continent saw, all replications pooled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContinentColumn {
    /// Requests generated by users there.
    pub requests: u64,
    pub ttft_p50_ms: f64,
    pub ttft_p95_ms: f64,
    pub availability_pct: f64,
}

/// This scenario minus the reference, for each headline figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DifferencesDoc {
    /// Label of the reference.
    pub against: String,
    /// `paired` (Student-t on per-replication differences) or `welch` (difference of means).
    pub method: String,
    /// Why this scenario does not see the reference's requests (empty when paired).
    pub unpaired_because: Vec<String>,
    pub ttft_p50_ms: DifferenceDoc,
    pub ttft_p95_ms: DifferenceDoc,
    pub ttft_p99_ms: DifferenceDoc,
    pub e2e_p50_ms: DifferenceDoc,
    pub e2e_p95_ms: DifferenceDoc,
    pub e2e_p99_ms: DifferenceDoc,
    /// Percentage points.
    pub availability_pct: DifferenceDoc,
    pub cost_usd_per_hour: DifferenceDoc,
}

/// One figure's difference with its 95 % interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DifferenceDoc {
    /// Paired: mean of the per-replication differences; Welch: difference of the means.
    pub mean: f64,
    /// Half-width of the 95 % interval; `null` with too few replications.
    pub ci95: Option<f64>,
    /// Degrees of freedom of the t quantile (0 without an interval).
    pub df: usize,
    /// `mean` ÷ the reference's mean, %; `null` when that is 0.
    pub relative_pct: Option<f64>,
    /// The interval excludes 0.
    pub significant: bool,
}

/// An answer to one of the seed's questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    /// The 95 % interval straddles the target.
    Undecided,
    /// The scenario has no rule to keep.
    NoRule,
    /// Nothing was measured (no completed requests).
    NoData,
}

impl Answer {
    /// As printed in tables.
    pub fn label(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::Undecided => "undecided",
            Answer::NoRule => "no rule",
            Answer::NoData => "no data",
        }
    }
}

/// The questions of the seed's comparison table, answered with measured values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionsDoc {
    /// "Latency < 100 ms globally?"
    pub latency_under_100ms: LatencyAnswer,
    /// "99.99 % availability?"
    pub availability_9999: AvailabilityAnswer,
    /// "Residency kept?"
    pub residency_kept: ResidencyAnswer,
    /// "Cost multiple of the first scenario."
    pub cost_multiple: CostAnswer,
}

/// Worst continent's median time to first token against 100 ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyAnswer {
    /// `yes` when the worst continent's TTFT p50 is below the threshold.
    pub answer: Answer,
    /// What the answer is based on, in words.
    pub measured: String,
    pub threshold_ms: f64,
    /// Continent with the highest TTFT p50.
    pub worst_continent: Option<String>,
    pub worst_ttft_p50_ms: Option<f64>,
    /// Continent with the lowest TTFT p50.
    pub best_continent: Option<String>,
    pub best_ttft_p50_ms: Option<f64>,
}

/// Availability against 99.99 %.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityAnswer {
    /// `yes` when the whole per-replication 95 % interval is at or above the target, `no`
    /// when it is wholly below, `undecided` when it straddles it.
    pub answer: Answer,
    pub target_pct: f64,
    /// All replications pooled.
    pub measured_pct: f64,
    pub per_replication: MeanCiDoc,
}

/// Residency rules kept?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResidencyAnswer {
    /// `no_rule` without residency rules, else `yes` when no completed request was served
    /// outside its users' jurisdiction.
    pub answer: Answer,
    pub rules: usize,
    pub violations: u64,
}

/// Cost relative to the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostAnswer {
    /// `usd_per_hour` ÷ `reference_usd_per_hour`.
    pub multiple: f64,
    pub usd_per_hour: f64,
    pub reference_usd_per_hour: f64,
}

/// The JSON Schema (draft 2020-12) of the comparison document.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ComparisonDocument)).expect("a schema is plain JSON")
}
