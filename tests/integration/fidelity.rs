//! Fidelity report: the simulator against published closed-loop benchmark rows (Hugging Face
//! TGI 1.0.3 on SageMaker, calibration/llm_serving_tgi_llama2_sagemaker.csv).
//!
//! Not circular: each profile is fitted (`meridian calibrate`) on the 1- and 20-user rows
//! only, then the benchmark setting (N closed-loop users, no think time, 50 output tokens, one
//! instance) is *simulated* at 1, 5, 10 and 20 users and compared with every row; the 5- and
//! 10-user rows were never seen by the fit. The shipped profiles (fitted by OLS on all four
//! rows, so in-sample) are checked the same way. Print the table with
//! `cargo test --release --test integration fidelity -- --nocapture`.

use std::fmt::Write;
use std::path::Path;

use meridian::calibrate::{self, FitOptions, pct, simulate_closed_loop};
use meridian::catalog::ServingProfile;

use crate::support::catalog;

const BENCH: &str = "calibration/llm_serving_tgi_llama2_sagemaker.csv";
/// The load test's prompts are short ShareGPT samples whose size is not published; the
/// same assumption is used to fit and to simulate.
const PROMPT_TOKENS: u32 = 256;
const TOLERANCE_PCT: f64 = 10.0;
/// Model and instance as in the benchmark file, and the shipped profile of the pair.
const PAIRS: [(&str, &str, &str); 3] = [
    (
        "meta-llama/Llama-2-7b-hf",
        "ml.g5.2xlarge",
        "llama-2-7b@g5.2xlarge",
    ),
    (
        "meta-llama/Llama-2-13b-hf",
        "ml.g5.12xlarge",
        "llama-2-13b@g5.12xlarge",
    ),
    (
        "meta-llama/Llama-2-7b-hf",
        "ml.g5.12xlarge",
        "llama-2-7b@g5.12xlarge",
    ),
];

fn rows(model: &str, instance: &str) -> Vec<calibrate::BenchRow> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(BENCH);
    let text = std::fs::read_to_string(path).expect("benchmark copied into the repository");
    let all = calibrate::parse_bench(&text, BENCH).expect("benchmark parses");
    calibrate::select(&all, BENCH, model, instance).expect("rows exist")
}

/// Simulates every row's setting with `profile`; prints the table; returns the largest
/// absolute error (tok/s, ms/token) in per cent, over all rows and over held-out rows.
fn report(
    title: &str,
    profile: &ServingProfile,
    rows: &[calibrate::BenchRow],
    fit_users: &[u32],
) -> (f64, f64) {
    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n{title}: profile {} (tpot {:.3} + {:.4} (b-1) ms, prefill {} tok/s)",
        profile.name,
        profile.tpot_ms_batch1,
        profile.tpot_ms_per_extra_seq,
        profile.prefill_tokens_per_s
    );
    table.push_str(&calibrate::table_header("simulated"));
    let cat = catalog();
    let (mut worst, mut worst_held_out) = (0.0f64, 0.0f64);
    for r in rows {
        let sim = simulate_closed_loop(&cat, profile, r.users, PROMPT_TOKENS, r.gen_tokens)
            .expect("simulates");
        let e_tp = pct(sim.throughput_tok_s, r.throughput_tok_s);
        let e_ms = pct(sim.ms_per_token_p50, r.ms_per_token_p50);
        let used = fit_users.contains(&r.users);
        table.push_str(&calibrate::table_row(
            r,
            used,
            sim.throughput_tok_s,
            sim.ms_per_token_p50,
        ));
        let e = e_tp.abs().max(e_ms.abs());
        worst = worst.max(e);
        if !used {
            worst_held_out = worst_held_out.max(e);
        }
    }
    // One print per table, so tables of tests running in parallel do not interleave.
    println!("{table}");
    (worst, worst_held_out)
}

/// Fits on the 1- and 20-user rows and simulates all four.
fn held_out_check(model: &str, instance: &str, shipped: &str) -> (f64, f64) {
    let rows = rows(model, instance);
    assert_eq!(
        rows.iter().map(|r| r.users).collect::<Vec<_>>(),
        vec![1, 5, 10, 20]
    );
    let prefill = catalog().serving_profiles[shipped].prefill_tokens_per_s;
    let opts = FitOptions {
        prompt_tokens: PROMPT_TOKENS,
        prefill_tokens_per_s: prefill,
        fit_users: Some(vec![1, 20]),
        max_batch: None,
    };
    let (model_part, instance_type) = shipped.split_once('@').expect("model@instance");
    let name = format!("{model_part}-holdout@{instance_type}");
    let fit = calibrate::fit(&rows, &name, model, instance_type, &opts, "test").expect("fits");
    report(
        &format!("{model} on {instance}, fitted on N=1,20"),
        &fit.profile,
        &rows,
        &[1, 20],
    )
}

#[test]
fn profiles_fitted_on_two_rows_predict_the_held_out_rows_within_10_percent() {
    for (model, instance, shipped) in PAIRS {
        let (worst, worst_held_out) = held_out_check(model, instance, shipped);
        assert!(
            worst <= TOLERANCE_PCT,
            "{model} on {instance}: worst error {worst:.1} %"
        );
        assert!(
            worst_held_out <= TOLERANCE_PCT,
            "{model} on {instance}: held out {worst_held_out:.1} %"
        );
    }
}

#[test]
fn shipped_profiles_reproduce_the_benchmark_within_10_percent() {
    let cat = catalog();
    for &(model, instance, shipped) in &PAIRS[..2] {
        let profile = &cat.serving_profiles[shipped];
        let (worst, _) = report(
            &format!("{model} on {instance}, shipped profile (in-sample)"),
            profile,
            &rows(model, instance),
            &[1, 5, 10, 20],
        );
        assert!(
            worst <= TOLERANCE_PCT,
            "{shipped}: worst error {worst:.1} %"
        );
    }
}

#[test]
fn calibrate_prints_the_fit_error_per_row_and_writes_the_profile() {
    let dir = crate::cli::scratch_dir("calibrate");
    let out = dir.join("profile.toml");
    let o = crate::cli::meridian_with(&[
        "calibrate",
        BENCH,
        "--model",
        "meta-llama/Llama-2-7b-hf",
        "--instance",
        "ml.g5.2xlarge",
        "--fit-users",
        "1,20",
        "--output",
        out.to_str().unwrap(),
    ]);
    crate::cli::assert_exit(&o, 0, "calibrate");
    let text = crate::cli::stdout(&o);
    assert!(text.contains("    5  held out           131.29     134.21        2.2                37.94      37.25       -1.8"), "{text}");
    let written = std::fs::read_to_string(&out).unwrap();
    for want in [
        "[[profile]]",
        "name = \"llama-2-7b@g5.2xlarge\"",
        "tpot_ms_batch1 = 28.718",
        "tpot_ms_per_extra_seq = 1.4597",
        "max_batch = 20",
    ] {
        assert!(written.contains(want), "{want}: {written}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn calibrate_formats_agree_with_the_table() {
    let calibrate = |format: &str| {
        let o = crate::cli::meridian_with(&[
            "calibrate",
            BENCH,
            "--model",
            "meta-llama/Llama-2-7b-hf",
            "--instance",
            "ml.g5.2xlarge",
            "--fit-users",
            "1,20",
            "--format",
            format,
        ]);
        crate::cli::assert_exit(&o, 0, format);
        crate::cli::stdout(&o)
    };
    let table = calibrate("table");
    assert!(table.contains("    5  held out           131.29     134.21        2.2                37.94      37.25       -1.8"), "{table}");

    let doc: serde_json::Value = serde_json::from_str(&calibrate("json")).expect("JSON parses");
    let num = |ptr: &str| {
        doc.pointer(ptr)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or_else(|| panic!("no number at {ptr}: {doc}"))
    };
    assert_eq!(doc["profile"]["name"], "llama-2-7b@g5.2xlarge");
    assert_eq!(format!("{:.3}", num("/profile/tpot_ms_batch1")), "28.718");
    assert_eq!(
        format!("{:.4}", num("/profile/tpot_ms_per_extra_seq")),
        "1.4597"
    );
    assert_eq!(num("/profile/max_batch"), 20.0);
    assert_eq!(
        format!("{:.3}", num("/fit/intercept_ms_per_token")),
        "30.960"
    );
    assert_eq!(doc["fit"]["fit_users"], serde_json::json!([1, 20]));
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["users"], 5);
    assert_eq!(rows[1]["in_fit"], false);
    // The JSON keeps more decimals (to 0.001 or 0.01 %) than the table; each agrees within
    // the table's rounding plus the JSON's own.
    for (ptr, shown, half_unit) in [
        ("/rows/1/predicted_throughput_tok_s", 134.21, 0.005),
        ("/rows/1/predicted_throughput_error_pct", 2.2, 0.05),
        ("/rows/1/predicted_ms_per_token", 37.25, 0.005),
        ("/rows/1/predicted_ms_per_token_error_pct", -1.8, 0.05),
    ] {
        let got = num(ptr);
        assert!(
            (got - shown).abs() <= half_unit + 1e-9,
            "{ptr}: {got} vs {shown}"
        );
    }

    let csv = calibrate("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "users,in_fit,output_tokens,published_throughput_tok_s,predicted_throughput_tok_s,predicted_throughput_error_pct,published_ms_per_token_p50,predicted_ms_per_token,predicted_ms_per_token_error_pct"
    );
    assert_eq!(lines.len(), 1 + 4, "{csv}");
    assert!(lines.iter().all(|l| l.split(',').count() == 9), "{csv}");
    assert!(lines[2].starts_with("5,false,50,131.29,134.21"), "{csv}");

    let md = calibrate("markdown");
    assert!(md.contains("|---"), "{md}");
    assert!(
        md.contains("| 5 | held out | 131.29 | 134.21 | 2.2 | 37.94 | 37.25 | -1.8 |"),
        "{md}"
    );
    assert!(md.contains("```toml\n[[profile]]\n"), "{md}");
}

#[test]
fn calibrate_refuses_unknown_rows_and_bad_files_with_exit_2() {
    for (args, want) in [
        (
            vec![
                "calibrate",
                BENCH,
                "--model",
                "gpt-5",
                "--instance",
                "ml.g5.2xlarge",
            ],
            "no rows for model \"gpt-5\"",
        ),
        (
            vec![
                "calibrate",
                "tests/bad_traces/empty.csv",
                "--model",
                "m",
                "--instance",
                "g5.2xlarge",
            ],
            "empty.csv:1: the file is empty",
        ),
        (
            vec![
                "calibrate",
                "no-such.csv",
                "--model",
                "m",
                "--instance",
                "g5.2xlarge",
            ],
            "cannot read benchmark no-such.csv",
        ),
        (
            vec![
                "calibrate",
                "tests",
                "--model",
                "m",
                "--instance",
                "g5.2xlarge",
            ],
            "tests: it is not a regular file",
        ),
        (
            vec![
                "calibrate",
                BENCH,
                "--model",
                "meta-llama/Llama-2-7b-hf",
                "--instance",
                "ml.g5.2xlarge",
                "--fit-users",
                "5",
            ],
            "two or more user counts",
        ),
    ] {
        let o = crate::cli::meridian_with(&args);
        crate::cli::assert_exit(&o, 2, want);
        let err = crate::cli::stderr(&o);
        assert!(err.contains(want) && !err.contains("panicked"), "{err}");
    }
}
