//! `meridian calibrate BENCH.csv --model M --instance I`: fit a serving profile to published
//! closed-loop benchmark rows, print the fit error per row, optionally check the profile by
//! simulating the benchmark.

use std::fmt::Write;
use std::path::PathBuf;

use clap::Args;

use super::{CliError, check_output_dir};
use crate::calibrate::{self, CalibrateError, FitOptions};
use crate::catalog::Catalog;
use crate::report;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Benchmark CSV (columns of llm_serving_tgi_llama2_sagemaker.csv).
    pub bench: PathBuf,
    /// Model as written in the file, e.g. meta-llama/Llama-2-7b-hf.
    #[arg(long)]
    pub model: String,
    /// Instance as written in the file or its EC2 name, e.g. ml.g5.2xlarge or g5.2xlarge.
    #[arg(long)]
    pub instance: String,
    /// Profile name (default: <model, lowercase, without -hf>@<instance>).
    #[arg(long)]
    pub name: Option<String>,
    /// Prompt tokens per benchmark request. The TGI rows do not publish it (the load test
    /// sends short ShareGPT prompts); 256 is an assumption.
    #[arg(long, default_value_t = 256)]
    pub prompt_tokens: u32,
    /// Prefill speed at batch 1, tokens/s; it cannot be fitted from rows without a time to
    /// first token (default: the catalog profile of the same name, if any).
    #[arg(long)]
    pub prefill_tokens_per_s: Option<f64>,
    /// Fit only on rows with these user counts, e.g. 1,20; the others are held out and show
    /// how well the profile predicts what it was not fitted to.
    #[arg(long, value_delimiter = ',')]
    pub fit_users: Option<Vec<u32>>,
    /// Batch limit of the profile (default: the largest user count in the rows).
    #[arg(long)]
    pub max_batch: Option<u32>,
    /// Write the profile, in the models/serving_profiles.toml format, here.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also simulate the benchmark (N closed-loop users, one instance) with the fitted
    /// profile and compare with every row.
    #[arg(long)]
    pub simulate: bool,
}

/// `meta-llama/Llama-2-7b-hf` → `llama-2-7b`.
fn short_model(model: &str) -> String {
    let last = model.rsplit('/').next().unwrap_or(model).to_lowercase();
    last.strip_suffix("-hf").unwrap_or(&last).to_string()
}

impl CalibrateArgs {
    pub fn execute(&self, catalog: &Catalog) -> Result<String, CliError> {
        if let Some(path) = &self.output {
            check_output_dir(path)?;
        }
        let shown = self.bench.display().to_string();
        // A device or a pipe (/dev/zero, a FIFO) could be read forever.
        if self.bench.exists() && !self.bench.is_file() {
            return Err(CalibrateError::Read {
                file: shown,
                reason: "it is not a regular file; pass a CSV file".into(),
            }
            .into());
        }
        let text = std::fs::read_to_string(&self.bench).map_err(|e| CalibrateError::Read {
            file: shown.clone(),
            reason: e.to_string().to_lowercase(),
        })?;
        let rows = calibrate::parse_bench(&text, &shown)?;
        let rows = calibrate::select(&rows, &shown, &self.model, &self.instance)?;
        let instance_type = self
            .instance
            .strip_prefix("ml.")
            .unwrap_or(&self.instance)
            .to_string();
        if !catalog.instance_types.contains_key(&instance_type) {
            return Err(CliError::Usage(format!(
                "instance type {instance_type} is not in the catalog (models/instances.toml); `meridian models` lists them"
            )));
        }
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| format!("{}@{instance_type}", short_model(&self.model)));
        let prefill = match self.prefill_tokens_per_s {
            Some(v) if v.is_finite() && v > 0.0 => v,
            Some(v) => {
                return Err(CliError::Usage(format!(
                    "--prefill-tokens-per-s {v} is not a positive speed"
                )));
            }
            None => catalog
                .serving_profiles
                .get(&name)
                .map(|p| p.prefill_tokens_per_s)
                .ok_or_else(|| {
                    CliError::Usage(format!(
                        "no catalog profile {name} to take the prefill speed from; give --prefill-tokens-per-s"
                    ))
                })?,
        };
        if self.prompt_tokens == 0 {
            return Err(CliError::Usage("--prompt-tokens must be at least 1".into()));
        }
        let opts = FitOptions {
            prompt_tokens: self.prompt_tokens,
            prefill_tokens_per_s: prefill,
            fit_users: self.fit_users.clone(),
            max_batch: self.max_batch,
        };
        let used = match &opts.fit_users {
            Some(u) => format!(
                "N={}",
                u.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
            ),
            None => "all rows".into(),
        };
        let source = format!(
            "meridian calibrate {shown}: {} on {}, OLS of ms_per_token_p50 on users-1 over {used}; prefill {prefill} tok/s given, prompt {} tokens assumed; max_batch = largest user count run",
            self.model, self.instance, self.prompt_tokens
        );
        let fit = calibrate::fit(&rows, &name, &self.model, &instance_type, &opts, &source)?;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} on {} ({} rows of {shown}; fitted on {used})",
            self.model,
            self.instance,
            rows.len()
        );
        let _ = writeln!(
            out,
            "ms/token = {:.3} + {:.4} × (users − 1); prefill {prefill} tok/s × {} prompt tokens\n",
            fit.intercept_ms, fit.slope_ms_per_user, self.prompt_tokens
        );
        out.push_str(&fit.error_table());
        let toml = calibrate::profile_toml(&fit.profile);
        let _ = writeln!(out);
        out.push_str(&toml);
        if self.simulate {
            let _ = writeln!(
                out,
                "\nsimulated benchmark (closed loop, one instance, {} prompt + {} output tokens):",
                self.prompt_tokens, rows[0].gen_tokens
            );
            out.push_str(&calibrate::table_header("simulated"));
            for r in &fit.rows {
                let sim = calibrate::simulate_closed_loop(
                    catalog,
                    &fit.profile,
                    r.row.users,
                    self.prompt_tokens,
                    r.row.gen_tokens,
                )?;
                out.push_str(&calibrate::table_row(
                    &r.row,
                    r.in_fit,
                    sim.throughput_tok_s,
                    sim.ms_per_token_p50,
                ));
            }
        }
        if let Some(path) = &self.output {
            report::write_text_atomically(path, &toml).map_err(|e| CliError::Output {
                path: path.display().to_string(),
                reason: e.to_string().to_lowercase(),
            })?;
        }
        Ok(out)
    }
}
