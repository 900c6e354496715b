//! Chart data from a capacity plan, built from the [`PlanDocument`] alone so that the charts
//! and `plan --json` always agree. Costs are per day unless a title says otherwise.

use super::from_run::{components, drop_empty_components};
use super::render::{AnyChart, clock};
use super::{
    AnyChartList, CapacityHeatmap, CostBar, CostBreakdown, LoadCapacity, NamedChart, RegionLoad,
};
use crate::plan::document::{CandidateDoc, PlanDetailDoc, PlanDocument};

/// Start of each step, hours from 00:00 UTC of the plan's first day (values past 24 are
/// the next day, so a horizon across midnight stays in order).
fn step_hours(doc: &PlanDocument, steps: usize) -> Vec<f64> {
    let s = &doc.scenario;
    (0..steps)
        .map(|i| f64::from(s.start_utc_hour) + (i as f64) * f64::from(s.step_h))
        .collect()
}

/// End of the horizon, hours from 00:00 UTC of the plan's first day.
fn end_hour(doc: &PlanDocument) -> f64 {
    f64::from(doc.scenario.start_utc_hour) + f64::from(doc.scenario.horizon_h)
}

/// Desired instances per region (rows) and step (columns), with each region's cost over the
/// horizon shown (the document's USD/day × horizon ÷ 24 h).
pub fn plan_capacity_heatmap(
    doc: &PlanDocument,
    cand: &CandidateDoc,
    p: &PlanDetailDoc,
) -> CapacityHeatmap {
    let columns = p.regions.first().map_or(0, |r| r.steps.len());
    let share_of_day = f64::from(doc.scenario.horizon_h) / 24.0;
    CapacityHeatmap {
        title: format!(
            "{}: planned instances per region and hour ({})",
            doc.scenario.name, cand.name
        ),
        regions: p.regions.iter().map(|r| r.region.clone()).collect(),
        hours: step_hours(doc, columns)
            .into_iter()
            .map(|h| clock(h.floor()))
            .collect(),
        instances: p
            .regions
            .iter()
            .map(|r| r.steps.iter().map(|s| f64::from(s.desired)).collect())
            .collect(),
        cost_usd: p
            .regions
            .iter()
            .map(|r| {
                p.cost
                    .regions
                    .iter()
                    .find(|c| c.region == r.region)
                    .map_or(0.0, |c| c.total_usd_per_day * share_of_day)
            })
            .collect(),
    }
}

/// Per region: the demand of each step's busiest window (req/s), the planned instance count
/// as a step line, and the utilisation the verification measured (%). The plan document
/// has no per-instance throughput, so there is no capacity line in req/s: the planned
/// instances are the capacity.
pub fn plan_load_capacity(
    doc: &PlanDocument,
    cand: &CandidateDoc,
    p: &PlanDetailDoc,
) -> LoadCapacity {
    let end = end_hour(doc);
    let regions = p
        .regions
        .iter()
        .map(|r| {
            let at = step_hours(doc, r.steps.len());
            let series = |f: &dyn Fn(&crate::plan::document::StepPlanDoc) -> f64| {
                at.iter()
                    .zip(&r.steps)
                    .map(|(h, s)| (*h, f(s)))
                    .collect::<Vec<_>>()
            };
            // Demand is one figure per step: drawn as a staircase like the instances.
            let demand = super::load::steps(&series(&|s| s.demand_rps), end);
            RegionLoad {
                name: r.region.clone(),
                request_rate_rps: demand,
                capacity_rps: Vec::new(),
                instances: series(&|s| f64::from(s.desired)),
                utilisation_pct: series(&|s| s.utilisation_pct),
            }
        })
        .collect();
    LoadCapacity {
        title: format!(
            "{}: planned load and capacity per region ({})",
            doc.scenario.name, cand.name
        ),
        end_hour: end,
        regions,
    }
}

/// One bar per candidate that has a plan, stacked by cost component (instances, tokens,
/// request fees summed over its regions), USD per day.
pub fn plan_cost_breakdown(doc: &PlanDocument) -> CostBreakdown {
    let mut bars: Vec<CostBar> = doc
        .candidates
        .iter()
        .filter_map(|c| {
            let p = c.plan.as_ref()?;
            let sum = |f: fn(&crate::plan::document::RegionCostDoc) -> f64| {
                p.cost.regions.iter().map(f).sum::<f64>()
            };
            Some(CostBar {
                label: c.name.clone(),
                segments: components(
                    sum(|r| r.instances_usd_per_day),
                    sum(|r| r.tokens_usd_per_day),
                    sum(|r| r.requests_usd_per_day),
                ),
            })
        })
        .collect();
    drop_empty_components(&mut bars);
    CostBreakdown {
        title: format!(
            "{}: cost per day by candidate and component",
            doc.scenario.name
        ),
        y_desc: "cost per day [USD]".into(),
        bars,
    }
}

/// The plan's charts with their file stems: `capacity-heatmap` and `load-capacity` of the
/// candidate the plan shows (the recommended one, else the closest planned one), and
/// `cost-breakdown` over every planned candidate. Empty when no candidate was planned.
pub fn plan_charts(doc: &PlanDocument) -> AnyChartList {
    let Some((cand, p)) = doc.shown() else {
        return Vec::new();
    };
    let named = |stem: &str, chart: AnyChart| NamedChart {
        stem: stem.into(),
        chart,
    };
    vec![
        named(
            "capacity-heatmap",
            AnyChart::CapacityHeatmap(plan_capacity_heatmap(doc, cand, p)),
        ),
        named(
            "load-capacity",
            AnyChart::LoadCapacity(plan_load_capacity(doc, cand, p)),
        ),
        named(
            "cost-breakdown",
            AnyChart::CostBreakdown(plan_cost_breakdown(doc)),
        ),
    ]
}
