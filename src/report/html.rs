//! The self-contained HTML report: one file with inline CSS and inline SVG charts, no
//! scripts and no network access, that an architect can hand to their team.
//!
//! A report is a list of [`HtmlSection`]s rendered in order with a table of contents. The
//! run, comparison and plan reports are built here from shared pieces ([`HtmlReport::push`],
//! [`charts_section`], [`scenario_section`] and [`Table::render_html`](super::Table::render_html)).

use std::fmt::Write as _;

use crate::catalog::DataSource;
use crate::charts::{ChartError, NamedChart, render_svg};
use crate::comparison::sections::{preamble, sections};
use crate::comparison::{ComparedRun, ComparisonDocument};
use crate::plan::document::{PlanDetailDoc, PlanDocument};
use crate::plan::render as plan_render;
use crate::run::RunResult;
use crate::scenario::DeploymentKind;

use super::table::{SummaryTable, summary_parts};

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One section of the report: a heading and trusted HTML (build it with [`escape`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlSection {
    /// Anchor id, e.g. `summary`; unique within the report.
    pub id: String,
    pub heading: String,
    /// The section's HTML body.
    pub body: String,
}

/// A report under construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlReport {
    pub title: String,
    /// One line under the title (what was run, by which version).
    pub subtitle: String,
    sections: Vec<HtmlSection>,
}

const STYLE: &str = "\
body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;color:#222;margin:0 auto;max-width:1400px;padding:0 24px 48px;line-height:1.45}
h1{margin:24px 0 4px;font-size:28px}h2{margin-top:40px;border-bottom:2px solid #0072B2;padding-bottom:4px}
.subtitle{color:#555;margin:0 0 16px}
nav ul{display:flex;flex-wrap:wrap;gap:8px 18px;padding:0;list-style:none}
nav a{color:#0072B2}
table{border-collapse:collapse;margin:12px 0;font-size:14px}
th,td{border:1px solid #ccc;padding:4px 10px;text-align:left}
th{background:#f0f4f8}td.sub{padding-left:2em;color:#555}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.pass{background:#d5efe3;color:#00563b;font-weight:bold}td.fail{background:#f9dccc;color:#8a2f00;font-weight:bold}
pre{background:#f6f6f6;border:1px solid #ddd;padding:12px;overflow:auto;font-size:13px}
figure{margin:24px 0}figure svg{max-width:100%;height:auto;border:1px solid #e4e4e4}
figcaption{color:#444;font-size:14px;margin-top:4px}
.verdict{font-size:18px;font-weight:bold;padding:8px 12px;display:inline-block}
.verdict.pass{background:#d5efe3;color:#00563b}.verdict.fail{background:#f9dccc;color:#8a2f00}
";

impl HtmlReport {
    pub fn new(title: impl Into<String>, subtitle: impl Into<String>) -> HtmlReport {
        HtmlReport {
            title: title.into(),
            subtitle: subtitle.into(),
            sections: Vec::new(),
        }
    }

    /// Appends a section (shown in the order pushed).
    pub fn push(&mut self, section: HtmlSection) {
        self.sections.push(section);
    }

    /// The sections so far.
    pub fn sections(&self) -> &[HtmlSection] {
        &self.sections
    }

    /// The whole document. Deterministic: no timestamps, sections in order.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n\
             <p class=\"subtitle\">{}</p>\n</header>\n<nav>\n<ul>\n",
            escape(&self.title),
            escape(&self.title),
            escape(&self.subtitle)
        );
        for s in &self.sections {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}</a></li>",
                escape(&s.id),
                escape(&s.heading)
            );
        }
        out.push_str("</ul>\n</nav>\n<main>\n");
        for s in &self.sections {
            let _ = write!(
                out,
                "<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n",
                escape(&s.id),
                escape(&s.heading),
                s.body
            );
        }
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

/// The charts as inline SVG figures, each with the id `chart-<stem>`.
pub fn charts_section(
    id: &str,
    heading: &str,
    charts: &[NamedChart],
) -> Result<HtmlSection, ChartError> {
    let mut body = String::new();
    for c in charts {
        let svg = render_svg(&c.chart, &c.stem)?;
        let _ = write!(
            body,
            "<figure id=\"chart-{}\">\n{}\n<figcaption>{} (<code>{}.svg</code>)</figcaption>\n</figure>\n",
            escape(&c.stem),
            svg.trim(),
            escape(c.chart.title()),
            escape(&c.stem)
        );
    }
    Ok(HtmlSection {
        id: id.into(),
        heading: heading.into(),
        body,
    })
}

fn paragraph(text: &str) -> String {
    format!("<p>{}</p>\n", escape(text))
}

fn list(items: &[String]) -> String {
    let mut out = String::from("<ul>\n");
    for i in items {
        let _ = writeln!(out, "<li>{}</li>", escape(i));
    }
    out.push_str("</ul>\n");
    out
}

/// The scenario file as given, escaped in a `<pre>`.
pub fn scenario_section(file: &str, toml: &str) -> HtmlSection {
    HtmlSection {
        id: "scenario".into(),
        heading: "Scenario".into(),
        body: format!(
            "<p>File <code>{}</code>:</p>\n<pre>\n{}</pre>\n",
            escape(file),
            escape(toml)
        ),
    }
}

/// Modelling assumptions of the run and the sources of the catalog's numbers.
pub fn assumptions_section(r: &RunResult, sources: &[DataSource]) -> HtmlSection {
    let s = &r.scenario;
    let sim = &s.simulation;
    let mut items = vec![
        format!(
            "{} replication(s) of {:.0} s measured after {:.0} s of warm-up, seed {}, starting at {:02.0}:00 UTC; time series in {:.0} s buckets.",
            r.replications,
            sim.duration.as_secs_f64(),
            sim.warmup.as_secs_f64(),
            r.seed,
            sim.start_utc_hour,
            sim.timeseries_step.as_secs_f64()
        ),
        format!(
            "Traffic: {} req/s mean over the day from {} user sites, diurnal curve in each site's local time.",
            s.traffic.total_rate_rps,
            s.traffic.sites.len()
        ),
        "Counts are totals over all replications; costs are per replication (one measured window).".into(),
        "Percentiles in tables are within 1 % of the exact sample value; the per-bucket percentiles in the charts are binned more coarsely (within about 4.5 %).".into(),
        "The capacity line in the load chart is what the running instances serve with every batch slot busy, at the run's measured slot-holding time per request.".into(),
        "The world map has no coastlines: sites and regions are placed by latitude and longitude on a 30° grid.".into(),
    ];
    for d in &s.deployments {
        if let DeploymentKind::SelfHosted(h) = &d.kind {
            items.push(format!(
                "{}: {} — serving profile {} ({}).",
                d.region.code,
                d.describe(),
                h.profile.name,
                h.profile.source
            ));
        } else {
            items.push(format!("{}: {}.", d.region.code, d.describe()));
        }
    }
    let mut body = String::from("<h3>Assumptions</h3>\n");
    body.push_str(&list(&items));
    body.push_str("<h3>Data sources</h3>\n<ul>\n");
    for src in sources {
        let _ = write!(body, "<li><code>{}</code>", escape(&src.file));
        if src.notes.is_empty() {
            body.push_str(": no source noted");
        }
        body.push_str(&list(&src.notes));
        body.push_str("</li>\n");
    }
    body.push_str("</ul>\n");
    HtmlSection {
        id: "assumptions".into(),
        heading: "Assumptions and data sources".into(),
        body,
    }
}

/// Everything about one run, in reading order: scenario, assumptions, summary, charts,
/// per-region tables, faults and the SLO verification.
pub fn run_report(
    r: &RunResult,
    scenario_file: &str,
    scenario_toml: &str,
    sources: &[DataSource],
    charts: &[NamedChart],
) -> Result<HtmlReport, ChartError> {
    let mut report = HtmlReport::new(
        format!("meridian report: {}", r.scenario.name),
        format!(
            "{} — meridian {}",
            if r.scenario.description.is_empty() {
                &r.scenario.name
            } else {
                &r.scenario.description
            },
            env!("CARGO_PKG_VERSION")
        ),
    );
    let (head, tables) = summary_parts(r);
    let table = |kind: SummaryTable| {
        tables
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, t)| t.render_html())
            .collect::<String>()
    };
    let mut summary: String = head.lines().map(paragraph).collect();
    summary.push_str(&table(SummaryTable::Headline));
    report.push(HtmlSection {
        id: "summary".into(),
        heading: "Summary".into(),
        body: summary,
    });
    report.push(slo_section(r, &table(SummaryTable::Slo)));
    report.push(charts_section("charts", "Charts", charts)?);
    let mut regions = String::from("<h3>Per region</h3>\n");
    regions.push_str(&table(SummaryTable::Regions));
    regions.push_str("<h3>Per user continent</h3>\n");
    regions.push_str(&table(SummaryTable::Continents));
    report.push(HtmlSection {
        id: "regions".into(),
        heading: "Regions and users".into(),
        body: regions,
    });
    if !r.faults.is_empty() {
        report.push(HtmlSection {
            id: "faults".into(),
            heading: "Faults".into(),
            body: table(SummaryTable::Faults),
        });
    }
    report.push(scenario_section(scenario_file, scenario_toml));
    report.push(assumptions_section(r, sources));
    Ok(report)
}

/// The verdict and one row per objective; says so when the scenario sets none.
fn slo_section(r: &RunResult, table: &str) -> HtmlSection {
    let body = if r.slo.is_empty() {
        paragraph("The scenario sets no service-level objectives ([slo]); nothing to verify.")
    } else {
        let pass = r.slo.iter().all(|c| c.pass);
        let mut body = verdict(
            pass,
            if pass {
                "PASS: every objective met"
            } else {
                "FAIL: at least one objective missed"
            },
        );
        body.push_str(table);
        body
    };
    HtmlSection {
        id: "slo".into(),
        heading: "SLO verification".into(),
        body,
    }
}

/// The comparison's tables (figures, differences, questions) as HTML, after its preamble.
fn comparison_tables(doc: &ComparisonDocument) -> String {
    let mut body: String = preamble(doc).iter().map(|l| paragraph(l.trim())).collect();
    for s in sections(doc) {
        let _ = writeln!(body, "<h3>{}</h3>", escape(&s.title));
        let headers: Vec<&str> = s.headers.iter().map(String::as_str).collect();
        let mut t = super::Table::new(&headers);
        for r in &s.rows {
            t.row(r.clone());
        }
        body.push_str(&t.render_html());
        body.extend(s.notes.iter().map(|n| paragraph(n)));
    }
    body
}

/// A comparison: its tables, the charts, and each scenario file echoed.
pub fn comparison_report(
    runs: &[ComparedRun],
    doc: &ComparisonDocument,
    scenarios: &[(String, String)],
    charts: &[NamedChart],
) -> Result<HtmlReport, ChartError> {
    let names: Vec<String> = runs.iter().map(|r| r.file.clone()).collect();
    let mut report = HtmlReport::new(
        "meridian comparison",
        format!(
            "{} — meridian {}",
            names.join(" vs "),
            env!("CARGO_PKG_VERSION")
        ),
    );
    report.push(HtmlSection {
        id: "summary".into(),
        heading: "Comparison".into(),
        body: comparison_tables(doc),
    });
    report.push(charts_section("charts", "Charts", charts)?);
    for (i, (file, toml)) in scenarios.iter().enumerate() {
        let mut s = scenario_section(file, toml);
        s.id = format!("scenario-{}", i + 1);
        s.heading = format!("Scenario {}", i + 1);
        report.push(s);
    }
    Ok(report)
}

/// A pass/fail verdict line.
fn verdict(pass: bool, text: &str) -> String {
    format!(
        "<p class=\"verdict {}\">{}</p>\n",
        if pass { "pass" } else { "fail" },
        escape(text)
    )
}

/// Per region and step: the plan's counts next to what the verification measured.
fn plan_steps_table(p: &PlanDetailDoc) -> super::Table {
    let mut t = super::Table::new(&[
        "region",
        "UTC hour",
        "desired",
        "min",
        "max",
        "analytic",
        "demand [req/s]",
        "utilisation [%]",
        "TTFT [ms]",
        "e2e [ms]",
        "availability [%]",
        "requests",
    ]);
    let opt = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.0}"));
    for r in &p.regions {
        for s in &r.steps {
            t.row(vec![
                r.region.clone(),
                format!("{:02}:00", s.utc_hour),
                s.desired.to_string(),
                s.min.to_string(),
                s.max.to_string(),
                s.analytic.to_string(),
                format!("{:.2}", s.demand_rps),
                format!("{:.1}", s.utilisation_pct),
                opt(s.ttft_ms),
                opt(s.e2e_ms),
                format!("{:.3}", s.availability_pct),
                s.requests.to_string(),
            ]);
        }
    }
    t
}

/// A capacity plan: verdict and targets, the candidates, the shown candidate's plan (instances
/// per region and hour, scheduled actions, cost with its baselines, verification,
/// sensitivity, search), the plan's charts and the scenario file echoed.
pub fn plan_report(
    doc: &PlanDocument,
    scenario_file: &str,
    scenario_toml: &str,
    charts: &[NamedChart],
) -> Result<HtmlReport, ChartError> {
    let s = &doc.scenario;
    let mut report = HtmlReport::new(
        format!("meridian plan: {}", s.name),
        format!("capacity plan — meridian {}", env!("CARGO_PKG_VERSION")),
    );
    let shown = doc.shown();
    let mut summary = match (&doc.recommended, shown) {
        (Some(name), _) => verdict(true, &format!("FEASIBLE: recommended {name}")),
        (None, Some((c, _))) => verdict(
            false,
            &format!(
                "INFEASIBLE: no candidate meets every target; shown below is the closest, {}",
                c.name
            ),
        ),
        (None, None) => verdict(false, "INFEASIBLE: no candidate meets every target"),
    };
    let mut items = vec![
        format!(
            "{} h from {:02}:00 UTC in steps of {} h; seed {}, {} replication(s); scale-ups fire {} s early (lead time); search windows of {} s.",
            s.horizon_h,
            s.start_utc_hour,
            s.step_h,
            s.seed,
            s.replications,
            s.lead_time_s,
            s.search_window_s
        ),
        format!(
            "Targets in every region and step: {}.",
            plan_render::targets(&s.targets)
        ),
    ];
    if !s.resilience_targets.is_empty() {
        items.push(format!(
            "Resilience (survivors of any one region's loss): {}.",
            plan_render::targets(&s.resilience_targets)
        ));
    }
    if let Some(b) = s.budget_usd_per_day {
        items.push(format!("Budget: {b:.2} USD/day."));
    }
    summary.push_str(&list(&items));
    report.push(HtmlSection {
        id: "summary".into(),
        heading: "Summary and targets".into(),
        body: summary,
    });
    report.push(HtmlSection {
        id: "candidates".into(),
        heading: "Candidates".into(),
        body: plan_render::candidates_table(doc).render_html(),
    });
    if let Some((c, p)) = shown {
        let mut plan = paragraph(&format!(
            "{} ({}): desired instances per region and UTC hour, with each region's cost per day.",
            c.name, c.status
        ));
        plan.push_str(&plan_render::instances_table(p).render_html());
        if let Some(line) = plan_render::routing_line(p) {
            plan.push_str(&paragraph(&line));
        }
        plan.push_str("<h3>Per region and hour, as verified</h3>\n");
        plan.push_str(&paragraph(
            "Autoscaling floor and ceiling, the analytic (Erlang C) count, the busiest window's demand, and what the verification measured at the target percentiles.",
        ));
        plan.push_str(&plan_steps_table(p).render_html());
        report.push(HtmlSection {
            id: "plan".into(),
            heading: "Plan".into(),
            body: plan,
        });
        report.push(HtmlSection {
            id: "actions".into(),
            heading: "Scheduled actions".into(),
            body: if p.scheduled_actions.is_empty() {
                paragraph("None: the count is constant.")
            } else {
                let mut b = paragraph(
                    "Application Auto Scaling put_scheduled_action, cron in UTC; scale-ups fire the lead time early.",
                );
                b.push_str(&plan_render::actions_table(p).render_html());
                b
            },
        });
        let mut cost = super::Table::new(&[
            "region",
            "instance-hours/day",
            "instances [USD/day]",
            "tokens [USD/day]",
            "request fees [USD/day]",
            "total [USD/day]",
        ]);
        for r in &p.cost.regions {
            cost.row(vec![
                r.region.clone(),
                format!("{:.1}", r.instance_hours_per_day),
                format!("{:.2}", r.instances_usd_per_day),
                format!("{:.2}", r.tokens_usd_per_day),
                format!("{:.2}", r.requests_usd_per_day),
                format!("{:.2}", r.total_usd_per_day),
            ]);
        }
        let mut body: String = plan_render::cost_lines(p)
            .iter()
            .map(|l| paragraph(l.trim()))
            .collect();
        if let Some(sr) = &p.cost.single_region {
            body.push_str(&paragraph(&format!(
                "Single-region baseline: {}.",
                sr.method
            )));
        }
        body.push_str(&cost.render_html());
        report.push(HtmlSection {
            id: "cost".into(),
            heading: "Cost and baselines".into(),
            body,
        });
        let v = &p.verification;
        let pass = v.targets.iter().all(|c| c.slo.pass) && v.short_cells.is_empty();
        let mut body = verdict(
            pass,
            if pass {
                "PASS: every target met"
            } else {
                "FAIL: at least one target missed"
            },
        );
        body.push_str(&paragraph(&format!(
            "Verification: {}.",
            plan_render::verification_line(p)
        )));
        body.push_str(&plan_render::checks_table(&v.targets).render_html());
        if !v.short_cells.is_empty() {
            let short: Vec<String> = v
                .short_cells
                .iter()
                .map(|c| format!("{} at {:02}:00 UTC: {}", c.region, c.utc_hour, c.miss))
                .collect();
            body.push_str("<h3>Region-steps still short</h3>\n");
            body.push_str(&list(&short));
        }
        report.push(HtmlSection {
            id: "verification".into(),
            heading: "Verification".into(),
            body,
        });
        let sens = &p.sensitivity;
        let mut body = format!(
            "<h3>+{} % demand on the same plan</h3>\n",
            sens.demand_growth_pct
        );
        body.push_str(&plan_render::checks_table(&sens.demand_growth).render_html());
        if let Some(first) = sens.region_loss.first() {
            body.push_str("<h3>Each region lost at its busiest hour</h3>\n");
            body.push_str(&paragraph(&format!(
                "Survivors judged against the {} targets.",
                first.judged_against
            )));
            body.push_str(&plan_render::region_loss_table(p).render_html());
        }
        report.push(HtmlSection {
            id: "sensitivity".into(),
            heading: "Sensitivity".into(),
            body,
        });
        report.push(HtmlSection {
            id: "search".into(),
            heading: "Search".into(),
            body: paragraph(&plan_render::search_line(p)),
        });
    }
    let mut chart_section = charts_section("charts", "Charts", charts)?;
    if charts.is_empty() {
        chart_section.body = paragraph("No candidate was planned, so there is nothing to chart.");
    }
    report.push(chart_section);
    report.push(scenario_section(scenario_file, scenario_toml));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn sections_render_in_order_with_a_contents_list() {
        let mut r = HtmlReport::new("t <1>", "s");
        r.push(HtmlSection {
            id: "a".into(),
            heading: "A".into(),
            body: "<p>x</p>".into(),
        });
        r.push(HtmlSection {
            id: "plan".into(),
            heading: "Plan".into(),
            body: String::new(),
        });
        let html = r.render();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<title>t &lt;1&gt;</title>"));
        assert!(html.find("id=\"a\"").unwrap() < html.find("id=\"plan\"").unwrap());
        assert!(html.contains("<a href=\"#plan\">Plan</a>"));
        assert!(!html.contains("<script"));
    }
}
