//! `meridian compare`: run several scenarios with the same options and set them side by
//! side, the first as the reference.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use clap::{Args, ValueEnum};

use super::CliError;
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
}

#[derive(Debug, Args)]
#[command(after_long_help = PAIRING_HELP)]
pub struct CompareArgs {
    /// Scenario files (TOML); the first is the reference the others are compared against.
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO")]
    pub scenarios: Vec<PathBuf>,
    /// Override every scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override every scenario's number of replications.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: Option<u32>,
    /// Write the comparison document (JSON) here (written atomically).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Run even if a scenario's estimated event count or memory exceeds the safety limits.
    #[arg(long)]
    pub force: bool,
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
        let scenarios = self
            .scenarios
            .iter()
            .map(|p| Scenario::from_file(p, catalog))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(path) = &self.json {
            check_output_dir(path)?;
        }
        let options = RunOptions {
            seed: self.seed,
            replications: self.replications,
        };
        if !self.force {
            for (s, path) in scenarios.iter().zip(&self.scenarios) {
                if let Some(why) = RunBudget::estimate(&with_overrides(s, options)).excess() {
                    return Err(CliError::TooLarge(format!("{}: {why}", path.display())));
                }
            }
        }
        let results = comparison::run_all(&scenarios, options, cancel)?;
        let runs: Vec<ComparedRun> = self
            .scenarios
            .iter()
            .zip(results)
            .map(|(p, result)| ComparedRun {
                file: p.display().to_string(),
                result,
            })
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
        let format = match self.format {
            CompareFormat::Table => Format::Table,
            CompareFormat::Json => Format::Json,
            CompareFormat::Markdown => Format::Markdown,
        };
        Ok(comparison::render(&doc, format))
    }
}

/// Fails fast, before the simulations, when the output file's directory does not exist.
fn check_output_dir(path: &Path) -> Result<(), CliError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if dir.is_dir() && !path.is_dir() {
        return Ok(());
    }
    Err(CliError::Output {
        path: path.display().to_string(),
        reason: if path.is_dir() {
            "it is a directory; give a file name".into()
        } else {
            format!(
                "directory {} does not exist; create it first",
                dir.display()
            )
        },
    })
}
