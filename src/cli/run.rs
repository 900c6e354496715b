//! `meridian run`: simulate a scenario.

use std::path::PathBuf;

use clap::Args;

use super::CliError;
use crate::catalog::Catalog;
use crate::report;
use crate::run::{RunOptions, run};
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
}

impl RunArgs {
    pub fn execute(&self, catalog: &Catalog) -> Result<String, CliError> {
        let scenario = Scenario::from_file(&self.scenario, catalog)?;
        let result = run(
            &scenario,
            RunOptions {
                seed: self.seed,
                replications: self.replications,
            },
        );
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
