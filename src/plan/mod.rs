//! The capacity planner: per region and hour, the fewest instances that meet the
//! scenario's targets, found by simulation from an analytic warm start, with resilience
//! to the loss of any one region, realised as scheduled scaling actions, costed against
//! simple baselines, and verified by simulating the whole horizon.
//!
//! Flow for each candidate (topology × instance type): [`search`] (demand pass, Erlang C
//! warm start, per-cell bracketing on each step's busiest window), then [`candidate`]
//! (resilience repairs, whole-horizon verification with the schedule as scheduled actions,
//! +growth and region-loss sensitivity); [`build`] writes the [`document`], [`render`]
//! the terminal summary.

pub mod analytic;
pub mod build;
pub mod candidate;
pub mod cost;
pub mod document;
pub mod evaluate;
pub mod judge;
pub mod render;
pub mod schedule;
pub mod search;
pub mod variants;

use std::sync::atomic::AtomicBool;

use crate::catalog::Catalog;
use crate::run::{Interrupted, RunOptions};
use crate::scenario::{self, Scenario};

pub use document::PlanDocument;
pub use judge::{Miss, TargetKind};
pub use schedule::{InstanceSchedule, PlannedAction};
pub use search::{Infeasibility, SearchFailure};

/// A planned candidate: its name, topology, instance type(s) and plan (or why none).
type Planned = (
    String,
    String,
    String,
    Result<candidate::CandidatePlan, Infeasibility>,
);

/// Per self-hosted region, the instance type whose plan cost least there (among `plans`
/// of one topology); `None` unless that mixes types. Regions do not compete for capacity
/// under static routing, so this is the cheapest mix; the mix is then planned in full,
/// resilience and verification included, like any candidate.
fn mixed_candidate(
    spec: &scenario::PlanSpec,
    plans: &[&candidate::CandidatePlan],
) -> Option<scenario::InstanceCandidate> {
    if spec.candidates.len() < 2 || plans.len() < 2 {
        return None;
    }
    let deployments = plans[0].base.deployments.len();
    // USD/day of each plan's instances in each self-hosted deployment.
    let costs: Vec<Vec<Option<f64>>> = plans
        .iter()
        .map(|p| {
            (0..deployments)
                .map(|d| {
                    p.base.deployments[d].self_hosted().map(|_| {
                        cost::instance_hours_per_day(&p.schedule, d, spec.step_h, spec.horizon_h)
                            * cost::price(&p.base, d)
                    })
                })
                .collect()
        })
        .collect();
    let mut per_deployment = Vec::with_capacity(deployments);
    let mut names = Vec::new();
    for (d, pick) in cheapest_per_deployment(&costs).into_iter().enumerate() {
        match pick.and_then(|i| plans[i].base.deployments[d].self_hosted()) {
            Some(h) => {
                names.push(format!(
                    "{} {}",
                    plans[0].base.deployments[d].region.code, h.profile.instance_type
                ));
                per_deployment.push(Some((h.profile.clone(), h.price, h.max_batch)));
            }
            None => per_deployment.push(None),
        }
    }
    let types: std::collections::BTreeSet<&str> = per_deployment
        .iter()
        .flatten()
        .map(|(p, _, _)| p.instance_type.as_str())
        .collect();
    (types.len() > 1).then(|| scenario::InstanceCandidate {
        name: format!("mixed ({})", names.join(", ")),
        per_deployment,
    })
}

/// For each deployment, the plan (index into `costs`, `[plan][deployment]`) that costs
/// least there; the first on ties; `None` where no plan has a cost.
fn cheapest_per_deployment(costs: &[Vec<Option<f64>>]) -> Vec<Option<usize>> {
    let deployments = costs.iter().map(Vec::len).max().unwrap_or(0);
    (0..deployments)
        .map(|d| {
            costs
                .iter()
                .enumerate()
                .filter_map(|(i, row)| row.get(d).copied().flatten().map(|c| (i, c)))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .map(|(i, _)| i)
        })
        .collect()
}

/// Version of the plan document's layout.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// Why there is no plan.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("the scenario has no [plan] section; add one (README \"Capacity planning\")")]
    NoPlanSection,
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

/// Told what the planner is doing (e.g. `base / g5.2xlarge: search round 3, 7 of 24 hours
/// open`), for a progress display; it must not affect the plan.
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// Plans every candidate of `scenario`'s `[plan]` section and recommends the cheapest
/// that meets every target within the budget. `options` override the seed and the
/// replications (of the plan's measurements).
pub fn plan(
    scenario: &Scenario,
    catalog: &Catalog,
    options: RunOptions,
    cancel: &AtomicBool,
) -> Result<PlanDocument, PlanError> {
    plan_with_progress(scenario, catalog, options, cancel, &|_| {})
}

/// Like [`plan`], telling `progress` what it is doing.
pub fn plan_with_progress(
    scenario: &Scenario,
    catalog: &Catalog,
    options: RunOptions,
    cancel: &AtomicBool,
    progress: Progress,
) -> Result<PlanDocument, PlanError> {
    let mut spec = scenario.plan.clone().ok_or(PlanError::NoPlanSection)?;
    let scenario = crate::run::with_overrides(
        scenario,
        RunOptions {
            replications: None,
            ..options
        },
    );
    if let Some(r) = options.replications {
        spec.replications = r.max(1);
    }
    let mut candidates = Vec::new();
    for topology in &spec.topologies {
        let topology_name =
            topology.map_or("base".to_string(), |i| scenario.topologies[i].name.clone());
        let first = candidates.len();
        let plan_one = |cand: &scenario::InstanceCandidate| -> Result<Planned, PlanError> {
            let base = variants::candidate(&scenario, *topology, cand);
            let name = format!("{topology_name} / {}", cand.name);
            let tell = |what: &str| progress(&format!("{name}: {what}"));
            let outcome = match candidate::plan_candidate(base, &spec, catalog, cancel, &tell) {
                Ok(p) => Ok(p),
                Err(SearchFailure::Interrupted) => return Err(PlanError::Interrupted(Interrupted)),
                Err(SearchFailure::Infeasible(i)) => Err(i),
            };
            Ok((name, topology_name.clone(), cand.name.clone(), outcome))
        };
        for cand in &spec.candidates {
            candidates.push(plan_one(cand)?);
        }
        // With several instance types, each region may do best with its own: the type of
        // least instance cost per region among this topology's plans, planned (and
        // verified) as a candidate of its own when it mixes types.
        let planned: Vec<&candidate::CandidatePlan> = candidates[first..]
            .iter()
            .filter_map(|c| c.3.as_ref().ok())
            .collect();
        if let Some(mixed) = mixed_candidate(&spec, &planned) {
            candidates.push(plan_one(&mixed)?);
        }
    }
    let mut docs: Vec<document::CandidateDoc> = candidates
        .iter()
        .map(|(name, topology, ty, outcome)| match outcome {
            Ok(p) => {
                let usd = build::total_usd_per_day(p, &spec);
                let verified = build::verified(&p.verification, p);
                let (status, reason) = if !verified {
                    (
                        "not verified",
                        "the whole-horizon verification still misses a target (see verification)"
                            .to_string(),
                    )
                } else if spec.budget_usd_per_day.is_some_and(|b| usd > b) {
                    (
                        "over budget",
                        format!(
                            "{usd:.2} USD/day exceeds the budget of {:.2} USD/day",
                            spec.budget_usd_per_day.unwrap_or(0.0)
                        ),
                    )
                } else {
                    ("feasible", "meets every target".to_string())
                };
                document::CandidateDoc {
                    name: name.clone(),
                    topology: topology.clone(),
                    instance_type: ty.clone(),
                    status: status.into(),
                    reason,
                    cost_usd_per_day: Some(crate::report::json::round(usd, 2)),
                    plan: Some(build::detail(p, &spec)),
                }
            }
            Err(i) => document::CandidateDoc {
                name: name.clone(),
                topology: topology.clone(),
                instance_type: ty.clone(),
                status: "infeasible".into(),
                reason: format!(
                    "{} misses {} at {:02}:00 UTC: {} {}",
                    i.region,
                    i.miss.target_name(),
                    (scenario.simulation.start_utc_hour.floor() as u32
                        + i.step as u32 * spec.step_h)
                        % 24,
                    i.miss.describe(),
                    i.note
                ),
                cost_usd_per_day: None,
                plan: None,
            },
        })
        .collect();
    // Cheapest feasible first, then the others in their order.
    docs.sort_by(|a, b| {
        let key = |c: &document::CandidateDoc| {
            (
                c.status != "feasible",
                if c.status == "feasible" {
                    c.cost_usd_per_day.unwrap_or(f64::MAX)
                } else {
                    0.0
                },
            )
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    let recommended = docs
        .first()
        .filter(|c| c.status == "feasible")
        .map(|c| c.name.clone());
    if let Some(best) = docs
        .first()
        .and_then(|c| c.cost_usd_per_day)
        .filter(|_| recommended.is_some())
    {
        for (i, c) in docs.iter_mut().enumerate() {
            if i == 0 {
                c.status = "recommended".into();
                c.reason = "the cheapest candidate that meets every target".into();
            } else if c.status == "feasible" {
                let usd = c.cost_usd_per_day.unwrap_or(best);
                c.reason = format!(
                    "meets every target but costs {:.2} USD/day more (+{:.1} %)",
                    usd - best,
                    100.0 * (usd - best) / best.max(1e-9)
                );
            }
        }
    }
    Ok(PlanDocument {
        schema_version: PLAN_SCHEMA_VERSION,
        kind: "plan".into(),
        meridian_version: env!("CARGO_PKG_VERSION").into(),
        scenario: build::scenario_doc(&scenario, &spec),
        status: if recommended.is_some() {
            "feasible"
        } else {
            "infeasible"
        }
        .into(),
        recommended,
        candidates: docs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_deployment_takes_its_cheapest_plan() {
        // Two plans × three deployments (the last not self-hosted).
        let costs = vec![
            vec![Some(10.0), Some(50.0), None],
            vec![Some(12.0), Some(40.0), None],
        ];
        assert_eq!(
            cheapest_per_deployment(&costs),
            vec![Some(0), Some(1), None]
        );
        // Ties go to the first plan.
        assert_eq!(
            cheapest_per_deployment(&[vec![Some(1.0)], vec![Some(1.0)]]),
            vec![Some(0)]
        );
    }
}
