//! The analytic warm start: Erlang C (M/M/c) on batch slots, with token-level service
//! times, gives each region-step an instance count close to the simulated optimum, so the
//! simulation-verified search starts near its answer.

use crate::catalog::ServingProfile;
use crate::scenario::{LatencyTarget, RequestMix, ServiceModel};

/// Erlang C: the probability that an arrival waits in M/M/c with `servers` servers and an
/// offered load of `offered_erlangs` (arrival rate × mean service time). 1 when the load
/// reaches the servers. Computed through the Erlang B recursion, which is stable for
/// thousands of servers.
pub fn erlang_c(servers: u32, offered_erlangs: f64) -> f64 {
    let c = f64::from(servers);
    if servers == 0 || offered_erlangs >= c {
        return 1.0;
    }
    if offered_erlangs <= 0.0 {
        return 0.0;
    }
    let mut b = 1.0;
    for k in 1..=servers {
        b = offered_erlangs * b / (f64::from(k) + offered_erlangs * b);
    }
    let rho = offered_erlangs / c;
    b / (1.0 - rho * (1.0 - b))
}

/// P(wait > `t_s`) in M/M/c: Erlang C × e^(−(c/S − λ)·t).
pub fn wait_exceeds(servers: u32, arrival_rps: f64, service_s: f64, t_s: f64) -> f64 {
    let a = arrival_rps * service_s;
    if a >= f64::from(servers) {
        return 1.0;
    }
    erlang_c(servers, a) * (-(f64::from(servers) / service_s - arrival_rps) * t_s.max(0.0)).exp()
}

/// P(sojourn > `t_s`) in M/M/c (wait plus one exponential service), FCFS: with
/// probability 1 − C no wait (service alone); with probability C an Exp(c/S − λ) wait
/// plus the Exp(1/S) service (a hypoexponential).
pub fn sojourn_exceeds(servers: u32, arrival_rps: f64, service_s: f64, t_s: f64) -> f64 {
    let a = arrival_rps * service_s;
    if a >= f64::from(servers) {
        return 1.0;
    }
    let mu = 1.0 / service_s;
    let theta = f64::from(servers) * mu - arrival_rps;
    let c = erlang_c(servers, a);
    let service_tail = (-mu * t_s).exp();
    let hypo = if (theta - mu).abs() < 1e-12 * mu {
        (1.0 + mu * t_s) * (-mu * t_s).exp()
    } else {
        (theta * (-mu * t_s).exp() - mu * (-theta * t_s).exp()) / (theta - mu)
    };
    (1.0 - c) * service_tail + c * hypo
}

/// How long one request holds a batch slot, and how many slots an instance has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlotService {
    /// Mean time a request holds a slot when the instance's batch is full, s (the
    /// conservative end: decoding slows as the batch fills).
    pub mean_s: f64,
    /// Sequences one instance serves at once.
    pub slots_per_instance: u32,
}

impl SlotService {
    /// The slot model of a serving profile (or a synthetic service model) for a request mix.
    pub fn of(
        profile: &ServingProfile,
        max_batch: u32,
        service: ServiceModel,
        mix: &RequestMix,
    ) -> SlotService {
        let mean_s = match service {
            ServiceModel::TokenProfile => {
                let b = f64::from(max_batch.max(1));
                let tpot_full_ms =
                    profile.tpot_ms_batch1 + profile.tpot_ms_per_extra_seq * (b - 1.0);
                let slowdown = tpot_full_ms / profile.tpot_ms_batch1;
                let prefill_ms = mix.prompt_tokens.mean_untruncated() * 1000.0
                    / profile.prefill_tokens_per_s
                    * slowdown;
                (prefill_ms + mix.output_tokens.mean_untruncated() * tpot_full_ms) / 1000.0
            }
            ServiceModel::Exponential { mean_ms } => mean_ms / 1000.0,
            ServiceModel::Deterministic { ms } => ms / 1000.0,
        };
        SlotService {
            mean_s,
            slots_per_instance: max_batch.max(1),
        }
    }
}

/// What the analytic model must keep: a waiting-time percentile and a utilisation cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SizingTarget {
    /// (percentile %, longest wait for a slot in s): P(wait > s) ≤ 1 − percentile/100.
    pub wait: Option<(f64, f64)>,
    /// Highest share of slots busy on average (0–1).
    pub max_utilisation: f64,
}

/// The wait for a slot a TTFT target leaves once `floor_ms` (network and prefill, which no
/// queueing can shorten) is spent: (percentile %, at least 1 ms in s), for [`SizingTarget`].
pub fn ttft_wait_budget(ttft: Option<LatencyTarget>, floor_ms: f64) -> Option<(f64, f64)> {
    ttft.map(|t| (t.percentile, (t.max_ms - floor_ms).max(1.0) / 1000.0))
}

/// The fewest instances in `[lo, hi]` whose slots meet `target` at `arrival_rps`; `hi`
/// when none does.
pub fn instances_for(
    arrival_rps: f64,
    slot: SlotService,
    target: SizingTarget,
    lo: u32,
    hi: u32,
) -> u32 {
    let ok = |n: u32| {
        let servers = n * slot.slots_per_instance;
        let util = arrival_rps * slot.mean_s / f64::from(servers);
        if util > target.max_utilisation {
            return false;
        }
        match target.wait {
            None => true,
            Some((pct, budget_s)) => {
                wait_exceeds(servers, arrival_rps, slot.mean_s, budget_s) <= 1.0 - pct / 100.0
            }
        }
    };
    (lo..=hi).find(|n| ok(*n)).unwrap_or(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_matches_closed_forms() {
        for rho in [0.1, 0.5, 0.9] {
            // M/M/1: P(wait) = ρ; M/M/2: 2ρ²/(1+ρ).
            assert!((erlang_c(1, rho) - rho).abs() < 1e-12);
            assert!((erlang_c(2, 2.0 * rho) - 2.0 * rho * rho / (1.0 + rho)).abs() < 1e-12);
        }
        assert_eq!(erlang_c(4, 4.0), 1.0);
        assert!(erlang_c(2000, 1900.0) > 0.0 && erlang_c(2000, 1900.0) < 1.0);
    }

    #[test]
    fn sojourn_tail_of_mm1_is_exponential() {
        // M/M/1 sojourn time is Exp(μ − λ).
        let (lam, s): (f64, f64) = (0.7, 1.0);
        for t in [0.0, 0.5, 2.0, 7.0] {
            let want = (-(1.0 / s - lam) * t).exp();
            assert!((sojourn_exceeds(1, lam, s, t) - want).abs() < 1e-9, "t {t}");
        }
    }

    #[test]
    fn sizing_is_monotone_in_demand() {
        let slot = SlotService {
            mean_s: 10.0,
            slots_per_instance: 8,
        };
        let target = SizingTarget {
            wait: Some((95.0, 0.5)),
            max_utilisation: 0.9,
        };
        let mut last = 0;
        for rps in [0.1, 1.0, 3.0, 5.0, 10.0, 20.0] {
            let n = instances_for(rps, slot, target, 1, 1000);
            assert!(n >= last);
            last = n;
        }
        // 20 req/s × 10 s = 200 busy slots: at least 200 / 8 / 0.9 → 28 instances.
        assert!(last >= 28);
    }
}
