//! The xml family's structure-aware mutator.

use crate::kit::{dictionary, Rng};

/// Byte mutations and a dictionary do not get from nothing to a document
/// whose DOCTYPE declares an entity that the root element then refers to:
/// every piece (`<!DOCTYPE r [`, `<!ENTITY`, `]>`, the root, `&e;`) has to
/// be in place, in order, before any expansion happens, and the fuzzer has
/// no coverage to climb on in between. This mutator works on the document's
/// shape instead, one step at a time:
///
/// - a document without a DOCTYPE gets an empty internal subset and a root;
/// - a new entity is declared at the end of the internal subset, its value
///   text, empty elements, or 2–16 references to an entity declared before
///   it;
/// - 1–16 references to a declared entity go in right after the root's
///   start tag;
/// - a reference already in the document is repeated;
/// - an external entity is declared with a system identifier taken from the
///   family's dictionary (its quoted URIs and paths), and referred to in the
///   root — the shape of an XXE; which URI leaks anything is for the search
///   to find;
/// - a reference to any declared entity goes into the value of another (or
///   the same) one — a forward reference may close a cycle, which is for the
///   search to find;
/// - the root's content is wrapped in up to as many levels again of
///   elements as the document has bytes, so the depth feedback can climb a
///   power-of-two rung in a step or two.
///
/// Together with the cost feedback each step that expands more is kept, so a
/// ladder of entities grows until the oracle fires.
/// Half of the calls return `None`, leaving the input to libFuzzer's own
/// mutations; a result longer than `max_size` is `None` too.
pub fn mutate(input: &[u8], max_size: usize, seed: u32) -> Option<Vec<u8>> {
    let mut rng = Rng::new(seed);
    if rng.below(2) == 0 {
        return None;
    }
    let text = String::from_utf8_lossy(input);
    if rng.below(10) == 0 {
        return nest(&text, &mut rng, max_size);
    }
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
    let pick = |rng: &mut Rng| -> Option<&str> {
        // The newest entity half of the time: that is how a ladder grows.
        let last = names.last().copied()?;
        if rng.below(2) == 0 {
            Some(last)
        } else {
            names.get(rng.below(names.len())).copied()
        }
    };
    let mut out = String::with_capacity(text.len() + 64);
    match rng.below(10) {
        9 if !names.is_empty() => {
            // Into the value of a declared entity, right after its quote.
            let decls: Vec<usize> =
                text[doctype..close].match_indices("<!ENTITY ").map(|(i, _)| doctype + i).collect();
            let decl = decls[rng.below(decls.len())];
            let quote = decl + text[decl..close].find(['"', '\''])? + 1;
            let name = names[rng.below(names.len())];
            out.push_str(&text[..quote]);
            out.push_str(&format!("&{name};"));
            out.push_str(&text[quote..]);
        }
        3 => {
            let uris = system_literals();
            let uri = uris.get(rng.below(uris.len()))?;
            let name = format!("x{}", names.len());
            out.push_str(&text[..close]);
            out.push_str(&format!("<!ENTITY {name} SYSTEM {uri}>\n"));
            out.push_str(&text[close..close + 2]);
            out.push_str(&format!("<r>&{name};</r>"));
        }
        1 | 5 if !names.is_empty() => {
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
        2 | 6 if text[close..].contains('&') => {
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
                // A leaf of text or of markup: an entity may hold elements.
                _ if rng.below(2) == 0 => "<a/>".repeat(1 + rng.below(16)),
                _ => "lol".repeat(1 + rng.below(16)),
            };
            out.push_str(&text[..close]);
            out.push_str(&format!("<!ENTITY e{} \"{value}\">\n", names.len()));
            out.push_str(&text[close..]);
        }
    }
    (out.len() <= max_size).then(|| out.into_bytes())
}

/// The dictionary's quoted tokens that can stand as a system literal (a
/// URI or a path), read once from `corpora/xml/xml.dict` as compiled in.
fn system_literals() -> &'static [String] {
    static URIS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    URIS.get_or_init(|| {
        dictionary(include_str!("../../../corpora/xml/xml.dict"))
            .into_iter()
            .filter_map(|t| String::from_utf8(t).ok())
            .filter(|t| t.len() > 2 && t.starts_with('"') && t.ends_with('"'))
            .collect()
    })
}

/// The content of the document's last element wrapped in `k` more levels
/// of `<n>` elements, `k` up to the document's length.
fn nest(text: &str, rng: &mut Rng, max_size: usize) -> Option<Vec<u8>> {
    let close = text.rfind("</")?;
    let open = text[..close].rfind('>')? + 1;
    let open = open.min(close);
    let k = 1 + rng.below(text.len().max(16));
    let mut out = String::with_capacity(text.len() + 7 * k);
    out.push_str(&text[..open]);
    out.push_str(&"<n>".repeat(k));
    out.push_str(&text[open..close]);
    out.push_str(&"</n>".repeat(k));
    out.push_str(&text[close..]);
    (out.len() <= max_size).then(|| out.into_bytes())
}
