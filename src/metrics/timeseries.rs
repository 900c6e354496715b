//! Time-weighted averages in fixed buckets (utilisation, queue length).

use crate::engine::SimTime;

/// A piecewise-constant signal averaged over buckets of `step` starting at `origin`.
/// Time before `origin` (warm-up) is ignored. Memory is one pair of floats per bucket.
#[derive(Debug, Clone)]
pub struct TimeWeightedSeries {
    origin_us: u64,
    step_us: u64,
    end_us: u64,
    /// ∫ value dt per bucket, value × µs.
    area: Vec<f64>,
    /// Largest value seen in each bucket.
    max: Vec<f64>,
    last_us: u64,
    value: f64,
    /// Replications merged into `area` (means divide by it).
    runs: u32,
}

impl TimeWeightedSeries {
    /// Buckets cover `[origin, end)`; the last may be shorter than `step`.
    pub fn new(origin: SimTime, end: SimTime, step: SimTime) -> TimeWeightedSeries {
        let step_us = step.as_us().max(1);
        let span = end.as_us().saturating_sub(origin.as_us());
        let buckets = span.div_ceil(step_us) as usize;
        TimeWeightedSeries {
            origin_us: origin.as_us(),
            step_us,
            end_us: end.as_us(),
            area: vec![0.0; buckets],
            max: vec![0.0; buckets],
            last_us: origin.as_us(),
            value: 0.0,
            runs: 1,
        }
    }

    fn bucket_of(&self, t_us: u64) -> usize {
        ((t_us - self.origin_us) / self.step_us) as usize
    }

    /// The signal takes `value` from `now` on.
    #[inline]
    pub fn set(&mut self, now: SimTime, value: f64) {
        self.advance_to(now.as_us());
        self.value = value;
        let t = now.as_us();
        if t >= self.origin_us && t < self.end_us {
            let b = self.bucket_of(t);
            if value > self.max[b] {
                self.max[b] = value;
            }
        }
    }

    fn advance_to(&mut self, t_us: u64) {
        let t = t_us.min(self.end_us);
        if t <= self.last_us {
            return;
        }
        let mut from = self.last_us.max(self.origin_us);
        if from < t {
            // Bucket by bucket: a quiet stretch can span many buckets.
            while from < t {
                let b = self.bucket_of(from);
                let bucket_end = (self.origin_us + (b as u64 + 1) * self.step_us).min(t);
                self.area[b] += self.value * (bucket_end - from) as f64;
                if self.value > self.max[b] {
                    self.max[b] = self.value;
                }
                from = bucket_end;
            }
        }
        self.last_us = t;
    }

    /// Closes the series at its end.
    pub fn finish(&mut self) {
        self.advance_to(self.end_us);
    }

    /// Mean value per bucket (call after [`finish`](Self::finish)).
    pub fn means(&self) -> Vec<f64> {
        self.area
            .iter()
            .enumerate()
            .map(|(b, a)| {
                let start = self.origin_us + b as u64 * self.step_us;
                let len = (start + self.step_us).min(self.end_us) - start;
                a / (len as f64 * f64::from(self.runs))
            })
            .collect()
    }

    /// Largest value per bucket.
    pub fn maxima(&self) -> &[f64] {
        &self.max
    }

    /// Mean over the whole window.
    pub fn overall_mean(&self) -> f64 {
        let span = (self.end_us - self.origin_us) as f64;
        if span == 0.0 {
            0.0
        } else {
            self.area.iter().sum::<f64>() / (span * f64::from(self.runs))
        }
    }

    /// Start of each bucket, in seconds since the start of the measured window.
    pub fn bucket_starts_s(&self) -> Vec<f64> {
        (0..self.area.len())
            .map(|b| (b as u64 * self.step_us) as f64 / 1e6)
            .collect()
    }

    /// Adds another replication's finished series over the same buckets: means become the
    /// average over replications, maxima the overall maximum.
    pub fn merge(&mut self, other: &TimeWeightedSeries) {
        debug_assert_eq!(self.area.len(), other.area.len());
        for (a, b) in self.area.iter_mut().zip(&other.area) {
            *a += b;
        }
        for (a, b) in self.max.iter_mut().zip(&other.max) {
            *a = a.max(*b);
        }
        self.runs += other.runs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_over_buckets_and_ignores_warmup() {
        let mut s = TimeWeightedSeries::new(SimTime(100), SimTime(400), SimTime(100));
        s.set(SimTime(0), 5.0); // warm-up: ignored until origin
        s.set(SimTime(150), 1.0); // 5 for 50 µs, 1 for 50 µs in bucket 0
        s.set(SimTime(350), 3.0);
        s.finish();
        assert_eq!(s.means(), vec![3.0, 1.0, 2.0]);
        assert_eq!(s.maxima(), &[5.0, 1.0, 3.0]);
        assert!((s.overall_mean() - 2.0).abs() < 1e-12);
        let mut twice = s.clone();
        twice.merge(&s);
        assert_eq!(twice.means(), s.means());
        assert_eq!(twice.bucket_starts_s(), vec![0.0, 1e-4, 2e-4]);
    }
}
