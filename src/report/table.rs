//! Aligned text tables for the terminal, with units in the headers.

use std::fmt::Write;

use crate::run::RunResult;

/// A table of strings: first column left-aligned, the rest right-aligned (numbers).
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let cols = self.headers.len();
        let mut width: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(cols) {
                width[i] = width[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, cells: &[String]| {
            for (i, c) in cells.iter().enumerate().take(cols) {
                let pad = width[i] - c.chars().count();
                if i == 0 {
                    let _ = write!(out, "{c}{}", " ".repeat(pad));
                } else {
                    let _ = write!(out, "  {}{c}", " ".repeat(pad));
                }
            }
            out.push('\n');
        };
        line(&mut out, &self.headers);
        let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
        line(&mut out, &rule);
        for r in &self.rows {
            line(&mut out, r);
        }
        out
    }

    /// The table in GitHub-flavoured markdown, numbers right-aligned like [`render`](Self::render).
    pub fn render_markdown(&self) -> String {
        let cell = |c: &str| c.replace('|', "\\|");
        let mut out = String::new();
        let line = |out: &mut String, cells: &[String]| {
            out.push('|');
            for c in cells.iter().take(self.headers.len()) {
                let _ = write!(out, " {} |", cell(c));
            }
            out.push('\n');
        };
        line(&mut out, &self.headers);
        out.push('|');
        for i in 0..self.headers.len() {
            out.push_str(if i == 0 { "---|" } else { "---:|" });
        }
        out.push('\n');
        for r in &self.rows {
            line(&mut out, r);
        }
        out
    }

    /// The table as an HTML `<table>` (text escaped); cells reading `pass` or `FAIL` get
    /// the classes `pass` and `fail`, numbers are right-aligned by the `num` class.
    pub fn render_html(&self) -> String {
        use super::html::escape;
        let mut out = String::from("<table>\n<thead><tr>");
        for h in &self.headers {
            let _ = write!(out, "<th>{}</th>", escape(h));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            out.push_str("<tr>");
            for (i, c) in r.iter().enumerate().take(self.headers.len()) {
                let class = match c.as_str() {
                    "pass" => " class=\"pass\"",
                    "FAIL" => " class=\"fail\"",
                    _ if i > 0 => " class=\"num\"",
                    // An indented row label belongs to the row above.
                    _ if c.starts_with(' ') => " class=\"sub\"",
                    _ => "",
                };
                let _ = write!(out, "<td{class}>{}</td>", escape(c.trim()));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        out
    }

    /// The table as CSV (RFC 4180 quoting), headers first.
    pub fn render_csv(&self) -> String {
        let mut out = super::csv::record(&self.headers);
        for r in &self.rows {
            out.push_str(&super::csv::record(r));
        }
        out
    }
}

fn ms(v: f64) -> String {
    format!("{v:.1}")
}

/// The human summary of a run.
pub fn run_summary(r: &RunResult) -> String {
    let (mut out, tables) = summary_parts(r);
    for (_, t) in tables {
        out.push('\n');
        out.push_str(&t.render());
    }
    out
}

/// The summary of a run in markdown: the header lines as a paragraph, then the tables.
pub fn run_summary_markdown(r: &RunResult) -> String {
    let (head, tables) = summary_parts(r);
    let mut out: String = head.lines().map(|l| format!("{l}  \n")).collect();
    for (_, t) in tables {
        out.push('\n');
        out.push_str(&t.render_markdown());
    }
    out
}

/// Which table of the summary a table is (for reports that give each its own heading).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryTable {
    /// Latency, throughput and cost with confidence intervals.
    Headline,
    /// One row per region.
    Regions,
    /// One row per user continent.
    Continents,
    /// One row per fault (only with faults).
    Faults,
    /// One row per service-level objective (only with objectives).
    Slo,
}

/// The header lines of the summary and its tables, in order.
pub fn summary_parts(r: &RunResult) -> (String, Vec<(SummaryTable, Table)>) {
    let mut tables = Vec::new();
    let sc = &r.scenario;
    let m = &r.merged;
    let reps = f64::from(r.replications);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {} — {} replication(s) × {:.0} s measured after {:.0} s warm-up, seed {}",
        sc.name,
        r.replications,
        sc.simulation.duration.as_secs_f64(),
        sc.simulation.warmup.as_secs_f64(),
        r.seed
    );
    let o = &m.outcomes;
    let _ = writeln!(
        out,
        "requests: {} generated, {} completed, {} throttled, {} rejected, {} timed out, {} failed, {} in flight at end — availability {:.3} %",
        o.generated,
        o.completed,
        o.throttled,
        o.rejected,
        o.timed_out,
        o.failed,
        o.in_flight_at_end,
        o.availability_pct()
    );

    if !sc.residency.is_empty() || m.retries > 0 {
        let _ = writeln!(
            out,
            "retries: {}; residency violations: {} (completed requests served outside their users' jurisdiction)",
            m.retries, m.residency_violations
        );
    }

    let s = &r.summary;
    let mut t = Table::new(&["metric", "pooled", "mean of replications", "± 95 % CI"]);
    let mut add = |name: &str, pooled: f64, ci: crate::metrics::MeanCi| {
        t.row(vec![name.to_string(), ms(pooled), ms(ci.mean), ms(ci.ci95)]);
    };
    add(
        "TTFT p50 [ms]",
        m.latency.ttft.percentile_ms(50.0),
        s.ttft_p50_ms,
    );
    add(
        "TTFT p95 [ms]",
        m.latency.ttft.percentile_ms(95.0),
        s.ttft_p95_ms,
    );
    add(
        "TTFT p99 [ms]",
        m.latency.ttft.percentile_ms(99.0),
        s.ttft_p99_ms,
    );
    add(
        "end-to-end p50 [ms]",
        m.latency.e2e.percentile_ms(50.0),
        s.e2e_p50_ms,
    );
    add(
        "end-to-end p95 [ms]",
        m.latency.e2e.percentile_ms(95.0),
        s.e2e_p95_ms,
    );
    add(
        "end-to-end p99 [ms]",
        m.latency.e2e.percentile_ms(99.0),
        s.e2e_p99_ms,
    );
    let duration_s = sc.simulation.duration.as_secs_f64();
    add(
        "throughput [req/s]",
        o.completed as f64 / duration_s / reps,
        s.throughput_rps,
    );
    add(
        "cost [USD]",
        m.regions
            .iter()
            .map(|x| x.instance_cost_usd + x.token_cost_usd + x.request_fees_usd)
            .sum::<f64>()
            / reps,
        s.cost_usd,
    );
    tables.push((SummaryTable::Headline, t));

    let mut t = Table::new(&[
        "region",
        "instances",
        "served [%]",
        "TTFT p95 [ms]",
        "e2e p99 [ms]",
        "util [%]",
        "queue max",
        "rejected",
        "timed out",
        "cost [USD]",
    ]);
    for (d, rm) in sc.deployments.iter().zip(&m.regions) {
        let served = if o.completed == 0 {
            0.0
        } else {
            100.0 * rm.outcomes.completed as f64 / o.completed as f64
        };
        t.row(vec![
            d.region.code.clone(),
            d.describe(),
            format!("{served:.1}"),
            ms(rm.latency.ttft.percentile_ms(95.0)),
            ms(rm.latency.e2e.percentile_ms(99.0)),
            format!("{:.1}", 100.0 * rm.utilisation.overall_mean()),
            format!(
                "{:.0}",
                rm.queue_length.maxima().iter().cloned().fold(0.0, f64::max)
            ),
            rm.outcomes.rejected.to_string(),
            rm.outcomes.timed_out.to_string(),
            format!(
                "{:.2}",
                (rm.instance_cost_usd + rm.token_cost_usd + rm.request_fees_usd) / reps
            ),
        ]);
    }
    tables.push((SummaryTable::Regions, t));

    let mut t = Table::new(&[
        "users in",
        "requests",
        "TTFT p50 [ms]",
        "TTFT p95 [ms]",
        "e2e p99 [ms]",
        "availability [%]",
    ]);
    for (c, cm) in &m.continents {
        t.row(vec![
            c.code().to_string(),
            cm.outcomes.generated.to_string(),
            ms(cm.latency.ttft.percentile_ms(50.0)),
            ms(cm.latency.ttft.percentile_ms(95.0)),
            ms(cm.latency.e2e.percentile_ms(99.0)),
            format!("{:.3}", cm.outcomes.availability_pct()),
        ]);
    }
    tables.push((SummaryTable::Continents, t));

    if !r.faults.is_empty() {
        let mut t = Table::new(&[
            "fault",
            "detected after [s]",
            "traffic left after [s]",
            "recovery [s]",
            "lost requests",
            "recovered",
        ]);
        let ci = |m: &crate::metrics::MeanCi| {
            if m.n == 0 {
                "–".to_string()
            } else {
                format!("{:.1} ± {:.1}", m.mean, m.ci95)
            }
        };
        for f in &r.faults {
            t.row(vec![
                f.label.clone(),
                ci(&f.detected_after_s),
                ci(&f.traffic_left_after_s),
                ci(&f.recovery_s),
                ci(&f.lost_requests),
                format!("{}/{}", f.recovered_replications, r.replications),
            ]);
        }
        tables.push((SummaryTable::Faults, t));
    }

    if !r.slo.is_empty() {
        let mut t = Table::new(&[
            "objective",
            "target",
            "measured",
            "replications ± 95 % CI",
            "result",
        ]);
        for c in &r.slo {
            t.row(vec![
                c.name(),
                format!("{}", c.target),
                format!("{:.3}", c.measured),
                format!(
                    "{:.3} ± {:.3}",
                    c.per_replication.mean, c.per_replication.ci95
                ),
                if c.pass { "pass".into() } else { "FAIL".into() },
            ]);
        }
        tables.push((SummaryTable::Slo, t));
    }
    (out, tables)
}
