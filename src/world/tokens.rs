//! Drawing token counts.

use rand_distr::{Distribution, Exp, LogNormal};
use rand_pcg::Pcg64Mcg;

use crate::scenario::TokenDist;

/// A ready-to-sample token-count distribution.
pub enum TokenSampler {
    Lognormal { dist: LogNormal<f64>, max: f64 },
    Exponential { dist: Exp<f64>, max: f64 },
    Constant(u32),
}

impl TokenSampler {
    pub fn new(d: &TokenDist) -> TokenSampler {
        match *d {
            TokenDist::Lognormal { mu, sigma, max } => TokenSampler::Lognormal {
                dist: LogNormal::new(mu, sigma).expect("validated: sigma > 0 and finite"),
                max,
            },
            TokenDist::Exponential { mean, max } => TokenSampler::Exponential {
                dist: Exp::new(1.0 / mean).expect("validated: mean > 0"),
                max,
            },
            TokenDist::Constant { value } => TokenSampler::Constant(value),
        }
    }

    /// A count ≥ 1. Draws above `max` are redrawn (truncation, declared in the scenario);
    /// validation guarantees `max` is above the median, so redraws are rare.
    #[inline]
    pub fn sample(&self, rng: &mut Pcg64Mcg) -> u32 {
        let x = match self {
            TokenSampler::Lognormal { dist, max } => redraw_above(|| dist.sample(rng), *max),
            TokenSampler::Exponential { dist, max } => redraw_above(|| dist.sample(rng), *max),
            TokenSampler::Constant(v) => return *v,
        };
        (x.round() as u32).max(1)
    }
}

fn redraw_above(mut draw: impl FnMut() -> f64, max: f64) -> f64 {
    loop {
        let x = draw();
        if x <= max {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, StreamId};

    #[test]
    fn lognormal_matches_median_and_p90() {
        let z90 = 1.281_551_565_545;
        let d = TokenDist::Lognormal {
            mu: 1020f64.ln(),
            sigma: (2735f64 / 1020.0).ln() / z90,
            max: 1e7,
        };
        let s = TokenSampler::new(&d);
        let mut rng = RngStreams::new(5, 0).stream(StreamId::new(2, 0));
        let mut v: Vec<u32> = (0..100_000).map(|_| s.sample(&mut rng)).collect();
        v.sort_unstable();
        let median = v[50_000] as f64;
        let p90 = v[90_000] as f64;
        assert!((median - 1020.0).abs() / 1020.0 < 0.02, "{median}");
        assert!((p90 - 2735.0).abs() / 2735.0 < 0.02, "{p90}");
    }

    #[test]
    fn truncation_holds_and_counts_are_positive() {
        let s = TokenSampler::new(&TokenDist::Exponential {
            mean: 3.0,
            max: 5.0,
        });
        let mut rng = RngStreams::new(5, 0).stream(StreamId::new(2, 1));
        for _ in 0..10_000 {
            let x = s.sample(&mut rng);
            assert!((1..=5).contains(&x));
        }
    }
}
