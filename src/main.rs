//! The `meridian` binary: parse the command line, call the library, map errors to exit codes
//! (0 ok, 2 bad input).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use meridian::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.execute() {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not an error worth a panic.
            let _ = stdout.write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
