//! A JSON parser written the quick way: recursive descent, a home-made hash
//! table, digits accumulated into an `i64`.
//!
//! # Vulnerability
//!
//! **The mistakes:**
//!
//! 1. **No depth limit** (CWE-674, uncontrolled recursion). Each `[` or `{`
//!    calls the value parser again, one call-stack frame per level. The
//!    smallest attack is 100,000 opening brackets — 100 KB — which would
//!    overflow the stack of any thread and abort the process. Here the
//!    meter's depth fuse ([`Fuse::DEPTH`], 2,000 levels) stops the descent
//!    first, so the harness can report it instead of crashing.
//! 2. **A predictable hash table for members** (CWE-407, inefficient
//!    algorithmic complexity). Each object's members go into a chained table
//!    indexed by [`djbx33a`], PHP 5's unseeded "times 33" hash, and each
//!    insertion walks its bucket's chain comparing keys to find a duplicate.
//!    Keys built from the blocks `"Ez"` and `"FY"` all share one hash, so n
//!    of them make one chain of n and cost n²/2 probes: 16,384 twenty-eight
//!    byte keys (about 600 KB) cost 134 million string comparisons. This is
//!    the hash flooding that Klink and Wälde presented at 28C3 in 2011,
//!    where about 100 KB of colliding POST keys kept an ASP.NET core busy
//!    for about 1.5 minutes.
//! 3. **Silent number overflow** (CWE-190). Integer literals are accumulated
//!    with wrapping `i64` arithmetic, so `9223372036854775808` (2⁶³) comes
//!    out as `-9223372036854775808`, and a 100-digit integer as whatever the
//!    low 64 bits say. Other literals go through `str::parse::<f64>`, which
//!    turns `1e400` into infinity without a word, as CPython's `json` does.
//! 4. **Duplicate keys, last wins**, without a word, as serde_json and
//!    CPython do. The earlier value is overwritten in place.
//!
//! **Defender cost:** stack proportional to the attacker's bytes (100 KB of
//! brackets for 100,000 frames), time quadratic in the number of colliding
//! keys, and wrong numbers for free. The stack is memory held like any
//! other (CWE-789): [`FRAME_BYTES`] = 240 bytes for each one-byte `[`, so
//! 1,500 nested arrays (3 KB, below the depth fuse) hold 360,000 bytes of
//! stack, where the hardened twin refuses the 129th level having held a few
//! kilobytes.
//!
//! **Not findings here, but interop hazards** (Bishop Fox's survey of 49
//! parsers found each of them somewhere): duplicate keys (above), and the
//! leniency of a hand-written parser — leading zeros (`007`), trailing
//! commas (`[1,]`), raw control characters in strings, invalid UTF-8
//! replaced by U+FFFD, and lone surrogate escapes (`"\ud800"`) replaced by
//! U+FFFD. None of them costs the defender work or changes a number, which
//! is what this target's oracles judge; each is a disagreement with a strict
//! parser, and two parsers that disagree on one document are the
//! interpretation conflict (CWE-436) that lets a value slip past a
//! validator. Reporting them as findings here would make every fuzz run end
//! on `{"a":0,"a":1}` in its first second, before the denial-of-service bugs
//! the target exists to show; [`super::hardened`] refuses them all, and the
//! `json-differential` target holds the hardened twin to serde_json.
//!
//! **The fix:** [`super::hardened`] parses with an explicit stack and a depth
//! limit (128, as serde_json), finds duplicate keys through an index keyed by
//! randomly seeded SipHash-1-3, refuses duplicate keys and numbers beyond
//! `f64`, keeps big integers as exact literals with their nearest `f64`, and
//! is strict RFC 8259 throughout.
//!
//! # Time complexity
//!
//! Worst case O(n²) for n input bytes (all keys of one object in one
//! bucket); stack depth O(n). Memory O(n): 240 bytes of stack per nesting
//! level, and tens of bytes of heap per input byte for the values (a
//! one-element array keeps a four-element buffer: `[[0],[0],…]` with
//! 65,537 elements holds 48.3 bytes a byte, measured).
//!
//! # Panics
//!
//! None known, not proven: it indexes slices at positions it has checked, and
//! every input the fuzzers and properties have tried ran through
//! `Target::check`, which turns a panic into a `Panic` finding; none has
//! been seen.
//! The meter's fuses stop runaway recursion and probing. Run it on a stack
//! that holds as many levels as the meter's depth fuse allows: measured
//! 240 bytes a level in a release build and 1.5 KiB in a debug one
//! (`gauntlet_harnesses::guard::STACK_NEED`).
//!
//! [`Fuse::DEPTH`]: crate::meter::Fuse::DEPTH
//! [`djbx33a`]: super::djbx33a

use super::{djbx33a, hex_value, is_ws, Error, ErrorKind, Number, NumberValue, Value};
use crate::held;
use crate::meter::{Blown, Meter};

/// The stack a level of recursion holds, charged on the meter as memory:
/// 240 bytes, the frames of one nesting level (`value` and `array` or
/// `object`) measured in a release build (`gauntlet_harnesses::guard::STACK_NEED`'s
/// table: 240 B a level in release, 1,568 B in debug). One constant, so that
/// the cost of an input is the same in every build; the release figure,
/// because release is what the CLI, the fuzzer and the benches run, and
/// because the smaller figure never makes a finding out of a debug build's
/// larger frames.
pub const FRAME_BYTES: u64 = 240;

/// Parses one JSON text.
///
/// Counts one meter step per value, one level of depth per open array or
/// object, and one probe per hash-table slot inspected, and holds on the
/// meter [`FRAME_BYTES`] per open level and the bytes of every buffer it
/// allocates (arrays, member tables, strings, number literals, counted by
/// capacity); stops with [`ErrorKind::Fuse`] when the meter trips. A value
/// overwritten by a duplicate key stays counted: the meter's figure is the
/// most the parse holds, never less.
pub fn parse(input: &[u8], meter: &mut Meter) -> Result<Value, Error> {
    let mut parser = Parser { input, pos: 0, meter };
    parser.skip_ws();
    let value = parser.value()?;
    parser.skip_ws();
    if parser.pos < input.len() {
        return Err(Error::new(ErrorKind::TrailingCharacters, parser.pos));
    }
    Ok(value)
}

struct Parser<'a, 'm> {
    input: &'a [u8],
    pos: usize,
    meter: &'m mut Meter,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    fn fuse(&self) -> impl Fn(Blown) -> Error {
        let at = self.pos;
        move |b| Error::fuse(b, at)
    }

    /// Room for `n` more elements in `v`, held on the meter first.
    fn reserve<T>(&mut self, v: &mut Vec<T>, n: usize) -> Result<(), Error> {
        held::reserve(v, n, self.meter).map_err(self.fuse())
    }

    fn unexpected(&self, expected: &'static str) -> Error {
        let kind = match self.peek() {
            Some(byte) => ErrorKind::UnexpectedByte { byte, expected },
            None => ErrorKind::UnexpectedEnd { expected },
        };
        Error::new(kind, self.pos)
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.meter.step().map_err(|b| Error::fuse(b, self.pos))?;
        match self.peek() {
            Some(b'[') => self.nested(Parser::array),
            Some(b'{') => self.nested(Parser::object),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(self.number()?)),
            Some(b't') => self.keyword("true", Value::Bool(true)),
            Some(b'f') => self.keyword("false", Value::Bool(false)),
            Some(b'n') => self.keyword("null", Value::Null),
            _ => Err(self.unexpected("a value")),
        }
    }

    /// One more level on the call stack: the meter records it and its fuse
    /// is the only thing that stops it.
    fn nested(&mut self, f: fn(&mut Self) -> Result<Value, Error>) -> Result<Value, Error> {
        self.meter.enter().map_err(self.fuse())?;
        if let Err(blown) = self.meter.hold(FRAME_BYTES) {
            self.meter.release(FRAME_BYTES);
            self.meter.leave();
            return Err(Error::fuse(blown, self.pos));
        }
        let result = f(self);
        self.meter.release(FRAME_BYTES);
        self.meter.leave();
        result
    }

    fn keyword(&mut self, word: &'static str, value: Value) -> Result<Value, Error> {
        for &b in word.as_bytes() {
            if self.peek() != Some(b) {
                return Err(self.unexpected(word));
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn array(&mut self) -> Result<Value, Error> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            // Checking for the end before every item is what lets `[1,]`
            // through.
            if self.peek() == Some(b']') {
                self.pos += 1;
                return Ok(Value::Array(items));
            }
            let item = self.value()?;
            self.reserve(&mut items, 1)?;
            items.push(item);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                _ => return Err(self.unexpected("',' or ']'")),
            }
        }
    }

    fn object(&mut self) -> Result<Value, Error> {
        self.pos += 1;
        let mut table = MemberTable::new(self.meter).map_err(self.fuse())?;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(table.into_members(self.meter)));
                }
                Some(b'"') => {}
                _ => return Err(self.unexpected("a string key or '}'")),
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.unexpected("':'"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            let at = self.pos;
            table.insert(key, value, self.meter).map_err(|b| Error::fuse(b, at))?;
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.unexpected("',' or '}'")),
            }
        }
    }

    /// A string, its bytes collected as they come and made UTF-8 at the end
    /// by replacing whatever is not.
    fn string(&mut self) -> Result<String, Error> {
        self.pos += 1;
        let mut bytes = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.unexpected("'\"' closing the string"));
            };
            self.pos += 1;
            match b {
                b'"' => return self.lossy_string(bytes),
                b'\\' => self.escape(&mut bytes)?,
                _ => {
                    self.reserve(&mut bytes, 1)?;
                    bytes.push(b);
                }
            }
        }
    }

    /// The bytes as a string, every invalid sequence replaced by U+FFFD as
    /// `String::from_utf8_lossy` does: in place when they are UTF-8, else
    /// a new string of the exact length, held before it is built.
    fn lossy_string(&mut self, bytes: Vec<u8>) -> Result<String, Error> {
        let bytes = match String::from_utf8(bytes) {
            Ok(s) => return Ok(s),
            Err(e) => e.into_bytes(),
        };
        let len: usize = bytes
            .utf8_chunks()
            .map(|c| c.valid().len() + if c.invalid().is_empty() { 0 } else { 3 })
            .sum();
        self.meter.hold(len as u64).map_err(self.fuse())?;
        let mut out = String::with_capacity(len);
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            if !chunk.invalid().is_empty() {
                out.push(char::REPLACEMENT_CHARACTER);
            }
        }
        self.meter.release(bytes.capacity() as u64);
        Ok(out)
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let Some(b) = self.peek() else {
            return Err(self.unexpected("an escape"));
        };
        self.pos += 1;
        let simple = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let unit = self.hex4()?;
                let c = match unit {
                    0xD800..=0xDBFF if self.input[self.pos..].starts_with(b"\\u") => {
                        let save = self.pos;
                        self.pos += 2;
                        let low = self.hex4()?;
                        if (0xDC00..=0xDFFF).contains(&low) {
                            let c = 0x10000
                                + ((u32::from(unit) - 0xD800) << 10)
                                + (u32::from(low) - 0xDC00);
                            char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER)
                        } else {
                            self.pos = save;
                            char::REPLACEMENT_CHARACTER
                        }
                    }
                    // A lone surrogate becomes U+FFFD without a word.
                    _ => char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER),
                };
                self.reserve(out, 4)?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            _ => return Err(Error::new(ErrorKind::InvalidEscape { byte: b }, self.pos - 1)),
        };
        self.reserve(out, 1)?;
        out.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, Error> {
        let mut unit = 0;
        for _ in 0..4 {
            let Some(b) = self.peek() else {
                return Err(self.unexpected("a hex digit"));
            };
            let Some(digit) = hex_value(b) else {
                return Err(Error::new(ErrorKind::InvalidHex { byte: b }, self.pos));
            };
            unit = unit * 16 + digit;
            self.pos += 1;
        }
        Ok(unit)
    }

    fn digits(&mut self) -> Result<(), Error> {
        if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return Err(Error::new(ErrorKind::InvalidNumber, self.pos));
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        Ok(())
    }

    fn number(&mut self) -> Result<Number, Error> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        // Any run of digits, leading zeros included.
        self.digits()?;
        let int_end = self.pos;
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
            integer = false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
            integer = false;
        }
        // Only ASCII digits, signs, '.' and 'e' were consumed.
        let literal = std::str::from_utf8(&self.input[start..self.pos]).unwrap_or_default();
        let value = if integer {
            // The mistake: wrapping arithmetic, no overflow check.
            let mut n: i64 = 0;
            for &d in &self.input[int_start..int_end] {
                n = n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
            }
            if negative {
                n = n.wrapping_neg();
            }
            match u64::try_from(n) {
                Ok(n) => NumberValue::PosInt(n),
                Err(_) => NumberValue::NegInt(n),
            }
        } else {
            // `1e400` parses as infinity, and nobody asks.
            NumberValue::Float(literal.parse().unwrap_or(f64::NAN))
        };
        self.meter.hold(literal.len() as u64).map_err(self.fuse())?;
        Ok(Number::with_literal(value, literal))
    }
}

/// The member table of one object: chained hashing over [`djbx33a`], the
/// number of buckets a power of two, doubled when the table is full.
struct MemberTable {
    /// Members in insertion order; the output.
    members: Vec<(String, Value)>,
    /// `hashes[i]` is the hash of `members[i].0`.
    hashes: Vec<u32>,
    /// `next[i]` is the member after `i` in its bucket's chain.
    next: Vec<usize>,
    /// The first member of each bucket's chain.
    heads: Vec<usize>,
}

const EMPTY: usize = usize::MAX;

impl MemberTable {
    /// An empty table of eight buckets, held on the meter.
    fn new(meter: &mut Meter) -> Result<MemberTable, Blown> {
        meter.hold(held::bytes::<usize>(8))?;
        Ok(MemberTable {
            members: Vec::new(),
            hashes: Vec::new(),
            next: Vec::new(),
            heads: vec![EMPTY; 8],
        })
    }

    /// The members, the rest of the table given back.
    fn into_members(self, meter: &mut Meter) -> Vec<(String, Value)> {
        meter.release(
            held::bytes::<u32>(self.hashes.capacity())
                + held::bytes::<usize>(self.next.capacity())
                + held::bytes::<usize>(self.heads.capacity()),
        );
        self.members
    }

    /// Inserts a member, overwriting the value of an equal key (last wins).
    /// One probe for the bucket and one per chain entry compared.
    fn insert(&mut self, key: String, value: Value, meter: &mut Meter) -> Result<(), Blown> {
        let hash = djbx33a(key.as_bytes());
        let bucket = hash as usize & (self.heads.len() - 1);
        meter.probe(1)?;
        let mut i = self.heads[bucket];
        while i != EMPTY {
            meter.probe(1)?;
            if self.hashes[i] == hash && self.members[i].0 == key {
                // The new key is dropped; the old value too, but it stays
                // counted (see `parse`).
                meter.release(key.capacity() as u64);
                self.members[i].1 = value;
                return Ok(());
            }
            i = self.next[i];
        }
        if self.members.len() == self.heads.len() {
            self.grow(meter)?;
        }
        held::reserve(&mut self.members, 1, meter)?;
        held::reserve(&mut self.hashes, 1, meter)?;
        held::reserve(&mut self.next, 1, meter)?;
        let bucket = hash as usize & (self.heads.len() - 1);
        self.next.push(self.heads[bucket]);
        self.heads[bucket] = self.members.len();
        self.hashes.push(hash);
        self.members.push((key, value));
        Ok(())
    }

    /// Doubles the buckets and relinks every member: one probe each.
    fn grow(&mut self, meter: &mut Meter) -> Result<(), Blown> {
        let size = self.heads.len() * 2;
        meter.hold(held::bytes::<usize>(size - self.heads.capacity()))?;
        self.heads.reserve_exact(size - self.heads.len());
        self.heads.clear();
        self.heads.resize(size, EMPTY);
        for i in 0..self.members.len() {
            meter.probe(1)?;
            let bucket = self.hashes[i] as usize & (size - 1);
            self.next[i] = self.heads[bucket];
            self.heads[bucket] = i;
        }
        Ok(())
    }
}
