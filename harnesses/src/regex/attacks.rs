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
