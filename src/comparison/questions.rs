//! The seed's comparison table — "latency < 100 ms globally?", "99.99 % availability?",
//! "residency kept?", "cost multiple" — answered from what a run measured, never from the
//! topology's name.
//!
//! "Latency" is the time to first token as the client sees it (connection set-up, the trip
//! to the region and back, queueing and prefill): the network round trip alone is not
//! reported separately. A deployment is "under 100 ms globally" when the median TTFT of its
//! worst user continent is, so a region far from some users shows up as that continent.

use super::document::{
    Answer, AvailabilityAnswer, CostAnswer, LatencyAnswer, QuestionsDoc, ResidencyAnswer,
};
use super::{mean_ci_doc, round};
use crate::run::RunResult;

/// The latency threshold of the seed's question, ms.
pub const LATENCY_THRESHOLD_MS: f64 = 100.0;
/// The availability target of the seed's question, %.
pub const AVAILABILITY_TARGET_PCT: f64 = 99.99;

/// What the latency answer measures, as written in the document and under the table.
pub const LATENCY_MEASURE: &str = "TTFT p50 of the worst user continent, all replications \
pooled (client-side: connection set-up, network round trip, queueing and prefill; the \
network round trip alone is not measured separately)";

/// Answers the questions for `r`, whose cost is `usd_per_hour` against the reference's.
pub fn answer(r: &RunResult, usd_per_hour: f64, reference_usd_per_hour: f64) -> QuestionsDoc {
    QuestionsDoc {
        latency_under_100ms: latency(r),
        availability_9999: availability(r),
        residency_kept: residency(r),
        cost_multiple: CostAnswer {
            multiple: round(multiple(usd_per_hour, reference_usd_per_hour), 4),
            usd_per_hour: round(usd_per_hour, 4),
            reference_usd_per_hour: round(reference_usd_per_hour, 4),
        },
    }
}

/// `value ÷ reference`, or 0 when the reference costs nothing.
pub fn multiple(value: f64, reference: f64) -> f64 {
    if reference > 0.0 {
        value / reference
    } else {
        0.0
    }
}

fn latency(r: &RunResult) -> LatencyAnswer {
    let medians: Vec<(&str, f64)> = r
        .merged
        .continents
        .iter()
        .filter(|(_, m)| m.latency.ttft.count() > 0)
        .map(|(c, m)| (c.code(), m.latency.ttft.percentile_ms(50.0)))
        .collect();
    let worst = medians
        .iter()
        .copied()
        .reduce(|a, b| if b.1 > a.1 { b } else { a });
    let best = medians
        .iter()
        .copied()
        .reduce(|a, b| if b.1 < a.1 { b } else { a });
    LatencyAnswer {
        answer: match worst {
            None => Answer::NoData,
            Some((_, ms)) if ms < LATENCY_THRESHOLD_MS => Answer::Yes,
            Some(_) => Answer::No,
        },
        measured: LATENCY_MEASURE.into(),
        threshold_ms: LATENCY_THRESHOLD_MS,
        worst_continent: worst.map(|w| w.0.to_string()),
        worst_ttft_p50_ms: worst.map(|w| round(w.1, 3)),
        best_continent: best.map(|b| b.0.to_string()),
        best_ttft_p50_ms: best.map(|b| round(b.1, 3)),
    }
}

fn availability(r: &RunResult) -> AvailabilityAnswer {
    let ci = r.summary.availability_pct;
    let o = &r.merged.outcomes;
    let answer = if o.generated == o.in_flight_at_end {
        Answer::NoData
    } else if ci.mean - ci.ci95 >= AVAILABILITY_TARGET_PCT {
        Answer::Yes
    } else if ci.mean + ci.ci95 < AVAILABILITY_TARGET_PCT {
        Answer::No
    } else {
        Answer::Undecided
    };
    AvailabilityAnswer {
        answer,
        target_pct: AVAILABILITY_TARGET_PCT,
        measured_pct: round(o.availability_pct(), 4),
        per_replication: mean_ci_doc(&ci, 4),
    }
}

fn residency(r: &RunResult) -> ResidencyAnswer {
    let rules = r.scenario.residency.len();
    let violations = r.merged.residency_violations;
    ResidencyAnswer {
        answer: if rules == 0 {
            Answer::NoRule
        } else if violations == 0 {
            Answer::Yes
        } else {
            Answer::No
        },
        rules,
        violations,
    }
}
