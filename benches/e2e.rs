//! End-to-end throughput on the large three-region scenario (`common::large_scenario`) or
//! the 15-region global one (`common::global_scenario`).
//!
//! * `world::simulate(&scenario, 0)` on the calling thread, repeated; best and median.
//! * `run::run` with 2 replications on a 1-thread and on a 2-thread rayon pool (includes
//!   merging, SLO checks and summaries, as the CLI does).
//!
//! Requests/s = `requests_simulated` (warm-up included) ÷ wall time; events/s = `events` ÷
//! wall time.
//!
//! ```text
//! cargo bench --bench e2e                    # 3600 s measured (≈ 2.3 M requests / replication)
//! cargo bench --bench e2e -- 1800 5          # measured seconds, simulate() repetitions
//! cargo bench --bench e2e -- 900 3 global    # the 15-region scenario at 2,000 rps
//! ```

mod common;

use std::error::Error;
use std::time::Instant;

use meridian::run::{RunOptions, run};
use meridian::world::simulate;

const WARMUP_S: f64 = 60.0;

fn main() -> Result<(), Box<dyn Error>> {
    let Some(args) = common::bench_args("e2e") else {
        return Ok(());
    };
    let duration_s: f64 = match args.first() {
        Some(a) => a.parse().map_err(|_| "argument 1: measured seconds")?,
        None => 3600.0,
    };
    let repeats: usize = match args.get(1) {
        Some(a) => a.parse().map_err(|_| "argument 2: repetitions")?,
        None => 3,
    };
    let shape = common::Shape::parse(args.get(2))?;
    let t_build = Instant::now();
    let scenario = shape.scenario("consumer", WARMUP_S, duration_s, 2)?;
    println!(
        "e2e: {} at {} rps mean (consumer curve from 14:00 UTC), {} instances, \
         {WARMUP_S} s warm-up + {duration_s} s; scenario built in {:.1} ms",
        scenario.name,
        shape.rate_rps(),
        scenario
            .deployments
            .iter()
            .filter_map(|d| d.self_hosted().map(|h| h.instances))
            .sum::<u32>(),
        t_build.elapsed().as_secs_f64() * 1e3
    );

    // 1. One replication on this thread.
    let mut walls = Vec::new();
    let mut last = None;
    for i in 0..repeats.max(1) {
        let t = Instant::now();
        let m = simulate(&scenario, 0);
        let wall = t.elapsed().as_secs_f64();
        println!(
            "  simulate #{i}: {:.3} s, {} requests, {} events, {}requests/s, {}events/s",
            wall,
            m.requests_simulated,
            m.events,
            common::si(m.requests_simulated as f64 / wall),
            common::si(m.events as f64 / wall)
        );
        walls.push(wall);
        last = Some(m);
    }
    let m = last.expect("at least one repetition");
    walls.sort_by(f64::total_cmp);
    let best = walls[0];
    let median = walls[walls.len() / 2];
    let o = &m.outcomes;
    println!(
        "  check: generated {} completed {} rejected {} timed out {} in flight {} (availability {:.3} %); \
         events/request {:.2}",
        o.generated,
        o.completed,
        o.rejected,
        o.timed_out,
        o.in_flight_at_end,
        o.availability_pct(),
        m.events as f64 / m.requests_simulated as f64
    );
    for (d, r) in scenario.deployments.iter().zip(&m.regions) {
        println!(
            "  check: {:<15} {:>4} instances, utilisation {:5.1} %, queue max {:>5.0}",
            d.region.code,
            d.self_hosted().map_or(0, |h| h.instances),
            r.utilisation.overall_mean() * 100.0,
            r.queue_length
                .maxima()
                .iter()
                .copied()
                .fold(0.0f64, f64::max)
        );
    }
    println!(
        "e2e simulate (1 thread): best {:.3} s = {}requests/s, {}events/s; median {:.3} s = {}requests/s",
        best,
        common::si(m.requests_simulated as f64 / best),
        common::si(m.events as f64 / best),
        median,
        common::si(m.requests_simulated as f64 / median),
    );
    common::row(
        "e2e simulate",
        &format!(
            "1 replication, 1 thread, {} req (best of {})",
            m.requests_simulated,
            walls.len()
        ),
        &format!("{best:.3} s"),
        &format!("{}/s", common::si(m.requests_simulated as f64 / best)),
        &format!("{}/s", common::si(m.events as f64 / best)),
        "",
    );

    // 2. run::run, 2 replications, on 1 and on 2 threads.
    let mut one_thread_wall = None;
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let t = Instant::now();
        let r = pool.install(|| run(&scenario, RunOptions::default()));
        let wall = t.elapsed().as_secs_f64();
        let reqs = r.merged.requests_simulated as f64;
        let events = r.merged.events as f64;
        let speedup = one_thread_wall.map_or(String::new(), |w1: f64| {
            format!(", speed-up {:.2}× vs 1 thread", w1 / wall)
        });
        println!(
            "e2e run (2 replications, {threads} thread(s)): {wall:.3} s, {} requests, {}requests/s, {}events/s{speedup}",
            r.merged.requests_simulated,
            common::si(reqs / wall),
            common::si(events / wall),
        );
        common::row(
            "e2e run::run",
            &format!("2 replications, {threads} thread(s), {reqs} req"),
            &format!("{wall:.3} s"),
            &format!("{}/s", common::si(reqs / wall)),
            &format!("{}/s", common::si(events / wall)),
            "",
        );
        one_thread_wall.get_or_insert(wall);
    }
    Ok(())
}
