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
    let mut pooled: Vec<Option<ReplicationMetrics>> = vec![None; jobs.len()];
    for (i, m) in results {
        match &mut pooled[i] {
            Some(p) => p.merge(&m),
            slot => *slot = Some(m),
        }
    }
    Ok(pooled
        .into_iter()
        .map(|m| m.expect("every scenario has at least one replication"))
        .collect())
}
