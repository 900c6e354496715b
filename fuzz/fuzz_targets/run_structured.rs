//! Structure-aware: the fuzzer's bytes choose a scenario's *shape* (sections, sites,
//! regions, distributions) and every number, each either in a plausible range, an edge
//! value (0, -0, subnormal, 1e-200, ±inf, NaN, bounds ± 1 ulp) or raw f64 bits. Most
//! inputs therefore reach validation, and many valid ones reach the simulation, which
//! byte-level mutation of TOML text rarely does. Valid scenarios small enough to run fast
//! are run; nothing may panic and every request must be accounted for exactly once.
#![no_main]

use std::fmt::Write as _;
use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use meridian::catalog::Catalog;
use meridian::metrics::Outcomes;
use meridian::run::{RunOptions, run};
use meridian::scenario::Scenario;

/// Skip valid inputs beyond this many requests (all replications) or this simulated span:
/// smaller than run_small's limits, since most inputs here are valid and run.
const MAX_REQUESTS: f64 = 5_000.0;
const MAX_SPAN_S: f64 = 6.0 * 3600.0;

const SITES: [&str; 12] = [
    "london",
    "new-york",
    "tokyo",
    "sydney",
    "sao-paulo",
    "lagos",
    "mumbai",
    "paris",
    "seattle",
    "singapore",
    "johannesburg",
    "nowhere",
];
const REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
    "ap-southeast-2",
    "sa-east-1",
    "af-south-1",
];
const PROFILES: [&str; 4] = [
    "llama-2-7b@g5.2xlarge",
    "llama-2-13b@p4d.24xlarge",
    "llama-2-7b@g5.12xlarge",
    "llama-3.3-70b@p4d.24xlarge",
];
const CONTINENTS: [&str; 7] = ["NA", "SA", "EU", "AS", "OC", "AF", "XX"];
const PRESETS: [&str; 5] = ["flat", "consumer", "business", "api", "weekend"];

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().expect("embedded catalog loads"))
}

/// A number: mostly in `[lo, hi]`, sometimes an edge value or arbitrary bits.
#[derive(Arbitrary, Debug, Clone, Copy)]
struct Num {
    kind: u8,
    frac: u16,
    bits: u64,
}

impl Num {
    fn value(self, lo: f64, hi: f64) -> f64 {
        let edges = [
            0.0,
            -0.0,
            f64::from_bits(1),
            1e-310,
            f64::MIN_POSITIVE,
            1e-200,
            1e-9,
            1.0,
            lo,
            hi,
            next_down(lo),
            next_up(hi),
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e308,
        ];
        match self.kind % 8 {
            0..=4 => lo + (hi - lo) * f64::from(self.frac) / 65535.0,
            5 => (lo + (hi - lo) * f64::from(self.frac) / 65535.0).round(),
            6 => edges[usize::from(self.frac) % edges.len()],
            _ => f64::from_bits(self.bits),
        }
    }

    fn toml(self, lo: f64, hi: f64) -> String {
        let v = self.value(lo, hi);
        if v.is_nan() {
            "nan".into()
        } else if v.is_infinite() {
            if v > 0.0 { "inf".into() } else { "-inf".into() }
        } else {
            // Debug keeps exponents short (1e-310) and always round-trips.
            format!("{v:?}")
        }
    }
}

fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

#[derive(Arbitrary, Debug)]
enum Tokens {
    Lognormal {
        median: Num,
        p90: Num,
        max: Option<Num>,
    },
    Exponential {
        mean: Num,
        max: Option<Num>,
    },
    Constant {
        value: Num,
    },
}

impl Tokens {
    fn toml(&self, scale: f64) -> String {
        let max = |m: &Option<Num>| {
            m.map_or(String::new(), |m| {
                format!(", max = {}", m.toml(1.0, 10.0 * scale))
            })
        };
        match self {
            Tokens::Lognormal {
                median,
                p90,
                max: m,
            } => format!(
                "{{ dist = \"lognormal\", median = {}, p90 = {}{} }}",
                median.toml(1.0, scale),
                p90.toml(1.0, 3.0 * scale),
                max(m)
            ),
            Tokens::Exponential { mean, max: m } => format!(
                "{{ dist = \"exponential\", mean = {}{} }}",
                mean.toml(1.0, scale),
                max(m)
            ),
            Tokens::Constant { value } => {
                format!(
                    "{{ dist = \"constant\", value = {} }}",
                    value.toml(1.0, scale)
                )
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Service {
    Exponential(Num),
    Deterministic(Num),
}

#[derive(Arbitrary, Debug)]
struct Site {
    which: u8,
    share: Option<Num>,
    inline: Option<(Num, Num, Num, u8)>,
}

#[derive(Arbitrary, Debug)]
struct Region {
    which: u8,
    profile: u8,
    instances: u8,
    max_batch: Option<u8>,
    max_queue: Option<u8>,
    timeout: Option<Num>,
    throttle: Option<(Num, Num)>,
    service: Option<Service>,
    weight: Num,
}

#[derive(Arbitrary, Debug)]
struct Input {
    duration: Num,
    warmup: Option<Num>,
    seed: u64,
    replications: u8,
    start_hour: Option<Num>,
    step: Option<Num>,
    rate: Num,
    diurnal: u8,
    curve: [Num; 24],
    burstiness: Option<(Option<Num>, Num)>,
    sites: Vec<Site>,
    requests: Option<(Tokens, Tokens)>,
    network: Option<[Num; 6]>,
    regions: Vec<Region>,
    weighted: bool,
    slo: Option<(Num, Num, Num)>,
}

impl Input {
    fn toml(&self) -> String {
        let mut s = String::new();
        let w = &mut s;
        let _ = writeln!(
            w,
            "[simulation]\nduration_s = {}",
            self.duration.toml(1.0, 600.0)
        );
        if let Some(n) = self.warmup {
            let _ = writeln!(w, "warmup_s = {}", n.toml(0.0, 120.0));
        }
        let _ = writeln!(w, "seed = {}", self.seed);
        let _ = writeln!(w, "replications = {}", self.replications % 4);
        if let Some(n) = self.start_hour {
            let _ = writeln!(w, "start_utc_hour = {}", n.toml(0.0, 24.0));
        }
        if let Some(n) = self.step {
            let _ = writeln!(w, "timeseries_step_s = {}", n.toml(1.0, 600.0));
        }
        let _ = writeln!(
            w,
            "[traffic]\ntotal_rate_rps = {}",
            self.rate.toml(0.01, 30.0)
        );
        match self.diurnal % 4 {
            0 => {}
            1 => {
                let _ = writeln!(
                    w,
                    "diurnal = \"{}\"",
                    PRESETS[usize::from(self.diurnal / 4) % PRESETS.len()]
                );
            }
            _ => {
                let v: Vec<String> = self.curve.iter().map(|n| n.toml(0.0, 5.0)).collect();
                let _ = writeln!(w, "diurnal_curve = [{}]", v.join(", "));
            }
        }
        if let Some((window, cv)) = &self.burstiness {
            let window = window.map_or(String::new(), |n| {
                format!("window_s = {}, ", n.toml(1.0, 300.0))
            });
            let _ = writeln!(
                w,
                "burstiness = {{ {window}rate_cv = {} }}",
                cv.toml(0.0, 3.0)
            );
        }
        let _ = writeln!(w, "sites = [");
        for (i, site) in self.sites.iter().take(5).enumerate() {
            let share = site.share.map_or(String::new(), |n| {
                format!(", share = {}", n.toml(0.01, 10.0))
            });
            match &site.inline {
                None => {
                    let _ = writeln!(
                        w,
                        "  {{ name = \"{}\"{share} }},",
                        SITES[usize::from(site.which) % SITES.len()]
                    );
                }
                Some((lat, lon, off, cont)) => {
                    let _ = writeln!(
                        w,
                        "  {{ name = \"inline-{i}\", lat = {}, lon = {}, utc_offset_hours = {}, country = \"X\", continent = \"{}\"{share} }},",
                        lat.toml(-90.0, 90.0),
                        lon.toml(-180.0, 180.0),
                        off.toml(-12.0, 14.0),
                        CONTINENTS[usize::from(*cont) % CONTINENTS.len()]
                    );
                }
            }
        }
        let _ = writeln!(w, "]");
        if let Some((prompt, output)) = &self.requests {
            let _ = writeln!(
                w,
                "[requests]\nprompt_tokens = {}\noutput_tokens = {}",
                prompt.toml(2000.0),
                output.toml(300.0)
            );
        }
        if let Some(n) = &self.network {
            let _ = writeln!(
                w,
                "[network]\nroute_inflation = {}\nbackbone_overhead_ms = {}\nlast_mile_ms = {}\njitter_ms = {}\nhandshake_rtts = {}\nnew_connection_share = {}",
                n[0].toml(1.0, 10.0),
                n[1].toml(0.0, 1000.0),
                n[2].toml(0.0, 1000.0),
                n[3].toml(0.0, 1000.0),
                n[4].toml(0.0, 10.0),
                n[5].toml(0.0, 1.0)
            );
        }
        let mut codes = Vec::new();
        for r in self.regions.iter().take(4) {
            let code = REGIONS[usize::from(r.which) % REGIONS.len()];
            codes.push((code, r.weight));
            let _ = writeln!(
                w,
                "[[regions]]\ncode = \"{code}\"\nprofile = \"{}\"\ninstances = {}",
                PROFILES[usize::from(r.profile) % PROFILES.len()],
                r.instances % 8
            );
            if let Some(b) = r.max_batch {
                let _ = writeln!(w, "max_batch = {}", b % 40);
            }
            if let Some(q) = r.max_queue {
                let _ = writeln!(w, "max_queue = {q}");
            }
            if let Some(t) = r.timeout {
                let _ = writeln!(w, "timeout_s = {}", t.toml(0.5, 120.0));
            }
            if let Some((rate, burst)) = r.throttle {
                let _ = writeln!(
                    w,
                    "throttle = {{ rate_rps = {}, burst = {} }}",
                    rate.toml(0.01, 50.0),
                    burst.toml(1.0, 100.0)
                );
            }
            match &r.service {
                None => {}
                Some(Service::Exponential(n)) => {
                    let _ = writeln!(
                        w,
                        "service = {{ kind = \"exponential\", mean_ms = {} }}",
                        n.toml(0.1, 5000.0)
                    );
                }
                Some(Service::Deterministic(n)) => {
                    let _ = writeln!(
                        w,
                        "service = {{ kind = \"deterministic\", ms = {} }}",
                        n.toml(0.1, 5000.0)
                    );
                }
            }
        }
        if self.weighted {
            let weights: Vec<String> = codes
                .iter()
                .map(|(c, n)| format!("\"{c}\" = {}", n.toml(0.0, 255.0)))
                .collect();
            let _ = writeln!(
                w,
                "[routing]\npolicy = \"weighted\"\nweights = {{ {} }}",
                weights.join(", ")
            );
        } else {
            let _ = writeln!(w, "[routing]\npolicy = \"latency\"");
        }
        if let Some((p, ms, avail)) = &self.slo {
            let _ = writeln!(
                w,
                "[slo]\nttft = {{ percentile = {}, max_ms = {} }}\navailability_pct = {}",
                p.toml(1.0, 99.99),
                ms.toml(1.0, 60_000.0),
                avail.toml(0.0, 100.0)
            );
        }
        s
    }
}

/// `FUZZ_PRINT_TOML=1 cargo fuzz run run_structured ARTIFACT` prints the scenario text of
/// an input (e.g. a crash), ready for `tests/fuzz_regressions/run/` or `meridian run`.
fn print_toml() -> bool {
    static PRINT: OnceLock<bool> = OnceLock::new();
    *PRINT.get_or_init(|| std::env::var_os("FUZZ_PRINT_TOML").is_some())
}

fuzz_target!(|input: Input| {
    let src = input.toml();
    if print_toml() {
        eprintln!("----- scenario -----\n{src}--------------------");
    }
    let scenario = match Scenario::from_toml(&src, "fuzz.toml", catalog()) {
        Ok(s) => s,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let sim = &scenario.simulation;
    let reps = f64::from(sim.replications);
    if scenario.expected_requests_per_replication() * reps > MAX_REQUESTS
        || (sim.duration + sim.warmup).as_secs_f64() > MAX_SPAN_S
    {
        return;
    }
    let r = run(&scenario, RunOptions::default());
    let o = r.merged.outcomes;
    assert!(o.is_balanced(), "{o:?}\n{src}");
    let mut by_region = Outcomes::default();
    for rm in &r.merged.regions {
        assert!(rm.outcomes.is_balanced(), "{:?}\n{src}", rm.outcomes);
        by_region += rm.outcomes;
    }
    assert_eq!(by_region, o, "{src}");
    let doc = meridian::report::run_document(&r);
    assert!(
        !doc.to_string().contains("null"),
        "NaN in the JSON document\n{src}"
    );
});
