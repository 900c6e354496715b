//! Planning one candidate (a topology with an instance type): search, resilience,
//! verification of the whole horizon, and the sensitivity runs.

use std::sync::atomic::AtomicBool;

use crate::catalog::Catalog;
use crate::engine::SimTime;
use crate::metrics::{LatencySet, Outcomes};
use crate::run::{self, Interrupted, RunOptions, RunResult};
use crate::scenario::{PlanSpec, Scenario, SloTargets, default_health};

use super::evaluate::simulate_all;
use super::judge::{Miss, first_miss};
use super::schedule::InstanceSchedule;
use super::search::{self, SearchFailure, SearchOutcome, Windows};
use super::variants;

/// Rounds of "simulate, add an instance where a cell missed" in verification and in
/// resilience before the planner reports what is still missed instead of looping on.
const MAX_REPAIR_ROUNDS: u32 = 6;

/// What the survivors saw when one region was lost at its busiest step.
#[derive(Debug, Clone)]
pub struct RegionLoss {
    /// The lost deployment.
    pub deployment: usize,
    pub step: usize,
    /// Requests of the survivors, pooled over replications.
    pub survivors: Outcomes,
    pub survivors_latency: LatencySet,
    /// Requests that reached the lost region and failed (before health checks and DNS
    /// moved its users).
    pub lost_requests: u64,
    /// The degraded target (or, without resilience targets, the normal one) the survivors
    /// missed.
    pub miss: Option<Miss>,
}

/// A region-step the verification run still found short after the repair rounds.
#[derive(Debug, Clone)]
pub struct ShortCell {
    pub deployment: usize,
    pub step: usize,
    pub miss: Miss,
}

/// A finished plan for one candidate.
#[derive(Debug, Clone)]
pub struct CandidatePlan {
    /// The candidate's scenario (topology and instance type applied, faults stripped).
    pub base: Scenario,
    pub windows: Windows,
    pub search: SearchOutcome,
    /// The final schedule: the search's, plus resilience and verification repairs.
    pub schedule: InstanceSchedule,
    /// Instance-steps added so the survivors of a region loss meet the degraded target.
    pub added_for_resilience: u64,
    /// Instance-steps added because the whole-horizon verification missed a target.
    pub added_in_verification: u64,
    pub verification: RunResult,
    /// Cells still short after the repair rounds (empty when verified).
    pub short: Vec<ShortCell>,
    /// The plan under more demand.
    pub growth: RunResult,
    pub losses: Vec<RegionLoss>,
    /// Whole-horizon simulations run (verification rounds and the growth run).
    pub horizon_runs: u32,
}

/// Plans one candidate scenario (see [`variants::candidate`]).
pub fn plan_candidate(
    base: Scenario,
    spec: &PlanSpec,
    catalog: &Catalog,
    cancel: &AtomicBool,
) -> Result<CandidatePlan, SearchFailure> {
    let windows = search::place_windows(&base, spec);
    let outcome = search::search(&base, spec, &windows, cancel)?;
    let mut schedule = outcome.schedule.clone();

    // Resilience: each region lost at its busiest step; the survivors get an instance
    // wherever they miss the degraded target, until they all meet it.
    let mut added_for_resilience = 0;
    if let Some(degraded) = &spec.resilience {
        for _ in 0..MAX_REPAIR_ROUNDS {
            let mut added = 0;
            for (lost, step, m) in
                loss_runs(&base, spec, &windows, &schedule, &outcome, catalog, cancel)?
            {
                for s in schedule.hosted().collect::<Vec<_>>() {
                    let r = &m.regions[s];
                    if s != lost
                        && first_miss(&r.outcomes, &r.latency, degraded).is_some()
                        && schedule.at(s, step) < spec.max_instances
                    {
                        schedule.set(s, step, schedule.at(s, step) + 1);
                        added += 1;
                    }
                }
            }
            if added == 0 {
                break;
            }
            added_for_resilience += added;
        }
    }

    // Verification of the whole horizon with the schedule as scheduled actions.
    let mut added_in_verification = 0;
    let mut horizon_runs = 0;
    let mut short = Vec::new();
    let mut verification = None;
    for round in 0..MAX_REPAIR_ROUNDS {
        let day = horizon_scenario(&base, spec, &schedule, 1.0);
        let result = run::run_cancellable(&day, RunOptions::default(), cancel)?;
        horizon_runs += 1;
        short = short_cells(&result, &schedule, &base.slo);
        verification = Some(result);
        if short.is_empty() || round + 1 == MAX_REPAIR_ROUNDS {
            break;
        }
        for c in &short {
            let n = schedule.at(c.deployment, c.step);
            if n < spec.max_instances {
                schedule.set(c.deployment, c.step, n + 1);
                added_in_verification += 1;
            }
        }
    }
    let verification = verification.expect("at least one verification round");

    let growth_day = horizon_scenario(&base, spec, &schedule, 1.0 + spec.demand_growth_pct / 100.0);
    let growth = run::run_cancellable(&growth_day, RunOptions::default(), cancel)?;
    horizon_runs += 1;
    let targets = spec.resilience.as_ref().unwrap_or(&base.slo);
    let losses = region_losses(
        &base, spec, &windows, &schedule, &outcome, targets, catalog, cancel,
    )?;
    Ok(CandidatePlan {
        base,
        windows,
        search: outcome,
        schedule,
        added_for_resilience,
        added_in_verification,
        verification,
        short,
        growth,
        losses,
        horizon_runs,
    })
}

/// Warm-up before a whole-horizon run: long enough for the first scale-up to fire inside
/// it and its instances to be ready when measurement starts.
fn horizon_warmup(spec: &PlanSpec) -> SimTime {
    let lead_plus_minute =
        SimTime::from_secs(spec.lead_time.as_us().div_ceil(60_000_000) * 60 + 60);
    spec.window_warmup.max(lead_plus_minute)
}

/// The whole horizon under `schedule`, with demand × `demand_factor`.
pub fn horizon_scenario(
    base: &Scenario,
    spec: &PlanSpec,
    schedule: &InstanceSchedule,
    demand_factor: f64,
) -> Scenario {
    let mut s = variants::horizon(
        base,
        base.simulation.start_utc_hour.floor(),
        spec.steps(),
        spec.step(),
        horizon_warmup(spec),
        spec.lead_time,
        schedule,
    );
    s.simulation.replications = spec.replications;
    s.traffic.total_rate_rps *= demand_factor;
    s
}

/// Region-steps of a whole-horizon run that miss a target.
fn short_cells(
    result: &RunResult,
    schedule: &InstanceSchedule,
    targets: &SloTargets,
) -> Vec<ShortCell> {
    let cells = &result.merged.cells;
    let mut out = Vec::new();
    for d in schedule.hosted() {
        for k in 0..schedule.steps().min(cells.buckets()) {
            let c = cells.cell(d, k);
            if let Some(miss) = first_miss(&c.outcomes, &c.latency, targets) {
                out.push(ShortCell {
                    deployment: d,
                    step: k,
                    miss,
                });
            }
        }
    }
    out
}

/// The step with the most demand in deployment `d`.
fn busiest_step(outcome: &SearchOutcome, d: usize) -> usize {
    let row = &outcome.demand.arrivals_rps[d];
    (0..row.len())
        .max_by(|a, b| row[*a].total_cmp(&row[*b]).then(b.cmp(a)))
        .unwrap_or(0)
}

/// The window of `step` with deployment `lost` down for all of it; health checks on (the
/// scenario's, or Route 53's defaults) so traffic can leave.
fn loss_window(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    schedule: &InstanceSchedule,
    lost: usize,
    step: usize,
    catalog: &Catalog,
) -> Scenario {
    let mut s = search::window_scenario(base, spec, windows, step, schedule);
    if s.health_check.is_none() {
        s.health_check = Some(default_health(catalog));
    }
    variants::with_outage(&s, lost)
}

/// Every region lost at its busiest step (regions that receive traffic, when there is
/// more than one): the lost deployment, the step and the pooled metrics.
fn loss_runs(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    schedule: &InstanceSchedule,
    outcome: &SearchOutcome,
    catalog: &Catalog,
    cancel: &AtomicBool,
) -> Result<Vec<(usize, usize, crate::metrics::ReplicationMetrics)>, Interrupted> {
    let hosted: Vec<usize> = schedule.hosted().collect();
    if hosted.len() < 2 {
        return Ok(Vec::new());
    }
    let cases: Vec<(usize, usize)> = hosted
        .iter()
        .map(|&d| (d, busiest_step(outcome, d)))
        .collect();
    let jobs: Vec<Scenario> = cases
        .iter()
        .map(|&(d, k)| loss_window(base, spec, windows, schedule, d, k, catalog))
        .collect();
    let results = simulate_all(&jobs, cancel)?;
    Ok(cases
        .into_iter()
        .zip(results)
        .map(|((d, k), m)| (d, k, m))
        .collect())
}

/// What the survivors saw in each region loss, judged against `targets`.
#[allow(clippy::too_many_arguments)]
fn region_losses(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    schedule: &InstanceSchedule,
    outcome: &SearchOutcome,
    targets: &SloTargets,
    catalog: &Catalog,
    cancel: &AtomicBool,
) -> Result<Vec<RegionLoss>, Interrupted> {
    let runs = loss_runs(base, spec, windows, schedule, outcome, catalog, cancel)?;
    Ok(runs
        .into_iter()
        .map(|(lost, step, m)| {
            let mut survivors = Outcomes::default();
            let mut latency = LatencySet::default();
            for (i, r) in m.regions.iter().enumerate() {
                if i != lost {
                    survivors += r.outcomes;
                    latency.merge(&r.latency);
                }
            }
            let miss = first_miss(&survivors, &latency, targets);
            RegionLoss {
                deployment: lost,
                step,
                survivors,
                survivors_latency: latency,
                lost_requests: m.regions[lost].outcomes.failed,
                miss,
            }
        })
        .collect())
}
