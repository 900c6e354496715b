//! What a schedule costs per day, and the two baselines it is compared with: static peak
//! provisioning in every region, and all demand in one region.

use crate::scenario::Scenario;

use super::analytic::{SizingTarget, instances_for, ttft_wait_budget};
use super::schedule::InstanceSchedule;
use super::search::{Demand, slot_models};

/// Hours in AWS's billing month.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Instance-hours per day of deployment `d` (a horizon shorter than a day is scaled up).
pub fn instance_hours_per_day(
    schedule: &InstanceSchedule,
    d: usize,
    step_h: u32,
    horizon_h: u32,
) -> f64 {
    let hours: f64 = schedule
        .row(d)
        .iter()
        .map(|n| f64::from(*n) * f64::from(step_h))
        .sum();
    hours * 24.0 / f64::from(horizon_h)
}

/// USD/hour of one instance of deployment `d`.
pub fn price(base: &Scenario, d: usize) -> f64 {
    base.deployments[d]
        .self_hosted()
        .map_or(0.0, |h| h.price.usd_per_hour)
}

/// USD/day of running each region at its peak count all day.
pub fn static_peak_usd_per_day(base: &Scenario, schedule: &InstanceSchedule) -> f64 {
    schedule
        .hosted()
        .map(|d| {
            let peak = schedule.row(d).iter().copied().max().unwrap_or(0);
            f64::from(peak) * 24.0 * price(base, d)
        })
        .sum()
}

/// The cheapest region to carry all demand alone, sized per step by the analytic model
/// (its own latency floor, so distance to far users is not held against it): (region
/// index, USD/day).
pub fn single_region(
    base: &Scenario,
    demand: &Demand,
    step_h: u32,
    horizon_h: u32,
    min_instances: u32,
) -> Option<(usize, f64)> {
    let slots = slot_models(base);
    let steps = demand.arrivals_rps.iter().map(Vec::len).max().unwrap_or(0);
    let total: Vec<f64> = (0..steps)
        .map(|k| {
            demand
                .arrivals_rps
                .iter()
                .map(|row| row.get(k).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let mut best: Option<(usize, f64)> = None;
    for (d, slot) in slots.iter().enumerate() {
        let Some(slot) = slot else { continue };
        let mut usd = 0.0;
        for (k, rps) in total.iter().enumerate() {
            let wait = ttft_wait_budget(base.slo.ttft, demand.floor_ttft_ms[d][k]);
            let n = instances_for(
                *rps,
                *slot,
                SizingTarget {
                    wait,
                    max_utilisation: 0.85,
                },
                min_instances,
                100_000,
            );
            usd += f64::from(n) * f64::from(step_h) * price(base, d);
        }
        usd *= 24.0 / f64::from(horizon_h);
        if best.is_none_or(|(_, b)| usd < b) {
            best = Some((d, usd));
        }
    }
    best
}

/// Savings of `plan` against `baseline`, % (0 when the baseline costs nothing).
pub fn savings_pct(plan: f64, baseline: f64) -> f64 {
    if baseline <= 0.0 {
        0.0
    } else {
        100.0 * (baseline - plan) / baseline
    }
}
