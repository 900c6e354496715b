//! What each fault did, across replications: detection, when traffic left, recovery time
//! and the requests lost meanwhile.

use crate::engine::SimTime;
use crate::metrics::{MeanCi, ReplicationMetrics, mean_ci95};
use crate::scenario::Scenario;

/// Success ratio a service must get back to, when the scenario sets no availability SLO.
pub const DEFAULT_RECOVERY_TARGET_PCT: f64 = 99.0;
/// Sliding window over which the success ratio is judged.
pub const RECOVERY_WINDOW: SimTime = SimTime(60_000_000);

/// One fault's effect, over the replications.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSummary {
    pub label: String,
    /// From the start of the measured window, s.
    pub start_s: f64,
    pub duration_s: f64,
    /// Fault start to the health checks marking the region unhealthy, s (replications
    /// where they did; `n` tells how many).
    pub detected_after_s: MeanCi,
    /// Fault start to the last attempt reaching the faulty region during the fault, s.
    pub traffic_left_after_s: MeanCi,
    /// Attempts that reached the faulty region during the fault, per replication.
    pub attempts_during: MeanCi,
    /// Fault start until the success ratio over a 60 s window is back at the target and
    /// stays there (until the next fault or the end), s; replications that recovered.
    pub recovery_s: MeanCi,
    /// Replications in which the service recovered before the next fault or the end.
    pub recovered_replications: usize,
    /// Unserved requests sent between the fault start and recovery, per replication.
    pub lost_requests: MeanCi,
    /// The success ratio target used, %.
    pub recovery_target_pct: f64,
}

pub(super) fn summarise(scenario: &Scenario, reps: &[ReplicationMetrics]) -> Vec<FaultSummary> {
    let warmup = scenario.simulation.warmup;
    let end = warmup + scenario.simulation.duration;
    let target_pct = scenario
        .slo
        .availability_pct
        .unwrap_or(DEFAULT_RECOVERY_TARGET_PCT);
    scenario
        .faults
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let next_start = scenario
                .faults
                .iter()
                .map(|g| g.start)
                .filter(|s| *s > f.start)
                .min()
                .unwrap_or(end);
            let since = |t: Option<SimTime>| t.map(|t| t.saturating_since(f.start).as_secs_f64());
            let detected: Vec<f64> = reps
                .iter()
                .filter_map(|m| since(m.faults[i].detected_at))
                .collect();
            let left: Vec<f64> = reps
                .iter()
                .filter_map(|m| since(m.faults[i].last_attempt_at))
                .collect();
            let attempts: Vec<f64> = reps
                .iter()
                .map(|m| m.faults[i].attempts_during as f64)
                .collect();
            let recoveries: Vec<(f64, f64)> = reps
                .iter()
                .filter_map(|m| {
                    m.success
                        .recovery(f.start, target_pct / 100.0, RECOVERY_WINDOW, next_start)
                })
                .map(|(t, lost)| (t.as_secs_f64(), lost as f64))
                .collect();
            FaultSummary {
                label: f.label.clone(),
                start_s: f.start.saturating_since(warmup).as_secs_f64(),
                duration_s: f.end.saturating_since(f.start).as_secs_f64(),
                detected_after_s: mean_ci95(&detected),
                traffic_left_after_s: mean_ci95(&left),
                attempts_during: mean_ci95(&attempts),
                recovery_s: mean_ci95(&recoveries.iter().map(|r| r.0).collect::<Vec<_>>()),
                recovered_replications: recoveries.len(),
                lost_requests: mean_ci95(&recoveries.iter().map(|r| r.1).collect::<Vec<_>>()),
                recovery_target_pct: target_pct,
            }
        })
        .collect()
}
