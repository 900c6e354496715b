//! Weighted routing (Route 53 weighted records): share = weight ÷ sum of weights. A weight of
//! 0 is never chosen, unless every weight is 0, in which case all are chosen equally.

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::RoutingPolicy;

pub struct WeightedRouting {
    cumulative: Vec<f64>,
    rng: Pcg64Mcg,
}

impl WeightedRouting {
    pub fn new(weights: &[f64], rng: Pcg64Mcg) -> WeightedRouting {
        let all_zero = weights.iter().all(|w| *w == 0.0);
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += if all_zero { 1.0 } else { *w };
                acc
            })
            .collect();
        WeightedRouting { cumulative, rng }
    }
}

impl RoutingPolicy for WeightedRouting {
    #[inline]
    fn choose(&mut self, _site: usize) -> usize {
        let total = *self.cumulative.last().unwrap_or(&0.0);
        let u = self.rng.random::<f64>() * total;
        // First bucket whose upper edge exceeds u: zero-weight buckets have no width.
        self.cumulative
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.cumulative.len().saturating_sub(1))
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
            counts[r.choose(0)] += 1;
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
    fn all_zero_means_equal() {
        let s = shares(&[0.0, 0.0]);
        assert!((s[0] - 0.5).abs() < 0.006, "{s:?}");
    }
}
