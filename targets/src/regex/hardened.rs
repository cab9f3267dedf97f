//! A memoised backtracking matcher with explicit limits.
//!
//! The same leftmost-first search as [`super::vulnerable`], with two fixes:
//! a visited set of (state, position) pairs, so no pair is explored twice,
//! and an explicit stack instead of recursion, so the call stack stays flat
//! whatever the haystack. regex-automata's `BoundedBacktracker` is built the
//! same way.
//!
//! # Guarantees
//!
//! - The match is the one `regex_automata::meta::Regex::find` reports for the
//!   same pattern and haystack (checked by the `regex-differential` target and
//!   by property tests).
//! - Each (state, position) pair is visited at most once per search, and the
//!   meter counts one step per visit, so a search costs at most
//!   [`super::linear_bound`]`(m, n)` = m·(n+1) steps.
//! - No recursion: stack depth is constant.
//!
//! # Resource limits
//!
//! Every limit is a [`Config`] setting with an error kind naming it:
//!
//! | setting | default | error |
//! |---|---|---|
//! | [`Config::pattern_len_limit`] | 64 KiB | [`ErrorKind::PatternTooLong`] |
//! | [`Config::nest_limit`] | 100 (regex's is 250) | [`ErrorKind::NestLimit`] |
//! | [`Config::size_limit`] | 1 MiB of NFA (regex's is 10 MiB) | [`ErrorKind::SizeLimit`] |
//! | [`Config::memo_limit`] | 32 MiB of visited bits | [`ErrorKind::MemoLimit`] |
//!
//! The memo needs m·(n+1) bits (twice that when the pattern can match the
//! empty string, for the set of pairs that lead to a match regex-automata's
//! UTF-8 rule skips); with the defaults a 1,000-state pattern can search a
//! 128 KiB haystack and a 10-state pattern a 13 MiB one.
//!
//! # Time complexity
//!
//! Worst case O(m·n), m the number of NFA states and n the haystack length —
//! including haystacks full of UTF-8 continuation bytes, where
//! regex-automata's own re-search for its UTF-8 rule can take O(m·n²).
//! Memory O(m·n) bits for the memo plus O(m·n) for the explicit stack and
//! path in the worst case.
//!
//! # Panics
//!
//! None known, not proven: it indexes slices at positions it has checked, and
//! every input the fuzzers and properties have tried ran through
//! `Target::check`, which turns a panic into a `Panic` finding; none has
//! been seen.
//!
//! [`ErrorKind::PatternTooLong`]: super::ErrorKind::PatternTooLong
//! [`ErrorKind::NestLimit`]: super::ErrorKind::NestLimit
//! [`ErrorKind::SizeLimit`]: super::ErrorKind::SizeLimit
//! [`ErrorKind::MemoLimit`]: super::ErrorKind::MemoLimit

use regex_automata::nfa::thompson::{State, NFA};
use regex_automata::util::primitives::StateID;

use super::{
    compile, is_char_boundary, splits_codepoints_matter, transition, CompileLimits, Error,
    ErrorKind, Match,
};
use crate::meter::Meter;

/// Limits of the hardened matcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Longest pattern accepted, in bytes.
    pub pattern_len_limit: usize,
    /// Deepest nesting of groups, classes and repetitions.
    pub nest_limit: u32,
    /// Largest compiled NFA, in bytes of heap.
    pub size_limit: usize,
    /// Largest visited set, in bytes.
    pub memo_limit: usize,
}

impl Config {
    /// Default [`Config::pattern_len_limit`]: 64 KiB.
    pub const PATTERN_LEN_LIMIT: usize = 64 << 10;
    /// Default [`Config::nest_limit`]: 100.
    pub const NEST_LIMIT: u32 = 100;
    /// Default [`Config::size_limit`]: 1 MiB.
    pub const SIZE_LIMIT: usize = 1 << 20;
    /// Default [`Config::memo_limit`]: 32 MiB.
    pub const MEMO_LIMIT: usize = 32 << 20;
}

impl Default for Config {
    fn default() -> Config {
        Config {
            pattern_len_limit: Config::PATTERN_LEN_LIMIT,
            nest_limit: Config::NEST_LIMIT,
            size_limit: Config::SIZE_LIMIT,
            memo_limit: Config::MEMO_LIMIT,
        }
    }
}

/// A compiled pattern, matched by memoised backtracking.
#[derive(Clone, Debug)]
pub struct Regex {
    nfa: NFA,
    config: Config,
}

impl Regex {
    /// Parses and compiles `pattern` under the default [`Config`].
    pub fn new(pattern: &str) -> Result<Regex, Error> {
        Regex::with_config(pattern, Config::default())
    }

    /// Parses and compiles `pattern` under `config`.
    pub fn with_config(pattern: &str, config: Config) -> Result<Regex, Error> {
        let limits = CompileLimits {
            pattern_len: config.pattern_len_limit,
            nest: config.nest_limit,
            size: config.size_limit,
        };
        Ok(Regex { nfa: compile(pattern, limits)?, config })
    }

    /// The number of NFA states, the m of [`super::linear_bound`].
    pub fn state_count(&self) -> usize {
        self.nfa.states().len()
    }

    /// The most steps [`Regex::find`] can take on a haystack of `len` bytes.
    pub fn step_bound(&self, len: usize) -> u64 {
        super::linear_bound(self.state_count(), len)
    }

    /// The leftmost-first match of the pattern in `haystack`, if any.
    ///
    /// Counts one meter step per (state, position) visit, at most
    /// [`Regex::step_bound`] in all. Refuses with [`ErrorKind::MemoLimit`]
    /// before allocating when the visited set would be too large.
    pub fn find(&self, haystack: &[u8], meter: &mut Meter) -> Result<Option<Match>, Error> {
        let states = self.state_count();
        let positions = haystack.len().saturating_add(1);
        // One bit per pair, two when the UTF-8 rule needs the skip set.
        let sets = if splits_codepoints_matter(&self.nfa) { 2 } else { 1 };
        let bits = states.checked_mul(positions).and_then(|b| b.checked_mul(sets));
        let needed = bits.map_or(usize::MAX, |b| b.div_ceil(8));
        if needed > self.config.memo_limit {
            return Err(Error::new(ErrorKind::MemoLimit {
                states,
                haystack: haystack.len(),
                needed,
                limit: self.config.memo_limit,
            }));
        }
        let skip_splits = splits_codepoints_matter(&self.nfa);
        let mut memo = Memo {
            visited: Visited::new(states, positions),
            skip: skip_splits.then(|| Visited::new(states, positions)),
            stack: Vec::new(),
            path: Vec::new(),
        };
        for start in 0..=haystack.len() {
            // The memo is kept across start positions: a pair that failed
            // from an earlier start fails from this one too, because whether
            // (state, position) leads to a match does not depend on where the
            // search began.
            match self.backtrack(self.nfa.start_anchored(), start, haystack, &mut memo, meter)? {
                Attempt::Match(end) if !skip_splits || is_char_boundary(haystack, end) => {
                    return Ok(Some(Match { start, end }));
                }
                // regex-automata's UTF-8 rule: this match ends inside a
                // codepoint, so it is skipped and the search goes on from the
                // next start. Every pair on the path to it leads to that same
                // end, so a later start that reaches one of them is skipped
                // too: they are remembered in `memo.skip`. This keeps the
                // search linear where re-searching from each start (what
                // regex-automata does) can be quadratic.
                Attempt::Match(_) | Attempt::Skip => memo.mark_path_skipped(),
                Attempt::Fail => {}
            }
        }
        Ok(None)
    }

    fn backtrack(
        &self,
        sid: StateID,
        at: usize,
        haystack: &[u8],
        memo: &mut Memo,
        meter: &mut Meter,
    ) -> Result<Attempt, Error> {
        let track = memo.skip.is_some();
        memo.stack.clear();
        memo.path.clear();
        memo.stack.push((sid, at, 0));
        while let Some((mut sid, mut at, depth)) = memo.stack.pop() {
            memo.path.truncate(depth);
            // Follow one path as far as it goes, leaving the lower-priority
            // alternatives on the stack.
            loop {
                if !memo.visited.insert(sid, at) {
                    // Visited before: either it failed (try the next
                    // alternative) or it leads to a skipped match.
                    if memo.skip.as_ref().is_some_and(|s| s.contains(sid, at)) {
                        return Ok(Attempt::Skip);
                    }
                    break;
                }
                meter.step()?;
                if track {
                    memo.path.push((sid, at));
                }
                match self.nfa.state(sid) {
                    State::ByteRange { .. } | State::Sparse(_) | State::Dense(_) => {
                        match transition(&self.nfa, sid, haystack, at) {
                            Some(next) => {
                                sid = next;
                                at += 1;
                            }
                            None => break,
                        }
                    }
                    State::Look { look, next } => {
                        if !self.nfa.look_matcher().matches(*look, haystack, at) {
                            break;
                        }
                        sid = *next;
                    }
                    State::Union { alternates } => {
                        let Some((&first, rest)) = alternates.split_first() else { break };
                        let depth = memo.path.len();
                        memo.stack.extend(rest.iter().rev().map(|&alt| (alt, at, depth)));
                        sid = first;
                    }
                    State::BinaryUnion { alt1, alt2 } => {
                        memo.stack.push((*alt2, at, memo.path.len()));
                        sid = *alt1;
                    }
                    State::Capture { next, .. } => sid = *next,
                    State::Fail => break,
                    State::Match { .. } => return Ok(Attempt::Match(at)),
                }
            }
        }
        Ok(Attempt::Fail)
    }
}

/// How one anchored attempt ended.
enum Attempt {
    /// A match ending here.
    Match(usize),
    /// It reached a pair known to lead to a skipped match.
    Skip,
    /// No match from this start.
    Fail,
}

/// The search's memory: the visited set, the pairs known to lead to a
/// skipped match, the explicit stack and the current path.
struct Memo {
    visited: Visited,
    /// Present only when regex-automata's UTF-8 rule applies.
    skip: Option<Visited>,
    /// Pending alternatives: state, position, and the path length to return
    /// to.
    stack: Vec<(StateID, usize, usize)>,
    /// The pairs from the attempt's start to the current one (tracked only
    /// when `skip` is present).
    path: Vec<(StateID, usize)>,
}

impl Memo {
    fn mark_path_skipped(&mut self) {
        if let Some(skip) = &mut self.skip {
            for &(sid, at) in &self.path {
                skip.insert(sid, at);
            }
        }
    }
}

/// One bit per (state, position) pair.
struct Visited {
    bits: Vec<u64>,
    positions: usize,
}

impl Visited {
    fn new(states: usize, positions: usize) -> Visited {
        Visited { bits: vec![0; (states * positions).div_ceil(64)], positions }
    }

    /// Marks the pair; false if it was already marked.
    #[inline]
    fn insert(&mut self, sid: StateID, at: usize) -> bool {
        let i = sid.as_usize() * self.positions + at;
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        let fresh = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        fresh
    }

    /// Whether the pair is marked.
    #[inline]
    fn contains(&self, sid: StateID, at: usize) -> bool {
        let i = sid.as_usize() * self.positions + at;
        self.bits[i / 64] & (1u64 << (i % 64)) != 0
    }
}
