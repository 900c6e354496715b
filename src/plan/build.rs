//! Turns planned candidates into the plan document.

use crate::catalog::PriceOrigin;
use crate::report::document::SloDoc;
use crate::report::json::{ci, round};
use crate::run::{RunResult, SloCheck};
use crate::scenario::{PlanSpec, RoutingConfig, Scenario, SloTargets};

use super::candidate::CandidatePlan;
use super::cost;
use super::document::*;

/// The targets as name/value pairs.
pub fn target_docs(t: &SloTargets) -> Vec<TargetDoc> {
    let mut out = Vec::new();
    if let Some(l) = t.ttft {
        out.push(TargetDoc {
            name: format!("ttft_p{}_ms", l.percentile),
            target: l.max_ms,
        });
    }
    if let Some(l) = t.e2e {
        out.push(TargetDoc {
            name: format!("e2e_p{}_ms", l.percentile),
            target: l.max_ms,
        });
    }
    if let Some(a) = t.availability_pct {
        out.push(TargetDoc {
            name: "availability_pct".into(),
            target: a,
        });
    }
    out
}

fn checks(slo: &[SloCheck]) -> Vec<CheckDoc> {
    slo.iter()
        .map(|s| {
            let m = &s.per_replication;
            CheckDoc {
                slo: SloDoc {
                    name: s.name(),
                    target: s.target,
                    measured: round(s.measured, 4),
                    per_replication: ci(m, 4),
                    pass: s.pass,
                },
                confident: super::candidate::confident(s),
            }
        })
        .collect()
}

fn utc_hour(spec: &PlanSpec, start: u32, k: usize) -> u32 {
    (start + k as u32 * spec.step_h) % 24
}

/// Day of the week step `k` starts on.
fn weekday(spec: &PlanSpec, base: &Scenario, k: usize) -> String {
    let start = base.simulation.start_utc_hour.floor() as u32;
    let day = (start + k as u32 * spec.step_h) / 24;
    crate::scenario::WEEKDAYS[((base.simulation.start_weekday + day) % 7) as usize].to_string()
}

/// Total USD/day of a candidate's plan (instances plus usage-priced components).
pub fn total_usd_per_day(p: &CandidatePlan, spec: &PlanSpec) -> f64 {
    region_costs(p, spec)
        .iter()
        .map(|r| r.total_usd_per_day)
        .sum()
}

fn region_costs(p: &CandidatePlan, spec: &PlanSpec) -> Vec<RegionCostDoc> {
    let v = &p.verification;
    let reps = f64::from(v.replications);
    let per_day = 86_400.0 / v.scenario.simulation.duration.as_secs_f64();
    p.base
        .deployments
        .iter()
        .enumerate()
        .map(|(d, dep)| {
            let hours = if dep.self_hosted().is_some() {
                cost::instance_hours_per_day(&p.schedule, d, spec.step_h, spec.horizon_h)
            } else {
                0.0
            };
            let instances = hours * cost::price(&p.base, d);
            let m = &v.merged.regions[d];
            let tokens = m.token_cost_usd / reps * per_day;
            let requests = m.request_fees_usd / reps * per_day;
            RegionCostDoc {
                region: dep.region.code.clone(),
                instance_hours_per_day: round(hours, 3),
                instances_usd_per_day: round(instances, 2),
                tokens_usd_per_day: round(tokens, 2),
                requests_usd_per_day: round(requests, 2),
                total_usd_per_day: round(instances + tokens + requests, 2),
            }
        })
        .collect()
}

fn measured(
    h: &crate::metrics::LatencyHistogram,
    t: Option<crate::scenario::LatencyTarget>,
) -> Option<f64> {
    let t = t?;
    (h.count() > 0).then(|| round(h.percentile_ms(t.percentile), 1))
}

/// The detail of a planned candidate.
pub fn detail(p: &CandidatePlan, spec: &PlanSpec) -> PlanDetailDoc {
    let base = &p.base;
    let start = base.simulation.start_utc_hour.floor() as u32;
    let growth = 1.0 + spec.demand_growth_pct / 100.0;
    let v = &p.verification;
    let cells = &v.merged.cells;
    let regions = p
        .schedule
        .hosted()
        .map(|d| {
            let h = base.deployments[d].self_hosted().expect("hosted");
            let util = &p.utilisation[d];
            RegionPlanDoc {
                region: base.deployments[d].region.code.clone(),
                instance_type: h.profile.instance_type.clone(),
                usd_per_instance_hour: h.price.usd_per_hour,
                price_origin: match h.price.origin {
                    PriceOrigin::Measured => "measured".into(),
                    PriceOrigin::DerivedFromMultiplier => "derived".into(),
                },
                steps: (0..spec.steps())
                    .map(|k| {
                        let desired = p.schedule.at(d, k);
                        let c = cells.cell(d, k.min(cells.buckets() - 1));
                        StepPlanDoc {
                            utc_hour: utc_hour(spec, start, k),
                            weekday: weekday(spec, base, k),
                            desired,
                            min: desired,
                            max: (f64::from(desired) * growth).ceil() as u32,
                            analytic: p.search.warm_start.at(d, k),
                            demand_rps: round(p.search.demand.arrivals_rps[d][k], 3),
                            utilisation_pct: round(100.0 * util.get(k).copied().unwrap_or(0.0), 1),
                            requests: c.outcomes.generated,
                            ttft_ms: measured(&c.latency.ttft, base.slo.ttft),
                            e2e_ms: measured(&c.latency.e2e, base.slo.e2e),
                            availability_pct: round(c.outcomes.availability_pct(), 3),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let actions = p
        .schedule
        .actions(
            f64::from(start),
            base.simulation.start_weekday,
            spec.step(),
            spec.lead_time,
        )
        .into_iter()
        .map(|a| ActionDoc {
            region: a.region,
            name: a.name,
            schedule: a.cron,
            min_capacity: a.desired,
            max_capacity: (f64::from(a.desired) * growth).ceil() as u32,
            desired_capacity: a.desired,
        })
        .collect();
    let regions_cost = region_costs(p, spec);
    let total: f64 = regions_cost.iter().map(|r| r.total_usd_per_day).sum();
    let usage: f64 = regions_cost
        .iter()
        .map(|r| r.tokens_usd_per_day + r.requests_usd_per_day)
        .sum();
    let static_peak = cost::static_peak_usd_per_day(base, &p.schedule) + usage;
    let single = cost::single_region(base, &p.search.demand, spec.step_h, spec.horizon_h, spec.min_instances)
        .map(|(d, usd)| SingleRegionDoc {
            region: base.deployments[d].region.code.clone(),
            usd_per_day: round(usd + usage, 2),
            savings_pct: round(cost::savings_pct(total, usd + usage), 1),
            method: "all demand in this region, sized per step by Erlang C on batch slots (not simulated; the distance to far users is not held against it)".into(),
        });
    let weights = match &base.routing {
        RoutingConfig::Weighted { weights, .. } => base
            .deployments
            .iter()
            .zip(weights)
            .map(|(d, w)| RegionWeightDoc {
                region: d.region.code.clone(),
                weight: *w,
            })
            .collect(),
        _ => Vec::new(),
    };
    let judged_against = if spec.resilience.is_some() {
        "resilience"
    } else {
        "slo"
    };
    let loss_targets = spec.resilience.as_ref().unwrap_or(&base.slo);
    let step_h = f64::from(spec.step_h);
    PlanDetailDoc {
        routing: RoutingDoc {
            policy: base.routing.name().into(),
            weights,
        },
        regions,
        scheduled_actions: actions,
        cost: PlanCostDoc {
            regions: regions_cost,
            total_usd_per_day: round(total, 2),
            total_usd_per_month: round(total * cost::HOURS_PER_MONTH / 24.0, 2),
            static_peak_usd_per_day: round(static_peak, 2),
            savings_vs_static_peak_pct: round(cost::savings_pct(total, static_peak), 1),
            single_region: single,
        },
        verification: VerificationDoc {
            mode: match spec.verify {
                crate::scenario::Verification::Horizon => "horizon".into(),
                crate::scenario::Verification::Windows => "windows".into(),
            },
            targets: checks(&v.slo),
            short_cells: p
                .short
                .iter()
                .map(|c| ShortCellDoc {
                    region: base.deployments[c.deployment].region.code.clone(),
                    utc_hour: utc_hour(spec, start, c.step),
                    miss: c.miss.describe(),
                })
                .collect(),
            requests: v.merged.outcomes.generated,
            residency_violations: v.merged.residency_violations,
        },
        sensitivity: SensitivityDoc {
            demand_growth_pct: spec.demand_growth_pct,
            demand_growth: checks(&p.growth.slo),
            region_loss: p
                .losses
                .iter()
                .map(|l| RegionLossDoc {
                    region: base.deployments[l.deployment].region.code.clone(),
                    utc_hour: utc_hour(spec, start, l.step),
                    lost_requests: l.lost_requests,
                    survivors_requests: l.survivors.generated,
                    survivors_availability_pct: round(l.survivors.availability_pct(), 3),
                    survivors_ttft_ms: measured(&l.survivors_latency.ttft, loss_targets.ttft),
                    survivors_e2e_ms: measured(&l.survivors_latency.e2e, loss_targets.e2e),
                    judged_against: judged_against.into(),
                    pass: l.miss.is_none(),
                    miss: l.miss.map(|m| m.describe()),
                })
                .collect(),
        },
        search: SearchDoc {
            iterations: p.search.iterations,
            window_runs: p.search.window_runs,
            horizon_runs: p.horizon_runs,
            instance_hours_added_for_resilience: p.added_for_resilience as f64 * step_h,
            instance_hours_added_in_verification: p.added_in_verification as f64 * step_h,
            instance_hours_removed_in_verification: p.removed_in_verification as f64 * step_h,
            window_offsets_s: p.windows.offsets.iter().map(|o| o.as_secs_f64()).collect(),
            analytic_instance_hours: p.search.warm_start.total() as f64 * step_h,
            planned_instance_hours: p.schedule.total() as f64 * step_h,
        },
    }
}

/// The scenario echo.
pub fn scenario_doc(s: &Scenario, spec: &PlanSpec) -> PlanScenarioDoc {
    PlanScenarioDoc {
        name: s.name.clone(),
        content_hash: s.content_hash.clone(),
        seed: s.simulation.seed,
        replications: spec.replications,
        start_utc_hour: s.simulation.start_utc_hour.floor() as u32,
        horizon_h: spec.horizon_h,
        step_h: spec.step_h,
        lead_time_s: spec.lead_time.as_secs_f64(),
        search_window_s: spec.search_window.as_secs_f64(),
        demand_growth_pct: spec.demand_growth_pct,
        budget_usd_per_day: spec.budget_usd_per_day,
        targets: target_docs(&s.slo),
        resilience_targets: spec
            .resilience
            .as_ref()
            .map(target_docs)
            .unwrap_or_default(),
    }
}

/// Whether every verification target passed and no cell is short.
pub fn verified(v: &RunResult, p: &CandidatePlan) -> bool {
    v.slo.iter().all(|s| s.pass) && p.short.is_empty() && v.merged.residency_violations == 0
}
