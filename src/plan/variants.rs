//! The scenarios the planner simulates, derived from the user's: one candidate
//! (topology × instance type) with its faults and autoscaling stripped, a search window of
//! one step at static capacity, and the whole horizon with the schedule realised as
//! scheduled scaling actions.

use crate::engine::SimTime;
use crate::scenario::{
    Autoscaling, DeploymentKind, Fault, FaultKind, InstanceCandidate, RoutingConfig, Scenario,
    ScheduledAction, Simulation,
};

use super::schedule::InstanceSchedule;

/// Minutes in a day.
const DAY_MIN: f64 = 1440.0;

/// The user's scenario as candidate `cand` under `topology` (`None`: its own routing):
/// instance types swapped, no faults (the plan is for normal operation; losses are tried
/// separately), no autoscaling or scheduled actions (the plan replaces them).
pub fn candidate(s: &Scenario, topology: Option<usize>, cand: &InstanceCandidate) -> Scenario {
    let mut out = match topology {
        Some(i) => s.with_topology(&s.topologies[i]),
        None => {
            let mut c = s.clone();
            c.topologies = Vec::new();
            c
        }
    };
    for (d, choice) in out.deployments.iter_mut().zip(&cand.per_deployment) {
        if let (DeploymentKind::SelfHosted(h), Some((profile, price, max_batch))) =
            (&mut d.kind, choice)
        {
            h.profile = profile.clone();
            h.price = *price;
            h.max_batch = *max_batch;
            h.autoscaling = None;
            h.scheduled_actions = Vec::new();
        }
    }
    out.faults = Vec::new();
    out
}

/// UTC minute of the day at simulated time `t` of a run.
fn utc_minute(sim: &Simulation, t: SimTime) -> f64 {
    (sim.start_utc_hour * 60.0 - sim.warmup.as_secs_f64() / 60.0 + t.as_secs_f64() / 60.0)
        .rem_euclid(DAY_MIN)
}

/// Weighted routing's weights in effect at UTC minute `utc_min` of the day, reading the
/// original run's schedule as a daily one.
fn weights_at(
    weights: &[f64],
    schedule: &[(SimTime, Vec<f64>)],
    orig: &Simulation,
    utc_min: f64,
) -> Vec<f64> {
    let t0 = utc_minute(orig, SimTime::ZERO);
    let since_start_min = (utc_min - t0).rem_euclid(DAY_MIN);
    schedule
        .iter()
        .rfind(|(t, _)| t.as_secs_f64() / 60.0 <= since_start_min)
        .map_or_else(|| weights.to_vec(), |(_, w)| w.clone())
}

/// `routing` (written for a run with `orig` timing) moved to a run with `new` timing: a
/// weighted schedule is read as daily and replayed at the same UTC times.
fn retime(routing: &RoutingConfig, orig: &Simulation, new: &Simulation) -> RoutingConfig {
    let RoutingConfig::Weighted { weights, schedule } = routing else {
        return routing.clone();
    };
    if schedule.is_empty() {
        return routing.clone();
    }
    let end = new.warmup + new.duration;
    let new_t0 = utc_minute(new, SimTime::ZERO);
    let mut changes: Vec<(SimTime, Vec<f64>)> = Vec::new();
    // Each change, and the return to the base weights at the original run's start.
    let times = std::iter::once(SimTime::ZERO).chain(schedule.iter().map(|(t, _)| *t));
    for t in times {
        let utc = utc_minute(orig, t);
        let mut at_min = (utc - new_t0).rem_euclid(DAY_MIN);
        while at_min * 60.0 < end.as_secs_f64() {
            if at_min > 0.0 {
                changes.push((
                    SimTime::from_secs_ceil(at_min * 60.0),
                    weights_at(weights, schedule, orig, utc),
                ));
            }
            at_min += DAY_MIN;
        }
    }
    changes.sort_by_key(|(t, _)| *t);
    RoutingConfig::Weighted {
        weights: weights_at(weights, schedule, orig, new_t0),
        schedule: changes,
    }
}

/// One search window: step `step` of the plan at static capacity `counts[d][step]`,
/// simulated for `window` after `warmup`, measurement starting at `start_utc_hour`.
pub fn window(
    base: &Scenario,
    start_utc_hour: f64,
    step: usize,
    window: SimTime,
    warmup: SimTime,
    counts: &InstanceSchedule,
) -> Scenario {
    let mut s = base.clone();
    s.simulation = Simulation {
        duration: window,
        warmup,
        start_utc_hour: start_utc_hour.rem_euclid(24.0),
        timeseries_step: window,
        cell_step: None,
        ..base.simulation.clone()
    };
    s.routing = retime(&base.routing, &base.simulation, &s.simulation);
    for (d, dep) in s.deployments.iter_mut().enumerate() {
        if let DeploymentKind::SelfHosted(h) = &mut dep.kind {
            h.instances = counts.at(d, step);
        }
    }
    s
}

/// `s` with deployment `region` down for its whole measured window (and warm-up's last
/// minute, so that health checks have started failing by the time measurement starts is
/// *not* assumed: the outage starts with measurement).
pub fn with_outage(s: &Scenario, region: usize) -> Scenario {
    let mut out = s.clone();
    let sim = &out.simulation;
    out.faults = vec![Fault {
        kind: FaultKind::Outage,
        region,
        start: sim.warmup,
        end: sim.warmup + sim.duration,
        label: format!("outage of {}", s.deployments[region].region.code),
    }];
    out
}

/// The whole horizon with the schedule realised as scheduled actions (each scale-up
/// `lead` before its step, scale-downs at the step), cells per step, `replications`
/// replications.
pub fn horizon(
    base: &Scenario,
    plan_start_utc_hour: f64,
    steps: usize,
    step: SimTime,
    warmup: SimTime,
    lead: SimTime,
    counts: &InstanceSchedule,
) -> Scenario {
    let mut s = base.clone();
    s.simulation = Simulation {
        duration: SimTime(step.as_us() * steps as u64),
        warmup,
        start_utc_hour: plan_start_utc_hour,
        timeseries_step: step,
        cell_step: Some(step),
        ..base.simulation.clone()
    };
    s.routing = retime(&base.routing, &base.simulation, &s.simulation);
    let actions = counts.actions(
        plan_start_utc_hour,
        base.simulation.start_weekday,
        step,
        lead,
    );
    for (d, dep) in s.deployments.iter_mut().enumerate() {
        let DeploymentKind::SelfHosted(h) = &mut dep.kind else {
            continue;
        };
        // What runs during warm-up: the count the schedule has just before the start.
        let start = counts.count_before_start(d);
        h.instances = start;
        h.autoscaling = Some(Autoscaling {
            min_instances: start,
            max_instances: start,
            target_utilisation: 1.0,
            launch: lead,
            period: step,
            scale_out_cooldown: SimTime::ZERO,
            scale_in_cooldown: SimTime::ZERO,
        });
        h.scheduled_actions = actions
            .iter()
            .filter(|a| a.deployment == d)
            .map(|a| {
                ScheduledAction::daily(&a.name, &a.cron, a.desired, a.desired, &s.simulation)
                    .expect("the planner writes valid daily cron expressions")
            })
            .collect();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(start_utc_hour: f64, warmup_s: u64, duration_s: u64) -> Simulation {
        Simulation {
            duration: SimTime::from_secs(duration_s),
            warmup: SimTime::from_secs(warmup_s),
            seed: 1,
            replications: 1,
            start_utc_hour,
            timeseries_step: SimTime::from_secs(60),
            cell_step: None,
            start_weekday: 0,
        }
    }

    #[test]
    fn weighted_schedules_keep_their_utc_times() {
        // Original: starts 10:00 UTC after 600 s warm-up; at 11:00 UTC weights flip.
        let orig = sim(10.0, 600, 7200);
        let routing = RoutingConfig::Weighted {
            weights: vec![1.0, 0.0],
            schedule: vec![(SimTime::from_secs(600 + 3600), vec![0.0, 1.0])],
        };
        // A window at 12:00 UTC sees the flipped weights from its start.
        let late = sim(12.0, 300, 600);
        match retime(&routing, &orig, &late) {
            RoutingConfig::Weighted { weights, .. } => assert_eq!(weights, vec![0.0, 1.0]),
            _ => unreachable!(),
        }
        // A day from 00:00 UTC starts with the flipped weights (the last change of the
        // day before), returns to the base weights at 09:50 UTC (the original run's
        // start) and flips again at 11:00 UTC — each plus the day run's warm-up.
        let day = sim(0.0, 300, 86_400);
        match retime(&routing, &orig, &day) {
            RoutingConfig::Weighted { weights, schedule } => {
                assert_eq!(weights, vec![0.0, 1.0]);
                assert_eq!(schedule[0].0, SimTime::from_secs(300 + 9 * 3600 + 50 * 60));
                assert_eq!(schedule[0].1, vec![1.0, 0.0]);
                assert_eq!(schedule[1].0, SimTime::from_secs(300 + 11 * 3600));
                assert_eq!(schedule[1].1, vec![0.0, 1.0]);
            }
            _ => unreachable!(),
        }
    }
}
