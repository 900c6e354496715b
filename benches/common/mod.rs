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
  {{ name = "new-york" }}, {{ name = "los-angeles" }}, {{ name = "chicago" }}, {{ name = "dallas" }},
  {{ name = "houston" }}, {{ name = "washington" }}, {{ name = "philadelphia" }}, {{ name = "atlanta" }},
  {{ name = "miami" }}, {{ name = "phoenix" }}, {{ name = "boston" }}, {{ name = "san-francisco" }},
  {{ name = "seattle" }}, {{ name = "denver" }}, {{ name = "toronto" }}, {{ name = "montreal" }},
  {{ name = "vancouver" }}, {{ name = "mexico-city" }}, {{ name = "sao-paulo" }}, {{ name = "rio-de-janeiro" }},
  {{ name = "buenos-aires" }}, {{ name = "bogota" }}, {{ name = "lima" }}, {{ name = "santiago" }},
  {{ name = "london" }}, {{ name = "paris" }}, {{ name = "istanbul" }}, {{ name = "madrid" }},
  {{ name = "berlin" }}, {{ name = "rome" }}, {{ name = "milan" }}, {{ name = "frankfurt" }},
  {{ name = "amsterdam" }}, {{ name = "warsaw" }}, {{ name = "stockholm" }}, {{ name = "dublin" }},
  {{ name = "tokyo" }}, {{ name = "osaka" }}, {{ name = "seoul" }}, {{ name = "hong-kong" }},
  {{ name = "taipei" }}, {{ name = "singapore" }}, {{ name = "jakarta" }}, {{ name = "bangkok" }},
  {{ name = "manila" }}, {{ name = "kuala-lumpur" }}, {{ name = "ho-chi-minh-city" }}, {{ name = "mumbai" }},
  {{ name = "delhi" }}, {{ name = "bangalore" }}, {{ name = "sydney" }}, {{ name = "melbourne" }},
  {{ name = "auckland" }}, {{ name = "dubai" }}, {{ name = "riyadh" }}, {{ name = "tel-aviv" }},
  {{ name = "cairo" }}, {{ name = "lagos" }}, {{ name = "johannesburg" }}, {{ name = "nairobi" }},
]

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
    );
    let catalog = Catalog::embedded()?;
    Ok(Scenario::from_toml(&src, "bench.toml", &catalog)?)
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
