//! Attack generators shared by tests, benches and the CLI.

use super::join;
use crate::dos::{geometric, Attack};
use crate::growth::Class;

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

/// The real-world ReDoS table (`testdata/regex/redos.toml`): patterns from
/// OWASP, CVEs and outages with their attack strings, and the class
/// Python's `re` shows on each.
const REDOS_TABLE: &str = include_str!("../../testdata/regex/redos.toml");

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    case: Vec<RedosCase>,
}

/// One case of the real-world ReDoS table: the attack string is
/// `prefix + pumpⁿ + suffix`.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedosCase {
    /// Short unique name.
    pub name: String,
    /// Where the pattern comes from.
    pub source: String,
    /// The pattern.
    pub pattern: String,
    /// The attack string's prefix.
    pub prefix: String,
    /// Its repeated part.
    pub pump: String,
    /// Its suffix.
    pub suffix: String,
    /// The class Python's `re` shows: linear, polynomial, exponential or
    /// refused.
    pub python: String,
    /// The fitted degree when polynomial.
    pub degree: Option<u32>,
    /// Whether regex-syntax cannot parse it (look-around, backreferences).
    pub python_syntax_only: bool,
}

impl RedosCase {
    /// The family's input for `n` pumps: the pattern, then the attack
    /// string.
    pub fn input(&self, n: usize) -> Vec<u8> {
        let haystack = format!("{}{}{}", self.prefix, self.pump.repeat(n), self.suffix);
        join(&self.pattern, haystack.as_bytes())
    }
}

/// The real-world ReDoS table, parsed.
pub fn redos_table() -> Vec<RedosCase> {
    toml::from_str::<Table>(REDOS_TABLE).expect("the committed ReDoS table parses").case
}

/// The family's attacks for `gauntlet dos`, the benches and the tests: the
/// textbook generators above, then every case of the real-world ReDoS table
/// that regex-syntax parses (`redos-<name>`, prefix + pumpⁿ + suffix),
/// with the class Python's `re` shows as the vulnerable twin's.
pub fn all() -> Vec<Attack> {
    // Exponential attacks walk n one at a time while the vulnerable twin
    // lasts, then on to sizes where only a linear twin goes.
    let steady = || {
        let mut sizes: Vec<usize> = (4..=30).step_by(2).collect();
        sizes.extend(geometric(64, 1 << 17, 4.0));
        sizes
    };
    let mut attacks = vec![
        Attack::new(
            "nested-plus",
            "(a+)+$ against n a's and a '!' (textbook exponential backtracking)",
            steady(),
            Class::Exponential,
            nested_plus,
        ),
        Attack::new(
            "fibonacci-alternation",
            "(a|aa)*$ against n a's and a '!' (grows as 1.618^n)",
            steady(),
            Class::Exponential,
            fibonacci_alternation,
        ),
        Attack::new(
            "trailing-whitespace",
            r"\s+$ against n spaces and an 'x' (the 2016 Stack Overflow outage: quadratic)",
            geometric(16, 1 << 17, 2.0),
            Class::Quadratic,
            trailing_whitespace,
        ),
        Attack::new(
            "star-run",
            "a* against n a's: linear time, one stack frame per a in a recursive backtracker",
            geometric(16, 1 << 17, 2.0),
            Class::Linear,
            star_run,
        ),
    ];
    for case in redos_table() {
        let class = match case.python.as_str() {
            "exponential" => Class::Exponential,
            "polynomial" => Class::Polynomial,
            "linear" => Class::Linear,
            _ => continue,
        };
        if case.python_syntax_only {
            continue;
        }
        let sizes = if class == Class::Exponential { steady() } else { geometric(8, 1 << 16, 2.0) };
        let about = format!("{}  ({}; Python's re: {})", case.pattern, case.source, case.python);
        attacks.push(
            Attack::new(format!("redos-{}", case.name), about, sizes, class, move |n| {
                case.input(n)
            })
            .not_in_campaign(),
        );
    }
    attacks
}
