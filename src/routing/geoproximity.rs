//! Geoproximity routing (Route 53): the nearest healthy region by great-circle distance,
//! each region's pull shifted by a bias (−99…99): biased distance = distance × (1 − bias/100)
//! (the Route 53 developer guide's formula; confidence M). Residency rules restrict the
//! candidates; with no healthy eligible region the nearest eligible one answers.

use super::RoutingPolicy;
use crate::engine::SimTime;

pub struct GeoproximityRouting {
    /// Per site: eligible regions by biased distance, nearest first.
    order: Vec<Vec<usize>>,
}

impl GeoproximityRouting {
    /// `distance_km[site][region]`, `bias[region]`, `allowed[site]` residency masks.
    pub fn new(
        distance_km: &[Vec<f64>],
        bias: &[f64],
        allowed: &[Option<Vec<bool>>],
    ) -> GeoproximityRouting {
        let order = distance_km
            .iter()
            .zip(allowed)
            .map(|(row, mask)| {
                let biased: Vec<f64> = row
                    .iter()
                    .zip(bias)
                    .map(|(d, b)| d * (1.0 - b / 100.0))
                    .collect();
                let mut idx: Vec<usize> = (0..row.len())
                    .filter(|r| mask.as_ref().is_none_or(|m| m[*r]))
                    .collect();
                idx.sort_by(|a, b| biased[*a].total_cmp(&biased[*b]));
                idx
            })
            .collect();
        GeoproximityRouting { order }
    }
}

impl RoutingPolicy for GeoproximityRouting {
    #[inline]
    fn choose(&mut self, site: usize, _now: SimTime, healthy: &[bool]) -> usize {
        let order = &self.order[site];
        *order.iter().find(|r| healthy[**r]).unwrap_or(&order[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bias_pulls_traffic_toward_a_region() {
        let d = vec![vec![1000.0, 1400.0]];
        let t = SimTime::ZERO;
        assert_eq!(
            GeoproximityRouting::new(&d, &[0.0, 0.0], &[None]).choose(0, t, &[true, true]),
            0
        );
        // +50 on region 1: 1400 × 0.5 = 700 < 1000.
        assert_eq!(
            GeoproximityRouting::new(&d, &[0.0, 50.0], &[None]).choose(0, t, &[true, true]),
            1
        );
        // Residency keeps region 0 out even when region 1 is down.
        assert_eq!(
            GeoproximityRouting::new(&d, &[0.0, 0.0], &[Some(vec![false, true])]).choose(
                0,
                t,
                &[true, false]
            ),
            1
        );
    }
}
