//! Running a scenario: replications in parallel, merged in a fixed order.
//!
//! Each replication draws from its own random streams derived from `(seed, replication)`,
//! so the set of results does not depend on which thread ran which replication; merging in
//! replication order then makes the merged figures bit-identical for any thread count.

mod budget;
mod faults;
mod slo;

pub use budget::RunBudget;
pub use faults::{DEFAULT_RECOVERY_TARGET_PCT, FaultSummary, RECOVERY_WINDOW};

pub use slo::{SloCheck, SloKind};

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::metrics::{MeanCi, ReplicationMetrics, mean_ci95};
use crate::scenario::Scenario;
use crate::world;

/// Overrides of the scenario's own settings, from the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    pub seed: Option<u64>,
    pub replications: Option<u32>,
}

/// Headline figures of one replication, the samples behind the confidence intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplicationSummary {
    pub ttft_p50_ms: f64,
    pub ttft_p95_ms: f64,
    pub ttft_p99_ms: f64,
    pub e2e_p50_ms: f64,
    pub e2e_p95_ms: f64,
    pub e2e_p99_ms: f64,
    pub availability_pct: f64,
    pub throughput_rps: f64,
    pub output_tokens_per_s: f64,
    pub cost_usd: f64,
}

impl ReplicationSummary {
    fn of(m: &ReplicationMetrics, duration_s: f64) -> ReplicationSummary {
        let output_tokens: u64 = m.regions.iter().map(|r| r.output_tokens).sum();
        ReplicationSummary {
            ttft_p50_ms: m.latency.ttft.percentile_ms(50.0),
            ttft_p95_ms: m.latency.ttft.percentile_ms(95.0),
            ttft_p99_ms: m.latency.ttft.percentile_ms(99.0),
            e2e_p50_ms: m.latency.e2e.percentile_ms(50.0),
            e2e_p95_ms: m.latency.e2e.percentile_ms(95.0),
            e2e_p99_ms: m.latency.e2e.percentile_ms(99.0),
            availability_pct: m.outcomes.availability_pct(),
            throughput_rps: m.outcomes.completed as f64 / duration_s,
            output_tokens_per_s: output_tokens as f64 / duration_s,
            cost_usd: m
                .regions
                .iter()
                .map(|r| r.instance_cost_usd + r.token_cost_usd + r.request_fees_usd)
                .sum(),
        }
    }
}

/// Mean and 95 % CI across replications of each headline figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryCi {
    pub ttft_p50_ms: MeanCi,
    pub ttft_p95_ms: MeanCi,
    pub ttft_p99_ms: MeanCi,
    pub e2e_p50_ms: MeanCi,
    pub e2e_p95_ms: MeanCi,
    pub e2e_p99_ms: MeanCi,
    pub availability_pct: MeanCi,
    pub throughput_rps: MeanCi,
    pub output_tokens_per_s: MeanCi,
    pub cost_usd: MeanCi,
}

impl SummaryCi {
    fn of(reps: &[ReplicationSummary]) -> SummaryCi {
        let ci =
            |f: fn(&ReplicationSummary) -> f64| mean_ci95(&reps.iter().map(f).collect::<Vec<_>>());
        SummaryCi {
            ttft_p50_ms: ci(|r| r.ttft_p50_ms),
            ttft_p95_ms: ci(|r| r.ttft_p95_ms),
            ttft_p99_ms: ci(|r| r.ttft_p99_ms),
            e2e_p50_ms: ci(|r| r.e2e_p50_ms),
            e2e_p95_ms: ci(|r| r.e2e_p95_ms),
            e2e_p99_ms: ci(|r| r.e2e_p99_ms),
            availability_pct: ci(|r| r.availability_pct),
            throughput_rps: ci(|r| r.throughput_rps),
            output_tokens_per_s: ci(|r| r.output_tokens_per_s),
            cost_usd: ci(|r| r.cost_usd),
        }
    }
}

/// The outcome of running a scenario.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub scenario: Scenario,
    pub seed: u64,
    pub replications: u32,
    /// All replications pooled (counts and costs summed; histograms pooled).
    pub merged: ReplicationMetrics,
    pub per_replication: Vec<ReplicationSummary>,
    pub summary: SummaryCi,
    pub slo: Vec<SloCheck>,
    /// What each scenario fault did, index-aligned with the scenario's faults.
    pub faults: Vec<FaultSummary>,
}

/// The run was cancelled (Ctrl-C) before it finished; nothing was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted before the run finished; no results were written")]
pub struct Interrupted;

/// Runs every replication of `scenario` (in parallel on the rayon pool) and merges them.
pub fn run(scenario: &Scenario, options: RunOptions) -> RunResult {
    let never = AtomicBool::new(false);
    run_cancellable(scenario, options, &never).expect("a run that is never cancelled finishes")
}

/// Like [`run`], but stops every replication soon after `cancel` becomes true.
pub fn run_cancellable(
    scenario: &Scenario,
    options: RunOptions,
    cancel: &AtomicBool,
) -> Result<RunResult, Interrupted> {
    run_with_progress(scenario, options, cancel, &|| {})
}

/// Like [`run_cancellable`], calling `replication_done` (from whichever thread ran it) each
/// time a replication finishes, for progress bars. The callback sees no results, so it
/// cannot change them: merging still happens in replication order.
pub fn run_with_progress(
    scenario: &Scenario,
    options: RunOptions,
    cancel: &AtomicBool,
    replication_done: &(dyn Fn() + Sync),
) -> Result<RunResult, Interrupted> {
    let scenario = with_overrides(scenario, options);
    let n = scenario.simulation.replications;
    let results: Vec<ReplicationMetrics> = (0..n)
        .into_par_iter()
        .map(|rep| {
            let m = world::simulate_cancellable(&scenario, rep, cancel);
            replication_done();
            m
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(Interrupted)?;
    Ok(from_replications(scenario, results))
}

/// The scenario with the command line's overrides applied.
pub fn with_overrides(scenario: &Scenario, options: RunOptions) -> Scenario {
    let mut scenario = scenario.clone();
    if let Some(seed) = options.seed {
        scenario.simulation.seed = seed;
    }
    if let Some(n) = options.replications {
        scenario.simulation.replications = n.max(1);
    }
    scenario
}

/// The result of `scenario` from its replications' measurements, in replication order
/// (what [`run`] returns after simulating them; the planner builds results of window sets
/// this way).
pub fn from_replications(scenario: Scenario, results: Vec<ReplicationMetrics>) -> RunResult {
    let n = scenario.simulation.replications;
    let duration_s = scenario.simulation.duration.as_secs_f64();
    let per_replication: Vec<ReplicationSummary> = results
        .iter()
        .map(|m| ReplicationSummary::of(m, duration_s))
        .collect();
    let mut merged = results[0].clone();
    for m in &results[1..] {
        merged.merge(m);
    }
    let slo = slo::check(&scenario, &results, &merged);
    let faults = faults::summarise(&scenario, &results);
    let summary = SummaryCi::of(&per_replication);
    RunResult {
        seed: scenario.simulation.seed,
        replications: n,
        scenario,
        merged,
        per_replication,
        summary,
        slo,
        faults,
    }
}
