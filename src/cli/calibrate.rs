//! `meridian calibrate BENCH.csv --model M --instance I`: fit a serving profile to published
//! closed-loop benchmark rows, print the fit error per row, optionally check the profile by
//! simulating the benchmark.

use std::fmt::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use super::{CliError, check_output_dir};
use crate::calibrate::{self, BenchRow, CalibrateError, ClosedLoopResult, Fit, FitOptions, pct};
use crate::catalog::Catalog;
use crate::report::json::round;
use crate::report::{self, Table};

/// Output format of `meridian calibrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CalibrateFormat {
    /// Aligned text: the fit, the per-row error table, the `[[profile]]` entry.
    #[default]
    Table,
    /// One JSON object: the fitted profile's parameters, the fit line, and every row with
    /// published, predicted (and with --simulate, simulated) figures and errors; keys
    /// sorted, units in key names (`_tok_s`, `_ms`, `_pct`).
    Json,
    /// The per-row fit error table, one row per benchmark row, columns named as the JSON
    /// row keys (with --simulate, the simulated columns too).
    Csv,
    /// The same report with markdown tables and the profile as a TOML code block.
    Markdown,
}

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
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = CalibrateFormat::Table)]
    pub format: CalibrateFormat,
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
        let simulated = if self.simulate {
            let mut sims = Vec::with_capacity(fit.rows.len());
            for r in &fit.rows {
                sims.push(calibrate::simulate_closed_loop(
                    catalog,
                    &fit.profile,
                    r.row.users,
                    self.prompt_tokens,
                    r.row.gen_tokens,
                )?);
            }
            Some(sims)
        } else {
            None
        };
        let toml = calibrate::profile_toml(&fit.profile);
        let report = Report {
            fit: &fit,
            simulated: simulated.as_deref(),
            heading: format!(
                "{} on {} ({} rows of {shown}; fitted on {used})",
                self.model,
                self.instance,
                rows.len()
            ),
            line: format!(
                "ms/token = {:.3} + {:.4} × (users − 1); prefill {prefill} tok/s × {} prompt tokens",
                fit.intercept_ms, fit.slope_ms_per_user, self.prompt_tokens
            ),
            simulated_title: format!(
                "simulated benchmark (closed loop, one instance, {} prompt + {} output tokens):",
                self.prompt_tokens, rows[0].gen_tokens
            ),
            toml: &toml,
        };
        let out = match self.format {
            CalibrateFormat::Table => report.text(),
            CalibrateFormat::Markdown => report.markdown(),
            CalibrateFormat::Csv => report.csv(),
            CalibrateFormat::Json => {
                let mut text = serde_json::to_string_pretty(&report.json(
                    &shown,
                    &used_users(&fit),
                    self.prompt_tokens,
                ))
                .expect("the fit is plain JSON");
                text.push('\n');
                text
            }
        };
        if let Some(path) = &self.output {
            report::write_text_atomically(path, &toml).map_err(|e| CliError::Output {
                path: path.display().to_string(),
                reason: e.to_string().to_lowercase(),
            })?;
        }
        Ok(out)
    }
}

/// User counts of the rows the line was fitted on.
fn used_users(fit: &Fit) -> Vec<u32> {
    let mut u: Vec<u32> = fit
        .rows
        .iter()
        .filter(|r| r.in_fit)
        .map(|r| r.row.users)
        .collect();
    u.sort_unstable();
    u.dedup();
    u
}

/// What `meridian calibrate` prints, in every format.
struct Report<'a> {
    fit: &'a Fit,
    /// With --simulate: the simulated benchmark, one result per row of `fit.rows`.
    simulated: Option<&'a [ClosedLoopResult]>,
    heading: String,
    /// The fitted line, ms/token against users − 1.
    line: String,
    simulated_title: String,
    toml: &'a str,
}

/// A comparison table, published against `what` (`predicted`, `simulated`): the columns and
/// precision of [`calibrate::table_row`], as a [`Table`] for markdown.
fn comparison_table<'r>(
    what: &str,
    rows: impl Iterator<Item = (&'r BenchRow, bool, f64, f64)>,
) -> Table {
    let mut t = Table::new(&[
        "users",
        "rows",
        "tok/s published",
        what,
        "error [%]",
        "ms/token published",
        what,
        "error [%]",
    ]);
    for (row, in_fit, tok_s, ms) in rows {
        t.row(vec![
            row.users.to_string(),
            if in_fit { "fit" } else { "held out" }.to_string(),
            format!("{:.2}", row.throughput_tok_s),
            format!("{tok_s:.2}"),
            format!("{:.1}", pct(tok_s, row.throughput_tok_s)),
            format!("{:.2}", row.ms_per_token_p50),
            format!("{ms:.2}"),
            format!("{:.1}", pct(ms, row.ms_per_token_p50)),
        ]);
    }
    t
}

impl Report<'_> {
    fn predicted(&self) -> impl Iterator<Item = (&BenchRow, bool, f64, f64)> {
        self.fit.rows.iter().map(|r| {
            (
                &r.row,
                r.in_fit,
                r.predicted_throughput_tok_s,
                r.predicted_ms_per_token,
            )
        })
    }

    fn simulated_rows(&self) -> Option<impl Iterator<Item = (&BenchRow, bool, f64, f64)>> {
        self.simulated.map(|sims| {
            self.fit
                .rows
                .iter()
                .zip(sims)
                .map(|(r, s)| (&r.row, r.in_fit, s.throughput_tok_s, s.ms_per_token_p50))
        })
    }

    /// The aligned text report (the default; its layout is pinned by tests and the README).
    fn text(&self) -> String {
        let mut out = format!("{}\n{}\n\n", self.heading, self.line);
        out.push_str(&self.fit.error_table());
        out.push('\n');
        out.push_str(self.toml);
        if let Some(rows) = self.simulated_rows() {
            let _ = writeln!(out, "\n{}", self.simulated_title);
            out.push_str(&calibrate::table_header("simulated"));
            for (row, in_fit, tok_s, ms) in rows {
                out.push_str(&calibrate::table_row(row, in_fit, tok_s, ms));
            }
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = format!(
            "{}  \n{}\n\n{}\n```toml\n{}```\n",
            self.heading,
            self.line,
            comparison_table("predicted", self.predicted()).render_markdown(),
            self.toml
        );
        if let Some(rows) = self.simulated_rows() {
            let _ = write!(
                out,
                "\n{}\n\n{}",
                self.simulated_title,
                comparison_table("simulated", rows).render_markdown()
            );
        }
        out
    }

    /// Each row's figures as (key, value): the JSON row object and the CSV columns. Speeds
    /// and times to 0.001, errors to 0.01 %.
    fn row_records(&self) -> Vec<Vec<(&'static str, Value)>> {
        self.fit
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut rec = vec![
                    ("users", json!(r.row.users)),
                    ("in_fit", json!(r.in_fit)),
                    ("output_tokens", json!(r.row.gen_tokens)),
                    (
                        "published_throughput_tok_s",
                        json!(round(r.row.throughput_tok_s, 3)),
                    ),
                    (
                        "predicted_throughput_tok_s",
                        json!(round(r.predicted_throughput_tok_s, 3)),
                    ),
                    (
                        "predicted_throughput_error_pct",
                        json!(round(r.throughput_error_pct(), 2)),
                    ),
                    (
                        "published_ms_per_token_p50",
                        json!(round(r.row.ms_per_token_p50, 3)),
                    ),
                    (
                        "predicted_ms_per_token",
                        json!(round(r.predicted_ms_per_token, 3)),
                    ),
                    (
                        "predicted_ms_per_token_error_pct",
                        json!(round(r.ms_per_token_error_pct(), 2)),
                    ),
                ];
                if let Some(s) = self.simulated.map(|sims| sims[i]) {
                    rec.extend([
                        (
                            "simulated_throughput_tok_s",
                            json!(round(s.throughput_tok_s, 3)),
                        ),
                        (
                            "simulated_throughput_error_pct",
                            json!(round(pct(s.throughput_tok_s, r.row.throughput_tok_s), 2)),
                        ),
                        (
                            "simulated_ms_per_token_p50",
                            json!(round(s.ms_per_token_p50, 3)),
                        ),
                        (
                            "simulated_ms_per_token_error_pct",
                            json!(round(pct(s.ms_per_token_p50, r.row.ms_per_token_p50), 2)),
                        ),
                    ]);
                }
                rec
            })
            .collect()
    }

    fn csv(&self) -> String {
        let records = self.row_records();
        let headers: Vec<&str> = records
            .first()
            .map(|r| r.iter().map(|(k, _)| *k).collect())
            .unwrap_or_default();
        let mut t = Table::new(&headers);
        for rec in &records {
            t.row(
                rec.iter()
                    .map(|(_, v)| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
            );
        }
        t.render_csv()
    }

    fn json(&self, bench: &str, fit_users: &[u32], prompt_tokens: u32) -> Value {
        let p = &self.fit.profile;
        let rows: Vec<Value> = self
            .row_records()
            .into_iter()
            .map(|rec| {
                Value::Object(
                    rec.into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            })
            .collect();
        json!({
            "benchmark": bench,
            "fit": {
                "fit_users": fit_users,
                "intercept_ms_per_token": round(self.fit.intercept_ms, 4),
                "slope_ms_per_token_per_user": round(self.fit.slope_ms_per_user, 5),
                "prompt_tokens_assumed": prompt_tokens,
            },
            "profile": {
                "name": p.name,
                "model": p.model,
                "instance_type": p.instance_type,
                "prefill_tokens_per_s": round(p.prefill_tokens_per_s, 3),
                "tpot_ms_batch1": round(p.tpot_ms_batch1, 4),
                "tpot_ms_per_extra_seq": round(p.tpot_ms_per_extra_seq, 5),
                "max_batch": p.max_batch,
                "source": p.source,
            },
            "rows": rows,
        })
    }
}
