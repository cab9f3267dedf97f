//! Attack generators shared by tests, benches and the CLI.

use super::join;

/// `(a+)+$` against n `a`s and a `!`: exponential for a naive backtracker.
pub fn nested_plus(n: usize) -> Vec<u8> {
    let mut hay = vec![b'a'; n];
    hay.push(b'!');
    join("(a+)+$", &hay)
}

/// `(a|aa)*$` against n `a`s and a `!`: grows as 1.618ⁿ.
pub fn fibonacci_alternation(n: usize) -> Vec<u8> {
    let mut hay = vec![b'a'; n];
    hay.push(b'!');
    join("(a|aa)*$", &hay)
}

/// `\s+$` against n spaces and an `x`: quadratic (the 2016 Stack Overflow
/// outage).
pub fn trailing_whitespace(n: usize) -> Vec<u8> {
    let mut hay = vec![b' '; n];
    hay.push(b'x');
    join(r"\s+$", &hay)
}

/// `a*` against n `a`s: linear time, but a recursive backtracker takes one
/// call-stack frame (432 bytes for the vulnerable twin) per `a`, since each
/// iteration of the greedy star leaves an alternative to come back to.
///
/// The memory attack below the depth fuse: for n up to 1,998 the recursion
/// oracle stays quiet, and the frames alone pass the family's memory bound
/// (32 bytes a (state, position) pair, here 5 states: 160 bytes per input
/// byte + 64 KiB) from 210 `a`s on. 1,500 `a`s hold about 700 KB
/// where the hardened twin holds 67 KB.
pub fn star_run(n: usize) -> Vec<u8> {
    join("a*", &vec![b'a'; n])
}

/// `x*` against n `x`s and a lone continuation byte `\x80`: every start's
/// match of `x*` ends just before the `\x80`, inside what UTF-8 would call a
/// codepoint, so regex-automata's `meta::Regex` skips it and searches again
/// from the next start, n + 1 times: O(n²) (20 s at n = 100,000). The
/// hardened twin remembers the skipped path and stays linear; the
/// differential target must not ask regex-automata in full (see
/// [`super::Reference`]).
pub fn split_codepoint_run(n: usize) -> Vec<u8> {
    let mut hay = vec![b'x'; n];
    hay.push(0x80);
    join("x*", &hay)
}
