//! Routing: which region serves a request. One file per policy behind [`RoutingPolicy`];
//! [`build`] picks the implementation from the scenario in one place. Policies answer DNS
//! queries: they see which regions pass their health checks, never how loaded they are.

mod anycast;
mod dns;
mod failover;
mod geolocation;
mod geoproximity;
mod latency;
mod weighted;

pub use anycast::AnycastRouting;
pub use dns::DnsCache;
pub use failover::FailoverRouting;
pub use geolocation::GeolocationRouting;
pub use geoproximity::GeoproximityRouting;
pub use latency::LatencyRouting;
pub use weighted::WeightedRouting;

use rand_pcg::Pcg64Mcg;

use crate::engine::SimTime;

use crate::scenario::RoutingConfig;

/// What a policy knows about the world when it is built.
pub struct RoutingContext<'a> {
    /// Expected RTT in ms from each user site (rows) to each deployment (columns), without
    /// jitter: what a DNS service's latency measurements would converge to.
    pub expected_rtt_ms: &'a [Vec<f64>],
    /// Great-circle distance in km from each site to each deployment.
    pub distance_km: &'a [Vec<f64>],
    /// Per site, the regions residency rules allow (`None`: unrestricted).
    pub allowed: &'a [Option<Vec<bool>>],
}

/// Chooses a deployment (index into the scenario's regions) for a query from a site.
pub trait RoutingPolicy: Send {
    /// `healthy[r]` says whether region `r` passes its health checks. When no region is
    /// healthy, Route 53 answers as if all were (it never returns an empty answer for these
    /// record types), and so do the policies here.
    fn choose(&mut self, site: usize, now: SimTime, healthy: &[bool]) -> usize;
}

/// Builds the policy the scenario asks for. `rng` is the routing stream: only policies that
/// randomise draw from it, so other streams never shift when the policy changes.
pub fn build(
    config: &RoutingConfig,
    ctx: &RoutingContext,
    rng: Pcg64Mcg,
) -> Box<dyn RoutingPolicy> {
    match config {
        RoutingConfig::Latency => Box::new(LatencyRouting::new(ctx.expected_rtt_ms)),
        RoutingConfig::Weighted { weights, schedule } => Box::new(WeightedRouting::with_schedule(
            weights,
            schedule.clone(),
            rng,
        )),
        RoutingConfig::Failover { primary, secondary } => {
            Box::new(FailoverRouting::new(*primary, *secondary))
        }
        RoutingConfig::Anycast { dials } => {
            Box::new(AnycastRouting::new(ctx.distance_km, dials, rng))
        }
        RoutingConfig::Geolocation { chains } => {
            Box::new(GeolocationRouting::new(chains, ctx.allowed))
        }
        RoutingConfig::Geoproximity { bias } => {
            Box::new(GeoproximityRouting::new(ctx.distance_km, bias, ctx.allowed))
        }
    }
}

/// Health as Route 53 applies it: if nothing is healthy, everything is.
#[inline]
pub(crate) fn effective_health(healthy: &[bool], r: usize) -> bool {
    healthy[r] || !healthy.iter().any(|h| *h)
}
