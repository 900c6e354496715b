//! `meridian workload stats FILE`: what a request trace looks like, and a fitted synthetic mix.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::CliError;
use crate::workload::{Trace, TraceColumns, stats::TraceStats};

#[derive(Debug, Args)]
pub struct WorkloadArgs {
    #[command(subcommand)]
    pub command: WorkloadCommand,
}

#[derive(Debug, Subcommand)]
pub enum WorkloadCommand {
    /// Rate, burstiness (inter-arrival CV, per-minute max/mean), token percentiles and
    /// log-normal fits of a trace CSV.
    Stats(StatsArgs),
}

/// Column names of a trace CSV (defaults: the Azure LLM inference trace's).
#[derive(Debug, Args)]
pub struct ColumnArgs {
    /// Column holding the arrival time.
    #[arg(long, default_value = "TIMESTAMP")]
    pub timestamp_column: String,
    /// Column holding the prompt (input) token count.
    #[arg(long, default_value = "ContextTokens")]
    pub prompt_column: String,
    /// Column holding the output (generated) token count.
    #[arg(long, default_value = "GeneratedTokens")]
    pub output_column: String,
}

impl ColumnArgs {
    fn columns(&self) -> TraceColumns {
        TraceColumns {
            timestamp: self.timestamp_column.clone(),
            prompt_tokens: self.prompt_column.clone(),
            output_tokens: self.output_column.clone(),
            site: None,
        }
    }
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Trace CSV file.
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnArgs,
}

impl WorkloadArgs {
    pub fn execute(&self) -> Result<String, CliError> {
        match &self.command {
            WorkloadCommand::Stats(a) => {
                let shown = a.file.display().to_string();
                let trace = Trace::load(&a.file, &shown, &a.columns.columns())?;
                Ok(TraceStats::of(&trace).render(&shown))
            }
        }
    }
}
