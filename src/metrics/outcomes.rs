//! What happened to each request.

use std::ops::AddAssign;

/// Counts by outcome. Every request generated in the measured window ends in exactly one of
/// `completed`, `throttled`, `rejected`, `timed_out`, `failed` or `in_flight_at_end`;
/// `generated` is their sum and
/// [`Outcomes::is_balanced`] checks it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcomes {
    /// Requests created by users in the measured window.
    pub generated: u64,
    /// Served to the last token.
    pub completed: u64,
    /// Refused by the region's request quota (HTTP 429).
    pub throttled: u64,
    /// Turned away because the region's queue was full (HTTP 503).
    pub rejected: u64,
    /// No first token within the region's timeout (HTTP 504), in the queue or in service.
    pub timed_out: u64,
    /// Failed by a fault: the region was down or cut off, or answered 5xx.
    pub failed: u64,
    /// Still queued, in service or on the wire when the run ended.
    pub in_flight_at_end: u64,
}

impl Outcomes {
    /// Requests whose fate is known.
    pub fn finished(&self) -> u64 {
        self.completed + self.throttled + self.rejected + self.timed_out + self.failed
    }

    /// Every generated request is accounted for exactly once.
    pub fn is_balanced(&self) -> bool {
        self.generated == self.finished() + self.in_flight_at_end
    }

    /// Completed ÷ finished, in % (100 when nothing finished).
    pub fn availability_pct(&self) -> f64 {
        let f = self.finished();
        if f == 0 {
            100.0
        } else {
            100.0 * self.completed as f64 / f as f64
        }
    }
}

impl AddAssign for Outcomes {
    fn add_assign(&mut self, o: Outcomes) {
        self.generated += o.generated;
        self.completed += o.completed;
        self.throttled += o.throttled;
        self.rejected += o.rejected;
        self.timed_out += o.timed_out;
        self.failed += o.failed;
        self.in_flight_at_end += o.in_flight_at_end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_and_availability() {
        let o = Outcomes {
            generated: 11,
            completed: 7,
            throttled: 1,
            rejected: 1,
            timed_out: 1,
            failed: 0,
            in_flight_at_end: 1,
        };
        assert!(o.is_balanced());
        assert!((o.availability_pct() - 70.0).abs() < 1e-12);
        let mut s = o;
        s += o;
        assert_eq!(s.generated, 22);
        assert!(s.is_balanced());
        assert!(
            !Outcomes {
                generated: 3,
                ..Default::default()
            }
            .is_balanced()
        );
    }
}
