//! `meridian check`: compare a result document against a baseline (exit 0 within
//! tolerance, 1 on a regression, 2 on unusable input), or `--bless` a result as the new
//! baseline.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::CliError;
use crate::compare::{self, CompareError, Document, Format, Tolerances};
use crate::report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CheckFormat {
    /// Aligned text table.
    #[default]
    Table,
    /// JSON with sorted keys.
    Json,
    /// Markdown table (for pull-request comments).
    Markdown,
    /// CSV, one record per difference (`field,baseline,result,change,...`).
    Csv,
}

#[derive(Debug, Args)]
#[command(after_long_help = DEFAULTS_HELP)]
pub struct CheckArgs {
    /// Result document to check (written by `meridian run --json`).
    pub result: PathBuf,
    /// Baseline document to compare it with.
    #[arg(long, value_name = "FILE")]
    pub baseline: PathBuf,
    /// Per-field tolerances (TOML), overriding the built-in defaults.
    #[arg(long, value_name = "FILE", conflicts_with = "bless")]
    pub tolerance: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table, conflicts_with = "bless")]
    pub format: CheckFormat,
    /// Make RESULT the new baseline: check that it is a valid document, then replace
    /// BASELINE with it (atomically).
    #[arg(long)]
    pub bless: bool,
}

const DEFAULTS_HELP: &str = "\
Default tolerances by field name: latency (*_ms) 5% or 1 ms; cost (*_usd, usd_*, \
instance_hours) 1%; percent (*_pct) 0.1 points; share (utilisation*, *_share) 0.01; \
queue (queue_length*) 5% or 1; rate (*_rps, *_per_s) 1%; other integers (counts) exact; \
other numbers 1%; strings, booleans and structure exact; ci95, meridian_version and \
engine.* are information only. A mean with a ci95 fails only if it also moves by more \
than sqrt(ci95_baseline² + ci95_result²). Override per field in a TOML file passed with \
--tolerance: \"latency.e2e.p99_ms\" = \"10%\", \"regions.*.utilisation_mean\" = 0.02, \
[default] latency = \"3%\". See README, \"Regression checking\".";

/// How `meridian check` ends when it is not a plain success.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// The documents or the tolerance file cannot be used (exit 2).
    #[error("{0}")]
    Input(#[from] CompareError),
    /// The result regressed (exit 1); the report is already on stdout.
    #[error(
        "regression: {regressions} value(s) worse or changed beyond tolerance against {baseline} (report on stdout)"
    )]
    Regression {
        regressions: usize,
        baseline: String,
    },
}

impl CheckError {
    /// 1 for a regression, 2 for unusable input.
    pub fn exit_code(&self) -> i32 {
        match self {
            CheckError::Input(e) => e.exit_code(),
            CheckError::Regression { .. } => 1,
        }
    }
}

impl From<CompareError> for CliError {
    fn from(e: CompareError) -> CliError {
        CliError::Check(CheckError::Input(e))
    }
}

impl CheckArgs {
    pub fn execute(&self) -> Result<String, CliError> {
        if self.bless {
            return self.bless();
        }
        let comparison =
            compare::compare_files(&self.result, &self.baseline, self.tolerance.as_deref())?;
        let format = match self.format {
            CheckFormat::Table => Format::Table,
            CheckFormat::Json => Format::Json,
            CheckFormat::Markdown => Format::Markdown,
            CheckFormat::Csv => Format::Csv,
        };
        let out = compare::render(&comparison, format);
        if comparison.passed() {
            return Ok(out);
        }
        // A regression must exit 1 and still print the report on stdout (where `--format
        // json` readers look), but `execute` returns either stdout text or an error; so the
        // report is written here and the error carries only the one-line reason.
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.flush();
        Err(CliError::Check(CheckError::Regression {
            regressions: comparison.regressions(),
            baseline: comparison.baseline,
        }))
    }

    /// Replaces the baseline with the result once the result is known to be a valid
    /// document.
    fn bless(&self) -> Result<String, CliError> {
        let result = Document::load(&self.result)?;
        let previous = match Document::load(&self.baseline) {
            Ok(old) => match old.check_comparable(&result) {
                Ok(()) => match compare::compare(&old, &result, &Tolerances::builtin()) {
                    Ok(c) if c.differences.is_empty() => {
                        "it was already within tolerance of the old baseline".to_string()
                    }
                    Ok(c) => format!(
                        "the old baseline differed: {}",
                        compare::render::summary(&c)
                    ),
                    Err(e) => format!("the old baseline could not be compared: {e}"),
                },
                Err(CompareError::NotComparable(m)) => format!(
                    "the old baseline had {} {}, now {}",
                    m.field, m.in_baseline, m.in_result
                ),
                Err(e) => format!("the old baseline could not be compared: {e}"),
            },
            Err(CompareError::Read { .. }) if !self.baseline.exists() => {
                "there was no baseline before".to_string()
            }
            Err(e) => format!("the old baseline was not usable: {e}"),
        };
        write_baseline(&self.baseline, &result)?;
        let identity: Vec<String> = result
            .identity()
            .iter()
            .map(|(f, v)| match v {
                serde_json::Value::String(s) => format!("{f} {s}"),
                v => format!("{f} {v}"),
            })
            .collect();
        Ok(format!(
            "blessed: {} now holds {} ({} document{}, {})\n{previous}\n",
            self.baseline.display(),
            self.result.display(),
            result.kind.name(),
            result
                .scenario_name()
                .map(|n| format!(" of scenario {n}"))
                .unwrap_or_default(),
            identity.join(", ")
        ))
    }
}

fn write_baseline(path: &Path, doc: &Document) -> Result<(), CliError> {
    report::write_json_atomically(path, &doc.value).map_err(|e| CliError::Output {
        path: path.display().to_string(),
        reason: e.to_string().to_lowercase(),
    })
}
