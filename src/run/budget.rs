//! What a run will cost before it starts: requests, events and peak memory, so the CLI can
//! refuse a run that would take hours or exhaust memory unless the user insists (`--force`).

use crate::scenario::{DeploymentKind, Scenario};

/// Events per request: send, arrival at the region, first token, last token, one
/// rescheduling of its instance (measured: 5.0 on the benchmark scenario).
pub const EVENTS_PER_REQUEST: f64 = 5.0;
/// Bytes held per request in flight: the request slab entry, its place in the queue and its
/// milestone on the instance's heap, with allocator slack.
const BYTES_PER_REQUEST_IN_FLIGHT: f64 = 160.0;
/// Fixed memory per region per replication: five latency histograms (~30 KiB each at two
/// significant digits) and bookkeeping.
const BYTES_PER_REGION: f64 = 200.0 * 1024.0;
/// Bytes per time-series bucket per region (two series, area and maximum each).
const BYTES_PER_BUCKET: f64 = 32.0;

/// Refuse, without `--force`, runs expected to process more events than this: about five
/// minutes on one core at the measured ~6 M events/s.
pub const MAX_EVENTS: f64 = 2.0e9;
/// Refuse, without `--force`, runs whose in-flight state could exceed this many bytes.
pub const MAX_MEMORY_BYTES: f64 = 8.0 * 1024.0 * 1024.0 * 1024.0;

/// An estimate of a run's size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunBudget {
    /// Requests generated, all replications, warm-up included.
    pub requests: f64,
    pub events: f64,
    /// Upper bound of the memory held at once: every replication may run in parallel, each
    /// with every batch slot and queue place filled.
    pub peak_memory_bytes: f64,
}

impl RunBudget {
    /// Estimates from the mean rate and the deployments' capacity bounds.
    pub fn estimate(scenario: &Scenario) -> RunBudget {
        let reps = f64::from(scenario.simulation.replications);
        let requests = scenario.expected_requests_per_replication() * reps;
        let buckets = (scenario.simulation.duration.as_us() as f64
            / scenario.simulation.timeseries_step.as_us() as f64)
            .ceil();
        let per_replication: f64 = scenario
            .deployments
            .iter()
            .map(|d| {
                // A managed API holds at most its requests-per-minute quota in flight at once
                // per minute of latency; bound it by a minute's quota.
                let serving = match &d.kind {
                    DeploymentKind::SelfHosted(h) => {
                        let most = h
                            .autoscaling
                            .map_or(h.instances, |a| a.max_instances.max(h.instances));
                        f64::from(most) * f64::from(h.max_batch)
                    }
                    DeploymentKind::Managed(m) => m.rpm_quota,
                    DeploymentKind::FrontendOnly => 0.0,
                };
                let in_flight = serving + f64::from(d.max_queue);
                in_flight * BYTES_PER_REQUEST_IN_FLIGHT
                    + BYTES_PER_REGION
                    + buckets * BYTES_PER_BUCKET
            })
            .sum();
        RunBudget {
            requests,
            events: requests * EVENTS_PER_REQUEST,
            peak_memory_bytes: per_replication * reps,
        }
    }

    /// Why the run is too large, if it is.
    pub fn excess(&self) -> Option<String> {
        if self.events > MAX_EVENTS {
            Some(format!(
                "about {:.2e} requests ({:.2e} events) would take roughly {:.0} minutes on one core (limit {:.0e} events)",
                self.requests,
                self.events,
                self.events / 6.0e6 / 60.0,
                MAX_EVENTS
            ))
        } else if self.peak_memory_bytes > MAX_MEMORY_BYTES {
            Some(format!(
                "queues and batches could hold up to {:.1} GiB at once (limit {:.0} GiB)",
                self.peak_memory_bytes / 1024f64.powi(3),
                MAX_MEMORY_BYTES / 1024f64.powi(3)
            ))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    fn scenario(rate: f64, max_queue: u32, replications: u32) -> Scenario {
        let src = format!(
            "[simulation]\nduration_s = 3600\nreplications = {replications}\n[traffic]\ntotal_rate_rps = {rate}\nsites = [{{ name = \"london\" }}]\n[[regions]]\ncode = \"eu-west-2\"\nprofile = \"llama-2-7b@g5.2xlarge\"\ninstances = 2\nmax_queue = {max_queue}\n[routing]\npolicy = \"latency\"\n"
        );
        Scenario::from_toml(&src, "t.toml", &Catalog::embedded().unwrap()).unwrap()
    }

    #[test]
    fn small_runs_pass() {
        let b = RunBudget::estimate(&scenario(10.0, 100, 4));
        assert!((b.requests - 144_000.0).abs() < 1e-6);
        assert_eq!(b.events, 720_000.0);
        assert!(b.excess().is_none());
    }

    #[test]
    fn long_and_huge_runs_are_flagged() {
        // 200k requests/s for an hour × 4 replications: 2.9e9 requests.
        let b = RunBudget::estimate(&scenario(200_000.0, 100, 4));
        assert!(b.excess().unwrap().contains("minutes"), "{:?}", b.excess());
        // A queue of 10 million places per replication: 1.5 GiB each, 12 GiB for 8.
        let b = RunBudget::estimate(&scenario(1.0, 10_000_000, 8));
        assert!(b.excess().unwrap().contains("GiB"), "{:?}", b.excess());
    }
}
