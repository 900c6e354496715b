//! The plan for people: a terminal summary of the plan document, and the scheduled
//! actions as `put_scheduled_action` calls.

use std::fmt::Write;

use crate::report::Table;

use super::document::{CheckDoc, PlanDetailDoc, PlanDocument};

/// The terminal summary.
pub fn summary(doc: &PlanDocument) -> String {
    summary_with(doc, Table::render)
}

/// The summary with Markdown tables (for pull-request comments and notes).
pub fn summary_markdown(doc: &PlanDocument) -> String {
    summary_with(doc, Table::render_markdown)
}

/// The shown candidate's plan per region and step as CSV: one row per region-hour with
/// the plan and what the verification measured (empty when no candidate was planned).
pub fn steps_csv(doc: &PlanDocument) -> String {
    let mut t = Table::new(&[
        "candidate",
        "region",
        "instance_type",
        "utc_hour",
        "desired",
        "min",
        "max",
        "analytic",
        "demand_rps",
        "utilisation_pct",
        "requests",
        "ttft_ms",
        "e2e_ms",
        "availability_pct",
    ]);
    if let Some((c, p)) = doc.shown() {
        let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        for r in &p.regions {
            for st in &r.steps {
                t.row(vec![
                    c.name.clone(),
                    r.region.clone(),
                    r.instance_type.clone(),
                    st.utc_hour.to_string(),
                    st.desired.to_string(),
                    st.min.to_string(),
                    st.max.to_string(),
                    st.analytic.to_string(),
                    st.demand_rps.to_string(),
                    st.utilisation_pct.to_string(),
                    st.requests.to_string(),
                    opt(st.ttft_ms),
                    opt(st.e2e_ms),
                    st.availability_pct.to_string(),
                ]);
            }
        }
    }
    t.render_csv()
}

fn summary_with(doc: &PlanDocument, render: fn(&Table) -> String) -> String {
    let s = &doc.scenario;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "meridian plan {} — {} h from {:02}:00 UTC in steps of {} h, seed {}, {} replication(s), lead time {} s",
        s.name, s.horizon_h, s.start_utc_hour, s.step_h, s.seed, s.replications, s.lead_time_s
    );
    let _ = writeln!(
        out,
        "targets in every region and step: {}",
        targets(&s.targets)
    );
    if !s.resilience_targets.is_empty() {
        let _ = writeln!(
            out,
            "resilience (survivors of any one region's loss): {}",
            targets(&s.resilience_targets)
        );
    }
    out.push('\n');
    out.push_str(&render(&candidates_table(doc)));
    if let Some(best) = doc.candidates.iter().find(|c| c.status == "recommended") {
        let _ = writeln!(out, "\nrecommended: {}", best.name);
    } else {
        let _ = writeln!(
            out,
            "\nno candidate meets every target: the plan is INFEASIBLE (see \"why\")"
        );
    }
    // The recommended plan, or the closest one's detail if any was planned.
    if let Some((c, p)) = doc.shown() {
        if doc.recommended.is_none() {
            let _ = writeln!(out, "\nclosest: {}", c.name);
        }
        out.push_str(&detail(p, render));
    }
    out
}

/// Every candidate: name, status, USD/day and why it was (not) chosen.
pub fn candidates_table(doc: &PlanDocument) -> Table {
    let mut t = Table::new(&["candidate", "status", "USD/day", "why"]);
    for c in &doc.candidates {
        t.row(vec![
            c.name.clone(),
            c.status.clone(),
            c.cost_usd_per_day.map_or("—".into(), |u| format!("{u:.2}")),
            c.reason.clone(),
        ]);
    }
    t
}

/// e.g. `ttft_p95_ms ≤ 1500, availability_pct ≥ 99.9`.
pub fn targets(ts: &[super::document::TargetDoc]) -> String {
    ts.iter()
        .map(|t| {
            let op = if t.name.starts_with("availability") {
                "≥"
            } else {
                "≤"
            };
            format!("{} {op} {}", t.name, t.target)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Targets checked: limit, pooled measurement, per-replication mean ± 95 % CI, result.
pub fn checks_table(rows: &[CheckDoc]) -> Table {
    let mut t = Table::new(&[
        "target",
        "limit",
        "measured",
        "replications ± 95 % CI",
        "result",
    ]);
    for c in rows {
        let s = &c.slo;
        t.row(vec![
            s.name.clone(),
            format!("{}", s.target),
            format!("{:.1}", s.measured),
            format!(
                "{:.1} ± {:.1}",
                s.per_replication.mean, s.per_replication.ci95
            ),
            match (s.pass, c.confident) {
                (true, true) => "pass".into(),
                (true, false) => "pass (CI overlaps)".into(),
                _ => "FAIL".into(),
            },
        ]);
    }
    t
}

/// Desired instances per region (rows) and UTC hour (columns), with each region's USD/day.
pub fn instances_table(p: &PlanDetailDoc) -> Table {
    let hours: Vec<u32> = p
        .regions
        .first()
        .map(|r| r.steps.iter().map(|s| s.utc_hour).collect())
        .unwrap_or_default();
    let mut headers: Vec<String> = vec!["instances by UTC hour".into()];
    headers.extend(hours.iter().map(|h| format!("{h:02}")));
    headers.push("USD/day".into());
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = Table::new(&hdr);
    for r in &p.regions {
        let mut row = vec![format!("{} ({})", r.region, r.instance_type)];
        row.extend(r.steps.iter().map(|s| s.desired.to_string()));
        let usd = p
            .cost
            .regions
            .iter()
            .find(|x| x.region == r.region)
            .map_or(0.0, |x| x.total_usd_per_day);
        row.push(format!("{usd:.2}"));
        t.row(row);
    }
    t
}

/// The scheduled scaling actions: region, name, cron schedule (UTC), min, max, desired.
pub fn actions_table(p: &PlanDetailDoc) -> Table {
    let mut a = Table::new(&["region", "name", "schedule", "min", "max", "desired"]);
    for x in &p.scheduled_actions {
        a.row(vec![
            x.region.clone(),
            x.name.clone(),
            x.schedule.clone(),
            x.min_capacity.to_string(),
            x.max_capacity.to_string(),
            x.desired_capacity.to_string(),
        ]);
    }
    a
}

/// e.g. `routing weights: us-east-1 2, eu-west-1 1`; `None` unless routing is weighted.
pub fn routing_line(p: &PlanDetailDoc) -> Option<String> {
    if p.routing.weights.is_empty() {
        return None;
    }
    let w: Vec<String> = p
        .routing
        .weights
        .iter()
        .map(|w| format!("{} {}", w.region, w.weight))
        .collect();
    Some(format!("routing weights: {}", w.join(", ")))
}

/// The plan's cost per day and month against the static-peak baseline, then (if there is
/// one) the single-region baseline; one line each.
pub fn cost_lines(p: &PlanDetailDoc) -> Vec<String> {
    let k = &p.cost;
    let mut out = vec![format!(
        "cost: {:.2} USD/day, {:.2} USD/month — static peak in every region {:.2} USD/day (the plan saves {:.1} %)",
        k.total_usd_per_day,
        k.total_usd_per_month,
        k.static_peak_usd_per_day,
        k.savings_vs_static_peak_pct
    )];
    if let Some(sr) = &k.single_region {
        out.push(format!(
            "      single region ({}, analytic, distance to users ignored): {:.2} USD/day ({})",
            sr.region,
            sr.usd_per_day,
            if sr.savings_pct >= 0.0 {
                format!("the plan saves {:.1} %", sr.savings_pct)
            } else {
                format!("the plan costs {:.1} % more", -sr.savings_pct)
            }
        ));
    }
    out
}

/// What the verification simulated, e.g. `the whole horizon simulated with the scheduled
/// actions, 12000 requests`.
pub fn verification_line(p: &PlanDetailDoc) -> String {
    format!(
        "{}, {} requests",
        if p.verification.mode == "windows" {
            "each hour's busiest window at its planned count"
        } else {
            "the whole horizon simulated with the scheduled actions"
        },
        p.verification.requests
    )
}

/// Each region lost at its busiest hour: the survivors' figures and the result.
pub fn region_loss_table(p: &PlanDetailDoc) -> Table {
    let mut l = Table::new(&[
        "lost region",
        "UTC hour",
        "lost requests",
        "survivors' availability [%]",
        "TTFT [ms]",
        "e2e [ms]",
        "result",
    ]);
    for x in &p.sensitivity.region_loss {
        l.row(vec![
            x.region.clone(),
            format!("{:02}", x.utc_hour),
            x.lost_requests.to_string(),
            format!("{:.3}", x.survivors_availability_pct),
            x.survivors_ttft_ms
                .map_or("—".into(), |v| format!("{v:.0}")),
            x.survivors_e2e_ms.map_or("—".into(), |v| format!("{v:.0}")),
            x.miss
                .clone()
                .map_or("pass".into(), |m| format!("FAIL: {m}")),
        ]);
    }
    l
}

/// What the search took, one sentence.
pub fn search_line(p: &PlanDetailDoc) -> String {
    let s = &p.search;
    format!(
        "search: {} iterations, {} window simulations, {} verification runs; analytic warm start {} instance-hours → plan {} (verification added {} and trimmed {}; resilience added {})",
        s.iterations,
        s.window_runs,
        s.horizon_runs,
        s.analytic_instance_hours,
        s.planned_instance_hours,
        s.instance_hours_added_in_verification,
        s.instance_hours_removed_in_verification,
        s.instance_hours_added_for_resilience,
    )
}

fn detail(p: &PlanDetailDoc, render: fn(&Table) -> String) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n{}", render(&instances_table(p)));
    let _ = writeln!(
        out,
        "scheduled actions (cron in UTC; scale-ups fire the lead time early):"
    );
    if p.scheduled_actions.is_empty() {
        out.push_str("  none: the count is constant\n");
    } else {
        out.push_str(&render(&actions_table(p)));
    }
    if let Some(line) = routing_line(p) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    for line in cost_lines(p) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\nverification ({}):", verification_line(p));
    out.push_str(&render(&checks_table(&p.verification.targets)));
    for s in &p.verification.short_cells {
        let _ = writeln!(
            out,
            "  short: {} at {:02}:00 UTC — {}",
            s.region, s.utc_hour, s.miss
        );
    }
    if p.verification.residency_violations > 0 {
        let _ = writeln!(
            out,
            "  FAIL: {} requests served outside their users' residency rules",
            p.verification.residency_violations
        );
    }
    let _ = writeln!(
        out,
        "\nsensitivity: +{} % demand on the same plan:",
        p.sensitivity.demand_growth_pct
    );
    out.push_str(&render(&checks_table(&p.sensitivity.demand_growth)));
    if !p.sensitivity.region_loss.is_empty() {
        let _ = writeln!(
            out,
            "\nsensitivity: each region lost at its busiest hour (survivors judged against {}):",
            p.sensitivity.region_loss[0].judged_against
        );
        out.push_str(&render(&region_loss_table(p)));
    }
    let _ = writeln!(out, "\n{}", search_line(p));
    out
}

/// The scheduled actions as boto3 `put_scheduled_action` calls (the first seed's form),
/// for a SageMaker endpoint named `<endpoint>-<region>`.
pub fn boto3_actions(p: &PlanDetailDoc, endpoint: &str) -> String {
    let mut out = String::from(
        "# Scheduled scaling actions written by `meridian plan` (cron in UTC).\n# Register each endpoint variant as a scalable target first (register_scalable_target).\nimport boto3\n\n",
    );
    let mut region = "";
    for a in &p.scheduled_actions {
        if a.region != region {
            region = &a.region;
            let _ = writeln!(
                out,
                "autoscaling = boto3.client('application-autoscaling', region_name='{region}')"
            );
        }
        let _ = writeln!(
            out,
            "autoscaling.put_scheduled_action(\n    ServiceNamespace='sagemaker',\n    ScheduledActionName='{}',\n    ResourceId='endpoint/{endpoint}-{}/variant/AllTraffic',\n    ScalableDimension='sagemaker:variant:DesiredInstanceCount',\n    Schedule='{}',\n    ScalableTargetAction={{'MinCapacity': {}, 'MaxCapacity': {}}},  # desired {}\n)",
            a.name, a.region, a.schedule, a.min_capacity, a.max_capacity, a.desired_capacity
        );
    }
    out
}
