//! Command-line interface: clap definitions, one file per subcommand, and the error type
//! rendered for humans at the edge with its exit code.

mod calibrate;
mod check;
mod compare;
mod init;
mod models;
mod plan;
mod progress;
mod run;
mod schema;
mod validate;
mod workload;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use clap::{Parser, Subcommand};

use crate::catalog::{Catalog, CatalogError};
use crate::scenario::ScenarioError;

pub use calibrate::CalibrateArgs;
pub use check::{CheckArgs, CheckError, CheckFormat};
pub use compare::{CompareArgs, CompareFormat};
pub use init::InitArgs;
pub use models::{ModelsArgs, ModelsFormat};
pub use plan::{PlanArgs, PlanFormat};
pub use run::{RunArgs, RunFormat};
pub use schema::SchemaArgs;
pub use validate::ValidateArgs;
pub use workload::WorkloadArgs;

/// meridian: simulate and plan globally deployed LLM APIs.
#[derive(Debug, Parser)]
#[command(name = "meridian", version, about, long_about = None)]
pub struct Cli {
    /// Read the catalog from this directory instead of the copy built into the binary.
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and print a summary (optionally write the JSON document).
    Run(RunArgs),
    /// Check a scenario file without running it.
    Validate(ValidateArgs),
    /// Compare a result document with a baseline (exit 0 ok, 1 regression, 2 unusable).
    Check(CheckArgs),
    /// Run several scenarios and compare them side by side, the first as the reference.
    Compare(CompareArgs),
    /// Plan capacity: per region and hour, the instances that meet the targets at least
    /// cost, as scheduled scaling actions, verified by simulation (exit 1 if infeasible).
    Plan(PlanArgs),
    /// Print the JSON Schema of the documents meridian writes.
    Schema(SchemaArgs),
    /// List the catalog: regions, user sites, instance types, serving profiles, managed models.
    Models(ModelsArgs),
    /// Write a commented starter scenario (default scenario.toml).
    Init(InitArgs),
    /// Inspect request traces: `workload stats FILE`.
    Workload(WorkloadArgs),
    /// Fit a serving profile to closed-loop benchmark rows and print the fit error per row.
    Calibrate(CalibrateArgs),
}

/// Everything that can go wrong at the command line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The scenario is missing or invalid.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// The catalog could not be loaded.
    #[error("{0}")]
    Catalog(#[from] CatalogError),
    /// The run would be too long or too large; `--force` runs it anyway.
    #[error(
        "refusing to run: {0}\n  = help: shorten the run or lower the rate; pass --force to run it anyway"
    )]
    TooLarge(String),
    /// Ctrl-C stopped the run before it finished.
    #[error("{0}")]
    Interrupted(#[from] crate::run::Interrupted),
    /// The command line asks for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// An output file could not be written.
    #[error("cannot write {path}: {reason}")]
    Output { path: String, reason: String },
    /// `meridian plan` found no candidate that meets every target (exit 1); carries the
    /// report, which names the binding constraint.
    #[error("{0}\nthe plan is infeasible: no candidate meets every target")]
    Infeasible(String),
    /// `meridian check` found a regression (exit 1) or could not compare (exit 2).
    #[error("{0}")]
    Check(#[from] CheckError),
    /// A request trace is missing or malformed.
    #[error("{0}")]
    Trace(#[from] crate::workload::TraceError),
    /// A benchmark file is malformed or cannot be fitted.
    #[error("{0}")]
    Calibrate(#[from] crate::calibrate::CalibrateError),
    /// A chart could not be drawn or written.
    #[error("{0}")]
    Chart(#[from] crate::charts::ChartError),
}

impl CliError {
    /// Process exit code: 130 when interrupted (the shell's convention for SIGINT), 2 for
    /// bad input (usage, scenario, catalog, output path, a run too large).
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Interrupted(_) => 130,
            CliError::Check(e) => e.exit_code(),
            CliError::Infeasible(_) => 1,
            _ => 2,
        }
    }
}

impl Cli {
    /// Runs the chosen subcommand; returns the text for stdout.
    pub fn execute(&self) -> Result<String, CliError> {
        self.execute_cancellable(&AtomicBool::new(false))
    }

    /// Like [`execute`](Self::execute); long work stops soon after `cancel` is set.
    pub fn execute_cancellable(&self, cancel: &AtomicBool) -> Result<String, CliError> {
        match &self.command {
            Command::Run(args) => args.execute(&self.catalog()?, &self.sources(), cancel),
            Command::Validate(args) => args.execute(&self.catalog()?),
            Command::Check(args) => args.execute(),
            Command::Compare(args) => args.execute(&self.catalog()?, cancel),
            Command::Plan(args) => args.execute(&self.catalog()?, cancel),
            Command::Schema(args) => args.execute(),
            Command::Models(args) => args.execute(&self.catalog()?),
            Command::Init(args) => args.execute(),
            Command::Workload(args) => args.execute(),
            Command::Calibrate(args) => args.execute(&self.catalog()?),
        }
    }

    /// Where the catalog's numbers come from, for reports: the files of `--models DIR` if
    /// given, else the shipped ones.
    fn sources(&self) -> Vec<crate::catalog::DataSource> {
        match &self.models {
            Some(dir) => Catalog::dir_sources(dir),
            None => Catalog::embedded_sources(),
        }
    }

    /// The catalog: `--models DIR` if given, else the copy built into the binary. Only
    /// commands that read scenarios or list the catalog load it.
    fn catalog(&self) -> Result<Catalog, CliError> {
        Ok(match &self.models {
            Some(dir) => Catalog::load_dir(dir)?,
            None => Catalog::embedded()?,
        })
    }
}

/// Fails fast, before a long simulation, when an output file's directory does not exist
/// or the path is a directory.
pub(crate) fn check_output_dir(path: &std::path::Path) -> Result<(), CliError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
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

/// Fails fast, before a long simulation, when a chart directory cannot be used: it is a
/// file, or neither it nor its parent directory exists. A missing directory whose parent
/// exists is created when the charts are written.
pub(crate) fn check_chart_dir(dir: &std::path::Path) -> Result<(), CliError> {
    if dir.is_dir() {
        return Ok(());
    }
    let reason = if dir.exists() {
        "it is not a directory".to_string()
    } else {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if parent.is_dir() {
            return Ok(());
        }
        format!(
            "directory {} does not exist; create it first",
            parent.display()
        )
    };
    Err(CliError::Output {
        path: dir.display().to_string(),
        reason,
    })
}

/// Writes `charts` as PNG and SVG into `dir` (created if missing), each file atomically.
pub(crate) fn write_chart_dir(
    dir: &std::path::Path,
    charts: &[crate::charts::NamedChart],
) -> Result<(), CliError> {
    use crate::charts::ChartFormat;
    std::fs::create_dir_all(dir).map_err(|e| CliError::Output {
        path: dir.display().to_string(),
        reason: e.to_string().to_lowercase(),
    })?;
    crate::charts::write_charts(dir, charts, &[ChartFormat::Png, ChartFormat::Svg])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
