//! Simulating many planner scenarios at once: every replication of every scenario is one
//! job on the rayon pool; results come back pooled per scenario, in order, so the outcome
//! does not depend on the number of threads.

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::metrics::ReplicationMetrics;
use crate::run::Interrupted;
use crate::scenario::Scenario;
use crate::world;

/// Each scenario's replications pooled (counts summed, histograms merged), in input order.
pub fn simulate_all(
    jobs: &[Scenario],
    cancel: &AtomicBool,
) -> Result<Vec<ReplicationMetrics>, Interrupted> {
    Ok(simulate_each(jobs, cancel)?
        .into_iter()
        .map(|reps| {
            let mut it = reps.into_iter();
            let mut pooled = it
                .next()
                .expect("every scenario has at least one replication");
            for m in it {
                pooled.merge(&m);
            }
            pooled
        })
        .collect())
}

/// Each scenario's replications, in input order and replication order.
pub fn simulate_each(
    jobs: &[Scenario],
    cancel: &AtomicBool,
) -> Result<Vec<Vec<ReplicationMetrics>>, Interrupted> {
    let work: Vec<(usize, u32)> = jobs
        .iter()
        .enumerate()
        .flat_map(|(i, s)| (0..s.simulation.replications).map(move |r| (i, r)))
        .collect();
    let results: Vec<(usize, ReplicationMetrics)> = work
        .into_par_iter()
        .map(|(i, r)| world::simulate_cancellable(&jobs[i], r, cancel).map(|m| (i, m)))
        .collect::<Option<Vec<_>>>()
        .ok_or(Interrupted)?;
    let mut out: Vec<Vec<ReplicationMetrics>> = vec![Vec::new(); jobs.len()];
    // `collect` kept the work's order: scenario by scenario, replication by replication.
    for (i, m) in results {
        out[i].push(m);
    }
    Ok(out)
}
