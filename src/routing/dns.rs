//! Client-side DNS caching.
//!
//! Users of a site reach the routing policy through a handful of recursive resolvers. Each
//! resolver keeps the answer it got for the record's TTL; a share of resolvers (and the stub,
//! browser and OS caches behind them) keep it several times longer (Moura et al., "Cache Me
//! If You Can", 2019). So a routing change — a failover, a new weight — reaches users only as
//! their resolvers' copies expire, and the stale ones keep sending traffic to the old answer.

use crate::engine::SimTime;
use crate::scenario::DnsConfig;

/// Cached answers, one per (site, resolver).
#[derive(Debug, Clone)]
pub struct DnsCache {
    resolvers_per_site: usize,
    /// The first `stale_resolvers` of each site keep answers `stale_ttl`.
    stale_resolvers: usize,
    ttl: SimTime,
    stale_ttl: SimTime,
    entries: Vec<Option<(usize, SimTime)>>,
}

impl DnsCache {
    /// Caches for `sites` user sites. The stale share is rounded to whole resolvers.
    pub fn new(config: &DnsConfig, sites: usize) -> DnsCache {
        let n = config.resolvers_per_site as usize;
        DnsCache {
            resolvers_per_site: n,
            stale_resolvers: ((config.stale_share * n as f64).round() as usize).min(n),
            ttl: config.ttl,
            stale_ttl: SimTime::from_secs_ceil(config.ttl.as_secs_f64() * config.stale_ttl_factor),
            entries: vec![None; sites * n],
        }
    }

    /// Resolvers per site (a request picks one uniformly).
    pub fn resolvers_per_site(&self) -> usize {
        self.resolvers_per_site
    }

    /// The answer resolver `resolver` of `site` gives at `now`: its cached one while valid,
    /// else a fresh one from `query`, which it then keeps.
    #[inline]
    pub fn resolve(
        &mut self,
        site: usize,
        resolver: usize,
        now: SimTime,
        query: impl FnOnce() -> usize,
    ) -> usize {
        let slot = &mut self.entries[site * self.resolvers_per_site + resolver];
        if let Some((region, expiry)) = *slot
            && now < expiry
        {
            return region;
        }
        let region = query();
        let ttl = if resolver < self.stale_resolvers {
            self.stale_ttl
        } else {
            self.ttl
        };
        *slot = Some((region, now + ttl));
        region
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(stale_share: f64) -> DnsCache {
        DnsCache::new(
            &DnsConfig {
                ttl: SimTime::from_secs(60),
                stale_share,
                stale_ttl_factor: 10.0,
                resolvers_per_site: 4,
            },
            2,
        )
    }

    #[test]
    fn answers_are_kept_for_the_ttl() {
        let mut c = cache(0.0);
        assert_eq!(c.resolve(0, 1, SimTime::ZERO, || 7), 7);
        assert_eq!(c.resolve(0, 1, SimTime::from_secs(59), || 3), 7);
        assert_eq!(c.resolve(0, 1, SimTime::from_secs(60), || 3), 3);
        // Other resolvers and sites have their own caches.
        assert_eq!(c.resolve(0, 2, SimTime::from_secs(1), || 5), 5);
        assert_eq!(c.resolve(1, 1, SimTime::from_secs(1), || 6), 6);
    }

    #[test]
    fn stale_resolvers_keep_answers_longer() {
        let mut c = cache(0.5); // 2 of 4 resolvers are stale: 600 s instead of 60 s.
        assert_eq!(c.resolve(0, 0, SimTime::ZERO, || 1), 1);
        assert_eq!(c.resolve(0, 3, SimTime::ZERO, || 1), 1);
        assert_eq!(c.resolve(0, 0, SimTime::from_secs(599), || 2), 1);
        assert_eq!(c.resolve(0, 3, SimTime::from_secs(61), || 2), 2);
    }
}
