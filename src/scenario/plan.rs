//! The `[plan]` section: what the capacity planner may choose (instance types, topologies),
//! over which hours, against which targets, and how hard it searches.

use super::error::{FieldPath, ScenarioError};
use super::raw::RawPlan;
use super::validate::{Checker, MAX_INSTANCES, MAX_REPLICATIONS, check_targets};
use super::{DeploymentKind, Scenario, SloTargets};
use crate::catalog::{Catalog, InstancePrice, ServingProfile};
use crate::engine::SimTime;

/// Launch plus model load when neither the plan nor any region's autoscaling says: a GPU
/// instance starting and loading a 7–13 B model from S3 takes about five minutes.
pub const DEFAULT_LEAD_TIME_S: f64 = 300.0;
/// Per-region-hour instance ceiling the search may try, unless `max_instances` says.
pub const DEFAULT_MAX_INSTANCES: u32 = 64;

/// The planner's settings, validated.
#[derive(Debug, Clone)]
pub struct PlanSpec {
    /// Hours planned from the scenario's `start_utc_hour`: 1–24 (daily schedules) or whole
    /// days up to 168 (weekly schedules, from `start_weekday`).
    pub horizon_h: u32,
    /// Hours per planning step: the schedule changes at most once per step.
    pub step_h: u32,
    /// Instance types to choose among (at least one).
    pub candidates: Vec<InstanceCandidate>,
    /// Routing alternatives to choose among: `None` is the scenario's own routing
    /// (`base`), `Some(i)` its `[[topology]]` number `i`.
    pub topologies: Vec<Option<usize>>,
    /// Replications behind every search and verification measurement.
    pub replications: u32,
    /// Fewest instances a self-hosted region runs in any step; 0 lets the planner drop a
    /// region (or hours of it) that its topology sends nothing.
    pub min_instances: u32,
    /// Most instances the search tries in one region and step; a target still missed there
    /// is reported as infeasible.
    pub max_instances: u32,
    /// Instance launch plus model load: scale-ups are scheduled this long before the step
    /// that needs them.
    pub lead_time: SimTime,
    /// Simulated length of the search's window in each step (the step's busiest part).
    pub search_window: SimTime,
    /// Warm-up before each search window.
    pub window_warmup: SimTime,
    /// Largest acceptable cost, USD per day.
    pub budget_usd_per_day: Option<f64>,
    /// The sensitivity run's extra demand, % (20 = 1.2 × the scenario's rate).
    pub demand_growth_pct: f64,
    /// Degraded targets the survivors must meet when any one region is lost.
    pub resilience: Option<SloTargets>,
    /// How the plan is verified.
    pub verify: Verification,
}

/// How a plan is verified (and repaired, and its sensitivity measured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The whole horizon, continuously, with the schedule as scheduled actions: scale-ups
    /// and their lead times, transitions between steps. The default.
    Horizon,
    /// Each step's search window at its planned count: as many requests as the search
    /// windows, not the whole day's, so large workloads plan in seconds; transitions and
    /// lead times are not simulated.
    Windows,
}

impl PlanSpec {
    /// Planning steps in the horizon.
    pub fn steps(&self) -> usize {
        (self.horizon_h / self.step_h) as usize
    }

    /// Length of one step.
    pub fn step(&self) -> SimTime {
        SimTime::from_secs(u64::from(self.step_h) * 3600)
    }
}

/// One instance type the planner may deploy, resolved for every self-hosted deployment.
#[derive(Debug, Clone)]
pub struct InstanceCandidate {
    /// Instance type name, or `as configured` when each region keeps its scenario profile.
    pub name: String,
    /// Index-aligned with the deployments: the serving profile, price and batch limit to
    /// use; `None` for deployments that are not self-hosted.
    pub per_deployment: Vec<Option<(ServingProfile, InstancePrice, u32)>>,
}

/// The model part of a profile name (`llama-2-7b` of `llama-2-7b@g5.2xlarge`).
fn model_key(profile: &ServingProfile) -> &str {
    profile.name.split('@').next().unwrap_or(&profile.name)
}

pub(super) fn check(
    c: &Checker,
    raw: &RawPlan,
    s: &Scenario,
    catalog: &Catalog,
) -> Result<PlanSpec, ScenarioError> {
    let p = FieldPath::default().key("plan");
    let hosted: Vec<usize> = s
        .deployments
        .iter()
        .enumerate()
        .filter(|(_, d)| d.self_hosted().is_some())
        .map(|(i, _)| i)
        .collect();
    if hosted.is_empty() {
        return Err(c.err(
            &p,
            "the planner sizes self-hosted regions, and this scenario has none".into(),
            "add a [[regions]] entry with a `profile` (managed APIs have no instances to plan)",
        ));
    }
    if s.traffic.trace.is_some() || s.traffic.sites.iter().any(|u| u.closed_loop.is_some()) {
        return Err(c.err(
            &p,
            "the planner sizes for synthetic open-loop demand (rate × daily curve); this scenario replays a trace or runs closed-loop users".into(),
            "fit the trace's token mix with `meridian workload stats` and plan with total_rate_rps and a diurnal curve instead",
        ));
    }
    if s.slo.ttft.is_none() && s.slo.e2e.is_none() && s.slo.availability_pct.is_none() {
        return Err(c.err(
            &p,
            "a plan needs targets, and [slo] sets none".into(),
            "add e.g. [slo] ttft = { percentile = 95, max_ms = 1500 } and availability_pct = 99.9",
        ));
    }
    let horizon_h = raw.horizon_h.unwrap_or(24);
    if horizon_h == 0 || (horizon_h > 24 && (!horizon_h.is_multiple_of(24) || horizon_h > 168)) {
        return Err(c.err(
            &p.clone().key("horizon_h"),
            format!("a horizon of {horizon_h} h is not supported"),
            "use 1–24 h (daily cron schedules) or whole days up to a week, 48–168 h (weekly cron schedules with day names)",
        ));
    }
    let step_h = raw.step_h.unwrap_or(1);
    if step_h == 0 || step_h > horizon_h || !horizon_h.is_multiple_of(step_h) {
        return Err(c.err(
            &p.clone().key("step_h"),
            format!("a step of {step_h} h does not divide the {horizon_h} h horizon"),
            "use a whole number of hours that divides horizon_h (1 is typical)",
        ));
    }
    let candidates = check_candidates(c, &p, raw, s, catalog, &hosted)?;
    let topologies =
        match &raw.topologies {
            None => vec![None],
            Some(names) => {
                let tp = p.clone().key("topologies");
                if names.is_empty() {
                    return Err(c.err(
                        &tp,
                        "no topologies to choose among".into(),
                        "list `base` (the scenario's routing) and/or [[topology]] names",
                    ));
                }
                let mut out = Vec::new();
                for (i, n) in names.iter().enumerate() {
                    let t =
                        if n == "base" {
                            None
                        } else {
                            Some(s.topologies.iter().position(|t| &t.name == n).ok_or_else(
                                || {
                                    let known: Vec<&str> = std::iter::once("base")
                                        .chain(s.topologies.iter().map(|t| t.name.as_str()))
                                        .collect();
                                    c.err(
                                        &tp.clone().index(i),
                                        format!("no topology \"{n}\""),
                                        format!("use one of: {}", known.join(", ")),
                                    )
                                },
                            )?)
                        };
                    if out.contains(&t) {
                        return Err(c.err(
                            &tp.clone().index(i),
                            format!("topology \"{n}\" is listed twice"),
                            "list each topology once",
                        ));
                    }
                    out.push(t);
                }
                out
            }
        };
    let replications = raw.replications.unwrap_or(3);
    if replications == 0 || replications > MAX_REPLICATIONS {
        return Err(c.err(
            &p.clone().key("replications"),
            format!("{replications} replications is not allowed"),
            format!("use 1 to {MAX_REPLICATIONS}; 3–5 is typical for planning (the 95 % intervals of 2 are very wide)"),
        ));
    }
    let min_instances = raw.min_instances.unwrap_or(1);
    let max_instances = raw.max_instances.unwrap_or(DEFAULT_MAX_INSTANCES);
    if max_instances == 0 || min_instances > max_instances || max_instances > MAX_INSTANCES {
        return Err(c.err(
            &p.clone().key(if raw.min_instances.is_some() {
                "min_instances"
            } else {
                "max_instances"
            }),
            format!("min_instances {min_instances} and max_instances {max_instances} do not make a range"),
            format!("use 0 ≤ min_instances ≤ max_instances, 1 ≤ max_instances ≤ {MAX_INSTANCES}"),
        ));
    }
    let step_s = f64::from(step_h) * 3600.0;
    let default_lead = s
        .deployments
        .iter()
        .filter_map(|d| d.self_hosted()?.autoscaling.map(|a| a.launch.as_secs_f64()))
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
        .unwrap_or(DEFAULT_LEAD_TIME_S);
    let lead_time_s = c.range(
        &p.clone().key("lead_time_s"),
        raw.lead_time_s.unwrap_or(default_lead),
        0.0,
        step_s - 60.0,
        "s (less than a step minus a minute)",
    )?;
    let search_window_s = c.range(
        &p.clone().key("search_window_s"),
        raw.search_window_s.unwrap_or(step_s),
        60.0,
        step_s,
        "s (at most one step)",
    )?;
    let window_warmup_s = c.range(
        &p.clone().key("window_warmup_s"),
        raw.window_warmup_s.unwrap_or(300.0),
        0.0,
        step_s,
        "s",
    )?;
    let budget_usd_per_day = raw
        .budget_usd_per_day
        .map(|b| c.positive(&p.clone().key("budget_usd_per_day"), b, 1e9, "USD/day"))
        .transpose()?;
    let demand_growth_pct = c.range(
        &p.clone().key("demand_growth_pct"),
        raw.demand_growth_pct.unwrap_or(20.0),
        0.0,
        500.0,
        "%",
    )?;
    let resilience = match &raw.resilience {
        None => None,
        Some(r) => {
            let rp = p.clone().key("resilience");
            let t = check_targets(c, &rp, r)?;
            if t.ttft.is_none() && t.e2e.is_none() && t.availability_pct.is_none() {
                return Err(c.err(
                    &rp,
                    "no degraded targets given".into(),
                    "e.g. resilience = { ttft = { percentile = 95, max_ms = 3000 } }",
                ));
            }
            if hosted.len() < 2 {
                return Err(c.err(
                    &rp,
                    "with one self-hosted region nothing survives its loss".into(),
                    "add a second region, or remove [plan.resilience]",
                ));
            }
            Some(t)
        }
    };
    let verify = match raw.verify.as_deref() {
        None | Some("horizon") => Verification::Horizon,
        Some("windows") => Verification::Windows,
        Some(other) => {
            return Err(c.err(
                &p.clone().key("verify"),
                format!("unknown verification \"{other}\""),
                "use \"horizon\" (the whole horizon with scheduled actions) or \"windows\" (each step's busiest window)",
            ));
        }
    };
    Ok(PlanSpec {
        verify,
        horizon_h,
        step_h,
        candidates,
        topologies,
        replications,
        min_instances,
        max_instances,
        lead_time: SimTime::from_secs_ceil(lead_time_s),
        search_window: SimTime::from_secs_ceil(search_window_s),
        window_warmup: SimTime::from_secs_ceil(window_warmup_s),
        budget_usd_per_day,
        demand_growth_pct,
        resilience,
    })
}

fn check_candidates(
    c: &Checker,
    p: &FieldPath,
    raw: &RawPlan,
    s: &Scenario,
    catalog: &Catalog,
    hosted: &[usize],
) -> Result<Vec<InstanceCandidate>, ScenarioError> {
    let own = || InstanceCandidate {
        name: "as configured".into(),
        per_deployment: s
            .deployments
            .iter()
            .map(|d| match &d.kind {
                DeploymentKind::SelfHosted(h) => Some((h.profile.clone(), h.price, h.max_batch)),
                _ => None,
            })
            .collect(),
    };
    let Some(types) = &raw.instance_types else {
        return Ok(vec![own()]);
    };
    let tp = p.clone().key("instance_types");
    if types.is_empty() {
        return Err(c.err(
            &tp,
            "no instance types to choose among".into(),
            "list types such as [\"g5.2xlarge\", \"g5.12xlarge\"], or [\"all\"], or leave the key out",
        ));
    }
    // For a type: the profile of each self-hosted deployment's model on it, and its price
    // in the deployment's region; or why it cannot be used.
    let resolve = |ty: &str| -> Result<InstanceCandidate, String> {
        let mut per = Vec::with_capacity(s.deployments.len());
        for (i, d) in s.deployments.iter().enumerate() {
            if !hosted.contains(&i) {
                per.push(None);
                continue;
            }
            let own = &d.self_hosted().expect("hosted").profile;
            let key = format!("{}@{ty}", model_key(own));
            let profile = catalog
                .serving_profiles
                .get(&key)
                .ok_or_else(|| format!("no serving profile \"{key}\" in the catalog"))?;
            let price = catalog
                .instance_types
                .get(ty)
                .and_then(|t| t.prices.get(&d.region.code))
                .ok_or_else(|| format!("{ty} has no price in {}", d.region.code))?;
            per.push(Some((profile.clone(), *price, profile.max_batch)));
        }
        Ok(InstanceCandidate {
            name: ty.to_string(),
            per_deployment: per,
        })
    };
    if types.len() == 1 && types[0] == "all" {
        let found: Vec<InstanceCandidate> = catalog
            .instance_types
            .keys()
            .filter_map(|t| resolve(t).ok())
            .collect();
        if found.is_empty() {
            return Err(c.err(
                &tp,
                "no instance type in the catalog has a serving profile for this model and a price in every region".into(),
                "list the types explicitly (meridian models --type …)",
            ));
        }
        return Ok(found);
    }
    let mut out: Vec<InstanceCandidate> = Vec::new();
    for (i, t) in types.iter().enumerate() {
        if out.iter().any(|o| &o.name == t) {
            return Err(c.err(
                &tp.clone().index(i),
                format!("instance type \"{t}\" is listed twice"),
                "list each type once",
            ));
        }
        out.push(resolve(t).map_err(|m| {
            c.err(
                &tp.clone().index(i),
                format!("instance type \"{t}\": {m}"),
                "see `meridian models` for the profiles and prices the catalog has",
            )
        })?);
    }
    Ok(out)
}
