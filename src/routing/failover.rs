//! Failover routing (Route 53 failover records, active-passive): the primary while its
//! health check passes; else the secondary if it is healthy; if both are unhealthy, the
//! primary again.

use super::RoutingPolicy;
use crate::engine::SimTime;

pub struct FailoverRouting {
    primary: usize,
    secondary: usize,
}

impl FailoverRouting {
    pub fn new(primary: usize, secondary: usize) -> FailoverRouting {
        FailoverRouting { primary, secondary }
    }
}

impl RoutingPolicy for FailoverRouting {
    #[inline]
    fn choose(&mut self, _site: usize, _now: SimTime, healthy: &[bool]) -> usize {
        if !healthy[self.primary] && healthy[self.secondary] {
            self.secondary
        } else {
            self.primary
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_route53_failover_semantics() {
        let mut r = FailoverRouting::new(0, 2);
        assert_eq!(r.choose(0, SimTime::ZERO, &[true, true, true]), 0);
        assert_eq!(r.choose(0, SimTime::ZERO, &[false, true, true]), 2);
        assert_eq!(r.choose(0, SimTime::ZERO, &[false, true, false]), 0);
        assert_eq!(r.choose(0, SimTime::ZERO, &[true, true, false]), 0);
    }
}
