//! The format family's structure-aware mutator.

use std::sync::OnceLock;

use crate::kit::{dictionary, Rng};

/// Byte mutations and the dictionary alone found the amplification in two
/// seconds but neither the secret nor the depth fuse in 120 s (1.8 million
/// runs from an empty corpus, measured): a chain of names has to land
/// inside one field in the right order, and 2,000 levels of nesting are
/// 4 KB of balanced braces, which byte edits unbalance. This mutator works
/// on the template's fields instead, one step at a time:
///
/// - a field `{name}` goes in at any place (a name of the dictionary: an
///   index, `user`, `event`, or none);
/// - a field's chain gets one more link, `.name` or `[name]`, with a name
///   of the dictionary, or loses its last one;
/// - a field goes into a field's spec (`{0}` becomes `{0:{1}}`);
/// - a field is nested in itself 2–8 times: the run of identical openings
///   it starts with (`{1:{1:`) is repeated, and as many `}` follow its
///   close, so nesting grows by a factor per step.
///
/// Which names lead where, and how deep is too deep, is for the search to
/// find. Half of the calls return `None`, leaving the input to libFuzzer's
/// own mutations; a result longer than `max_size` is `None` too.
pub fn mutate(input: &[u8], max_size: usize, seed: u32) -> Option<Vec<u8>> {
    let mut rng = Rng::new(seed);
    if rng.below(2) == 0 {
        return None;
    }
    let fields = fields(input);
    let pick = |rng: &mut Rng, from: &[Vec<u8>]| from[rng.below(from.len())].clone();
    let mut out = input.to_vec();
    let field = (!fields.is_empty()).then(|| fields[rng.below(fields.len())]);
    match (rng.below(6), field) {
        (0, _) | (_, None) => {
            let at = rng.below(input.len() + 1);
            let mut f = b"{".to_vec();
            if rng.below(3) != 0 {
                f.extend(pick(&mut rng, names()));
            }
            f.push(b'}');
            out.splice(at..at, f);
        }
        (1 | 2, Some((_, end))) => {
            let name = pick(&mut rng, names());
            let link = if rng.below(2) == 0 {
                [b".".as_slice(), &name].concat()
            } else {
                [b"[".as_slice(), &name, b"]"].concat()
            };
            out.splice(end..end, link);
        }
        (3, Some((start, end))) => {
            let cut = input[start + 1..end].iter().rposition(|&b| b == b'.' || b == b'[')?;
            out.drain(start + 1 + cut..end);
        }
        (4, Some((_, end))) => {
            let inner = [b"{".as_slice(), &pick(&mut rng, names()), b"}"].concat();
            let piece =
                if input.get(end) == Some(&b':') { inner } else { [b":", &inner[..]].concat() };
            let at = if input.get(end) == Some(&b':') { end + 1 } else { end };
            out.splice(at..at, piece);
        }
        (_, Some((start, end))) => {
            if input.get(end) != Some(&b':') {
                return None;
            }
            let open = &input[start..=end];
            let mut runs = 1;
            while input[start + runs * open.len()..].starts_with(open) {
                runs += 1;
            }
            let close = matching_close(input, start)?;
            let extra = runs * (rng.below(7) + 1);
            out.splice(close + 1..close + 1, std::iter::repeat_n(b'}', extra));
            out.splice(start..start, open.repeat(extra));
        }
    }
    (out.len() <= max_size).then_some(out)
}

/// Every field's `{` and the end of its name chain (the first `!`, `:` or
/// `}` after it, or the end).
fn fields(input: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'{' {
            if input.get(i + 1) == Some(&b'{') {
                i += 2;
                continue;
            }
            let end = input[i + 1..]
                .iter()
                .position(|&b| matches!(b, b'!' | b':' | b'}' | b'{'))
                .map_or(input.len(), |p| i + 1 + p);
            found.push((i, end));
        }
        i += 1;
    }
    found
}

/// The `}` that closes the field opened at `start`.
fn matching_close(input: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in input.iter().enumerate().skip(start) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The names of the dictionary: its tokens made of letters, digits and
/// `_` (indices, keyword arguments, attributes, keys).
fn names() -> &'static [Vec<u8>] {
    static NAMES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let tokens = dictionary(include_str!("../../../corpora/format/format.dict"));
        tokens
            .into_iter()
            .filter(|t| !t.is_empty() && t.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_'))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_build_fields_chains_and_nesting() {
        let mut seen_chain = false;
        let mut deepest = 1;
        let mut input = b"{1:}".to_vec();
        for seed in 0..400 {
            if let Some(out) = mutate(&input, 1 << 16, seed) {
                seen_chain |= out.windows(2).any(|w| w == b"[0" || w[0] == b'.');
                let depth = out.windows(3).filter(|w| *w == b"{1:").count();
                if depth > deepest && out.len() < 8192 {
                    deepest = depth;
                    input = out;
                }
            }
        }
        assert!(seen_chain);
        assert!(deepest > 16, "{deepest}");
        assert!(mutate(b"", 64, 1).is_none_or(|o| o.len() <= 64));
    }
}
