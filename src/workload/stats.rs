//! What a trace looks like: rate, burstiness, token percentiles, and log-normal fits of
//! its token counts (the synthetic mix a scenario can use instead of replaying it).

use std::fmt::Write;

use serde_json::{Value, json};

use super::Trace;
use crate::report::Table;
use crate::report::json::round;

/// z-score of the 90th percentile of the standard normal (scenarios give a log-normal by
/// its median and p90).
const Z90: f64 = 1.281_551_565_545;
const NS_PER_MINUTE: i64 = 60_000_000_000;

/// Percentiles and mean of one token column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenStats {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: u32,
    /// Log-normal fitted by maximum likelihood (mean and sd of ln x over counts ≥ 1).
    pub fit: LognormalFit,
}

/// A log-normal token distribution as a scenario writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LognormalFit {
    pub median: f64,
    pub p90: f64,
    /// Largest count seen: the scenario's truncation bound.
    pub max: f64,
}

/// Statistics of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceStats {
    pub requests: usize,
    /// First to last request, s.
    pub duration_s: f64,
    /// Requests ÷ duration, requests/s.
    pub mean_rate_rps: f64,
    /// Coefficient of variation of the gaps between consecutive requests (1 for Poisson).
    pub interarrival_cv: f64,
    /// Clock minutes from the first request's to the last's, partial ones included.
    pub minutes: u64,
    /// Requests per clock minute with any, keyed by minutes after the first.
    pub per_minute_counts: std::collections::BTreeMap<i64, u64>,
    pub per_minute_max_over_mean: f64,
    pub per_minute_min_over_mean: f64,
    pub prompt: TokenStats,
    pub output: TokenStats,
}

/// Linear-interpolated percentile (`p` in 0–100) of sorted values (numpy's default).
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let frac = rank - lo as f64;
    f64::from(sorted[lo]) + frac * (f64::from(sorted[hi]) - f64::from(sorted[lo]))
}

fn token_stats(values: &[u32]) -> TokenStats {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let mean = values.iter().map(|v| f64::from(*v)).sum::<f64>() / values.len() as f64;
    // ln 0 is undefined: zero counts are left out of the fit (they are rare and a request
    // always yields at least one token in the simulator).
    let logs: Vec<f64> = values
        .iter()
        .filter(|v| **v >= 1)
        .map(|v| f64::from(*v).ln())
        .collect();
    let (mu, sigma) = if logs.is_empty() {
        (0.0, 0.0)
    } else {
        let m = logs.iter().sum::<f64>() / logs.len() as f64;
        let var = logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / logs.len() as f64;
        (m, var.sqrt())
    };
    let max = sorted.last().copied().unwrap_or(0);
    TokenStats {
        mean,
        p50: percentile(&sorted, 50.0),
        p90: percentile(&sorted, 90.0),
        p99: percentile(&sorted, 99.0),
        max,
        fit: LognormalFit {
            median: mu.exp(),
            p90: (mu + Z90 * sigma).exp(),
            max: f64::from(max.max(1)),
        },
    }
}

impl TraceStats {
    pub fn of(trace: &Trace) -> TraceStats {
        let n = trace.len();
        let duration_s = trace.last_offset_ns() as f64 * 1e-9;
        let gaps: Vec<f64> = trace
            .offsets_ns
            .windows(2)
            .map(|w| (w[1] - w[0]) as f64)
            .collect();
        let interarrival_cv = if gaps.len() < 2 {
            f64::NAN
        } else {
            let m = gaps.iter().sum::<f64>() / gaps.len() as f64;
            let var = gaps.iter().map(|g| (g - m).powi(2)).sum::<f64>() / gaps.len() as f64;
            var.sqrt() / m
        };
        // Clock minutes of the absolute timestamps, so the counts match the file's own minutes.
        let minute = |off: u64| (trace.origin_ns + off as i64).div_euclid(NS_PER_MINUTE);
        let first = minute(0);
        let minutes = (minute(trace.last_offset_ns()) - first + 1) as u64;
        // Counted sparsely: a trace may span years with few requests (a vector per minute
        // would not fit in memory), and the minutes with no request count as 0.
        let mut per_minute_counts = std::collections::BTreeMap::new();
        for off in &trace.offsets_ns {
            *per_minute_counts
                .entry(minute(*off) - first)
                .or_insert(0u64) += 1;
        }
        let mean_pm = n as f64 / minutes as f64;
        let max_pm = per_minute_counts.values().copied().max().unwrap_or(0) as f64;
        let min_pm = if (per_minute_counts.len() as u64) < minutes {
            0.0
        } else {
            per_minute_counts.values().copied().min().unwrap_or(0) as f64
        };
        TraceStats {
            requests: n,
            duration_s,
            mean_rate_rps: if duration_s > 0.0 {
                n as f64 / duration_s
            } else {
                f64::NAN
            },
            interarrival_cv,
            per_minute_max_over_mean: max_pm / mean_pm,
            per_minute_min_over_mean: min_pm / mean_pm,
            minutes,
            per_minute_counts,
            prompt: token_stats(&trace.prompt_tokens),
            output: token_stats(&trace.output_tokens),
        }
    }

    /// The report `meridian workload stats` prints, ending with a `[requests]` section that
    /// a scenario can use as its synthetic mix.
    pub fn render(&self, file: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "trace {file}");
        let _ = writeln!(s, "  requests               {}", self.requests);
        let _ = writeln!(s, "  duration [s]           {:.1}", self.duration_s);
        let _ = writeln!(s, "  mean rate [req/s]      {:.3}", self.mean_rate_rps);
        let _ = writeln!(s, "  inter-arrival CV       {:.3}", self.interarrival_cv);
        let _ = writeln!(
            s,
            "  per minute max/mean    {:.3}  (min/mean {:.3}, {} clock minutes, partial ones included)",
            self.per_minute_max_over_mean, self.per_minute_min_over_mean, self.minutes
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  tokens   mean     p50      p90      p99      max      fitted log-normal median / p90"
        );
        for (name, t) in [("prompt", &self.prompt), ("output", &self.output)] {
            let _ = writeln!(
                s,
                "  {name:<7}{:>7.1}{:>9.1}{:>9.1}{:>9.1}{:>9}      {:.1} / {:.1}",
                t.mean, t.p50, t.p90, t.p99, t.max, t.fit.median, t.fit.p90
            );
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "# Synthetic mix fitted to {file} (log-normal, maximum likelihood; max = largest seen):"
        );
        let _ = writeln!(s, "[requests]");
        for (name, t) in [
            ("prompt_tokens", &self.prompt),
            ("output_tokens", &self.output),
        ] {
            let _ = writeln!(
                s,
                "{name} = {{ dist = \"lognormal\", median = {:.1}, p90 = {:.1}, max = {:.0} }}",
                t.fit.median, t.fit.p90, t.fit.max
            );
        }
        s
    }

    /// The summary lines of [`render`](Self::render) as (label, value) pairs, shared by the
    /// markdown table so both show the same figures at the same precision.
    fn summary_rows(&self) -> Vec<(&'static str, String)> {
        vec![
            ("requests", self.requests.to_string()),
            ("duration [s]", format!("{:.1}", self.duration_s)),
            ("mean rate [req/s]", format!("{:.3}", self.mean_rate_rps)),
            ("inter-arrival CV", format!("{:.3}", self.interarrival_cv)),
            (
                "per minute max/mean",
                format!("{:.3}", self.per_minute_max_over_mean),
            ),
            (
                "per minute min/mean",
                format!("{:.3}", self.per_minute_min_over_mean),
            ),
            (
                "clock minutes (partial ones included)",
                self.minutes.to_string(),
            ),
        ]
    }

    /// The token table of [`render`](Self::render): one row per token column.
    fn token_table(&self) -> Table {
        let mut t = Table::new(&[
            "tokens",
            "mean",
            "p50",
            "p90",
            "p99",
            "max",
            "fit median",
            "fit p90",
        ]);
        for (name, s) in [("prompt", &self.prompt), ("output", &self.output)] {
            t.row(vec![
                name.to_string(),
                format!("{:.1}", s.mean),
                format!("{:.1}", s.p50),
                format!("{:.1}", s.p90),
                format!("{:.1}", s.p99),
                s.max.to_string(),
                format!("{:.1}", s.fit.median),
                format!("{:.1}", s.fit.p90),
            ]);
        }
        t
    }

    /// The `[requests]` section a scenario can paste (the end of [`render`](Self::render)).
    fn requests_toml(&self) -> String {
        let mut s = String::from("[requests]\n");
        for (name, t) in [
            ("prompt_tokens", &self.prompt),
            ("output_tokens", &self.output),
        ] {
            let _ = writeln!(
                s,
                "{name} = {{ dist = \"lognormal\", median = {:.1}, p90 = {:.1}, max = {:.0} }}",
                t.fit.median, t.fit.p90, t.fit.max
            );
        }
        s
    }

    /// The report of [`render`](Self::render) in markdown: the summary and the token
    /// percentiles as tables, the fitted mix as a TOML code block.
    pub fn render_markdown(&self, file: &str) -> String {
        let mut summary = Table::new(&["trace", file]);
        for (label, value) in self.summary_rows() {
            summary.row(vec![label.to_string(), value]);
        }
        format!(
            "{}\n{}\nSynthetic mix fitted to {file} (log-normal, maximum likelihood; max = largest seen):\n\n```toml\n{}```\n",
            summary.render_markdown(),
            self.token_table().render_markdown(),
            self.requests_toml()
        )
    }

    /// Every figure as one `metric,value` CSV table, one row per metric, metric names as the
    /// JSON keys of [`to_json`](Self::to_json) flattened with `.` (e.g. `prompt_tokens.p90`,
    /// units in the names). Long rather than wide so that trace-level figures and the two
    /// token columns fit one table a spreadsheet can look up by name; rounded as in JSON.
    pub fn render_csv(&self) -> String {
        let mut t = Table::new(&["metric", "value"]);
        fn flatten(prefix: &str, v: &Value, t: &mut Table) {
            match v {
                Value::Object(o) => {
                    for (k, v) in o {
                        let key = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        flatten(&key, v, t);
                    }
                }
                Value::String(s) => t.row(vec![prefix.to_string(), s.clone()]),
                // NaN (a trace of one request has no rate) is null in JSON, empty here.
                Value::Null => t.row(vec![prefix.to_string(), String::new()]),
                other => t.row(vec![prefix.to_string(), other.to_string()]),
            }
        }
        flatten("", &self.to_json_with(None), &mut t);
        t.render_csv()
    }

    /// Every figure as a JSON object with units in the key names; rates and ratios to 4
    /// decimals, durations to the ms, token figures to 0.1 token. NaN (undefined, e.g. the
    /// rate of a one-request trace) is `null`.
    pub fn to_json(&self, file: &str) -> Value {
        self.to_json_with(Some(file))
    }

    fn to_json_with(&self, file: Option<&str>) -> Value {
        let tokens = |t: &TokenStats| {
            json!({
                "mean": round(t.mean, 1),
                "p50": round(t.p50, 1),
                "p90": round(t.p90, 1),
                "p99": round(t.p99, 1),
                "max": t.max,
                "fit": {
                    "dist": "lognormal",
                    "median": round(t.fit.median, 1),
                    "p90": round(t.fit.p90, 1),
                    // A whole token count (the largest seen), as the scenario writes it.
                    "max": t.fit.max as u64,
                },
            })
        };
        let mut v = json!({
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "mean_rate_rps": round(self.mean_rate_rps, 4),
            "interarrival_cv": round(self.interarrival_cv, 4),
            "clock_minutes": self.minutes,
            "per_minute_max_over_mean": round(self.per_minute_max_over_mean, 4),
            "per_minute_min_over_mean": round(self.per_minute_min_over_mean, 4),
            "prompt_tokens": tokens(&self.prompt),
            "output_tokens": tokens(&self.output),
        });
        if let Some(file) = file {
            v["file"] = json!(file);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::TraceColumns;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let v = [1, 2, 3, 4];
        assert_eq!(percentile(&v, 50.0), 2.5);
        assert_eq!(percentile(&v, 100.0), 4.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
    }

    #[test]
    fn a_trace_spanning_centuries_is_counted_sparsely() {
        let text = "TIMESTAMP,ContextTokens,GeneratedTokens\n1970-01-01 00:00:00,1,1\n2200-01-01 00:00:00,1,1\n";
        let s = TraceStats::of(&Trace::parse(text, "x", &TraceColumns::default()).unwrap());
        assert!(s.minutes > 100_000_000);
        assert_eq!(s.per_minute_min_over_mean, 0.0);
    }

    #[test]
    fn regular_arrivals_have_zero_cv_and_flat_minutes() {
        let mut text = String::from("TIMESTAMP,ContextTokens,GeneratedTokens\n");
        for i in 0..120 {
            let _ = writeln!(text, "{},{},{}", i, 100, 10);
        }
        let t = Trace::parse(&text, "x", &TraceColumns::default()).unwrap();
        let s = TraceStats::of(&t);
        assert_eq!(s.minutes, 2);
        assert_eq!(
            s.per_minute_counts.values().copied().collect::<Vec<_>>(),
            vec![60, 60]
        );
        assert_eq!(s.per_minute_min_over_mean, 1.0);
        assert!(s.interarrival_cv.abs() < 1e-12);
        assert!((s.prompt.fit.median - 100.0).abs() < 1e-9);
    }
}
