//! Progress bars on stderr for long commands: replications done, elapsed time and ETA.
//! Shown only when stderr is a terminal and `--quiet` is not given, so piped or captured
//! output (CI, tests, `2> file`) never carries them.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting `total` replications, labelled `what`; hidden when `quiet` or when
/// stderr is not a terminal.
pub(crate) fn replications_bar(total: u64, what: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    // The template is a constant; it parses (a unit test pins that).
    if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(what.to_string());
    bar
}

/// A spinner with the elapsed time and what the command is doing (planning has no fixed
/// number of steps to count, so no ETA); hidden like [`replications_bar`].
pub(crate) fn phase_spinner(what: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(PHASE_TEMPLATE) {
        bar.set_style(style);
    }
    bar.set_prefix(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

const PHASE_TEMPLATE: &str = "{prefix} {spinner} {elapsed} {wide_msg}";

const TEMPLATE: &str = "{prefix} [{bar:32}] {pos}/{len} replications, {elapsed} elapsed, ETA {eta}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_and_quiet_bars_are_hidden() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
        assert!(replications_bar(4, "run", true).is_hidden());
        assert!(ProgressStyle::with_template(PHASE_TEMPLATE).is_ok());
        assert!(phase_spinner("plan", true).is_hidden());
    }
}
