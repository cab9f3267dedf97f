//! Bytes and text made fit to print: hex, escaped bytes, text kept on one
//! line, paths for people, shortened text. Every command and report prints
//! through these.
//!
//! # Guarantees
//!
//! - [`OneLine`] and [`HumanPath`] never write a control character (a
//!   newline, ESC, a C1 control) nor a bidirectional formatting character
//!   (U+202E and its kin, which reorder what a terminal shows): text read
//!   from a file or a file name cannot start a new line, move the cursor,
//!   clear the screen, set the window title or forge a line of output.
//! - [`HumanPath`] is one-to-one: two different paths never print the same
//!   (a byte that is not UTF-8 is `\xNN`, a backslash `\\`).

use std::fmt::{self, Write as _};
use std::path::Path;

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The bytes that [`hex`] wrote as `s`.
pub fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()).collect()
}

/// Bytes as printable text: ASCII as is, everything else `\xNN`, newlines
/// `\n`; at most `max` input bytes.
pub fn escape_bytes(bytes: &[u8], max: usize) -> String {
    let mut s = String::new();
    for &b in bytes.iter().take(max) {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'`' => s.push_str("\\x60"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    if bytes.len() > max {
        let _ = write!(s, "… ({} more bytes)", bytes.len() - max);
    }
    s
}

/// `s` cut to at most `max` bytes (at a character boundary), saying how many
/// more bytes there were.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let cut = (0..=max).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
    format!("{}… ({} more)", &s[..cut], s.len() - cut)
}

/// Whether `c` is written escaped: a control character, or a bidirectional
/// formatting character (the "Trojan Source" set: U+061C, U+200E, U+200F,
/// U+202A to U+202E, U+2066 to U+2069).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}')
        || matches!(c, '\u{2066}'..='\u{2069}')
}

/// `s` in quotes for a message, escaped as Rust's `{:?}` does and cut to 64
/// bytes: a value read from a file, which may be long or hold anything.
pub fn quoted(s: &str) -> String {
    format!("{:?}", truncate(s, 64))
}

/// Displays text on one line: control and bidirectional formatting
/// characters (a newline in a panic message, an ESC in a file) are escaped as
/// Rust does (`\n`, `\u{1b}`, `\u{202e}`), so a line of output about one
/// input stays one line and shows what it says.
pub struct OneLine<'a>(pub &'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if hidden(c) {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// Displays a path for people: the one way every message, every line of
/// human output and every JSON record (`run --json`'s `input`, `replay
/// --json`'s `file`) shows a path, so the same file is named the same way
/// everywhere and two files never share a name.
///
/// Like [`OneLine`], control and bidirectional formatting characters are
/// escaped (`\n`, `\u{1b}`); besides, a byte that is not part of valid UTF-8
/// (a Unix file name may hold any byte but `/` and NUL) is `\xNN`, and a
/// backslash is `\\`, so two different paths never look the same: `a\xff`
/// is a name holding the byte 0xff, `a\\xff` one holding a backslash.
pub struct HumanPath<'a>(pub &'a Path);

impl fmt::Display for HumanPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // On Unix the bytes of the name as the kernel has them; on Windows
        // WTF-8, where an unpaired surrogate shows as its three bytes.
        for chunk in self.0.as_os_str().as_encoded_bytes().utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '\\' => f.write_str("\\\\")?,
                    c if hidden(c) => write!(f, "{}", c.escape_default())?,
                    c => f.write_char(c)?,
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_escaped_for_people() {
        assert_eq!(escape_bytes(b"(a+)+$\naa\xff`", 100), "(a+)+$\\naa\\xff\\x60");
        assert_eq!(escape_bytes(b"abcdef", 3), "abc… (3 more bytes)");
        assert_eq!(hex_decode(&hex(b"\x00\xffA")), b"\x00\xffA");
        assert_eq!(OneLine("a\nb\u{7f}é").to_string(), "a\\nb\\u{7f}é");
        assert_eq!(truncate("abcdef", 4), "abcd… (2 more)");
        assert_eq!(truncate("aé", 2), "a… (2 more)");
        assert_eq!(OneLine("\u{1b}[2J\u{202e}a\\b").to_string(), "\\u{1b}[2J\\u{202e}a\\b");
    }

    #[test]
    fn paths_are_one_line_and_one_to_one() {
        let shown = |p: &str| HumanPath(Path::new(p)).to_string();
        assert_eq!(shown("/tmp/a b/é.txt"), "/tmp/a b/é.txt");
        assert_eq!(shown("a\nb\u{1b}]0;t\u{7}c"), "a\\nb\\u{1b}]0;t\\u{7}c");
        assert_eq!(shown("a\\xff"), "a\\\\xff");
    }

    #[cfg(unix)]
    #[test]
    fn bytes_that_are_not_utf8_stay_apart() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let shown = |b: &[u8]| HumanPath(Path::new(OsStr::from_bytes(b))).to_string();
        assert_eq!(shown(b"a\xff"), "a\\xff");
        assert_eq!(shown(b"a\xfe"), "a\\xfe");
        assert_eq!(shown(b"\xc3\xa9\xc3"), "é\\xc3");
    }
}
