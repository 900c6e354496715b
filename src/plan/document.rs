//! The plan document: what `meridian plan --json` writes and the terminal summary reads.
//! Typed, so `meridian schema` derives its JSON Schema from the same structs. Units are in
//! field names; floats are rounded so that documents diff cleanly in CI.

use schemars::JsonSchema;
use serde::Serialize;

use crate::report::document::SloDoc;

/// The JSON document `meridian plan --json` writes.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "meridian plan document")]
pub struct PlanDocument {
    /// Version of this layout; bumped on any incompatible change.
    pub schema_version: u32,
    /// Always `"plan"`.
    pub kind: String,
    pub meridian_version: String,
    pub scenario: PlanScenarioDoc,
    /// `feasible` when a candidate meets every target (within the budget), else
    /// `infeasible`.
    pub status: String,
    /// Name of the recommended candidate, if any.
    pub recommended: Option<String>,
    /// Every candidate, cheapest first among the feasible ones.
    pub candidates: Vec<CandidateDoc>,
}

impl PlanDocument {
    /// The candidate whose plan is shown (summary, charts, report): the recommended one,
    /// else the first candidate that was planned (the closest to meeting the targets);
    /// `None` when no candidate got as far as a plan.
    pub fn shown(&self) -> Option<(&CandidateDoc, &PlanDetailDoc)> {
        match self.candidates.iter().find(|c| c.status == "recommended") {
            Some(best) => best.plan.as_ref().map(|p| (best, p)),
            None => self
                .candidates
                .iter()
                .find_map(|c| c.plan.as_ref().map(|p| (c, p))),
        }
    }
}

/// The scenario and the planner's settings.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanScenarioDoc {
    pub name: String,
    /// FNV-1a of the scenario file's bytes.
    pub content_hash: String,
    pub seed: u64,
    pub replications: u32,
    /// UTC hour the plan starts at.
    pub start_utc_hour: u32,
    pub horizon_h: u32,
    pub step_h: u32,
    /// Scale-ups fire this long before the step that needs them.
    pub lead_time_s: f64,
    /// Simulated length of each step's search window.
    pub search_window_s: f64,
    /// The sensitivity run's extra demand.
    pub demand_growth_pct: f64,
    pub budget_usd_per_day: Option<f64>,
    /// The `[slo]` targets every region-step must meet.
    pub targets: Vec<TargetDoc>,
    /// Degraded targets for the survivors of a region loss.
    pub resilience_targets: Vec<TargetDoc>,
}

/// One target.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetDoc {
    /// e.g. `ttft_p95_ms`, `availability_pct`.
    pub name: String,
    pub target: f64,
}

/// One candidate: a topology with an instance type.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateDoc {
    /// `topology / instance type`.
    pub name: String,
    pub topology: String,
    pub instance_type: String,
    /// `recommended`, `feasible`, `over budget`, `not verified` or `infeasible`.
    pub status: String,
    /// Why it was (not) chosen, for people.
    pub reason: String,
    pub cost_usd_per_day: Option<f64>,
    pub plan: Option<PlanDetailDoc>,
}

/// A candidate's plan in full.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDetailDoc {
    pub routing: RoutingDoc,
    pub regions: Vec<RegionPlanDoc>,
    /// The scheduled scaling actions that realise the plan (Application Auto Scaling
    /// `put_scheduled_action`, cron in UTC).
    pub scheduled_actions: Vec<ActionDoc>,
    pub cost: PlanCostDoc,
    pub verification: VerificationDoc,
    pub sensitivity: SensitivityDoc,
    pub search: SearchDoc,
}

/// How traffic reaches the regions.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutingDoc {
    pub policy: String,
    /// Weighted routing: the record weights per region, as the scenario sets them.
    pub weights: Vec<RegionWeightDoc>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionWeightDoc {
    pub region: String,
    pub weight: f64,
}

/// One region's plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionPlanDoc {
    pub region: String,
    pub instance_type: String,
    pub usd_per_instance_hour: f64,
    /// `measured` or `derived` (us-east-1 price × the region's multiplier).
    pub price_origin: String,
    pub steps: Vec<StepPlanDoc>,
}

/// One region in one step.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepPlanDoc {
    /// UTC hour the step starts at.
    pub utc_hour: u32,
    /// Day of the week the step starts on (`MON` … `SUN`; from `start_weekday`).
    pub weekday: String,
    pub desired: u32,
    /// Autoscaling floor: the plan.
    pub min: u32,
    /// Autoscaling ceiling: the plan × (1 + demand growth), room for target tracking.
    pub max: u32,
    /// What the analytic model (Erlang C) asked for.
    pub analytic: u32,
    /// Requests/s arriving in the step's busiest window.
    pub demand_rps: f64,
    /// Mean share of batch slots busy in the verification run.
    pub utilisation_pct: f64,
    /// Requests of the step the verification run finished here (all replications).
    pub requests: u64,
    /// Measured at the target percentiles in the verification run; null when no target.
    pub ttft_ms: Option<f64>,
    pub e2e_ms: Option<f64>,
    pub availability_pct: f64,
}

/// A scheduled scaling action.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionDoc {
    pub region: String,
    pub name: String,
    /// e.g. `cron(55 8 * * ? *)`, UTC.
    pub schedule: String,
    pub min_capacity: u32,
    pub max_capacity: u32,
    pub desired_capacity: u32,
}

/// What the plan costs, per day unless the name says otherwise.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanCostDoc {
    pub regions: Vec<RegionCostDoc>,
    pub total_usd_per_day: f64,
    /// × 730 h / 24 h (AWS's month).
    pub total_usd_per_month: f64,
    /// The plan's peak count in every region all day.
    pub static_peak_usd_per_day: f64,
    pub savings_vs_static_peak_pct: f64,
    /// All demand in the cheapest single region, sized by the analytic model per step.
    pub single_region: Option<SingleRegionDoc>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionCostDoc {
    pub region: String,
    pub instance_hours_per_day: f64,
    pub instances_usd_per_day: f64,
    /// Managed-API tokens served here (from the verification run).
    pub tokens_usd_per_day: f64,
    /// Front-end request fees (from the verification run).
    pub requests_usd_per_day: f64,
    pub total_usd_per_day: f64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SingleRegionDoc {
    pub region: String,
    pub usd_per_day: f64,
    pub savings_pct: f64,
    /// How it was sized (analytic, not simulated; ignores distance to users).
    pub method: String,
}

/// The whole horizon simulated with the schedule as scheduled actions.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationDoc {
    /// `horizon`: the whole horizon simulated with the scheduled actions; `windows`: each
    /// step's busiest window at its planned count (transitions not simulated).
    pub mode: String,
    /// Every target over the horizon: pooled value, per-replication mean ± 95 % CI,
    /// pass/fail.
    pub targets: Vec<CheckDoc>,
    /// Region-steps still missing a target after the repair rounds.
    pub short_cells: Vec<ShortCellDoc>,
    /// Requests generated in the measured horizon (all replications).
    pub requests: u64,
    /// Requests served outside the regions their users' residency rules allow (all
    /// replications); any makes the plan fail verification.
    pub residency_violations: u64,
}

/// A target checked.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckDoc {
    #[serde(flatten)]
    pub slo: SloDoc,
    /// The whole 95 % interval is on the right side of the target.
    pub confident: bool,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShortCellDoc {
    pub region: String,
    pub utc_hour: u32,
    /// e.g. `TTFT p95 1620 ms > 1500 ms`.
    pub miss: String,
}

/// The same plan under stress.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SensitivityDoc {
    pub demand_growth_pct: f64,
    /// The targets over the horizon with demand × (1 + growth).
    pub demand_growth: Vec<CheckDoc>,
    /// Each region lost for its busiest step.
    pub region_loss: Vec<RegionLossDoc>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionLossDoc {
    pub region: String,
    pub utc_hour: u32,
    /// Requests that reached the lost region and failed before traffic left it.
    pub lost_requests: u64,
    pub survivors_requests: u64,
    pub survivors_availability_pct: f64,
    pub survivors_ttft_ms: Option<f64>,
    pub survivors_e2e_ms: Option<f64>,
    /// `resilience` targets when the plan has them, else the normal ones.
    pub judged_against: String,
    pub pass: bool,
    /// The target missed, if any.
    pub miss: Option<String>,
}

/// What the search took.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchDoc {
    /// Search iterations after the demand pass.
    pub iterations: u32,
    /// Step windows simulated (each with every replication).
    pub window_runs: u64,
    /// Verification simulations (repair and trim rounds, the growth run): each of the
    /// whole horizon, or of every step's window with `verify = "windows"`.
    pub horizon_runs: u32,
    pub instance_hours_added_for_resilience: f64,
    pub instance_hours_added_in_verification: f64,
    /// Instance-hours the whole-horizon trim removed from the search's schedule.
    pub instance_hours_removed_in_verification: f64,
    /// Offset of each step's search window from the step's start, s.
    pub window_offsets_s: Vec<f64>,
    /// Instance-hours of the analytic warm start and of the plan.
    pub analytic_instance_hours: f64,
    pub planned_instance_hours: f64,
}
