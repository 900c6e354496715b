//! Anycast routing (AWS Global Accelerator): users reach the nearest edge on static anycast
//! addresses — no DNS, so nothing is cached and a failover takes effect as soon as the
//! health checks see it. From the edge, the accelerator sends each request to the nearest
//! healthy endpoint group; a group's traffic dial (0–100 %) keeps only that share of the
//! traffic that would go to it, the rest moving on to the next-nearest group. With no
//! healthy group among the 3 nearest, it fails open to the nearest (H: the Global
//! Accelerator developer guide).

use rand::Rng;
use rand_pcg::Pcg64Mcg;

use super::RoutingPolicy;
use crate::engine::SimTime;

/// Endpoint groups Global Accelerator tries before failing open.
const GROUPS_TRIED: usize = 3;

pub struct AnycastRouting {
    /// Per site: regions nearest first (by distance from the user's edge).
    order: Vec<Vec<usize>>,
    dials: Vec<f64>,
    rng: Pcg64Mcg,
}

impl AnycastRouting {
    /// `distance_km[site][region]`; `dials[region]` in 0–1.
    pub fn new(distance_km: &[Vec<f64>], dials: &[f64], rng: Pcg64Mcg) -> AnycastRouting {
        let order = distance_km
            .iter()
            .map(|row| {
                let mut idx: Vec<usize> = (0..row.len()).collect();
                idx.sort_by(|a, b| row[*a].total_cmp(&row[*b]));
                idx
            })
            .collect();
        AnycastRouting {
            order,
            dials: dials.to_vec(),
            rng,
        }
    }
}

impl RoutingPolicy for AnycastRouting {
    #[inline]
    fn choose(&mut self, site: usize, _now: SimTime, healthy: &[bool]) -> usize {
        let order = &self.order[site];
        let tried = &order[..order.len().min(GROUPS_TRIED)];
        if !tried.iter().any(|r| healthy[*r]) {
            // Fail open: the nearest group, healthy or not.
            return order[0];
        }
        for &r in order.iter().filter(|r| healthy[**r]) {
            let dial = self.dials[r];
            if dial >= 1.0 || (dial > 0.0 && self.rng.random::<f64>() < dial) {
                return r;
            }
        }
        // Every healthy group dialled its traffic away: failover ignores dials.
        *order.iter().find(|r| healthy[**r]).unwrap_or(&order[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, StreamId};

    fn router(dials: &[f64]) -> AnycastRouting {
        let d = vec![vec![100.0, 200.0, 300.0, 400.0]];
        AnycastRouting::new(&d, dials, RngStreams::new(1, 0).stream(StreamId::new(4, 0)))
    }

    #[test]
    fn nearest_healthy_group_and_fail_open() {
        let t = SimTime::ZERO;
        let mut r = router(&[1.0; 4]);
        assert_eq!(r.choose(0, t, &[true; 4]), 0);
        assert_eq!(r.choose(0, t, &[false, true, true, true]), 1);
        // The 3 nearest are unhealthy: fail open to the nearest.
        assert_eq!(r.choose(0, t, &[false, false, false, true]), 0);
    }

    #[test]
    fn traffic_dial_moves_the_rest_to_the_next_group() {
        let mut r = router(&[0.25, 1.0, 1.0, 1.0]);
        let n = 100_000;
        let first = (0..n)
            .filter(|_| r.choose(0, SimTime::ZERO, &[true; 4]) == 0)
            .count();
        // Binomial sd 0.0014 on 0.25: allow 0.007.
        assert!((first as f64 / n as f64 - 0.25).abs() < 0.007, "{first}");
    }
}
