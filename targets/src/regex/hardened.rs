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
//! The memo needs m·(n+1) bits; with the defaults a 1,000-state pattern can
//! search a 256 KiB haystack and a 10-state pattern a 25 MiB one.
//!
//! # Time complexity
//!
//! Worst case O(m·n), m the number of NFA states and n the haystack length.
//! Memory O(m·n) bits for the visited set plus O(m·n) for the explicit stack
//! in the worst case.
//!
//! # Panics
//!
//! Never.
//!
//! [`ErrorKind::PatternTooLong`]: super::ErrorKind::PatternTooLong
//! [`ErrorKind::NestLimit`]: super::ErrorKind::NestLimit
//! [`ErrorKind::SizeLimit`]: super::ErrorKind::SizeLimit
//! [`ErrorKind::MemoLimit`]: super::ErrorKind::MemoLimit

use regex_automata::nfa::thompson::{State, NFA};
use regex_automata::util::primitives::StateID;

use super::{compile, is_char_boundary, transition, CompileLimits, Error, ErrorKind, Match};
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
        let bits = states.checked_mul(positions);
        let needed = bits.map_or(usize::MAX, |b| b.div_ceil(8));
        if needed > self.config.memo_limit {
            return Err(Error::new(ErrorKind::MemoLimit {
                states,
                haystack: haystack.len(),
                needed,
                limit: self.config.memo_limit,
            }));
        }
        let mut visited = Visited { bits: vec![0; needed.div_ceil(8)], positions };
        let mut stack = Vec::new();
        for start in 0..=haystack.len() {
            // The visited set is kept across start positions: a pair that
            // failed from an earlier start fails from this one too, because
            // whether (state, position) leads to a match does not depend on
            // where the search began.
            let found = self.backtrack(
                self.nfa.start_anchored(),
                start,
                haystack,
                &mut visited,
                &mut stack,
                meter,
            )?;
            if let Some(end) = found {
                // regex-automata's UTF-8 mode: an empty match may not split a
                // codepoint. Every pair on the path to it is at `start`, which
                // later starts never reach, so the visited set stays valid.
                if end == start && !is_char_boundary(haystack, start) {
                    continue;
                }
                return Ok(Some(Match { start, end }));
            }
        }
        Ok(None)
    }

    fn backtrack(
        &self,
        sid: StateID,
        at: usize,
        haystack: &[u8],
        visited: &mut Visited,
        stack: &mut Vec<(StateID, usize)>,
        meter: &mut Meter,
    ) -> Result<Option<usize>, Error> {
        stack.clear();
        stack.push((sid, at));
        while let Some((mut sid, mut at)) = stack.pop() {
            // Follow one path as far as it goes, leaving the lower-priority
            // alternatives on the stack.
            loop {
                if !visited.insert(sid, at) {
                    break;
                }
                meter.step()?;
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
                        stack.extend(rest.iter().rev().map(|&alt| (alt, at)));
                        sid = first;
                    }
                    State::BinaryUnion { alt1, alt2 } => {
                        stack.push((*alt2, at));
                        sid = *alt1;
                    }
                    State::Capture { next, .. } => sid = *next,
                    State::Fail => break,
                    State::Match { .. } => return Ok(Some(at)),
                }
            }
        }
        Ok(None)
    }
}

/// One bit per (state, position) pair.
struct Visited {
    bits: Vec<u64>,
    positions: usize,
}

impl Visited {
    /// Marks the pair; false if it was already marked.
    #[inline]
    fn insert(&mut self, sid: StateID, at: usize) -> bool {
        let i = sid.as_usize() * self.positions + at;
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        let fresh = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        fresh
    }
}
