//! Trace replay and closed-loop load: a replayed trace keeps its arrival times and token
//! counts; speed-up, looping, sites and time shifts do what they say; closed-loop users
//! keep one request each in flight.

use std::path::{Path, PathBuf};

use meridian::run::{RunOptions, run};
use meridian::scenario::Scenario;
use meridian::workload::stats::percentile;
use meridian::workload::{Trace, TraceColumns};
use meridian::world::{SentRequest, open_loop_arrivals};

use crate::cli::scratch_dir;
use crate::support::{assert_close, catalog};

fn conv_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/azure2023_conv.csv")
}

/// A one-region scenario replaying `trace_toml` (a `[traffic.trace]` body), written next to
/// nothing: the trace path is absolute.
fn replay_scenario(duration_s: u32, sites: &str, trace_toml: &str) -> Scenario {
    let src = format!(
        "[simulation]\nduration_s = {duration_s}\n[routing]\npolicy = \"latency\"\n\
         [[regions]]\ncode = \"us-west-2\"\nprofile = \"llama-2-7b@g5.12xlarge\"\ninstances = 8\n\
         max_queue = 100000\ntimeout_s = 600\n\
         [traffic]\nsites = [{sites}]\n[traffic.trace]\n{trace_toml}\n"
    );
    Scenario::from_toml(&src, "inline.toml", &catalog()).unwrap_or_else(|e| panic!("{e}"))
}

fn conv_file_line() -> String {
    format!("file = {:?}", conv_path().display().to_string())
}

/// Seconds since midnight, in ns, of an Azure timestamp, parsed independently of the library.
fn clock_ns(ts: &str) -> i64 {
    let time = ts.split(' ').nth(1).expect("date and time");
    let (hms, frac) = time.split_once('.').unwrap_or((time, "0"));
    let mut parts = hms.split(':').map(|p| p.parse::<i64>().unwrap());
    let (h, m, s) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let frac_ns: i64 = format!("{frac:0<9}")[..9].parse().unwrap();
    ((h * 60 + m) * 60 + s) * 1_000_000_000 + frac_ns
}

#[test]
fn replaying_the_azure_conversation_trace_reproduces_its_minutes_and_tokens() {
    let text = std::fs::read_to_string(conv_path()).unwrap();
    let rows: Vec<(i64, u32, u32)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (clock_ns(f[0]), f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 19_366);
    let t0 = rows[0].0;
    let minutes = |t_ns: i64| (t_ns / 60_000_000_000) as usize;
    let mut want = vec![0u64; 60];
    for r in &rows {
        want[minutes(r.0 - t0)] += 1;
    }

    let s = replay_scenario(3600, "{ name = \"seattle\" }", &conv_file_line());
    let sent = open_loop_arrivals(&s, 0);
    let mut got = vec![0u64; 60];
    for r in &sent {
        got[minutes(r.at.as_us() as i64 * 1000)] += 1;
    }
    assert_eq!(
        got, want,
        "per-minute arrival counts (minutes from the first request)"
    );
    // And per clock minute of the file (18:15, 18:16, ...): the run's time plus the first
    // request's second within its minute.
    let into_minute_ns = t0 % 60_000_000_000;
    let clock = |t_ns: i64| minutes(t_ns + into_minute_ns);
    let mut want_clock = vec![0u64; 60];
    for r in &rows {
        want_clock[clock(r.0 - t0)] += 1;
    }
    let mut got_clock = vec![0u64; 60];
    for r in &sent {
        got_clock[clock(r.at.as_us() as i64 * 1000)] += 1;
    }
    assert_eq!(got_clock, want_clock, "per-clock-minute arrival counts");
    assert_eq!(want_clock[0], 21, "18:15, a partial minute");
    assert_eq!(*want_clock.iter().max().unwrap(), 502);

    let mut prompt: Vec<u32> = sent.iter().map(|r| r.prompt_tokens).collect();
    let mut output: Vec<u32> = sent.iter().map(|r| r.output_tokens).collect();
    prompt.sort_unstable();
    output.sort_unstable();
    // The trace's percentiles (REFERENCE.md §6.4, llm_trace_stats_azure2023.csv).
    for (got, want) in [
        (percentile(&prompt, 50.0), 1020.0),
        (percentile(&prompt, 90.0), 2734.5),
        (percentile(&prompt, 99.0), 4142.0),
        (percentile(&output, 50.0), 129.0),
        (percentile(&output, 90.0), 424.0),
        (percentile(&output, 99.0), 601.0),
    ] {
        assert_eq!(got, want);
    }
    let mut in_file: Vec<(u32, u32)> = rows.iter().map(|r| (r.1, r.2)).collect();
    let mut replayed: Vec<(u32, u32)> = sent
        .iter()
        .map(|r| (r.prompt_tokens, r.output_tokens))
        .collect();
    in_file.sort_unstable();
    replayed.sort_unstable();
    assert_eq!(replayed, in_file, "every row replayed once, tokens intact");
}

#[test]
fn a_replay_run_serves_every_trace_request_with_its_tokens() {
    let s = replay_scenario(3700, "{ name = \"seattle\" }", &conv_file_line());
    let r = run(&s, RunOptions::default());
    assert_eq!(r.merged.requests_simulated, 19_366);
    assert_eq!(r.merged.outcomes.completed, 19_366);
    let trace = Trace::load(&conv_path(), "conv", &TraceColumns::default()).unwrap();
    let prompt: u64 = r.merged.regions.iter().map(|m| m.prompt_tokens).sum();
    let output: u64 = r.merged.regions.iter().map(|m| m.output_tokens).sum();
    let want_prompt: u64 = trace.prompt_tokens.iter().map(|t| u64::from(*t)).sum();
    let want_output: u64 = trace.output_tokens.iter().map(|t| u64::from(*t)).sum();
    assert_eq!((prompt, output), (want_prompt, want_output));
}

#[test]
fn speedup_compresses_the_trace_and_looping_fills_the_run() {
    let trace = Trace::load(&conv_path(), "conv", &TraceColumns::default()).unwrap();
    let n = trace.len();
    // Three times faster: all of it within a third of its span.
    let s = replay_scenario(
        1200,
        "{ name = \"seattle\" }",
        &format!("{}\nspeedup = 3.0", conv_file_line()),
    );
    let sent = open_loop_arrivals(&s, 0);
    assert_eq!(sent.len(), n);
    let last_s = sent.last().unwrap().at.as_secs_f64();
    assert_close(
        last_s,
        trace.last_offset_ns() as f64 * 1e-9 / 3.0,
        1e-6,
        "last arrival",
    );

    // Looped over two hours: two whole passes and the start of a third.
    let s = replay_scenario(
        7200,
        "{ name = \"seattle\" }",
        &format!("{}\nloop = true", conv_file_line()),
    );
    let sent = open_loop_arrivals(&s, 0);
    let third_pass_ns = 7_200_000_000_000 - 2 * trace.period_ns();
    let third = trace
        .offsets_ns
        .iter()
        .filter(|o| **o / 1000 < third_pass_ns / 1000)
        .count();
    assert_eq!(sent.len(), 2 * n + third);
    assert!(sent.windows(2).all(|w| w[0].at <= w[1].at));

    // Not looped, the trace simply ends.
    let s = replay_scenario(7200, "{ name = \"seattle\" }", &conv_file_line());
    assert_eq!(open_loop_arrivals(&s, 0).len(), n);
}

#[test]
fn requests_go_to_sites_by_share_partitioning_the_trace() {
    let s = replay_scenario(
        3600,
        "{ name = \"london\", share = 3 }, { name = \"tokyo\", share = 1 }",
        &conv_file_line(),
    );
    let sent = open_loop_arrivals(&s, 0);
    assert_eq!(sent.len(), 19_366, "each row goes to exactly one site");
    let london = sent.iter().filter(|r| r.site == 0).count() as f64;
    // Binomial(19366, 0.75): sd 60; allow 4 sd.
    assert!((london - 0.75 * 19_366.0).abs() < 240.0, "{london}");
    // Another replication draws the sites anew; the times are the trace's either way.
    let other = open_loop_arrivals(&s, 1);
    assert_ne!(
        sent.iter().map(|r| r.site).collect::<Vec<_>>(),
        other.iter().map(|r| r.site).collect::<Vec<_>>()
    );
}

/// Writes a small trace (one request every 10 s for an hour, alternating sites) and returns
/// its path.
fn small_trace(dir: &Path) -> PathBuf {
    let mut text = String::from("t,in,out,who\n");
    for i in 0..360 {
        let who = if i % 2 == 0 { "london" } else { "tokyo" };
        text.push_str(&format!("{},{},{},{who}\n", i * 10, 100 + i, 10));
    }
    let path = dir.join("small.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_site_column_assigns_requests_and_mapped_columns_load() {
    let dir = scratch_dir("trace-site-column");
    let path = small_trace(&dir);
    let s = replay_scenario(
        3600,
        "{ name = \"london\" }, { name = \"tokyo\" }",
        &format!(
            "file = {:?}\ntimestamp_column = \"t\"\nprompt_column = \"in\"\noutput_column = \"out\"\nsite_column = \"who\"",
            path.display().to_string()
        ),
    );
    let sent = open_loop_arrivals(&s, 0);
    assert_eq!(sent.len(), 360);
    for r in &sent {
        let i = (r.at.as_us() / 10_000_000) as u32;
        assert_eq!(r.site, i % 2, "row {i}");
        assert_eq!(r.prompt_tokens, 100 + i);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_time_shift_makes_each_site_follow_its_local_clock() {
    let dir = scratch_dir("trace-shift");
    let path = small_trace(&dir);
    // An inline site 15 minutes east of the recording: it replays the trace 900 s early,
    // wrapping round the one-hour period (360 rows × 10 s).
    let s = replay_scenario(
        3600,
        "{ name = \"east\", lat = 51.5, lon = 0.0, utc_offset_hours = 0.25, country = \"United Kingdom\", continent = \"EU\" }",
        &format!(
            "file = {:?}\ntimestamp_column = \"t\"\nprompt_column = \"in\"\noutput_column = \"out\"\nloop = true\nrecorded_utc_offset_hours = 0.0",
            path.display().to_string()
        ),
    );
    let sent = open_loop_arrivals(&s, 0);
    assert_eq!(sent.len(), 360);
    let first = sent[0];
    assert_eq!((first.at.as_us(), first.prompt_tokens), (0, 100 + 90));
    let row0: &SentRequest = sent.iter().find(|r| r.prompt_tokens == 100).unwrap();
    assert_eq!(row0.at.as_us(), 2_700_000_000);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One closed-loop site next to its region, every network delay off, a constant service
/// time: each user completes a request every `service + think` seconds.
fn closed_loop(users: u32, think_mean_s: f64) -> Scenario {
    let src = format!(
        "[simulation]\nduration_s = 3000\nwarmup_s = 60\nseed = 3\n\
         [network]\nlast_mile_ms = 0\nbackbone_overhead_ms = 0\njitter_ms = 0\nnew_connection_share = 0\n\
         [routing]\npolicy = \"latency\"\n\
         [[regions]]\ncode = \"eu-west-1\"\nprofile = \"llama-2-7b@g5.2xlarge\"\ninstances = 1\nmax_batch = {users}\n\
         service = {{ kind = \"deterministic\", ms = 1000 }}\n\
         [traffic]\nsites = [{{ name = \"dub\", lat = 53.35, lon = -6.26, utc_offset_hours = 0, country = \"Ireland\", continent = \"EU\", virtual_users = {users}, think_mean_s = {think_mean_s} }}]\n"
    );
    Scenario::from_toml(&src, "inline.toml", &catalog()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn closed_loop_users_keep_one_request_each_in_flight() {
    let r = run(&closed_loop(5, 0.0), RunOptions::default());
    // 5 users × 3000 s ÷ (1 s service + a sub-ms round trip).
    assert_close(
        r.merged.outcomes.completed as f64,
        15_000.0,
        0.01,
        "completed",
    );
    assert_eq!(r.merged.waited, 0, "never more requests than batch slots");
    assert_close(
        r.merged.latency.e2e.percentile_ms(50.0),
        1000.0,
        0.01,
        "latency",
    );
}

#[test]
fn think_time_spaces_a_users_requests() {
    let r = run(&closed_loop(20, 4.0), RunOptions::default());
    // Each user: 1 s service + 4 s mean think → 20 × 3000 / 5 = 12000 requests.
    assert_close(
        r.merged.outcomes.completed as f64,
        12_000.0,
        0.03,
        "completed",
    );
}

#[test]
fn workload_stats_reports_rate_burstiness_and_a_fitted_mix() {
    let path = conv_path().display().to_string();
    let o = crate::cli::meridian_with(&["workload", "stats", &path]);
    crate::cli::assert_exit(&o, 0, "workload stats");
    let out = crate::cli::stdout(&o);
    for want in [
        "requests               19366",
        "mean rate [req/s]      5.530",
        "inter-arrival CV       1.094",
        "per minute max/mean    1.555",
        "prompt  1154.7   1020.0   2734.5   4142.0    14050",
        "output   211.1    129.0    424.0    601.0     1000",
        "prompt_tokens = { dist = \"lognormal\", median = 760.0, p90 = 2686.1, max = 14050 }",
    ] {
        assert!(out.contains(want), "lacks {want:?}:\n{out}");
    }
}

#[test]
fn workload_stats_formats_agree_with_the_table() {
    let path = conv_path().display().to_string();
    let stats = |format: &str| {
        let o = crate::cli::meridian_with(&["workload", "stats", &path, "--format", format]);
        crate::cli::assert_exit(&o, 0, format);
        crate::cli::stdout(&o)
    };
    // The default is the table.
    assert_eq!(
        stats("table"),
        crate::cli::stdout(&crate::cli::meridian_with(&["workload", "stats", &path]))
    );

    let doc: serde_json::Value = serde_json::from_str(&stats("json")).expect("JSON parses");
    let num = |ptr: &str| {
        doc.pointer(ptr)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or_else(|| panic!("no number at {ptr}: {doc}"))
    };
    assert_eq!(num("/requests"), 19366.0);
    assert_eq!(format!("{:.3}", num("/mean_rate_rps")), "5.530");
    assert_eq!(format!("{:.3}", num("/interarrival_cv")), "1.094");
    assert_eq!(format!("{:.3}", num("/per_minute_max_over_mean")), "1.555");
    assert_eq!(format!("{:.1}", num("/duration_s")), "3501.7");
    assert_eq!(num("/prompt_tokens/p90"), 2734.5);
    assert_eq!(num("/prompt_tokens/max"), 14050.0);
    assert_eq!(num("/prompt_tokens/fit/median"), 760.0);
    assert_eq!(num("/prompt_tokens/fit/p90"), 2686.1);
    assert_eq!(num("/output_tokens/mean"), 211.1);
    assert_eq!(doc["file"], path.as_str());

    let csv = stats("csv");
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("metric,value"));
    let rows: std::collections::BTreeMap<&str, &str> = lines
        .map(|l| {
            l.split_once(',')
                .unwrap_or_else(|| panic!("not two fields: {l}"))
        })
        .collect();
    // Trace-level figures, then mean/p50/p90/p99/max and the three fit figures (and the
    // distribution name) per token column.
    assert_eq!(rows.len(), 7 + 2 * 9, "{csv}");
    assert_eq!(rows["requests"], "19366");
    assert!(rows["mean_rate_rps"].starts_with("5.530"), "{csv}");
    assert!(rows["interarrival_cv"].starts_with("1.094"), "{csv}");
    assert_eq!(rows["prompt_tokens.p99"], "4142.0");
    assert_eq!(rows["output_tokens.fit.p90"], "454.8");

    let md = stats("markdown");
    assert!(md.contains("|---"), "{md}");
    for want in [
        "| mean rate [req/s] | 5.530 |",
        "| inter-arrival CV | 1.094 |",
        "| prompt | 1154.7 | 1020.0 | 2734.5 | 4142.0 | 14050 | 760.0 | 2686.1 |",
        "prompt_tokens = { dist = \"lognormal\", median = 760.0, p90 = 2686.1, max = 14050 }",
    ] {
        assert!(md.contains(want), "lacks {want:?}:\n{md}");
    }
}

#[test]
fn workload_stats_refuses_bad_traces_naming_file_and_line() {
    for (file, want) in [
        ("bad_timestamp.csv", "bad_timestamp.csv:3: timestamp"),
        (
            "negative_tokens.csv",
            "negative_tokens.csv:3: GeneratedTokens \"-109\"",
        ),
        ("out_of_order.csv", "out_of_order.csv:4: timestamp"),
        ("empty.csv", "empty.csv has no requests"),
        ("missing.csv", "cannot read trace"),
        ("", "not a regular file"),
    ] {
        let path = format!("tests/bad_traces/{file}");
        let o = crate::cli::meridian_with(&["workload", "stats", &path]);
        crate::cli::assert_exit(&o, 2, file);
        let err = crate::cli::stderr(&o);
        assert!(
            err.contains(want) && !err.contains("panicked"),
            "{file}: {err}"
        );
    }
}

#[test]
fn the_fitted_mix_from_workload_stats_runs_as_a_synthetic_workload() {
    let trace = Trace::load(&conv_path(), "conv", &TraceColumns::default()).unwrap();
    let stats = meridian::workload::stats::TraceStats::of(&trace);
    let report = stats.render("conv");
    let requests = &report[report.find("[requests]").expect("a [requests] section")..];
    let src = format!(
        "[simulation]\nduration_s = 3600\n[routing]\npolicy = \"latency\"\n\
         [[regions]]\ncode = \"us-west-2\"\nprofile = \"llama-2-7b@g5.12xlarge\"\ninstances = 8\n\
         [traffic]\ntotal_rate_rps = 5.53\nsites = [{{ name = \"seattle\" }}]\n{requests}"
    );
    let s = Scenario::from_toml(&src, "inline.toml", &catalog()).unwrap_or_else(|e| panic!("{e}"));
    let sent = open_loop_arrivals(&s, 0);
    let mut prompt: Vec<u32> = sent.iter().map(|r| r.prompt_tokens).collect();
    let mut output: Vec<u32> = sent.iter().map(|r| r.output_tokens).collect();
    prompt.sort_unstable();
    output.sort_unstable();
    // ~19900 draws: the sample median is within a few per cent of the fitted one (the
    // truncation at the largest count seen lowers upper percentiles a little more, so p90 is
    // not compared).
    assert_close(
        percentile(&prompt, 50.0),
        stats.prompt.fit.median,
        0.04,
        "prompt median",
    );
    assert_close(
        percentile(&output, 50.0),
        stats.output.fit.median,
        0.04,
        "output median",
    );
}

/// Regression: a closed-loop user refused at once (region down, no network delay) used to
/// resend at the same instant forever; after an error it now pauses 1 s.
#[test]
fn closed_loop_users_pause_after_errors_instead_of_spinning() {
    let src = "[simulation]\nduration_s = 600\n\
        [network]\nlast_mile_ms = 0\nbackbone_overhead_ms = 0\njitter_ms = 0\nnew_connection_share = 0\n\
        [routing]\npolicy = \"latency\"\n\
        [[regions]]\ncode = \"eu-west-1\"\nprofile = \"llama-2-7b@g5.2xlarge\"\ninstances = 1\n\
        [[faults]]\nkind = \"outage\"\nregion = \"eu-west-1\"\nstart_s = 0\nduration_s = 600\n\
        [traffic]\nsites = [{ name = \"dub\", lat = 53.35, lon = -6.26, utc_offset_hours = 0, country = \"Ireland\", continent = \"EU\", virtual_users = 3 }]\n";
    let s = Scenario::from_toml(src, "inline.toml", &catalog()).unwrap_or_else(|e| panic!("{e}"));
    let r = run(&s, RunOptions::default());
    // 3 users, one refused request per second each, for 600 s.
    assert_close(r.merged.outcomes.failed as f64, 1800.0, 0.01, "failed");
}
