//! Routing: which region serves a request. One file per policy behind [`RoutingPolicy`];
//! [`build`] picks the implementation from the scenario in one place. Policies answer DNS
//! queries: they see which regions pass their health checks, never how loaded they are.

mod dns;
mod failover;
mod latency;
mod weighted;

pub use dns::DnsCache;
pub use failover::FailoverRouting;
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
    }
}

/// Health as Route 53 applies it: if nothing is healthy, everything is.
#[inline]
pub(crate) fn effective_health(healthy: &[bool], r: usize) -> bool {
    healthy[r] || !healthy.iter().any(|h| *h)
}
