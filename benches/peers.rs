//! The peer benchmark's Rust side (see `bench/peers/run.sh`): M/M/c, c = 8, ρ = 0.8,
//! 10^6 customers, service mean 100 ms.
//!
//! * `bare`: a `BinaryHeap` loop written for nothing but this model — the practical
//!   ceiling for any general simulator on this model.
//! * `library`: `meridian::world::simulate` on `bench/peers/mmc.toml`, in-process (the CLI
//!   path, `meridian run`, is timed by `run.sh`; this separates process start-up and
//!   scenario parsing from simulating).
//!
//! Each prints `PEER|name|customers|wall_s|mean_wait_ms` lines (one per repetition) for
//! `run.sh`, plus a readable line.
//!
//! ```text
//! cargo bench --bench peers                  # 1 000 000 customers, 3 repetitions
//! cargo bench --bench peers -- 2000000 5     # customers, repetitions
//! cargo bench --bench peers -- 1000000 1 9   # customers, repetitions, seed (default 7)
//! ```

mod common;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::error::Error;
use std::time::Instant;

use meridian::catalog::Catalog;
use meridian::scenario::Scenario;
use meridian::world::simulate;
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

const SERVERS: u32 = 8;
const RHO: f64 = 0.8;
const SERVICE_MEAN_S: f64 = 0.1;

/// One event of the bare loop: `(time as f64 bits, kind)`. Positive `f64`s order like
/// their bit patterns, so the heap compares integers; kind 0 = arrival, 1 = departure.
type BareEvent = Reverse<(u64, u8)>;

/// The bare M/M/c loop; returns (customers served, mean wait in queue in s).
fn bare(customers: u64, seed: u64) -> (u64, f64) {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let lam = RHO * f64::from(SERVERS) / SERVICE_MEAN_S;
    let mut heap: BinaryHeap<BareEvent> = BinaryHeap::with_capacity(64);
    let mut waiting: VecDeque<f64> = VecDeque::new();
    let mut free = SERVERS;
    let (mut arrived, mut served, mut wait_sum) = (0u64, 0u64, 0.0f64);
    let exp = |rng: &mut Pcg64Mcg, mean: f64| -> f64 {
        let e: f64 = Exp1.sample(rng);
        e * mean
    };
    heap.push(Reverse((exp(&mut rng, 1.0 / lam).to_bits(), 0)));
    while let Some(Reverse((bits, kind))) = heap.pop() {
        let now = f64::from_bits(bits);
        if kind == 0 {
            arrived += 1;
            if arrived < customers {
                let next = now + exp(&mut rng, 1.0 / lam);
                heap.push(Reverse((next.to_bits(), 0)));
            }
            if free > 0 {
                free -= 1;
                served += 1;
                let done = now + exp(&mut rng, SERVICE_MEAN_S);
                heap.push(Reverse((done.to_bits(), 1)));
            } else {
                waiting.push_back(now);
            }
        } else if let Some(at) = waiting.pop_front() {
            wait_sum += now - at;
            served += 1;
            let done = now + exp(&mut rng, SERVICE_MEAN_S);
            heap.push(Reverse((done.to_bits(), 1)));
        } else {
            free += 1;
        }
    }
    (served, wait_sum / served as f64)
}

fn main() -> Result<(), Box<dyn Error>> {
    let Some(args) = common::bench_args("peers") else {
        return Ok(());
    };
    let customers: u64 = match args.first() {
        Some(a) => a
            .replace('_', "")
            .parse()
            .map_err(|_| "argument 1: customers")?,
        None => 1_000_000,
    };
    let repeats: usize = match args.get(1) {
        Some(a) => a.parse().map_err(|_| "argument 2: repetitions")?,
        None => 3,
    };
    let seed: u64 = match args.get(2) {
        Some(a) => a.parse().map_err(|_| "argument 3: seed")?,
        None => 7,
    };
    let mut bare_walls = Vec::new();
    for i in 0..repeats {
        let t = Instant::now();
        let (n, wq_s) = bare(customers, seed + i as u64);
        let wall = t.elapsed().as_secs_f64();
        bare_walls.push((wall, n));
        println!(
            "peers bare BinaryHeap loop #{i}: {n} customers in {wall:.3} s = {}customers/s, Wq {:.3} ms",
            common::si(n as f64 / wall),
            wq_s * 1e3
        );
        println!("PEER|bare|{n}|{wall:.6}|{:.6}", wq_s * 1e3);
    }

    // The same model through meridian's scenario, in-process. The scenario file is sized
    // for 10^6 customers; other counts scale its measured duration.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/peers/mmc.toml");
    let src = std::fs::read_to_string(path)?;
    let duration_s = (customers as f64 / (RHO * f64::from(SERVERS) / SERVICE_MEAN_S)).ceil() - 10.0;
    let src = src
        .replace(
            "duration_s = 15615",
            &format!("duration_s = {}", duration_s.max(1.0)),
        )
        .replace("seed = 7", &format!("seed = {seed}"));
    let catalog = Catalog::embedded()?;
    let scenario = Scenario::from_toml(&src, path, &catalog)?;
    let mut lib_walls = Vec::new();
    for i in 0..repeats {
        let t = Instant::now();
        let m = simulate(&scenario, 0);
        let wall = t.elapsed().as_secs_f64();
        let n = m.requests_simulated;
        lib_walls.push((wall, n));
        println!(
            "peers meridian simulate() #{i}: {n} customers ({} events) in {wall:.3} s = {}customers/s, Wq {:.3} ms",
            m.events,
            common::si(n as f64 / wall),
            m.queue_wait.mean_ms()
        );
        println!("PEER|library|{n}|{wall:.6}|{:.6}", m.queue_wait.mean_ms());
    }
    for (name, mut walls) in [
        ("M/M/8 bare BinaryHeap loop", bare_walls),
        ("M/M/8 meridian simulate()", lib_walls),
    ] {
        walls.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (wall, n) = walls[walls.len() / 2];
        common::row(
            name,
            &format!("{n} customers, median of {}", walls.len()),
            &format!("{wall:.3} s"),
            &format!("{}/s", common::si(n as f64 / wall)),
            "",
            "",
        );
    }
    Ok(())
}
