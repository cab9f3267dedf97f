//! The JSON family's structure-aware mutator.
//!
//! libFuzzer's byte mutations build JSON's small pieces well (numbers,
//! strings, a bracket), but two of the vulnerable twin's classes need
//! structure they rarely build: nesting a thousand levels deep, and an
//! object of many keys that all land in one bucket of its weak hash. This
//! mutator gives the search the means — never the answer:
//!
//! - generation: a small JSON tree drawn with [`arbitrary`] from a
//!   [`Node`] grammar and rendered as text;
//! - nesting: the current input wrapped in up to as many levels again of
//!   arrays or objects as it has bytes, so that the depth feedback can
//!   climb a power-of-two rung in a step or two;
//! - key products: an object whose keys are every combination of one
//!   two-letter block from each of a few pairs ([`Node::Product`]), so that
//!   pairs of blocks that happen to collide under the twin's hash make
//!   every key collide; half of the time each pair's second block is its
//!   first moved by one letter offset shared by all the pairs, so that one
//!   lucky offset collides everywhere at once. Which blocks or offset
//!   collide (if any) is for the probe feedback to find: they come from
//!   `arbitrary`, not from the hash.
//!
//! Half of the calls return `None`, leaving the round to libFuzzer's own
//! mutations (and its dictionary); a result longer than `max_size` is `None`
//! too.

use arbitrary::{Arbitrary, Unstructured};

use crate::kit::Rng;

/// Two ASCII letters, as a key is built from.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub struct Block(u8, u8);

impl Block {
    fn letters(self) -> [u8; 2] {
        let letter = |b: u8| if b & 1 == 0 { b'A' + (b >> 1) % 26 } else { b'a' + (b >> 1) % 26 };
        [letter(self.0), letter(self.1)]
    }
}

/// The grammar the mutator draws from.
#[derive(Arbitrary, Debug)]
pub enum Node {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Number(i32),
    /// An integer literal of any length (its digits), as JSON allows.
    Digits(Vec<u8>),
    /// A string of one block.
    Text(Block),
    /// An array of nodes.
    Array(Vec<Node>),
    /// An object of one-block keys.
    Object(Vec<(Block, Node)>),
    /// `depth` levels of arrays (or of `{"k":` objects) around `inner`.
    Nest {
        /// Levels.
        depth: u8,
        /// Objects rather than arrays.
        object: bool,
        /// What is inside.
        inner: Box<Node>,
    },
    /// An object whose keys are every combination of one block from each
    /// pair, in order: 2^pairs keys, each `value`.
    Product {
        /// The alternatives for each position of the key.
        pairs: Vec<(Block, Block)>,
        /// Every member's value.
        value: Box<Node>,
    },
}

/// Renders `node` into `out`, giving up (false) past `max` bytes.
fn render(node: &Node, out: &mut Vec<u8>, max: usize) -> bool {
    if out.len() > max {
        return false;
    }
    match node {
        Node::Null => out.extend_from_slice(b"null"),
        Node::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Node::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Node::Digits(digits) => {
            let mut digits = digits.iter().take(64);
            out.push(b'1' + digits.next().map_or(0, |d| d % 9));
            out.extend(digits.map(|d| b'0' + d % 10));
        }
        Node::Text(b) => {
            out.push(b'"');
            out.extend_from_slice(&b.letters());
            out.push(b'"');
        }
        Node::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if !render(item, out, max) {
                    return false;
                }
            }
            out.push(b']');
        }
        Node::Object(members) => {
            out.push(b'{');
            for (i, (key, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(&key.letters());
                out.extend_from_slice(b"\":");
                if !render(value, out, max) {
                    return false;
                }
            }
            out.push(b'}');
        }
        Node::Nest { depth, object, inner } => {
            let mut inside = Vec::new();
            if !render(inner, &mut inside, max) {
                return false;
            }
            return nest(out, &inside, usize::from(*depth), *object, max);
        }
        Node::Product { pairs, value } => {
            let pairs: Vec<_> = pairs.iter().map(|(a, b)| (a.letters(), b.letters())).collect();
            return product(out, &pairs, value, max);
        }
    }
    out.len() <= max
}

/// An object whose keys are every combination of one block from each pair,
/// in order, each member's value `value`.
fn product(out: &mut Vec<u8>, pairs: &[([u8; 2], [u8; 2])], value: &Node, max: usize) -> bool {
    let mut rendered = Vec::new();
    if pairs.len() > 16 || !render(value, &mut rendered, max) {
        return false;
    }
    out.push(b'{');
    for i in 0..1usize << pairs.len() {
        if out.len() > max {
            return false;
        }
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        for (bit, (zero, one)) in pairs.iter().enumerate() {
            let block = if i >> (pairs.len() - 1 - bit) & 1 == 0 { zero } else { one };
            out.extend_from_slice(block);
        }
        out.extend_from_slice(b"\":");
        out.extend_from_slice(&rendered);
    }
    out.push(b'}');
    out.len() <= max
}

/// `depth` levels of arrays or `{"k":` objects around `inside`.
fn nest(out: &mut Vec<u8>, inside: &[u8], depth: usize, object: bool, max: usize) -> bool {
    let (open, close): (&[u8], &[u8]) = if object { (b"{\"k\":", b"}") } else { (b"[", b"]") };
    if out.len() + inside.len() + depth * (open.len() + close.len()) > max {
        return false;
    }
    for _ in 0..depth {
        out.extend_from_slice(open);
    }
    out.extend_from_slice(inside);
    for _ in 0..depth {
        out.extend_from_slice(close);
    }
    true
}

/// Structure-aware mutation for the json fuzz targets (the family's
/// [`Family::mutator`](crate::target::Family::mutator)).
pub fn mutate(input: &[u8], max_size: usize, seed: u32) -> Option<Vec<u8>> {
    let mut rng = Rng::new(seed);
    if rng.below(2) == 0 {
        return None;
    }
    let bytes = rng.bytes(256);
    let mut u = Unstructured::new(&bytes);
    let mut out = Vec::with_capacity(max_size.min(1 << 16));
    let done = match rng.below(4) {
        0 if rng.below(2) == 0 => {
            let node = Node::arbitrary(&mut u).ok()?;
            render(&node, &mut out, max_size)
        }
        // Number literals of 1 to 40 digits in an array: JSON numbers have
        // no length limit, and which lengths a parser gets wrong is for the
        // number oracle to tell.
        0 => {
            let mut numbers = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let len = 1 + rng.below(40);
                numbers.push(Node::Digits(rng.bytes(len)));
            }
            render(&Node::Array(numbers), &mut out, max_size)
        }
        // Up to as many levels again as the input has bytes: nesting can
        // double in one step, so the depth feedback's power-of-two rungs
        // are a few steps apart.
        1 => nest(&mut out, input, 1 + rng.below(input.len().max(64)), rng.below(4) == 0, max_size),
        2 => {
            let pairs = (0..1 + rng.below(10))
                .map(|_| <(Block, Block)>::arbitrary(&mut u))
                .collect::<Result<Vec<_>, _>>()
                .ok()?;
            let value = Node::Number(0);
            render(&Node::Product { pairs, value: Box::new(value) }, &mut out, max_size)
        }
        _ => {
            // Neighbouring blocks: each pair's second block is its first
            // moved by one offset shared by every pair (drawn, not chosen).
            let (dx, dy) = (
                i16::from(u.int_in_range(-2i8..=2).ok()?),
                i16::from(u.int_in_range(-64i8..=64).ok()?),
            );
            let letter = |c: i16| u8::try_from(c).ok().filter(u8::is_ascii_alphabetic);
            let mut pairs = Vec::new();
            for _ in 0..1 + rng.below(10) {
                let [x, y] = Block::arbitrary(&mut u).ok()?.letters();
                let moved = letter(i16::from(x) + dx).zip(letter(i16::from(y) + dy));
                if let Some((x2, y2)) = moved {
                    pairs.push(([x, y], [x2, y2]));
                }
            }
            product(&mut out, &pairs, &Node::Number(0), max_size)
        }
    };
    done.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutation_is_a_json_text_within_the_size() {
        use gauntlet_targets::json::hardened::{parse_with, Config};
        use gauntlet_targets::meter::Meter;
        // Deeper than serde_json's 128 levels on purpose, so checked by the
        // hardened twin with room for it.
        let config = Config { depth_limit: 100_000, ..Config::default() };
        let mut made = 0;
        for seed in 0..2000 {
            if let Some(out) = mutate(b"[1]", 4096, seed) {
                made += 1;
                assert!(out.len() <= 4096);
                let parsed =
                    crate::guard::deep(|| parse_with(&config, &out, &mut Meter::unlimited()));
                // Duplicate keys are a generation the hardened twin refuses.
                if let Err(e) = parsed {
                    assert!(e.to_string().contains("duplicate"), "seed {seed}: {e}");
                }
            }
        }
        assert!(made > 500, "{made}");
    }

    #[test]
    fn a_product_of_pairs_makes_every_combination() {
        let pairs = vec![(Block(0, 0), Block(2, 2)), (Block(1, 1), Block(3, 3))];
        let mut out = Vec::new();
        assert!(render(&Node::Product { pairs, value: Box::new(Node::Null) }, &mut out, 1000));
        assert_eq!(out, br#"{"AAaa":null,"AAbb":null,"BBaa":null,"BBbb":null}"#);
    }
}
