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

const TEMPLATE: &str = "{prefix} [{bar:32}] {pos}/{len} replications, {elapsed} elapsed, ETA {eta}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_and_quiet_bars_are_hidden() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
        assert!(replications_bar(4, "run", true).is_hidden());
    }
}
