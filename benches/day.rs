//! A full simulated day of the 15-region global workload (`common::global_scenario`):
//! 2,000 requests/s on average, ≈ 1.7 × 10^8 requests, one replication on one thread.
//!
//! A sampler thread reads the process's resident set size (VmRSS) every few seconds while
//! the day runs, so the output shows whether memory stays flat as requests accumulate;
//! VmHWM at the end is the peak.
//!
//! ```text
//! cargo bench --bench day                    # 86 400 s measured (≈ 1.7 × 10^8 requests)
//! cargo bench --bench day -- 21600           # a quarter of a day
//! ```

mod common;

use std::error::Error;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use meridian::world::simulate;

const WARMUP_S: f64 = 60.0;
/// How often the sampler reads VmRSS.
const SAMPLE_EVERY: Duration = Duration::from_secs(5);

fn main() -> Result<(), Box<dyn Error>> {
    let Some(args) = common::bench_args("day") else {
        return Ok(());
    };
    let duration_s: f64 = match args.first() {
        Some(a) => a.parse().map_err(|_| "argument: measured seconds")?,
        None => 86_400.0,
    };
    // The day starts at 00:00 UTC (after the warm-up).
    let scenario = common::global_scenario("consumer", WARMUP_S, duration_s, 1, 0.0)?;
    let instances: u32 = scenario
        .deployments
        .iter()
        .filter_map(|d| d.self_hosted().map(|h| h.instances))
        .sum();
    println!(
        "day: {} — {} regions, {instances} instances, {} rps mean, {WARMUP_S} s warm-up + {duration_s} s",
        scenario.name,
        scenario.deployments.len(),
        common::GLOBAL_RATE_RPS
    );
    let hwm_before = common::vm_hwm_kib().unwrap_or(0);

    let done = Arc::new(AtomicBool::new(false));
    let samples: Arc<Mutex<Vec<(f64, u64)>>> = Arc::default();
    let sampler = {
        let (done, samples) = (Arc::clone(&done), Arc::clone(&samples));
        std::thread::spawn(move || {
            let t0 = Instant::now();
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let t = t0.elapsed().as_secs_f64();
                let mut s = samples.lock().expect("sampler lock");
                if s.last()
                    .is_none_or(|(last, _)| t - last >= SAMPLE_EVERY.as_secs_f64())
                {
                    s.push((t, common::vm_rss_kib().unwrap_or(0)));
                }
            }
        })
    };
    let t = Instant::now();
    let m = simulate(&scenario, 0);
    let wall = t.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    sampler.join().map_err(|_| "sampler thread panicked")?;
    let hwm = common::vm_hwm_kib().ok_or("VmHWM not available (needs Linux /proc)")?;

    let samples = samples.lock().map_err(|_| "sampler lock")?;
    let rss: Vec<String> = samples
        .iter()
        .map(|(t, kib)| format!("{t:.0}s:{:.1}", *kib as f64 / 1024.0))
        .collect();
    println!("  VmRSS [MiB] while running: {}", rss.join(" "));
    let o = &m.outcomes;
    println!(
        "  check: generated {} completed {} rejected {} timed out {} (availability {:.3} %), \
         events/request {:.2}",
        o.generated,
        o.completed,
        o.rejected,
        o.timed_out,
        o.availability_pct(),
        m.events as f64 / m.requests_simulated as f64
    );
    println!(
        "day: {} requests ({} events) in {wall:.1} s = {}requests/s, {}events/s; \
         VmHWM {:.1} MiB (after building the scenario {:.1} MiB)",
        m.requests_simulated,
        m.events,
        common::si(m.requests_simulated as f64 / wall),
        common::si(m.events as f64 / wall),
        hwm as f64 / 1024.0,
        hwm_before as f64 / 1024.0,
    );
    common::row(
        "day (global)",
        &format!(
            "15 regions, {duration_s} s, {} req, 1 thread",
            m.requests_simulated
        ),
        &format!("{wall:.1} s"),
        &format!("{}/s", common::si(m.requests_simulated as f64 / wall)),
        &format!("{}/s", common::si(m.events as f64 / wall)),
        &format!("VmHWM {:.1} MiB", hwm as f64 / 1024.0),
    );
    Ok(())
}
