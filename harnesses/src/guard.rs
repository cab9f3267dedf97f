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

use crate::registry::Target;
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

/// The stack size of [`on_big_stack`]: 64 MiB of address space, touched
/// only as deep as a run goes. Depth fuses stay far below it (a recursive
/// twin's frame is under 1 KiB even in a debug build), so a deep input trips
/// the fuse, deterministically, instead of overflowing the real stack.
pub const BIG_STACK: usize = 64 << 20;

/// Runs `f` on a scoped thread with a [`BIG_STACK`] stack, for recursive
/// twins: the caller's own stack may be as small as a test thread's 2 MiB.
/// A panic in `f` propagates to the caller, and [`check`] still records
/// where it happened.
pub fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let catching = CATCHING.with(Cell::get);
    let mut slot = Some(f);
    let result = std::thread::scope(|scope| {
        let task = &mut slot;
        let spawned =
            std::thread::Builder::new().stack_size(BIG_STACK).spawn_scoped(scope, move || {
                CATCHING.with(|c| c.set(catching));
                let f = task.take()?;
                Some(
                    panic::catch_unwind(AssertUnwindSafe(f))
                        .map_err(|payload| (payload, LAST.with(|l| l.borrow_mut().take()))),
                )
            });
        spawned.ok().map(|h| h.join().unwrap_or_else(|payload| Some(Err((payload, None)))))
    });
    match result.flatten() {
        Some(Ok(value)) => value,
        Some(Err((payload, last))) => {
            LAST.with(|l| *l.borrow_mut() = last);
            panic::resume_unwind(payload)
        }
        // No thread could be had: run on the caller's stack instead.
        None => match slot.take() {
            Some(f) => f(),
            None => unreachable!("the task ran, so it returned or panicked"),
        },
    }
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
            Verdict::Finding(Finding::new(
                target.name,
                Kind::Panic,
                Kind::Panic.default_cwe(),
                location,
                summary,
                Cost::default(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Oracle, Variant};

    fn boom(input: &[u8]) -> Verdict {
        if input.is_empty() {
            panic!("empty input");
        }
        Verdict::Clean { cost: Cost::default() }
    }

    const BOOM: Target = Target {
        name: "test-hardened",
        family: "test",
        variant: Variant::Hardened,
        cwes: &[248],
        expected: &[],
        oracles: &[Oracle::Cost],
        input_format: "anything",
        source: "harnesses/src/guard.rs",
        fuzz_args: &[],
        run: boom,
    };

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
