//! Per-bucket series kept for charts: latency percentiles over the day per region, request
//! counts per region, latency around faults, and which region served each user site.
//!
//! Nothing here feeds the JSON document or the SLO checks (those use the exact-to-1 %
//! histograms); these series exist so that charts can show *when* things happened. Latencies
//! are binned coarsely (8 bins per octave, ≤ 4.5 % error at the bin's geometric centre),
//! which keeps a day of 5-minute buckets per region under half a megabyte.

use crate::engine::SimTime;
use crate::scenario::Scenario;

use super::{SUCCESS_BUCKET, SuccessSeries};

/// Bins per doubling of latency.
const BINS_PER_OCTAVE: f64 = 8.0;
/// Lowest binned latency, µs (0.1 ms); anything faster falls into the first bin.
const FLOOR_US: f64 = 100.0;
/// Octaves above the floor: 0.1 ms × 2^24 ≈ 28 min, beyond any request timeout.
const OCTAVES: usize = 24;
const BINS: usize = OCTAVES * BINS_PER_OCTAVE as usize;

/// Latency samples binned per time bucket, each bucket a coarse log-scale histogram,
/// allocated only once a sample lands in it.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyTimeline {
    origin_us: u64,
    step_us: u64,
    buckets: Vec<Option<Box<[u32; BINS]>>>,
}

fn bin_of(us: u64) -> usize {
    let x = (us as f64 / FLOOR_US).max(1.0);
    ((x.log2() * BINS_PER_OCTAVE) as usize).min(BINS - 1)
}

/// Geometric centre of bin `b`, ms.
fn centre_ms(b: usize) -> f64 {
    FLOOR_US * ((b as f64 + 0.5) / BINS_PER_OCTAVE).exp2() / 1000.0
}

impl LatencyTimeline {
    /// Buckets of `step` covering `[origin, end)`.
    pub fn new(origin: SimTime, end: SimTime, step: SimTime) -> LatencyTimeline {
        let step_us = step.as_us().max(1);
        let n = end.as_us().saturating_sub(origin.as_us()).div_ceil(step_us) as usize;
        LatencyTimeline {
            origin_us: origin.as_us(),
            step_us,
            buckets: vec![None; n],
        }
    }

    /// Books a latency of `us` µs in the bucket holding time `at`; outside the window it
    /// is ignored.
    #[inline]
    pub fn record(&mut self, at: SimTime, us: u64) {
        let Some(off) = at.as_us().checked_sub(self.origin_us) else {
            return;
        };
        let b = (off / self.step_us) as usize;
        if let Some(slot) = self.buckets.get_mut(b) {
            slot.get_or_insert_with(|| Box::new([0; BINS]))[bin_of(us)] += 1;
        }
    }

    /// Adds another replication's samples over the same buckets.
    pub fn merge(&mut self, o: &LatencyTimeline) {
        for (a, b) in self.buckets.iter_mut().zip(&o.buckets) {
            if let Some(b) = b {
                let a = a.get_or_insert_with(|| Box::new([0; BINS]));
                for (x, y) in a.iter_mut().zip(b.iter()) {
                    *x += y;
                }
            }
        }
    }

    /// Width of one bucket, s.
    pub fn step_s(&self) -> f64 {
        self.step_us as f64 / 1e6
    }

    /// The `p`-th percentile (0–100) per bucket, ms; `None` for a bucket without samples.
    pub fn percentiles_ms(&self, p: f64) -> Vec<Option<f64>> {
        self.buckets
            .iter()
            .map(|b| {
                let b = b.as_ref()?;
                let total: u64 = b.iter().map(|&c| u64::from(c)).sum();
                let rank = ((p / 100.0).clamp(0.0, 1.0) * total as f64).ceil().max(1.0) as u64;
                let mut seen = 0;
                for (i, &c) in b.iter().enumerate() {
                    seen += u64::from(c);
                    if seen >= rank {
                        return Some(centre_ms(i));
                    }
                }
                None
            })
            .collect()
    }
}

/// The chart series of one replication (or, merged, of several).
#[derive(Debug, Clone, PartialEq)]
pub struct Timelines {
    /// Per region (deployment order): time to first token by first-send time, in
    /// buckets of the scenario's `timeseries_step`.
    pub region_ttft: Vec<LatencyTimeline>,
    /// Per region: end-to-end latency of served requests by first-send time.
    pub region_e2e: Vec<LatencyTimeline>,
    /// Per region: finished requests (served or not) by first-send time, booked to the
    /// region of their last attempt, 10 s buckets.
    pub region_requests: Vec<SuccessSeries>,
    /// All regions: end-to-end latency in 10 s buckets, kept only when the scenario has
    /// faults (for the failover timeline).
    pub fault_e2e: Option<LatencyTimeline>,
    /// Served requests per user site and region, `site * regions + region`.
    pub served_by_site: Vec<u64>,
    regions: usize,
}

impl Timelines {
    /// Empty series shaped for `scenario`'s measured window, regions and sites.
    pub fn new(scenario: &Scenario) -> Timelines {
        let sim = &scenario.simulation;
        let (origin, end) = (sim.warmup, sim.warmup + sim.duration);
        let regions = scenario.deployments.len();
        let latency = || LatencyTimeline::new(origin, end, sim.timeseries_step);
        Timelines {
            region_ttft: (0..regions).map(|_| latency()).collect(),
            region_e2e: (0..regions).map(|_| latency()).collect(),
            region_requests: (0..regions)
                .map(|_| SuccessSeries::new(origin, end))
                .collect(),
            fault_e2e: (!scenario.faults.is_empty())
                .then(|| LatencyTimeline::new(origin, end, SUCCESS_BUCKET)),
            served_by_site: vec![0; scenario.traffic.sites.len() * regions],
            regions,
        }
    }

    /// A measured request first sent at `sent` got its first token after `ttft_us` from
    /// `region`.
    #[inline]
    pub fn record_ttft(&mut self, region: usize, sent: SimTime, ttft_us: u64) {
        self.region_ttft[region].record(sent, ttft_us);
    }

    /// A measured request from `site` first sent at `sent` was served by `region` in
    /// `e2e_us`.
    #[inline]
    pub fn record_served(&mut self, site: usize, region: usize, sent: SimTime, e2e_us: u64) {
        self.region_e2e[region].record(sent, e2e_us);
        self.region_requests[region].record(sent, true);
        if let Some(f) = &mut self.fault_e2e {
            f.record(sent, e2e_us);
        }
        self.served_by_site[site * self.regions + region] += 1;
    }

    /// A measured request first sent at `sent`, last tried at `region`, was not served.
    #[inline]
    pub fn record_unserved(&mut self, region: usize, sent: SimTime) {
        self.region_requests[region].record(sent, false);
    }

    /// Adds another replication of the same scenario.
    pub fn merge(&mut self, o: &Timelines) {
        for (a, b) in self.region_ttft.iter_mut().zip(&o.region_ttft) {
            a.merge(b);
        }
        for (a, b) in self.region_e2e.iter_mut().zip(&o.region_e2e) {
            a.merge(b);
        }
        for (a, b) in self.region_requests.iter_mut().zip(&o.region_requests) {
            a.merge(b);
        }
        if let (Some(a), Some(b)) = (&mut self.fault_e2e, &o.fault_e2e) {
            a.merge(b);
        }
        for (a, b) in self.served_by_site.iter_mut().zip(&o.served_by_site) {
            *a += b;
        }
    }

    /// Served requests of `site` per region.
    pub fn served_by(&self, site: usize) -> &[u64] {
        &self.served_by_site[site * self.regions..(site + 1) * self.regions]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_per_bucket_within_bin_error() {
        let mut t = LatencyTimeline::new(
            SimTime::from_secs(10),
            SimTime::from_secs(40),
            SimTime::from_secs(10),
        );
        for i in 1..=100u64 {
            t.record(SimTime::from_secs(12), i * 1000); // 1..100 ms in bucket 0
        }
        t.record(SimTime::from_secs(5), 1); // warm-up: ignored
        t.record(SimTime::from_secs(35), 250_000); // bucket 2
        let p50 = t.percentiles_ms(50.0);
        let p99 = t.percentiles_ms(99.0);
        assert!((p50[0].unwrap() - 50.0).abs() / 50.0 < 0.05, "{p50:?}");
        assert!((p99[0].unwrap() - 99.0).abs() / 99.0 < 0.05, "{p99:?}");
        assert_eq!(p50[1], None);
        assert!((p50[2].unwrap() - 250.0).abs() / 250.0 < 0.05);
        let mut twice = t.clone();
        twice.merge(&t);
        assert_eq!(twice.percentiles_ms(50.0), p50);
    }

    #[test]
    fn extreme_latencies_stay_in_range() {
        assert_eq!(bin_of(0), 0);
        assert_eq!(bin_of(u64::MAX), BINS - 1);
        assert!(centre_ms(BINS - 1) > 1_000_000.0);
    }
}
