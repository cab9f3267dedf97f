//! Bytes and text made fit to print: hex, escaped bytes, text kept on one
//! line, shortened text. Every command and report prints through these.

use std::fmt::{self, Write as _};

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

/// Displays text on one line: control characters (a newline in a panic
/// message or a file name) are escaped as Rust does (`\n`, `\u{7f}`), so a
/// line of output about one input stays one line.
pub struct OneLine<'a>(pub &'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
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
    }
}
