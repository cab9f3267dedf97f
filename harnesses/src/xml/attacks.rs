//! Attack and benign document generators shared by tests, benches and the
//! CLI.

use std::fmt::Write as _;

use crate::dos::{geometric, Attack};
use crate::growth::Class;

/// The billion laughs with `levels` entities above the leaf, each ten
/// references to the one below, the leaf `lol`: expands to 3·10^levels
/// bytes. `billion_laughs(9)` is the classic (10 entities, about 3×10⁹
/// bytes).
pub fn billion_laughs(levels: usize) -> Vec<u8> {
    let mut s =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol \"lol\">\n");
    for i in 1..=levels {
        let below = if i == 1 { "lol".to_owned() } else { format!("lol{}", i - 1) };
        let _ = writeln!(s, "  <!ENTITY lol{i} \"{}\">", format!("&{below};").repeat(10));
    }
    let top = if levels == 0 { "lol".to_owned() } else { format!("lol{levels}") };
    let _ = write!(s, "]>\n<lolz>&{top};</lolz>\n");
    s.into_bytes()
}

/// Quadratic blowup: one entity of `len` bytes referred to `refs` times:
/// about len + 3·refs bytes of input, len·refs of output.
pub fn quadratic_blowup(len: usize, refs: usize) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE kaboom [\n  <!ENTITY a \"");
    s.push_str(&"x".repeat(len));
    s.push_str("\">\n]>\n<kaboom>");
    s.push_str(&"&a;".repeat(refs));
    s.push_str("</kaboom>\n");
    s.into_bytes()
}

/// `depth` nested `<a>` elements.
pub fn nested_elements(depth: usize) -> Vec<u8> {
    let mut s = "<a>".repeat(depth);
    s.push_str(&"</a>".repeat(depth));
    s.into_bytes()
}

/// A general external entity with system identifier `uri`, referred to
/// in the root element.
pub fn external_entity(uri: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n  <!ENTITY x SYSTEM \"{uri}\">\n]>\n<r>&x;</r>\n"
    )
    .into_bytes()
}

/// A benign document of about `len` bytes with no DOCTYPE: a catalogue
/// of items with attributes, escaped text, character references, CDATA,
/// comments and processing instructions, as quick-xml's benchmarks use.
pub fn benign_document(len: usize) -> Vec<u8> {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<catalog xmlns:x=\"urn:example\">\n",
    );
    let mut i = 0usize;
    while s.len() < len {
        let _ = write!(
            s,
            "  <item id=\"{i}\" kind=\"{}\" x:price=\"{}.{:02}\">\n    <name>Item &#35;{i} &amp; \
             friends</name>\n    <desc>Text with &lt;markup&gt; and &quot;quotes&quot;, caf\u{e9} \
             na\u{ef}ve \u{2603}.</desc>\n    <!-- item {i} -->\n    <note><![CDATA[raw <b>{i}</b> \
             & more]]></note>\n    <empty flag='yes'/>\n  </item>\n",
            ["book", "disc", "tool"][i % 3],
            i % 100,
            i % 97
        );
        if i % 50 == 0 {
            s.push_str("  <?render mode=\"compact\"?>\n");
        }
        i += 1;
    }
    s.push_str("</catalog>\n");
    s.into_bytes()
}

/// A flood of `n` empty elements, `<r><a/><a/>…</r>`: 4·n + 8 bytes, two
/// events per four. No entity, nothing to expand: what it costs is the
/// memory each event takes, the same in both twins.
pub fn element_flood(n: usize) -> Vec<u8> {
    let mut s = String::with_capacity(4 * n + 8);
    s.push_str("<r>");
    s.push_str(&"<a/>".repeat(n));
    s.push_str("</r>\n");
    s.into_bytes()
}

/// The memory bomb that passes an amplification budget counting bytes
/// only: one entity holding 1,000 `<a/>` (4,000 bytes, 2,000 events),
/// referred to `refs` times, after a comment in the DTD long enough that
/// every reference stays within the hardened twin's budget as it stood
/// before memory counted — 100 times the document read so far, the
/// replacement text and 20 bytes charged per reference. About 40.6·refs
/// bytes of input (`refs` = 370, 2,730, 8,030 give 15 KB, 111 KB, 326 KB)
/// and 2,000·refs events: a parser that builds an owned event per element
/// held about 4,000 times the input.
pub fn element_flood_entity(refs: usize) -> Vec<u8> {
    const ELEMENTS: usize = 1_000;
    const CHARGE: usize = 4 * ELEMENTS + 20;
    const RATIO: usize = 100 - 1;
    let head = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n  <!ENTITY a \"{}\">\n  <!--",
        "<a/>".repeat(ELEMENTS)
    );
    let tail = "-->\n]>\n<r>";
    // The k-th reference stands at (head + padding + tail) + 3·(k - 1); it
    // passes while k · CHARGE <= RATIO · that, hardest for the last one.
    let need = (refs * CHARGE).div_ceil(RATIO) + 64;
    let padding = need.saturating_sub(3 * refs.saturating_sub(1) + head.len() + tail.len());
    let mut s = String::with_capacity(head.len() + padding + tail.len() + 3 * refs + 8);
    s.push_str(&head);
    s.push_str(&"x".repeat(padding));
    s.push_str(tail);
    s.push_str(&"&a;".repeat(refs));
    s.push_str("</r>\n");
    s.into_bytes()
}

/// The family's attacks for `gauntlet dos`, the benches and the tests.
pub fn all() -> Vec<Attack> {
    let mut levels: Vec<usize> = (1..=12).collect();
    levels.extend([16, 32, 64, 128, 256]);
    vec![
        Attack::new(
            "billion-laughs",
            "n levels of entities, each ten references to the one below: 3·10^n bytes expanded",
            levels,
            Class::Exponential,
            billion_laughs,
        ),
        Attack::new(
            "quadratic-blowup",
            "one entity of n bytes referred to n times: about 4n bytes in, n^2 out",
            // From 512 on, past where the hardened twin's budget (100 times
            // the document) refuses: below it, both twins expand all of it.
            geometric(512, 1 << 16, 2.0),
            Class::Quadratic,
            |n| quadratic_blowup(n, n),
        ),
        Attack::new(
            "element-flood",
            "<r> holding n empty elements: the memory each event takes",
            geometric(16, 1 << 20, 4.0),
            Class::Linear,
            element_flood,
        ),
        Attack::new(
            "element-flood-entity",
            "an entity of 1,000 <a/> referred to n times behind a padding comment (memory)",
            // From 256 references on, the padding (about 40 bytes a
            // reference) outweighs the 4 KB entity: the input grows with n.
            geometric(256, 1 << 16, 2.0),
            Class::Linear,
            element_flood_entity,
        ),
        Attack::new(
            "nested-elements",
            "n nested elements: one recursion level each",
            geometric(4, 1 << 16, 2.0),
            Class::Linear,
            nested_elements,
        ),
    ]
}
