//! Routing: which region serves a request. One file per policy behind [`RoutingPolicy`];
//! [`build`] picks the implementation from the scenario in one place.

mod latency;
mod weighted;

pub use latency::LatencyRouting;
pub use weighted::WeightedRouting;

use rand_pcg::Pcg64Mcg;

use crate::scenario::RoutingConfig;

/// What a policy knows about the world when it decides.
pub struct RoutingContext<'a> {
    /// Expected RTT in ms from each user site (rows) to each deployment (columns), without
    /// jitter: what a DNS service's latency measurements would converge to.
    pub expected_rtt_ms: &'a [Vec<f64>],
}

/// Chooses a deployment (index into the scenario's regions) for each request.
pub trait RoutingPolicy: Send {
    fn choose(&mut self, site: usize) -> usize;
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
        RoutingConfig::Weighted { weights } => Box::new(WeightedRouting::new(weights, rng)),
    }
}
