//! Turning a panic inside a target into a [`Kind::Panic`] finding.
//!
//! The default panic hook would print a backtrace for every caught panic;
//! while [`check`] runs, a hook installed once records the location and
//! message instead, and the finding's signature is made from the location
//! (`file:line`), so every input that panics at the same place de-duplicates.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use gauntlet_targets::meter::Cost;

use crate::target::Target;
use crate::verdict::{Finding, Kind, Verdict};

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static LAST: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_else(|| "unknown".to_owned());
                let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
                    (*s).to_owned()
                } else if let Some(s) = info.payload().downcast_ref::<String>() {
                    s.clone()
                } else {
                    "non-string panic payload".to_owned()
                };
                LAST.with(|l| *l.borrow_mut() = Some((location, message)));
            } else {
                previous(info);
            }
        }));
    });
}

/// The stack [`deep`] guarantees a recursive twin: 4 MiB in a release
/// build, 32 MiB in a debug one.
///
/// Measured by `deep_inputs_fit_the_stack_budget` (harnesses/tests/stack.rs,
/// with [`Meter::stack_span`]) on x86_64 Linux, rustc 1.95, each vulnerable
/// twin driven to the depth fuse of [`Fuse::DEPTH`] = 2,000 levels:
///
/// | twin | release | debug |
/// |---|---|---|
/// | xml-vulnerable, nested entities | 591 B a level, 1.1 MiB | 7,036 B a level, 13.4 MiB |
/// | json-vulnerable, nested arrays | 240 B a level, 0.5 MiB | 1,568 B a level, 3.0 MiB |
/// | regex-vulnerable, `(?:a\|b)*c` | 432 B a level, 0.8 MiB | 1,184 B a level, 2.3 MiB |
///
/// (xml-vulnerable's element nesting is a loop, not a recursion.) The test
/// keeps the worst case under half the budget; a main thread's 8 MiB holds
/// the release budget, a 2 MiB test thread holds neither.
///
/// [`Fuse::DEPTH`]: gauntlet_targets::meter::Fuse::DEPTH
/// [`Meter::stack_span`]: gauntlet_targets::meter::Meter::stack_span
pub const STACK_NEED: usize = if cfg!(debug_assertions) { 32 << 20 } else { 4 << 20 };

/// Runs `f`, which may recurse as deep as the depth fuse, on a stack of at
/// least [`STACK_NEED`] bytes.
///
/// Where the current thread has that much left — the main thread of the
/// CLI and of a libFuzzer process in a release build — `f` runs right here,
/// at the cost of one comparison. Elsewhere (a 2 MiB test thread, a debug
/// build) the stack is grown for the call by `stacker`, the crate rustc
/// uses for the same purpose: a fresh mapping, no thread. A panic in `f`
/// unwinds to the caller as it would on its own stack, and [`check`] still
/// records where it happened.
pub fn deep<T>(f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(STACK_NEED, STACK_NEED, f)
}

/// Runs `target` on `input`; a panic becomes a [`Kind::Panic`] finding.
pub fn check(target: &Target, input: &[u8]) -> Verdict {
    install_hook();
    let was = CATCHING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    CATCHING.with(|c| c.set(was));
    match result {
        Ok(verdict) => verdict,
        Err(_) => {
            let (location, message) = LAST
                .with(|l| l.borrow_mut().take())
                .unwrap_or_else(|| ("unknown".to_owned(), "panic".to_owned()));
            let summary = format!("panicked at {location}: {message}");
            Finding::of(target.name, Kind::Panic, location).verdict(summary, Cost::default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::{Family, Oracle, Variant};

    fn boom(input: &[u8]) -> Verdict {
        if input.is_empty() {
            panic!("empty input");
        }
        Verdict::Clean { cost: Cost::default() }
    }

    static TEST: Family = Family {
        name: "test",
        input_format: "anything",
        fuzz_args: &[],
        keep_rejected: false,
        mutator: None,
        twin: |_, _| Err("no twin".to_owned()),
        attacks: Vec::new,
        answer: None,
        targets: &[Target {
            name: "test-hardened",
            family: &TEST,
            variant: Variant::Hardened,
            cwes: &[248],
            expected: &[],
            oracles: &[Oracle::Cost],
            source: "harnesses/src/guard.rs",
            run: boom,
        }],
    };
    static BOOM: &Target = &TEST.targets[0];

    #[test]
    fn a_panic_becomes_a_finding_with_a_stable_signature() {
        let a = BOOM.check(b"");
        let b = BOOM.check(b"");
        let f = a.finding().expect("a panic is a finding");
        assert_eq!(f.kind, Kind::Panic);
        assert!(f.summary.contains("empty input"), "{}", f.summary);
        assert!(f.location.starts_with("harnesses/src/guard.rs:"), "{}", f.location);
        assert_eq!(Some(&f.signature), b.finding().map(|f| &f.signature));
        assert_eq!(BOOM.check(b"x").status(), "clean");
    }
}
