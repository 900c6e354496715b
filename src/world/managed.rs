//! A managed model API in one region (Bedrock style).
//!
//! There are no instances to saturate: the provider serves any number of requests at once,
//! each with the region's time to first token and streaming speed. What limits it are the
//! account's per-region quotas — requests per minute and tokens per minute (input + output),
//! each a token bucket refilled continuously and holding one minute's worth — and a request
//! that would exceed either is refused with HTTP 429 (ThrottlingException). Tokens are
//! billed per million at the price of the region the request entered (cross-region
//! inference costs nothing extra: aws.amazon.com/bedrock/pricing).

use super::throttle::TokenBucket;
use crate::engine::SimTime;
use crate::scenario::ManagedApi;

/// Quotas and timing of one managed endpoint.
#[derive(Debug, Clone)]
pub struct ManagedState {
    rpm: TokenBucket,
    tpm: TokenBucket,
    /// Time to first token in the region.
    pub ttft: SimTime,
    /// Streaming time per output token after the first, ms.
    pub ms_per_token: f64,
    pub input_usd_per_token: f64,
    pub output_usd_per_token: f64,
    /// Deployments to try, in order, when this one would throttle.
    pub spill_to: Vec<usize>,
}

impl ManagedState {
    pub fn new(api: &ManagedApi) -> ManagedState {
        let bucket = |per_minute: f64| {
            TokenBucket::new(per_minute / 60.0, per_minute.max(1.0)).expect("validated: quota > 0")
        };
        ManagedState {
            rpm: bucket(api.rpm_quota),
            tpm: bucket(api.tpm_quota),
            ttft: SimTime::from_ms_ceil(api.ttft_ms),
            ms_per_token: 1000.0 / api.output_tokens_per_s,
            input_usd_per_token: api.input_usd_per_1m_tokens / 1e6,
            output_usd_per_token: api.output_usd_per_1m_tokens / 1e6,
            spill_to: api.spill_to.clone(),
        }
    }

    /// Whether a request of `tokens` (input + output) fits both quotas at `now`.
    pub fn fits(&mut self, now: SimTime, tokens: f64) -> bool {
        self.rpm.available(now) >= 1.0 - 1e-9 && self.tpm.available(now) >= tokens - 1e-9
    }

    /// Charges a request to both quotas (call after [`fits`](Self::fits) said yes).
    pub fn admit(&mut self, now: SimTime, tokens: f64) {
        self.rpm.take(now, 1.0);
        self.tpm.take(now, tokens);
    }

    /// Requests-per-minute headroom at `now` (to pick a region with room).
    pub fn rpm_headroom(&mut self, now: SimTime) -> f64 {
        self.rpm.available(now)
    }

    /// From `now` on, the quotas refill at `factor` × their rate (a quota cut).
    pub fn set_quota_factor(&mut self, now: SimTime, factor: f64) {
        self.rpm.set_rate_factor(now, factor);
        self.tpm.set_rate_factor(now, factor);
    }

    /// Time from the first token to the last for `output_tokens`.
    pub fn decode_time(&self, output_tokens: u32) -> SimTime {
        SimTime::from_ms_ceil(f64::from(output_tokens.saturating_sub(1)) * self.ms_per_token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(rpm: f64, tpm: f64) -> ManagedApi {
        ManagedApi {
            model: "m".into(),
            ttft_ms: 500.0,
            output_tokens_per_s: 50.0,
            rpm_quota: rpm,
            tpm_quota: tpm,
            input_usd_per_1m_tokens: 3.0,
            output_usd_per_1m_tokens: 15.0,
            spill_to: vec![],
            inference_profile: None,
        }
    }

    #[test]
    fn both_quotas_bind() {
        let mut m = ManagedState::new(&api(2.0, 1000.0));
        let t = SimTime::ZERO;
        assert!(m.fits(t, 600.0));
        m.admit(t, 600.0);
        // The token quota is the tighter one now: 400 tokens left.
        assert!(!m.fits(t, 500.0));
        assert!(m.fits(t, 400.0));
        m.admit(t, 400.0);
        // One minute refills both.
        assert!(m.fits(SimTime::from_secs(60), 1000.0));
        assert_eq!(m.decode_time(11), SimTime::from_ms_ceil(200.0));
    }
}
