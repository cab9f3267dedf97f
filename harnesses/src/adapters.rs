//! Verdicts mapped onto what libFuzzer and proptest expect.

use proptest::test_runner::TestCaseError;

use crate::registry::Target;
use crate::verdict::Verdict;

/// What a fuzz iteration concluded, independent of libFuzzer's types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Keep the input in the corpus.
    Keep,
    /// The target rejected the input: do not add it to the corpus.
    Reject,
}

/// Runs `input` through the target named `name` for a fuzzer.
///
/// A finding of any kind panics with its one-line summary, so libFuzzer
/// saves the input as a crash artifact; a panic inside the target
/// propagates the same way. A rejected input returns [`Outcome::Reject`].
///
/// # Panics
///
/// On a finding, and when `name` is not a registered target.
pub fn fuzz(name: &str, input: &[u8]) -> Outcome {
    let target = crate::registry::find(name)
        .unwrap_or_else(|| panic!("fuzz shim names unknown target {name:?}"));
    match (target.run)(input) {
        Verdict::Clean { .. } => Outcome::Keep,
        Verdict::Rejected { .. } => Outcome::Reject,
        Verdict::Finding(f) => panic!("gauntlet finding: {f}"),
    }
}

/// [`fuzz`] with libFuzzer's own type, for `fuzz_target!(|data| -> Corpus)`.
#[cfg(feature = "libfuzzer")]
pub fn libfuzzer(name: &str, input: &[u8]) -> libfuzzer_sys::Corpus {
    match fuzz(name, input) {
        Outcome::Keep => libfuzzer_sys::Corpus::Keep,
        Outcome::Reject => libfuzzer_sys::Corpus::Reject,
    }
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
