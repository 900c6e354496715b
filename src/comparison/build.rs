//! From finished runs to the comparison document: one column per run, the differences of
//! each against the first, and the seed's questions.

use std::collections::BTreeMap;

use super::difference::{self, Difference, Method};
use super::document::*;
use super::pairing::{self, Pairing};
use super::questions::{self, multiple};
use super::{ComparedRun, mean_ci_doc, round};
use crate::run::{ReplicationSummary, RunResult};

/// Builds the document; `runs[0]` is the reference.
///
/// # Panics
/// If `runs` is empty.
pub fn document(runs: &[ComparedRun]) -> ComparisonDocument {
    assert!(!runs.is_empty(), "a comparison needs at least one run");
    let labels = labels(runs);
    let results: Vec<&RunResult> = runs.iter().map(|r| &r.result).collect();
    let pairing = pairing::check(&results);
    let reference = results[0];
    let reference_cost = usd_per_hour(reference);
    let scenarios = runs
        .iter()
        .zip(&labels)
        .enumerate()
        .map(|(i, (run, label))| {
            let vs_reference = (i > 0).then(|| {
                let reasons = &pairing.reasons[i];
                let mut d = differences(reference, &run.result, reasons.is_empty(), &labels[0]);
                d.unpaired_because = reasons.clone();
                d
            });
            column(run, label, reference_cost, vs_reference)
        })
        .collect();
    ComparisonDocument {
        schema_version: COMPARISON_SCHEMA_VERSION,
        kind: "comparison".into(),
        meridian_version: env!("CARGO_PKG_VERSION").into(),
        reference: labels[0].clone(),
        pairing: pairing_doc(&pairing, &labels),
        scenarios,
    }
}

/// Column headings: the scenario names; where names repeat, the file names without
/// `.toml`, then the files as given, then the file names numbered by position.
fn labels(runs: &[ComparedRun]) -> Vec<String> {
    let stem = |f: &str| {
        std::path::Path::new(f)
            .file_stem()
            .map_or(f.to_string(), |s| s.to_string_lossy().into_owned())
    };
    let mut labels: Vec<String> = runs
        .iter()
        .map(|r| r.result.scenario.name.clone())
        .collect();
    relabel_repeated(&mut labels, |i| stem(&runs[i].file));
    relabel_repeated(&mut labels, |i| runs[i].file.clone());
    relabel_repeated(&mut labels, |i| {
        format!("{} #{}", stem(&runs[i].file), i + 1)
    });
    labels
}

/// Replaces every label that occurs more than once with `alternative(index)`.
fn relabel_repeated(labels: &mut [String], alternative: impl Fn(usize) -> String) {
    let repeated: Vec<bool> = labels
        .iter()
        .map(|l| labels.iter().filter(|m| *m == l).count() > 1)
        .collect();
    for (i, label) in labels.iter_mut().enumerate() {
        if repeated[i] {
            *label = alternative(i);
        }
    }
}

fn pairing_doc(p: &Pairing, labels: &[String]) -> PairingDoc {
    let paired = (1..labels.len()).filter(|i| p.is_paired(*i)).count();
    PairingDoc {
        paired: p.all_paired(),
        method: if paired + 1 == labels.len() {
            Method::Paired.name().into()
        } else if paired == 0 {
            Method::Welch.name().into()
        } else {
            "mixed".into()
        },
        rule: pairing::rule(),
        reasons: p
            .reasons
            .iter()
            .zip(labels)
            .flat_map(|(why, label)| why.iter().map(move |w| format!("{label}: {w}")))
            .collect(),
    }
}

fn hours(r: &RunResult) -> f64 {
    r.scenario.simulation.duration.as_secs_f64() / 3600.0
}

/// Everything the run charged (the run's own per-replication cost: instance-hours and, where
/// the scenario has them, managed-API tokens and request fees), summed over replications.
fn cost_usd_all_replications(r: &RunResult) -> f64 {
    r.per_replication.iter().map(|s| s.cost_usd).sum()
}

/// Cost per hour of the measured window, mean over replications.
pub(super) fn usd_per_hour(r: &RunResult) -> f64 {
    cost_usd_all_replications(r) / r.per_replication.len().max(1) as f64 / hours(r)
}

fn column(
    run: &ComparedRun,
    label: &str,
    reference_cost: f64,
    vs_reference: Option<DifferencesDoc>,
) -> ScenarioColumn {
    let r = &run.result;
    let sc = &r.scenario;
    let m = &r.merged;
    let per_hour = usd_per_hour(r);
    let pct = |h: &crate::metrics::LatencyHistogram| Percentiles {
        p50_ms: round(h.percentile_ms(50.0), 3),
        p95_ms: round(h.percentile_ms(95.0), 3),
        p99_ms: round(h.percentile_ms(99.0), 3),
    };
    let s = &r.summary;
    let per_hour_ci = crate::metrics::MeanCi {
        mean: s.cost_usd.mean / hours(r),
        ci95: s.cost_usd.ci95 / hours(r),
        n: s.cost_usd.n,
    };
    let completed = m.outcomes.completed;
    ScenarioColumn {
        label: label.to_string(),
        file: run.file.clone(),
        scenario: ScenarioIdentity {
            name: sc.name.clone(),
            content_hash: sc.content_hash.clone(),
            seed: r.seed,
            replications: r.replications,
            duration_s: sc.simulation.duration.as_secs_f64(),
            warmup_s: sc.simulation.warmup.as_secs_f64(),
            routing: sc.routing.name().into(),
        },
        latency: PooledLatency {
            ttft: pct(&m.latency.ttft),
            e2e: pct(&m.latency.e2e),
        },
        summary_ci95: SummaryCi {
            ttft_p50_ms: mean_ci_doc(&s.ttft_p50_ms, 3),
            ttft_p95_ms: mean_ci_doc(&s.ttft_p95_ms, 3),
            ttft_p99_ms: mean_ci_doc(&s.ttft_p99_ms, 3),
            e2e_p50_ms: mean_ci_doc(&s.e2e_p50_ms, 3),
            e2e_p95_ms: mean_ci_doc(&s.e2e_p95_ms, 3),
            e2e_p99_ms: mean_ci_doc(&s.e2e_p99_ms, 3),
            availability_pct: mean_ci_doc(&s.availability_pct, 4),
            cost_usd_per_hour: mean_ci_doc(&per_hour_ci, 4),
        },
        availability_pct: round(m.outcomes.availability_pct(), 4),
        completed,
        slo: r
            .slo
            .iter()
            .map(|c| SloColumn {
                name: c.name(),
                target: c.target,
                measured: round(c.measured, 4),
                per_replication: mean_ci_doc(&c.per_replication, 4),
                pass: c.pass,
            })
            .collect(),
        faults: r
            .faults
            .iter()
            .map(|f| FaultColumn {
                label: f.label.clone(),
                start_s: f.start_s,
                duration_s: f.duration_s,
                recovery_s: mean_ci_doc(&f.recovery_s, 3),
                recovered_replications: f.recovered_replications,
                replications: r.replications,
                recovery_target_pct: f.recovery_target_pct,
            })
            .collect(),
        retries: m.retries,
        residency_rules: sc.residency.len(),
        residency_violations: m.residency_violations,
        cross_region_pct: round(
            if m.outcomes.completed == 0 {
                0.0
            } else {
                let crossed: u64 = m
                    .regions
                    .iter()
                    .zip(&sc.deployments)
                    .map(|(x, d)| {
                        // Front ends forwarding to their own region do not cross a region.
                        let forwarded_away = match &d.frontend {
                            Some(f)
                                if f.backend
                                    != sc
                                        .deployments
                                        .iter()
                                        .position(|e| e.region.code == d.region.code)
                                        .unwrap_or(usize::MAX) =>
                            {
                                x.forwarded
                            }
                            _ => 0,
                        };
                        x.served_for_other_regions + forwarded_away
                    })
                    .sum();
                100.0 * crossed as f64 / m.outcomes.completed as f64
            },
            3,
        ),
        cost: CostColumn {
            usd_per_hour: round(per_hour, 4),
            usd_per_million_completed: round(
                if completed == 0 {
                    0.0
                } else {
                    cost_usd_all_replications(r) / completed as f64 * 1e6
                },
                4,
            ),
            multiple_of_reference: round(multiple(per_hour, reference_cost), 4),
        },
        regions: sc
            .deployments
            .iter()
            .zip(&m.regions)
            .map(|(d, rm)| RegionColumn {
                region: d.region.code.clone(),
                deployment: d.describe(),
                instances: d.self_hosted().map(|h| h.instances),
                served_share: round(
                    if completed == 0 {
                        0.0
                    } else {
                        rm.outcomes.completed as f64 / completed as f64
                    },
                    6,
                ),
            })
            .collect(),
        continents: m
            .continents
            .iter()
            .filter(|(_, cm)| cm.outcomes.generated > 0)
            .map(|(c, cm)| {
                let doc = ContinentColumn {
                    requests: cm.outcomes.generated,
                    ttft_p50_ms: round(cm.latency.ttft.percentile_ms(50.0), 3),
                    ttft_p95_ms: round(cm.latency.ttft.percentile_ms(95.0), 3),
                    availability_pct: round(cm.outcomes.availability_pct(), 4),
                };
                (c.code().to_string(), doc)
            })
            .collect::<BTreeMap<_, _>>(),
        vs_reference,
        questions: questions::answer(r, per_hour, reference_cost),
    }
}

/// `other − reference` for every headline figure, paired or not.
fn differences(
    reference: &RunResult,
    other: &RunResult,
    paired: bool,
    against: &str,
) -> DifferencesDoc {
    let method = if paired {
        Method::Paired
    } else {
        Method::Welch
    };
    let diff = |f: &dyn Fn(&ReplicationSummary, f64) -> f64, d: i32| {
        let a: Vec<f64> = values(reference, f);
        let b: Vec<f64> = values(other, f);
        let x = match method {
            Method::Paired => difference::paired(&a, &b),
            Method::Welch => difference::welch(&a, &b),
        };
        difference_doc(&x, &a, d)
    };
    DifferencesDoc {
        against: against.to_string(),
        method: method.name().into(),
        unpaired_because: Vec::new(),
        ttft_p50_ms: diff(&|s, _| s.ttft_p50_ms, 3),
        ttft_p95_ms: diff(&|s, _| s.ttft_p95_ms, 3),
        ttft_p99_ms: diff(&|s, _| s.ttft_p99_ms, 3),
        e2e_p50_ms: diff(&|s, _| s.e2e_p50_ms, 3),
        e2e_p95_ms: diff(&|s, _| s.e2e_p95_ms, 3),
        e2e_p99_ms: diff(&|s, _| s.e2e_p99_ms, 3),
        availability_pct: diff(&|s, _| s.availability_pct, 4),
        cost_usd_per_hour: diff(&|s, h| s.cost_usd / h, 4),
    }
}

/// One figure per replication; `f` gets the replication and the measured hours.
fn values(r: &RunResult, f: &dyn Fn(&ReplicationSummary, f64) -> f64) -> Vec<f64> {
    let h = hours(r);
    r.per_replication.iter().map(|s| f(s, h)).collect()
}

fn difference_doc(x: &Difference, reference: &[f64], d: i32) -> DifferenceDoc {
    let base = reference.iter().sum::<f64>() / reference.len().max(1) as f64;
    DifferenceDoc {
        mean: round(x.mean, d),
        ci95: x.ci95.map(|c| round(c, d)),
        df: x.df,
        relative_pct: (base != 0.0).then(|| round(100.0 * x.mean / base, 3)),
        significant: x.significant(),
    }
}
