//! The xml family's structure-aware mutator.

///
/// Byte mutations and a dictionary do not get from nothing to a document
/// whose DOCTYPE declares an entity that the root element then refers to:
/// every piece (`<!DOCTYPE r [`, `<!ENTITY`, `]>`, the root, `&e;`) has to
/// be in place, in order, before any expansion happens, and the fuzzer has
/// no coverage to climb on in between. This mutator works on the document's
/// shape instead, one step at a time:
///
/// - a document without a DOCTYPE gets an empty internal subset and a root;
/// - a new entity is declared at the end of the internal subset, its value
///   either text or 2–16 references to an entity declared before it (so the
///   mutator itself never makes a cycle);
/// - 1–16 references to a declared entity go in right after the root's
///   start tag;
/// - a reference already in the document is repeated.
///
/// Together with the cost feedback each step that expands more is kept, so a
/// ladder of entities grows until the oracle fires. External entities are
/// never added: those come from the dictionary's URIs and byte mutations.
/// Half of the calls return `None`, leaving the input to libFuzzer's own
/// mutations; a result longer than `max_size` is `None` too.
pub fn mutate(input: &[u8], max_size: usize, seed: u32) -> Option<Vec<u8>> {
    let mut rng = SplitMix(u64::from(seed));
    if rng.below(2) == 0 {
        return None;
    }
    let text = String::from_utf8_lossy(input);
    let Some(doctype) = text.find("<!DOCTYPE") else {
        let out = format!("<!DOCTYPE r [\n]>\n<r>{text}</r>");
        return (out.len() <= max_size).then(|| out.into_bytes());
    };
    let close = doctype + text[doctype..].find("]>")?;
    let names: Vec<&str> = text[doctype..close]
        .split("<!ENTITY ")
        .skip(1)
        .filter_map(|decl| decl.split_whitespace().next())
        .filter(|name| *name != "%")
        .collect();
    let pick = |rng: &mut SplitMix| -> Option<&str> {
        // The newest entity half of the time: that is how a ladder grows.
        let last = names.last().copied()?;
        if rng.below(2) == 0 {
            Some(last)
        } else {
            names.get(rng.below(names.len())).copied()
        }
    };
    let mut out = String::with_capacity(text.len() + 64);
    match rng.below(3) {
        1 if !names.is_empty() => {
            let name = pick(&mut rng)?;
            let refs = format!("&{name};").repeat(1 + rng.below(16));
            let at =
                close + 2 + text[close + 2..].find('>').map_or(text.len() - close - 2, |i| i + 1);
            out.push_str(&text[..at]);
            out.push_str(&refs);
            out.push_str(&text[at..]);
            if !text[close..].contains('<') {
                out.push_str("<r>");
                out.push_str(&refs);
                out.push_str("</r>");
            }
        }
        2 if text[close..].contains('&') => {
            let start = close + text[close..].find('&')?;
            let len = text[start..].find(';')? + 1;
            let reference = &text[start..start + len];
            out.push_str(&text[..start]);
            out.push_str(&reference.repeat(2 + rng.below(8)));
            out.push_str(&text[start..]);
        }
        _ => {
            let value = match pick(&mut rng) {
                Some(name) if rng.below(4) != 0 => format!("&{name};").repeat(2 + rng.below(15)),
                _ => "lol".repeat(1 + rng.below(16)),
            };
            out.push_str(&text[..close]);
            out.push_str(&format!("<!ENTITY e{} \"{value}\">\n", names.len()));
            out.push_str(&text[close..]);
        }
    }
    (out.len() <= max_size).then(|| out.into_bytes())
}

/// A small deterministic generator for [`mutate`] (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n.max(1) as u64) as usize
    }
}
