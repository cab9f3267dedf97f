//! A recursive backtracking matcher with no memory of failure.
//!
//! # Vulnerability
//!
//! **The mistake:** when the rest of the pattern fails, the matcher goes back
//! to the last choice and tries the next alternative — and it never writes
//! down that "state S at position P leads nowhere". A pattern that can match
//! the same text in many ways makes it rediscover that fact again and again.
//!
//! **CWE-1333** (inefficient regular expression complexity), and **CWE-674**
//! (uncontrolled recursion): every byte the pattern consumes is one more frame
//! on the call stack.
//!
//! **Smallest attacks:**
//! - `(a+)+$` against `aaaaaaaaaaaaaaaaaaaaaaaa!`: each extra `a` doubles the
//!   work (2ⁿ ways to split n `a`s between the two `+`). 25 bytes of haystack
//!   cost tens of millions of steps; 40 bytes would take days.
//! - `\s+$` against n spaces then `x`: from every start position the `\s+`
//!   runs to the `x` and backs off one space at a time, n²/2 steps. That is
//!   the shape of the 2016 Stack Overflow outage.
//! - `.*` against a few thousand bytes: one frame per pending alternative,
//!   so the recursion gets as deep as the haystack is long (Java's `Pattern`
//!   throws `StackOverflowError` the same way).
//!
//! **Defender cost:** up to 2ⁿ steps for n attacker bytes. The meter's step
//! fuse stops it; [`super::linear_bound`] is the line it should never cross.
//! And [`FRAME_BYTES`] = 432 bytes of call stack per level of recursion,
//! held like any other memory (CWE-789): `a*` against 1,500 `a`s is linear
//! in time but holds about 700 KB of stack, where the hardened twin holds
//! 67 KB of explicit stack, path and memo for the same search.
//!
//! **The fix:** [`super::hardened`] keeps a visited set of (state, position)
//! pairs, so each is explored once, and uses an explicit stack instead of
//! recursion.
//!
//! # Time complexity
//!
//! Worst case exponential in the haystack length. Memory: a frame per
//! pending alternative, O(m·n) of them, on the call stack.
//!
//! # Panics
//!
//! None known, not proven: it indexes slices at positions it has checked, and
//! every input the fuzzers and properties have tried ran through
//! `Target::check`, which turns a panic into a `Panic` finding; none has
//! been seen.
//! The meter's fuses stop runaway work and recursion.

use regex_automata::nfa::thompson::{State, NFA};
use regex_automata::util::primitives::StateID;

use super::{
    compile, is_char_boundary, splits_codepoints_matter, transition, CompileLimits, Error, Match,
};
use crate::held;
use crate::meter::Meter;

/// The stack a level of recursion holds, charged on the meter as memory:
/// 432 bytes, the frames of `try_at` and `walk` together, measured
/// in a release build (`gauntlet_harnesses::guard::STACK_NEED`'s table:
/// 432 B a level in release, 1,184 B in debug). One constant, so that the
/// cost of an input is the same in every build; the release figure, because
/// release is what the CLI, the fuzzer and the benches run, and because the
/// smaller figure never makes a finding out of a debug build's larger frames.
pub const FRAME_BYTES: u64 = 432;

/// A compiled pattern, matched by naive recursive backtracking.
#[derive(Clone, Debug)]
pub struct Regex {
    nfa: NFA,
}

impl Regex {
    /// Parses and compiles `pattern` with regex-syntax's and regex-automata's
    /// own defaults (nesting 250, NFA size 10 MiB): the vulnerable twin adds
    /// no limits of its own.
    pub fn new(pattern: &str) -> Result<Regex, Error> {
        let limits = CompileLimits { pattern_len: usize::MAX, nest: 250, size: 10 << 20 };
        Ok(Regex { nfa: compile(pattern, limits)? })
    }

    /// The number of NFA states, the m of [`super::linear_bound`].
    pub fn state_count(&self) -> usize {
        self.nfa.states().len()
    }

    /// The leftmost-first match of the pattern in `haystack`, if any.
    ///
    /// Counts one meter step per state visited and one level of depth per
    /// pending alternative, and holds on the meter [`FRAME_BYTES`] per level
    /// and its `active` and `undo` tables, all given back when it returns;
    /// returns [`super::ErrorKind::Fuse`] when the meter trips.
    pub fn find(&self, haystack: &[u8], meter: &mut Meter) -> Result<Option<Match>, Error> {
        let states = self.nfa.states().len();
        if let Err(blown) = meter.hold(held::bytes::<usize>(states)) {
            meter.release(held::bytes::<usize>(states));
            return Err(blown.into());
        }
        let mut search =
            Search { nfa: &self.nfa, haystack, meter, active: vec![0; states], undo: Vec::new() };
        let found = search.find();
        let held =
            held::bytes::<usize>(states) + held::bytes::<(StateID, usize)>(search.undo.capacity());
        search.meter.release(held);
        found
    }
}

struct Search<'a> {
    nfa: &'a NFA,
    haystack: &'a [u8],
    meter: &'a mut Meter,
    /// `active[sid] == at + 1` while `sid` is on the current path at
    /// position `at`: reaching it again there means a loop iteration matched
    /// nothing, and that path is cut (every real backtracker has this
    /// empty-iteration check; without it `(a*)*` would loop forever).
    active: Vec<usize>,
    /// Old values of `active`, restored when a frame returns.
    undo: Vec<(StateID, usize)>,
}

impl Search<'_> {
    /// The first start position with a match, as in [`Regex::find`].
    fn find(&mut self) -> Result<Option<Match>, Error> {
        let skip_splits = splits_codepoints_matter(self.nfa);
        for start in 0..=self.haystack.len() {
            if let Some(end) = self.try_at(self.nfa.start_anchored(), start)? {
                if skip_splits && !is_char_boundary(self.haystack, end) {
                    continue;
                }
                return Ok(Some(Match { start, end }));
            }
        }
        Ok(None)
    }

    /// Tries to match from state `sid` at position `at`; returns the end of
    /// the match. Recurses once per alternative it has to come back to.
    fn try_at(&mut self, sid: StateID, at: usize) -> Result<Option<usize>, Error> {
        self.meter.enter()?;
        if let Err(blown) = self.meter.hold(FRAME_BYTES) {
            self.meter.release(FRAME_BYTES);
            self.meter.leave();
            return Err(blown.into());
        }
        let undo_base = self.undo.len();
        let found = self.walk(sid, at);
        while self.undo.len() > undo_base {
            if let Some((sid, old)) = self.undo.pop() {
                self.active[sid.as_usize()] = old;
            }
        }
        self.meter.release(FRAME_BYTES);
        self.meter.leave();
        found
    }

    /// Follows one path, trying each alternative in priority order. The
    /// mistake is what is missing: nothing records that (state, position)
    /// already failed, so every path that reaches it explores it again.
    fn walk(&mut self, mut sid: StateID, mut at: usize) -> Result<Option<usize>, Error> {
        loop {
            let old = self.active[sid.as_usize()];
            if old == at + 1 {
                return Ok(None);
            }
            held::reserve(&mut self.undo, 1, self.meter)?;
            self.undo.push((sid, old));
            self.active[sid.as_usize()] = at + 1;
            self.meter.step()?;
            match self.nfa.state(sid) {
                State::ByteRange { .. } | State::Sparse(_) | State::Dense(_) => {
                    match transition(self.nfa, sid, self.haystack, at) {
                        Some(next) => {
                            sid = next;
                            at += 1;
                        }
                        None => return Ok(None),
                    }
                }
                State::Look { look, next } => {
                    if !self.nfa.look_matcher().matches(*look, self.haystack, at) {
                        return Ok(None);
                    }
                    sid = *next;
                }
                State::Union { alternates } => {
                    let Some((&last, rest)) = alternates.split_last() else {
                        return Ok(None);
                    };
                    for &alt in rest {
                        if let Some(end) = self.try_at(alt, at)? {
                            return Ok(Some(end));
                        }
                    }
                    sid = last;
                }
                State::BinaryUnion { alt1, alt2 } => {
                    let alt2 = *alt2;
                    if let Some(end) = self.try_at(*alt1, at)? {
                        return Ok(Some(end));
                    }
                    sid = alt2;
                }
                State::Capture { next, .. } => sid = *next,
                State::Fail => return Ok(None),
                State::Match { .. } => return Ok(Some(at)),
            }
        }
    }
}
