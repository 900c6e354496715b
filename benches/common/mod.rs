//! Shared by the benchmark binaries: argument handling, the large scenario, result rows.
//!
//! Every benchmark is a `harness = false` binary. `cargo bench` passes `--bench` to it; when
//! it is started without that flag (e.g. `cargo test --all-targets`, which runs bench
//! targets as tests), it prints a note and exits at once, so nothing in `cargo test` runs a
//! timed workload.

#![allow(dead_code)] // each bench binary uses a different subset

use std::error::Error;

use meridian::catalog::Catalog;
use meridian::scenario::Scenario;

/// Positional arguments after `cargo bench --bench NAME --`, or `None` when the binary was
/// not started by `cargo bench` (no `--bench` flag): the caller should exit successfully.
pub fn bench_args(name: &str) -> Option<Vec<String>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("{name}: benchmark binary; run it with `cargo bench --bench {name}` (skipped)");
        return None;
    }
    Some(args.into_iter().filter(|a| !a.starts_with("--")).collect())
}

/// Mean request rate of the large scenario, all sites, requests/s.
pub const LARGE_RATE_RPS: f64 = 500.0;

/// The three-region scenario shape (same 60 sites, regions, profile, routing and network as
/// `scenarios/three-region-latency.toml`) scaled from 9 to 500 requests/s, with instance
/// counts scaled ~55× plus headroom so that no region is overloaded (≈ 45–60 %
/// utilisation at 14:00 UTC, no rejections or timeouts).
///
/// `diurnal` is a preset name: `"consumer"` for the realistic shape (the rate at 14:00 UTC
/// is ≈ 1.24× the daily mean), `"flat"` for a stationary load (the memory benchmark, so
/// in-flight state is the same whatever the run length).
pub fn large_scenario(
    diurnal: &str,
    warmup_s: f64,
    duration_s: f64,
    replications: u32,
) -> Result<Scenario, Box<dyn Error>> {
    let src = format!(
        r#"
name = "bench-three-region-large"
description = "three-region-latency scaled to {rate} rps for benchmarks"

[simulation]
duration_s = {duration_s}
warmup_s = {warmup_s}
seed = 42
replications = {replications}
start_utc_hour = 14
timeseries_step_s = 300

[traffic]
total_rate_rps = {rate}
diurnal = "{diurnal}"
burstiness = {{ window_s = 60, rate_cv = 0.2 }}
sites = [
{sites}]

[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 340
max_queue = 2000
timeout_s = 30

[[regions]]
code = "eu-west-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 460
max_queue = 2000
timeout_s = 30

[[regions]]
code = "ap-southeast-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 230
max_queue = 2000
timeout_s = 30

[routing]
policy = "latency"
"#,
        rate = LARGE_RATE_RPS,
        sites = SITES,
    );
    let catalog = Catalog::embedded()?;
    Ok(Scenario::from_toml(&src, "bench.toml", &catalog)?)
}

/// Every catalog site (the 60 metros), as a TOML array body.
const SITES: &str = r#"  { name = "new-york" }, { name = "los-angeles" }, { name = "chicago" }, { name = "dallas" },
  { name = "houston" }, { name = "washington" }, { name = "philadelphia" }, { name = "atlanta" },
  { name = "miami" }, { name = "phoenix" }, { name = "boston" }, { name = "san-francisco" },
  { name = "seattle" }, { name = "denver" }, { name = "toronto" }, { name = "montreal" },
  { name = "vancouver" }, { name = "mexico-city" }, { name = "sao-paulo" }, { name = "rio-de-janeiro" },
  { name = "buenos-aires" }, { name = "bogota" }, { name = "lima" }, { name = "santiago" },
  { name = "london" }, { name = "paris" }, { name = "istanbul" }, { name = "madrid" },
  { name = "berlin" }, { name = "rome" }, { name = "milan" }, { name = "frankfurt" },
  { name = "amsterdam" }, { name = "warsaw" }, { name = "stockholm" }, { name = "dublin" },
  { name = "tokyo" }, { name = "osaka" }, { name = "seoul" }, { name = "hong-kong" },
  { name = "taipei" }, { name = "singapore" }, { name = "jakarta" }, { name = "bangkok" },
  { name = "manila" }, { name = "kuala-lumpur" }, { name = "ho-chi-minh-city" }, { name = "mumbai" },
  { name = "delhi" }, { name = "bangalore" }, { name = "sydney" }, { name = "melbourne" },
  { name = "auckland" }, { name = "dubai" }, { name = "riyadh" }, { name = "tel-aviv" },
  { name = "cairo" }, { name = "lagos" }, { name = "johannesburg" }, { name = "nairobi" },
"#;

/// Mean request rate of the global scenario, all sites, requests/s.
pub const GLOBAL_RATE_RPS: f64 = 2000.0;

/// The 15 regions of the global scenario with their instance counts (g5.2xlarge, Llama-2-7B).
///
/// Sized from a probe run (a full day at 20 requests/s with 400 instances everywhere,
/// latency routing): the region's peak 10-minute mean utilisation × 100 (the rate ratio)
/// ÷ 0.5, so no region exceeds about half its slots in any 10 minutes of the day. The 15 are
/// the regions where the catalog prices g5.2xlarge; South American and African users are
/// served from the nearest of them.
pub const GLOBAL_REGIONS: [(&str, u32); 15] = [
    ("us-east-1", 720),
    ("us-east-2", 610),
    ("us-west-2", 380),
    ("ca-central-1", 140),
    ("ap-northeast-2", 180),
    ("eu-west-1", 40),
    ("eu-west-2", 620),
    ("eu-central-1", 690),
    ("eu-north-1", 80),
    ("me-central-1", 170),
    ("ap-south-1", 310),
    ("ap-southeast-1", 230),
    ("ap-northeast-1", 270),
    ("ap-southeast-2", 60),
    ("ap-southeast-3", 170),
];

/// A global workload: the 60 catalog metros at [`GLOBAL_RATE_RPS`] on average over the day
/// (consumer curve in each city's local time, per-minute burstiness), latency routing to
/// [`GLOBAL_REGIONS`] (4,670 instances). `start_utc_hour` is the UTC hour at the end of the
/// warm-up. A full day (`duration_s` = 86,400) is ≈ 1.7 × 10^8 requests.
pub fn global_scenario(
    diurnal: &str,
    warmup_s: f64,
    duration_s: f64,
    replications: u32,
    start_utc_hour: f64,
) -> Result<Scenario, Box<dyn Error>> {
    let mut src = format!(
        r#"
name = "bench-global-15-region"
description = "60 metros, 15 regions, {rate} rps mean, latency routing (benchmarks)"

[simulation]
duration_s = {duration_s}
warmup_s = {warmup_s}
seed = 42
replications = {replications}
start_utc_hour = {start_utc_hour}
timeseries_step_s = 900

[traffic]
total_rate_rps = {rate}
diurnal = "{diurnal}"
burstiness = {{ window_s = 60, rate_cv = 0.2 }}
sites = [
{sites}]

[routing]
policy = "latency"
"#,
        rate = GLOBAL_RATE_RPS,
        sites = SITES,
    );
    for (code, instances) in GLOBAL_REGIONS {
        src.push_str(&format!(
            r#"
[[regions]]
code = "{code}"
profile = "llama-2-7b@g5.2xlarge"
instances = {instances}
max_queue = 2000
timeout_s = 30
"#
        ));
    }
    let catalog = Catalog::embedded()?;
    Ok(Scenario::from_toml(&src, "bench-global.toml", &catalog)?)
}

/// Which benchmark scenario a bench binary runs, from an optional argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// [`large_scenario`]: three regions, 500 requests/s.
    ThreeRegion,
    /// [`global_scenario`]: 15 regions, 2,000 requests/s.
    Global,
}

impl Shape {
    pub fn parse(arg: Option<&String>) -> Result<Shape, Box<dyn Error>> {
        match arg.map(String::as_str) {
            None | Some("three") => Ok(Shape::ThreeRegion),
            Some("global") => Ok(Shape::Global),
            Some(other) => Err(format!("unknown scenario {other:?}: three or global").into()),
        }
    }

    /// Mean request rate, requests/s.
    pub fn rate_rps(self) -> f64 {
        match self {
            Shape::ThreeRegion => LARGE_RATE_RPS,
            Shape::Global => GLOBAL_RATE_RPS,
        }
    }

    /// The scenario; the three-region one starts at 14:00 UTC, the global one too.
    pub fn scenario(
        self,
        diurnal: &str,
        warmup_s: f64,
        duration_s: f64,
        replications: u32,
    ) -> Result<Scenario, Box<dyn Error>> {
        match self {
            Shape::ThreeRegion => large_scenario(diurnal, warmup_s, duration_s, replications),
            Shape::Global => global_scenario(diurnal, warmup_s, duration_s, replications, 14.0),
        }
    }
}

/// Peak resident set size of this process so far (VmHWM), in KiB.
pub fn vm_hwm_kib() -> Option<u64> {
    proc_status_kib("VmHWM:")
}

/// Current resident set size (VmRSS), in KiB.
pub fn vm_rss_kib() -> Option<u64> {
    proc_status_kib("VmRSS:")
}

fn proc_status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// `12_345_678.9` → `"12.35 M"`.
pub fn si(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2} G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.2} M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.1} k", x / 1e3)
    } else {
        format!("{x:.1}")
    }
}

/// One machine-readable result line, collected into a table by `scripts/bench.sh`:
/// `ROW|benchmark|workload|wall|requests/s|events/s|memory`. Empty cells are `-`.
pub fn row(bench: &str, workload: &str, wall: &str, req_s: &str, ev_s: &str, mem: &str) {
    let cell = |s: &str| {
        if s.is_empty() {
            "-".to_string()
        } else {
            s.to_string()
        }
    };
    println!(
        "ROW|{}|{}|{}|{}|{}|{}",
        cell(bench),
        cell(workload),
        cell(wall),
        cell(req_s),
        cell(ev_s),
        cell(mem)
    );
}
