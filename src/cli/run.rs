//! `meridian run`: simulate a scenario.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::{Args, ValueEnum};

use super::{CliError, check_chart_dir, check_output_dir, write_chart_dir};
use crate::catalog::{Catalog, DataSource};
use crate::report;
use crate::run::{RunBudget, RunOptions, run_with_progress, with_overrides};
use crate::scenario::Scenario;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum RunFormat {
    /// Aligned text tables (the summary).
    #[default]
    Table,
    /// The run document, JSON with sorted keys (as written by --json).
    Json,
    /// One CSV row per region with the headline figures.
    Csv,
    /// The summary tables as markdown.
    Markdown,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the scenario's number of replications.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: Option<u32>,
    /// Write the JSON result document here (written atomically).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write each region's time series (one CSV row per region and bucket) here (written
    /// atomically).
    #[arg(long, value_name = "FILE")]
    pub timeseries: Option<PathBuf>,
    /// Write the run's charts here as PNG and SVG (the directory is created if its parent
    /// exists; files are written atomically and replaced if present).
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Write a self-contained HTML report here (inline SVG charts and CSS, no scripts;
    /// written atomically).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = RunFormat::Table)]
    pub format: RunFormat,
    /// Run even if the estimated event count or memory exceeds the safety limits.
    #[arg(long)]
    pub force: bool,
    /// No progress bar on stderr (it is only shown when stderr is a terminal anyway).
    #[arg(long, short)]
    pub quiet: bool,
}

fn output_error(path: &std::path::Path, e: std::io::Error) -> CliError {
    CliError::Output {
        path: path.display().to_string(),
        reason: e.to_string().to_lowercase(),
    }
}

impl RunArgs {
    /// Runs the scenario; stops early, writing nothing, once `cancel` is set (Ctrl-C).
    pub fn execute(
        &self,
        catalog: &Catalog,
        sources: &[DataSource],
        cancel: &AtomicBool,
    ) -> Result<String, CliError> {
        let scenario = Scenario::from_file(&self.scenario, catalog)?;
        for path in self.json.iter().chain(&self.timeseries).chain(&self.report) {
            check_output_dir(path)?;
        }
        if let Some(dir) = &self.charts {
            check_chart_dir(dir)?;
        }
        let options = RunOptions {
            seed: self.seed,
            replications: self.replications,
        };
        if !self.force
            && let Some(why) = RunBudget::estimate(&with_overrides(&scenario, options)).excess()
        {
            return Err(CliError::TooLarge(why));
        }
        let total = with_overrides(&scenario, options).simulation.replications;
        let bar = super::progress::replications_bar(u64::from(total), "run", self.quiet);
        let result = run_with_progress(&scenario, options, cancel, &|| bar.inc(1));
        bar.finish_and_clear();
        let result = result?;
        let doc = report::run_document_typed(&result);
        if let Some(path) = &self.json {
            report::write_json_atomically(path, &report::run_document(&result))
                .map_err(|e| output_error(path, e))?;
        }
        if let Some(path) = &self.timeseries {
            report::write_text_atomically(path, &report::timeseries_csv(&doc))
                .map_err(|e| output_error(path, e))?;
        }
        if self.charts.is_some() || self.report.is_some() {
            let charts = crate::charts::from_run::run_charts(&result);
            if let Some(dir) = &self.charts {
                write_chart_dir(dir, &charts)?;
            }
            if let Some(path) = &self.report {
                // The file parsed a moment ago; reading it again only fails if it vanished.
                let toml = std::fs::read_to_string(&self.scenario)
                    .map_err(|e| output_error(&self.scenario, e))?;
                let html = report::html::run_report(
                    &result,
                    &self.scenario.display().to_string(),
                    &toml,
                    sources,
                    &charts,
                )?
                .render();
                report::write_text_atomically(path, &html).map_err(|e| output_error(path, e))?;
            }
        }
        Ok(match self.format {
            RunFormat::Table => report::run_summary(&result),
            RunFormat::Json => {
                let mut text = serde_json::to_string_pretty(&report::run_document(&result))
                    .expect("the run document is plain JSON");
                text.push('\n');
                text
            }
            RunFormat::Csv => report::regions_csv(&doc),
            RunFormat::Markdown => report::run_summary_markdown(&result),
        })
    }
}
