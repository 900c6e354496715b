//! What the comparison shows, as titled rows of text with one column per scenario: the
//! single layout behind both the terminal table and the Markdown report.

use super::document::*;
use super::pairing::PAIRED_WHEN;
use super::questions::{AVAILABILITY_TARGET_PCT, LATENCY_MEASURE, LATENCY_THRESHOLD_MS};
use crate::catalog::Continent;

/// A table with a title and notes under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub notes: Vec<String>,
}

/// The lines above the tables: what was compared and how.
pub fn preamble(doc: &ComparisonDocument) -> Vec<String> {
    let mut out = vec![format!(
        "meridian compare: {} scenarios, reference {}",
        doc.scenarios.len(),
        doc.reference
    )];
    for s in &doc.scenarios {
        let id = &s.scenario;
        out.push(format!(
            "  {}: {} — seed {}, {} replication(s) × {} s after {} s warm-up, {} routing",
            s.label, s.file, id.seed, id.replications, id.duration_s, id.warmup_s, id.routing
        ));
    }
    let (paired, unpaired): (Vec<&ScenarioColumn>, Vec<&ScenarioColumn>) = doc
        .scenarios
        .iter()
        .filter(|s| s.vs_reference.is_some())
        .partition(|s| {
            s.vs_reference
                .as_ref()
                .is_some_and(|d| d.unpaired_because.is_empty())
        });
    let names = |cols: &[&ScenarioColumn]| {
        cols.iter()
            .map(|c| c.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if unpaired.is_empty() {
        out.push(
            "paired: every scenario sees the reference's requests in each replication (same \
             seed, sites, demand, request mix and window; common random numbers), so each \
             difference is the mean of the per-replication differences with a Student-t 95 % CI"
                .into(),
        );
        return out;
    }
    if !paired.is_empty() {
        out.push(format!(
            "paired: {} sees the reference's requests in each replication (common random \
             numbers): mean of the per-replication differences with a Student-t 95 % CI",
            names(&paired)
        ));
    }
    out.push(format!(
        "unpaired: {} does not see the reference's requests, so its difference is a \
         difference of means with a Welch 95 % interval (pairing needs {PAIRED_WHEN}):",
        names(&unpaired)
    ));
    for why in &doc.pairing.reasons {
        out.push(format!("  - {why}"));
    }
    out
}

/// Every section, in print order.
pub fn sections(doc: &ComparisonDocument) -> Vec<Section> {
    let mut out = vec![figures(doc)];
    if doc.scenarios.len() > 1 {
        out.push(differences(doc));
    }
    out.push(questions(doc));
    out
}

fn headers(first: &str, cols: &[&ScenarioColumn]) -> Vec<String> {
    std::iter::once(first.to_string())
        .chain(cols.iter().map(|c| c.label.clone()))
        .collect()
}

fn row(
    label: &str,
    cols: &[&ScenarioColumn],
    cell: impl Fn(&ScenarioColumn) -> String,
) -> Vec<String> {
    std::iter::once(label.to_string())
        .chain(cols.iter().map(|c| cell(c)))
        .collect()
}

fn ci(m: &MeanCiDoc, d: usize) -> String {
    format!("{:.d$} ± {:.d$}", m.mean, m.ci95)
}

const NONE: &str = "–";
const CI_ROW: &str = "  mean of replications ± 95 % CI";

/// Names in first-seen order over all scenarios.
fn union<'a>(lists: impl Iterator<Item = Vec<&'a str>>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for list in lists {
        for n in list {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

fn figures(doc: &ComparisonDocument) -> Section {
    let cols: Vec<&ScenarioColumn> = doc.scenarios.iter().collect();
    let mut rows = Vec::new();
    type Pick = fn(&ScenarioColumn) -> (f64, &MeanCiDoc);
    let latency: [(&str, Pick); 6] = [
        ("TTFT p50 [ms]", |c| {
            (c.latency.ttft.p50_ms, &c.summary_ci95.ttft_p50_ms)
        }),
        ("TTFT p95 [ms]", |c| {
            (c.latency.ttft.p95_ms, &c.summary_ci95.ttft_p95_ms)
        }),
        ("TTFT p99 [ms]", |c| {
            (c.latency.ttft.p99_ms, &c.summary_ci95.ttft_p99_ms)
        }),
        ("end-to-end p50 [ms]", |c| {
            (c.latency.e2e.p50_ms, &c.summary_ci95.e2e_p50_ms)
        }),
        ("end-to-end p95 [ms]", |c| {
            (c.latency.e2e.p95_ms, &c.summary_ci95.e2e_p95_ms)
        }),
        ("end-to-end p99 [ms]", |c| {
            (c.latency.e2e.p99_ms, &c.summary_ci95.e2e_p99_ms)
        }),
    ];
    for (name, pick) in latency {
        rows.push(row(name, &cols, |c| format!("{:.1}", pick(c).0)));
        rows.push(row(CI_ROW, &cols, |c| ci(pick(c).1, 1)));
    }
    rows.push(row("availability [%]", &cols, |c| {
        format!("{:.3}", c.availability_pct)
    }));
    rows.push(row(CI_ROW, &cols, |c| {
        ci(&c.summary_ci95.availability_pct, 3)
    }));

    let objectives = union(
        cols.iter()
            .map(|c| c.slo.iter().map(|s| s.name.as_str()).collect()),
    );
    for name in objectives {
        rows.push(row(&format!("objective {name}"), &cols, |c| {
            match c.slo.iter().find(|s| s.name == name) {
                None => NONE.into(),
                Some(s) => {
                    let (cmp, d) = if name == "availability_pct" {
                        ("≥", 3)
                    } else {
                        ("≤", 1)
                    };
                    format!(
                        "{}: {:.d$} {cmp} {}",
                        if s.pass { "pass" } else { "FAIL" },
                        s.measured,
                        s.target
                    )
                }
            }
        }));
    }

    let faults = union(
        cols.iter()
            .map(|c| c.faults.iter().map(|f| f.label.as_str()).collect()),
    );
    for label in faults {
        rows.push(row(
            &format!("recovery after {label} [s]"),
            &cols,
            |c| match c.faults.iter().find(|f| f.label == label) {
                None => NONE.into(),
                Some(f) if f.recovered_replications == 0 => {
                    format!("not recovered (0/{})", f.replications)
                }
                Some(f) => format!(
                    "{} ({}/{} recovered)",
                    ci(&f.recovery_s, 1),
                    f.recovered_replications,
                    f.replications
                ),
            },
        ));
    }

    rows.push(row("retries", &cols, |c| c.retries.to_string()));
    rows.push(row("residency violations", &cols, |c| {
        if c.residency_rules == 0 {
            format!("{} (no rule)", c.residency_violations)
        } else {
            c.residency_violations.to_string()
        }
    }));
    rows.push(row("cross-region share [%]", &cols, |c| {
        format!("{:.1}", c.cross_region_pct)
    }));
    rows.push(row("cost [USD/h]", &cols, |c| {
        format!("{:.2}", c.cost.usd_per_hour)
    }));
    rows.push(row("cost [USD per 1 M completed]", &cols, |c| {
        format!("{:.2}", c.cost.usd_per_million_completed)
    }));
    rows.push(row(&format!("cost [× {}]", doc.reference), &cols, |c| {
        format!("× {:.3}", c.cost.multiple_of_reference)
    }));
    rows.push(row("self-hosted instances", &cols, |c| {
        c.regions
            .iter()
            .filter_map(|r| r.instances)
            .sum::<u32>()
            .to_string()
    }));

    let regions = union(
        cols.iter()
            .map(|c| c.regions.iter().map(|r| r.region.as_str()).collect()),
    );
    for region in regions {
        rows.push(row(&format!("served by {region} [%]"), &cols, |c| match c
            .regions
            .iter()
            .find(|r| r.region == region)
        {
            None => NONE.into(),
            Some(r) => format!("{:.1} ({})", 100.0 * r.served_share, r.deployment),
        }));
    }
    for continent in Continent::ALL {
        let code = continent.code();
        if cols.iter().all(|c| !c.continents.contains_key(code)) {
            continue;
        }
        rows.push(row(
            &format!("TTFT p50, users in {code} [ms]"),
            &cols,
            |c| {
                c.continents
                    .get(code)
                    .map_or(NONE.into(), |m| format!("{:.1}", m.ttft_p50_ms))
            },
        ));
    }

    Section {
        title: "figures (pooled over replications unless marked)".into(),
        headers: headers("figure", &cols),
        rows,
        notes: Vec::new(),
    }
}

fn differences(doc: &ComparisonDocument) -> Section {
    let cols: Vec<&ScenarioColumn> = doc.scenarios.iter().skip(1).collect();
    type Pick = fn(&DifferencesDoc) -> &DifferenceDoc;
    let figures: [(&str, Pick, usize); 8] = [
        ("TTFT p50 [ms]", |d| &d.ttft_p50_ms, 1),
        ("TTFT p95 [ms]", |d| &d.ttft_p95_ms, 1),
        ("TTFT p99 [ms]", |d| &d.ttft_p99_ms, 1),
        ("end-to-end p50 [ms]", |d| &d.e2e_p50_ms, 1),
        ("end-to-end p95 [ms]", |d| &d.e2e_p95_ms, 1),
        ("end-to-end p99 [ms]", |d| &d.e2e_p99_ms, 1),
        ("availability [pp]", |d| &d.availability_pct, 3),
        ("cost [USD/h]", |d| &d.cost_usd_per_hour, 2),
    ];
    let pairing = row("pairing", &cols, |c| match &c.vs_reference {
        Some(d) if d.unpaired_because.is_empty() => "paired".into(),
        Some(_) => "UNPAIRED (Welch)".into(),
        None => NONE.into(),
    });
    let rows = std::iter::once(pairing)
        .chain(figures.iter().map(|(name, pick, d)| {
            row(name, &cols, |c| match &c.vs_reference {
                None => NONE.into(),
                Some(v) => difference(pick(v), *d),
            })
        }))
        .collect();
    let how = match doc.pairing.method.as_str() {
        "paired" => "paired: mean of per-replication differences ± 95 % CI",
        "welch" => "UNPAIRED: difference of means ± Welch 95 % interval",
        _ => {
            "paired columns: mean of per-replication differences ± 95 % CI; UNPAIRED \
             columns: difference of means ± Welch 95 % interval"
        }
    };
    Section {
        title: format!("difference against {} ({how})", doc.reference),
        headers: headers("figure", &cols),
        rows,
        notes: vec![
            "* the 95 % interval excludes 0: the difference is significant at the 5 % level".into(),
            "percentiles are read from histograms with 1 % resolution: ± 0.0 means every \
             replication gave the same difference at that resolution"
                .into(),
        ],
    }
}

fn difference(x: &DifferenceDoc, d: usize) -> String {
    let mut s = match x.ci95 {
        Some(h) => format!("{:+.d$} ± {h:.d$}", x.mean),
        None => format!("{:+.d$} ± n/a", x.mean),
    };
    if let Some(p) = x.relative_pct {
        s.push_str(&format!(" ({p:+.1} %)"));
    }
    if x.significant {
        s.push_str(" *");
    }
    s
}

fn questions(doc: &ComparisonDocument) -> Section {
    let cols: Vec<&ScenarioColumn> = doc.scenarios.iter().collect();
    let rows = vec![
        row(
            &format!("latency < {LATENCY_THRESHOLD_MS:.0} ms globally?"),
            &cols,
            |c| {
                let q = &c.questions.latency_under_100ms;
                match (&q.worst_continent, q.worst_ttft_p50_ms) {
                    (Some(w), Some(ms)) => {
                        format!("{}: worst {w} {ms:.1} ms", q.answer.label())
                    }
                    _ => q.answer.label().into(),
                }
            },
        ),
        row(
            &format!("{AVAILABILITY_TARGET_PCT} % availability?"),
            &cols,
            |c| {
                let q = &c.questions.availability_9999;
                format!("{}: {} %", q.answer.label(), ci(&q.per_replication, 3))
            },
        ),
        row("residency kept?", &cols, |c| {
            let q = &c.questions.residency_kept;
            match q.answer {
                Answer::NoRule => q.answer.label().into(),
                _ => format!("{}: {} violations", q.answer.label(), q.violations),
            }
        }),
        row(&format!("cost multiple of {}", doc.reference), &cols, |c| {
            format!("× {:.3}", c.questions.cost_multiple.multiple)
        }),
    ];
    Section {
        title: "the seed's questions, answered with measured values".into(),
        headers: headers("question", &cols),
        rows,
        notes: vec![
            format!("latency: {LATENCY_MEASURE}, against {LATENCY_THRESHOLD_MS:.0} ms"),
            format!(
                "availability: yes when the per-replication 95 % CI lies at or above \
                 {AVAILABILITY_TARGET_PCT} %, no when it lies below, undecided when it straddles it"
            ),
            "residency: completed requests served outside their users' residency rules \
             (\"no rule\": the scenario has none)"
                .into(),
            "cost: cost per hour ÷ the reference's".into(),
        ],
    }
}
