//! Property tests: random *valid* scenarios, written as TOML text, are validated, run and
//! checked against invariants that must hold for every input — every request accounted for
//! once, latencies finite and non-negative, costs as priced, utilisation within [0, 1], queues
//! within their bounds and a JSON document without NaN.
//!
//! A failure prints the shrunk case and its scenario TOML, which `meridian run FILE`
//! reproduces; proptest also records the case under `proptest-regressions/`.
//!
//! Also here: the regression inputs of the cargo-fuzz targets (`fuzz/`), kept in
//! `tests/fuzz_regressions/`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use meridian::catalog::{Catalog, Continent};
use meridian::metrics::{LatencyHistogram, Outcomes};
use meridian::report::run_document;
use meridian::run::{RunOptions, RunResult, run};
use meridian::scenario::{Scenario, TokenDist};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

/// Cases per property: release runs the full count in a few seconds; debug builds simulate
/// about 20× slower, so they try fewer.
fn cases(release: u32) -> u32 {
    if cfg!(debug_assertions) {
        release / 4
    } else {
        release
    }
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(crate::support::catalog)
}

/// Serving profiles the generator uses; each region must price both instance types.
const PROFILES: [&str; 2] = ["llama-2-7b@g5.2xlarge", "llama-2-13b@p4d.24xlarge"];
/// Regions named in the brief, tried first; the rest of the catalog joins them when priced.
const CORE_REGIONS: [&str; 5] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
];
const CONTINENTS: [&str; 6] = ["NA", "SA", "EU", "AS", "OC", "AF"];

/// Catalog regions where every profile in [`PROFILES`] has a price, core regions first.
fn priced_regions() -> Vec<String> {
    let c = catalog();
    let priced = |code: &str| {
        PROFILES.iter().all(|p| {
            let t = &c.serving_profiles[*p].instance_type;
            c.instance_types[t].prices.contains_key(code)
        })
    };
    let mut out: Vec<String> = CORE_REGIONS
        .iter()
        .filter(|r| priced(r))
        .map(|r| r.to_string())
        .collect();
    assert_eq!(out.len(), CORE_REGIONS.len(), "core regions must be priced");
    out.extend(
        c.regions
            .keys()
            .filter(|r| !CORE_REGIONS.contains(&r.as_str()) && priced(r))
            .cloned(),
    );
    out
}

fn site_names() -> Vec<String> {
    catalog().sites.keys().cloned().collect()
}

// ---------------------------------------------------------------------------------------
// The generated scenario.

#[derive(Debug, Clone)]
enum SiteSpec {
    Catalog {
        name: String,
        share: Option<f64>,
    },
    Inline {
        lat: f64,
        lon: f64,
        utc_offset_hours: f64,
        continent: &'static str,
        share: Option<f64>,
    },
}

#[derive(Debug, Clone)]
enum TokenSpec {
    Lognormal {
        median: f64,
        p90: f64,
        max: Option<f64>,
    },
    Exponential {
        mean: f64,
        max: Option<f64>,
    },
    Constant {
        value: u32,
    },
}

#[derive(Debug, Clone)]
enum DiurnalSpec {
    Default,
    Preset(&'static str),
    Curve(Vec<f64>),
}

#[derive(Debug, Clone)]
enum ServiceSpec {
    Profile,
    Exponential { mean_ms: f64 },
    Deterministic { ms: f64 },
}

#[derive(Debug, Clone)]
struct RegionSpec {
    code: String,
    profile: &'static str,
    instances: u32,
    max_batch: Option<u32>,
    max_queue: u32,
    timeout_s: f64,
    throttle: Option<(f64, f64)>,
    service: ServiceSpec,
    weight: f64,
}

#[derive(Debug, Clone)]
struct NetworkSpec {
    last_mile_ms: f64,
    jitter_ms: f64,
    handshake_rtts: f64,
    new_connection_share: f64,
}

#[derive(Debug, Clone)]
struct Spec {
    duration_s: u32,
    warmup_s: u32,
    seed: u64,
    replications: u32,
    start_utc_hour: f64,
    timeseries_step_s: u32,
    /// Mean requests per replication (warm-up included); the rate follows from it.
    requests_per_replication: u32,
    diurnal: DiurnalSpec,
    burstiness: Option<(u32, f64)>,
    sites: Vec<SiteSpec>,
    prompt: Option<(TokenSpec, TokenSpec)>,
    network: Option<NetworkSpec>,
    regions: Vec<RegionSpec>,
    weighted: bool,
    slo: Option<(f64, f64, f64)>,
}

impl Spec {
    fn rate_rps(&self) -> f64 {
        let span = f64::from(self.duration_s + self.warmup_s);
        // Six decimals, so the text and the value agree exactly.
        (f64::from(self.requests_per_replication) / span * 1e6).round() / 1e6
    }

    fn toml(&self) -> String {
        let mut s = String::new();
        let w = &mut s;
        writeln!(w, "name = \"property\"").unwrap();
        writeln!(w, "[simulation]").unwrap();
        writeln!(w, "duration_s = {}", self.duration_s).unwrap();
        writeln!(w, "warmup_s = {}", self.warmup_s).unwrap();
        writeln!(w, "seed = {}", self.seed).unwrap();
        writeln!(w, "replications = {}", self.replications).unwrap();
        writeln!(w, "start_utc_hour = {}", self.start_utc_hour).unwrap();
        writeln!(w, "timeseries_step_s = {}", self.timeseries_step_s).unwrap();
        writeln!(w, "\n[traffic]").unwrap();
        writeln!(w, "total_rate_rps = {}", self.rate_rps()).unwrap();
        match &self.diurnal {
            DiurnalSpec::Default => {}
            DiurnalSpec::Preset(p) => writeln!(w, "diurnal = \"{p}\"").unwrap(),
            DiurnalSpec::Curve(v) => {
                let v: Vec<String> = v.iter().map(f64::to_string).collect();
                writeln!(w, "diurnal_curve = [{}]", v.join(", ")).unwrap();
            }
        }
        if let Some((window_s, rate_cv)) = self.burstiness {
            writeln!(
                w,
                "burstiness = {{ window_s = {window_s}, rate_cv = {rate_cv} }}"
            )
            .unwrap();
        }
        writeln!(w, "sites = [").unwrap();
        for (i, site) in self.sites.iter().enumerate() {
            let share = |s: &Option<f64>| s.map_or(String::new(), |v| format!(", share = {v}"));
            match site {
                SiteSpec::Catalog { name, share: sh } => {
                    writeln!(w, "  {{ name = \"{name}\"{} }},", share(sh)).unwrap()
                }
                SiteSpec::Inline {
                    lat,
                    lon,
                    utc_offset_hours,
                    continent,
                    share: sh,
                } => writeln!(
                    w,
                    "  {{ name = \"inline-{i}\", lat = {lat}, lon = {lon}, utc_offset_hours = {utc_offset_hours}, country = \"Testland\", continent = \"{continent}\"{} }},",
                    share(sh)
                )
                .unwrap(),
            }
        }
        writeln!(w, "]").unwrap();
        if let Some((prompt, output)) = &self.prompt {
            writeln!(w, "\n[requests]").unwrap();
            writeln!(w, "prompt_tokens = {}", token_toml(prompt)).unwrap();
            writeln!(w, "output_tokens = {}", token_toml(output)).unwrap();
        }
        if let Some(n) = &self.network {
            writeln!(w, "\n[network]").unwrap();
            writeln!(w, "last_mile_ms = {}", n.last_mile_ms).unwrap();
            writeln!(w, "jitter_ms = {}", n.jitter_ms).unwrap();
            writeln!(w, "handshake_rtts = {}", n.handshake_rtts).unwrap();
            writeln!(w, "new_connection_share = {}", n.new_connection_share).unwrap();
        }
        for r in &self.regions {
            writeln!(w, "\n[[regions]]").unwrap();
            writeln!(w, "code = \"{}\"", r.code).unwrap();
            writeln!(w, "profile = \"{}\"", r.profile).unwrap();
            writeln!(w, "instances = {}", r.instances).unwrap();
            if let Some(b) = r.max_batch {
                writeln!(w, "max_batch = {b}").unwrap();
            }
            writeln!(w, "max_queue = {}", r.max_queue).unwrap();
            writeln!(w, "timeout_s = {}", r.timeout_s).unwrap();
            if let Some((rate, burst)) = r.throttle {
                writeln!(w, "throttle = {{ rate_rps = {rate}, burst = {burst} }}").unwrap();
            }
            match r.service {
                ServiceSpec::Profile => {}
                ServiceSpec::Exponential { mean_ms } => writeln!(
                    w,
                    "service = {{ kind = \"exponential\", mean_ms = {mean_ms} }}"
                )
                .unwrap(),
                ServiceSpec::Deterministic { ms } => {
                    writeln!(w, "service = {{ kind = \"deterministic\", ms = {ms} }}").unwrap()
                }
            }
        }
        writeln!(w, "\n[routing]").unwrap();
        if self.weighted {
            writeln!(w, "policy = \"weighted\"").unwrap();
            let weights: Vec<String> = self
                .regions
                .iter()
                .map(|r| format!("\"{}\" = {}", r.code, r.weight))
                .collect();
            writeln!(w, "weights = {{ {} }}", weights.join(", ")).unwrap();
        } else {
            writeln!(w, "policy = \"latency\"").unwrap();
        }
        if let Some((p, max_ms, avail)) = self.slo {
            writeln!(w, "\n[slo]").unwrap();
            writeln!(w, "ttft = {{ percentile = {p}, max_ms = {max_ms} }}").unwrap();
            writeln!(
                w,
                "e2e = {{ percentile = {p}, max_ms = {} }}",
                max_ms * 10.0
            )
            .unwrap();
            writeln!(w, "availability_pct = {avail}").unwrap();
        }
        s
    }
}

fn token_toml(t: &TokenSpec) -> String {
    let max = |m: &Option<f64>| m.map_or(String::new(), |v| format!(", max = {v}"));
    match t {
        TokenSpec::Lognormal {
            median,
            p90,
            max: m,
        } => format!(
            "{{ dist = \"lognormal\", median = {median}, p90 = {p90}{} }}",
            max(m)
        ),
        TokenSpec::Exponential { mean, max: m } => {
            format!("{{ dist = \"exponential\", mean = {mean}{} }}", max(m))
        }
        TokenSpec::Constant { value } => format!("{{ dist = \"constant\", value = {value} }}"),
    }
}

// ---------------------------------------------------------------------------------------
// Strategies.

/// A number with at most two decimals in `[lo, hi]` (short, exact in the TOML text).
fn dec2(lo: f64, hi: f64) -> impl Strategy<Value = f64> + Clone {
    ((lo * 100.0).round() as i64..=(hi * 100.0).round() as i64).prop_map(|v| v as f64 / 100.0)
}

fn token_spec(scale: f64) -> impl Strategy<Value = TokenSpec> {
    prop_oneof![
        (
            dec2(1.0, scale),
            dec2(1.01, 4.0),
            prop::option::of(dec2(1.0, 10.0))
        )
            .prop_map(|(median, ratio, max)| TokenSpec::Lognormal {
                median,
                p90: (median * ratio * 100.0).round() / 100.0,
                max: max.map(|f| (median * f * 100.0).ceil() / 100.0),
            })
            .prop_filter("p90 above the median after rounding", |t| matches!(
                t, TokenSpec::Lognormal { median, p90, .. } if p90 > median
            )),
        (dec2(1.0, scale), prop::option::of(dec2(1.0, 10.0))).prop_map(|(mean, max)| {
            TokenSpec::Exponential {
                mean,
                max: max.map(|f| (mean * f * 100.0).ceil() / 100.0),
            }
        }),
        (1..=scale as u32).prop_map(|value| TokenSpec::Constant { value }),
    ]
}

fn site_spec() -> impl Strategy<Value = SiteSpec> {
    let share = prop::option::of(dec2(0.01, 10.0));
    prop_oneof![
        3 => (prop::sample::select(site_names()), share.clone())
            .prop_map(|(name, share)| SiteSpec::Catalog { name, share }),
        1 => (
            dec2(-60.0, 70.0),
            dec2(-180.0, 180.0),
            (-24i32..=28).prop_map(|h| f64::from(h) / 2.0),
            prop::sample::select(CONTINENTS.to_vec()),
            share,
        )
            .prop_map(|(lat, lon, utc_offset_hours, continent, share)| SiteSpec::Inline {
                lat,
                lon,
                utc_offset_hours,
                continent,
                share,
            }),
    ]
}

fn region_spec(code: String) -> impl Strategy<Value = RegionSpec> {
    (
        prop::sample::select(PROFILES.to_vec()),
        1u32..=5,
        prop::option::of(1u32..=16),
        0u32..=50,
        dec2(1.0, 60.0),
        prop::option::of((dec2(0.1, 20.0), dec2(1.0, 50.0))),
        prop_oneof![
            6 => Just(ServiceSpec::Profile),
            1 => dec2(1.0, 3000.0).prop_map(|mean_ms| ServiceSpec::Exponential { mean_ms }),
            1 => dec2(1.0, 3000.0).prop_map(|ms| ServiceSpec::Deterministic { ms }),
        ],
        prop_oneof![2 => Just(0.0), 3 => (0u32..=255).prop_map(f64::from), 1 => dec2(0.0, 255.0)],
    )
        .prop_map(
            move |(
                profile,
                instances,
                max_batch,
                max_queue,
                timeout_s,
                throttle,
                service,
                weight,
            )| {
                RegionSpec {
                    code: code.clone(),
                    profile,
                    instances,
                    max_batch,
                    max_queue,
                    timeout_s,
                    throttle,
                    service,
                    weight,
                }
            },
        )
}

fn regions_spec() -> impl Strategy<Value = Vec<RegionSpec>> {
    prop::sample::subsequence(priced_regions(), 1..=3)
        .prop_shuffle()
        .prop_flat_map(|codes| codes.into_iter().map(region_spec).collect::<Vec<_>>())
}

fn diurnal_spec() -> impl Strategy<Value = DiurnalSpec> {
    prop_oneof![
        Just(DiurnalSpec::Default),
        prop::sample::select(vec!["flat", "consumer", "business", "api"])
            .prop_map(DiurnalSpec::Preset),
        (prop::collection::vec(dec2(0.0, 5.0), 24), 0usize..24).prop_map(|(mut v, i)| {
            // At least one hour with traffic.
            v[i] = v[i].max(1.0);
            DiurnalSpec::Curve(v)
        }),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let simulation = (
        30u32..=300,
        0u32..=60,
        any::<u64>(),
        1u32..=3,
        dec2(0.0, 24.0),
        5u32..=120,
        20u32..=3000,
    );
    let traffic = (
        diurnal_spec(),
        prop::option::of((1u32..=120, dec2(0.0, 3.0))),
        prop::collection::vec(site_spec(), 1..=4),
        prop::option::of((token_spec(2000.0), token_spec(400.0))),
        prop::option::of(
            (
                dec2(0.0, 60.0),
                dec2(0.0, 10.0),
                dec2(0.0, 3.0),
                dec2(0.0, 1.0),
            )
                .prop_map(
                    |(last_mile_ms, jitter_ms, handshake_rtts, new_connection_share)| NetworkSpec {
                        last_mile_ms,
                        jitter_ms,
                        handshake_rtts,
                        new_connection_share,
                    },
                ),
        ),
    );
    let deployment = (
        regions_spec(),
        any::<bool>(),
        prop::option::of((
            prop::sample::select(vec![50.0, 90.0, 95.0, 99.0, 99.9]),
            dec2(100.0, 10_000.0),
            dec2(90.0, 100.0),
        )),
    );
    (simulation, traffic, deployment)
        .prop_map(
            |(
                (duration_s, warmup_s, seed, replications, start_utc_hour, step, requests),
                (diurnal, burstiness, sites, prompt, network),
                (mut regions, weighted, slo),
            )| {
                // All-zero weights are refused by validation (ambiguous intent): keep one > 0.
                if regions.iter().all(|r| r.weight == 0.0) {
                    regions[0].weight = 1.0;
                }
                Spec {
                    duration_s,
                    warmup_s,
                    seed,
                    replications,
                    start_utc_hour,
                    timeseries_step_s: step,
                    requests_per_replication: requests,
                    diurnal,
                    burstiness,
                    sites,
                    prompt,
                    network,
                    regions,
                    weighted,
                    slo,
                }
            },
        )
        // A catalog site listed twice is (rightly) invalid.
        .prop_filter("distinct catalog sites", |s| {
            let mut seen = BTreeSet::new();
            s.sites.iter().all(|site| match site {
                SiteSpec::Catalog { name, .. } => seen.insert(name.clone()),
                SiteSpec::Inline { .. } => true,
            })
        })
}

// ---------------------------------------------------------------------------------------
// Invariants.

type Check = Result<(), TestCaseError>;

fn fail(msg: String) -> TestCaseError {
    TestCaseError::fail(msg)
}

fn check_balanced(o: &Outcomes, what: &str) -> Check {
    prop_assert!(o.is_balanced(), "{what}: outcomes do not balance: {o:?}");
    let pct = o.availability_pct();
    prop_assert!(
        pct.is_finite() && (0.0..=100.0).contains(&pct),
        "{what}: availability {pct}"
    );
    Ok(())
}

fn check_histogram(h: &LatencyHistogram, what: &str) -> Check {
    for p in [0.0, 1.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0] {
        let v = h.percentile_ms(p);
        prop_assert!(v.is_finite() && v >= 0.0, "{what}: p{p} = {v}");
    }
    let mean = h.mean_ms();
    prop_assert!(mean.is_finite() && mean >= 0.0, "{what}: mean = {mean}");
    if h.count() > 0 {
        // The mean lies between the extremes (HDR buckets are within 1 %).
        let (lo, hi) = (h.percentile_ms(0.0), h.percentile_ms(100.0));
        prop_assert!(
            mean >= lo * 0.99 - 1e-3 && mean <= hi * 1.01 + 1e-3,
            "{what}: mean {mean} outside [{lo}, {hi}]"
        );
    }
    Ok(())
}

/// TTFT and e2e of one population (overall, a region or a continent).
fn check_latency_pair(
    ttft: &LatencyHistogram,
    e2e: &LatencyHistogram,
    o: &Outcomes,
    what: &str,
) -> Check {
    check_histogram(ttft, &format!("{what} ttft"))?;
    check_histogram(e2e, &format!("{what} e2e"))?;
    // e2e is recorded once per completed request; TTFT once per first token, so also for
    // requests still decoding at the end.
    prop_assert_eq!(e2e.count(), o.completed, "{}: e2e samples", what);
    prop_assert!(
        ttft.count() >= o.completed && ttft.count() <= o.completed + o.in_flight_at_end,
        "{what}: {} TTFT samples for {o:?}",
        ttft.count()
    );
    if ttft.count() == e2e.count() {
        // Same requests: each one's first token comes no later than its last.
        let (t, e) = (ttft.mean_ms(), e2e.mean_ms());
        prop_assert!(t <= e + 1e-9 * e, "{what}: mean TTFT {t} > mean e2e {e}");
        for p in [50.0, 90.0, 99.0, 100.0] {
            let (t, e) = (ttft.percentile_ms(p), e2e.percentile_ms(p));
            prop_assert!(t <= e, "{what}: TTFT p{p} {t} > e2e p{p} {e}");
        }
    }
    Ok(())
}

/// On-demand $/h of the region's instance type, straight from the catalog.
fn catalog_price(r: &RegionSpec) -> f64 {
    let c = catalog();
    let t = &c.instance_types[&c.serving_profiles[r.profile].instance_type];
    let price = t.prices[&r.code].usd_per_hour;
    assert!(
        price > 0.0 && price.is_finite(),
        "{}: price {price}",
        r.code
    );
    price
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1e-12)
}

/// Walks the JSON document: no null (serde_json writes NaN and ±inf as null), every number
/// finite and non-negative.
fn check_json(v: &Value, path: &str) -> Check {
    match v {
        Value::Null => Err(fail(format!("JSON {path} is null (a NaN or infinity)"))),
        Value::Number(n) => {
            let x = n
                .as_f64()
                .ok_or_else(|| fail(format!("JSON {path}: {n} is no f64")))?;
            prop_assert!(x.is_finite() && x >= 0.0, "JSON {path} = {x}");
            Ok(())
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check_json(x, &format!("{path}[{i}]"))),
        Value::Object(m) => m
            .iter()
            .try_for_each(|(k, x)| check_json(x, &format!("{path}.{k}"))),
        Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

fn check_run(spec: &Spec, sc: &Scenario, r: &RunResult) -> Check {
    let m = &r.merged;
    let reps = f64::from(sc.simulation.replications);
    prop_assert_eq!(r.replications, sc.simulation.replications);
    prop_assert_eq!(r.per_replication.len(), sc.simulation.replications as usize);
    prop_assert_eq!(m.regions.len(), sc.deployments.len());

    // Every request accounted for exactly once, overall, per region, per continent.
    check_balanced(&m.outcomes, "overall")?;
    prop_assert!(m.requests_simulated >= m.outcomes.generated);
    let mut by_region = Outcomes::default();
    for (d, rm) in sc.deployments.iter().zip(&m.regions) {
        check_balanced(&rm.outcomes, &d.region.code)?;
        by_region += rm.outcomes;
    }
    prop_assert_eq!(by_region, m.outcomes, "regions must add up to the total");
    let site_continents: BTreeSet<Continent> =
        sc.traffic.sites.iter().map(|s| s.site.continent).collect();
    let mut by_continent = Outcomes::default();
    for (c, cm) in &m.continents {
        prop_assert!(
            site_continents.contains(c),
            "continent {c:?} has no user site"
        );
        check_balanced(&cm.outcomes, c.code())?;
        by_continent += cm.outcomes;
        check_latency_pair(&cm.latency.ttft, &cm.latency.e2e, &cm.outcomes, c.code())?;
    }
    prop_assert_eq!(
        by_continent,
        m.outcomes,
        "continents must add up to the total"
    );

    // Latencies.
    check_latency_pair(&m.latency.ttft, &m.latency.e2e, &m.outcomes, "overall")?;
    check_histogram(&m.queue_wait, "overall queue wait")?;
    let o = m.outcomes;
    prop_assert!(m.queue_wait.count() >= m.latency.ttft.count());
    prop_assert!(m.queue_wait.count() <= o.completed + o.timed_out + o.in_flight_at_end);
    prop_assert!(m.waited <= m.queue_wait.count());

    let duration_h = sc.simulation.duration.as_secs_f64() / 3600.0;
    let weights_total: f64 = spec.regions.iter().map(|r| r.weight).sum();
    for ((d, rm), rs) in sc.deployments.iter().zip(&m.regions).zip(&spec.regions) {
        let code = &d.region.code;
        prop_assert_eq!(code, &rs.code);
        let o = rm.outcomes;
        check_latency_pair(&rm.latency.ttft, &rm.latency.e2e, &o, code)?;
        check_histogram(&rm.queue_wait, &format!("{code} queue wait"))?;
        prop_assert!(rm.queue_wait.count() >= rm.latency.ttft.count(), "{code}");
        prop_assert!(
            rm.queue_wait.count() <= o.completed + o.timed_out + o.in_flight_at_end,
            "{code}"
        );
        prop_assert!(rm.waited <= rm.queue_wait.count(), "{code}");
        if rs.throttle.is_none() {
            prop_assert_eq!(o.throttled, 0, "{}: throttled without a quota", code);
        }
        if spec.weighted && rs.weight == 0.0 && weights_total > 0.0 {
            prop_assert_eq!(o.generated, 0, "{}: weight 0 got traffic", code);
        }
        // A completed request's first token came within the region's timeout, plus the
        // network (well under 3 s with these parameters), plus the histogram's 1 %.
        if rm.latency.ttft.count() > 0 {
            let ttft_max = rm.latency.ttft.percentile_ms(100.0);
            let bound = (d.timeout.as_ms_f64() + 3000.0) * 1.01;
            prop_assert!(
                ttft_max <= bound,
                "{code}: TTFT max {ttft_max} ms > timeout bound {bound} ms"
            );
        }

        // Costs: instances × hours × the catalog's price (summed over replications).
        let price = catalog_price(rs);
        let hours = f64::from(rs.instances) * duration_h * reps;
        prop_assert!(
            close(rm.instance_hours, hours, 1e-9),
            "{code}: {} instance-hours, want {hours}",
            rm.instance_hours
        );
        prop_assert!(
            close(rm.instance_cost_usd, hours * price, 1e-9),
            "{code}: cost {} USD, want {}",
            rm.instance_cost_usd,
            hours * price
        );

        // Utilisation is a share of batch slots; queues never exceed max_queue.
        let u = rm.utilisation.overall_mean();
        prop_assert!((0.0..=1.0 + 1e-9).contains(&u), "{code}: utilisation {u}");
        for (b, u) in rm.utilisation.means().iter().enumerate() {
            prop_assert!(
                (0.0..=1.0 + 1e-9).contains(u),
                "{code}: utilisation bucket {b} = {u}"
            );
        }
        for u in rm.utilisation.maxima() {
            prop_assert!(
                (0.0..=1.0 + 1e-9).contains(u),
                "{code}: utilisation max {u}"
            );
        }
        let max_queue = f64::from(d.max_queue);
        let q = rm.queue_length.overall_mean();
        prop_assert!(
            (0.0..=max_queue + 1e-9).contains(&q),
            "{code}: mean queue {q} > {max_queue}"
        );
        for (b, q) in rm.queue_length.means().iter().enumerate() {
            prop_assert!(
                (0.0..=max_queue + 1e-9).contains(q),
                "{code}: queue bucket {b} mean {q} > {max_queue}"
            );
        }
        for (b, q) in rm.queue_length.maxima().iter().enumerate() {
            prop_assert!(
                (0.0..=max_queue).contains(q),
                "{code}: queue bucket {b} max {q} > {max_queue}"
            );
        }

        // Tokens: at least one each way per completed request, exact for constant sizes.
        prop_assert!(rm.prompt_tokens >= o.completed && rm.output_tokens >= o.completed);
        if let TokenDist::Constant { value } = sc.requests.prompt_tokens {
            prop_assert_eq!(rm.prompt_tokens, o.completed * u64::from(value), "{}", code);
        }
        if let TokenDist::Constant { value } = sc.requests.output_tokens {
            prop_assert_eq!(rm.output_tokens, o.completed * u64::from(value), "{}", code);
        }
    }

    // Per-replication summaries and their intervals are finite and non-negative.
    let s = &r.summary;
    for (name, ci) in [
        ("ttft_p50", s.ttft_p50_ms),
        ("ttft_p95", s.ttft_p95_ms),
        ("ttft_p99", s.ttft_p99_ms),
        ("e2e_p50", s.e2e_p50_ms),
        ("e2e_p95", s.e2e_p95_ms),
        ("e2e_p99", s.e2e_p99_ms),
        ("availability", s.availability_pct),
        ("throughput", s.throughput_rps),
        ("output tokens/s", s.output_tokens_per_s),
        ("cost", s.cost_usd),
    ] {
        prop_assert!(
            ci.mean.is_finite() && ci.mean >= 0.0 && ci.ci95.is_finite() && ci.ci95 >= 0.0,
            "summary {name}: {ci:?}"
        );
        prop_assert_eq!(
            ci.n,
            sc.simulation.replications as usize,
            "summary {}",
            name
        );
    }
    for slo in &r.slo {
        prop_assert!(slo.measured.is_finite() && slo.measured >= 0.0, "{slo:?}");
    }
    prop_assert_eq!(r.slo.len(), if spec.slo.is_some() { 3 } else { 0 });

    // The JSON document: no NaN (null), nothing negative, figures that match the run.
    let doc = run_document(r);
    check_json(&doc, "$")?;
    prop_assert_eq!(
        doc["outcomes"]["generated"].as_u64(),
        Some(m.outcomes.generated)
    );
    for (d, rs) in sc.deployments.iter().zip(&spec.regions) {
        let j = &doc["regions"][&d.region.code];
        let want = f64::from(rs.instances) * duration_h * catalog_price(rs);
        let got = j["instance_cost_usd"].as_f64().unwrap_or(f64::NAN);
        prop_assert!(
            (got - want).abs() <= 1e-4 + 1e-9 * want,
            "{}: JSON cost {got}, want {want}",
            d.region.code
        );
        let util = j["utilisation_mean"].as_f64().unwrap_or(f64::NAN);
        prop_assert!((0.0..=1.0).contains(&util), "{}: {util}", d.region.code);
        let qmax = j["queue_length_max"].as_f64().unwrap_or(f64::NAN);
        prop_assert!(qmax <= f64::from(rs.max_queue), "{}", d.region.code);
    }
    Ok(())
}

fn validate_and_run(spec: &Spec) -> Check {
    let src = spec.toml();
    let with_src = |e: TestCaseError| fail(format!("{e}\n--- scenario ---\n{src}"));
    let sc = Scenario::from_toml(&src, "property.toml", catalog()).map_err(|e| {
        fail(format!(
            "generated scenario is invalid: {e}\n--- scenario ---\n{src}"
        ))
    })?;
    let r = run(&sc, RunOptions::default());
    check_run(spec, &sc, &r).map_err(with_src)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn random_valid_scenarios_keep_every_invariant(spec in spec()) {
        validate_and_run(&spec)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// The same scenario and seed give the same JSON document, run after run (replications
    /// run in parallel on the rayon pool and are merged in a fixed order).
    #[test]
    fn same_seed_same_document(spec in spec()) {
        let src = spec.toml();
        let sc = Scenario::from_toml(&src, "property.toml", catalog())
            .map_err(|e| fail(format!("generated scenario is invalid: {e}\n{src}")))?;
        let a = run_document(&run(&sc, RunOptions::default()));
        let b = run_document(&run(&sc, RunOptions::default()));
        prop_assert!(a == b, "two runs of the same scenario differ\n--- scenario ---\n{src}");
    }
}

// ---------------------------------------------------------------------------------------
// Fuzz regressions: inputs found by `cargo fuzz` (see fuzz/), kept as files.

fn regression_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions")
}

/// Every kept fuzz input (`parse/` and `run/`) is parsed and validated without a panic,
/// and its error, if any, renders.
#[test]
fn fuzz_regressions_parse_without_panic() {
    let mut files = 0;
    for sub in ["parse", "run"] {
        let Ok(entries) = std::fs::read_dir(regression_dir().join(sub)) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let bytes = std::fs::read(e.path()).expect("readable");
            files += 1;
            let Ok(src) = String::from_utf8(bytes) else {
                continue;
            };
            if let Err(err) = Scenario::from_toml(&src, "fuzz.toml", catalog()) {
                assert!(!err.to_string().is_empty(), "{}", e.path().display());
            }
        }
    }
    assert!(files > 0, "tests/fuzz_regressions/ holds the kept inputs");
}

/// Validates a kept input and, if it is valid, runs it: no panic, the books balance.
/// Refusing the input in validation is as good a fix as running it.
fn run_regression(name: &str) {
    let path = regression_dir().join("run").join(name);
    let src = std::fs::read_to_string(&path).expect("regression file");
    if let Ok(sc) = Scenario::from_toml(&src, name, catalog()) {
        let r = run(&sc, RunOptions::default());
        assert!(r.merged.outcomes.is_balanced(), "{:?}", r.merged.outcomes);
    }
}

/// A tiny positive `burstiness.rate_cv` (below about 7.5e-155) made the Gamma shape 1/cv²
/// overflow to infinity and its scale 1/shape zero, and `SiteArrivals::new` panicked.
/// Validation now refuses 0 < CV < 0.001.
#[test]
fn fuzz_regression_tiny_rate_cv() {
    run_regression("tiny_rate_cv.toml");
    // The same bug as the fuzzer found it (rate_cv = 8.3e-246).
    run_regression("found_tiny_rate_cv.toml");
}

/// A subnormal log-normal median made p90 ÷ median overflow to infinity (sigma infinite),
/// and `TokenSampler::new` panicked. Validation now requires median and p90 ≥ 1 token.
#[test]
fn fuzz_regression_subnormal_lognormal_median() {
    run_regression("subnormal_lognormal_median.toml");
}
