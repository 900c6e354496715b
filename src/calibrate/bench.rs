//! Reading benchmark rows (the columns of `llm_serving_tgi_llama2_sagemaker.csv`).

use super::CalibrateError;

/// One published closed-loop benchmark measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRow {
    pub model: String,
    /// As written in the file, e.g. `ml.g5.2xlarge`.
    pub instance: String,
    /// Concurrent (closed-loop) users.
    pub users: u32,
    /// Generated tokens/s across all users.
    pub throughput_tok_s: f64,
    /// Median request latency ÷ generated tokens, ms.
    pub ms_per_token_p50: f64,
    /// Generated tokens per request.
    pub gen_tokens: u32,
    /// Line in the file (1-based).
    pub line: usize,
}

const COLUMNS: [&str; 6] = [
    "model",
    "instance",
    "concurrent_users",
    "throughput_tok_s",
    "ms_per_token_p50",
    "gen_tokens_per_request",
];

/// Parses benchmark CSV text: `#` lines are comments, the first other line the header, which
/// must have the columns `model, instance, concurrent_users, throughput_tok_s,
/// ms_per_token_p50, gen_tokens_per_request` (others are ignored).
pub fn parse_bench(text: &str, file: &str) -> Result<Vec<BenchRow>, CalibrateError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let row_err = |line: usize, problem: String| CalibrateError::Row {
        file: file.into(),
        line,
        problem,
    };
    let Some((hline, header)) = lines.next() else {
        return Err(row_err(
            1,
            "the file is empty; expected a header and rows".into(),
        ));
    };
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let mut idx = [0usize; 6];
    for (slot, col) in idx.iter_mut().zip(COLUMNS) {
        *slot = names.iter().position(|n| *n == col).ok_or_else(|| {
            row_err(
                hline,
                format!(
                    "no column \"{col}\" in the header (need: {})",
                    COLUMNS.join(", ")
                ),
            )
        })?;
    }
    let mut rows = Vec::new();
    for (line, text) in lines {
        let f: Vec<&str> = text.split(',').map(str::trim).collect();
        if f.len() < names.len() {
            return Err(row_err(
                line,
                format!("{} fields, the header has {}", f.len(), names.len()),
            ));
        }
        let number = |i: usize| {
            f[idx[i]]
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| {
                    row_err(
                        line,
                        format!("{} \"{}\" is not a positive number", COLUMNS[i], f[idx[i]]),
                    )
                })
        };
        let whole = |i: usize| {
            f[idx[i]]
                .parse::<u32>()
                .ok()
                .filter(|v| *v >= 1)
                .ok_or_else(|| {
                    row_err(
                        line,
                        format!("{} \"{}\" is not a whole number ≥ 1", COLUMNS[i], f[idx[i]]),
                    )
                })
        };
        rows.push(BenchRow {
            model: f[idx[0]].to_string(),
            instance: f[idx[1]].to_string(),
            users: whole(2)?,
            throughput_tok_s: number(3)?,
            ms_per_token_p50: number(4)?,
            gen_tokens: whole(5)?,
            line,
        });
    }
    Ok(rows)
}

/// SageMaker names (`ml.g5.2xlarge`) and EC2 names (`g5.2xlarge`) are the same hardware.
pub(super) fn ec2_name(instance: &str) -> &str {
    instance.strip_prefix("ml.").unwrap_or(instance)
}

/// The rows of `model` (exact, ignoring case) on `instance` (with or without `ml.`), sorted
/// by users.
pub fn select(
    rows: &[BenchRow],
    file: &str,
    model: &str,
    instance: &str,
) -> Result<Vec<BenchRow>, CalibrateError> {
    let mut out: Vec<BenchRow> = rows
        .iter()
        .filter(|r| {
            r.model.eq_ignore_ascii_case(model) && ec2_name(&r.instance) == ec2_name(instance)
        })
        .cloned()
        .collect();
    if out.is_empty() {
        let mut available: Vec<String> = rows
            .iter()
            .map(|r| format!("{} on {}", r.model, r.instance))
            .collect();
        available.dedup();
        return Err(CalibrateError::NoRows {
            file: file.into(),
            model: model.into(),
            instance: instance.into(),
            available: available.join("; "),
        });
    }
    out.sort_by_key(|r| r.users);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "# source: test\nmodel,instance,concurrent_users,throughput_tok_s,ms_per_token_p50,gen_tokens_per_request\n\
        m,ml.g5.2xlarge,5,100.5,40.0,50\nm,ml.g5.2xlarge,1,30,31,50\nother,ml.g5.2xlarge,1,30,31,50\n";

    #[test]
    fn rows_are_read_and_selected() {
        let rows = parse_bench(CSV, "b.csv").unwrap();
        assert_eq!(rows.len(), 3);
        let sel = select(&rows, "b.csv", "M", "g5.2xlarge").unwrap();
        assert_eq!(sel.iter().map(|r| r.users).collect::<Vec<_>>(), vec![1, 5]);
        let e = select(&rows, "b.csv", "x", "g5.2xlarge")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("it has: m on ml.g5.2xlarge; other on ml.g5.2xlarge"),
            "{e}"
        );
    }

    #[test]
    fn bad_rows_name_the_line() {
        let bad = CSV.replace("100.5", "-3");
        let e = parse_bench(&bad, "b.csv").unwrap_err().to_string();
        assert!(e.contains("b.csv:3: throughput_tok_s \"-3\""), "{e}");
        let e = parse_bench("a,b\n", "b.csv").unwrap_err().to_string();
        assert!(e.contains("b.csv:1: no column \"model\""), "{e}");
    }
}
