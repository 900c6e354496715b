//! Geolocation routing (Route 53 geolocation records) with residency: each user site maps to
//! the region of the most specific matching location (country, then continent, then the
//! `*` default). If that record is unhealthy, the next larger area's record answers — but
//! never a region outside the users' jurisdiction: with no healthy eligible region, the
//! answer stays in the jurisdiction and requests fail rather than leave it.

use super::RoutingPolicy;
use crate::engine::SimTime;

pub struct GeolocationRouting {
    /// Per site: eligible candidates, most specific first.
    chains: Vec<Vec<usize>>,
}

impl GeolocationRouting {
    /// `chains[site]` from the scenario; `allowed[site]` the residency mask, if any.
    pub fn new(chains: &[Vec<usize>], allowed: &[Option<Vec<bool>>]) -> GeolocationRouting {
        let chains = chains
            .iter()
            .zip(allowed)
            .map(|(chain, mask)| match mask {
                Some(m) => chain.iter().copied().filter(|r| m[*r]).collect(),
                None => chain.clone(),
            })
            .collect();
        GeolocationRouting { chains }
    }
}

impl RoutingPolicy for GeolocationRouting {
    #[inline]
    fn choose(&mut self, site: usize, _now: SimTime, healthy: &[bool]) -> usize {
        let chain = &self.chains[site];
        *chain.iter().find(|r| healthy[**r]).unwrap_or(&chain[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_larger_areas_but_never_out_of_the_jurisdiction() {
        // Site 0: country → 2, continent → 1, default → 0; residency allows 1 and 2 only.
        let chains = vec![vec![2, 1, 0]];
        let mut free = GeolocationRouting::new(&chains, &[None]);
        let mut bound = GeolocationRouting::new(&chains, &[Some(vec![false, true, true])]);
        let t = SimTime::ZERO;
        assert_eq!(free.choose(0, t, &[true, true, true]), 2);
        assert_eq!(free.choose(0, t, &[true, true, false]), 1);
        assert_eq!(free.choose(0, t, &[true, false, false]), 0);
        assert_eq!(
            bound.choose(0, t, &[true, false, false]),
            2,
            "stays in the jurisdiction"
        );
    }
}
