//! `meridian run`: simulate a scenario.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::Args;

use super::{CliError, check_output_dir};
use crate::catalog::Catalog;
use crate::report;
use crate::run::{RunBudget, RunOptions, run_cancellable, with_overrides};
use crate::scenario::Scenario;

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
    /// Run even if the estimated event count or memory exceeds the safety limits.
    #[arg(long)]
    pub force: bool,
}

impl RunArgs {
    /// Runs the scenario; stops early, writing nothing, once `cancel` is set (Ctrl-C).
    pub fn execute(&self, catalog: &Catalog, cancel: &AtomicBool) -> Result<String, CliError> {
        let scenario = Scenario::from_file(&self.scenario, catalog)?;
        if let Some(path) = &self.json {
            check_output_dir(path)?;
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
        let result = run_cancellable(&scenario, options, cancel)?;
        if let Some(path) = &self.json {
            report::write_json_atomically(path, &report::run_document(&result)).map_err(|e| {
                CliError::Output {
                    path: path.display().to_string(),
                    reason: e.to_string().to_lowercase(),
                }
            })?;
        }
        Ok(report::run_summary(&result))
    }
}
