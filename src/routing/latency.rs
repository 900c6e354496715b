//! Latency-based routing (Route 53 latency records): each site goes to the region with the
//! lowest expected RTT. Not load-aware: a busy region keeps its users.

use super::RoutingPolicy;

pub struct LatencyRouting {
    best: Vec<usize>,
}

impl LatencyRouting {
    /// `expected_rtt_ms[site][deployment]`; ties go to the earlier deployment.
    pub fn new(expected_rtt_ms: &[Vec<f64>]) -> LatencyRouting {
        let best = expected_rtt_ms
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .fold(
                        (0, f64::INFINITY),
                        |(bi, bv), (i, &v)| if v < bv { (i, v) } else { (bi, bv) },
                    )
                    .0
            })
            .collect();
        LatencyRouting { best }
    }
}

impl RoutingPolicy for LatencyRouting {
    #[inline]
    fn choose(&mut self, site: usize) -> usize {
        self.best[site]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_lowest_rtt_per_site() {
        let rtt = vec![vec![50.0, 10.0, 30.0], vec![5.0, 5.0, 9.0]];
        let mut r = LatencyRouting::new(&rtt);
        assert_eq!(r.choose(0), 1);
        assert_eq!(r.choose(1), 0);
    }
}
