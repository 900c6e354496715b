//! Calibration: fitting a serving profile to published closed-loop benchmark rows, and
//! checking a profile against them by simulation (the fidelity report).
//!
//! The benchmark rows (the form of Hugging Face's TGI-on-SageMaker results) report, per
//! model × instance × N concurrent users each sending one request at a time with `G`
//! generated tokens: aggregate generated tokens/s and median ms per token (request latency ÷
//! G). In the simulator's serving model (see `models/serving_profiles.toml`), a request alone
//! takes `prefill_ms + (G − 1) × tpot_ms_batch1`, and every phase is slowed by
//! `1 + k (b − 1)` with `b` sequences in the batch; with N closed-loop users and no think
//! time `b = N`. So
//!
//! ```text
//! ms_per_token(N) = A + B (N − 1),   A = (prefill_ms + (G − 1) tpot_ms_batch1) / G,   B = A k
//! ```
//!
//! is linear in N: ordinary least squares over the chosen rows gives A and B, and with the
//! prompt size P and a prefill speed (the rows have no time to first token, so it cannot be
//! fitted and is an input) the profile follows: `tpot_ms_batch1 = (A G − prefill_ms)/(G − 1)`,
//! `tpot_ms_per_extra_seq = k × tpot_ms_batch1`. Throughput is then predicted, not fitted:
//! `N × 1000 / ms_per_token(N)`.

mod bench;
mod fidelity;

pub use bench::{BenchRow, parse_bench, select};
pub use fidelity::{ClosedLoopResult, simulate_closed_loop};

use crate::catalog::ServingProfile;

/// Why a profile cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// The benchmark file could not be read.
    #[error("cannot read benchmark {file}: {reason}")]
    Read { file: String, reason: String },
    /// A row or the header is malformed.
    #[error("benchmark {file}:{line}: {problem}")]
    Row {
        file: String,
        line: usize,
        problem: String,
    },
    /// No row matches the model and instance asked for.
    #[error(
        "benchmark {file} has no rows for model \"{model}\" on instance \"{instance}\" (it has: {available})"
    )]
    NoRows {
        file: String,
        model: String,
        instance: String,
        available: String,
    },
    /// The rows do not determine a profile.
    #[error("cannot fit a profile: {0}")]
    Fit(String),
}

/// Inputs of a fit besides the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Prompt tokens per benchmark request.
    pub prompt_tokens: u32,
    /// Prompt tokens processed per second at batch 1 (not identifiable from the rows).
    pub prefill_tokens_per_s: f64,
    /// Fit only on rows with these user counts (the others are held out); `None`: all rows.
    pub fit_users: Option<Vec<u32>>,
    /// Batch limit of the profile; `None`: the largest user count in the rows, which the
    /// server is known to have run at once (a lower bound of the real limit).
    pub max_batch: Option<u32>,
}

/// A fitted profile and how well it reproduces each row.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub profile: ServingProfile,
    /// Intercept A and slope B of ms/token against users − 1.
    pub intercept_ms: f64,
    pub slope_ms_per_user: f64,
    pub rows: Vec<RowFit>,
}

/// One benchmark row beside the fitted model's prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct RowFit {
    pub row: BenchRow,
    /// Whether the row was used in the fit (else it is held out).
    pub in_fit: bool,
    pub predicted_ms_per_token: f64,
    pub predicted_throughput_tok_s: f64,
}

impl RowFit {
    /// (predicted − published) ÷ published, in per cent.
    pub fn ms_per_token_error_pct(&self) -> f64 {
        pct(self.predicted_ms_per_token, self.row.ms_per_token_p50)
    }

    pub fn throughput_error_pct(&self) -> f64 {
        pct(self.predicted_throughput_tok_s, self.row.throughput_tok_s)
    }
}

/// (got − want) ÷ want, in per cent.
pub fn pct(got: f64, want: f64) -> f64 {
    (got - want) / want * 100.0
}

/// Fits a profile named `name` for `model` on `instance_type` to `rows` (already filtered to
/// one model × instance).
pub fn fit(
    rows: &[BenchRow],
    name: &str,
    model: &str,
    instance_type: &str,
    opts: &FitOptions,
    source: &str,
) -> Result<Fit, CalibrateError> {
    let fit_rows: Vec<&BenchRow> = rows
        .iter()
        .filter(|r| opts.fit_users.as_ref().is_none_or(|u| u.contains(&r.users)))
        .collect();
    let mut distinct: Vec<u32> = fit_rows.iter().map(|r| r.users).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return Err(CalibrateError::Fit(format!(
            "the fit needs rows at two or more user counts, got {distinct:?}; choose them with --fit-users"
        )));
    }
    let g = rows[0].gen_tokens;
    if rows.iter().any(|r| r.gen_tokens != g) || g < 2 {
        return Err(CalibrateError::Fit(
            "every row must generate the same number of tokens (at least 2)".into(),
        ));
    }
    // Ordinary least squares of ms/token on users − 1.
    let n = fit_rows.len() as f64;
    let xs: Vec<f64> = fit_rows.iter().map(|r| f64::from(r.users - 1)).collect();
    let ys: Vec<f64> = fit_rows.iter().map(|r| r.ms_per_token_p50).collect();
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    if slope < 0.0 {
        return Err(CalibrateError::Fit(format!(
            "ms/token falls as users are added (slope {slope:.3} ms per user); the batch slowdown would be negative"
        )));
    }
    let g = f64::from(g);
    let prefill_ms = f64::from(opts.prompt_tokens) * 1000.0 / opts.prefill_tokens_per_s;
    let tpot1 = (intercept * g - prefill_ms) / (g - 1.0);
    if tpot1.is_nan() || tpot1 <= 0.0 {
        return Err(CalibrateError::Fit(format!(
            "a request alone takes {:.1} ms, less than the prefill of {} prompt tokens at {} tokens/s ({prefill_ms:.1} ms); raise --prefill-tokens-per-s or lower --prompt-tokens",
            intercept * g,
            opts.prompt_tokens,
            opts.prefill_tokens_per_s
        )));
    }
    let k = slope / intercept;
    let max_users = rows.iter().map(|r| r.users).max().unwrap_or(1);
    let profile = ServingProfile {
        name: name.to_string(),
        model: model.to_string(),
        instance_type: instance_type.to_string(),
        prefill_tokens_per_s: opts.prefill_tokens_per_s,
        tpot_ms_batch1: tpot1,
        tpot_ms_per_extra_seq: k * tpot1,
        max_batch: opts.max_batch.unwrap_or(max_users),
        source: source.to_string(),
    };
    let fitted = rows
        .iter()
        .map(|r| {
            let ms = intercept + slope * f64::from(r.users - 1);
            RowFit {
                row: r.clone(),
                in_fit: opts.fit_users.as_ref().is_none_or(|u| u.contains(&r.users)),
                predicted_ms_per_token: ms,
                predicted_throughput_tok_s: f64::from(r.users) * 1000.0 / ms,
            }
        })
        .collect();
    Ok(Fit {
        profile,
        intercept_ms: intercept,
        slope_ms_per_user: slope,
        rows: fitted,
    })
}

/// Header of a comparison table; `what` names the compared column (`predicted`, `simulated`).
pub fn table_header(what: &str) -> String {
    format!(
        "users  rows      tok/s published  {what:>9}  error [%]   ms/token published  {what:>9}  error [%]\n"
    )
}

/// One row of a comparison table: published against `got` (tok/s, ms/token).
pub fn table_row(row: &BenchRow, in_fit: bool, got_tok_s: f64, got_ms_per_token: f64) -> String {
    format!(
        "{:>5}  {:<8}  {:>15.2}  {:>9.2}  {:>9.1}   {:>18.2}  {:>9.2}  {:>9.1}\n",
        row.users,
        if in_fit { "fit" } else { "held out" },
        row.throughput_tok_s,
        got_tok_s,
        pct(got_tok_s, row.throughput_tok_s),
        row.ms_per_token_p50,
        got_ms_per_token,
        pct(got_ms_per_token, row.ms_per_token_p50)
    )
}

impl Fit {
    /// The per-row error table: published, predicted, error, fit or held out.
    pub fn error_table(&self) -> String {
        let mut s = table_header("predicted");
        for r in &self.rows {
            s.push_str(&table_row(
                &r.row,
                r.in_fit,
                r.predicted_throughput_tok_s,
                r.predicted_ms_per_token,
            ));
        }
        s
    }
}

/// A profile as a `[[profile]]` entry of `models/serving_profiles.toml`.
pub fn profile_toml(p: &ServingProfile) -> String {
    format!(
        "[[profile]]\nname = {:?}\nmodel = {:?}\ninstance_type = {:?}\nprefill_tokens_per_s = {:.1}\ntpot_ms_batch1 = {:.3}\ntpot_ms_per_extra_seq = {:.4}\nmax_batch = {}\nsource = {:?}\n",
        p.name,
        p.model,
        p.instance_type,
        p.prefill_tokens_per_s,
        p.tpot_ms_batch1,
        p.tpot_ms_per_extra_seq,
        p.max_batch,
        p.source
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(users: u32, ms: f64) -> BenchRow {
        BenchRow {
            model: "m".into(),
            instance: "i".into(),
            users,
            throughput_tok_s: f64::from(users) * 1000.0 / ms,
            ms_per_token_p50: ms,
            gen_tokens: 50,
            line: 0,
        }
    }

    fn opts() -> FitOptions {
        FitOptions {
            prompt_tokens: 100,
            prefill_tokens_per_s: 1000.0,
            fit_users: None,
            max_batch: None,
        }
    }

    #[test]
    fn an_exactly_linear_benchmark_is_recovered() {
        // tpot1 = 30, k = 0.05, prefill 100 ms: A = (100 + 49 × 30)/50 = 31.4, B = 1.57.
        let rows: Vec<BenchRow> = [1, 5, 10, 20]
            .iter()
            .map(|n| row(*n, 31.4 + 1.57 * f64::from(n - 1)))
            .collect();
        let f = fit(&rows, "m@i", "m", "i", &opts(), "test").unwrap();
        assert!((f.profile.tpot_ms_batch1 - 30.0).abs() < 1e-9);
        assert!((f.profile.tpot_ms_per_extra_seq - 1.5).abs() < 1e-9);
        assert_eq!(f.profile.max_batch, 20);
        assert!(
            f.rows
                .iter()
                .all(|r| r.ms_per_token_error_pct().abs() < 1e-9)
        );
    }

    #[test]
    fn held_out_rows_are_marked_and_one_user_count_is_refused() {
        let rows: Vec<BenchRow> = [1, 5, 10, 20]
            .iter()
            .map(|n| row(*n, 30.0 + f64::from(*n)))
            .collect();
        let mut o = opts();
        o.fit_users = Some(vec![1, 20]);
        let f = fit(&rows, "m@i", "m", "i", &o, "test").unwrap();
        assert_eq!(
            f.rows.iter().map(|r| r.in_fit).collect::<Vec<_>>(),
            vec![true, false, false, true]
        );
        o.fit_users = Some(vec![5]);
        assert!(matches!(
            fit(&rows, "m@i", "m", "i", &o, "t"),
            Err(CalibrateError::Fit(_))
        ));
    }

    #[test]
    fn a_prefill_longer_than_the_request_is_refused() {
        let rows: Vec<BenchRow> = [1, 5]
            .iter()
            .map(|n| row(*n, 10.0 + f64::from(*n)))
            .collect();
        let mut o = opts();
        o.prefill_tokens_per_s = 1.0;
        let e = fit(&rows, "m@i", "m", "i", &o, "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("raise --prefill-tokens-per-s"), "{e}");
    }
}
