//! Simulated time as integer microseconds.

use std::fmt;
use std::ops::{Add, Sub};

/// A point in simulated time, in integer microseconds since the start of the run.
///
/// Integer time makes event ordering exact and runs bit-identical on every machine; one
/// microsecond is far below any latency the simulator reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// Microseconds since the start.
    pub fn as_us(self) -> u64 {
        self.0
    }

    /// Seconds since the start, as a float (for rates and reports).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 * 1e-6
    }

    /// Milliseconds since the start, as a float.
    pub fn as_ms_f64(self) -> f64 {
        self.0 as f64 * 1e-3
    }

    /// From whole seconds.
    pub fn from_secs(s: u64) -> SimTime {
        SimTime(s.saturating_mul(1_000_000))
    }

    /// From fractional milliseconds, rounded up to the next microsecond so that a positive
    /// delay never collapses to zero.
    pub fn from_ms_ceil(ms: f64) -> SimTime {
        SimTime::from_us_ceil(ms * 1e3)
    }

    /// From fractional seconds, rounded up to the next microsecond.
    pub fn from_secs_ceil(s: f64) -> SimTime {
        SimTime::from_us_ceil(s * 1e6)
    }

    fn from_us_ceil(us: f64) -> SimTime {
        if us.is_nan() || us <= 0.0 {
            SimTime(0)
        } else if us >= u64::MAX as f64 {
            SimTime::MAX
        } else {
            SimTime(us.ceil() as u64)
        }
    }

    /// The later time minus the earlier, or zero if `earlier` is after `self`.
    pub fn saturating_since(self, earlier: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(earlier.0))
    }
}

impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    fn sub(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6} s", self.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_delays_never_round_to_zero() {
        assert_eq!(SimTime::from_ms_ceil(0.0001), SimTime(1));
        assert_eq!(SimTime::from_ms_ceil(0.0), SimTime(0));
        assert_eq!(SimTime::from_ms_ceil(f64::NAN), SimTime(0));
        assert_eq!(SimTime::from_secs_ceil(1.5), SimTime(1_500_000));
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime(5) - SimTime(7), SimTime(0));
        assert_eq!(SimTime::MAX + SimTime(1), SimTime::MAX);
    }
}
