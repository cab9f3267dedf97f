//! The subcommands, one file each.
//!
//! Adding a subcommand: write `src/cmd/<name>.rs` with a `#[derive(Args)]`
//! struct that implements [`Exec`], declare the module here and add one
//! variant to [`Cmd`] (and its arm in [`Cmd::exec`], which the compiler
//! asks for).

use std::io::Write;
use std::process::ExitCode;

use clap::Subcommand;

mod campaign;
mod common;
mod coverage;
mod dos;
mod fuzz;
mod list;
mod options;
mod replay;
mod repro;
mod run;

/// Every subcommand of `gauntlet`. Each one's help is the doc comment of its
/// struct, so the variants carry none (a doc comment here would replace it).
#[derive(Subcommand)]
pub enum Cmd {
    List(list::List),
    Run(run::Run),
    Replay(replay::Replay),
    Fuzz(fuzz::Fuzz),
    Campaign(campaign::Campaign),
    Repro(repro::Repro),
    Dos(dos::Dos),
    Coverage(coverage::Coverage),
}

impl Cmd {
    /// Runs the chosen subcommand, writing its results to `out`.
    pub fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let command: &dyn Exec = match self {
            Cmd::List(c) => c,
            Cmd::Run(c) => c,
            Cmd::Replay(c) => c,
            Cmd::Fuzz(c) => c,
            Cmd::Campaign(c) => c,
            Cmd::Repro(c) => c,
            Cmd::Dos(c) => c,
            Cmd::Coverage(c) => c,
        };
        command.exec(out)
    }
}

/// A subcommand: parsed arguments that know how to run.
pub trait Exec {
    /// Runs the subcommand, writing results to `out` (stdout, buffered).
    ///
    /// An `Err` is a usage or I/O error (exit 2); what was written to `out`
    /// before it is still flushed.
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome>;
}

/// How a subcommand that ran to its end concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing that fails the command (exit 0).
    Passed,
    /// A finding that fails the command, as each subcommand defines it
    /// (exit 1).
    Failed,
    /// Interrupted by Ctrl-C after writing a partial result (exit 130, the
    /// shell's 128 + SIGINT).
    Interrupted,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        match outcome {
            Outcome::Passed => ExitCode::SUCCESS,
            Outcome::Failed => ExitCode::from(1),
            Outcome::Interrupted => ExitCode::from(130),
        }
    }
}
