//! Everything measured in one replication, and how replications merge.

use std::collections::BTreeMap;

use super::{CellGrid, LatencyHistogram, Outcomes, SuccessSeries, TimeWeightedSeries, Timelines};
use crate::catalog::Continent;
use crate::engine::SimTime;

/// Time to first token and end-to-end latency, as the client sees them.
#[derive(Debug, Clone, Default)]
pub struct LatencySet {
    pub ttft: LatencyHistogram,
    pub e2e: LatencyHistogram,
}

impl LatencySet {
    pub fn merge(&mut self, o: &LatencySet) {
        self.ttft.merge(&o.ttft);
        self.e2e.merge(&o.e2e);
    }
}

/// What one region saw and spent.
#[derive(Debug, Clone)]
pub struct RegionMetrics {
    /// Requests routed here (generated = routed in the measured window).
    pub outcomes: Outcomes,
    pub latency: LatencySet,
    /// Time from arrival at the region to admission into a batch.
    pub queue_wait: LatencyHistogram,
    /// Requests that waited in the queue before admission.
    pub waited: u64,
    /// Occupied batch slots ÷ all slots, per bucket.
    pub utilisation: TimeWeightedSeries,
    /// Requests waiting in the load balancer's queue, per bucket.
    pub queue_length: TimeWeightedSeries,
    pub prompt_tokens: u64,
    pub output_tokens: u64,
    /// Instance-hours provisioned over the measured window.
    pub instance_hours: f64,
    /// Instance-hours × the region's hourly price, USD.
    pub instance_cost_usd: f64,
    /// Managed APIs: tokens × per-token price of the region the requests entered, USD.
    pub token_cost_usd: f64,
    /// Managed APIs: requests served here that entered another region (cross-region
    /// inference; this region was their `inferenceRegion`).
    pub served_for_other_regions: u64,
    /// Front ends: requests forwarded to the model region.
    pub forwarded: u64,
    /// Front ends: requests that needed a new execution environment.
    pub cold_starts: u64,
    /// Front ends: per-request fees, USD.
    pub request_fees_usd: f64,
    /// Instances running (billed), per bucket: changes with autoscaling.
    pub instances: TimeWeightedSeries,
}

/// What users of one continent saw.
#[derive(Debug, Clone, Default)]
pub struct ContinentMetrics {
    pub outcomes: Outcomes,
    pub latency: LatencySet,
}

/// All measurements of one replication (or, after merging, of several).
#[derive(Debug, Clone)]
pub struct ReplicationMetrics {
    pub outcomes: Outcomes,
    pub latency: LatencySet,
    pub queue_wait: LatencyHistogram,
    /// Requests that had to wait in a queue before admission.
    pub waited: u64,
    /// Index-aligned with the scenario's deployments.
    pub regions: Vec<RegionMetrics>,
    pub continents: BTreeMap<Continent, ContinentMetrics>,
    /// Events the engine processed (including warm-up).
    pub events: u64,
    /// Requests generated including warm-up.
    pub requests_simulated: u64,
    /// Attempts beyond each request's first (client retries).
    pub retries: u64,
    /// Requests served outside the regions their users' residency rules allow.
    pub residency_violations: u64,
    /// Served and unserved requests over time, by first-send time.
    pub success: SuccessSeries,
    /// What was seen of each scenario fault, index-aligned with the scenario's faults.
    pub faults: Vec<FaultObservation>,
    /// Per region and bucket, when the scenario asks for cells (the planner does).
    pub cells: CellGrid,
    /// Series kept only for charts (latency over time, requests per region, site traffic).
    pub timelines: Timelines,
}

/// What one replication saw of one fault.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultObservation {
    /// When health checks marked the region unhealthy (after the fault started).
    pub detected_at: Option<SimTime>,
    /// The last attempt that reached the faulty region while the fault lasted: after it,
    /// traffic had left.
    pub last_attempt_at: Option<SimTime>,
    /// Attempts that reached the region while the fault lasted.
    pub attempts_during: u64,
}

impl RegionMetrics {
    /// Adds another replication of the same region.
    pub fn merge(&mut self, o: &RegionMetrics) {
        self.outcomes += o.outcomes;
        self.latency.merge(&o.latency);
        self.queue_wait.merge(&o.queue_wait);
        self.waited += o.waited;
        self.utilisation.merge(&o.utilisation);
        self.queue_length.merge(&o.queue_length);
        self.prompt_tokens += o.prompt_tokens;
        self.output_tokens += o.output_tokens;
        self.instance_hours += o.instance_hours;
        self.instance_cost_usd += o.instance_cost_usd;
        self.token_cost_usd += o.token_cost_usd;
        self.served_for_other_regions += o.served_for_other_regions;
        self.forwarded += o.forwarded;
        self.cold_starts += o.cold_starts;
        self.request_fees_usd += o.request_fees_usd;
        self.instances.merge(&o.instances);
    }
}

impl ReplicationMetrics {
    /// Adds another replication of the same scenario. Counts and costs add up (divide by
    /// the number of replications for per-run figures); histograms pool all samples.
    pub fn merge(&mut self, o: &ReplicationMetrics) {
        self.outcomes += o.outcomes;
        self.latency.merge(&o.latency);
        self.queue_wait.merge(&o.queue_wait);
        self.waited += o.waited;
        for (a, b) in self.regions.iter_mut().zip(&o.regions) {
            a.merge(b);
        }
        for (c, m) in &o.continents {
            let e = self.continents.entry(*c).or_default();
            e.outcomes += m.outcomes;
            e.latency.merge(&m.latency);
        }
        self.events += o.events;
        self.requests_simulated += o.requests_simulated;
        self.retries += o.retries;
        self.residency_violations += o.residency_violations;
        self.success.merge(&o.success);
        self.cells.merge(&o.cells);
        self.timelines.merge(&o.timelines);
        // Per-replication observations are not summed; the first replication's stand for
        // the pooled result (`run` reports all of them with confidence intervals).
    }
}
