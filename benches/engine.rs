//! Bare-engine throughput: the classic *hold* model on `meridian::engine::EventQueue`.
//!
//! The queue is filled with N pending events, then each operation pops the earliest event
//! and schedules one at `now + delay` (delay uniform on [0, 2 × mean)), so the queue size
//! stays N. One operation = one event processed (one pop + one schedule). The event type is
//! a `u32`. The delay generator is SplitMix64 (a few ns), not the simulator's PCG streams,
//! so the figure is the queue's.
//!
//! ```text
//! cargo bench --bench engine                 # N = 10 000 and 1 000 000, default op counts
//! cargo bench --bench engine -- 5000000      # override the op count for every N
//! ```

mod common;

use std::hint::black_box;
use std::time::Instant;

use meridian::engine::{EventQueue, SimTime};

/// Mean scheduling delay, µs. With N pending, simulated time advances ≈ mean / N per event.
const MEAN_DELAY_US: u64 = 1_000_000;

struct SplitMix64(u64);

impl SplitMix64 {
    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on [0, bound) by multiply-shift.
    #[inline]
    fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }
}

struct HoldResult {
    fill_s: f64,
    run_s: f64,
    checksum: u64,
}

fn hold(n: usize, ops: u64) -> HoldResult {
    let mut rng = SplitMix64(0x6d65_7269_6469_616e ^ n as u64);
    let mut q: EventQueue<u32> = EventQueue::new();
    let t0 = Instant::now();
    for i in 0..n {
        q.schedule(SimTime(rng.below(2 * MEAN_DELAY_US)), i as u32);
    }
    let fill_s = t0.elapsed().as_secs_f64();
    let mut checksum = 0u64;
    let t1 = Instant::now();
    for _ in 0..ops {
        let (t, e) = q.pop().expect("the hold model never empties the queue");
        checksum = checksum.wrapping_add(t.as_us() ^ u64::from(e));
        q.schedule_in(SimTime(rng.below(2 * MEAN_DELAY_US)), e);
    }
    let run_s = t1.elapsed().as_secs_f64();
    assert_eq!(q.len(), n);
    assert_eq!(q.events_processed(), ops);
    HoldResult {
        fill_s,
        run_s,
        checksum: black_box(checksum),
    }
}

fn main() {
    let Some(args) = common::bench_args("engine") else {
        return;
    };
    let ops_override: Option<u64> = args.first().map(|a| {
        a.replace('_', "")
            .parse()
            .expect("argument: number of hold operations")
    });
    // (pending events, operations)
    let cases: [(usize, u64); 3] = [
        (16, 30_000_000),
        (10_000, 30_000_000),
        (1_000_000, 10_000_000),
    ];
    println!(
        "engine: hold model on EventQueue<u32>, delay uniform [0, {} s), 1 thread",
        2 * MEAN_DELAY_US / 1_000_000
    );
    // Short warm-up so the first timed case does not pay for page faults of the allocator.
    black_box(hold(10_000, 1_000_000).checksum);
    for (n, default_ops) in cases {
        let ops = ops_override.unwrap_or(default_ops);
        let r = hold(n, ops);
        let rate = ops as f64 / r.run_s;
        println!(
            "engine hold N={n:>9}: {ops} events in {:.3} s = {}events/s ({:.1} ns/event; fill {:.3} s; checksum {:x})",
            r.run_s,
            common::si(rate),
            r.run_s * 1e9 / ops as f64,
            r.fill_s,
            r.checksum
        );
        common::row(
            "engine hold",
            &format!("N={n} pending, {ops} ops"),
            &format!("{:.3} s", r.run_s),
            "",
            &format!("{}/s", common::si(rate)),
            "",
        );
    }
}
