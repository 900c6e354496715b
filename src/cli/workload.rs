//! `meridian workload stats FILE`: what a request trace looks like, and a fitted synthetic mix.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

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

/// Output format of `meridian workload stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum StatsFormat {
    /// Aligned text, ending with a `[requests]` section to paste into a scenario.
    #[default]
    Table,
    /// One JSON object, keys sorted, units in key names (`duration_s`, `mean_rate_rps`;
    /// token figures are tokens); a figure a trace cannot define (the rate or CV of a single
    /// request) is null.
    Json,
    /// `metric,value` with one row per figure (e.g. `mean_rate_rps`, `prompt_tokens.p90`,
    /// `prompt_tokens.fit.median`): one long table so a spreadsheet can look each figure up
    /// by name (an undefined figure is an empty field).
    Csv,
    /// The summary and token tables as markdown, the fitted mix as a TOML code block.
    Markdown,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Trace CSV file.
    pub file: PathBuf,
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
}

impl WorkloadArgs {
    pub fn execute(&self) -> Result<String, CliError> {
        match &self.command {
            WorkloadCommand::Stats(a) => {
                let shown = a.file.display().to_string();
                let trace = Trace::load(&a.file, &shown, &a.columns.columns())?;
                let stats = TraceStats::of(&trace);
                Ok(match a.format {
                    StatsFormat::Table => stats.render(&shown),
                    StatsFormat::Markdown => stats.render_markdown(&shown),
                    StatsFormat::Csv => stats.render_csv(),
                    StatsFormat::Json => {
                        let mut text = serde_json::to_string_pretty(&stats.to_json(&shown))
                            .expect("the statistics are plain JSON");
                        text.push('\n');
                        text
                    }
                })
            }
        }
    }
}
