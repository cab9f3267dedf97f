//! The integer family's structure-aware mutator.

use std::sync::OnceLock;

use gauntlet_targets::int::Width;

use crate::kit::{dictionary, Rng};

/// Byte mutations break a line's shape (`parse i32 42` needs its words in
/// order, one space apart, and a type among twelve names), and a quadratic
/// big integer needs a long run of digits, which byte edits grow a few
/// bytes at a time. This mutator works on the line's words instead, one
/// step at a time:
///
/// - a fresh line: an operation with operands drawn from the dictionary
///   (types and numbers, with or without a sign);
/// - a type word becomes another type;
/// - a number becomes a number of the dictionary (the bounds of each
///   width and one past them, powers of two), its sign flips, or a digit
///   goes in or out;
/// - a run of digits is repeated 2–8 times, so a number's length grows by
///   a factor per step.
///
/// Which number overflows what, and how long is too long, is for the search
/// to find. Half of the calls return `None`, leaving the input to
/// libFuzzer's own mutations; a result longer than `max_size` is `None`
/// too.
pub fn mutate(input: &[u8], max_size: usize, seed: u32) -> Option<Vec<u8>> {
    let mut rng = Rng::new(seed);
    if rng.below(2) == 0 {
        return None;
    }
    let line = input.strip_suffix(b"\n").unwrap_or(input);
    let words: Vec<(usize, usize)> = words(line);
    let known = line.starts_with(b"parse ")
        || line.starts_with(b"abs ")
        || line.starts_with(b"neg ")
        || line.starts_with(b"narrow ")
        || line.starts_with(b"alloc ")
        || line.starts_with(b"big ");
    let out = if !known || words.len() < 2 || rng.below(8) == 0 {
        fresh(&mut rng)
    } else {
        let (start, end) = words[1 + rng.below(words.len() - 1)];
        let word = &line[start..end];
        let mut out = line.to_vec();
        if Width::from_name(word).is_some() {
            out.splice(start..end, pick(&mut rng, types()).iter().copied());
        } else {
            let new = match rng.below(5) {
                0 | 1 => number(&mut rng),
                2 => match word.first() {
                    Some(b'-') => word[1..].to_vec(),
                    _ => [b"-", word].concat(),
                },
                3 => {
                    let mut w = word.to_vec();
                    let at = rng.below(w.len() + 1);
                    if rng.below(2) == 0 && !w.is_empty() {
                        w.remove(at.min(w.len() - 1));
                    } else {
                        w.insert(at, b'0' + rng.below(10) as u8);
                    }
                    w
                }
                _ => {
                    let digits = word.iter().position(u8::is_ascii_digit)?;
                    let run = &word[digits..];
                    let from = digits + rng.below(run.len());
                    let mut w = word[..from].to_vec();
                    w.extend(word[from..].repeat(rng.below(7) + 2));
                    w
                }
            };
            out.splice(start..end, new);
        }
        out
    };
    (out.len() <= max_size).then_some(out)
}

/// A new line: an operation and operands from the dictionary.
fn fresh(rng: &mut Rng) -> Vec<u8> {
    let ty = |rng: &mut Rng| pick(rng, types()).clone();
    let parts: Vec<Vec<u8>> = match rng.below(6) {
        0 => vec![b"parse".to_vec(), ty(rng), number(rng)],
        1 => vec![b"abs".to_vec(), ty(rng), number(rng)],
        2 => vec![b"neg".to_vec(), ty(rng), number(rng)],
        3 => vec![b"narrow".to_vec(), ty(rng), ty(rng), number(rng)],
        4 => {
            let unsigned = |rng: &mut Rng| {
                let n = number(rng);
                n.strip_prefix(b"-").map_or(n.clone(), <[u8]>::to_vec)
            };
            vec![b"alloc".to_vec(), unsigned(rng), unsigned(rng), unsigned(rng)]
        }
        _ => vec![b"big".to_vec(), number(rng)],
    };
    parts.join(&b' ')
}

/// A number of the dictionary, negative one time in three.
fn number(rng: &mut Rng) -> Vec<u8> {
    let n = pick(rng, numbers()).clone();
    if rng.below(3) == 0 && !n.starts_with(b"-") {
        [b"-".as_slice(), &n].concat()
    } else {
        n
    }
}

fn pick<'a>(rng: &mut Rng, from: &'a [Vec<u8>]) -> &'a Vec<u8> {
    &from[rng.below(from.len())]
}

/// Where each space-separated word of the line starts and ends.
fn words(line: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut start = 0;
    for (i, &b) in line.iter().enumerate() {
        if b == b' ' {
            found.push((start, i));
            start = i + 1;
        }
    }
    found.push((start, line.len()));
    found
}

/// The type names.
fn types() -> &'static [Vec<u8>] {
    static TYPES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    TYPES.get_or_init(|| Width::ALL.iter().map(|w| w.name().as_bytes().to_vec()).collect())
}

/// The numbers of the dictionary: its tokens that are a sign and digits.
fn numbers() -> &'static [Vec<u8>] {
    static NUMBERS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    NUMBERS.get_or_init(|| {
        let tokens = dictionary(include_str!("../../../corpora/int/int.dict"));
        tokens
            .into_iter()
            .filter(|t| {
                let digits = t.strip_prefix(b"-").unwrap_or(t);
                !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_build_lines_and_grow_digit_runs() {
        let mut longest = 0;
        let mut input = b"big 12".to_vec();
        let mut ops = std::collections::BTreeSet::new();
        for seed in 0..2000 {
            if let Some(out) = mutate(&input, 4096, seed) {
                let word = out.split(|&b| b == b' ').next().unwrap_or_default().to_vec();
                ops.insert(String::from_utf8_lossy(&word).into_owned());
                if out.starts_with(b"big ") && out.len() > longest {
                    longest = out.len();
                    input = out;
                }
            }
        }
        assert!(longest > 400, "{longest}");
        assert_eq!(ops.len(), 6, "{ops:?}");
        assert!(numbers().len() > 20);
        assert!(mutate(b"", 8, 1).is_none_or(|o| o.len() <= 8));
    }
}
