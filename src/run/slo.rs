//! Checking service-level objectives against a run.

use crate::metrics::{MeanCi, ReplicationMetrics, mean_ci95};
use crate::scenario::Scenario;

/// Which objective a check is about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SloKind {
    /// Time to first token at a percentile must be at most the target, ms.
    Ttft { percentile: f64 },
    /// End-to-end latency at a percentile must be at most the target, ms.
    E2e { percentile: f64 },
    /// Completed ÷ finished requests must be at least the target, %.
    Availability,
}

/// One objective with what was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SloCheck {
    pub kind: SloKind,
    /// Target value (ms for latency, % for availability).
    pub target: f64,
    /// Value over all replications pooled.
    pub measured: f64,
    /// Mean and 95 % CI of the per-replication values.
    pub per_replication: MeanCi,
    pub pass: bool,
}

impl SloCheck {
    /// Stable identifier, e.g. `ttft_p95_ms`.
    pub fn name(&self) -> String {
        match self.kind {
            SloKind::Ttft { percentile } => format!("ttft_p{}_ms", fmt_pct(percentile)),
            SloKind::E2e { percentile } => format!("e2e_p{}_ms", fmt_pct(percentile)),
            SloKind::Availability => "availability_pct".to_string(),
        }
    }
}

fn fmt_pct(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p}").replace('.', "_")
    }
}

/// Checks every objective of `scenario` on the pooled replications (`pooled`), with the
/// spread across the individual replications (`reps`) as a confidence interval.
pub(super) fn check(
    scenario: &Scenario,
    reps: &[ReplicationMetrics],
    pooled: &ReplicationMetrics,
) -> Vec<SloCheck> {
    let slo = &scenario.slo;
    let mut out = Vec::new();
    let mut add = |kind: SloKind,
                   target: f64,
                   value: &dyn Fn(&ReplicationMetrics) -> f64,
                   higher_is_better: bool| {
        let measured = value(pooled);
        let per_replication = mean_ci95(&reps.iter().map(value).collect::<Vec<_>>());
        let pass = if higher_is_better {
            measured >= target
        } else {
            measured <= target
        };
        out.push(SloCheck {
            kind,
            target,
            measured,
            per_replication,
            pass,
        });
    };
    if let Some(t) = slo.ttft {
        add(
            SloKind::Ttft {
                percentile: t.percentile,
            },
            t.max_ms,
            &|m| m.latency.ttft.percentile_ms(t.percentile),
            false,
        );
    }
    if let Some(t) = slo.e2e {
        add(
            SloKind::E2e {
                percentile: t.percentile,
            },
            t.max_ms,
            &|m| m.latency.e2e.percentile_ms(t.percentile),
            false,
        );
    }
    if let Some(a) = slo.availability_pct {
        add(
            SloKind::Availability,
            a,
            &|m| m.outcomes.availability_pct(),
            true,
        );
    }
    out
}
