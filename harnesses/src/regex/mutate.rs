//! The regex family's structure-aware mutator.
//!
//! Byte mutations make patterns well enough, but the vulnerable twin's
//! classes need structure they rarely build together: a quantifier nested
//! inside another over overlapping atoms (super-linear time), and a
//! haystack long enough, made of what the pattern matches, for the
//! recursive backtracker to go deeper than its depth fuse (unbounded
//! recursion). This mutator gives the search the means — never the answer:
//!
//! - patterns drawn with [`arbitrary`] from a small regex grammar ([`Re`]:
//!   literals, classes, concatenation, alternation, groups and the
//!   quantifiers), with the haystack kept;
//! - haystacks that grow: a chunk of the current haystack repeated;
//! - haystacks made of the pattern's own literals: one of its letters
//!   repeated up to the fuzzer's size limit, then one other byte.
//!
//! Which pattern is slow, and on what, is for the search (and its cost
//! feedback) to find. Half of the calls return `None`, leaving the round to
//! libFuzzer's own mutations; a result longer than `max_size` is `None`
//! too.

use arbitrary::{Arbitrary, Unstructured};

use super::{join, split};
use crate::kit::Rng;

/// The grammar the mutator draws patterns from.
#[derive(Arbitrary, Debug)]
pub enum Re {
    /// One of `a`, `b`, `c`, `x`.
    Literal(u8),
    /// `.`, `\s`, `\w`, `\d`, `[a-z]`, `[^b]`.
    Class(u8),
    /// A sequence.
    Concat(Vec<Re>),
    /// `a|b|...`.
    Alternation(Vec<Re>),
    /// `(...)`.
    Group(Box<Re>),
    /// The atom with `*`, `+`, `?`, `{2,}`, `*?` or `+?`.
    Repeat(Box<Re>, u8),
    /// `^` or `$`.
    Anchor(bool),
}

fn render(re: &Re, out: &mut String, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    match re {
        Re::Literal(b) => out.push(['a', 'b', 'c', 'x'][usize::from(*b) % 4]),
        Re::Class(b) => {
            out.push_str([".", r"\s", r"\w", r"\d", "[a-z]", "[^b]"][usize::from(*b) % 6])
        }
        Re::Concat(items) => items.iter().for_each(|r| render(r, out, budget)),
        Re::Alternation(items) => {
            out.push_str("(?:");
            for (i, r) in items.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                render(r, out, budget);
            }
            out.push(')');
        }
        Re::Group(r) => {
            out.push('(');
            render(r, out, budget);
            out.push(')');
        }
        Re::Repeat(r, q) => {
            out.push_str("(?:");
            render(r, out, budget);
            out.push(')');
            out.push_str(["*", "+", "?", "{2,}", "*?", "+?"][usize::from(*q) % 6]);
        }
        Re::Anchor(end) => out.push(if *end { '$' } else { '^' }),
    }
}

/// Structure-aware mutation for the regex fuzz targets (the family's
/// [`Family::mutator`](crate::target::Family::mutator)).
pub fn mutate(input: &[u8], max_size: usize, seed: u32) -> Option<Vec<u8>> {
    let mut rng = Rng::new(seed);
    if rng.below(2) == 0 {
        return None;
    }
    let (pattern, haystack) = split(input);
    let pattern = std::str::from_utf8(pattern).ok()?;
    let out = match rng.below(3) {
        0 => {
            let bytes = rng.bytes(128);
            let re = Re::arbitrary(&mut Unstructured::new(&bytes)).ok()?;
            let mut drawn = String::new();
            render(&re, &mut drawn, &mut 64);
            join(&drawn, haystack)
        }
        1 if !haystack.is_empty() => {
            let start = rng.below(haystack.len());
            let len = 1 + rng.below(haystack.len() - start);
            let times = 2 + rng.below(64);
            let mut hay = haystack[..start + len].to_vec();
            for _ in 1..times {
                hay.extend_from_slice(&haystack[start..start + len]);
            }
            hay.extend_from_slice(&haystack[start + len..]);
            join(pattern, &hay)
        }
        _ => {
            let letters: Vec<u8> = pattern.bytes().filter(u8::is_ascii_alphanumeric).collect();
            let fill = letters.get(rng.below(letters.len())).copied().unwrap_or(b'a');
            let room = max_size.saturating_sub(pattern.len() + 2).max(1);
            let mut hay = vec![fill; 1 + rng.below(room)];
            hay.push([b'!', b'\n', b' ', b'0', 0xff][rng.below(5)]);
            join(pattern, &hay)
        }
    };
    (out.len() <= max_size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_keep_the_input_format_and_the_size() {
        let mut patterns = 0;
        for seed in 0..2000 {
            if let Some(out) = mutate(b"(a+)b\naab", 4096, seed) {
                assert!(out.len() <= 4096);
                let (pattern, _) = split(&out);
                let pattern = std::str::from_utf8(pattern).expect("a UTF-8 pattern line");
                patterns += usize::from(regex_automata::meta::Regex::new(pattern).is_ok());
            }
        }
        assert!(patterns > 500, "{patterns} patterns that parse");
    }
}
