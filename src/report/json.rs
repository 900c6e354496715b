//! The stable JSON document of a run.
//!
//! Keys are sorted (serde_json's map is a BTreeMap), units are in key names (`_ms`,
//! `_usd`, `_rps`, `_pct`), floats are rounded to fixed decimals, and the document carries
//! `schema_version`, the meridian version, the scenario's content hash and the seed, so CI
//! can diff two documents meaningfully.

use std::path::Path;

use serde_json::Value;

use super::document::*;

use crate::metrics::{LatencyHistogram, MeanCi, Outcomes, TimeWeightedSeries};
use crate::run::RunResult;

/// Version of the JSON layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Rounds to `d` decimals so documents do not carry float noise.
pub(crate) fn round(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    let r = (x * f).round() / f;
    if r == 0.0 { 0.0 } else { r }
}

fn latency(h: &LatencyHistogram) -> LatencyDoc {
    LatencyDoc {
        count: h.count(),
        mean_ms: round(h.mean_ms(), 3),
        p50_ms: round(h.percentile_ms(50.0), 3),
        p90_ms: round(h.percentile_ms(90.0), 3),
        p95_ms: round(h.percentile_ms(95.0), 3),
        p99_ms: round(h.percentile_ms(99.0), 3),
        p999_ms: round(h.percentile_ms(99.9), 3),
    }
}

fn outcomes(o: &Outcomes) -> OutcomesDoc {
    OutcomesDoc {
        generated: o.generated,
        completed: o.completed,
        throttled: o.throttled,
        rejected: o.rejected,
        timed_out: o.timed_out,
        failed: o.failed,
        in_flight_at_end: o.in_flight_at_end,
        availability_pct: round(o.availability_pct(), 4),
    }
}

pub(crate) fn ci(m: &MeanCi, d: i32) -> MeanCiDoc {
    MeanCiDoc {
        mean: round(m.mean, d),
        ci95: round(m.ci95, d),
        n: m.n,
    }
}

fn series(s: &TimeWeightedSeries, d: i32) -> Vec<f64> {
    s.means().into_iter().map(|v| round(v, d)).collect()
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Builds the typed document of a run.
pub fn run_document_typed(r: &RunResult) -> RunDocument {
    let sc = &r.scenario;
    let reps = f64::from(r.replications);
    let m = &r.merged;
    let regions = sc
        .deployments
        .iter()
        .zip(&m.regions)
        .map(|(d, rm)| {
            let doc = RegionDoc {
                profile: d.self_hosted().map(|h| h.profile.name.clone()),
                instance_type: d.self_hosted().map(|h| h.profile.instance_type.clone()),
                instances: d.self_hosted().map(|h| h.instances),
                max_batch: d.self_hosted().map(|h| h.max_batch),
                price_usd_per_hour: d.self_hosted().map(|h| round(h.price.usd_per_hour, 4)),
                managed_model: d.managed().map(|m| m.model.clone()),
                token_cost_usd: round(rm.token_cost_usd / reps, 4),
                served_for_other_regions: rm.served_for_other_regions,
                forwarded: rm.forwarded,
                cold_starts: rm.cold_starts,
                request_fees_usd: round(rm.request_fees_usd / reps, 6),
                outcomes: outcomes(&rm.outcomes),
                served_share: round(share(rm.outcomes.completed, m.outcomes.completed), 6),
                ttft: latency(&rm.latency.ttft),
                e2e: latency(&rm.latency.e2e),
                queue_wait: latency(&rm.queue_wait),
                utilisation_mean: round(rm.utilisation.overall_mean(), 6),
                instances_mean: round(rm.instances.overall_mean(), 4),
                queue_length_mean: round(rm.queue_length.overall_mean(), 4),
                queue_length_max: rm.queue_length.maxima().iter().cloned().fold(0.0, f64::max),
                prompt_tokens: rm.prompt_tokens,
                output_tokens: rm.output_tokens,
                instance_hours: round(rm.instance_hours / reps, 4),
                instance_cost_usd: round(rm.instance_cost_usd / reps, 4),
                timeseries: RegionTimeseries {
                    bucket_start_s: rm.utilisation.bucket_starts_s(),
                    utilisation: series(&rm.utilisation, 6),
                    queue_length_mean: series(&rm.queue_length, 4),
                    queue_length_max: rm.queue_length.maxima().to_vec(),
                    instances: series(&rm.instances, 4),
                },
            };
            (d.region.code.clone(), doc)
        })
        .collect();
    let continents = m
        .continents
        .iter()
        .map(|(c, cm)| {
            let doc = ContinentDoc {
                outcomes: outcomes(&cm.outcomes),
                ttft: latency(&cm.latency.ttft),
                e2e: latency(&cm.latency.e2e),
            };
            (c.code().to_string(), doc)
        })
        .collect();
    let slo = r
        .slo
        .iter()
        .map(|s| SloDoc {
            name: s.name(),
            target: s.target,
            measured: round(s.measured, 4),
            per_replication: ci(&s.per_replication, 4),
            pass: s.pass,
        })
        .collect();
    let s = &r.summary;
    let instance_cost: f64 = m.regions.iter().map(|x| x.instance_cost_usd).sum::<f64>() / reps;
    let token_cost: f64 = m.regions.iter().map(|x| x.token_cost_usd).sum::<f64>() / reps;
    let fees: f64 = m.regions.iter().map(|x| x.request_fees_usd).sum::<f64>() / reps;
    let total_cost = instance_cost + token_cost + fees;
    let duration_s = sc.simulation.duration.as_secs_f64();
    let per_1k = if m.outcomes.completed == 0 {
        0.0
    } else {
        1000.0 * total_cost * reps / m.outcomes.completed as f64
    };
    RunDocument {
        schema_version: SCHEMA_VERSION,
        kind: "run".into(),
        meridian_version: env!("CARGO_PKG_VERSION").into(),
        scenario: ScenarioEcho {
            name: sc.name.clone(),
            content_hash: sc.content_hash.clone(),
            seed: r.seed,
            replications: r.replications,
            duration_s,
            warmup_s: sc.simulation.warmup.as_secs_f64(),
            routing: sc.routing.name().into(),
        },
        outcomes: outcomes(&m.outcomes),
        latency: LatencyDocs {
            ttft: latency(&m.latency.ttft),
            e2e: latency(&m.latency.e2e),
            queue_wait: latency(&m.queue_wait),
        },
        waited_share: round(share(m.waited, m.outcomes.generated), 6),
        summary_ci95: SummaryDoc {
            ttft_p50_ms: ci(&s.ttft_p50_ms, 3),
            ttft_p95_ms: ci(&s.ttft_p95_ms, 3),
            ttft_p99_ms: ci(&s.ttft_p99_ms, 3),
            e2e_p50_ms: ci(&s.e2e_p50_ms, 3),
            e2e_p95_ms: ci(&s.e2e_p95_ms, 3),
            e2e_p99_ms: ci(&s.e2e_p99_ms, 3),
            availability_pct: ci(&s.availability_pct, 4),
            throughput_rps: ci(&s.throughput_rps, 4),
            output_tokens_per_s: ci(&s.output_tokens_per_s, 3),
            cost_usd: ci(&s.cost_usd, 4),
        },
        regions,
        continents,
        cost: CostDoc {
            instances_usd: round(instance_cost, 4),
            tokens_usd: round(token_cost, 4),
            request_fees_usd: round(fees, 6),
            instances_usd_per_hour: round(instance_cost / (duration_s / 3600.0), 4),
            total_usd_per_hour: round(total_cost / (duration_s / 3600.0), 4),
            usd_per_1k_requests: round(per_1k, 6),
        },
        slo,
        faults: r
            .faults
            .iter()
            .map(|f| FaultDoc {
                label: f.label.clone(),
                start_s: f.start_s,
                duration_s: f.duration_s,
                detected_after_s: ci(&f.detected_after_s, 3),
                traffic_left_after_s: ci(&f.traffic_left_after_s, 3),
                attempts_during: ci(&f.attempts_during, 3),
                recovery_s: ci(&f.recovery_s, 3),
                recovered_replications: f.recovered_replications,
                lost_requests: ci(&f.lost_requests, 3),
                recovery_target_pct: f.recovery_target_pct,
            })
            .collect(),
        retries: m.retries,
        residency_violations: m.residency_violations,
        engine: EngineDoc {
            events: m.events,
            requests_simulated: m.requests_simulated,
        },
    }
}

/// Builds the JSON document of a run, keys sorted.
pub fn run_document(r: &RunResult) -> Value {
    // Through Value: serde_json's map is a BTreeMap, so keys come out sorted.
    serde_json::to_value(run_document_typed(r)).expect("the document has no non-string keys")
}

/// Writes `value` as pretty JSON to `path` through a temporary file in the same directory
/// and a rename, so a reader never sees a half-written file.
pub fn write_json_atomically(path: &Path, value: &Value) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    text.push('\n');
    super::atomic::write_text_atomically(path, &text)
}
