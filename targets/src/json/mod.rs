//! JSON parsing: deep nesting, hash flooding, silent number overflow and
//! duplicate keys.
//!
//! # The story
//!
//! A JSON parser is the first code to touch a request body, so its costs are
//! paid for every byte an attacker sends. Four classic mistakes:
//!
//! - **Recursion without a limit** (CWE-674). A recursive-descent parser
//!   spends one call-stack frame per `[` or `{`; 100,000 opening brackets
//!   (100 KB) overflow any thread's stack and kill the process. serde_json
//!   stops at a depth of 128, CPython's `json` raises `RecursionError` near
//!   1,000, orjson stops near 1,024.
//! - **A predictable hash table** (CWE-407). When object members go into a
//!   hash table keyed by a fast, unseeded hash, an attacker who knows the
//!   hash can send thousands of keys that all land in one bucket, and every
//!   insertion compares against all the keys before it: n²/2 work for n
//!   keys. Klink and Wälde showed at 28C3 (2011) that about 100 KB of
//!   colliding POST keys kept an ASP.NET core busy for about 1.5 minutes;
//!   PHP, Java, Python and Ruby were hit by the same trick, Python's
//!   `PYTHONHASHSEED` (CVE-2012-1150) followed, randomised by default since
//!   3.3, and Rust's `HashMap` keys SipHash-1-3 randomly for the same reason.
//! - **Silent number overflow** (CWE-190). Accumulating digits into an `i64`
//!   wraps past 2⁶³; parsing `1e400` into an `f64` gives infinity (CPython's
//!   `json` does so). The application then acts on a number the sender never
//!   wrote.
//! - **Duplicate keys, last wins** (CWE-436 when two parsers disagree). RFC
//!   8259 says names SHOULD be unique and leaves the rest unpredictable;
//!   serde_json and CPython keep the last value, other parsers the first.
//!   Bishop Fox's survey of 49 parsers ("An Exploration of JSON
//!   Interoperability Vulnerabilities") found this, number handling and
//!   character truncation (lone surrogates, raw control characters) differing
//!   across parsers, enough to smuggle a value past a validator that reads
//!   the same document differently from the code that acts on it.
//!
//! - [`vulnerable`]: recursive descent without a depth limit, members in a
//!   chained hash table keyed by DJB's times-33 hash ([`djbx33a`]), numbers
//!   wrapped or saturated, duplicate keys last-wins.
//! - [`hardened`]: strict RFC 8259 with an explicit stack and a depth limit,
//!   a randomly keyed index for duplicate detection, duplicate keys and
//!   out-of-range numbers refused, every limit a setting.
//!
//! # Input format
//!
//! A JSON text (RFC 8259), as bytes: any value at the top level, surrounded
//! by optional whitespace.
//!
//! # The shared output
//!
//! Both twins return a [`Value`]. Objects keep their members in document
//! order as a `Vec<(String, Value)>` with unique keys (the hardened twin
//! refuses duplicates; the vulnerable twin overwrites the value in place).
//! A [`Number`] keeps a parsed [`NumberValue`] and the exact literal it came
//! from ([`Number::literal`]), so nothing the document said is lost even
//! where the parsed form is an approximation.
//!
//! # Metering
//!
//! Both twins count on the [`Meter`] the same way, so their costs compare:
//! one step per value parsed, one level of depth per open array or object,
//! and probes for member-key lookups (the vulnerable twin one per hash-table
//! slot it inspects, the hardened twin one per lookup). [`probe_bound`] is
//! the line a table with short chains never crosses.
//!
//! Both also hold on the meter the memory that grows with the input, before
//! they allocate it: the values (a [`Value`] is 32 bytes, an object member
//! 56), array and member buffers by capacity (a buffer that doubles counts
//! its whole capacity), strings and number literals by length, and the
//! member tables; the vulnerable twin adds
//! [`vulnerable::FRAME_BYTES`] of call stack for each level of its
//! recursion. [`Cost::memory`] is the peak. A counting allocator finds the
//! real heap peak of either twin within a few hundred bytes of it (the
//! vulnerable twin's frames are stack, so its real heap is lower).
//!
//! [`Cost::memory`]: crate::meter::Cost::memory
//!
//! [`Meter`]: crate::meter::Meter

pub mod hardened;
pub mod vulnerable;

use std::borrow::Cow;
use std::fmt;

use crate::meter::Blown;

/// A parsed JSON value.
///
/// `Drop`, `Clone`, `PartialEq` and `Debug` recurse once per nesting level;
/// the hardened twin never returns a value deeper than its
/// [`hardened::Config::depth_limit`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number: its parsed form and its literal.
    Number(Number),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object: members in document order, keys unique.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The deepest nesting of arrays and objects (a scalar is depth 0,
    /// `[]` depth 1). Iterative: safe on any value.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 0usize)];
        while let Some((value, depth)) = stack.pop() {
            match value {
                Value::Array(items) => {
                    deepest = deepest.max(depth + 1);
                    stack.extend(items.iter().map(|v| (v, depth + 1)));
                }
                Value::Object(members) => {
                    deepest = deepest.max(depth + 1);
                    stack.extend(members.iter().map(|(_, v)| (v, depth + 1)));
                }
                _ => {}
            }
        }
        deepest
    }

    /// The member named `key`, for an object. A linear scan: O(m) for m
    /// members, so index the members yourself before many lookups on a
    /// large object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// The parsed form of a JSON number.
///
/// The hardened twin classifies numbers as serde_json does without its
/// `arbitrary_precision` feature: an integer literal that fits `u64` is
/// [`NumberValue::PosInt`], a negative one that fits `i64` is
/// [`NumberValue::NegInt`], everything else (fractions, exponents, `-0`,
/// integers beyond 64 bits) is the nearest [`NumberValue::Float`].
#[derive(Clone, Copy, Debug)]
pub enum NumberValue {
    /// A non-negative integer.
    PosInt(u64),
    /// A negative integer.
    NegInt(i64),
    /// A floating-point value.
    Float(f64),
}

impl PartialEq for NumberValue {
    /// Same variant and same value; floats compare by bits, so `-0.0` and
    /// `0.0` differ, as their literals do.
    fn eq(&self, other: &NumberValue) -> bool {
        match (self, other) {
            (NumberValue::PosInt(a), NumberValue::PosInt(b)) => a == b,
            (NumberValue::NegInt(a), NumberValue::NegInt(b)) => a == b,
            (NumberValue::Float(a), NumberValue::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl Eq for NumberValue {}

impl fmt::Display for NumberValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberValue::PosInt(n) => write!(f, "{n}"),
            NumberValue::NegInt(n) => write!(f, "{n}"),
            NumberValue::Float(x) => write!(f, "{x:?}"),
        }
    }
}

/// A JSON number: its parsed value and the literal it was written as.
#[derive(Clone, Debug)]
pub struct Number {
    value: NumberValue,
    /// The literal, when it is not the decimal rendering of an integer
    /// `value` (kept that way so plain integers cost no allocation).
    literal: Option<Box<str>>,
}

impl Number {
    /// An integer number whose literal is its decimal rendering.
    pub(crate) fn integer(value: NumberValue) -> Number {
        Number { value, literal: None }
    }

    /// A number with its literal kept.
    pub(crate) fn with_literal(value: NumberValue, literal: &str) -> Number {
        Number { value, literal: Some(literal.into()) }
    }

    /// The parsed value.
    pub fn value(&self) -> NumberValue {
        self.value
    }

    /// The literal exactly as the document wrote it (`1.50`, `-0`, `1E+2`).
    pub fn literal(&self) -> Cow<'_, str> {
        match &self.literal {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(self.value.to_string()),
        }
    }

    /// The value as a `u64`, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self.value {
            NumberValue::PosInt(n) => Some(n),
            _ => None,
        }
    }

    /// The value as an `i64`, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            NumberValue::PosInt(n) => i64::try_from(n).ok(),
            NumberValue::NegInt(n) => Some(n),
            NumberValue::Float(_) => None,
        }
    }

    /// The value as the nearest `f64`.
    pub fn as_f64(&self) -> f64 {
        match self.value {
            NumberValue::PosInt(n) => n as f64,
            NumberValue::NegInt(n) => n as f64,
            NumberValue::Float(x) => x,
        }
    }
}

impl PartialEq for Number {
    /// Same parsed value and same literal.
    fn eq(&self, other: &Number) -> bool {
        self.value == other.value && self.literal() == other.literal()
    }
}

/// Why a document was refused or a parse stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The byte offset in the input where it went wrong.
    pub offset: usize,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }

    pub(crate) fn fuse(blown: Blown, offset: usize) -> Error {
        Error::new(ErrorKind::Fuse(blown), offset)
    }
}

/// The kinds of [`Error`]. Each has a stable lowercase [`ErrorKind::name`]
/// that starts its message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is longer than the configured limit.
    InputTooLarge {
        /// Input length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Arrays and objects are nested deeper than the limit.
    DepthLimit {
        /// The depth the document reached (limit + 1).
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// An object names the same key twice.
    DuplicateKey {
        /// The key, unescaped.
        key: String,
    },
    /// A number literal has more digits than the limit.
    NumberTooLong {
        /// Decimal digits read before the literal was refused (integer,
        /// fraction and exponent): one past the limit, since the scan
        /// stops there.
        digits: usize,
        /// The limit.
        limit: usize,
    },
    /// A number literal whose value is beyond the range of `f64` (`1e400`):
    /// refused rather than turned into infinity.
    NumberOutOfRange,
    /// A number literal that breaks the grammar (`-`, `1.`, `1e`).
    InvalidNumber,
    /// A number with a leading zero (`01`, `-00`).
    LeadingZero,
    /// A comma before a closing `]` or `}`.
    TrailingComma,
    /// An unescaped control character (U+0000 to U+001F) inside a string.
    ControlCharacter {
        /// The byte.
        byte: u8,
    },
    /// The input is not valid UTF-8.
    InvalidUtf8,
    /// A `\u` escape of a UTF-16 surrogate that is not half of a pair.
    LoneSurrogate {
        /// The code unit.
        unit: u16,
    },
    /// A backslash followed by a byte that starts no escape.
    InvalidEscape {
        /// The byte after the backslash.
        byte: u8,
    },
    /// A `\u` escape with a byte that is not a hex digit.
    InvalidHex {
        /// The offending byte.
        byte: u8,
    },
    /// A byte where something else was expected.
    UnexpectedByte {
        /// The byte found.
        byte: u8,
        /// What the grammar allows here.
        expected: &'static str,
    },
    /// The input ended where something else was expected.
    UnexpectedEnd {
        /// What the grammar allows here.
        expected: &'static str,
    },
    /// Something other than whitespace after the top-level value.
    TrailingCharacters,
    /// The meter's fuse stopped the parse.
    Fuse(Blown),
}

impl ErrorKind {
    /// The kind's stable lowercase name (`"depth limit"`), the start of its
    /// message.
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::InputTooLarge { .. } => "input too large",
            ErrorKind::DepthLimit { .. } => "depth limit",
            ErrorKind::DuplicateKey { .. } => "duplicate key",
            ErrorKind::NumberTooLong { .. } => "number too long",
            ErrorKind::NumberOutOfRange => "number out of range",
            ErrorKind::InvalidNumber => "invalid number",
            ErrorKind::LeadingZero => "leading zero",
            ErrorKind::TrailingComma => "trailing comma",
            ErrorKind::ControlCharacter { .. } => "control character",
            ErrorKind::InvalidUtf8 => "invalid utf-8",
            ErrorKind::LoneSurrogate { .. } => "lone surrogate",
            ErrorKind::InvalidEscape { .. } => "invalid escape",
            ErrorKind::InvalidHex { .. } => "invalid hex digit",
            ErrorKind::UnexpectedByte { .. } => "unexpected byte",
            ErrorKind::UnexpectedEnd { .. } => "unexpected end",
            ErrorKind::TrailingCharacters => "trailing characters",
            ErrorKind::Fuse(_) => "fuse",
        }
    }
}

/// A byte for a message: `'x'` when printable ASCII, else `0xHH`.
fn show_byte(byte: u8) -> String {
    if byte.is_ascii_graphic() || byte == b' ' {
        format!("'{}' (0x{byte:02x})", byte as char)
    } else {
        format!("0x{byte:02x}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kind.name())?;
        match &self.kind {
            ErrorKind::InputTooLarge { len, limit } => {
                write!(f, "{len} bytes exceed the input limit of {limit}")?
            }
            ErrorKind::DepthLimit { depth, limit } => {
                write!(f, "nesting depth {depth} exceeds the limit of {limit}")?
            }
            ErrorKind::DuplicateKey { key } => write!(f, "{key:?} appears twice in one object")?,
            ErrorKind::NumberTooLong { limit, .. } => {
                write!(f, "more than {limit} digits, the limit")?
            }
            ErrorKind::NumberOutOfRange => f.write_str("the value is beyond the range of f64")?,
            ErrorKind::InvalidNumber => f.write_str("a digit was expected")?,
            ErrorKind::LeadingZero => f.write_str("a number may not start with 0 and a digit")?,
            ErrorKind::TrailingComma => f.write_str("a comma may not precede ']' or '}'")?,
            ErrorKind::ControlCharacter { byte } => {
                write!(f, "byte 0x{byte:02x} must be escaped inside a string")?
            }
            ErrorKind::InvalidUtf8 => f.write_str("the text is not valid UTF-8")?,
            ErrorKind::LoneSurrogate { unit } => {
                write!(f, "\\u{unit:04x} is not half of a surrogate pair")?
            }
            ErrorKind::InvalidEscape { byte } => {
                write!(f, "{} cannot follow a backslash", show_byte(*byte))?
            }
            ErrorKind::InvalidHex { byte } => {
                write!(f, "{} in a \\u escape is not a hex digit", show_byte(*byte))?
            }
            ErrorKind::UnexpectedByte { byte, expected } => {
                write!(f, "found {}, expected {expected}", show_byte(*byte))?
            }
            ErrorKind::UnexpectedEnd { expected } => write!(f, "expected {expected}")?,
            ErrorKind::TrailingCharacters => f.write_str("data after the top-level value")?,
            ErrorKind::Fuse(blown) => write!(f, "{blown}")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for Error {}

/// How many probes per parsed value a member table with short chains may
/// spend: one for the bucket, about one for the chain, one more for each
/// member moved when the table doubles, and spare.
pub const PROBES_PER_VALUE: u64 = 4;

/// Probes allowed on top of [`PROBES_PER_VALUE`], so that tiny documents
/// whose few keys share a bucket are not called a flood.
pub const PROBE_SLACK: u64 = 64;

/// The most probes a linear member table spends on a document of `values`
/// parsed values (the meter's steps; every member's value is one):
/// `PROBES_PER_VALUE * values + PROBE_SLACK`.
///
/// A table whose keys spread over its buckets inspects O(1) slots per
/// member; n keys in one bucket cost n²/2 probes and cross this line from
/// about 2 × [`PROBES_PER_VALUE`] keys on.
pub fn probe_bound(values: u64) -> u64 {
    values.saturating_mul(PROBES_PER_VALUE).saturating_add(PROBE_SLACK)
}

/// DJB's "times 33" string hash (DJBX33A) in 32 bits: `h = h * 33 + byte`
/// from 5381. PHP 5 keyed its arrays with it; the 28C3 hash-flooding talk
/// attacked it.
///
/// It is fast and its structure is public, so colliding keys are easy to
/// make: two strings of equal length with the same hash stay colliding when
/// the same suffix is appended, and `"Ez"` and `"FY"` hash alike
/// (69·33 + 122 = 70·33 + 89 = 2399), so every string made of n such blocks
/// has the same hash — 2ⁿ colliding keys.
pub fn djbx33a(key: &[u8]) -> u32 {
    key.iter().fold(5381u32, |h, &b| h.wrapping_mul(33).wrapping_add(u32::from(b)))
}

/// Whether `b` is JSON whitespace (RFC 8259 `ws`: space, tab, LF, CR).
#[inline]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// The value of a hex digit.
#[inline]
pub(crate) fn hex_value(b: u8) -> Option<u16> {
    match b {
        b'0'..=b'9' => Some(u16::from(b - b'0')),
        b'a'..=b'f' => Some(u16::from(b - b'a' + 10)),
        b'A'..=b'F' => Some(u16::from(b - b'A' + 10)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalent_blocks_collide_in_any_combination() {
        assert_eq!(djbx33a(b"Ez"), djbx33a(b"FY"));
        let h = djbx33a(b"EzEzEz");
        for key in ["EzEzFY", "EzFYEz", "FYEzEz", "FYFYFY"] {
            assert_eq!(djbx33a(key.as_bytes()), h, "{key}");
        }
        assert_ne!(djbx33a(b"EzEz"), djbx33a(b"EzEy"));
    }

    #[test]
    fn literals_round_trip_and_floats_compare_by_bits() {
        let n = Number::integer(NumberValue::NegInt(-12));
        assert_eq!(n.literal(), "-12");
        let z = Number::with_literal(NumberValue::Float(-0.0), "-0");
        assert_eq!(z.literal(), "-0");
        assert_ne!(NumberValue::Float(0.0), NumberValue::Float(-0.0));
        assert_ne!(z, Number::with_literal(NumberValue::Float(-0.0), "-0.0"));
        assert_eq!(Number::integer(NumberValue::PosInt(7)).as_i64(), Some(7));
        assert_eq!(Number::integer(NumberValue::PosInt(u64::MAX)).as_i64(), None);
    }

    #[test]
    fn depth_counts_containers_without_recursion() {
        let mut v = Value::Null;
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        assert_eq!(v.depth(), 100_000);
        // Take it apart iteratively: the recursive drop glue would need a
        // frame per level.
        while let Value::Array(mut items) = v {
            v = items.pop().unwrap_or(Value::Null);
        }
        assert_eq!(Value::Object(vec![("a".into(), Value::Null)]).depth(), 1);
    }

    #[test]
    fn messages_start_with_the_kind_and_end_with_the_offset() {
        let e = Error::new(ErrorKind::DepthLimit { depth: 129, limit: 128 }, 128);
        assert_eq!(
            e.to_string(),
            "depth limit: nesting depth 129 exceeds the limit of 128 at byte 128"
        );
        let e = Error::new(ErrorKind::UnexpectedByte { byte: b'x', expected: "a value" }, 3);
        assert_eq!(e.to_string(), "unexpected byte: found 'x' (0x78), expected a value at byte 3");
    }
}
