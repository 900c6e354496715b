//! Whether measured outcomes and latencies meet a set of targets, and if not, which target
//! binds.

use crate::metrics::{LatencySet, Outcomes};
use crate::scenario::SloTargets;

/// Which target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Ttft,
    E2e,
    Availability,
}

/// A target missed: what was asked and what was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Miss {
    pub kind: TargetKind,
    /// Latency percentile, % (latency targets only).
    pub percentile: f64,
    /// ms for latency targets, % for availability.
    pub target: f64,
    pub measured: f64,
}

impl Miss {
    /// E.g. `ttft p95 1620 ms > 1500 ms`.
    pub fn describe(&self) -> String {
        match self.kind {
            TargetKind::Ttft | TargetKind::E2e => format!(
                "{} p{} {:.0} ms > {:.0} ms",
                if self.kind == TargetKind::Ttft {
                    "TTFT"
                } else {
                    "end-to-end"
                },
                self.percentile,
                self.measured,
                self.target
            ),
            TargetKind::Availability => {
                format!("availability {:.3} % < {} %", self.measured, self.target)
            }
        }
    }

    /// The target's name as in JSON, e.g. `ttft_p95_ms`.
    pub fn target_name(&self) -> String {
        match self.kind {
            TargetKind::Ttft => format!("ttft_p{}_ms", self.percentile),
            TargetKind::E2e => format!("e2e_p{}_ms", self.percentile),
            TargetKind::Availability => "availability_pct".into(),
        }
    }
}

/// The first target (TTFT, end-to-end, availability) that `outcomes`/`latency` miss; none
/// when all hold or nothing was sent.
pub fn first_miss(outcomes: &Outcomes, latency: &LatencySet, targets: &SloTargets) -> Option<Miss> {
    if outcomes.generated == 0 {
        return None;
    }
    if let Some(a) = targets.availability_pct {
        let measured = outcomes.availability_pct();
        if measured < a {
            return Some(Miss {
                kind: TargetKind::Availability,
                percentile: 0.0,
                target: a,
                measured,
            });
        }
    }
    for (kind, t, h) in [
        (TargetKind::Ttft, targets.ttft, &latency.ttft),
        (TargetKind::E2e, targets.e2e, &latency.e2e),
    ] {
        let Some(t) = t else { continue };
        if h.count() == 0 {
            // Nothing completed: availability (if set) has spoken; otherwise every request
            // failed, which no latency target accepts.
            return Some(Miss {
                kind,
                percentile: t.percentile,
                target: t.max_ms,
                measured: f64::INFINITY,
            });
        }
        let measured = h.percentile_ms(t.percentile);
        if measured > t.max_ms {
            return Some(Miss {
                kind,
                percentile: t.percentile,
                target: t.max_ms,
                measured,
            });
        }
    }
    None
}

/// How far `outcomes`/`latency` are from `targets`, as one number: the largest of
/// measured ÷ limit over the latency targets and unavailability ÷ allowed unavailability;
/// ≤ 1 exactly when every target holds. The search interpolates on it. 0 when nothing was
/// sent; infinite when latency is asked for and nothing completed.
pub fn margin(outcomes: &Outcomes, latency: &LatencySet, targets: &SloTargets) -> f64 {
    if outcomes.generated == 0 {
        return 0.0;
    }
    let mut m: f64 = 0.0;
    if let Some(a) = targets.availability_pct {
        let allowed = (100.0 - a).max(1e-9);
        m = m.max((100.0 - outcomes.availability_pct()) / allowed);
    }
    for (t, h) in [(targets.ttft, &latency.ttft), (targets.e2e, &latency.e2e)] {
        let Some(t) = t else { continue };
        if h.count() == 0 {
            return f64::INFINITY;
        }
        m = m.max(h.percentile_ms(t.percentile) / t.max_ms);
    }
    m
}
