//! The `meridian` binary: parse the command line, call the library, map errors to exit codes
//! (0 ok, 2 bad input).

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use meridian::cli::Cli;

/// Set by Ctrl-C; the simulation checks it every few thousand events.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A second Ctrl-C while stopping is left to the default handler via the exit below.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    match cli.execute_cancellable(&INTERRUPTED) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a panic.
            let _ = stdout.write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(meridian::cli::CliError::Infeasible(report)) => {
            // The report is the command's output; the verdict goes to stderr.
            let _ = std::io::stdout().lock().write_all(report.as_bytes());
            eprintln!(
                "error: the plan is infeasible: no candidate meets every target (see the binding constraint above)"
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
