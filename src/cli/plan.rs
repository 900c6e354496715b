//! `meridian plan`: the capacity plan of a scenario's `[plan]` section.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::{Args, ValueEnum};

use super::{CliError, check_chart_dir, check_output_dir, write_chart_dir};
use crate::catalog::Catalog;
use crate::plan::{self, PlanDocument, PlanError, render};
use crate::report;
use crate::run::RunOptions;
use crate::scenario::Scenario;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum PlanFormat {
    /// The human summary.
    #[default]
    Table,
    /// The plan document (JSON).
    Json,
    /// The summary with Markdown tables.
    Markdown,
    /// The shown candidate's plan, one row per region and hour (CSV).
    Csv,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Scenario file (TOML) with a `[plan]` section.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the plan's replications (of every search and verification measurement).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: Option<u32>,
    /// Write the plan document (JSON) here (written atomically).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write plan.json, summary.txt and scheduled-actions.py (boto3
    /// `put_scheduled_action` calls) into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the plan's charts here as PNG and SVG: the capacity heat map and load per
    /// region of the recommended (else the closest) candidate, and the cost of every
    /// planned candidate (the directory is created if its parent exists; files are written
    /// atomically and replaced if present).
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Write a self-contained HTML report of the plan here (tables, inline SVG charts and
    /// CSS, no scripts; written atomically).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    /// No progress display on stderr (it is only shown when stderr is a terminal anyway).
    #[arg(long, short)]
    pub quiet: bool,
}

impl PlanArgs {
    /// Plans the scenario. An infeasible plan is written like a feasible one, then
    /// reported as [`CliError::Infeasible`] (exit 1).
    pub fn execute(&self, catalog: &Catalog, cancel: &AtomicBool) -> Result<String, CliError> {
        let scenario = Scenario::from_file(&self.scenario, catalog)?;
        if scenario.plan.is_none() {
            return Err(CliError::Usage(format!(
                "{} has no [plan] section: add one, e.g.\n\n[plan]\nhorizon_h = 24\nreplications = 2\n\n(README, \"Capacity planning\", lists every key)",
                self.scenario.display()
            )));
        }
        for path in self.json.iter().chain(&self.report) {
            check_output_dir(path)?;
        }
        if let Some(dir) = &self.charts {
            check_chart_dir(dir)?;
        }
        if let Some(dir) = &self.out
            && dir.exists()
            && !dir.is_dir()
        {
            return Err(CliError::Output {
                path: dir.display().to_string(),
                reason: "it is a file; give a directory".into(),
            });
        }
        let options = RunOptions {
            seed: self.seed,
            replications: self.replications,
        };
        let spinner = super::progress::phase_spinner("plan", self.quiet);
        let shown_progress = |what: &str| spinner.set_message(what.to_string());
        let planned =
            plan::plan_with_progress(&scenario, catalog, options, cancel, &shown_progress);
        spinner.finish_and_clear();
        let doc = planned.map_err(|e| match e {
            PlanError::Interrupted(i) => CliError::Interrupted(i),
            other => CliError::Usage(other.to_string()),
        })?;
        let json = serde_json::to_value(&doc).expect("the plan document serialises");
        let summary = render::summary(&doc);
        let out_err = |path: &std::path::Path, e: std::io::Error| CliError::Output {
            path: path.display().to_string(),
            reason: e.to_string().to_lowercase(),
        };
        if let Some(path) = &self.json {
            report::write_json_atomically(path, &json).map_err(|e| out_err(path, e))?;
        }
        if let Some(dir) = &self.out {
            std::fs::create_dir_all(dir).map_err(|e| out_err(dir, e))?;
            let p = dir.join("plan.json");
            report::write_json_atomically(&p, &json).map_err(|e| out_err(&p, e))?;
            let p = dir.join("summary.txt");
            report::write_text_atomically(&p, &summary).map_err(|e| out_err(&p, e))?;
            if let Some(detail) = best_detail(&doc) {
                let p = dir.join("scheduled-actions.py");
                let endpoint = scenario.name.replace(' ', "-");
                report::write_text_atomically(&p, &render::boto3_actions(detail, &endpoint))
                    .map_err(|e| out_err(&p, e))?;
            }
        }
        if self.charts.is_some() || self.report.is_some() {
            let charts = crate::charts::from_plan::plan_charts(&doc);
            if let Some(dir) = &self.charts {
                write_chart_dir(dir, &charts)?;
            }
            if let Some(path) = &self.report {
                // The file parsed a moment ago; reading it again only fails if it vanished.
                let toml = std::fs::read_to_string(&self.scenario)
                    .map_err(|e| out_err(&self.scenario, e))?;
                let html = report::html::plan_report(
                    &doc,
                    &self.scenario.display().to_string(),
                    &toml,
                    &charts,
                )?
                .render();
                report::write_text_atomically(path, &html).map_err(|e| out_err(path, e))?;
            }
        }
        let shown = match self.format {
            PlanFormat::Table => summary,
            PlanFormat::Json => {
                let mut s = serde_json::to_string_pretty(&json).expect("JSON renders");
                s.push('\n');
                s
            }
            PlanFormat::Markdown => render::summary_markdown(&doc),
            PlanFormat::Csv => render::steps_csv(&doc),
        };
        if doc.recommended.is_none() {
            return Err(CliError::Infeasible(shown));
        }
        Ok(shown)
    }
}

/// The recommended candidate's plan.
fn best_detail(doc: &PlanDocument) -> Option<&plan::document::PlanDetailDoc> {
    doc.candidates
        .iter()
        .find(|c| c.status == "recommended")
        .and_then(|c| c.plan.as_ref())
}
