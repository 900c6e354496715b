//! Weighted routing (Route 53 weighted records): share = weight ÷ sum of weights over the
//! healthy records. A weight of 0 is never chosen, unless every remaining weight is 0, in
//! which case all remaining records are chosen equally.

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::{RoutingPolicy, effective_health};
use crate::engine::SimTime;

pub struct WeightedRouting {
    weights: Vec<f64>,
    /// Later weight changes, in time order; consumed as simulated time passes.
    schedule: std::collections::VecDeque<(SimTime, Vec<f64>)>,
    rng: Pcg64Mcg,
}

impl WeightedRouting {
    pub fn new(weights: &[f64], rng: Pcg64Mcg) -> WeightedRouting {
        WeightedRouting::with_schedule(weights, Vec::new(), rng)
    }

    /// Weights that change over time: from each `(time, weights)` on, those apply (a
    /// traffic-shifting drill, e.g. 10 → 25 → 50 → 100 %).
    pub fn with_schedule(
        weights: &[f64],
        schedule: Vec<(SimTime, Vec<f64>)>,
        rng: Pcg64Mcg,
    ) -> WeightedRouting {
        WeightedRouting {
            weights: weights.to_vec(),
            schedule: schedule.into(),
            rng,
        }
    }
}

impl RoutingPolicy for WeightedRouting {
    #[inline]
    fn choose(&mut self, _site: usize, now: SimTime, healthy: &[bool]) -> usize {
        while self.schedule.front().is_some_and(|(at, _)| *at <= now) {
            if let Some((_, w)) = self.schedule.pop_front() {
                self.weights = w;
            }
        }
        let n = self.weights.len();
        let eligible = |r: usize| effective_health(healthy, r);
        let total: f64 = (0..n)
            .filter(|r| eligible(*r))
            .map(|r| self.weights[r])
            .sum();
        let u = self.rng.random::<f64>();
        if total == 0.0 {
            // Every remaining weight is 0: all remaining records are equally likely.
            let candidates: Vec<usize> = (0..n).filter(|r| eligible(*r)).collect();
            return candidates[((u * candidates.len() as f64) as usize).min(candidates.len() - 1)];
        }
        let target = u * total;
        let mut acc = 0.0;
        let mut last = 0;
        for r in (0..n).filter(|r| eligible(*r)) {
            if self.weights[r] == 0.0 {
                continue;
            }
            acc += self.weights[r];
            last = r;
            if target < acc {
                return r;
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, StreamId};

    fn shares(weights: &[f64]) -> Vec<f64> {
        let mut r =
            WeightedRouting::new(weights, RngStreams::new(3, 0).stream(StreamId::new(9, 0)));
        let n = 200_000;
        let mut counts = vec![0u32; weights.len()];
        for _ in 0..n {
            counts[r.choose(0, SimTime::ZERO, &vec![true; weights.len()])] += 1;
        }
        counts.iter().map(|c| *c as f64 / n as f64).collect()
    }

    #[test]
    fn shares_follow_weights() {
        let s = shares(&[10.0, 30.0, 0.0, 60.0]);
        // sd of a share at n = 200000 is at most 0.0011: allow 5 sd.
        for (got, want) in s.iter().zip([0.1, 0.3, 0.0, 0.6]) {
            assert!((got - want).abs() < 0.006, "{s:?}");
        }
        assert_eq!(s[2], 0.0);
    }

    #[test]
    fn schedule_changes_weights_over_time() {
        let schedule = vec![(SimTime(100), vec![0.0, 1.0])];
        let mut r = WeightedRouting::with_schedule(
            &[1.0, 0.0],
            schedule,
            RngStreams::new(3, 0).stream(StreamId::new(9, 3)),
        );
        assert_eq!(r.choose(0, SimTime(99), &[true, true]), 0);
        assert_eq!(r.choose(0, SimTime(100), &[true, true]), 1);
    }

    #[test]
    fn all_zero_means_equal() {
        let s = shares(&[0.0, 0.0]);
        assert!((s[0] - 0.5).abs() < 0.006, "{s:?}");
    }

    #[test]
    fn unhealthy_records_are_removed() {
        let mut r = WeightedRouting::new(
            &[10.0, 30.0, 60.0],
            RngStreams::new(3, 0).stream(StreamId::new(9, 1)),
        );
        for _ in 0..1000 {
            assert_ne!(r.choose(0, SimTime::ZERO, &[true, true, false]), 2);
        }
        // Only a zero-weight record left healthy: it is returned.
        let mut r = WeightedRouting::new(
            &[0.0, 30.0],
            RngStreams::new(3, 0).stream(StreamId::new(9, 2)),
        );
        assert_eq!(r.choose(0, SimTime::ZERO, &[true, false]), 0);
    }
}
