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
//! - Each search holds at most [`Regex::memory_bound`]`(n)` =
//!   [`BYTES_PER_PAIR`]·m·(n+1) + 16 bytes — its visited sets, explicit
//!   stack and path — and holds them on the meter before it allocates them,
//!   so the meter's peak is the real heap peak of the search. It gives them
//!   back when it returns.
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
//! | [`Config::stack_limit`] | 32 MiB of explicit stack and path | [`ErrorKind::StackLimit`] |
//!
//! The memo needs m·(n+1) bits (twice that when the pattern can match the
//! empty string, for the set of pairs that lead to a match regex-automata's
//! UTF-8 rule skips), checked before the search begins; with the defaults a
//! 1,000-state pattern can search a 128 KiB haystack and a 10-state pattern
//! a 13 MiB one. The stack and path grow as the search goes, and are
//! refused once they would pass their limit, so a search holds at most
//! 64 MiB whatever its input.
//!
//! # Memory
//!
//! Per (state, position) pair, at most a 24-byte frame on the explicit
//! stack (for a union state, whose lower-priority alternatives wait there:
//! one frame per union, however many alternatives it has), a 4-byte state
//! on the path (the position is recomputed from the states before it) and
//! two memo bits; neither buffer grows past the number of pairs it can
//! need. That is [`BYTES_PER_PAIR`] = 29 bytes a pair, O(m·n) in all.
//!
//! Measured per haystack byte, with the meter and a counting allocator
//! (which agree to the byte), x86_64:
//!
//! | pattern, haystack | held per haystack byte | why |
//! |---|---|---|
//! | `[a-z]*`, 1,000,000 `a`s | 34.8 bytes | a frame and two path states per `a` (capacities rounded up to powers of two) and 2 × 5 memo bits |
//! | `(a+)+$`, 100,000 `a`s and `!` | 32.3 bytes | the pending alternatives of both `+`, 7 states; no path or skip set (it cannot match the empty string) |
//! | `(a\|aa)*$`, 10,000 `a`s and `!` | 87.1 bytes | two pending alternatives and their path states per `a`, 8 states |
//! | `\w*`, 10,000 `a`s | 132 bytes | 320 states: the memo's 2 × 320 bits dominate |
//!
//! (`harnesses/tests/regex_memory.rs` prints these.) With the default stack
//! limit, `[a-z]*` searches up to about a mebibyte (2²⁰ bytes) of haystack;
//! before the stack and path were metered and limited, 10 MB of `a` took
//! 564 MB here, and now the search is refused at the limit having held
//! 46 MB (32 MiB of stack and path, 12.5 MB of memo).
//!
//! # Time complexity
//!
//! Worst case O(m·n), m the number of NFA states and n the haystack length —
//! including haystacks full of UTF-8 continuation bytes, where
//! regex-automata's own re-search for its UTF-8 rule can take O(m·n²).
//! Memory O(m·n): at most [`BYTES_PER_PAIR`]·m·(n+1) + 16 bytes, and at most
//! the memo limit plus the stack limit.
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
//! [`ErrorKind::StackLimit`]: super::ErrorKind::StackLimit

use std::mem::size_of;

use regex_automata::nfa::thompson::{State, NFA};
use regex_automata::util::primitives::StateID;

use super::{
    compile, is_char_boundary, splits_codepoints_matter, transition, CompileLimits, Error,
    ErrorKind, Match,
};
use crate::held;
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
    /// Largest explicit stack and path together, in bytes.
    pub stack_limit: usize,
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
    /// Default [`Config::stack_limit`]: 32 MiB, as much as the memo.
    pub const STACK_LIMIT: usize = 32 << 20;
}

impl Default for Config {
    fn default() -> Config {
        Config {
            pattern_len_limit: Config::PATTERN_LEN_LIMIT,
            nest_limit: Config::NEST_LIMIT,
            size_limit: Config::SIZE_LIMIT,
            memo_limit: Config::MEMO_LIMIT,
            stack_limit: Config::STACK_LIMIT,
        }
    }
}

/// The most bytes a search holds per (state, position) pair: a frame
/// (24 bytes) for a union state, a path entry (4 bytes) for any state, and
/// at most two memo bits. The explicit stack holds at most one frame per
/// union pair and the path one entry per pair, and neither grows past that
/// count, so a search of an m-state pattern over n bytes holds at most
/// `BYTES_PER_PAIR · m · (n + 1)` bytes, plus 16 for rounding the memo to
/// whole words.
pub const BYTES_PER_PAIR: u64 = 29;

/// A compiled pattern, matched by memoised backtracking.
#[derive(Clone, Debug)]
pub struct Regex {
    nfa: NFA,
    config: Config,
    /// Union states: the only ones that leave a frame on the stack.
    unions: usize,
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
        let nfa = compile(pattern, limits)?;
        let unions = nfa
            .states()
            .iter()
            .filter(|s| matches!(s, State::Union { .. } | State::BinaryUnion { .. }))
            .count();
        Ok(Regex { nfa, config, unions })
    }

    /// The number of NFA states, the m of [`super::linear_bound`].
    pub fn state_count(&self) -> usize {
        self.nfa.states().len()
    }

    /// The most steps [`Regex::find`] can take on a haystack of `len` bytes.
    pub fn step_bound(&self, len: usize) -> u64 {
        super::linear_bound(self.state_count(), len)
    }

    /// The most bytes [`Regex::find`] can hold on a haystack of `len` bytes:
    /// [`BYTES_PER_PAIR`] per (state, position) pair, plus 16.
    pub fn memory_bound(&self, len: usize) -> u64 {
        super::linear_bound(self.state_count(), len).saturating_mul(BYTES_PER_PAIR) + 16
    }

    /// The leftmost-first match of the pattern in `haystack`, if any.
    ///
    /// Counts one meter step per (state, position) visit, at most
    /// [`Regex::step_bound`] in all, and holds its memo, stack and path on
    /// the meter, at most [`Regex::memory_bound`] bytes, all given back
    /// when it returns. Refuses with [`ErrorKind::MemoLimit`] before
    /// allocating when the visited set would be too large, and with
    /// [`ErrorKind::StackLimit`] when the stack and path would grow past
    /// their limit.
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
        let mut memo = Memo {
            visited: Visited::default(),
            skip: None,
            stack: Vec::new(),
            path: Vec::new(),
            max_frames: self.unions.saturating_mul(positions),
            max_path: states.saturating_mul(positions),
            stack_limit: self.config.stack_limit,
            held: 0,
        };
        let found = self.search(haystack, &mut memo, meter);
        meter.release(memo.held);
        found
    }

    fn search(
        &self,
        haystack: &[u8],
        memo: &mut Memo,
        meter: &mut Meter,
    ) -> Result<Option<Match>, Error> {
        let (states, positions) = (self.state_count(), haystack.len() + 1);
        let skip_splits = splits_codepoints_matter(&self.nfa);
        memo.visited = memo.bits(states, positions, meter)?;
        if skip_splits {
            memo.skip = Some(memo.bits(states, positions, meter)?);
        }
        for start in 0..=haystack.len() {
            // The memo is kept across start positions: a pair that failed
            // from an earlier start fails from this one too, because whether
            // (state, position) leads to a match does not depend on where the
            // search began.
            match self.backtrack(self.nfa.start_anchored(), start, haystack, memo, meter)? {
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
                Attempt::Match(_) | Attempt::Skip => self.mark_path_skipped(start, memo),
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
        let mut next = Some((sid, at));
        loop {
            let (mut sid, mut at) = match next.take() {
                Some(pair) => pair,
                None => match memo.stack.pop() {
                    Some(frame) => {
                        memo.path.truncate(frame.depth);
                        match self.resume(frame, &mut memo.stack) {
                            Some(pair) => pair,
                            None => continue,
                        }
                    }
                    None => return Ok(Attempt::Fail),
                },
            };
            // Follow one path as far as it goes, leaving a frame on the stack
            // for the lower-priority alternatives of each union it passes.
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
                    memo.room(Buffer::Path, meter)?;
                    memo.path.push(sid);
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
                        let Some(&first) = alternates.first() else { break };
                        if alternates.len() > 1 {
                            memo.push_frame(sid, at, meter)?;
                        }
                        sid = first;
                    }
                    State::BinaryUnion { alt1, .. } => {
                        memo.push_frame(sid, at, meter)?;
                        sid = *alt1;
                    }
                    State::Capture { next, .. } => sid = *next,
                    State::Fail => break,
                    State::Match { .. } => return Ok(Attempt::Match(at)),
                }
            }
        }
    }

    /// The pair a popped frame goes on with: its union's next alternative.
    /// A union with more alternatives after it leaves the frame on the stack
    /// again, in the slot it was just popped from.
    fn resume(&self, frame: Frame, stack: &mut Vec<Frame>) -> Option<(StateID, usize)> {
        let alt = frame.alt as usize;
        let sid = match self.nfa.state(frame.union) {
            State::BinaryUnion { alt2, .. } => *alt2,
            State::Union { alternates } => {
                if alt + 1 < alternates.len() {
                    stack.push(Frame { alt: frame.alt + 1, ..frame });
                }
                *alternates.get(alt)?
            }
            _ => return None,
        };
        Some((sid, frame.at))
    }

    /// Marks every pair on the attempt's path, which began at `start`, as
    /// leading to a skipped match. The path keeps only states; each pair's
    /// position is the start plus the bytes consumed by the states before it.
    fn mark_path_skipped(&self, start: usize, memo: &mut Memo) {
        let Some(skip) = &mut memo.skip else { return };
        let mut at = start;
        for &sid in &memo.path {
            skip.insert(sid, at);
            if let State::ByteRange { .. } | State::Sparse(_) | State::Dense(_) =
                self.nfa.state(sid)
            {
                at += 1;
            }
        }
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

/// A union state's lower-priority alternatives, pending: alternative `alt`
/// of `union` at position `at`, and the path length to return to. One frame
/// per union pair at most, however many alternatives the union has.
#[derive(Clone, Copy)]
struct Frame {
    union: StateID,
    alt: u32,
    at: usize,
    depth: usize,
}

/// The two buffers that share [`Config::stack_limit`].
#[derive(Clone, Copy)]
enum Buffer {
    Stack,
    Path,
}

/// The search's memory: the visited set, the pairs known to lead to a
/// skipped match, the explicit stack and the current path, and the bytes
/// they hold on the meter.
struct Memo {
    visited: Visited,
    /// Present only when regex-automata's UTF-8 rule applies.
    skip: Option<Visited>,
    /// Pending alternatives.
    stack: Vec<Frame>,
    /// The states from the attempt's start to the current one (tracked only
    /// when `skip` is present).
    path: Vec<StateID>,
    /// The most frames the stack can need: one per union pair.
    max_frames: usize,
    /// The most entries the path can need: one per pair.
    max_path: usize,
    stack_limit: usize,
    /// Bytes held on the meter, given back when the search returns.
    held: u64,
}

impl Memo {
    /// A bit set of `states × positions` pairs, held on the meter.
    fn bits(
        &mut self,
        states: usize,
        positions: usize,
        meter: &mut Meter,
    ) -> Result<Visited, Error> {
        let words = states.saturating_mul(positions).div_ceil(64);
        let bytes = held::bytes::<u64>(words);
        // Counted before the hold: a refused hold is still on the meter's
        // books, and `find` gives back all of `held`.
        self.held += bytes;
        meter.hold(bytes)?;
        Ok(Visited { bits: vec![0; words], positions })
    }

    fn push_frame(&mut self, union: StateID, at: usize, meter: &mut Meter) -> Result<(), Error> {
        self.room(Buffer::Stack, meter)?;
        self.stack.push(Frame { union, alt: 1, at, depth: self.path.len() });
        Ok(())
    }

    /// Room for one more frame or path entry: the buffer doubles as a `Vec`
    /// would, but never past what the search can need nor past what the
    /// stack limit leaves it, and the growth is held on the meter first.
    fn room(&mut self, which: Buffer, meter: &mut Meter) -> Result<(), Error> {
        let (len, cap, size, max, others) = match which {
            Buffer::Stack => (
                self.stack.len(),
                self.stack.capacity(),
                size_of::<Frame>(),
                self.max_frames,
                self.path.capacity() * size_of::<StateID>(),
            ),
            Buffer::Path => (
                self.path.len(),
                self.path.capacity(),
                size_of::<StateID>(),
                self.max_path,
                self.stack.capacity() * size_of::<Frame>(),
            ),
        };
        let Some(wanted) = held::grown(len, cap, 1, size) else { return Ok(()) };
        let budget = self.stack_limit.saturating_sub(others) / size;
        let grown = wanted.min(max).max(len + 1).min(budget);
        if grown <= len {
            let needed = others + (len + 1) * size;
            return Err(Error::new(ErrorKind::StackLimit { needed, limit: self.stack_limit }));
        }
        let bytes = ((grown - cap) * size) as u64;
        self.held += bytes;
        meter.hold(bytes)?;
        match which {
            Buffer::Stack => self.stack.reserve_exact(grown - len),
            Buffer::Path => self.path.reserve_exact(grown - len),
        }
        Ok(())
    }
}

/// One bit per (state, position) pair.
#[derive(Default)]
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

    /// Whether the pair is marked.
    #[inline]
    fn contains(&self, sid: StateID, at: usize) -> bool {
        let i = sid.as_usize() * self.positions + at;
        self.bits[i / 64] & (1u64 << (i % 64)) != 0
    }
}
