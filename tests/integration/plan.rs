//! The capacity planner (`meridian plan`): against Erlang C, monotone in demand and
//! targets, locally minimal, ahead of demand by the lead time, deterministic across thread
//! counts, and honest about infeasible targets.

use std::process::Command;
use std::sync::atomic::AtomicBool;

use meridian::plan::{self, PlanDocument, candidate, search, variants};
use meridian::run::RunOptions;
use meridian::scenario::Scenario;

use crate::cli::{assert_exit, meridian_with, scratch_dir, stderr, stdout};
use crate::support::{catalog, inline};

fn plan_of(s: &Scenario) -> PlanDocument {
    plan::plan(
        s,
        &catalog(),
        RunOptions::default(),
        &AtomicBool::new(false),
    )
    .unwrap()
}

/// The recommended candidate's instance counts, `[region][step]`.
fn counts(doc: &PlanDocument) -> Vec<Vec<u32>> {
    let best = doc
        .candidates
        .iter()
        .find(|c| c.status == "recommended")
        .unwrap_or_else(|| panic!("no recommended candidate: {:#?}", doc.candidates[0].reason));
    best.plan
        .as_ref()
        .unwrap()
        .regions
        .iter()
        .map(|r| r.steps.iter().map(|s| s.desired).collect())
        .collect()
}

fn cost(doc: &PlanDocument) -> f64 {
    doc.candidates[0].cost_usd_per_day.unwrap()
}

// ---------------------------------------------------------------------------------------
// M/M/c: one region, stationary Poisson arrivals, exponential service, batch 1, no network.

fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

/// P(sojourn > t) in M/M/c FCFS: no wait with probability 1 − C, else an Exp(cμ − λ) wait
/// plus the Exp(μ) service.
fn sojourn_exceeds(c: u32, lam: f64, s: f64, t: f64) -> f64 {
    let mu = 1.0 / s;
    let a = lam * s;
    if a >= f64::from(c) {
        return 1.0;
    }
    let th = f64::from(c) * mu - lam;
    let cw = erlang_c(c, a);
    let hypo = (th * (-mu * t).exp() - mu * (-th * t).exp()) / (th - mu);
    (1.0 - cw) * (-mu * t).exp() + cw * hypo
}

fn mmc_scenario(rate_rps: f64, mean_ms: f64, p95_ms: f64) -> Scenario {
    inline(&mmc_toml(rate_rps, mean_ms, p95_ms))
}

/// The M/M/c scenario's text.
fn mmc_toml(rate_rps: f64, mean_ms: f64, p95_ms: f64) -> String {
    format!(
        r#"
name = "mmc-plan"
[simulation]
duration_s = 3600
warmup_s = 300
seed = 11
[traffic]
total_rate_rps = {rate_rps}
diurnal = "flat"
sites = [{{ name = "london" }}]
[network]
jitter_ms = 0
handshake_rtts = 0
last_mile_ms = 0
backbone_overhead_ms = 0
[[regions]]
code = "eu-west-2"
profile = "llama-2-7b@g5.2xlarge"
instances = 1
max_batch = 1
max_queue = 1000000
timeout_s = 86400
service = {{ kind = "exponential", mean_ms = {mean_ms} }}
[routing]
policy = "latency"
[slo]
ttft = {{ percentile = 95, max_ms = {p95_ms} }}
[plan]
horizon_h = 1
replications = 4
max_instances = 60
"#
    )
}

#[test]
fn one_region_mmc_plan_matches_erlang_c() {
    // (λ req/s, mean service ms, p95 sojourn target ms). London users, a London region and
    // a zero network: TTFT is the M/M/c sojourn (wait + exponential service).
    for (lam, s_ms, t_ms) in [
        (50.0, 100.0, 400.0),
        (150.0, 100.0, 350.0),
        (20.0, 500.0, 2000.0),
    ] {
        let (s, t) = (s_ms / 1000.0, t_ms / 1000.0);
        let smallest = (1..200)
            .find(|c| sojourn_exceeds(*c, lam, s, t) <= 0.05)
            .unwrap();
        let planned = counts(&plan_of(&mmc_scenario(lam, s_ms, t_ms)))[0][0];
        assert!(
            planned.abs_diff(smallest) <= 1,
            "λ {lam}, S {s_ms} ms, p95 ≤ {t_ms} ms: planned {planned}, Erlang C {smallest}"
        );
    }
}

#[test]
fn progress_reports_phases_and_changes_nothing() {
    let s = mmc_scenario(50.0, 100.0, 400.0);
    let seen = std::sync::Mutex::new(Vec::<String>::new());
    let told = |m: &str| seen.lock().unwrap().push(m.to_string());
    let with = plan::plan_with_progress(
        &s,
        &catalog(),
        RunOptions::default(),
        &AtomicBool::new(false),
        &told,
    )
    .unwrap();
    let without = plan_of(&s);
    assert_eq!(
        serde_json::to_string(&with).unwrap(),
        serde_json::to_string(&without).unwrap()
    );
    let seen = seen.into_inner().unwrap();
    for phase in ["demand pass", "search round 1", "verifying", "sensitivity"] {
        assert!(
            seen.iter()
                .any(|m| m.starts_with("base / as configured: ") && m.contains(phase)),
            "no {phase:?} in {seen:?}"
        );
    }
}

#[test]
fn erlang_c_reference_is_right() {
    // M/M/1 sojourn is Exp(μ − λ); M/M/2 waits with probability 2ρ²/(1 + ρ).
    assert!((sojourn_exceeds(1, 0.5, 1.0, 2.0) - (-1.0f64).exp()).abs() < 1e-12);
    assert!((erlang_c(2, 1.0) - 2.0 * 0.25 / 1.5).abs() < 1e-12);
}

// ---------------------------------------------------------------------------------------
// Token-level service: two regions, a few afternoon hours.

fn two_region(rate_rps: f64, ttft_p95_ms: f64) -> Scenario {
    inline(&format!(
        r#"
name = "two-region-plan"
[simulation]
duration_s = 3600
warmup_s = 300
seed = 5
start_utc_hour = 13
[traffic]
total_rate_rps = {rate_rps}
diurnal = "consumer"
sites = [{{ name = "new-york" }}, {{ name = "chicago" }}, {{ name = "london" }}, {{ name = "paris" }}]
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[[regions]]
code = "eu-west-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[routing]
policy = "latency"
[slo]
ttft = {{ percentile = 95, max_ms = {ttft_p95_ms} }}
availability_pct = 99.9
[plan]
horizon_h = 3
replications = 3
max_instances = 30
search_window_s = 1200
"#
    ))
}

#[test]
fn more_demand_never_costs_less_and_looser_targets_never_cost_more() {
    let base = cost(&plan_of(&two_region(3.0, 2500.0)));
    let busier = cost(&plan_of(&two_region(4.5, 2500.0)));
    let looser = cost(&plan_of(&two_region(3.0, 4000.0)));
    assert!(busier >= base, "1.5× demand: {busier} USD/day < {base}");
    assert!(
        busier > base,
        "1.5× demand should need more instances ({busier} vs {base})"
    );
    assert!(looser <= base, "looser target: {looser} USD/day > {base}");
}

#[test]
fn the_cheapest_candidate_that_meets_every_target_is_recommended_with_reasons_for_the_rest() {
    let mut src = String::from(
        r#"
name = "choice"
[simulation]
duration_s = 3600
warmup_s = 300
seed = 8
start_utc_hour = 14
[traffic]
total_rate_rps = 3.0
diurnal = "consumer"
sites = [{ name = "new-york" }, { name = "chicago" }, { name = "london" }, { name = "paris" }]
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[[regions]]
code = "eu-west-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[routing]
policy = "latency"
[[topology]]
name = "all-to-virginia"
routing = { policy = "weighted", weights = { "us-east-1" = 1, "eu-west-1" = 0 } }
[slo]
ttft = { percentile = 95, max_ms = 3000 }
availability_pct = 99.9
[plan]
horizon_h = 2
replications = 2
max_instances = 30
search_window_s = 1200
"#,
    );
    src.push_str("instance_types = [\"g5.2xlarge\", \"g5.12xlarge\"]\n");
    src.push_str("topologies = [\"base\", \"all-to-virginia\"]\n");
    let doc = plan_of(&inline(&src));
    assert_eq!(doc.candidates.len(), 4);
    let best = &doc.candidates[0];
    assert_eq!(best.status, "recommended");
    assert_eq!(doc.recommended.as_deref(), Some(best.name.as_str()));
    let best_cost = best.cost_usd_per_day.unwrap();
    for c in &doc.candidates[1..] {
        assert!(!c.reason.is_empty());
        match c.status.as_str() {
            "feasible" => {
                assert!(
                    c.cost_usd_per_day.unwrap() >= best_cost,
                    "{} is cheaper",
                    c.name
                );
                assert!(c.reason.contains("more"), "{}: {}", c.name, c.reason);
            }
            "infeasible" => assert!(c.reason.contains("misses"), "{}: {}", c.name, c.reason),
            other => panic!("{}: unexpected status {other}: {}", c.name, c.reason),
        }
    }
    // g5.2xlarge is the cheaper type in both regions, so no mixed candidate is planned.
    assert!(doc.candidates.iter().all(|c| !c.name.contains("mixed")));
    // Both instance types and both topologies were planned.
    for part in [
        "base / g5.2xlarge",
        "base / g5.12xlarge",
        "all-to-virginia / g5.2xlarge",
    ] {
        assert!(
            doc.candidates.iter().any(|c| c.name == part),
            "{part} missing"
        );
    }
}

#[test]
fn removing_any_instance_hour_misses_a_target() {
    let scenario = one_region_afternoon();
    let doc = plan_of(&scenario);
    let planned = counts(&doc);
    let spec = scenario.plan.clone().unwrap();
    let base = variants::candidate(&scenario, None, &spec.candidates[0]);
    let mut schedule = search::empty_schedule(&base, &spec, 1);
    for (k, n) in planned[0].iter().enumerate() {
        schedule.set(0, k, *n);
    }
    let never = AtomicBool::new(false);
    assert!(
        candidate::verdict(&base, &spec, &schedule, &never)
            .unwrap()
            .holds(),
        "the plan itself must hold"
    );
    let mut tried = 0;
    for (k, &n) in planned[0].iter().enumerate() {
        if n <= spec.min_instances {
            continue;
        }
        let mut fewer = schedule.clone();
        fewer.set(0, k, n - 1);
        // A region-hour misses a target, or a target over the horizon loses its 95 %
        // confidence.
        let verdict = candidate::verdict(&base, &spec, &fewer, &never).unwrap();
        assert!(
            !verdict.holds(),
            "one instance fewer at step {k} ({} → {}) still meets every target",
            n,
            n - 1
        );
        tried += 1;
    }
    assert!(
        tried >= 3,
        "the plan should have several cells above the minimum"
    );
}

fn one_region_afternoon() -> Scenario {
    inline(
        r#"
name = "one-region-plan"
[simulation]
duration_s = 3600
warmup_s = 300
seed = 9
start_utc_hour = 12
[traffic]
total_rate_rps = 3.0
diurnal = "consumer"
sites = [{ name = "new-york" }, { name = "chicago" }, { name = "toronto" }]
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[routing]
policy = "latency"
[slo]
ttft = { percentile = 95, max_ms = 3000 }
e2e = { percentile = 99, max_ms = 30000 }
availability_pct = 99.9
[plan]
horizon_h = 4
replications = 3
max_instances = 30
"#,
    )
}

#[test]
fn scale_ups_come_a_lead_time_before_a_step_in_demand() {
    // Demand jumps fivefold between 11:00 and 12:00 local (New York, UTC−5): 16–17 UTC.
    let mut curve = vec!["0.2"; 24];
    for v in curve.iter_mut().skip(12) {
        *v = "1.0";
    }
    let scenario = inline(&format!(
        r#"
name = "step-plan"
[simulation]
duration_s = 3600
warmup_s = 300
seed = 4
start_utc_hour = 13
[traffic]
total_rate_rps = 3.0
diurnal_curve = [{}]
sites = [{{ name = "new-york" }}]
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 1
max_queue = 500
timeout_s = 60
[routing]
policy = "latency"
[slo]
ttft = {{ percentile = 95, max_ms = 3000 }}
[plan]
horizon_h = 6
replications = 2
lead_time_s = 420
max_instances = 30
search_window_s = 1200
"#,
        curve.join(", ")
    ));
    let doc = plan_of(&scenario);
    let best = doc.candidates[0].plan.as_ref().unwrap();
    let steps = &best.regions[0].steps;
    let k = (1..steps.len())
        .find(|k| steps[*k].desired > steps[k - 1].desired)
        .expect("the plan scales up for the step");
    let boundary_min = steps[k].utc_hour * 60;
    let action = best
        .scheduled_actions
        .iter()
        .find(|a| a.desired_capacity == steps[k].desired && a.name.contains("-up-"))
        .expect("a scale-up action");
    // cron(M H * * ? *): fires at H:M UTC, at least 420 s = 7 min before the step.
    let fields: Vec<u32> = action.schedule["cron(".len()..]
        .split_whitespace()
        .take(2)
        .map(|f| f.parse().unwrap())
        .collect();
    let fires_min = fields[1] * 60 + fields[0];
    assert!(
        fires_min + 7 <= boundary_min,
        "scale-up to {} fires at {fires_min} min, step starts at {boundary_min} min",
        steps[k].desired
    );
    // And the verification run of the realised schedule met the targets in that step.
    assert!(best.verification.short_cells.is_empty());
    assert!(steps[k].ttft_ms.unwrap() <= 3000.0);
}

// ---------------------------------------------------------------------------------------
// The command line.

const THREE: &str = "scenarios/plan-three-region.toml";

#[test]
fn plan_is_bit_identical_with_one_or_two_threads() {
    let dir = scratch_dir("plan-threads");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let json = dir.join(format!("plan-{threads}.json"));
        let out = Command::new(env!("CARGO_BIN_EXE_meridian"))
            .env("RAYON_NUM_THREADS", threads)
            .args(["plan", THREE, "--replications", "2", "--json"])
            .arg(&json)
            .output()
            .unwrap();
        assert_exit(&out, 0, "plan with threads");
        outputs.push(std::fs::read(&json).unwrap());
    }
    assert_eq!(
        outputs[0], outputs[1],
        "plan JSON differs between 1 and 2 threads"
    );
}

#[test]
fn plan_writes_json_summary_and_boto3_actions() {
    let dir = scratch_dir("plan-out");
    let out = meridian_with(&["plan", THREE, "--out", dir.join("out").to_str().unwrap()]);
    assert_exit(&out, 0, "plan --out");
    let text = stdout(&out);
    for part in [
        "recommended: base / as configured",
        "instances by UTC hour",
        "scheduled actions",
        "static peak",
        "verification",
        "+20 % demand",
        "each region lost",
    ] {
        assert!(text.contains(part), "summary lacks {part:?}:\n{text}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/plan.json")).unwrap()).unwrap();
    assert_eq!(json["kind"], "plan");
    assert_eq!(json["status"], "feasible");
    let plan = &json["candidates"][0]["plan"];
    assert_eq!(plan["regions"].as_array().unwrap().len(), 3);
    assert_eq!(plan["regions"][0]["steps"].as_array().unwrap().len(), 24);
    let py = std::fs::read_to_string(dir.join("out/scheduled-actions.py")).unwrap();
    assert!(py.contains("put_scheduled_action("));
    assert!(py.contains("Schedule='cron("));
    assert_eq!(
        py.matches("put_scheduled_action(").count(),
        plan["scheduled_actions"].as_array().unwrap().len()
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out/summary.txt")).unwrap(),
        text
    );
    // Savings against static peak are positive for a diurnal load.
    assert!(plan["cost"]["savings_vs_static_peak_pct"].as_f64().unwrap() > 10.0);
}

#[test]
fn infeasible_targets_name_the_binding_constraint_and_exit_1() {
    let dir = scratch_dir("plan-infeasible");
    let path = dir.join("far.toml");
    std::fs::write(
        &path,
        r#"
name = "far-users"
[simulation]
duration_s = 3600
seed = 1
[traffic]
total_rate_rps = 1.0
sites = [{ name = "sydney" }]
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 1
[routing]
policy = "latency"
[slo]
ttft = { percentile = 95, max_ms = 100 }
[plan]
horizon_h = 2
replications = 1
max_instances = 8
"#,
    )
    .unwrap();
    let json = dir.join("far.json");
    let out = meridian_with(&[
        "plan",
        path.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_exit(&out, 1, "infeasible plan");
    let text = stdout(&out);
    assert!(text.contains("infeasible"), "{text}");
    assert!(
        text.contains("ttft_p95_ms"),
        "binding constraint not named:\n{text}"
    );
    assert!(text.contains("network round trip"), "{text}");
    assert!(stderr(&out).contains("infeasible"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(doc["status"], "infeasible");
    assert!(doc["recommended"].is_null());
}

#[test]
fn a_scenario_without_a_plan_section_is_a_usage_error() {
    let out = meridian_with(&["plan", "scenarios/single-region.toml"]);
    assert_exit(&out, 2, "plan without [plan]");
    assert!(
        stderr(&out).contains("no [plan] section"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn plan_prints_csv_and_markdown() {
    let dir = scratch_dir("plan-formats");
    let path = dir.join("mmc.toml");
    // The M/M/c scenario of the Erlang C test, as a file.
    std::fs::write(&path, mmc_toml(50.0, 100.0, 400.0)).unwrap();
    let p = path.to_str().unwrap();
    let csv = meridian_with(&["plan", p, "--format", "csv", "--replications", "2"]);
    assert_exit(&csv, 0, "plan --format csv");
    let text = stdout(&csv);
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("candidate,region,instance_type,utc_hour,desired")
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &row[..4],
        &["base / as configured", "eu-west-2", "g5.2xlarge", "0"]
    );
    let md = meridian_with(&["plan", p, "--format", "markdown", "--replications", "2"]);
    assert_exit(&md, 0, "plan --format markdown");
    assert!(stdout(&md).contains("| candidate | status | USD/day | why |"));
    assert!(stdout(&md).contains("| eu-west-2 (g5.2xlarge) |"));
}

#[test]
fn a_week_long_plan_uses_weekly_cron_and_holds_over_the_week() {
    let scenario = inline(
        r#"
name = "week-plan"
[simulation]
duration_s = 3600
warmup_s = 300
seed = 2
start_weekday = "FRI"
[traffic]
total_rate_rps = 0.6
diurnal = "business"
sites = [{ name = "new-york" }, { name = "chicago" }]
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 1
max_queue = 500
timeout_s = 60
[routing]
policy = "latency"
[slo]
ttft = { percentile = 95, max_ms = 3000 }
availability_pct = 99.9
[plan]
horizon_h = 168
replications = 2
max_instances = 12
search_window_s = 900
"#,
    );
    let doc = plan_of(&scenario);
    let best = doc.candidates[0].plan.as_ref().expect("planned");
    assert_eq!(doc.candidates[0].status, "recommended");
    let steps = &best.regions[0].steps;
    assert_eq!(steps.len(), 168);
    assert_eq!((steps[0].weekday.as_str(), steps[0].utc_hour), ("FRI", 0));
    assert_eq!(
        (steps[167].weekday.as_str(), steps[167].utc_hour),
        ("THU", 23)
    );
    // Every action names its day; the business curve scales up on every day of the week.
    assert!(!best.scheduled_actions.is_empty());
    for a in &best.scheduled_actions {
        assert!(
            a.schedule.contains(" ? * ") && a.schedule.ends_with(" *)"),
            "{}",
            a.schedule
        );
    }
    for day in ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] {
        assert!(
            best.scheduled_actions
                .iter()
                .any(|a| a.schedule.contains(day) && a.name.contains("-up-")),
            "no scale-up on {day}"
        );
    }
    // The verification ran the whole week with those actions.
    assert!(best.verification.short_cells.is_empty());
    assert!(best.verification.targets.iter().all(|t| t.slo.pass));
}

#[test]
fn with_min_instances_0_a_region_its_topology_sends_nothing_is_dropped() {
    let src = |min: u32| {
        format!(
            r#"
name = "drop"
[simulation]
duration_s = 3600
warmup_s = 300
seed = 8
start_utc_hour = 14
[traffic]
total_rate_rps = 3.0
diurnal = "consumer"
sites = [{{ name = "new-york" }}, {{ name = "london" }}]
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[[regions]]
code = "eu-west-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 500
timeout_s = 60
[routing]
policy = "weighted"
weights = {{ "us-east-1" = 1, "eu-west-1" = 0 }}
[slo]
ttft = {{ percentile = 95, max_ms = 3000 }}
availability_pct = 99.9
[plan]
horizon_h = 2
replications = 2
max_instances = 30
search_window_s = 1200
min_instances = {min}
"#
        )
    };
    let dropped = plan_of(&inline(&src(0)));
    let kept = plan_of(&inline(&src(1)));
    assert_eq!(counts(&dropped)[1], vec![0, 0], "eu-west-1 gets no traffic");
    assert_eq!(counts(&kept)[1], vec![1, 1]);
    assert_eq!(counts(&dropped)[0], counts(&kept)[0]);
    assert!(cost(&dropped) < cost(&kept));
}
