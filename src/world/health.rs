//! Health checks as Route 53 runs them.
//!
//! Several checkers, in different regions and uncoordinated, probe every endpoint once per
//! interval. A checker changes its verdict after `failure_threshold` consecutive failures
//! (or successes); the endpoint counts as healthy while more than the quorum (18 %) of
//! checkers say so. So an outage is noticed roughly `interval × threshold` after it starts —
//! and a partition that only cuts some continents off may never be noticed at all.

use crate::catalog::Continent;
use crate::engine::SimTime;
use crate::scenario::HealthCheckConfig;

#[derive(Debug, Clone, Copy)]
struct Checker {
    healthy: bool,
    failures: u32,
    successes: u32,
}

/// Every checker's view of every region, and the resulting health.
#[derive(Debug, Clone)]
pub struct HealthMonitor {
    config: HealthCheckConfig,
    /// `checkers[region][checker]`.
    checkers: Vec<Vec<Checker>>,
    healthy: Vec<bool>,
}

impl HealthMonitor {
    /// All regions start healthy (a new Route 53 check counts as healthy until it has data).
    pub fn new(config: &HealthCheckConfig, regions: usize) -> HealthMonitor {
        let n = config.checker_continents.len();
        HealthMonitor {
            config: config.clone(),
            checkers: vec![
                vec![
                    Checker {
                        healthy: true,
                        failures: 0,
                        successes: 0
                    };
                    n
                ];
                regions
            ],
            healthy: vec![true; regions],
        }
    }

    /// Current health per region.
    pub fn healthy(&self) -> &[bool] {
        &self.healthy
    }

    pub fn checkers(&self) -> usize {
        self.config.checker_continents.len()
    }

    /// Where checker `i` probes from.
    pub fn checker_continent(&self, i: usize) -> Continent {
        self.config.checker_continents[i]
    }

    /// When checker `i` first probes: checkers are spread evenly over the interval, since
    /// they do not coordinate.
    pub fn first_probe(&self, i: usize) -> SimTime {
        SimTime(self.config.interval.as_us() * (i as u64 + 1) / self.checkers() as u64)
    }

    pub fn interval(&self) -> SimTime {
        self.config.interval
    }

    /// Records one probe; returns the region's new health if it changed.
    pub fn probe(&mut self, region: usize, checker: usize, success: bool) -> Option<bool> {
        let threshold = self.config.failure_threshold;
        let c = &mut self.checkers[region][checker];
        if success {
            c.successes += 1;
            c.failures = 0;
            if !c.healthy && c.successes >= threshold {
                c.healthy = true;
            }
        } else {
            c.failures += 1;
            c.successes = 0;
            if c.healthy && c.failures >= threshold {
                c.healthy = false;
            }
        }
        let n = self.checkers[region].len();
        let up = self.checkers[region].iter().filter(|c| c.healthy).count();
        let healthy = up as f64 / n as f64 > self.config.healthy_quorum;
        if healthy != self.healthy[region] {
            self.healthy[region] = healthy;
            Some(healthy)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(threshold: u32) -> HealthMonitor {
        HealthMonitor::new(
            &HealthCheckConfig {
                interval: SimTime::from_secs(10),
                failure_threshold: threshold,
                checker_continents: vec![Continent::NorthAmerica; 8],
                healthy_quorum: 0.18,
            },
            1,
        )
    }

    #[test]
    fn region_turns_unhealthy_when_at_most_18_percent_of_checkers_pass() {
        let mut m = monitor(3);
        // Six of eight checkers see three failures: 2/8 = 25 % still healthy.
        for round in 0..3 {
            for c in 0..6 {
                assert_eq!(m.probe(0, c, false), None, "round {round} checker {c}");
            }
        }
        assert!(m.healthy()[0]);
        // The seventh: 1/8 = 12.5 % ≤ 18 %.
        assert_eq!(m.probe(0, 6, false), None);
        assert_eq!(m.probe(0, 6, false), None);
        assert_eq!(m.probe(0, 6, false), Some(false));
        // Checker 7 never failed; once checker 0 has three consecutive successes, 2/8 = 25 %
        // of checkers pass again.
        assert_eq!(m.probe(0, 0, true), None);
        assert_eq!(m.probe(0, 0, true), None);
        assert_eq!(m.probe(0, 0, true), Some(true));
    }

    #[test]
    fn probes_are_spread_over_the_interval() {
        let m = monitor(3);
        assert_eq!(m.first_probe(0), SimTime(1_250_000));
        assert_eq!(m.first_probe(7), SimTime(10_000_000));
    }

    #[test]
    fn a_single_failure_does_not_flip_a_checker() {
        let mut m = monitor(3);
        for c in 0..8 {
            m.probe(0, c, false);
            m.probe(0, c, true);
            m.probe(0, c, false);
        }
        assert!(m.healthy()[0]);
    }
}
