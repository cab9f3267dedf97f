//! Attack and benign document generators shared by tests, benches and the
//! CLI.

use std::fmt::Write as _;

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
