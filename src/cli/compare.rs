//! `meridian compare`: run several scenarios with the same options and set them side by
//! side, the first as the reference.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::{Args, ValueEnum};

use super::{CliError, check_chart_dir, check_output_dir, write_chart_dir};
use crate::catalog::Catalog;
use crate::comparison::{self, ComparedRun, Format};
use crate::report;
use crate::run::{RunBudget, RunOptions, with_overrides};
use crate::scenario::Scenario;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CompareFormat {
    /// Aligned text tables.
    #[default]
    Table,
    /// The comparison document, JSON with sorted keys.
    Json,
    /// Markdown tables (for pull-request comments and notes).
    Markdown,
    /// CSV, one record per table cell: `section,row,column,value`.
    Csv,
}

#[derive(Debug, Args)]
#[command(after_long_help = PAIRING_HELP)]
pub struct CompareArgs {
    /// Scenario files (TOML); the first is the reference the others are compared against.
    /// One file with `[[topology]]` blocks compares its routing alternatives instead.
    #[arg(required = true, num_args = 1.., value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// With one scenario: the `[[topology]]` names to compare, in order (`base` is the
    /// scenario's own routing). Default: base, then every topology.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub topologies: Vec<String>,
    /// Override every scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override every scenario's number of replications.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: Option<u32>,
    /// Write the comparison document (JSON) here (written atomically).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the comparison's charts here as PNG and SVG (the directory is created if its
    /// parent exists; files are written atomically and replaced if present).
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Write a self-contained HTML report here (the comparison tables, inline SVG charts
    /// and each scenario; written atomically).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Run even if a scenario's estimated event count or memory exceeds the safety limits.
    #[arg(long)]
    pub force: bool,
    /// No progress bar on stderr (it is only shown when stderr is a terminal anyway).
    #[arg(long, short)]
    pub quiet: bool,
}

const PAIRING_HELP: &str = "\
Differences against the first scenario are paired (mean of per-replication differences, \
Student-t 95 % CI) when every scenario has the same seed, replications, user sites (same \
order and shares), total rate, diurnal curve, burstiness, request mix, duration, warm-up \
and start hour: then replication i of each run sees the same requests (common random \
numbers). Otherwise the comparison is marked unpaired and uses Welch intervals. See README, \
\"Comparing topologies\".";

impl CompareArgs {
    /// Runs every scenario; stops early, writing nothing, once `cancel` is set (Ctrl-C).
    pub fn execute(&self, catalog: &Catalog, cancel: &AtomicBool) -> Result<String, CliError> {
        // Every scenario is validated before anything runs: a typo in the last one must not
        // cost the simulation of the others.
        let loaded = self
            .scenarios
            .iter()
            .map(|p| Scenario::from_file(p, catalog))
            .collect::<Result<Vec<_>, _>>()?;
        let (scenarios, labels) = self.variants(loaded)?;
        for path in self.json.iter().chain(&self.report) {
            check_output_dir(path)?;
        }
        if let Some(dir) = &self.charts {
            check_chart_dir(dir)?;
        }
        let options = RunOptions {
            seed: self.seed,
            replications: self.replications,
        };
        if !self.force {
            for (s, label) in scenarios.iter().zip(&labels) {
                if let Some(why) = RunBudget::estimate(&with_overrides(s, options)).excess() {
                    return Err(CliError::TooLarge(format!("{label}: {why}")));
                }
            }
        }
        let total: u64 = scenarios
            .iter()
            .map(|s| u64::from(with_overrides(s, options).simulation.replications))
            .sum();
        let bar = super::progress::replications_bar(total, "compare", self.quiet);
        let results =
            comparison::run_all_with_progress(&scenarios, options, cancel, &|| bar.inc(1));
        bar.finish_and_clear();
        let results = results?;
        let runs: Vec<ComparedRun> = labels
            .into_iter()
            .zip(results)
            .map(|(file, result)| ComparedRun { file, result })
            .collect();
        let doc = comparison::compare(&runs);
        if let Some(path) = &self.json {
            report::write_json_atomically(path, &comparison::render::json(&doc)).map_err(|e| {
                CliError::Output {
                    path: path.display().to_string(),
                    reason: e.to_string().to_lowercase(),
                }
            })?;
        }
        if self.charts.is_some() || self.report.is_some() {
            let charts = crate::charts::from_run::comparison_charts(&runs);
            if let Some(dir) = &self.charts {
                write_chart_dir(dir, &charts)?;
            }
            if let Some(path) = &self.report {
                self.write_report(path, &runs, &doc, &charts)?;
            }
        }
        let format = match self.format {
            CompareFormat::Table => Format::Table,
            CompareFormat::Json => Format::Json,
            CompareFormat::Markdown => Format::Markdown,
            CompareFormat::Csv => Format::Csv,
        };
        Ok(comparison::render(&doc, format))
    }
}

impl CompareArgs {
    /// Writes the HTML report of the comparison to `path`.
    fn write_report(
        &self,
        path: &std::path::Path,
        runs: &[ComparedRun],
        doc: &comparison::ComparisonDocument,
        charts: &[crate::charts::NamedChart],
    ) -> Result<(), CliError> {
        let output_error = |p: &std::path::Path, e: std::io::Error| CliError::Output {
            path: p.display().to_string(),
            reason: e.to_string().to_lowercase(),
        };
        let mut scenarios = Vec::new();
        for file in &self.scenarios {
            let text = std::fs::read_to_string(file).map_err(|e| output_error(file, e))?;
            scenarios.push((file.display().to_string(), text));
        }
        let html = report::html::comparison_report(runs, doc, &scenarios, charts)?.render();
        report::write_text_atomically(path, &html).map_err(|e| output_error(path, e))
    }

    /// The scenarios to run with their labels: the files as given, or one file's routing
    /// alternatives (`[[topology]]`), which share its traffic and so are always paired.
    fn variants(&self, loaded: Vec<Scenario>) -> Result<(Vec<Scenario>, Vec<String>), CliError> {
        let usage = |m: String| CliError::Usage(m);
        if loaded.len() > 1 {
            if !self.topologies.is_empty() {
                return Err(usage(
                    "--topologies selects [[topology]] blocks of a single scenario; give one file"
                        .into(),
                ));
            }
            let labels = self
                .scenarios
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            return Ok((loaded, labels));
        }
        let base = &loaded[0];
        let file = self.scenarios[0].display().to_string();
        if base.topologies.is_empty() {
            return Err(usage(format!(
                "{file} has no [[topology]] blocks: give two or more scenarios to compare, or add [[topology]] blocks"
            )));
        }
        let names: Vec<String> = if self.topologies.is_empty() {
            std::iter::once("base".to_string())
                .chain(base.topologies.iter().map(|t| t.name.clone()))
                .collect()
        } else {
            self.topologies.clone()
        };
        if names.len() < 2 {
            return Err(usage("compare needs at least two topologies".into()));
        }
        let mut out = Vec::with_capacity(names.len());
        for name in &names {
            let s = if name == "base" {
                base.clone()
            } else {
                let t = base
                    .topologies
                    .iter()
                    .find(|t| &t.name == name)
                    .ok_or_else(|| {
                        let have: Vec<&str> =
                            base.topologies.iter().map(|t| t.name.as_str()).collect();
                        usage(format!(
                            "{file} has no topology \"{name}\"; it has: base, {}",
                            have.join(", ")
                        ))
                    })?;
                base.with_topology(t)
            };
            out.push(s);
        }
        let labels = names.iter().map(|n| format!("{file}#{n}")).collect();
        Ok((out, labels))
    }
}
