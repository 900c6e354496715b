//! Peak memory of one replication, one size per process.
//!
//! Runs `world::simulate` on the large three-region scenario with a *flat* diurnal curve
//! (a stationary load, so the in-flight state is the same however long the run) for about
//! the requested number of requests, then prints the process's peak RSS (VmHWM from
//! `/proc/self/status`). VmHWM is also sampled after building the scenario, so the growth
//! due to simulating is visible. Run it once per size, each in a fresh process:
//!
//! ```text
//! cargo bench --bench memory -- 1000000
//! cargo bench --bench memory -- 10000000
//! cargo bench --bench memory -- 10000000 global   # the 15-region scenario
//! ```

mod common;

use std::error::Error;
use std::time::Instant;

use meridian::world::simulate;

const WARMUP_S: f64 = 60.0;

fn main() -> Result<(), Box<dyn Error>> {
    let Some(args) = common::bench_args("memory") else {
        return Ok(());
    };
    let target: u64 = match args.first() {
        Some(a) => a
            .replace('_', "")
            .parse()
            .map_err(|_| "argument: number of requests to simulate, e.g. 1000000")?,
        None => 1_000_000,
    };
    let shape = common::Shape::parse(args.get(1))?;
    let total_s = target as f64 / shape.rate_rps();
    let duration_s = (total_s - WARMUP_S).max(1.0);
    let scenario = shape.scenario("flat", WARMUP_S, duration_s, 1)?;
    let hwm_before = common::vm_hwm_kib().unwrap_or(0);
    let t = Instant::now();
    let m = simulate(&scenario, 0);
    let wall = t.elapsed().as_secs_f64();
    let hwm = common::vm_hwm_kib().ok_or("VmHWM not available (needs Linux /proc)")?;
    let rss = common::vm_rss_kib().unwrap_or(0);
    println!(
        "memory: {}: {} requests ({} events) over {:.0} s simulated in {:.2} s: VmHWM {:.1} MiB \
         (after building the scenario {:.1} MiB, growth {:.1} MiB), VmRSS at end {:.1} MiB",
        scenario.name,
        m.requests_simulated,
        m.events,
        WARMUP_S + duration_s,
        wall,
        hwm as f64 / 1024.0,
        hwm_before as f64 / 1024.0,
        hwm.saturating_sub(hwm_before) as f64 / 1024.0,
        rss as f64 / 1024.0,
    );
    common::row(
        "memory simulate",
        &format!(
            "{}, {} req, 1 replication",
            scenario.name, m.requests_simulated
        ),
        &format!("{wall:.3} s"),
        &format!("{}/s", common::si(m.requests_simulated as f64 / wall)),
        &format!("{}/s", common::si(m.events as f64 / wall)),
        &format!(
            "VmHWM {:.1} MiB (+{:.1} sim)",
            hwm as f64 / 1024.0,
            hwm.saturating_sub(hwm_before) as f64 / 1024.0
        ),
    );
    Ok(())
}
