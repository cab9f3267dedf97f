//! `gauntlet`: the command line over the harness library.
//!
//! `main` parses arguments, runs one subcommand from [`cmd`] with a buffered
//! stdout, and turns the result into the exit code: 0 ok, 1 a finding that
//! fails the command, 2 a usage or I/O error. Errors are printed as one line
//! holding the whole error chain; a closed stdout (`gauntlet list | head -1`)
//! ends the run quietly and is not an error.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

mod campaign;
mod cmd;
mod findings;
mod fuzzer;
mod report;
mod text;

/// Fuzzing and attack-harness toolkit for vulnerable and hardened parser twins
#[derive(Parser)]
#[command(name = "gauntlet", version)]
struct Cli {
    #[command(subcommand)]
    command: cmd::Cmd,
}

/// The exit code for a usage or I/O error.
const ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Prints help and version to stdout (exit 0), usage errors to
            // stderr (exit 2); a closed stream is not worth reporting.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(ERROR));
        }
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let result = cli.command.exec(&mut out).and_then(|outcome| {
        out.flush()?;
        Ok(outcome)
    });
    match result {
        Ok(outcome) => outcome.into(),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // The results printed before the failing input still reach the
            // reader, ahead of the error.
            let _ = out.flush();
            let _ = writeln!(io::stderr(), "gauntlet: error: {err:#}");
            ExitCode::from(ERROR)
        }
    }
}

/// Whether `err` was caused by writing to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
