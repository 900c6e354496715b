//! Latency histogram with bounded relative error, mergeable across replications.

use hdrhistogram::Histogram;

/// Highest latency recorded with bounded error: one day in microseconds. Larger values are
/// clamped to it (and counted; the exact sum still uses the true value).
const MAX_US: u64 = 86_400_000_000;

/// Latencies in microseconds, stored as an HDR histogram with 2 significant digits: every
/// reported percentile is within 1 % of the exact sample value. The exact sum is kept too,
/// so means carry no bucketing error.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    hist: Histogram<u64>,
    sum_us: u128,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    pub fn new() -> LatencyHistogram {
        LatencyHistogram {
            hist: Histogram::new_with_bounds(1, MAX_US, 2).expect("static bounds are valid"),
            sum_us: 0,
        }
    }

    /// Records one latency.
    #[inline]
    pub fn record_us(&mut self, us: u64) {
        // Zero (e.g. no queueing) is recorded exactly; values under 1 µs cannot occur.
        self.hist.saturating_record(us.min(MAX_US));
        self.sum_us += u128::from(us);
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        self.hist.add(&other.hist).expect("histograms share bounds");
        self.sum_us += other.sum_us;
    }

    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    /// The `p`-th percentile (0–100) in ms; 0 when empty.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.hist.is_empty() {
            return 0.0;
        }
        let v = self.hist.value_at_quantile((p / 100.0).clamp(0.0, 1.0));
        self.hist.median_equivalent(v) as f64 / 1000.0
    }

    /// Exact mean in ms; 0 when empty.
    pub fn mean_ms(&self) -> f64 {
        let n = self.count();
        if n == 0 {
            0.0
        } else {
            self.sum_us as f64 / n as f64 / 1000.0
        }
    }

    /// Fraction of samples ≤ `ms` (for CDFs and SLO attainment).
    pub fn fraction_at_or_below_ms(&self, ms: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return 0.0;
        }
        let us = (ms * 1000.0).max(0.0) as u64;
        self.hist.count_between(0, us.min(MAX_US)) as f64 / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_within_one_percent() {
        let mut h = LatencyHistogram::new();
        let values: Vec<u64> = (1..=100_000u64).map(|i| i * 37 % 1_000_003 + 500).collect();
        for &v in &values {
            h.record_us(v);
        }
        let mut sorted = values.clone();
        sorted.sort_unstable();
        for p in [50.0, 90.0, 95.0, 99.0, 99.9] {
            let exact =
                sorted[((p / 100.0) * sorted.len() as f64).ceil() as usize - 1] as f64 / 1000.0;
            let got = h.percentile_ms(p);
            assert!(
                (got - exact).abs() / exact <= 0.01,
                "p{p}: {got} vs {exact}"
            );
        }
        let mean = values.iter().sum::<u64>() as f64 / values.len() as f64 / 1000.0;
        assert!((h.mean_ms() - mean).abs() < 1e-9);
    }

    #[test]
    fn merge_equals_recording_everything_in_one() {
        let (mut a, mut b, mut all) = (
            LatencyHistogram::new(),
            LatencyHistogram::new(),
            LatencyHistogram::new(),
        );
        for i in 0..5000u64 {
            let v = (i * 7919) % 100_000 + 1;
            if i % 2 == 0 {
                a.record_us(v)
            } else {
                b.record_us(v)
            }
            all.record_us(v);
        }
        a.merge(&b);
        assert_eq!(a.count(), all.count());
        for p in [1.0, 50.0, 99.0] {
            assert_eq!(a.percentile_ms(p), all.percentile_ms(p));
        }
        assert_eq!(a.mean_ms(), all.mean_ms());
    }

    #[test]
    fn empty_histogram_reports_zero() {
        let h = LatencyHistogram::new();
        assert_eq!(h.percentile_ms(99.0), 0.0);
        assert_eq!(h.mean_ms(), 0.0);
        assert_eq!(h.fraction_at_or_below_ms(10.0), 0.0);
    }
}
