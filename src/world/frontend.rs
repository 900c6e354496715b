//! A serverless front end (API Gateway + Lambda) in one region.
//!
//! Each request in flight holds one execution environment. Environments stay warm for a
//! while after use and are reused most-recent first, as Lambda does; a request that finds
//! none free pays a cold start. Beyond the concurrency limit requests are refused with HTTP
//! 429 (TooManyRequestsException).

use crate::engine::SimTime;
use crate::scenario::Frontend;

#[derive(Debug, Clone)]
pub struct FrontendState {
    limit: u32,
    in_flight: u32,
    /// Idle environments by the time they were last released, most recent last.
    idle: Vec<SimTime>,
    idle_timeout: SimTime,
    cold_start: SimTime,
    /// Fee per request, USD.
    pub fee_usd: f64,
}

/// How a request got an execution environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Warm,
    /// A new environment: the request waits `cold_start` first.
    Cold,
    /// Over the concurrency limit: HTTP 429.
    Refused,
}

impl FrontendState {
    pub fn new(f: &Frontend) -> FrontendState {
        FrontendState {
            limit: f.concurrency,
            in_flight: 0,
            idle: Vec::new(),
            idle_timeout: f.idle_timeout,
            cold_start: SimTime::from_ms_ceil(f.cold_start_ms),
            fee_usd: f.usd_per_million_requests / 1e6,
        }
    }

    /// A request arrives at `now`.
    pub fn admit(&mut self, now: SimTime) -> Admission {
        if self.in_flight >= self.limit {
            return Admission::Refused;
        }
        self.in_flight += 1;
        // The most recently used environment is the last one; if it is too old, all are.
        match self.idle.pop() {
            Some(last_used) if now.saturating_since(last_used) <= self.idle_timeout => {
                Admission::Warm
            }
            Some(_) => {
                self.idle.clear();
                Admission::Cold
            }
            None => Admission::Cold,
        }
    }

    /// Delay before a cold request runs.
    pub fn cold_start(&self) -> SimTime {
        self.cold_start
    }

    /// A request finished at `now`: its environment goes back to the warm pool.
    pub fn release(&mut self, now: SimTime) {
        debug_assert!(self.in_flight > 0);
        self.in_flight = self.in_flight.saturating_sub(1);
        self.idle.push(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fe(limit: u32) -> FrontendState {
        FrontendState::new(&Frontend {
            backend: 0,
            concurrency: limit,
            cold_start_ms: 250.0,
            idle_timeout: SimTime::from_secs(600),
            usd_per_million_requests: 1.2,
        })
    }

    #[test]
    fn cold_then_warm_then_recycled() {
        let mut f = fe(10);
        assert_eq!(f.admit(SimTime::ZERO), Admission::Cold);
        f.release(SimTime::from_secs(1));
        assert_eq!(f.admit(SimTime::from_secs(2)), Admission::Warm);
        f.release(SimTime::from_secs(3));
        // Idle for more than ten minutes: recycled.
        assert_eq!(f.admit(SimTime::from_secs(604)), Admission::Cold);
        assert_eq!(f.cold_start(), SimTime(250_000));
        assert!((f.fee_usd - 1.2e-6).abs() < 1e-18);
    }

    #[test]
    fn concurrency_limit_refuses() {
        let mut f = fe(2);
        assert_ne!(f.admit(SimTime::ZERO), Admission::Refused);
        assert_ne!(f.admit(SimTime::ZERO), Admission::Refused);
        assert_eq!(f.admit(SimTime::ZERO), Admission::Refused);
        f.release(SimTime(1));
        assert_eq!(f.admit(SimTime(2)), Admission::Warm);
    }
}
