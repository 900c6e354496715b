//! Latency-based routing (Route 53 latency records): each site goes to the healthy region
//! with the lowest expected RTT. Not load-aware: a busy region keeps its users.

use super::{RoutingPolicy, effective_health};
use crate::engine::SimTime;

pub struct LatencyRouting {
    /// Per site, regions from nearest to farthest (ties keep scenario order).
    order: Vec<Vec<usize>>,
}

impl LatencyRouting {
    /// `expected_rtt_ms[site][deployment]`.
    pub fn new(expected_rtt_ms: &[Vec<f64>]) -> LatencyRouting {
        let order = expected_rtt_ms
            .iter()
            .map(|row| {
                let mut idx: Vec<usize> = (0..row.len()).collect();
                idx.sort_by(|a, b| row[*a].total_cmp(&row[*b]));
                idx
            })
            .collect();
        LatencyRouting { order }
    }
}

impl RoutingPolicy for LatencyRouting {
    #[inline]
    fn choose(&mut self, site: usize, _now: SimTime, healthy: &[bool]) -> usize {
        let order = &self.order[site];
        *order
            .iter()
            .find(|r| effective_health(healthy, **r))
            .unwrap_or(&order[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_lowest_rtt_healthy_region_per_site() {
        let rtt = vec![vec![50.0, 10.0, 30.0], vec![5.0, 5.0, 9.0]];
        let mut r = LatencyRouting::new(&rtt);
        let all = [true, true, true];
        assert_eq!(r.choose(0, SimTime::ZERO, &all), 1);
        assert_eq!(r.choose(1, SimTime::ZERO, &all), 0);
        assert_eq!(r.choose(0, SimTime::ZERO, &[true, false, true]), 2);
        // Nothing healthy: answer as if all were.
        assert_eq!(r.choose(0, SimTime::ZERO, &[false, false, false]), 1);
    }
}
