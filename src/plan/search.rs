//! The simulation-verified search: a demand pass at the ceiling capacity (which also finds
//! targets no capacity can meet), an analytic warm start, then for every region-step a
//! bracket `(fails, passes]` narrowed on the step's busiest window until the count just
//! above a failing one passes — all cells at once, one window simulation per step and
//! iteration, with common random numbers (the same seed and streams every iteration).

use std::sync::atomic::AtomicBool;

use crate::engine::SimTime;
use crate::metrics::ReplicationMetrics;
use crate::run::Interrupted;
use crate::scenario::{PlanSpec, Scenario, ServiceModel};

use super::analytic::{SizingTarget, SlotService, instances_for, ttft_wait_budget};
use super::evaluate::simulate_all;
use super::judge::{Miss, first_miss, margin};
use super::schedule::InstanceSchedule;
use super::variants;

/// Safety net on iterations: brackets halve (or double) every round, so 2·log2(max) + a
/// few suffice; reaching this is reported, never looped on.
const MAX_ITERATIONS: u32 = 40;

/// What the demand pass measured in each region-step.
#[derive(Debug, Clone)]
pub struct Demand {
    /// Requests per second arriving at each deployment in each step's window,
    /// `[deployment][step]`.
    pub arrivals_rps: Vec<Vec<f64>>,
    /// TTFT at the target percentile with ample capacity: network plus prefill, the part
    /// of the target no queueing can use, ms.
    pub floor_ttft_ms: Vec<Vec<f64>>,
}

/// Where in each step the search simulates: its busiest window.
#[derive(Debug, Clone)]
pub struct Windows {
    /// Offset of each step's window from the step's start.
    pub offsets: Vec<SimTime>,
    pub length: SimTime,
    pub warmup: SimTime,
}

/// A region-step that misses a target even at the most instances the plan allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Infeasibility {
    pub region: String,
    pub step: usize,
    pub instances: u32,
    pub miss: Miss,
    /// What else was seen there, e.g. the network floor.
    pub note: String,
}

/// Why a search ended without a schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchFailure {
    Infeasible(Infeasibility),
    Interrupted,
}

impl From<Interrupted> for SearchFailure {
    fn from(_: Interrupted) -> Self {
        SearchFailure::Interrupted
    }
}

/// The search's result and what it took.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub schedule: InstanceSchedule,
    pub warm_start: InstanceSchedule,
    pub demand: Demand,
    /// Search iterations after the demand pass.
    pub iterations: u32,
    /// Window simulations run (each with the plan's replications).
    pub window_runs: u64,
}

/// Picks each step's busiest window of `length` (5-minute resolution) by the sites'
/// demand curves.
pub fn place_windows(base: &Scenario, spec: &PlanSpec) -> Windows {
    let step_s = f64::from(spec.step_h) * 3600.0;
    let length_s = spec.search_window.as_secs_f64();
    let start = base.simulation.start_utc_hour.floor();
    let offsets = (0..spec.steps())
        .map(|k| {
            let step_start_h = start + (k as u32 * spec.step_h) as f64;
            let mut best = (f64::MIN, 0.0);
            let mut off = 0.0;
            while off + length_s <= step_s + 1e-9 {
                let from = step_start_h + off / 3600.0;
                let to = from + length_s / 3600.0;
                let demand: f64 = base
                    .traffic
                    .sites
                    .iter()
                    .map(|u| {
                        let o = u.site.utc_offset_hours;
                        u.share * base.traffic.diurnal.integral_hours(from + o, to + o)
                    })
                    .sum();
                if demand > best.0 + 1e-12 {
                    best = (demand, off);
                }
                off += 300.0;
            }
            SimTime::from_secs_ceil(best.1)
        })
        .collect();
    Windows {
        offsets,
        length: spec.search_window,
        warmup: spec.window_warmup,
    }
}

/// Simulates every step's window with `counts`; the pooled metrics per step.
pub fn run_windows(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    counts: &InstanceSchedule,
    cancel: &AtomicBool,
) -> Result<Vec<ReplicationMetrics>, Interrupted> {
    let all: Vec<usize> = (0..spec.steps()).collect();
    run_windows_of(base, spec, windows, counts, &all, cancel)
}

/// Simulates the windows of `steps` only; the pooled metrics in that order.
fn run_windows_of(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    counts: &InstanceSchedule,
    steps: &[usize],
    cancel: &AtomicBool,
) -> Result<Vec<ReplicationMetrics>, Interrupted> {
    let jobs: Vec<Scenario> = steps
        .iter()
        .map(|&k| window_scenario(base, spec, windows, k, counts))
        .collect();
    simulate_all(&jobs, cancel)
}

/// The window scenario of step `k`.
pub fn window_scenario(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    k: usize,
    counts: &InstanceSchedule,
) -> Scenario {
    let start_utc_hour = base.simulation.start_utc_hour.floor()
        + (k as u32 * spec.step_h) as f64
        + windows.offsets[k].as_secs_f64() / 3600.0;
    let mut s = variants::window(
        base,
        start_utc_hour,
        k,
        windows.length,
        windows.warmup,
        counts,
    );
    s.simulation.replications = spec.replications;
    s
}

/// The slot model of each deployment (`None` for those without instances).
pub fn slot_models(base: &Scenario) -> Vec<Option<SlotService>> {
    base.deployments
        .iter()
        .map(|d| {
            let h = d.self_hosted()?;
            Some(SlotService::of(
                &h.profile,
                h.max_batch,
                h.service,
                &base.requests,
            ))
        })
        .collect()
}

/// The analytic instance count for every region-step.
pub fn warm_start(
    base: &Scenario,
    spec: &PlanSpec,
    demand: &Demand,
    growth: f64,
) -> InstanceSchedule {
    let mut out = empty_schedule(base, spec, spec.min_instances);
    let slots = slot_models(base);
    for d in out.hosted().collect::<Vec<_>>() {
        let slot = slots[d].expect("hosted deployments have a slot model");
        for k in 0..spec.steps() {
            let wait = ttft_wait_budget(base.slo.ttft, demand.floor_ttft_ms[d][k]);
            let target = SizingTarget {
                wait,
                max_utilisation: if matches!(
                    base.deployments[d].self_hosted().map(|h| h.service),
                    Some(ServiceModel::TokenProfile)
                ) {
                    0.85
                } else {
                    0.95
                },
            };
            let n = instances_for(
                demand.arrivals_rps[d][k] * growth,
                slot,
                target,
                spec.min_instances,
                spec.max_instances,
            );
            out.set(d, k, n);
        }
    }
    out
}

/// A schedule of `value` instances everywhere.
pub fn empty_schedule(base: &Scenario, spec: &PlanSpec, value: u32) -> InstanceSchedule {
    let regions = base
        .deployments
        .iter()
        .map(|d| d.region.code.clone())
        .collect();
    let hosted: Vec<bool> = base
        .deployments
        .iter()
        .map(|d| d.self_hosted().is_some())
        .collect();
    InstanceSchedule::uniform(regions, &hosted, spec.steps(), spec.horizon_h, value)
}

/// Largest failing margin the search interpolates from (see [`Bracket::next`]).
const MAX_INTERPOLATED_MARGIN: f64 = 1.5;

/// One region-step's bracket: `fails` is the largest count seen missing a target (or
/// `min − 1`), `passes` the smallest seen meeting them all (or the ceiling, which the
/// demand pass showed to pass), each with its [`margin`] when measured.
#[derive(Debug, Clone, Copy)]
struct Bracket {
    fails: u32,
    passes: u32,
    fail_margin: Option<f64>,
    pass_margin: Option<f64>,
    /// Distance of the next try from the known side while the answers keep agreeing
    /// (galloping from the warm start); doubles each time.
    stride: u32,
    /// The last answer.
    last_pass: Option<bool>,
    /// The same side moved twice in a row: bisect once (keeps interpolation from
    /// creeping along a flat side).
    stalled: bool,
}

impl Bracket {
    /// The initial bracket: `min − 1` fails by definition, the ceiling passed the demand
    /// pass (its margin, far from the answer, is no guide to interpolate from).
    fn new(min: u32, max: u32) -> Bracket {
        Bracket {
            fails: min - 1,
            passes: max,
            fail_margin: None,
            pass_margin: None,
            stride: 1,
            last_pass: None,
            stalled: false,
        }
    }

    fn done(&self) -> bool {
        self.passes <= self.fails + 1
    }

    /// Records the answer (and its margin) for `n` instances.
    fn record(&mut self, n: u32, pass: bool, margin: f64) {
        self.stalled = self.last_pass == Some(pass);
        self.stride = match self.last_pass {
            // The first step away from the warm start: 4 % of it (at least one instance),
            // so that large counts are bracketed in a few rounds.
            None => (n / 25).max(1),
            Some(p) if p == pass => self.stride.saturating_mul(2),
            Some(_) => 1,
        };
        self.last_pass = Some(pass);
        if pass {
            if n < self.passes {
                self.passes = n;
                self.pass_margin = Some(margin);
            }
        } else if n > self.fails {
            self.fails = n;
            self.fail_margin = Some(margin);
        }
    }

    /// The count to try next. Galloping away from the last answer while the other side is
    /// still its initial bound; once both sides are measured, the count where the margin,
    /// interpolated linearly between them, reaches 1 (regula falsi), or the midpoint after
    /// two answers on the same side.
    fn next(&self, min: u32, max: u32) -> u32 {
        if self.done() {
            return self.passes;
        }
        let (lo, hi) = (self.fails + 1, self.passes - 1);
        let mid = self.fails + (self.passes - self.fails) / 2;
        let n = match (self.last_pass, self.fail_margin, self.pass_margin) {
            // Only where the margin is still near-linear: past saturation (queues
            // growing, timeouts) it shoots up and the line would hug the passing side.
            (_, Some(f), Some(p))
                if !self.stalled && f > 1.0 && f <= MAX_INTERPOLATED_MARGIN && p <= 1.0 =>
            {
                let share = (f - 1.0) / (f - p);
                let x = f64::from(self.fails) + share * f64::from(self.passes - self.fails);
                x.ceil() as u32
            }
            (Some(true), None, _) if self.fails + 1 == min => {
                self.passes.saturating_sub(self.stride)
            }
            (Some(false), _, _) if self.passes == max => self.fails.saturating_add(self.stride),
            _ => mid,
        };
        n.clamp(lo, hi)
    }
}

/// Runs the search for one candidate scenario.
pub fn search(
    base: &Scenario,
    spec: &PlanSpec,
    windows: &Windows,
    cancel: &AtomicBool,
    progress: super::Progress,
) -> Result<SearchOutcome, SearchFailure> {
    let steps = spec.steps();
    progress("demand pass at the ceiling");
    // Demand pass at the ceiling: what arrives where, the latency floor, and whether any
    // target is out of reach.
    let ceiling = empty_schedule(base, spec, spec.max_instances);
    let ample = run_windows(base, spec, windows, &ceiling, cancel)?;
    let mut window_runs = steps as u64;
    let hosted: Vec<usize> = ceiling.hosted().collect();
    let n_dep = base.deployments.len();
    let mut demand = Demand {
        arrivals_rps: vec![vec![0.0; steps]; n_dep],
        floor_ttft_ms: vec![vec![0.0; steps]; n_dep],
    };
    let measured_s = windows.length.as_secs_f64() * f64::from(spec.replications);
    for (k, m) in ample.iter().enumerate() {
        for &d in &hosted {
            let r = &m.regions[d];
            demand.arrivals_rps[d][k] = r.outcomes.generated as f64 / measured_s;
            if let Some(t) = base.slo.ttft {
                demand.floor_ttft_ms[d][k] = r.latency.ttft.percentile_ms(t.percentile);
            }
            if let Some(miss) = first_miss(&r.outcomes, &r.latency, &base.slo) {
                return Err(SearchFailure::Infeasible(Infeasibility {
                    region: base.deployments[d].region.code.clone(),
                    step: k,
                    instances: spec.max_instances,
                    miss,
                    note: format!(
                        "even with {} instances (no queueing to speak of) — the network round trip and prefill alone take this long; loosen the target, move capacity closer to the users, or raise plan.max_instances",
                        spec.max_instances
                    ),
                }));
            }
        }
    }
    let warm = warm_start(base, spec, &demand, 1.0);
    let mut brackets: Vec<Vec<Bracket>> = vec![Vec::new(); n_dep];
    for &d in &hosted {
        // Brackets count instances + 1, so that a minimum of 0 has a failing side (−1).
        brackets[d] = vec![Bracket::new(spec.min_instances + 1, spec.max_instances + 1); steps];
    }
    let mut current = warm.clone();
    let mut iterations = 0;
    // Steps whose every region is bracketed to one instance need no more simulation.
    let mut open: Vec<usize> = (0..steps).collect();
    loop {
        iterations += 1;
        progress(&format!(
            "search round {iterations}, {} of {steps} step(s) open",
            open.len()
        ));
        let results = run_windows_of(base, spec, windows, &current, &open, cancel)?;
        window_runs += open.len() as u64;
        let mut next = current.clone();
        let mut all_done = true;
        for &d in &hosted {
            for (&k, m) in open.iter().zip(&results) {
                let b = &mut brackets[d][k];
                let n = current.at(d, k);
                let r = &m.regions[d];
                let pass = first_miss(&r.outcomes, &r.latency, &base.slo).is_none();
                b.record(n + 1, pass, margin(&r.outcomes, &r.latency, &base.slo));
                let nn = b.next(spec.min_instances + 1, spec.max_instances + 1) - 1;
                all_done &= b.done();
                next.set(d, k, nn);
            }
        }
        current = next;
        if all_done || iterations >= MAX_ITERATIONS {
            break;
        }
        open.retain(|&k| hosted.iter().any(|&d| !brackets[d][k].done()));
    }
    Ok(SearchOutcome {
        schedule: current,
        warm_start: warm,
        demand,
        iterations,
        window_runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_gallop_then_interpolate() {
        // Warm start 10 passes; nothing known below: try 9, then 7 …
        let mut b = Bracket::new(1, 64);
        b.record(10, true, 0.9);
        assert_eq!(b.next(1, 64), 9);
        b.record(9, true, 0.95);
        assert_eq!(b.next(1, 64), 7);
        // 7 fails at margin 1.5: the line from (7, 1.5) to (9, 0.95) reaches 1 at 8.8 → 9,
        // clamped into the open bracket: 8.
        b.record(7, false, 1.5);
        assert_eq!(b.next(1, 64), 8);
        b.record(8, false, 1.1);
        assert!(b.done());
        assert_eq!(b.next(1, 64), 9);
        // A failing warm start gallops up: 4 fails → 5, 7, 11 …
        let mut up = Bracket::new(1, 64);
        up.record(4, false, 3.0);
        assert_eq!(up.next(1, 64), 5);
        up.record(5, false, 2.0);
        assert_eq!(up.next(1, 64), 7);
        // Both sides measured, near the limit: interpolate: (5, 2.0) is too far past
        // saturation, so bisect between 5 and 7 → 6.
        up.record(7, true, 0.8);
        assert_eq!(up.next(1, 64), 6);
        // Near the limit the line is used: (20, 1.2) to (30, 0.7) reaches 1 at 24.
        let mut near = Bracket::new(1, 64);
        near.record(30, true, 0.7);
        near.record(20, false, 1.2);
        assert_eq!(near.next(1, 64), 24);
        // Two answers on the same side: bisect once.
        near.record(24, false, 1.05);
        near.record(25, false, 1.02);
        assert_eq!(near.next(1, 64), 27);
        // At the floor: passing at the minimum is done.
        let mut floor = Bracket::new(1, 64);
        floor.record(1, true, 0.2);
        assert!(floor.done());
    }
}
