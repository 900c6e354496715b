//! Which faults are active: a small state updated by fault start/end events and queried on
//! every request and health probe.

use crate::catalog::Continent;
use crate::scenario::{Fault, FaultKind};

/// Active faults per region. Overlapping faults of one kind combine: any outage or matching
/// partition cuts the region off; added latencies add up; error rates combine as independent
/// failures; quota factors multiply.
#[derive(Debug, Clone)]
pub struct FaultState {
    outages: Vec<u32>,
    /// `partitions[region][continent]`: active partitions between the two.
    partitions: Vec<[u32; 6]>,
    degradations: Vec<Vec<(f64, f64)>>,
    quota_cuts: Vec<Vec<f64>>,
}

fn continent_index(c: Continent) -> usize {
    Continent::ALL
        .iter()
        .position(|x| *x == c)
        .expect("every continent is in ALL")
}

impl FaultState {
    pub fn new(regions: usize) -> FaultState {
        FaultState {
            outages: vec![0; regions],
            partitions: vec![[0; 6]; regions],
            degradations: vec![Vec::new(); regions],
            quota_cuts: vec![Vec::new(); regions],
        }
    }

    /// Applies the start (`active = true`) or end of `fault`.
    pub fn apply(&mut self, fault: &Fault, active: bool) {
        let r = fault.region;
        match fault.kind {
            FaultKind::Outage => {
                if active {
                    self.outages[r] += 1
                } else {
                    self.outages[r] -= 1
                }
            }
            FaultKind::Partition { continent } => {
                let c = &mut self.partitions[r][continent_index(continent)];
                if active { *c += 1 } else { *c -= 1 }
            }
            FaultKind::Degradation {
                added_latency_ms,
                error_rate,
            } => toggle(
                &mut self.degradations[r],
                (added_latency_ms, error_rate),
                active,
            ),
            FaultKind::QuotaCut { factor } => toggle(&mut self.quota_cuts[r], factor, active),
        }
    }

    /// The region answers nobody.
    #[inline]
    pub fn is_down(&self, region: usize) -> bool {
        self.outages[region] > 0
    }

    /// Traffic from `continent` cannot reach the region (outage or partition).
    #[inline]
    pub fn unreachable_from(&self, continent: Continent, region: usize) -> bool {
        self.is_down(region) || self.partitions[region][continent_index(continent)] > 0
    }

    /// Extra latency on every response of the region, ms.
    #[inline]
    pub fn added_latency_ms(&self, region: usize) -> f64 {
        self.degradations[region].iter().map(|d| d.0).sum()
    }

    /// Probability that the region answers a request with a 5xx.
    #[inline]
    pub fn error_rate(&self, region: usize) -> f64 {
        1.0 - self.degradations[region]
            .iter()
            .map(|d| 1.0 - d.1)
            .product::<f64>()
    }

    /// Share of the region's request quota left.
    #[inline]
    pub fn quota_factor(&self, region: usize) -> f64 {
        self.quota_cuts[region].iter().product()
    }
}

fn toggle<T: PartialEq + Copy>(list: &mut Vec<T>, item: T, active: bool) {
    if active {
        list.push(item);
    } else if let Some(i) = list.iter().position(|x| *x == item) {
        list.remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimTime;

    fn fault(kind: FaultKind, region: usize) -> Fault {
        Fault {
            kind,
            region,
            start: SimTime::ZERO,
            end: SimTime(1),
            label: String::new(),
        }
    }

    #[test]
    fn faults_combine_and_clear() {
        let mut s = FaultState::new(2);
        let out = fault(FaultKind::Outage, 0);
        let part = fault(
            FaultKind::Partition {
                continent: Continent::Europe,
            },
            1,
        );
        let d1 = fault(
            FaultKind::Degradation {
                added_latency_ms: 100.0,
                error_rate: 0.5,
            },
            1,
        );
        let d2 = fault(
            FaultKind::Degradation {
                added_latency_ms: 50.0,
                error_rate: 0.5,
            },
            1,
        );
        s.apply(&out, true);
        s.apply(&part, true);
        s.apply(&d1, true);
        s.apply(&d2, true);
        assert!(s.is_down(0) && s.unreachable_from(Continent::Asia, 0));
        assert!(
            s.unreachable_from(Continent::Europe, 1) && !s.unreachable_from(Continent::Asia, 1)
        );
        assert_eq!(s.added_latency_ms(1), 150.0);
        assert!((s.error_rate(1) - 0.75).abs() < 1e-12);
        for f in [&out, &part, &d1, &d2] {
            s.apply(f, false);
        }
        assert!(!s.is_down(0) && !s.unreachable_from(Continent::Europe, 1));
        assert_eq!(s.added_latency_ms(1), 0.0);
        assert_eq!(s.error_rate(1), 0.0);
        assert_eq!(s.quota_factor(1), 1.0);
    }
}
