//! `gauntlet`: the command line over the harness library.
//!
//! `main` parses arguments, runs one subcommand from [`cmd`] with a buffered
//! stdout, and turns the result into the exit code: 0 ok, 1 a finding that
//! fails the command, 2 a usage or I/O error.
//!
//! # Guarantees
//!
//! - Every error, a usage error included, is one line on stderr,
//!   `gauntlet: error: ` and the whole error chain, with control characters
//!   escaped ([`text::OneLine`]), and exit status 2. `--help` and
//!   `--version` print to stdout and exit 0.
//! - A closed stdout is told apart from a reader that went away:
//!   - a reader that stops reading (`gauntlet list | head -1`, EPIPE) ends
//!     the run quietly with the status of what was done: the reader has
//!     what it wanted;
//!   - a stdout that was closed before gauntlet started
//!     (`gauntlet list >&-`) is an error, exit 2, before the command runs:
//!     nothing could ever read the output. The Rust runtime puts `/dev/null`
//!     opened for reading and writing in place of a closed stdout; a shell's
//!     `>/dev/null` opens it for writing only and stays the way to discard
//!     the output.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;

mod baseline;
mod campaign;
mod cmd;
mod coverage;
mod findings;
mod fuzzer;
mod input;
mod promote;
mod report;
mod text;
mod timing;

use text::OneLine;

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
        Err(err) if matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // To stdout, exit 0; a closed stream is not worth reporting.
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        Err(err) => return fail(&usage_error(&err)),
    };
    if stdout_closed() {
        return fail(
            "stdout is closed, so the output would be lost; to discard it, redirect it to \
             /dev/null",
        );
    }
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
            fail(&format!("{err:#}"))
        }
    }
}

/// Prints `message` as gauntlet's one-line error and returns exit status 2.
fn fail(message: &str) -> ExitCode {
    let _ = writeln!(io::stderr(), "gauntlet: error: {}", OneLine(message.trim_end()));
    ExitCode::from(ERROR)
}

/// A clap usage error on one line: clap's message (its continuation lines,
/// such as the missing arguments, joined on), its tips and the usage line,
/// joined by `; ` (`unexpected argument '--x' found; tip: ...; usage:
/// gauntlet run <TARGET> [FILE|DIR|-]...; try '--help'`).
fn usage_error(err: &clap::Error) -> String {
    // Plain text: clap styles only what it prints itself.
    let text = err.render().to_string();
    // clap's paragraphs: the message, tips, the usage, "For more
    // information".
    let mut paragraphs =
        text.split("\n\n").map(|p| p.lines().map(str::trim).filter(|l| !l.is_empty()));
    let mut parts: Vec<String> = Vec::new();
    let message = paragraphs.next().map(|p| p.collect::<Vec<_>>().join(" ")).unwrap_or_default();
    if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // `gauntlet` alone: clap's text is the whole help, of which only the
        // usage line is kept.
        parts.push("no command given".to_owned());
    } else {
        parts.push(message.strip_prefix("error: ").unwrap_or(&message).to_owned());
    }
    for line in paragraphs.flatten() {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            parts.push(format!("usage: {usage}"));
        } else if line.starts_with("tip: ") {
            parts.push(line.to_owned());
        }
    }
    parts.push("try '--help'".to_owned());
    parts.join("; ")
}

/// Whether stdout was closed when gauntlet started (see the module doc).
#[cfg(unix)]
fn stdout_closed() -> bool {
    use std::io::Read;
    use std::os::fd::AsFd;
    use std::os::unix::fs::{FileTypeExt, MetadataExt};

    // Fails only if the descriptor is not open at all (a runtime that did
    // not reopen it).
    let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() else { return true };
    let mut file = std::fs::File::from(fd);
    let (Ok(meta), Ok(null)) = (file.metadata(), std::fs::metadata("/dev/null")) else {
        return false;
    };
    let is_null = meta.file_type().is_char_device() && meta.rdev() == null.rdev();
    // A read of nothing fails (EBADF) on a descriptor opened for writing
    // only, and reads nothing from /dev/null opened for reading too.
    is_null && file.read(&mut []).is_ok()
}

/// Whether stdout was closed when gauntlet started: not detected here.
#[cfg(not(unix))]
fn stdout_closed() -> bool {
    false
}

/// Whether `err` was caused by writing to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
