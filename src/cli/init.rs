//! `meridian init`: write a commented starter scenario.

use std::path::PathBuf;

use clap::Args;

use super::{CliError, check_output_dir};
use crate::report;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the scenario.
    #[arg(default_value = "scenario.toml", value_name = "FILE")]
    pub file: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// The starter scenario: small, valid and quick to run, every section explained.
pub const STARTER: &str = r#"# A starter meridian scenario: two regions serving users in five cities, Route 53
# latency-based routing, Llama-2-7B on g5.2xlarge. Run it with
#
#   meridian run scenario.toml
#
# Every key and its default is described in the README, "Scenario format"; `meridian models`
# lists the regions, user sites, instance types, serving profiles and managed models you can
# use here. Units are in key names: _s seconds, _ms milliseconds, _rps requests per second.

name = "starter"                     # shown in reports and documents
description = "Two regions (us-east-1, eu-west-1), latency routing, five user cities"

[simulation]
duration_s = 600                     # measured window, seconds
warmup_s = 120                       # simulated before measuring, to fill queues (seconds)
seed = 42                            # same seed, same results
replications = 2                     # independent runs (in parallel) behind the 95 % CIs
start_utc_hour = 14                  # UTC hour at which the measured window starts (0–23)
timeseries_step_s = 60               # bucket width of the utilisation/queue time series, seconds

[traffic]
total_rate_rps = 2.0                 # mean request rate over a day, all sites together (req/s)
diurnal = "consumer"                 # daily shape in each site's local time: flat | consumer | business | api
# Users: catalog sites (`meridian models` lists them). `share` is a relative weight,
# normalised over the sites listed; without it the catalog's default share is used.
sites = [
  { name = "new-york", share = 0.3 },
  { name = "san-francisco", share = 0.2 },
  { name = "london", share = 0.2 },
  { name = "frankfurt", share = 0.2 },
  { name = "sao-paulo", share = 0.1 },
]
# Prompt and output sizes default to the Azure 2023 conversation trace; see [requests] in
# the README to set your own.

# One [[regions]] block per deployed region.
[[regions]]
code = "us-east-1"                   # AWS region code
profile = "llama-2-7b@g5.2xlarge"    # serving profile: model × instance type (sets the price)
instances = 2                        # instances serving this model here
max_queue = 200                      # load-balancer queue (requests); beyond it HTTP 503
timeout_s = 30                       # the first token must come within this many seconds

[[regions]]
code = "eu-west-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 2
max_queue = 200
timeout_s = 30

[routing]
policy = "latency"                   # each user goes to the region with the lowest latency
# Others: weighted, failover, geolocation, geoproximity, anycast (README, "Scenario format").

# Service-level objectives, checked after the run (pass/FAIL in the summary).
[slo]
ttft = { percentile = 95, max_ms = 3000 }    # time to first token: p95 at most 3 s
e2e = { percentile = 99, max_ms = 40000 }    # whole response: p99 at most 40 s
availability_pct = 99.9                      # completed ÷ generated requests, percent
"#;

impl InitArgs {
    pub fn execute(&self) -> Result<String, CliError> {
        check_output_dir(&self.file)?;
        if self.file.exists() && !self.force {
            return Err(CliError::Usage(format!(
                "{} already exists; pass --force to replace it",
                self.file.display()
            )));
        }
        report::write_text_atomically(&self.file, STARTER).map_err(|e| CliError::Output {
            path: self.file.display().to_string(),
            reason: e.to_string().to_lowercase(),
        })?;
        Ok(format!(
            "wrote {0}: a two-region starter scenario; run it with `meridian run {0}`\n",
            self.file.display()
        ))
    }
}
