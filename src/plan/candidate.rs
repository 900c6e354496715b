//! Planning one candidate (a topology with an instance type): search, resilience,
//! verification of the whole horizon, and the sensitivity runs.

use std::sync::atomic::AtomicBool;

use crate::catalog::Catalog;
use crate::engine::SimTime;
use crate::metrics::{CellGrid, LatencySet, Outcomes};
use crate::run::{self, Interrupted, RunOptions, RunResult, SloKind};
use crate::scenario::{PlanSpec, Scenario, SloTargets, Verification, default_health};

use super::evaluate::{simulate_all, simulate_each};
use super::judge::{Miss, first_miss};
use super::schedule::InstanceSchedule;
use super::search::{self, SearchFailure, SearchOutcome, Windows};
use super::variants;

/// Rounds of "simulate, add an instance where a cell missed" in verification and in
/// resilience before the planner reports what is still missed instead of looping on.
const MAX_REPAIR_ROUNDS: u32 = 6;
/// Instances added one by one to bring a target's 95 % interval inside its limit before
/// the planner reports the interval as it is.
const MAX_CONFIDENCE_ROUNDS: u32 = 8;

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
    /// Instance-steps the whole-horizon trim removed (the search's windows asked for more
    /// than the horizon needs).
    pub removed_in_verification: u64,
    pub verification: RunResult,
    /// Mean share of batch slots busy per region and step in the verification, `[d][k]`.
    pub utilisation: Vec<Vec<f64>>,
    /// Cells still short after the repair rounds (empty when verified).
    pub short: Vec<ShortCell>,
    /// The plan under more demand.
    pub growth: RunResult,
    pub losses: Vec<RegionLoss>,
    /// Verification simulations run (of the whole horizon, or of every step's window with
    /// `verify = "windows"`): rounds, trims and the growth run.
    pub horizon_runs: u32,
}

/// Plans one candidate scenario (see [`variants::candidate`]).
pub fn plan_candidate(
    base: Scenario,
    spec: &PlanSpec,
    catalog: &Catalog,
    cancel: &AtomicBool,
    progress: super::Progress,
) -> Result<CandidatePlan, SearchFailure> {
    let windows = search::place_windows(&base, spec);
    let outcome = search::search(&base, spec, &windows, cancel, progress)?;
    progress("verifying");
    let mut schedule = outcome.schedule.clone();
    let mut horizon_runs = 0;

    // The search judged each step on its own window at static capacity; the whole horizon
    // (transitions, lead times, other random draws) may disagree. Repair what it misses,
    // then trim what it does not need: local minimality in the horizon's own terms.
    // (Verifying on the windows themselves, the search's answer already is minimal.)
    let mut added_in_verification = 0;
    let mut removed_in_verification = 0;
    if spec.verify == Verification::Horizon {
        let first = repair(&base, spec, &windows, &mut schedule, cancel)?;
        horizon_runs += first.runs;
        added_in_verification = first.added;
        let trimmed = trim(&base, spec, &windows, &mut schedule, cancel)?;
        horizon_runs += trimmed.runs;
        removed_in_verification = trimmed.removed;
    }

    // Resilience: each region lost at its busiest step; the survivors get an instance
    // wherever they miss the degraded target, until they all meet it.
    let mut added_for_resilience = 0;
    if let Some(degraded) = &spec.resilience {
        progress("resilience: each region lost at its busiest hour");
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

    // The final verification of the schedule as it will be deployed: every cell meets
    // every target, and every target over the horizon holds with 95 % confidence.
    let mut last = repair(&base, spec, &windows, &mut schedule, cancel)?;
    horizon_runs += last.runs;
    added_in_verification += last.added;
    // One instance at a time where a target's interval is tightest…
    let mut edge_added: Vec<(usize, usize)> = Vec::new();
    for _ in 0..MAX_CONFIDENCE_ROUNDS {
        if !last.short.is_empty() {
            break;
        }
        let Some((d, k)) = edge_cell(&last.eval.result, &schedule, spec) else {
            break;
        };
        schedule.set(d, k, schedule.at(d, k) + 1);
        added_in_verification += 1;
        edge_added.push((d, k));
        last = repair(&base, spec, &windows, &mut schedule, cancel)?;
        horizon_runs += last.runs;
        added_in_verification += last.added;
    }
    // …then give back those that later additions made unnecessary.
    if last.short.is_empty() && last.eval.result.slo.iter().all(confident) {
        for &(d, k) in edge_added.iter().rev().skip(1) {
            let mut trial = schedule.clone();
            trial.set(d, k, schedule.at(d, k) - 1);
            let eval = evaluate(&base, spec, &windows, &trial, 1.0, cancel)?;
            horizon_runs += 1;
            let short = short_cells(&eval.result, &trial, &base.slo);
            if short.is_empty() && eval.result.slo.iter().all(confident) {
                schedule = trial;
                added_in_verification -= 1;
                last = Repair {
                    eval,
                    short,
                    added: 0,
                    runs: 0,
                };
            }
        }
    }
    progress("sensitivity: more demand, each region lost");
    let verification = last.eval.result;
    let utilisation = last.eval.utilisation;
    let short = last.short;

    let growth = evaluate(
        &base,
        spec,
        &windows,
        &schedule,
        1.0 + spec.demand_growth_pct / 100.0,
        cancel,
    )?
    .result;
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
        removed_in_verification,
        verification,
        utilisation,
        short,
        growth,
        losses,
        horizon_runs,
    })
}

/// What a round of whole-horizon repairs did.
struct Repair {
    /// The last run: of the schedule as repaired.
    eval: Evaluation,
    /// Cells still short after the last round.
    short: Vec<ShortCell>,
    added: u64,
    runs: u32,
}

/// Simulates the whole horizon and adds an instance to every cell that misses a target,
/// until none does or the rounds run out.
fn repair(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    schedule: &mut InstanceSchedule,
    cancel: &AtomicBool,
) -> Result<Repair, Interrupted> {
    let mut added = 0;
    let mut runs = 0;
    loop {
        let eval = evaluate(base, spec, windows, schedule, 1.0, cancel)?;
        runs += 1;
        let short = short_cells(&eval.result, schedule, &base.slo);
        let stuck = short
            .iter()
            .all(|c| schedule.at(c.deployment, c.step) >= spec.max_instances);
        if short.is_empty() || stuck || runs >= MAX_REPAIR_ROUNDS {
            return Ok(Repair {
                eval,
                short,
                added,
                runs,
            });
        }
        for c in &short {
            let n = schedule.at(c.deployment, c.step);
            if n < spec.max_instances {
                schedule.set(c.deployment, c.step, n + 1);
                added += 1;
            }
        }
    }
}

/// What the trim did.
struct Trim {
    removed: u64,
    runs: u32,
}

/// Tries one instance fewer in every cell of one parity of steps at once (neighbouring
/// steps keep theirs, so a miss can be told apart from a neighbour's backlog), keeps each
/// reduction whose cell and neighbours still meet every target, and repeats until no
/// cell gives one up. A cell whose reduction failed is not tried again.
fn trim(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    schedule: &mut InstanceSchedule,
    cancel: &AtomicBool,
) -> Result<Trim, Interrupted> {
    let steps = schedule.steps();
    let hosted: Vec<usize> = schedule.hosted().collect();
    let mut needed = vec![vec![false; steps]; base.deployments.len()];
    let mut removed = 0;
    let mut runs = 0;
    for _ in 0..MAX_REPAIR_ROUNDS {
        let mut changed = false;
        for parity in 0..2 {
            let mut trial = schedule.clone();
            let mut tried = Vec::new();
            for &d in &hosted {
                for k in (parity..steps).step_by(2) {
                    let n = schedule.at(d, k);
                    if n > spec.min_instances && !needed[d][k] {
                        trial.set(d, k, n - 1);
                        tried.push((d, k));
                    }
                }
            }
            if tried.is_empty() {
                continue;
            }
            let result = evaluate(base, spec, windows, &trial, 1.0, cancel)?.result;
            runs += 1;
            let short = short_cells(&result, &trial, &base.slo);
            let misses = |d: usize, k: usize| {
                short.iter().any(|c| {
                    c.deployment == d && (c.step == k || c.step == k + 1 || c.step + 1 == k)
                })
            };
            for (d, k) in tried {
                if misses(d, k) {
                    needed[d][k] = true;
                } else {
                    schedule.set(d, k, trial.at(d, k));
                    removed += 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    Ok(Trim { removed, runs })
}

/// A verification run: its result (with cells per region and step) and utilisation.
struct Evaluation {
    result: RunResult,
    /// Mean share of batch slots busy, `[deployment][step]`.
    utilisation: Vec<Vec<f64>>,
}

/// Simulates `schedule` with demand × `demand_factor` the way `spec.verify` says: the whole
/// horizon with scheduled actions, or every step's window at its planned count (then
/// each replication's windows together stand for that replication of the horizon).
fn evaluate(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    schedule: &InstanceSchedule,
    demand_factor: f64,
    cancel: &AtomicBool,
) -> Result<Evaluation, Interrupted> {
    let n_dep = base.deployments.len();
    let steps = spec.steps();
    match spec.verify {
        Verification::Horizon => {
            let result = run::run_cancellable(
                &horizon_scenario(base, spec, schedule, demand_factor),
                RunOptions::default(),
                cancel,
            )?;
            let utilisation = (0..n_dep)
                .map(|d| {
                    let means = result.merged.regions[d].utilisation.means();
                    (0..steps)
                        .map(|k| means.get(k).copied().unwrap_or(0.0))
                        .collect()
                })
                .collect();
            Ok(Evaluation {
                result,
                utilisation,
            })
        }
        Verification::Windows => {
            let jobs: Vec<Scenario> = (0..steps)
                .map(|k| {
                    let mut s = search::window_scenario(base, spec, windows, k, schedule);
                    s.traffic.total_rate_rps *= demand_factor;
                    s
                })
                .collect();
            let per_step = simulate_each(&jobs, cancel)?;
            let mut utilisation = vec![vec![0.0; steps]; n_dep];
            let reps = spec.replications as usize;
            // The windows end to end: one measured stretch of steps × window.
            let mut whole = jobs[0].clone();
            whole.simulation.duration = SimTime(windows.length.as_us() * steps as u64);
            whole.simulation.cell_step = Some(windows.length);
            let mut results = Vec::with_capacity(reps);
            for r in 0..reps {
                let mut merged = per_step[0][r].clone();
                for step in &per_step[1..] {
                    merged.merge(&step[r]);
                }
                let mut cells = CellGrid::new(
                    n_dep,
                    SimTime::ZERO,
                    whole.simulation.duration,
                    windows.length,
                );
                for (k, step) in per_step.iter().enumerate() {
                    for (d, m) in step[r].regions.iter().enumerate() {
                        let cell = cells.cell_mut(d, k);
                        cell.outcomes = m.outcomes;
                        // Cells count finished requests only.
                        cell.outcomes.generated -= m.outcomes.in_flight_at_end;
                        cell.outcomes.in_flight_at_end = 0;
                        cell.latency = m.latency.clone();
                        utilisation[d][k] += m.utilisation.overall_mean() / reps as f64;
                    }
                }
                merged.cells = cells;
                results.push(merged);
            }
            Ok(Evaluation {
                result: run::from_replications(whole, results),
                utilisation,
            })
        }
    }
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

/// What a whole-horizon run of a schedule says about it.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Region-steps that miss a target.
    pub short: Vec<ShortCell>,
    /// Targets over the horizon whose 95 % interval is not wholly on the right side.
    pub unconfident: Vec<String>,
}

impl Verdict {
    /// Every cell meets every target and every target holds with confidence.
    pub fn holds(&self) -> bool {
        self.short.is_empty() && self.unconfident.is_empty()
    }
}

/// Simulates the whole horizon under `schedule` and judges it as the planner does — for
/// checking a plan, e.g. its local minimality.
pub fn verdict(
    base: &Scenario,
    spec: &PlanSpec,
    schedule: &InstanceSchedule,
    cancel: &AtomicBool,
) -> Result<Verdict, Interrupted> {
    let windows = search::place_windows(base, spec);
    let result = evaluate(base, spec, &windows, schedule, 1.0, cancel)?.result;
    Ok(Verdict {
        short: short_cells(&result, schedule, &base.slo),
        unconfident: result
            .slo
            .iter()
            .filter(|c| !confident(c))
            .map(|c| c.name())
            .collect(),
    })
}

/// A target over the horizon holds and its 95 % interval lies wholly on the right side.
pub fn confident(check: &crate::run::SloCheck) -> bool {
    let (m, band) = (check.per_replication.mean, check.per_replication.ci95);
    check.pass
        && match check.kind {
            SloKind::Availability => m - band >= check.target,
            _ => m + band <= check.target,
        }
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

/// When a target over the horizon holds but its 95 % interval reaches past the limit: the
/// cell closest to (or furthest past) the limit, relative to the limit, below the ceiling.
/// `None` when every target holds with confidence.
fn edge_cell(
    result: &RunResult,
    schedule: &InstanceSchedule,
    spec: &PlanSpec,
) -> Option<(usize, usize)> {
    let cells = &result.merged.cells;
    let mut best: Option<(f64, usize, usize)> = None;
    for check in result.slo.iter().filter(|c| c.pass && !confident(c)) {
        // How near a cell is to the limit, as a share of the limit (higher: nearer).
        let nearness = |c: &crate::metrics::Cell| -> Option<f64> {
            if c.outcomes.generated == 0 {
                return None;
            }
            Some(match check.kind {
                SloKind::Ttft { percentile } => {
                    c.latency.ttft.percentile_ms(percentile) / check.target
                }
                SloKind::E2e { percentile } => {
                    c.latency.e2e.percentile_ms(percentile) / check.target
                }
                SloKind::Availability => {
                    (100.0 - c.outcomes.availability_pct()) / (100.0 - check.target).max(1e-9)
                }
            })
        };
        for d in schedule.hosted() {
            for k in 0..schedule.steps().min(cells.buckets()) {
                if schedule.at(d, k) >= spec.max_instances {
                    continue;
                }
                if let Some(x) = nearness(cells.cell(d, k))
                    && best.is_none_or(|b| x > b.0)
                {
                    best = Some((x, d, k));
                }
            }
        }
    }
    best.map(|(_, d, k)| (d, k))
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
