//! `meridian validate`: check a scenario without running it.

use std::path::PathBuf;

use clap::Args;

use super::CliError;
use crate::catalog::Catalog;
use crate::scenario::Scenario;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
}

impl ValidateArgs {
    pub fn execute(&self, catalog: &Catalog) -> Result<String, CliError> {
        let s = Scenario::from_file(&self.scenario, catalog)?;
        Ok(format!(
            "{}: ok — {} site(s), {} region(s), about {:.0} requests per replication × {}\n",
            self.scenario.display(),
            s.traffic.sites.len(),
            s.deployments.len(),
            s.expected_requests_per_replication(),
            s.simulation.replications
        ))
    }
}
