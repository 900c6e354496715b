//! Parse, then validate: raw serde values → a checked [`Scenario`], or the first problem
//! with its location in the file and a hint.

use std::collections::{BTreeMap, BTreeSet};

use super::diurnal::PRESETS;
use super::error::{Diagnostic, FieldPath, ScenarioError, did_you_mean, locate};
use super::geo;
use super::managed;
use super::plan;
use super::raw::{
    RawBurstiness, RawLatencyTarget, RawRegion, RawRouting, RawScenario, RawSite, RawTokenDist,
};
use super::schedule;
use super::topology;
use super::*;
use crate::catalog::{Catalog, Continent, Site};

/// Requests one replication may generate: beyond this a run would take hours and is more
/// likely a units mistake (e.g. a rate in requests per day written as per second).
pub const MAX_REQUESTS_PER_REPLICATION: f64 = 2.0e9;
/// Longest measured window: 31 days.
pub const MAX_DURATION_S: f64 = 31.0 * 86_400.0;
/// Upper bound on replications (each is a full run).
pub const MAX_REPLICATIONS: u32 = 1000;
/// Upper bound on instances in one region, against typos.
pub const MAX_INSTANCES: u32 = 100_000;

/// z-score of the 90th percentile of the standard normal.
const Z90: f64 = 1.281_551_565_545;

/// A number as a person would write it: scientific notation when very large or very small.
pub(super) fn fmt_num(v: f64) -> String {
    if v != 0.0 && v.is_finite() && (v.abs() >= 1e7 || v.abs() < 1e-3) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

pub(super) struct Checker<'a> {
    pub(super) file: &'a str,
    src: &'a str,
}

impl Checker<'_> {
    pub(super) fn err(
        &self,
        path: &FieldPath,
        message: String,
        hint: impl Into<String>,
    ) -> ScenarioError {
        let span = locate(self.src, path);
        ScenarioError::Invalid(Box::new(
            Diagnostic::at(self.file, self.src, span, format!("{path}: {message}")).with_hint(hint),
        ))
    }

    /// A finite number within `[lo, hi]`.
    pub(super) fn range(
        &self,
        path: &FieldPath,
        v: f64,
        lo: f64,
        hi: f64,
        unit: &str,
    ) -> Result<f64, ScenarioError> {
        if !v.is_finite() || v < lo || v > hi {
            return Err(self.err(
                path,
                format!("{} is out of range", fmt_num(v)),
                format!("use a number from {lo} to {hi} {unit}"),
            ));
        }
        Ok(v)
    }

    /// A finite number > 0 and ≤ hi.
    pub(super) fn positive(
        &self,
        path: &FieldPath,
        v: f64,
        hi: f64,
        unit: &str,
    ) -> Result<f64, ScenarioError> {
        if !v.is_finite() || v <= 0.0 || v > hi {
            return Err(self.err(
                path,
                format!("{} is not allowed", fmt_num(v)),
                format!("use a number greater than 0 and at most {hi} {unit}"),
            ));
        }
        Ok(v)
    }
}

pub(super) fn parse_and_validate(
    src: &str,
    file: &str,
    catalog: &Catalog,
) -> Result<Scenario, ScenarioError> {
    if src.trim().is_empty() {
        return Err(ScenarioError::Parse(Box::new(
            Diagnostic::at(file, src, None, "the scenario file is empty".into())
                .with_hint("start from one of the files in scenarios/ (README.md \"Scenario format\" explains each key)"),
        )));
    }
    let raw: RawScenario = toml::from_str(src).map_err(|e| parse_error(file, src, &e))?;
    let c = Checker { file, src };
    let root = FieldPath::default();

    let simulation = check_simulation(&c, &raw)?;
    let traffic = check_traffic(&c, &raw, catalog)?;
    let requests = RequestMix {
        prompt_tokens: check_tokens(
            &c,
            &root.clone().key("requests").key("prompt_tokens"),
            &raw.requests.prompt_tokens,
        )?,
        output_tokens: check_tokens(
            &c,
            &root.clone().key("requests").key("output_tokens"),
            &raw.requests.output_tokens,
        )?,
    };
    let network = check_network(&c, &raw)?;
    let mut deployments = check_regions(&c, &raw.regions, catalog)?;
    let net = crate::world::network::NetworkModel::new(network);
    let region_rtt_ms: Vec<Vec<f64>> = deployments
        .iter()
        .map(|a| {
            deployments
                .iter()
                .map(|b| net.region_rtt_ms(&catalog.rtt, &a.region, &b.region))
                .collect()
        })
        .collect();
    for (i, r) in raw.regions.iter().enumerate() {
        if r.scheduled_actions.is_empty() {
            continue;
        }
        let sp = FieldPath::default()
            .key("regions")
            .index(i)
            .key("scheduled_actions");
        match &mut deployments[i].kind {
            DeploymentKind::SelfHosted(h) => {
                h.scheduled_actions = schedule::check(
                    &c,
                    &sp,
                    &r.scheduled_actions,
                    h.autoscaling.as_ref(),
                    &simulation,
                )?;
            }
            _ => {
                return Err(c.err(
                    &sp,
                    "scheduled actions scale instances; this region has none".into(),
                    "use them on a self-hosted region with autoscaling",
                ));
            }
        }
    }
    let residency = geo::check_residency(&c, &raw.residency, &traffic.sites, &deployments)?;
    let allowed = allowed_regions(&residency, traffic.sites.len(), deployments.len());
    let slo = check_slo(&c, &raw)?;
    let faults = topology::check_faults(&c, &raw.faults, &deployments, &simulation)?;
    let health = raw
        .health_check
        .as_ref()
        .map(|h| topology::check_health(&c, h, catalog))
        .transpose()?;
    let retry = raw
        .retry
        .as_ref()
        .map(|r| topology::check_retry(&c, r))
        .transpose()?
        .unwrap_or(topology::RetryPolicy::NONE);
    let ctx = RoutingInputs {
        deployments: &deployments,
        sim: &simulation,
        sites: &traffic.sites,
        allowed: &allowed,
        catalog,
        health: &health,
    };
    let (routing, health_check, dns) = check_routing_setup(
        &c,
        &FieldPath::default(),
        &raw.routing,
        raw.dns.as_ref(),
        false,
        &ctx,
    )?;
    let mut topologies = Vec::with_capacity(raw.topology.len());
    let mut names = BTreeSet::new();
    for (i, t) in raw.topology.iter().enumerate() {
        let tp = FieldPath::default().key("topology").index(i);
        if !names.insert(t.name.clone()) {
            return Err(c.err(
                &tp.key("name"),
                format!("topology \"{}\" is listed twice", t.name),
                "give each [[topology]] its own name",
            ));
        }
        // A topology's own [dns] replaces the scenario's; without one, the scenario's
        // applies — except under anycast, which has no DNS to cache.
        let (dns_raw, drop_base_dns) = match &t.dns {
            Some(d) => (Some(d), false),
            None => (raw.dns.as_ref(), true),
        };
        let (routing, health_check, dns) =
            check_routing_setup(&c, &tp, &t.routing, dns_raw, drop_base_dns, &ctx)?;
        topologies.push(Topology {
            name: t.name.clone(),
            routing,
            health_check,
            dns,
        });
    }

    let scenario = Scenario {
        name: raw.name.unwrap_or_else(|| file.to_string()),
        description: raw.description.unwrap_or_default(),
        content_hash: content_hash(src.as_bytes()),
        simulation,
        traffic,
        requests,
        network,
        deployments,
        routing,
        slo,
        faults,
        health_check,
        dns,
        retry,
        residency,
        region_rtt_ms,
        topologies,
        plan: None,
    };
    let plan = raw
        .plan
        .as_ref()
        .map(|p| plan::check(&c, p, &scenario, catalog))
        .transpose()?;
    let scenario = Scenario { plan, ..scenario };
    let expected = scenario.expected_requests_per_replication();
    if expected > MAX_REQUESTS_PER_REPLICATION {
        return Err(c.err(
            &root.key("traffic").key("total_rate_rps"),
            format!("this scenario would generate about {expected:.3e} requests per replication"),
            format!(
                "keep rate × (duration + warm-up) under {MAX_REQUESTS_PER_REPLICATION:.0e}; check the units (requests per second)"
            ),
        ));
    }
    Ok(scenario)
}

/// Turns a TOML/serde error into a located diagnostic with a hint.
fn parse_error(file: &str, src: &str, e: &toml::de::Error) -> ScenarioError {
    let message = e.message().trim().trim_end_matches('.').to_string();
    // A missing top-level section has no place in the file: pointing at line 1 would
    // blame whatever happens to be there.
    let span = match missing_field(&message) {
        Some(field) if TOP_LEVEL_SECTIONS.contains(&field) => None,
        _ => e.span(),
    };
    let message = match missing_field(&message) {
        Some(field) if TOP_LEVEL_SECTIONS.contains(&field) => format!("missing section [{field}]"),
        _ => message,
    };
    let hint = parse_hint(&message).unwrap_or_else(|| {
        "this is not valid TOML here; compare with a file in scenarios/ (TOML syntax: https://toml.io)".into()
    });
    ScenarioError::Parse(Box::new(
        Diagnostic::at(file, src, span, message).with_hint(hint),
    ))
}

/// Sections every scenario must have.
const TOP_LEVEL_SECTIONS: [&str; 4] = ["simulation", "traffic", "regions", "routing"];

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// Hints for the other parser messages: the first pattern the message contains wins.
const PARSE_HINTS: [(&str, &str); 11] = [
    (
        "missing section",
        "add it; README.md \"Scenario format\" shows a complete scenario",
    ),
    (
        "missing field",
        "add the field; README.md \"Scenario format\" lists every key with its meaning",
    ),
    (
        "invalid type",
        "check the value's type: numbers unquoted, names in quotes, lists in [ ]",
    ),
    ("unknown variant", "use one of the listed values"),
    (
        "invalid value",
        "use a whole number in range: counts are 0 to 4294967295, the seed 0 to 2^64-1",
    ),
    (
        "duplicate key",
        "each key may appear once per table; remove or rename the repeated one",
    ),
    ("expected `=`", "write keys as `key = value`"),
    (
        "escape",
        "in \"...\" strings write a backslash as \\\\, or use a '...' literal string",
    ),
    (
        "missing comma",
        "separate list items with `,`; a list or table opened earlier may lack its closing bracket",
    ),
    ("unclosed", "close the bracket or quote that is still open"),
    (
        "did not match any variant",
        "check the value's shape: a region code in quotes, or a list of them",
    ),
];

fn parse_hint(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`')?;
        let candidates: Vec<&str> = expected
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        return Some(match did_you_mean(field, candidates.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "remove `{field}`; allowed keys here: {}",
                candidates.join(", ")
            ),
        });
    }
    PARSE_HINTS
        .iter()
        .find(|(pattern, _)| message.contains(pattern))
        .map(|(_, hint)| hint.to_string())
}

fn check_simulation(c: &Checker, raw: &RawScenario) -> Result<Simulation, ScenarioError> {
    let p = FieldPath::default().key("simulation");
    let s = &raw.simulation;
    let duration_s = c.positive(
        &p.clone().key("duration_s"),
        s.duration_s,
        MAX_DURATION_S,
        "s",
    )?;
    if duration_s < 1.0 {
        return Err(c.err(
            &p.clone().key("duration_s"),
            format!("a measured window of {duration_s} s is too short to measure anything"),
            "use at least 1 s (an hour, 3600, is typical)",
        ));
    }
    let warmup_s = c.range(
        &p.clone().key("warmup_s"),
        s.warmup_s,
        0.0,
        MAX_DURATION_S,
        "s",
    )?;
    if s.replications == 0 || s.replications > MAX_REPLICATIONS {
        return Err(c.err(
            &p.clone().key("replications"),
            format!("{} replications is not allowed", s.replications),
            format!("use 1 to {MAX_REPLICATIONS}; 5–20 give useful confidence intervals"),
        ));
    }
    let start_utc_hour = c.range(
        &p.clone().key("start_utc_hour"),
        s.start_utc_hour,
        0.0,
        24.0,
        "h",
    )?;
    let step_s = c.range(
        &p.clone().key("timeseries_step_s"),
        s.timeseries_step_s,
        1.0,
        MAX_DURATION_S,
        "s",
    )?;
    if duration_s / step_s > 100_000.0 {
        return Err(c.err(
            &p.key("timeseries_step_s"),
            format!("{step_s} s buckets over {duration_s} s make more than 100000 points"),
            "use a larger step (300 s is typical for a day)",
        ));
    }
    let start_weekday = match &s.start_weekday {
        None => 0,
        Some(name) => super::WEEKDAYS
            .iter()
            .position(|d| d.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                c.err(
                    &p.clone().key("start_weekday"),
                    format!("\"{name}\" is not a day of the week"),
                    "use MON, TUE, WED, THU, FRI, SAT or SUN",
                )
            })? as u32,
    };
    Ok(Simulation {
        start_weekday,
        duration: SimTime::from_secs_ceil(duration_s),
        warmup: SimTime::from_secs_ceil(warmup_s),
        seed: s.seed,
        replications: s.replications,
        start_utc_hour,
        timeseries_step: SimTime::from_secs_ceil(step_s),
        cell_step: None,
    })
}

fn check_traffic(
    c: &Checker,
    raw: &RawScenario,
    catalog: &Catalog,
) -> Result<Traffic, ScenarioError> {
    let p = FieldPath::default().key("traffic");
    let t = &raw.traffic;
    let open_sites = t.sites.iter().any(|s| s.virtual_users.is_none());
    let total_rate_rps = match (t.total_rate_rps, &t.trace) {
        (Some(_), Some(_)) => {
            return Err(c.err(
                &p.clone().key("total_rate_rps"),
                "both `total_rate_rps` and `trace` are set".into(),
                "a trace brings its own rate: drop total_rate_rps, or scale the trace with `speedup`",
            ));
        }
        (Some(rate), None) => {
            c.positive(&p.clone().key("total_rate_rps"), rate, 1.0e8, "requests/s")?
        }
        (None, Some(_)) => 0.0,
        (None, None) if !open_sites => 0.0,
        (None, None) => {
            return Err(c.err(
                &p.clone(),
                "missing field `total_rate_rps`".into(),
                "give the mean request rate of all sites together (requests/s), or replay a trace with [traffic.trace]",
            ));
        }
    };
    if t.trace.is_some() {
        for (key, set) in [
            ("diurnal", t.diurnal.is_some()),
            ("diurnal_curve", t.diurnal_curve.is_some()),
            ("burstiness", t.burstiness.is_some()),
        ] {
            if set {
                return Err(c.err(
                    &p.clone().key(key),
                    format!("`{key}` shapes drawn arrivals, but this traffic replays a trace"),
                    format!("drop `{key}`: the trace brings its own daily shape and bursts"),
                ));
            }
        }
    }
    let diurnal = match (&t.diurnal, &t.diurnal_curve) {
        (Some(_), Some(_)) => {
            return Err(c.err(
                &p.clone().key("diurnal_curve"),
                "both `diurnal` and `diurnal_curve` are set".into(),
                "keep one: a preset name in `diurnal` or 24 hourly values in `diurnal_curve`",
            ));
        }
        (Some(name), None) => DiurnalCurve::preset(name).ok_or_else(|| {
            let hint = match did_you_mean(name, PRESETS) {
                Some(best) => format!("did you mean \"{best}\"? presets: {}", PRESETS.join(", ")),
                None => format!("use one of {} or give `diurnal_curve`", PRESETS.join(", ")),
            };
            c.err(
                &p.clone().key("diurnal"),
                format!("unknown diurnal preset \"{name}\""),
                hint,
            )
        })?,
        (None, Some(values)) => DiurnalCurve::from_hourly(values).map_err(|m| {
            c.err(
                &p.clone().key("diurnal_curve"),
                m,
                "give 24 values ≥ 0, local hours 0–23",
            )
        })?,
        (None, None) => DiurnalCurve::preset("flat").expect("flat preset exists"),
    };
    let burstiness = t
        .burstiness
        .as_ref()
        .map(|b| check_burstiness(c, &p.clone().key("burstiness"), b))
        .transpose()?;
    if t.sites.is_empty() {
        return Err(c.err(
            &p.clone().key("sites"),
            "no user sites".into(),
            "add at least one site, e.g. sites = [{ name = \"london\" }] (names are in models/sites.toml)",
        ));
    }
    let mut seen = BTreeSet::new();
    let mut sites = Vec::with_capacity(t.sites.len());
    for (i, raw_site) in t.sites.iter().enumerate() {
        let sp = p.clone().key("sites").index(i);
        if !seen.insert(raw_site.name.clone()) {
            return Err(c.err(
                &sp.key("name"),
                format!("site \"{}\" is listed twice", raw_site.name),
                "list each site once; use `share` to weight it",
            ));
        }
        sites.push(check_site(c, &sp, raw_site, catalog)?);
    }
    let total_share: f64 = sites
        .iter()
        .filter(|s| s.closed_loop.is_none())
        .map(|s| s.share)
        .sum();
    for s in &mut sites {
        s.share = if s.closed_loop.is_some() {
            0.0
        } else {
            s.share / total_share
        };
    }
    let trace = t
        .trace
        .as_ref()
        .map(|tr| super::workload::check_trace(c, &p.clone().key("trace"), tr, &sites))
        .transpose()?;
    let total_rate_rps = match &trace {
        Some(tr) => tr.mean_rate_rps(),
        None => total_rate_rps,
    };
    Ok(Traffic {
        total_rate_rps,
        diurnal,
        burstiness,
        sites,
        trace,
    })
}

fn check_burstiness(
    c: &Checker,
    p: &FieldPath,
    b: &RawBurstiness,
) -> Result<Burstiness, ScenarioError> {
    let window_s = c.range(&p.clone().key("window_s"), b.window_s, 1.0, 86_400.0, "s")?;
    let rate_cv = c.range(&p.clone().key("rate_cv"), b.rate_cv, 0.0, 10.0, "")?;
    // Below this the Gamma factor's shape 1/cv² is astronomically large (or infinite): the
    // burstiness is nil in effect and not worth a numerically fragile distribution.
    if rate_cv > 0.0 && rate_cv < 1e-3 {
        return Err(c.err(
            &p.clone().key("rate_cv"),
            format!("a rate CV of {} is too small to matter", fmt_num(rate_cv)),
            "use 0 for no over-dispersion, or at least 0.001",
        ));
    }
    Ok(Burstiness {
        window: SimTime::from_secs_ceil(window_s),
        rate_cv,
    })
}

fn check_site(
    c: &Checker,
    p: &FieldPath,
    raw: &RawSite,
    catalog: &Catalog,
) -> Result<UserSite, ScenarioError> {
    let inline = raw.lat.is_some()
        || raw.lon.is_some()
        || raw.utc_offset_hours.is_some()
        || raw.country.is_some()
        || raw.continent.is_some();
    let site = if inline {
        if catalog.sites.contains_key(&raw.name) {
            return Err(c.err(
                &p.clone().key("name"),
                format!(
                    "inline site \"{}\" shadows the catalog site of that name",
                    raw.name
                ),
                "rename the inline site, or drop lat/lon/... to use the catalog's",
            ));
        }
        let need = |v: Option<f64>, key: &str| {
            v.ok_or_else(|| {
                c.err(
                    &p.clone().key(key),
                    format!("inline site needs `{key}`"),
                    "an inline site sets lat, lon, utc_offset_hours, country and continent",
                )
            })
        };
        let lat = c.range(
            &p.clone().key("lat"),
            need(raw.lat, "lat")?,
            -90.0,
            90.0,
            "degrees",
        )?;
        let lon = c.range(
            &p.clone().key("lon"),
            need(raw.lon, "lon")?,
            -180.0,
            180.0,
            "degrees",
        )?;
        let off = c.range(
            &p.clone().key("utc_offset_hours"),
            need(raw.utc_offset_hours, "utc_offset_hours")?,
            -12.0,
            14.0,
            "h",
        )?;
        let country = raw.country.clone().ok_or_else(|| {
            c.err(
                &p.clone().key("country"),
                "inline site needs `country`".into(),
                "e.g. country = \"Germany\"",
            )
        })?;
        let code = raw.continent.clone().ok_or_else(|| {
            c.err(
                &p.clone().key("continent"),
                "inline site needs `continent`".into(),
                "one of NA, SA, EU, AS, OC, AF",
            )
        })?;
        let continent = Continent::from_code(&code).ok_or_else(|| {
            c.err(
                &p.clone().key("continent"),
                format!("unknown continent \"{code}\""),
                "use one of NA, SA, EU, AS, OC, AF",
            )
        })?;
        Site {
            name: raw.name.clone(),
            country,
            continent,
            lat_deg: lat,
            lon_deg: lon,
            utc_offset_hours: off,
            traffic_share: raw.share.unwrap_or(1.0),
        }
    } else {
        catalog.sites.get(&raw.name).cloned().ok_or_else(|| {
            let hint = match did_you_mean(&raw.name, catalog.sites.keys().map(String::as_str)) {
                Some(best) => format!("did you mean \"{best}\"? models/sites.toml lists the sites"),
                None => "use a site from models/sites.toml, or give lat, lon, utc_offset_hours, country and continent inline".into(),
            };
            c.err(&p.clone().key("name"), format!("unknown site \"{}\"", raw.name), hint)
        })?
    };
    let share = match raw.share {
        Some(s) => c.positive(&p.clone().key("share"), s, 1.0e6, "(relative weight)")?,
        None => site.traffic_share,
    };
    let closed_loop = super::workload::check_closed_loop(c, p, raw)?;
    Ok(UserSite {
        site,
        share,
        closed_loop,
    })
}

fn check_tokens(
    c: &Checker,
    p: &FieldPath,
    raw: &RawTokenDist,
) -> Result<TokenDist, ScenarioError> {
    const MAX_TOKENS: f64 = 1.0e7;
    Ok(match *raw {
        RawTokenDist::Lognormal { median, p90, max } => {
            // Token counts are whole and at least 1: so are the median and p90 (which also
            // keeps sigma = ln(p90/median)/z90 finite).
            let median = c.range(&p.clone().key("median"), median, 1.0, MAX_TOKENS, "tokens")?;
            let p90 = c.range(&p.clone().key("p90"), p90, 1.0, MAX_TOKENS, "tokens")?;
            if p90 <= median {
                return Err(c.err(&p.clone().key("p90"), format!("p90 ({p90}) must exceed the median ({median})"), "a log-normal's p90 lies above its median; use dist = \"constant\" for a fixed size"));
            }
            let max = c.positive(
                &p.clone().key("max"),
                max.unwrap_or(MAX_TOKENS),
                MAX_TOKENS,
                "tokens",
            )?;
            if max < median {
                return Err(c.err(
                    &p.clone().key("max"),
                    format!("max ({max}) is below the median ({median})"),
                    "raise max above the median, or lower the median",
                ));
            }
            TokenDist::Lognormal {
                mu: median.ln(),
                sigma: (p90 / median).ln() / Z90,
                max,
            }
        }
        RawTokenDist::Exponential { mean, max } => {
            let mean = c.range(&p.clone().key("mean"), mean, 1.0, MAX_TOKENS, "tokens")?;
            let max = c.positive(
                &p.clone().key("max"),
                max.unwrap_or(MAX_TOKENS),
                MAX_TOKENS,
                "tokens",
            )?;
            if max < mean {
                return Err(c.err(
                    &p.clone().key("max"),
                    format!("max ({max}) is below the mean ({mean})"),
                    "raise max above the mean",
                ));
            }
            TokenDist::Exponential { mean, max }
        }
        RawTokenDist::Constant { value } => {
            let v = c.range(&p.clone().key("value"), value, 1.0, MAX_TOKENS, "tokens")?;
            TokenDist::Constant {
                value: v.round() as u32,
            }
        }
    })
}

fn check_network(c: &Checker, raw: &RawScenario) -> Result<NetworkParams, ScenarioError> {
    let p = FieldPath::default().key("network");
    let n = &raw.network;
    Ok(NetworkParams {
        route_inflation: c.range(
            &p.clone().key("route_inflation"),
            n.route_inflation,
            1.0,
            10.0,
            "×",
        )?,
        backbone_overhead_ms: c.range(
            &p.clone().key("backbone_overhead_ms"),
            n.backbone_overhead_ms,
            0.0,
            1000.0,
            "ms",
        )?,
        last_mile_ms: c.range(
            &p.clone().key("last_mile_ms"),
            n.last_mile_ms,
            0.0,
            1000.0,
            "ms",
        )?,
        jitter_ms: c.range(&p.clone().key("jitter_ms"), n.jitter_ms, 0.0, 1000.0, "ms")?,
        handshake_rtts: c.range(
            &p.clone().key("handshake_rtts"),
            n.handshake_rtts,
            0.0,
            10.0,
            "round trips",
        )?,
        new_connection_share: c.range(
            &p.clone().key("new_connection_share"),
            n.new_connection_share,
            0.0,
            1.0,
            "",
        )?,
        edge_access_ms: c.range(
            &p.clone().key("edge_access_ms"),
            n.edge_access_ms,
            0.0,
            1000.0,
            "ms",
        )?,
        edge_inflation: c.range(
            &p.clone().key("edge_inflation"),
            n.edge_inflation,
            1.0,
            10.0,
            "×",
        )?,
        edge_jitter_share: c.range(
            &p.key("edge_jitter_share"),
            n.edge_jitter_share,
            0.0,
            1.0,
            "(a share)",
        )?,
    })
}

fn check_regions(
    c: &Checker,
    raw: &[RawRegion],
    catalog: &Catalog,
) -> Result<Vec<Deployment>, ScenarioError> {
    let p = FieldPath::default().key("regions");
    if raw.is_empty() {
        return Err(c.err(
            &p,
            "no regions".into(),
            "add at least one [[regions]] with code, profile and instances",
        ));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let rp = p.clone().index(i);
        let region = catalog.regions.get(&r.code).cloned().ok_or_else(|| {
            let hint = match did_you_mean(&r.code, catalog.regions.keys().map(String::as_str)) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => "use an AWS region code from models/regions.toml".into(),
            };
            c.err(
                &rp.clone().key("code"),
                format!("unknown region \"{}\"", r.code),
                hint,
            )
        })?;
        if !seen.insert(r.code.clone()) {
            return Err(c.err(
                &rp.clone().key("code"),
                format!("region \"{}\" is listed twice", r.code),
                "one [[regions]] entry per region; raise `instances` instead",
            ));
        }
        let kind = if r.managed.is_some() {
            DeploymentKind::Managed(managed::check_managed(c, &rp, r, &region, catalog)?)
        } else if r.frontend.is_some() && r.profile.is_none() && r.instances.is_none() {
            DeploymentKind::FrontendOnly
        } else {
            DeploymentKind::SelfHosted(check_self_hosted(c, &rp, r, catalog)?)
        };
        if r.max_queue > 10_000_000 {
            return Err(c.err(
                &rp.clone().key("max_queue"),
                format!("max_queue {} is too large", r.max_queue),
                "use at most 10000000 requests",
            ));
        }
        let timeout_s = c.positive(&rp.clone().key("timeout_s"), r.timeout_s, 86_400.0, "s")?;
        let throttle = match &r.throttle {
            None => None,
            Some(t) => {
                let tp = rp.clone().key("throttle");
                if t.rate_rps == 0.0 {
                    return Err(c.err(
                        &tp.key("rate_rps"),
                        "a quota of 0 requests/s would throttle every request".into(),
                        "give a positive rate (API Gateway's default is 10000), or remove the throttle",
                    ));
                }
                let rate_rps =
                    c.positive(&tp.clone().key("rate_rps"), t.rate_rps, 1.0e9, "requests/s")?;
                let burst = c.range(&tp.key("burst"), t.burst, 1.0, 1.0e9, "requests")?;
                Some(Throttle { rate_rps, burst })
            }
        };
        out.push(Deployment {
            region,
            kind,
            frontend: None,
            max_queue: r.max_queue,
            timeout: SimTime::from_secs_ceil(timeout_s),
            throttle,
        });
    }
    managed::link_profiles(&mut out);
    for (i, r) in raw.iter().enumerate() {
        if let Some(f) = &r.frontend {
            let fe = managed::check_frontend(c, &p.clone().index(i).key("frontend"), f, &out)?;
            out[i].frontend = Some(fe);
        }
    }
    Ok(out)
}

fn check_autoscaling(
    c: &Checker,
    p: &FieldPath,
    a: &super::raw::RawAutoscaling,
    instances: u32,
) -> Result<Autoscaling, ScenarioError> {
    if a.min_instances == 0 || a.min_instances > a.max_instances || a.max_instances > MAX_INSTANCES
    {
        return Err(c.err(
            &p.clone().key("max_instances"),
            format!(
                "min_instances {} and max_instances {} do not make a range",
                a.min_instances, a.max_instances
            ),
            format!("use 1 ≤ min_instances ≤ max_instances ≤ {MAX_INSTANCES}"),
        ));
    }
    if instances < a.min_instances || instances > a.max_instances {
        return Err(c.err(
            &p.clone().key("min_instances"),
            format!(
                "the region starts with {instances} instances, outside [{}, {}]",
                a.min_instances, a.max_instances
            ),
            "make `instances` (the starting count) lie within the autoscaling range",
        ));
    }
    let target = c.range(
        &p.clone().key("target_utilisation"),
        a.target_utilisation,
        0.05,
        1.0,
        "(share of batch slots)",
    )?;
    let secs = |key: &str, v: f64, lo: f64| {
        c.range(&p.clone().key(key), v, lo, 86_400.0, "s")
            .map(SimTime::from_secs_ceil)
    };
    Ok(Autoscaling {
        min_instances: a.min_instances,
        max_instances: a.max_instances,
        target_utilisation: target,
        launch: secs("launch_s", a.launch_s, 0.0)?,
        period: secs("period_s", a.period_s, 1.0)?,
        scale_out_cooldown: secs("scale_out_cooldown_s", a.scale_out_cooldown_s, 0.0)?,
        scale_in_cooldown: secs("scale_in_cooldown_s", a.scale_in_cooldown_s, 0.0)?,
    })
}

fn check_self_hosted(
    c: &Checker,
    rp: &FieldPath,
    r: &RawRegion,
    catalog: &Catalog,
) -> Result<SelfHosted, ScenarioError> {
    let missing = |key: &str| {
        c.err(rp, format!("missing field `{key}`"), "add the field; a self-hosted region needs `profile` and `instances` (or use `managed = ...`)")
    };
    let profile_name = r.profile.as_ref().ok_or_else(|| missing("profile"))?;
    let instances = r.instances.ok_or_else(|| missing("instances"))?;
    let profile = catalog
        .serving_profiles
        .get(profile_name)
        .cloned()
        .ok_or_else(|| {
            let hint = match did_you_mean(
                profile_name,
                catalog.serving_profiles.keys().map(String::as_str),
            ) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => format!(
                    "use one of: {}",
                    catalog
                        .serving_profiles
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            c.err(
                &rp.clone().key("profile"),
                format!("unknown serving profile \"{}\"", profile_name),
                hint,
            )
        })?;
    let price = catalog
        .instance_types
        .get(&profile.instance_type)
        .and_then(|t| t.prices.get(&r.code))
        .copied()
        .ok_or_else(|| {
            c.err(
                &rp.clone().key("profile"),
                format!(
                    "instance type {} has no price in {}",
                    profile.instance_type, r.code
                ),
                "pick a region where the instance type has a price (models/instances.toml)",
            )
        })?;
    if instances == 0 || instances > MAX_INSTANCES {
        return Err(c.err(
            &rp.clone().key("instances"),
            format!("{} instances is not allowed", instances),
            format!("use 1 to {MAX_INSTANCES}; remove the region to send it no traffic"),
        ));
    }
    let max_batch = r.max_batch.unwrap_or(profile.max_batch);
    if max_batch == 0 || max_batch > 4096 {
        return Err(c.err(
            &rp.clone().key("max_batch"),
            format!("max_batch {max_batch} is not allowed"),
            "use 1 to 4096 sequences",
        ));
    }
    let service = match r.service {
        None => ServiceModel::TokenProfile,
        Some(super::raw::RawService::Exponential { mean_ms }) => ServiceModel::Exponential {
            mean_ms: c.positive(
                &rp.clone().key("service").key("mean_ms"),
                mean_ms,
                3.6e6,
                "ms",
            )?,
        },
        Some(super::raw::RawService::Deterministic { ms }) => ServiceModel::Deterministic {
            ms: c.positive(&rp.clone().key("service").key("ms"), ms, 3.6e6, "ms")?,
        },
    };
    let autoscaling = r
        .autoscaling
        .as_ref()
        .map(|a| check_autoscaling(c, &rp.clone().key("autoscaling"), a, instances))
        .transpose()?;
    Ok(SelfHosted {
        profile,
        price,
        instances,
        max_batch,
        service,
        autoscaling,
        scheduled_actions: Vec::new(),
    })
}

/// What routing checks need from the rest of the scenario.
struct RoutingInputs<'a> {
    deployments: &'a [Deployment],
    sim: &'a Simulation,
    sites: &'a [UserSite],
    allowed: &'a [Option<Vec<bool>>],
    catalog: &'a Catalog,
    health: &'a Option<HealthCheckConfig>,
}

/// Routing with the health checks and DNS caching it implies, under `base` (the root, or a
/// `[[topology]]`). `inherited_dns`: the DNS settings come from the scenario rather than
/// this block, and are dropped for anycast instead of refused.
fn check_routing_setup(
    c: &Checker,
    base: &FieldPath,
    raw_routing: &RawRouting,
    raw_dns: Option<&super::raw::RawDns>,
    inherited_dns: bool,
    ctx: &RoutingInputs,
) -> Result<(RoutingConfig, Option<HealthCheckConfig>, Option<DnsConfig>), ScenarioError> {
    let routing = check_routing(
        c,
        &base.clone().key("routing"),
        raw_routing,
        ctx.deployments,
        ctx.sim,
        ctx.sites,
        ctx.allowed,
    )?;
    let mut health = ctx.health.clone();
    let mut dns = raw_dns.map(|d| topology::check_dns(c, d)).transpose()?;
    if matches!(routing, RoutingConfig::Anycast { .. }) {
        if dns.is_some() && !inherited_dns {
            return Err(c.err(
                &base.clone().key("dns"),
                "anycast uses static IP addresses: there is no DNS answer to cache".into(),
                "remove [dns], or route with a DNS policy",
            ));
        }
        dns = None;
        // Global Accelerator always checks its endpoints: its defaults (30 s, threshold 3).
        if health.is_none() {
            health = Some(topology::default_health(ctx.catalog));
        }
    }
    if matches!(routing, RoutingConfig::Failover { .. }) && health.is_none() {
        return Err(c.err(
            &base.clone().key("routing").key("policy"),
            "failover routing needs health checks to know when the primary is down".into(),
            "add a [health_check] section (interval_s = 10 or 30, failure_threshold = 1..10)",
        ));
    }
    Ok((routing, health, dns))
}

fn check_routing(
    c: &Checker,
    p: &FieldPath,
    raw: &RawRouting,
    deployments: &[Deployment],
    sim: &Simulation,
    sites: &[UserSite],
    allowed: &[Option<Vec<bool>>],
) -> Result<RoutingConfig, ScenarioError> {
    let p = p.clone();
    const POLICIES: [&str; 6] = [
        "latency",
        "weighted",
        "failover",
        "geolocation",
        "geoproximity",
        "anycast",
    ];
    // Keys that belong to one policy only: set under another they would be ignored.
    let uses = |key: &str| match raw.policy.as_str() {
        "weighted" => key == "weights" || key == "weight_schedule",
        "failover" => key == "primary" || key == "secondary",
        "geolocation" => key == "geo",
        "geoproximity" => key == "bias",
        "anycast" => key == "traffic_dials",
        _ => false,
    };
    for (key, set) in [
        ("weights", raw.weights.is_some()),
        ("primary", raw.primary.is_some()),
        ("secondary", raw.secondary.is_some()),
        ("geo", raw.geo.is_some()),
        ("bias", raw.bias.is_some()),
        ("traffic_dials", raw.traffic_dials.is_some()),
    ] {
        if set && POLICIES.contains(&raw.policy.as_str()) && !uses(key) {
            return Err(c.err(
                &p.clone().key(key),
                format!("`{key}` is set but the policy is \"{}\"", raw.policy),
                format!("remove `{key}`, or choose the policy that uses it"),
            ));
        }
    }
    let region_index = |key: &str, code: &Option<String>| -> Result<usize, ScenarioError> {
        let code = code.as_ref().ok_or_else(|| {
            c.err(
                &p.clone().key("policy"),
                format!("failover routing needs `{key}`"),
                "set primary = \"<region>\" and secondary = \"<region>\"",
            )
        })?;
        deployments
            .iter()
            .position(|d| &d.region.code == code)
            .ok_or_else(|| {
                c.err(
                    &p.clone().key(key),
                    format!("{key} \"{code}\" has no [[regions]] entry"),
                    "name one of the scenario's regions",
                )
            })
    };
    match raw.policy.as_str() {
        "latency" => Ok(RoutingConfig::Latency),
        "geolocation" => {
            let map = raw.geo.as_ref().ok_or_else(|| {
                c.err(&p.clone().key("policy"), "geolocation routing needs `geo`".into(), "add geo = { \"EU\" = \"eu-west-1\", \"*\" = \"us-east-1\" } (continent codes, countries, \"*\")")
            })?;
            let chains =
                geo::check_geolocation(c, &p.clone().key("geo"), map, sites, deployments, allowed)?;
            Ok(RoutingConfig::Geolocation { chains })
        }
        "anycast" => {
            let mut dials = vec![1.0; deployments.len()];
            for (code, pct) in raw.traffic_dials.iter().flatten() {
                let dp = p.clone().key("traffic_dials").key(code);
                let i = deployments
                    .iter()
                    .position(|d| &d.region.code == code)
                    .ok_or_else(|| {
                        c.err(
                            &dp,
                            format!("traffic dial for \"{code}\", which has no [[regions]] entry"),
                            "give dials only for the scenario's regions",
                        )
                    })?;
                dials[i] =
                    c.range(&dp, *pct, 0.0, 100.0, "% (Global Accelerator traffic dial)")? / 100.0;
            }
            if dials.iter().all(|d| *d == 0.0) {
                return Err(c.err(
                    &p.key("traffic_dials"),
                    "every traffic dial is 0".into(),
                    "Global Accelerator would then ignore the dials; leave at least one above 0",
                ));
            }
            Ok(RoutingConfig::Anycast { dials })
        }
        "geoproximity" => {
            let bias = match &raw.bias {
                Some(b) => geo::check_bias(c, &p.clone().key("bias"), b, deployments)?,
                None => vec![0.0; deployments.len()],
            };
            Ok(RoutingConfig::Geoproximity { bias })
        }
        "failover" => {
            let primary = region_index("primary", &raw.primary)?;
            let secondary = region_index("secondary", &raw.secondary)?;
            if primary == secondary {
                return Err(c.err(
                    &p.key("secondary"),
                    "the secondary is the primary".into(),
                    "fail over to a different region",
                ));
            }
            Ok(RoutingConfig::Failover { primary, secondary })
        }
        "weighted" => {
            let weights = raw.weights.as_ref().ok_or_else(|| {
                c.err(
                    &p.clone().key("policy"),
                    "weighted routing needs `weights`".into(),
                    "add weights = { \"us-east-1\" = 50, ... }, one per region (0–255)",
                )
            })?;
            let weights = check_weights(c, &p.clone().key("weights"), weights, deployments)?;
            let mut schedule: Vec<(SimTime, Vec<f64>)> = Vec::new();
            for (i, step) in raw.weight_schedule.iter().enumerate() {
                let sp = p.clone().key("weight_schedule").index(i);
                let window_s = sim.duration.as_secs_f64();
                if !step.at_s.is_finite() || step.at_s < 0.0 || step.at_s >= window_s {
                    return Err(c.err(
                        &sp.clone().key("at_s"),
                        format!(
                            "{} s is outside the measured window (0 to {window_s} s)",
                            step.at_s
                        ),
                        "at_s counts from the end of warm-up",
                    ));
                }
                let at = sim.warmup + SimTime::from_secs_ceil(step.at_s);
                if schedule.last().is_some_and(|(prev, _)| *prev >= at) {
                    return Err(c.err(
                        &sp.clone().key("at_s"),
                        "weight changes must come in time order".into(),
                        "sort the [[routing.weight_schedule]] entries by at_s",
                    ));
                }
                schedule.push((
                    at,
                    check_weights(c, &sp.key("weights"), &step.weights, deployments)?,
                ));
            }
            Ok(RoutingConfig::Weighted { weights, schedule })
        }
        other => {
            let hint = match did_you_mean(other, POLICIES) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => format!("use one of: {}", POLICIES.join(", ")),
            };
            Err(c.err(
                &p.key("policy"),
                format!("unknown routing policy \"{other}\""),
                hint,
            ))
        }
    }
}

/// One weight per deployment (0–255), not all 0, naming only deployed regions.
fn check_weights(
    c: &Checker,
    p: &FieldPath,
    weights: &BTreeMap<String, f64>,
    deployments: &[Deployment],
) -> Result<Vec<f64>, ScenarioError> {
    for name in weights.keys() {
        if !deployments.iter().any(|d| &d.region.code == name) {
            return Err(c.err(
                &p.clone().key(name),
                format!("weight for \"{name}\", which has no [[regions]] entry"),
                "give weights only for the scenario's regions",
            ));
        }
    }
    let mut out = Vec::with_capacity(deployments.len());
    for d in deployments {
        let w = *weights.get(&d.region.code).ok_or_else(|| {
            c.err(
                p,
                format!("no weight for region \"{}\"", d.region.code),
                "give every region a weight (0 sends it no traffic)",
            )
        })?;
        out.push(c.range(
            &p.clone().key(&d.region.code),
            w,
            0.0,
            255.0,
            "(Route 53 weights are 0–255)",
        )?);
    }
    if out.iter().all(|w| *w == 0.0) {
        return Err(c.err(
            p,
            "all weights are 0".into(),
            "Route 53 would then split traffic equally; give equal non-zero weights if that is what you mean",
        ));
    }
    Ok(out)
}

fn check_slo(c: &Checker, raw: &RawScenario) -> Result<SloTargets, ScenarioError> {
    check_targets(c, &FieldPath::default().key("slo"), &raw.slo)
}

/// Latency and availability targets (the `[slo]` table, or `[plan.resilience]`).
pub(super) fn check_targets(
    c: &Checker,
    p: &FieldPath,
    raw: &super::raw::RawSlo,
) -> Result<SloTargets, ScenarioError> {
    let target = |key: &str,
                  t: &Option<RawLatencyTarget>|
     -> Result<Option<LatencyTarget>, ScenarioError> {
        let Some(t) = t else { return Ok(None) };
        let tp = p.clone().key(key);
        let percentile = c.range(&tp.clone().key("percentile"), t.percentile, 1.0, 99.99, "%")?;
        let max_ms = c.positive(&tp.key("max_ms"), t.max_ms, 3.6e6, "ms")?;
        Ok(Some(LatencyTarget { percentile, max_ms }))
    };
    Ok(SloTargets {
        ttft: target("ttft", &raw.ttft)?,
        e2e: target("e2e", &raw.e2e)?,
        availability_pct: raw
            .availability_pct
            .map(|a| c.range(&p.clone().key("availability_pct"), a, 0.0, 100.0, "%"))
            .transpose()?,
    })
}
