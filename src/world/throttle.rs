//! Request-rate throttling as a token bucket (API Gateway style).
//!
//! API Gateway throttles each account and region to a steady rate with a burst allowance
//! (10,000 requests/s with a burst of 5,000 by default) and answers HTTP 429 beyond it. The
//! bucket holds up to `burst` tokens, refills at `rate_rps`, and each request takes one.

use crate::engine::SimTime;

/// A token bucket; construct with [`TokenBucket::new`], which refuses impossible values.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate_per_us: f64,
    /// Share of the rate in force (a quota cut lowers it).
    factor: f64,
    burst: f64,
    tokens: f64,
    last: SimTime,
}

impl TokenBucket {
    /// A full bucket. `rate_rps` > 0 and `burst` ≥ 1, both finite.
    pub fn new(rate_rps: f64, burst: f64) -> Result<TokenBucket, String> {
        if !rate_rps.is_finite() || rate_rps <= 0.0 {
            return Err(format!(
                "rate must be a positive number of requests/s, got {rate_rps}"
            ));
        }
        if !burst.is_finite() || burst < 1.0 {
            return Err(format!("burst must be at least 1 request, got {burst}"));
        }
        Ok(TokenBucket {
            rate_per_us: rate_rps * 1e-6,
            factor: 1.0,
            burst,
            tokens: burst,
            last: SimTime::ZERO,
        })
    }

    fn refill(&mut self, now: SimTime) {
        let dt = now.saturating_since(self.last).as_us() as f64;
        self.tokens = (self.tokens + dt * self.rate_per_us * self.factor).min(self.burst);
        self.last = now;
    }

    /// Tokens in the bucket at `now`.
    pub fn available(&mut self, now: SimTime) -> f64 {
        self.refill(now);
        self.tokens
    }

    /// Removes `n` tokens at `now` (the caller checked [`available`](Self::available)).
    pub fn take(&mut self, now: SimTime, n: f64) {
        self.refill(now);
        self.tokens = (self.tokens - n).max(0.0);
    }

    /// From `now` on the bucket refills at `factor` × its rate (a quota cut).
    pub fn set_rate_factor(&mut self, now: SimTime, factor: f64) {
        self.refill(now);
        self.factor = factor;
    }

    /// Takes one token at `now` if there is one; `false` means throttle (HTTP 429).
    #[inline]
    pub fn try_take(&mut self, now: SimTime) -> bool {
        self.refill(now);
        // The tolerance absorbs float rounding of the refill (0.99 + 0.01 may be 0.999…).
        if self.tokens >= 1.0 - 1e-9 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_impossible_values() {
        assert!(TokenBucket::new(0.0, 5.0).is_err());
        assert!(TokenBucket::new(f64::NAN, 5.0).is_err());
        assert!(TokenBucket::new(1.0, 0.5).is_err());
    }

    #[test]
    fn allows_the_burst_then_the_rate() {
        let mut b = TokenBucket::new(10.0, 5.0).unwrap();
        let t0 = SimTime::from_secs(1);
        assert_eq!((0..8).filter(|_| b.try_take(t0)).count(), 5);
        // 10 requests/s refill: one token per 100 ms.
        assert!(!b.try_take(t0 + SimTime(99_000)));
        assert!(b.try_take(t0 + SimTime(100_000)));
        // Over 10 s at 100 requests/s offered, about 10/s get through.
        let mut passed = 0;
        for i in 1..=1000u64 {
            if b.try_take(t0 + SimTime(100_000 + i * 10_000)) {
                passed += 1;
            }
        }
        assert!((100..=101).contains(&passed), "{passed}");
    }

    #[test]
    fn a_quota_cut_slows_the_refill() {
        let mut b = TokenBucket::new(10.0, 1.0).unwrap();
        assert!(b.try_take(SimTime::ZERO));
        b.set_rate_factor(SimTime::ZERO, 0.1);
        // One token per second instead of per 100 ms.
        assert!(!b.try_take(SimTime(900_000)));
        assert!(b.try_take(SimTime(1_000_000)));
        b.set_rate_factor(SimTime(1_000_000), 0.0);
        assert!(!b.try_take(SimTime::from_secs(100)));
    }
}
