//! Verdicts mapped onto what libFuzzer and proptest expect, and the one
//! shim shape every fuzz target uses.

use std::io::Read as _;
use std::sync::OnceLock;

use proptest::test_runner::TestCaseError;

use crate::kit::cost_feedback;
use crate::target::Target;
use crate::verdict::{Kind, Verdict};

/// What a fuzz iteration concluded, independent of libFuzzer's types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Keep the input in the corpus if it is interesting.
    Keep,
    /// Do not add the input to the corpus.
    Reject,
}

/// Runs `input` through `target` for a fuzzer.
///
/// The metered cost goes to libFuzzer as coverage ([`cost_feedback`]). A
/// rejected input is [`Outcome::Reject`] unless the target's family keeps
/// rejected inputs as stepping stones ([`Family::keep_rejected`]).
///
/// [`Family::keep_rejected`]: crate::target::Family::keep_rejected
///
/// # Panics
///
/// On a finding of any kind, with its one-line summary, so that libFuzzer
/// saves the input as a crash artifact; a panic inside the target
/// propagates the same way. A finding of a kind already found in this run
/// ([`QUIET_KINDS_ENV`]) is kept as a stepping stone instead.
pub fn fuzz(target: &Target, input: &[u8]) -> Outcome {
    let verdict = (target.run)(input);
    cost_feedback(verdict.cost(), input.len());
    match verdict {
        Verdict::Clean { .. } => Outcome::Keep,
        Verdict::Rejected { .. } if target.family.keep_rejected => Outcome::Keep,
        Verdict::Rejected { .. } => Outcome::Reject,
        Verdict::Finding(f) if quiet_kinds().contains(&f.kind) => Outcome::Keep,
        Verdict::Finding(f) => panic!("gauntlet finding: {f}"),
    }
}

/// The environment variable naming a file of finding kinds already found
/// in this run, one name a line: `gauntlet fuzz` and the campaign write it
/// as a vulnerable twin's classes turn up. In libFuzzer's fork mode every
/// job is a new process, so each job reads the file as it stands when it
/// starts, and a kind found once stops crashing the jobs after it. Without
/// this, an input class that crashes at once (a big integer for the JSON
/// twin) ends every job in its first milliseconds: measured from an empty
/// corpus, 2,479 jobs in 300 s, the corpus never grew and two of the four
/// classes were never reached.
pub const QUIET_KINDS_ENV: &str = "GAUNTLET_QUIET_KINDS";

/// The kinds in the [`QUIET_KINDS_ENV`] file, read once per process (at
/// most 4 KiB; unknown names are ignored, no file is no kind).
fn quiet_kinds() -> &'static [Kind] {
    static QUIET: OnceLock<Vec<Kind>> = OnceLock::new();
    QUIET.get_or_init(|| {
        let Some(path) = std::env::var_os(QUIET_KINDS_ENV) else { return Vec::new() };
        let mut text = String::new();
        let _ = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_string(&mut text));
        text.split_whitespace().filter_map(Kind::from_name).collect()
    })
}

/// The target a fuzz shim names.
///
/// # Panics
///
/// When `name` is not a registered target: a shim naming an unknown
/// target is a build mistake, caught by the first input.
pub fn shim_target(name: &str) -> &'static Target {
    crate::families::find(name).unwrap_or_else(|| panic!("fuzz shim names unknown target {name:?}"))
}

/// The family's custom mutation of `data[..size]` in place (at most
/// `max_size` bytes), or libFuzzer's own through `fallback` when the family
/// has no mutator or it declines this round. Returns the new size.
pub fn mutate(
    target: &Target,
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    fallback: impl FnOnce(&mut [u8], usize, usize) -> usize,
) -> usize {
    let next = target.family.mutator.and_then(|m| m(&data[..size], max_size, seed));
    match next {
        Some(next) if next.len() <= data.len() => {
            data[..next.len()].copy_from_slice(&next);
            next.len()
        }
        _ => fallback(data, size, max_size),
    }
}

/// [`Outcome`] with libFuzzer's own type.
#[cfg(feature = "libfuzzer")]
pub fn libfuzzer(target: &Target, input: &[u8]) -> libfuzzer_sys::Corpus {
    match fuzz(target, input) {
        Outcome::Keep => libfuzzer_sys::Corpus::Keep,
        Outcome::Reject => libfuzzer_sys::Corpus::Reject,
    }
}

#[cfg(feature = "libfuzzer")]
#[doc(hidden)]
pub use libfuzzer_sys;

/// The whole of a fuzz shim: `gauntlet_harnesses::fuzz_target!("xml-hardened");`
/// after `#![no_main]`. Everything else — whether rejected inputs are kept,
/// the custom mutator, the cost feedback — comes from the target's family.
#[cfg(feature = "libfuzzer")]
#[macro_export]
macro_rules! fuzz_target {
    ($name:literal) => {
        fn __gauntlet_target() -> &'static $crate::Target {
            static TARGET: ::std::sync::OnceLock<&'static $crate::Target> =
                ::std::sync::OnceLock::new();
            TARGET.get_or_init(|| $crate::adapters::shim_target($name))
        }

        $crate::adapters::libfuzzer_sys::fuzz_target!(
            |data: &[u8]| -> $crate::adapters::libfuzzer_sys::Corpus {
                $crate::adapters::libfuzzer(__gauntlet_target(), data)
            }
        );

        $crate::adapters::libfuzzer_sys::fuzz_mutator!(
            |data: &mut [u8], size: usize, max_size: usize, seed: u32| {
                $crate::adapters::mutate(
                    __gauntlet_target(),
                    data,
                    size,
                    max_size,
                    seed,
                    $crate::adapters::libfuzzer_sys::fuzzer_mutate,
                )
            }
        );
    };
}

/// The verdict as a proptest case result: an *unexpected* finding (any
/// finding of a hardened or differential target, or a kind the vulnerable
/// target does not declare) fails the case; everything else passes.
pub fn to_proptest(target: &Target, verdict: &Verdict) -> Result<(), TestCaseError> {
    match verdict {
        Verdict::Finding(f) if !target.is_expected(f.kind) => {
            Err(TestCaseError::fail(format!("unexpected finding: {f}")))
        }
        _ => Ok(()),
    }
}

/// Runs `input` through `target` (panics caught) and maps the verdict with
/// [`to_proptest`].
pub fn prop_check(target: &Target, input: &[u8]) -> Result<Verdict, TestCaseError> {
    let verdict = target.check(input);
    to_proptest(target, &verdict)?;
    Ok(verdict)
}
