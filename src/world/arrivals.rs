//! Open-loop arrivals of one user site: a non-homogeneous Poisson process.
//!
//! The rate follows the diurnal curve in the site's local time. Arrival times are drawn by
//! exact thinning (Lewis & Shedler): candidates at the curve's maximum rate, each kept with
//! probability λ(t) ÷ λ_max; nothing is clipped or rounded away. With burstiness on, the rate
//! is also multiplied per window by a Gamma(mean 1, CV `rate_cv`) factor; thinning restarts
//! at each window boundary, which is exact because Poisson gaps are memoryless.

use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma};
use rand_pcg::Pcg64Mcg;

use crate::engine::SimTime;
use crate::scenario::{Burstiness, DiurnalCurve};

const US_PER_HOUR: f64 = 3.6e9;

/// Maps simulated time to a site's local hour of day.
#[derive(Debug, Clone, Copy)]
pub struct LocalClock {
    /// Local hour at simulated time 0.
    hour_at_zero: f64,
}

impl LocalClock {
    /// `start_utc_hour` is the UTC hour when the measured window (after `warmup`) begins.
    pub fn new(start_utc_hour: f64, warmup: SimTime, utc_offset_hours: f64) -> LocalClock {
        let warmup_h = warmup.as_us() as f64 / US_PER_HOUR;
        LocalClock {
            hour_at_zero: start_utc_hour - warmup_h + utc_offset_hours,
        }
    }

    /// Local hour (unwrapped, may exceed 24) at time `t_us` microseconds.
    pub fn hour_at_us(&self, t_us: f64) -> f64 {
        self.hour_at_zero + t_us / US_PER_HOUR
    }
}

/// Generates successive arrival times for one site.
pub struct SiteArrivals {
    mean_rate_per_us: f64,
    curve: DiurnalCurve,
    clock: LocalClock,
    burst: Option<(f64, Gamma<f64>)>,
    window_end_us: f64,
    factor: f64,
    t_us: f64,
    rng: Pcg64Mcg,
}

impl SiteArrivals {
    /// `mean_rate_rps` is the site's rate averaged over a day.
    pub fn new(
        mean_rate_rps: f64,
        curve: DiurnalCurve,
        clock: LocalClock,
        burstiness: Option<Burstiness>,
        rng: Pcg64Mcg,
    ) -> SiteArrivals {
        // Validation refuses 0 < CV < 0.001; below 1e-6 the Gamma shape would overflow.
        let burst = burstiness.filter(|b| b.rate_cv >= 1e-6).map(|b| {
            let shape = 1.0 / (b.rate_cv * b.rate_cv);
            let gamma =
                Gamma::new(shape, 1.0 / shape).expect("shape and scale are positive and finite");
            (b.window.as_us() as f64, gamma)
        });
        let mut s = SiteArrivals {
            mean_rate_per_us: mean_rate_rps * 1e-6,
            curve,
            clock,
            burst,
            window_end_us: f64::INFINITY,
            factor: 1.0,
            t_us: 0.0,
            rng,
        };
        s.start_window(0.0);
        s
    }

    fn start_window(&mut self, start_us: f64) {
        if let Some((window_us, gamma)) = &self.burst {
            self.factor = gamma.sample(&mut self.rng);
            self.window_end_us = start_us + window_us;
        }
    }

    /// The next arrival time, or `None` once it would be at or after `end`.
    pub fn next_arrival(&mut self, end: SimTime) -> Option<SimTime> {
        let end_us = end.as_us() as f64;
        let max_mult = self.curve.max_multiplier();
        loop {
            let lambda_max = self.mean_rate_per_us * max_mult * self.factor;
            let gap: f64 = if lambda_max > 0.0 {
                let e: f64 = Exp1.sample(&mut self.rng);
                e / lambda_max
            } else {
                f64::INFINITY
            };
            let candidate = self.t_us + gap;
            if candidate >= self.window_end_us {
                self.t_us = self.window_end_us;
                if self.t_us >= end_us {
                    return None;
                }
                let start = self.t_us;
                self.start_window(start);
                continue;
            }
            if candidate >= end_us {
                self.t_us = end_us;
                return None;
            }
            self.t_us = candidate;
            let accept = self.curve.multiplier(self.clock.hour_at_us(candidate)) / max_mult;
            if self.rng.random::<f64>() < accept {
                return Some(SimTime(candidate.ceil() as u64));
            }
        }
    }
}

/// Expected arrivals of a site in `[t0, t1)` without burstiness (the integral of its rate).
pub fn expected_arrivals(
    mean_rate_rps: f64,
    curve: &DiurnalCurve,
    clock: LocalClock,
    t0: SimTime,
    t1: SimTime,
) -> f64 {
    let h0 = clock.hour_at_us(t0.as_us() as f64);
    let h1 = clock.hour_at_us(t1.as_us() as f64);
    mean_rate_rps * 3600.0 * curve.integral_hours(h0, h1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, StreamId};

    fn count(rate: f64, curve: &str, burst: Option<Burstiness>, end: SimTime, seed: u64) -> u64 {
        let rng = RngStreams::new(seed, 0).stream(StreamId::new(0, 0));
        let clock = LocalClock::new(0.0, SimTime::ZERO, 0.0);
        let mut a = SiteArrivals::new(
            rate,
            DiurnalCurve::preset(curve).unwrap(),
            clock,
            burst,
            rng,
        );
        let mut n = 0;
        let mut last = SimTime::ZERO;
        while let Some(t) = a.next_arrival(end) {
            assert!(t >= last);
            last = t;
            n += 1;
        }
        n
    }

    #[test]
    fn flat_rate_gives_poisson_count() {
        let n = count(10.0, "flat", None, SimTime::from_secs(10_000), 7) as f64;
        // Mean 100000, sd 316: allow 4 sd.
        assert!((n - 100_000.0).abs() < 4.0 * 316.3, "{n}");
    }

    #[test]
    fn bursty_arrivals_keep_the_mean_but_spread_more() {
        let burst = Some(Burstiness {
            window: SimTime::from_secs(60),
            rate_cv: 0.5,
        });
        let counts: Vec<f64> = (0..40)
            .map(|s| count(5.0, "flat", burst, SimTime::from_secs(600), s) as f64)
            .collect();
        let mean = counts.iter().sum::<f64>() / counts.len() as f64;
        let var =
            counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (counts.len() - 1) as f64;
        // Expected 3000 per run; Poisson variance would be 3000, the Gamma mixture adds
        // (0.5 × 300)² × 10 windows = 225000.
        assert!(
            (mean - 3000.0).abs() < 4.0 * (228_000.0f64 / 40.0).sqrt(),
            "{mean}"
        );
        assert!(var > 30_000.0, "{var}");
    }
}
