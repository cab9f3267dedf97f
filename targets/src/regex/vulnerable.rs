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
    /// For each state, the edges into it that close a cycle of the NFA (the
    /// back edges of a depth-first walk from the start), as (source state,
    /// edge number): the edges along which a loop starts its next
    /// iteration.
    back_edges: Vec<Vec<(StateID, usize)>>,
    /// How many back edges there are.
    back_edge_count: usize,
}

impl Regex {
    /// Parses and compiles `pattern` with regex-syntax's and regex-automata's
    /// own defaults (nesting 250, NFA size 10 MiB): the vulnerable twin adds
    /// no limits of its own.
    pub fn new(pattern: &str) -> Result<Regex, Error> {
        let limits = CompileLimits { pattern_len: usize::MAX, nest: 250, size: 10 << 20 };
        let nfa = compile(pattern, limits)?;
        let (back_edges, back_edge_count) = back_edges(&nfa);
        Ok(Regex { nfa, back_edges, back_edge_count })
    }

    /// The number of NFA states, the m of [`super::linear_bound`].
    pub fn state_count(&self) -> usize {
        self.nfa.states().len()
    }

    /// The leftmost-first match of the pattern in `haystack`, if any.
    ///
    /// Counts one meter step per state visited and one level of depth per
    /// pending alternative, and holds on the meter [`FRAME_BYTES`] per level
    /// and its `taken` and `undo` tables, all given back when it returns;
    /// returns [`super::ErrorKind::Fuse`] when the meter trips.
    pub fn find(&self, haystack: &[u8], meter: &mut Meter) -> Result<Option<Match>, Error> {
        let edges = self.back_edge_count;
        if let Err(blown) = meter.hold(held::bytes::<usize>(edges)) {
            meter.release(held::bytes::<usize>(edges));
            return Err(blown.into());
        }
        let mut search = Search {
            nfa: &self.nfa,
            back_edges: &self.back_edges,
            haystack,
            meter,
            taken: vec![0; edges],
            undo: Vec::new(),
        };
        let found = search.find();
        let held =
            held::bytes::<usize>(edges) + held::bytes::<(usize, usize)>(search.undo.capacity());
        search.meter.release(held);
        found
    }
}

struct Search<'a> {
    nfa: &'a NFA,
    /// For each state, the edges into it that close a loop.
    back_edges: &'a [Vec<(StateID, usize)>],
    haystack: &'a [u8],
    meter: &'a mut Meter,
    /// `taken[e] == at + 1` when the loop's back edge `e` was last taken on
    /// the current path at position `at`. Taking it again at the same
    /// position means the loop's last iteration matched nothing, and the
    /// loop ends there: that path is cut, and the loop's exit is taken from
    /// its earlier visit, as Python's `re` and PCRE end a loop after an
    /// iteration that consumed nothing (without the check `(a*)*` would
    /// loop forever; every cycle of the NFA has a back edge, so every empty
    /// loop ends). A loop entered afresh — a new iteration of an enclosing
    /// loop, say — is explored again, every split of the input included:
    /// that is what makes `^([a-z]*)*[0-9]$` exponential here as in Python.
    taken: Vec<usize>,
    /// Old values of `taken`, restored when a frame returns.
    undo: Vec<(usize, usize)>,
}

impl Search<'_> {
    /// The first start position with a match, as in [`Regex::find`].
    fn find(&mut self) -> Result<Option<Match>, Error> {
        let skip_splits = splits_codepoints_matter(self.nfa);
        for start in 0..=self.haystack.len() {
            if let Some(end) = self.try_at(None, self.nfa.start_anchored(), start)? {
                if skip_splits && !is_char_boundary(self.haystack, end) {
                    continue;
                }
                return Ok(Some(Match { start, end }));
            }
        }
        Ok(None)
    }

    /// Tries to match from state `sid` at position `at`, reached from
    /// `from` (`None` at a start); returns the end of the match. Recurses
    /// once per alternative it has to come back to.
    fn try_at(
        &mut self,
        from: Option<StateID>,
        sid: StateID,
        at: usize,
    ) -> Result<Option<usize>, Error> {
        self.meter.enter()?;
        if let Err(blown) = self.meter.hold(FRAME_BYTES) {
            self.meter.release(FRAME_BYTES);
            self.meter.leave();
            return Err(blown.into());
        }
        let undo_base = self.undo.len();
        let found = self.walk(from, sid, at);
        while self.undo.len() > undo_base {
            if let Some((edge, old)) = self.undo.pop() {
                self.taken[edge] = old;
            }
        }
        self.meter.release(FRAME_BYTES);
        self.meter.leave();
        found
    }

    /// Follows one path, trying each alternative in priority order. The
    /// mistake is what is missing: nothing records that (state, position)
    /// already failed, so every path that reaches it explores it again.
    fn walk(
        &mut self,
        mut from: Option<StateID>,
        mut sid: StateID,
        mut at: usize,
    ) -> Result<Option<usize>, Error> {
        loop {
            let edge = from.and_then(|f| {
                self.back_edges[sid.as_usize()].iter().find(|(s, _)| *s == f).map(|&(_, e)| e)
            });
            if let Some(edge) = edge {
                let old = self.taken[edge];
                if old == at + 1 {
                    return Ok(None);
                }
                held::reserve(&mut self.undo, 1, self.meter)?;
                self.undo.push((edge, old));
                self.taken[edge] = at + 1;
            }
            self.meter.step()?;
            match self.nfa.state(sid) {
                State::ByteRange { .. } | State::Sparse(_) | State::Dense(_) => {
                    match transition(self.nfa, sid, self.haystack, at) {
                        Some(next) => {
                            (from, sid) = (Some(sid), next);
                            at += 1;
                        }
                        None => return Ok(None),
                    }
                }
                State::Look { look, next } => {
                    if !self.nfa.look_matcher().matches(*look, self.haystack, at) {
                        return Ok(None);
                    }
                    (from, sid) = (Some(sid), *next);
                }
                State::Union { alternates } => {
                    let Some((&last, rest)) = alternates.split_last() else {
                        return Ok(None);
                    };
                    for &alt in rest {
                        if let Some(end) = self.try_at(Some(sid), alt, at)? {
                            return Ok(Some(end));
                        }
                    }
                    (from, sid) = (Some(sid), last);
                }
                State::BinaryUnion { alt1, alt2 } => {
                    let alt2 = *alt2;
                    if let Some(end) = self.try_at(Some(sid), *alt1, at)? {
                        return Ok(Some(end));
                    }
                    (from, sid) = (Some(sid), alt2);
                }
                State::Capture { next, .. } => (from, sid) = (Some(sid), *next),
                State::Fail => return Ok(None),
                State::Match { .. } => return Ok(Some(at)),
            }
        }
    }
}

/// The back edges of a depth-first walk of `nfa` from its start: for each
/// state, the edges into it that close a cycle, as (source, edge number),
/// and how many there are. Every cycle of the graph has one, so cutting a
/// path that takes one twice at the same position ends every empty loop.
fn back_edges(nfa: &NFA) -> (Vec<Vec<(StateID, usize)>>, usize) {
    let n = nfa.states().len();
    let mut back = vec![Vec::new(); n];
    let mut count = 0;
    // 0 unseen, 1 on the walk's stack, 2 done.
    let mut mark = vec![0u8; n];
    let start = nfa.start_anchored();
    let mut stack: Vec<(StateID, usize)> = vec![(start, 0)];
    mark[start.as_usize()] = 1;
    while let Some(top) = stack.last_mut() {
        let (sid, next) = *top;
        match successors(nfa, sid).get(next) {
            Some(&to) => {
                top.1 += 1;
                match mark[to.as_usize()] {
                    0 => {
                        mark[to.as_usize()] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        back[to.as_usize()].push((sid, count));
                        count += 1;
                    }
                    _ => {}
                }
            }
            None => {
                mark[sid.as_usize()] = 2;
                stack.pop();
            }
        }
    }
    (back, count)
}

/// The states `sid` has an edge to.
fn successors(nfa: &NFA, sid: StateID) -> Vec<StateID> {
    match nfa.state(sid) {
        State::ByteRange { trans } => vec![trans.next],
        State::Sparse(sparse) => sparse.transitions.iter().map(|t| t.next).collect(),
        State::Dense(dense) => {
            let mut next: Vec<StateID> = dense.transitions.to_vec();
            next.sort_unstable();
            next.dedup();
            next
        }
        State::Look { next, .. } | State::Capture { next, .. } => vec![*next],
        State::Union { alternates } => alternates.to_vec(),
        State::BinaryUnion { alt1, alt2 } => vec![*alt1, *alt2],
        State::Fail | State::Match { .. } => Vec::new(),
    }
}
