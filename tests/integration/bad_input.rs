//! Bad input never panics and is explained: every file in `tests/bad_scenarios/` is refused
//! by the real binary, under `validate` and `run` alike, with exit code 2 and a diagnostic that
//! names the file, points at the right line and column with the line and a caret under it,
//! and says what to do (`help:`). Inputs with no place in a file (missing, a directory,
//! empty, not text) are refused naming the file.
//!
//! Each corpus file starts with a comment saying what is wrong with it.

use std::collections::BTreeSet;
use std::path::Path;

use crate::cli::{assert_exit, meridian_with, scratch_dir, stderr, stdout};

/// The corpus, relative to the crate root (and so shown like this in messages).
const DIR: &str = "tests/bad_scenarios";

/// One bad scenario and how it must be reported.
struct Case {
    file: &'static str,
    /// Part of the message.
    message: &'static str,
    /// 1-based line and column of the problem; `(0, 0)`: no place in the file, so the
    /// diagnostic shows the file name only and no source line.
    at: (usize, usize),
    /// Part of the `help:` line ("" = any help).
    help: &'static str,
}

const fn ok(
    file: &'static str,
    message: &'static str,
    at: (usize, usize),
    help: &'static str,
) -> Case {
    Case {
        file,
        message,
        at,
        help,
    }
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // TOML syntax.
    ok("syntax_unclosed_bracket.toml", "expected `,`", (10, 1), "closing bracket"),
    ok("syntax_missing_equals.toml", "expected `=`", (3, 12), "key = value"),
    ok("syntax_duplicate_key.toml", "duplicate key", (5, 1), "once per table"),
    ok("syntax_bad_escape.toml", "escaped value", (2, 14), "literal string"),
    ok("syntax_unclosed_table_header.toml", "unclosed table", (15, 9), "close the bracket"),
    // Wrong types.
    ok("type_string_for_number.toml", "invalid type: string \"60\", expected f64", (3, 14), "numbers unquoted"),
    ok("type_number_for_string.toml", "invalid type: integer `1`, expected a string", (11, 8), "names in quotes"),
    ok("type_table_for_array.toml", "invalid type: map, expected a sequence", (8, 9), "lists in [ ]"),
    ok("type_float_instances.toml", "floating point `2.5`, expected u32", (13, 13), "check the value's type"),
    ok("type_negative_replications.toml", "invalid value: integer `-1`, expected u32", (5, 16), "whole number in range"),
    // Unknown keys, at every level, with near-miss suggestions.
    ok("unknown_top_level_section.toml", "unknown field `simulaton`", (2, 2), "did you mean `simulation`?"),
    ok("unknown_key_duraton.toml", "unknown field `duraton_s`", (3, 1), "did you mean `duration_s`?"),
    ok("unknown_key_replicatons.toml", "unknown field `replicatons`", (5, 1), "did you mean `replications`?"),
    ok("unknown_key_region_instance.toml", "unknown field `instance`", (13, 1), "did you mean `instances`?"),
    ok("unknown_key_polcy.toml", "unknown field `polcy`", (16, 1), "did you mean `policy`?"),
    ok("unknown_key_site_lattitude.toml", "unknown field `lattitude`", (8, 29), "remove `lattitude`; allowed keys here: name, share, lat"),
    ok("missing_field_instances.toml", "missing field `instances`", (10, 1), "add the field"),
    // Out of range, not a number, infinite, absurdly large.
    ok("negative_duration.toml", "simulation.duration_s: -5 is not allowed", (3, 14), "greater than 0"),
    ok("zero_duration.toml", "simulation.duration_s: 0 is not allowed", (3, 14), "greater than 0"),
    ok("tiny_duration.toml", "simulation.duration_s: a measured window of 0.0000001 s is too short", (3, 14), "at least 1 s"),
    ok("nan_rate.toml", "traffic.total_rate_rps: NaN is not allowed", (7, 18), "greater than 0"),
    ok("inf_duration.toml", "simulation.duration_s: inf is not allowed", (3, 14), "at most 2678400 s"),
    ok("huge_duration.toml", "simulation.duration_s:", (3, 14), "at most 2678400 s"),
    ok("huge_rate.toml", "traffic.total_rate_rps:", (7, 18), "at most 100000000 requests/s"),
    ok("absurd_request_count.toml", "would generate about 2.592e12 requests per replication", (7, 18), "check the units"),
    ok("huge_replications.toml", "simulation.replications: 100000 replications is not allowed", (5, 16), "use 1 to 1000"),
    ok("zero_replications.toml", "simulation.replications: 0 replications is not allowed", (5, 16), "use 1 to 1000"),
    ok("start_hour_25.toml", "simulation.start_utc_hour: 25 is out of range", (5, 18), "from 0 to 24 h"),
    ok("timeout_zero.toml", "regions[0].timeout_s: 0 is not allowed", (14, 13), "greater than 0"),
    // Empty lists and missing sections.
    ok("no_sites.toml", "traffic.sites: no user sites", (8, 9), "at least one"),
    ok("no_regions.toml", "regions: no regions", (2, 11), "at least one [[regions]]"),
    ok("missing_regions.toml", "missing section [regions]", (0, 0), "complete scenario"),
    ok("comment_only.toml", "missing section [simulation]", (0, 0), "complete scenario"),
    // Names the catalog does not know.
    ok("unknown_region.toml", "regions[0].code: unknown region \"us-east-9\"", (11, 8), "did you mean \"us-east-1\"?"),
    ok("unknown_site.toml", "traffic.sites[1].name: unknown site \"atlantis\"", (8, 40), "did you mean \"atlanta\"?"),
    ok("unknown_profile.toml", "regions[0].profile: unknown serving profile \"llama-9\"", (12, 11), "llama-2-7b@g5.2xlarge"),
    ok("unknown_diurnal_preset.toml", "unknown diurnal preset \"consumr\"", (8, 11), "did you mean \"consumer\"?"),
    ok("unknown_routing_policy.toml", "unknown routing policy \"latncy\"", (16, 10), "did you mean \"latency\"?"),
    ok("unknown_token_dist.toml", "unknown variant `gaussian`", (11, 26), "use one of the listed values"),
    // Contradictions and impossible settings.
    ok("diurnal_and_curve.toml", "both `diurnal` and `diurnal_curve` are set", (9, 17), "keep one"),
    ok("diurnal_curve_23_values.toml", "needs 24 hourly values (local 00:00 … 23:00), got 23", (8, 17), "give 24 values"),
    ok("diurnal_curve_all_zero.toml", "hourly values are all 0", (8, 17), "give 24 values"),
    ok("weights_with_latency_policy.toml", "routing.weights: `weights` is set but the policy is \"latency\"", (17, 11), "choose the policy that uses it"),
    ok("weighted_without_weights.toml", "routing.policy: weighted routing needs `weights`", (16, 10), "add weights ="),
    ok("weight_for_undeployed_region.toml", "weight for \"us-west-2\", which has no [[regions]] entry", (17, 46), "only for the scenario's regions"),
    ok("weight_missing_for_region.toml", "no weight for region \"us-east-1\"", (22, 11), "give every region a weight"),
    ok("weight_300.toml", "routing.weights.eu-west-2: 300 is out of range", (17, 27), "0–255"),
    ok("zero_instances.toml", "regions[0].instances: 0 instances is not allowed", (13, 13), "remove the region"),
    ok("duplicate_region.toml", "regions[1].code: region \"eu-west-2\" is listed twice", (16, 8), "one [[regions]] entry per region"),
    ok("throttle_zero_rate.toml", "regions[0].throttle.rate_rps: a quota of 0 requests/s would throttle every request", (14, 25), "positive rate"),
    ok("throttle_zero_burst.toml", "regions[0].throttle.burst: 0 is out of range", (14, 37), "from 1 to"),
    ok("lognormal_p90_below_median.toml", "requests.output_tokens.p90: p90 (50) must exceed the median (100)", (12, 59), "p90 lies above its median"),
    ok("weights_all_zero.toml", "routing.weights: all weights are 0", (17, 11), "equal non-zero weights"),
    ok("fault_outside_run.toml", "faults[0].start_s: the fault starts at 700 s, outside the measured window", (20, 11), "within duration_s"),
    ok("failover_without_health_check.toml", "failover routing needs health checks", (16, 10), "[health_check]"),
    ok("fault_unknown_region.toml", "faults[0].region: \"us-east-1\" has no [[regions]] entry", (19, 10), "eu-west-2, eu-west-1"),
    ok("health_interval_15.toml", "health_check.interval_s: interval 15 s is not offered", (18, 14), "every 10 or 30 s"),
    ok("quota_cut_without_throttle.toml", "quota cut on eu-west-1, which has no throttle", (19, 10), "add throttle"),
    ok("weight_schedule_out_of_order.toml", "routing.weight_schedule[1].at_s: weight changes must come in time order", (22, 8), "sort the"),
    ok("residency_no_eligible_region.toml", "residency[0].regions: no eligible region for EU", (19, 11), "at least one deployed region"),
    ok("geolocation_no_default.toml", "routing.geo: users in tokyo (Japan) match no location", (17, 7), "\"*\" default"),
    ok("geolocation_breaks_residency.toml", "users in london may only be served in their jurisdiction", (17, 7), "eligible region"),
    ok("anycast_with_dns.toml", "dns: anycast uses static IP addresses", (13, 1), "remove [dns]"),
    ok("anycast_all_dials_zero.toml", "routing.traffic_dials: every traffic dial is 0", (13, 17), "at least one above 0"),
    ok("managed_without_ttft.toml", "regions[0].ttft_ms: a managed model needs `ttft_ms`", (7, 1), "measure yours"),
    ok("managed_unpriced_region.toml", "claude-3-5-sonnet has no price in ap-south-1", (9, 11), "where it is offered"),
    ok("managed_zero_quota.toml", "regions[0].rpm_quota: a quota of 0 would throttle every request", (12, 13), "positive quota"),
    ok("managed_wrong_profile.toml", "us-east-1 is not in the \"eu.\" geography", (12, 21), "the region's own"),
    ok("managed_with_instances.toml", "`instances` is for self-hosted deployments", (12, 13), "remove `instances`"),
    ok("frontend_unknown_backend.toml", "regions[0].frontend.backend: \"us-east-1\" has no [[regions]] entry", (9, 24), "eu-west-1"),
    ok("frontend_to_frontend.toml", "eu-west-2 only forwards requests itself", (9, 24), "serves the model"),
    ok("tiny_rate_cv.toml", "traffic.burstiness.rate_cv: a rate CV of 1e-200 is too small to matter", (13, 41), "at least 0.001"),
    ok("subnormal_lognormal_median.toml", "requests.prompt_tokens.median: 1e-310 is out of range", (14, 48), "from 1 to 10000000 tokens"),
    ok("autoscaling_start_outside_range.toml", "the region starts with 1 instances, outside [2, 8]", (13, 33), "within the autoscaling range"),
    ok("autoscaling_min_above_max.toml", "min_instances 8 and max_instances 2 do not make a range", (13, 52), "min_instances ≤ max_instances"),
    ok("topology_duplicate_name.toml", "topology[1].name: topology \"a\" is listed twice", (17, 8), "its own name"),
    ok("topology_anycast_with_dns.toml", "topology[0].dns: anycast uses static IP addresses", (16, 7), "remove [dns]"),
    ok("schedule_numbered_weekday.toml", "use day names (MON … SUN)", (16, 8), "MON-FRI"),
    ok("start_weekday_unknown.toml", "\"Funday\" is not a day of the week", (4, 17), "MON, TUE"),
    ok("schedule_monthly_cron.toml", "only daily and weekly schedules are supported", (16, 8), "13:00 UTC daily"),
    ok("schedule_without_autoscaling.toml", "this region has no autoscaling", (13, 1), "add autoscaling"),
    // Real workloads: malformed traces (tests/bad_traces/) name the trace file and line.
    ok("trace_bad_timestamp.toml", "bad_timestamp.csv:3: timestamp \"2023-11-16 18:15:4x.9951690\" is not a date-time", (13, 8), "write times as"),
    ok("trace_negative_tokens.toml", "negative_tokens.csv:3: GeneratedTokens \"-109\" is not a token count", (13, 8), "whole numbers"),
    ok("trace_out_of_order.toml", "out_of_order.csv:4: timestamp 2023-11-16 18:15:49.0000000 is earlier than the row before it (line 3)", (13, 8), "sort the rows by time"),
    ok("trace_empty.toml", "empty.csv has no requests (the file is empty", (13, 8), "a header line"),
    ok("trace_missing.toml", "cannot read trace tests/bad_scenarios/../bad_traces/missing.csv", (13, 8), "relative to the scenario file"),
    ok("trace_with_rate.toml", "traffic.total_rate_rps: both `total_rate_rps` and `trace` are set", (11, 18), "brings its own rate"),
    ok("closed_loop_zero_users.toml", "traffic.sites[0].virtual_users: 0 virtual users is not allowed", (11, 45), "use 1 to"),
    ok("inline_site_missing_lat.toml", "traffic.sites[1].lat: inline site needs `lat`", (10, 3), "lat, lon, utc_offset_hours"),
    // The [plan] section.
    ok("plan_unknown_key.toml", "unknown field `horizon`", (22, 1), "did you mean `horizon_h`?"),
    ok("plan_horizon_too_long.toml", "a horizon of 200 h is not supported", (22, 13), "whole days up to a week"),
    ok("plan_unknown_instance_type.toml", "no serving profile \"llama-2-7b@p9.mega\"", (22, 33), "meridian models"),
    ok("plan_unknown_topology.toml", "no topology \"fast\"", (22, 23), "use one of: base"),
    ok("plan_resilience_one_region.toml", "nothing survives its loss", (22, 14), "second region"),
    ok("plan_without_targets.toml", "a plan needs targets", (18, 1), "[slo]"),
    ok("plan_closed_loop.toml", "synthetic open-loop demand", (20, 1), "meridian workload stats"),
    ok("plan_step_not_dividing.toml", "does not divide the 24 h horizon", (23, 10), "divides horizon_h"),
];

/// What a diagnostic must look like.
struct Expect<'a> {
    /// The path as passed on the command line.
    path: &'a str,
    /// The file's text, to compare the quoted source line with.
    src: &'a str,
    message: &'a str,
    at: (usize, usize),
    /// `None`: no help line required.
    help: Option<&'a str>,
}

/// Everything wrong with how `meridian validate` and `meridian run` report `e.path`; checks
/// of the location (`check_at`) and of the hint (`check_help`) can be left out.
fn problems(e: &Expect, check_at: bool, check_help: bool) -> Vec<String> {
    let mut out = Vec::new();
    let validate = meridian_with(&["validate", e.path]);
    let run = meridian_with(&["run", e.path, "--replications", "1"]);
    for (cmd, o) in [("validate", &validate), ("run", &run)] {
        let err = stderr(o);
        if err.contains("panicked") {
            out.push(format!("`{cmd}` panicked:\n{err}"));
            return out;
        }
        if o.status.code() != Some(2) {
            out.push(format!(
                "`{cmd}` exit status {:?}, want 2\n--- stdout\n{}--- stderr\n{err}",
                o.status.code(),
                stdout(o)
            ));
            return out;
        }
        if !o.stdout.is_empty() {
            out.push(format!("`{cmd}` printed to stdout: {}", stdout(o)));
        }
    }
    let err = stderr(&validate);
    if stderr(&run) != err {
        out.push(format!(
            "`run` and `validate` report differently:\n{}\nvs\n{err}",
            stderr(&run)
        ));
    }
    if !err.starts_with("error: ") {
        out.push(format!("stderr does not start with `error: `:\n{err}"));
    }
    if !err.contains(e.message) {
        out.push(format!("message lacks {:?}:\n{err}", e.message));
    }
    if !err.contains(e.path) {
        out.push(format!("stderr does not name {}:\n{err}", e.path));
    }
    if check_at {
        out.extend(location_problems(e, &err));
    }
    if let (true, Some(help)) = (check_help, e.help) {
        match err.lines().find_map(|l| l.strip_prefix("  = help: ")) {
            None => out.push(format!("no `  = help: ` line:\n{err}")),
            Some(h) if !h.contains(help) => out.push(format!("help lacks {help:?}:\n{err}")),
            Some(_) => {}
        }
    }
    out
}

/// Checks `  --> file:line:column`, the quoted line and the caret under the column.
fn location_problems(e: &Expect, err: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = err.lines().collect();
    let Some(arrow) = lines.iter().position(|l| l.starts_with("  --> ")) else {
        return vec![format!("no `  --> ` location line:\n{err}")];
    };
    let place = &lines[arrow]["  --> ".len()..];
    let (want_line, want_col) = e.at;
    if want_line == 0 {
        if place != e.path {
            out.push(format!(
                "want no line:column (the problem has no place in the file), got `{place}`:\n{err}"
            ));
        }
        if place == e.path && lines.iter().any(|l| l.contains(" | ")) {
            out.push(format!("want no quoted source line:\n{err}"));
        }
        return out;
    }
    let want = format!("{}:{want_line}:{want_col}", e.path);
    if place != want {
        out.push(format!("location is `{place}`, want `{want}`:\n{err}"));
        return out;
    }
    // The quoted line is the file's line, and the caret sits under the column.
    let gutter = " ".repeat(want_line.to_string().len());
    let quoted = format!("{want_line} | ");
    let Some(q) = lines.iter().position(|l| l.starts_with(&quoted)) else {
        return vec![format!("no quoted line starting `{quoted}`:\n{err}")];
    };
    let file_line = e
        .src
        .split('\n')
        .nth(want_line - 1)
        .unwrap_or("")
        .trim_end_matches('\r')
        .trim_start_matches('\u{feff}');
    if lines[q][quoted.len()..].trim_start_matches('\u{feff}') != file_line {
        out.push(format!(
            "quoted line is not line {want_line} of the file ({file_line:?}):\n{err}"
        ));
    }
    let caret = lines
        .get(q + 1)
        .and_then(|l| l.strip_prefix(&format!("{gutter} | ")));
    match caret {
        Some(c) if c.trim_start().starts_with('^') && c.trim_end().ends_with('^') => {
            let lead = c.len() - c.trim_start().len();
            if lead + 1 != want_col || c.trim().chars().any(|ch| ch != '^') {
                out.push(format!("the caret is not under column {want_col}:\n{err}"));
            }
        }
        _ => out.push(format!("no caret line under the quoted line:\n{err}")),
    }
    out
}

fn corpus_path(file: &str) -> String {
    format!("{DIR}/{file}")
}

fn corpus_src(file: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR).join(file);
    String::from_utf8_lossy(&std::fs::read(&full).unwrap_or_else(|e| panic!("{file}: {e}")))
        .into_owned()
}

/// Runs `cases` with the given checks; panics listing every failing case.
fn check_cases<'a>(cases: impl Iterator<Item = &'a Case>) {
    let mut failures = Vec::new();
    let mut n = 0;
    for case in cases {
        n += 1;
        let path = corpus_path(case.file);
        let src = corpus_src(case.file);
        let e = Expect {
            path: &path,
            src: &src,
            message: case.message,
            at: case.at,
            help: Some(case.help),
        };
        let p = problems(&e, true, true);
        if !p.is_empty() {
            failures.push(format!("=== {path}\n{}", p.join("\n")));
        }
    }
    assert!(n > 0, "no cases selected");
    assert!(
        failures.is_empty(),
        "{} of {n} bad inputs are not reported as they should be:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn corpus_and_table_match() {
    let on_disk: BTreeSet<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR))
            .expect("tests/bad_scenarios exists")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    let in_table: BTreeSet<String> = CASES.iter().map(|c| c.file.to_string()).collect();
    assert_eq!(
        in_table.len(),
        CASES.len(),
        "a file is listed twice in CASES"
    );
    assert_eq!(
        on_disk, in_table,
        "every corpus file needs a row in CASES, and vice versa"
    );
    assert!(CASES.len() >= 30);
    for c in CASES {
        let src = corpus_src(c.file);
        let first = src.lines().next().unwrap_or("");
        assert!(
            first.starts_with("# ") && first.len() > 20,
            "{}: the first line must be a comment saying what is wrong, got {first:?}",
            c.file
        );
    }
}

#[test]
fn every_bad_scenario_is_refused_with_its_location_and_a_hint() {
    check_cases(CASES.iter());
}

#[test]
fn hints_only_mention_subcommands_that_exist() {
    let dir = scratch_dir("bad-input-hints");
    let empty = dir.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let mut paths: Vec<String> = CASES.iter().map(|c| corpus_path(c.file)).collect();
    paths.push(empty.display().to_string());
    let mut mentioned: BTreeSet<(String, String)> = BTreeSet::new();
    for p in &paths {
        let err = stderr(&meridian_with(&["validate", p]));
        for (i, _) in err.match_indices("`meridian ") {
            let word: String = err[i + "`meridian ".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if !word.is_empty() {
                mentioned.insert((word, p.clone()));
            }
        }
    }
    let missing: Vec<String> = mentioned
        .iter()
        .filter(|(word, _)| meridian_with(&[word, "--help"]).status.code() != Some(0))
        .map(|(word, p)| format!("`meridian {word}` (in the hint for {p})"))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        missing.is_empty(),
        "hints name subcommands that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn missing_file_and_directory_are_refused_naming_the_path() {
    for (path, reason) in [
        ("tests/bad_scenarios/no-such-scenario.toml", "no such file"),
        ("tests/bad_scenarios", "it is a directory"),
        ("tests/bad_scenarios/", "it is a directory"),
    ] {
        for cmd in ["validate", "run"] {
            let o = meridian_with(&[cmd, path]);
            assert_exit(&o, 2, &format!("meridian {cmd} {path}"));
            let err = stderr(&o);
            assert!(
                err.starts_with(&format!("error: cannot read scenario {path}: "))
                    && err.contains(reason),
                "meridian {cmd} {path}: {err}"
            );
            assert!(stdout(&o).is_empty());
        }
    }
}

#[test]
fn empty_and_binary_files_are_refused() {
    let dir = scratch_dir("bad-input-files");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };

    // Empty, or only whitespace: the file is named, there is no line to show, and a hint.
    for (name, bytes) in [("empty.toml", &b""[..]), ("blank.toml", &b"\n  \n\t\n"[..])] {
        let path = write(name, bytes);
        let e = Expect {
            path: &path,
            src: "",
            message: "the scenario file is empty",
            at: (0, 0),
            help: Some(""),
        };
        let p = problems(&e, true, true);
        assert!(p.is_empty(), "{name}:\n{}", p.join("\n"));
    }

    // Not UTF-8 (a PNG header): refused as unreadable text.
    let path = write("image.toml", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe");
    for cmd in ["validate", "run"] {
        let o = meridian_with(&[cmd, &path]);
        assert_exit(&o, 2, &format!("{cmd} image.toml"));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("cannot read scenario {path}")) && err.contains("not UTF-8"),
            "{err}"
        );
    }

    // UTF-8 with control characters: a located syntax error, no panic.
    let src = "name = \"x\"\nseed\0 = 1\n";
    let path = write("nul.toml", src.as_bytes());
    let e = Expect {
        path: &path,
        src,
        message: "",
        at: (2, 5),
        help: None,
    };
    let p = problems(&e, true, false);
    assert!(p.is_empty(), "nul.toml:\n{}", p.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn locations_are_right_with_crlf_line_ends_a_bom_and_wide_characters() {
    let dir = scratch_dir("bad-input-encodings");
    let base = corpus_src("zero_instances.toml");
    let crlf = base.replace('\n', "\r\n");
    let bom = format!("\u{feff}{base}");
    // Multi-byte characters before the value on the same line: columns count characters.
    let wide = base.replace("instances = 0", "instances = 0 # ünïcödé ☃ after the value");
    let inline = "sites = [{ name = \"london\" }, { name = \"wien-büro\", country = \"Österreich\", continent = \"EU\", lat = 48.2, lon = 16.4, utc_offset_hours = 99 }]";
    let wide_before = base.replace("sites = [{ name = \"london\" }]", inline);
    // Column in characters of the offending value.
    let col = inline[..inline.find("99").unwrap()].chars().count() + 1;
    for (name, src, message, at) in [
        (
            "crlf.toml",
            crlf.as_str(),
            "0 instances is not allowed",
            (13, 13),
        ),
        (
            "bom.toml",
            bom.as_str(),
            "0 instances is not allowed",
            (13, 13),
        ),
        (
            "wide.toml",
            wide.as_str(),
            "0 instances is not allowed",
            (13, 13),
        ),
        (
            "wide_before.toml",
            wide_before.as_str(),
            "traffic.sites[1].utc_offset_hours: 99 is out of range",
            (8, col),
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, src).unwrap();
        let path = path.display().to_string();
        let e = Expect {
            path: &path,
            src,
            message,
            at,
            help: Some(""),
        };
        let p = problems(&e, true, true);
        assert!(p.is_empty(), "{name}:\n{}", p.join("\n"));
        assert!(
            !stderr(&meridian_with(&["validate", &path])).contains('\r'),
            "{name}: a carriage return leaks into the message"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
