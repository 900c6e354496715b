//! Guards around long runs: oversized runs are refused unless forced, and Ctrl-C stops a run
//! promptly without leaving a half-written output.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::scenario_path;

/// The three-region scenario at 10,000× its rate: about 1.5 × 10⁹ requests.
fn huge_scenario(dir: &std::path::Path) -> PathBuf {
    let src = std::fs::read_to_string(scenario_path("three-region-latency.toml")).unwrap();
    let big = src.replace("total_rate_rps = 9.0 ", "total_rate_rps = 90000.0 ");
    assert_ne!(big, src, "the rate line moved; update this test");
    let path = dir.join("huge.toml");
    std::fs::write(&path, big).unwrap();
    path
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meridian-guards-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn oversized_runs_are_refused_with_the_estimate_and_the_escape() {
    let dir = scratch("refuse");
    let scenario = huge_scenario(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("run")
        .arg(&scenario)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refusing to run"), "{err}");
    assert!(err.contains("requests"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(out.stdout.is_empty());
}

/// Lets `child` run for `after`, sends it SIGINT (Ctrl-C), and returns how it exited and
/// how long it took to stop once signalled.
pub(crate) fn interrupt_after(
    mut child: std::process::Child,
    after: Duration,
) -> (std::process::ExitStatus, Duration) {
    std::thread::sleep(after);
    let sent = Instant::now();
    let kill = Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    (status, sent.elapsed())
}

#[test]
fn ctrl_c_stops_promptly_and_writes_nothing() {
    let dir = scratch("interrupt");
    let scenario = huge_scenario(&dir);
    let json = dir.join("out.json");
    let child = Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("run")
        .arg(&scenario)
        .arg("--force")
        .arg("--json")
        .arg(&json)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, stopped_after) = interrupt_after(child, Duration::from_millis(700));
    assert_eq!(status.code(), Some(130));
    assert!(
        stopped_after < Duration::from_secs(5),
        "took {stopped_after:?} to stop"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "huge.toml")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}
