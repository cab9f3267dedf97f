//! A strict RFC 8259 parser with explicit limits.
//!
//! The same output as [`super::vulnerable`], with the four mistakes fixed:
//! an explicit stack and a depth limit instead of recursion, duplicate keys
//! found through an index keyed by randomly seeded SipHash-1-3 instead of a
//! predictable hash, numbers refused rather than wrapped or saturated, and
//! duplicate keys refused rather than overwritten.
//!
//! # Guarantees
//!
//! - Accepts exactly the JSON texts of RFC 8259 (the whole input UTF-8,
//!   no trailing commas, no leading zeros, no unescaped control characters,
//!   only the escapes of §7, every `\u` surrogate half of a pair), within the
//!   limits below, and refuses everything else with an [`Error`] naming the
//!   rule and the byte offset. Only what RFC 8259 leaves to the
//!   implementation is decided here: duplicate names (§4) are refused, as
//!   are numbers beyond `f64` (§6) and unpaired surrogates (§8.2); a byte
//!   order mark (§8.1) is not skipped.
//! - Agrees with `serde_json::from_slice::<serde_json::Value>` on every input
//!   (same accept/reject decision, equal values), except where the limits
//!   differ: the `json-differential` target and the property tests check it,
//!   and the harness documents each exception by name.
//! - Numbers are exact: integers that fit 64 bits are kept as integers, every
//!   other number keeps its literal ([`super::Number::literal`]) next to the
//!   nearest `f64`, and a literal whose value is beyond `f64` is refused
//!   ([`ErrorKind::NumberOutOfRange`]), never turned into infinity.
//! - No recursion: the parser's call stack is the same at any depth, and the
//!   [`Value`] it returns is never deeper than [`Config::depth_limit`].
//! - Deterministic cost: one meter step per value, one level of meter depth
//!   per open array or object, and one probe per member-key lookup — the
//!   same counts on every run, although the index's hash key is random.
//! - Memory held on the meter before it is allocated, so the meter's peak
//!   is the real heap peak: the returned [`Value`] (each container at its
//!   exact size), the two shared buffers its elements and members are
//!   collected in (by capacity), the explicit stack, the key indexes, the
//!   strings and the number literals. At most 48 bytes per input byte
//!   (below).
//!
//! # Resource limits
//!
//! Every limit is a [`Config`] setting with an error kind naming it:
//!
//! | setting | default | error |
//! |---|---|---|
//! | [`Config::max_input_len`] | 64 MiB | [`ErrorKind::InputTooLarge`] |
//! | [`Config::depth_limit`] | 128 (serde_json's) | [`ErrorKind::DepthLimit`] |
//! | [`Config::number_digits_limit`] | 4,300 digits (CPython's `int` limit) | [`ErrorKind::NumberTooLong`] |
//!
//! Objects and arrays have no size limit of their own: the input limit bounds
//! them, and their cost is linear.
//!
//! # Memory
//!
//! At most 48 bytes held per input byte, measured with the meter and a
//! counting allocator (`harnesses/tests/json_memory.rs`): the densest
//! document is a flat array of one-digit numbers, two input bytes a
//! 32-byte [`Value`], which the shared buffer holds at up to twice its
//! length while the array is then allocated at its exact size — 96 bytes a
//! value. Objects cost less per byte (a 56-byte member for at least 6 input
//! bytes, plus a key index of 16-byte slots at most half full); strings and
//! literals cost their length. Measured: 3.6 bytes a byte on a benign
//! megabyte of API records, 33 on a flat array of 500,000 zeros.
//!
//! # Time complexity
//!
//! O(n) for n input bytes: each byte is read a constant number of times, and
//! each member-key lookup costs O(k) expected time for a key of k bytes
//! whatever the keys are, because an attacker who cannot know the SipHash key
//! cannot choose keys that collide. (Objects of at most [`SMALL_OBJECT`]
//! members compare each new key with the earlier ones instead: a constant.)
//! Memory O(n): at most 48 bytes per input byte (see Memory).
//!
//! # Panics
//!
//! None known, not proven: it indexes slices at positions it has checked, and
//! every input the fuzzers and properties have tried ran through
//! `Target::check`, which turns a panic into a `Panic` finding; none has
//! been seen.
//! Dropping, cloning or comparing the returned [`Value`] recurses once
//! per nesting level, so raising [`Config::depth_limit`] into the tens of
//! thousands moves the stack-exhaustion risk to the caller.
//!
//! [`ErrorKind::InputTooLarge`]: super::ErrorKind::InputTooLarge
//! [`ErrorKind::DepthLimit`]: super::ErrorKind::DepthLimit
//! [`ErrorKind::NumberTooLong`]: super::ErrorKind::NumberTooLong

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use super::{hex_value, is_ws, Error, ErrorKind, Number, NumberValue, Value};
use crate::held;
use crate::meter::{Blown, Meter};

/// Limits of the hardened parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Longest input accepted, in bytes.
    pub max_input_len: usize,
    /// Deepest nesting of arrays and objects: `[[1]]` has depth 2.
    pub depth_limit: usize,
    /// Most decimal digits in one number literal, counting integer, fraction
    /// and exponent digits.
    pub number_digits_limit: usize,
}

impl Config {
    /// Default [`Config::max_input_len`]: 64 MiB.
    pub const MAX_INPUT_LEN: usize = 64 << 20;
    /// Default [`Config::depth_limit`]: 128, serde_json's.
    pub const DEPTH_LIMIT: usize = 128;
    /// Default [`Config::number_digits_limit`]: 4,300, the limit CPython puts
    /// on decimal `int` conversion since CVE-2020-10735. Any `f64` is exact
    /// in fewer than 800 significant digits.
    pub const NUMBER_DIGITS_LIMIT: usize = 4_300;
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_input_len: Config::MAX_INPUT_LEN,
            depth_limit: Config::DEPTH_LIMIT,
            number_digits_limit: Config::NUMBER_DIGITS_LIMIT,
        }
    }
}

/// Objects up to this many members find duplicate keys by comparing each new
/// key with the earlier ones (at most `SMALL_OBJECT - 1` comparisons); a
/// larger object builds a hash index of its keys.
pub const SMALL_OBJECT: usize = 16;

/// Parses one JSON text under the default [`Config`].
pub fn parse(input: &[u8], meter: &mut Meter) -> Result<Value, Error> {
    parse_with(&Config::default(), input, meter)
}

/// Parses one JSON text under `config`.
///
/// Counts one meter step per value, one level of meter depth per open array
/// or object and one probe per member-key lookup; stops with
/// [`ErrorKind::Fuse`] if the meter trips first.
pub fn parse_with(config: &Config, input: &[u8], meter: &mut Meter) -> Result<Value, Error> {
    if input.len() > config.max_input_len {
        let kind = ErrorKind::InputTooLarge { len: input.len(), limit: config.max_input_len };
        return Err(Error::new(kind, config.max_input_len));
    }
    // RFC 8259 §8.1: the whole text is UTF-8. Validating it once up front
    // lets strings be sliced out without checking them again.
    let text = std::str::from_utf8(input)
        .map_err(|e| Error::new(ErrorKind::InvalidUtf8, e.valid_up_to()))?;
    let mut parser = Parser {
        text,
        bytes: input,
        pos: 0,
        config,
        meter,
        keys: RandomState::new(),
        stack: Vec::new(),
        items: Vec::new(),
        members: Vec::new(),
    };
    let result = parser.run();
    // The value keeps what it holds; the parser's buffers are given back.
    let buffers = held::bytes::<Frame>(parser.stack.capacity())
        + held::bytes::<Value>(parser.items.capacity())
        + held::bytes::<(String, Value)>(parser.members.capacity());
    parser.meter.release(buffers);
    result
}

/// An open array or object on the explicit stack. Its elements so far are
/// the tail of the parser's shared `items` or `members` from `start` on, so
/// each container is allocated once, at its exact size, when it closes.
enum Frame {
    Array { start: usize },
    Object(Object),
}

/// An object being built: its members are `members[start..]` of the parser,
/// the last one, whose value is being parsed, with a `null` placeholder.
struct Object {
    start: usize,
    index: Option<Box<KeyIndex>>,
}

/// Member keys by their randomly keyed SipHash-1-3, in an open-addressing
/// table at most half full: the hash is computed once per key with the
/// parse's [`RandomState`], and an attacker who cannot know the key cannot
/// make keys that share a run of slots. Equal hashes of different keys take
/// neighbouring slots like any other, so correctness does not depend on luck.
struct KeyIndex {
    /// A power of two of slots; `member == EMPTY` marks a free one.
    slots: Vec<Slot>,
    len: usize,
}

#[derive(Clone, Copy)]
struct Slot {
    hash: u64,
    member: usize,
}

const EMPTY: usize = usize::MAX;

/// Slots in a new [`KeyIndex`]: room for the [`SMALL_OBJECT`] + 1 keys it
/// starts with, at most half full.
const FIRST_SLOTS: usize = 64;

impl Object {
    /// Adds `key` with a placeholder value to `all[self.start..]`, this
    /// object's members, or refuses it as a duplicate.
    fn push_key(
        &mut self,
        all: &mut Vec<(String, Value)>,
        key: String,
        keys: &RandomState,
        meter: &mut Meter,
    ) -> Result<(), PushError> {
        let members = &all[self.start..];
        let seen = match &mut self.index {
            Some(index) => {
                let hash = keys.hash_one(key.as_str());
                let seen = index.find(hash, &key, members);
                if !seen {
                    index.insert(hash, members.len(), meter)?;
                }
                seen
            }
            None => {
                let seen = members.iter().any(|(k, _)| *k == key);
                if !seen && members.len() + 1 > SMALL_OBJECT {
                    meter.hold(held::bytes::<KeyIndex>(1))?;
                    let mut index = Box::new(KeyIndex { slots: Vec::new(), len: 0 });
                    for (i, (k, _)) in members.iter().enumerate() {
                        index.insert(keys.hash_one(k.as_str()), i, meter)?;
                    }
                    index.insert(keys.hash_one(key.as_str()), members.len(), meter)?;
                    self.index = Some(index);
                }
                seen
            }
        };
        if seen {
            return Err(PushError::Duplicate(key));
        }
        held::reserve(all, 1, meter)?;
        all.push((key, Value::Null));
        Ok(())
    }

    /// The bytes the index holds, to give back when the object closes.
    fn index_bytes(&self) -> u64 {
        self.index.as_ref().map_or(0, |index| {
            held::bytes::<KeyIndex>(1) + held::bytes::<Slot>(index.slots.capacity())
        })
    }
}

/// Why [`Object::push_key`] refused a key.
enum PushError {
    Duplicate(String),
    Fuse(Blown),
}

impl From<Blown> for PushError {
    fn from(blown: Blown) -> PushError {
        PushError::Fuse(blown)
    }
}

impl KeyIndex {
    fn find(&self, hash: u64, key: &str, members: &[(String, Value)]) -> bool {
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot.member == EMPTY {
                return false;
            }
            if slot.hash == hash && members[slot.member].0 == key {
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds a member not in the table, doubling the slots (held on the meter
    /// first) when it would be more than half full.
    fn insert(&mut self, hash: u64, member: usize, meter: &mut Meter) -> Result<(), Blown> {
        if 2 * (self.len + 1) > self.slots.len() {
            let size = (2 * self.slots.len()).max(FIRST_SLOTS);
            meter.hold(held::bytes::<Slot>(size))?;
            let old =
                std::mem::replace(&mut self.slots, vec![Slot { hash: 0, member: EMPTY }; size]);
            for slot in &old {
                if slot.member != EMPTY {
                    self.place(*slot);
                }
            }
            meter.release(held::bytes::<Slot>(old.capacity()));
        }
        self.place(Slot { hash, member });
        self.len += 1;
        Ok(())
    }

    fn place(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut i = slot.hash as usize & mask;
        while self.slots[i].member != EMPTY {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }
}

/// Bytes that end the plain run of a string: `"`, `\` and the control
/// characters.
static STRING_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The end of the run of string bytes from `i` that need no attention: the
/// offset of the first `"`, `\` or control character, or the end of input.
/// Eight bytes at a time while no such byte is among them (the classic
/// "has a zero byte" bit trick, on `u64` words), then byte by byte.
#[inline]
fn plain_run_end(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    while let Some(word) = bytes.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let w = u64::from_ne_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // A byte is zero in `quote` or `backslash`, or below 0x20 in `w`.
        let special = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w);
        if special & HIGH != 0 {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && !STRING_SPECIAL[bytes[i] as usize] {
        i += 1;
    }
    i
}

struct Parser<'a, 'm> {
    /// The input, validated UTF-8.
    text: &'a str,
    /// The same input as bytes.
    bytes: &'a [u8],
    pos: usize,
    config: &'a Config,
    meter: &'m mut Meter,
    /// The random hash key of this parse's key indexes.
    keys: RandomState,
    /// The open arrays and objects, innermost last.
    stack: Vec<Frame>,
    /// The elements of every open array, innermost last.
    items: Vec<Value>,
    /// The members of every open object, innermost last.
    members: Vec<(String, Value)>,
}

impl Parser<'_, '_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !is_ws(b) {
                break;
            }
            self.pos += 1;
        }
    }

    /// Holds `bytes` on the meter, a fuse error at `at` if it trips.
    fn hold(&mut self, bytes: u64, at: usize) -> Result<(), Error> {
        self.meter.hold(bytes).map_err(|b| Error::fuse(b, at))
    }

    fn unexpected(&self, at: usize, expected: &'static str) -> Error {
        let kind = match self.bytes.get(at) {
            Some(&byte) => ErrorKind::UnexpectedByte { byte, expected },
            None => ErrorKind::UnexpectedEnd { expected },
        };
        Error::new(kind, at)
    }

    /// Opens an array or object at depth `depth`.
    fn open(&mut self, depth: usize) -> Result<(), Error> {
        if depth > self.config.depth_limit {
            let kind = ErrorKind::DepthLimit { depth, limit: self.config.depth_limit };
            return Err(Error::new(kind, self.pos));
        }
        self.meter.enter().map_err(|b| Error::fuse(b, self.pos))?;
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    fn run(&mut self) -> Result<Value, Error> {
        'value: loop {
            self.skip_ws();
            self.meter.step().map_err(|b| Error::fuse(b, self.pos))?;
            let mut value = match self.peek() {
                Some(b'[') => {
                    self.open(self.stack.len() + 1)?;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        self.meter.leave();
                        Value::Array(Vec::new())
                    } else {
                        self.push_frame(Frame::Array { start: self.items.len() })?;
                        continue 'value;
                    }
                }
                Some(b'{') => {
                    self.open(self.stack.len() + 1)?;
                    match self.peek() {
                        Some(b'}') => {
                            self.pos += 1;
                            self.meter.leave();
                            Value::Object(Vec::new())
                        }
                        Some(b'"') => {
                            let mut object = Object { start: self.members.len(), index: None };
                            self.member_key(&mut object)?;
                            self.push_frame(Frame::Object(object))?;
                            continue 'value;
                        }
                        _ => return Err(self.unexpected(self.pos, "a string key or '}'")),
                    }
                }
                Some(b'"') => Value::String(self.string()?),
                Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
                Some(b't') => self.keyword("true", Value::Bool(true))?,
                Some(b'f') => self.keyword("false", Value::Bool(false))?,
                Some(b'n') => self.keyword("null", Value::Null)?,
                _ => return Err(self.unexpected(self.pos, "a value")),
            };
            // The value is complete: hand it to the open containers, closing
            // every one that ends here.
            loop {
                self.skip_ws();
                let Some(mut frame) = self.stack.pop() else {
                    if self.pos < self.bytes.len() {
                        return Err(Error::new(ErrorKind::TrailingCharacters, self.pos));
                    }
                    return Ok(value);
                };
                let at = self.pos;
                match &mut frame {
                    Frame::Array { .. } => {
                        held::reserve(&mut self.items, 1, self.meter)
                            .map_err(|b| Error::fuse(b, at))?;
                        self.items.push(value);
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                if self.peek() == Some(b']') {
                                    return Err(Error::new(ErrorKind::TrailingComma, at));
                                }
                                self.stack.push(frame);
                                continue 'value;
                            }
                            Some(b']') => {}
                            _ => return Err(self.unexpected(at, "',' or ']'")),
                        }
                    }
                    Frame::Object(object) => {
                        if let Some(member) = self.members.last_mut() {
                            member.1 = value;
                        }
                        match self.peek() {
                            Some(b',') => {
                                self.pos += 1;
                                self.skip_ws();
                                match self.peek() {
                                    Some(b'"') => {}
                                    Some(b'}') => {
                                        return Err(Error::new(ErrorKind::TrailingComma, at))
                                    }
                                    _ => return Err(self.unexpected(self.pos, "a string key")),
                                }
                                self.member_key(object)?;
                                self.stack.push(frame);
                                continue 'value;
                            }
                            Some(b'}') => {}
                            _ => return Err(self.unexpected(at, "',' or '}'")),
                        }
                    }
                }
                // The closing bracket at `at` ends this container, which is
                // allocated at its exact size; the buffer keeps its capacity
                // for the next one.
                self.pos += 1;
                self.meter.leave();
                value = match frame {
                    Frame::Array { start } => {
                        self.hold(held::bytes::<Value>(self.items.len() - start), at)?;
                        Value::Array(self.items.drain(start..).collect())
                    }
                    Frame::Object(object) => {
                        let members = self.members.len() - object.start;
                        self.hold(held::bytes::<(String, Value)>(members), at)?;
                        self.meter.release(object.index_bytes());
                        Value::Object(self.members.drain(object.start..).collect())
                    }
                };
            }
        }
    }

    /// Pushes a frame on the explicit stack, its growth held on the meter.
    fn push_frame(&mut self, frame: Frame) -> Result<(), Error> {
        held::reserve(&mut self.stack, 1, self.meter).map_err(|b| Error::fuse(b, self.pos))?;
        self.stack.push(frame);
        Ok(())
    }

    /// A member's key and the colon after it; the key goes into `object`
    /// unless it is a duplicate.
    fn member_key(&mut self, object: &mut Object) -> Result<(), Error> {
        let at = self.pos;
        let key = self.string()?;
        self.meter.probe(1).map_err(|b| Error::fuse(b, at))?;
        object.push_key(&mut self.members, key, &self.keys, self.meter).map_err(|e| match e {
            PushError::Duplicate(key) => Error::new(ErrorKind::DuplicateKey { key }, at),
            PushError::Fuse(blown) => Error::fuse(blown, at),
        })?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected(self.pos, "':'"));
        }
        self.pos += 1;
        Ok(())
    }

    fn keyword(&mut self, word: &'static str, value: Value) -> Result<Value, Error> {
        for &b in word.as_bytes() {
            if self.peek() != Some(b) {
                return Err(self.unexpected(self.pos, word));
            }
            self.pos += 1;
        }
        Ok(value)
    }

    /// A string starting at the `"` under `pos`.
    fn string(&mut self) -> Result<String, Error> {
        let start = self.pos + 1;
        let mut i = plain_run_end(self.bytes, start);
        if self.bytes.get(i) == Some(&b'"') {
            self.hold((i - start) as u64, start)?;
            self.pos = i + 1;
            return Ok(self.text[start..i].to_owned());
        }
        // Escapes (or an error) ahead: build the string run by run.
        let mut out = String::new();
        self.push_str(&mut out, start, i)?;
        loop {
            match self.bytes.get(i) {
                None => return Err(self.unexpected(i, "'\"' closing the string")),
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let (c, end) = self.escape(i)?;
                    held::reserve_str(&mut out, c.len_utf8(), self.meter)
                        .map_err(|b| Error::fuse(b, i))?;
                    out.push(c);
                    i = end;
                }
                Some(&byte) => return Err(Error::new(ErrorKind::ControlCharacter { byte }, i)),
            }
            let run = i;
            i = plain_run_end(self.bytes, i);
            self.push_str(&mut out, run, i)?;
        }
    }

    /// Appends `text[from..to]` to `out`, its growth held on the meter.
    fn push_str(&mut self, out: &mut String, from: usize, to: usize) -> Result<(), Error> {
        held::reserve_str(out, to - from, self.meter).map_err(|b| Error::fuse(b, from))?;
        out.push_str(&self.text[from..to]);
        Ok(())
    }

    /// The escape whose backslash is at `at`: the character it stands for
    /// and the offset after it.
    fn escape(&self, at: usize) -> Result<(char, usize), Error> {
        let Some(&b) = self.bytes.get(at + 1) else {
            return Err(self.unexpected(at + 1, "an escape"));
        };
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4(at + 2)?;
                let (c, end) = match unit {
                    0xD800..=0xDBFF => {
                        let low = if self.bytes.get(at + 6..at + 8) == Some(b"\\u") {
                            Some(self.hex4(at + 8)?)
                        } else {
                            None
                        };
                        match low {
                            Some(low @ 0xDC00..=0xDFFF) => {
                                let c = 0x10000
                                    + ((u32::from(unit) - 0xD800) << 10)
                                    + (u32::from(low) - 0xDC00);
                                (char::from_u32(c), at + 12)
                            }
                            _ => (None, at),
                        }
                    }
                    _ => (char::from_u32(u32::from(unit)), at + 6),
                };
                let Some(c) = c else {
                    return Err(Error::new(ErrorKind::LoneSurrogate { unit }, at));
                };
                return Ok((c, end));
            }
            _ => return Err(Error::new(ErrorKind::InvalidEscape { byte: b }, at)),
        };
        Ok((c, at + 2))
    }

    /// Four hex digits starting at `at`.
    fn hex4(&self, at: usize) -> Result<u16, Error> {
        let mut unit = 0;
        for i in at..at + 4 {
            let Some(&b) = self.bytes.get(i) else {
                return Err(self.unexpected(i, "a hex digit"));
            };
            let Some(digit) = hex_value(b) else {
                return Err(Error::new(ErrorKind::InvalidHex { byte: b }, i));
            };
            unit = unit * 16 + digit;
        }
        Ok(unit)
    }

    /// A run of at least one digit from `i`; returns its end. The number
    /// starting at `start` has `before` digits already: past the limit the
    /// scan stops at once and the number is refused, so a megabyte of digits
    /// costs no more than the limit does.
    fn digits(&self, start: usize, i: usize, before: usize) -> Result<usize, Error> {
        let limit = self.config.number_digits_limit;
        let mut end = i;
        while end < self.bytes.len() && self.bytes[end].is_ascii_digit() {
            end += 1;
            if before + (end - i) > limit {
                let kind = ErrorKind::NumberTooLong { digits: limit + 1, limit };
                return Err(Error::new(kind, start));
            }
        }
        if end == i {
            return Err(Error::new(ErrorKind::InvalidNumber, i));
        }
        Ok(end)
    }

    /// A number starting at `pos` (a `-` or a digit).
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.pos;
        let negative = self.bytes[start] == b'-';
        let int_start = start + usize::from(negative);
        let int_end = self.digits(start, int_start, 0)?;
        if self.bytes[int_start] == b'0' && int_end > int_start + 1 {
            return Err(Error::new(ErrorKind::LeadingZero, int_start));
        }
        let mut end = int_end;
        let mut digits = int_end - int_start;
        if self.bytes.get(end) == Some(&b'.') {
            let frac_end = self.digits(start, end + 1, digits)?;
            digits += frac_end - end - 1;
            end = frac_end;
        }
        if let Some(b'e' | b'E') = self.bytes.get(end) {
            let mut exp = end + 1;
            if let Some(b'+' | b'-') = self.bytes.get(exp) {
                exp += 1;
            }
            end = self.digits(start, exp, digits)?;
        }
        self.pos = end;
        let literal = &self.text[start..end];
        if end == int_end {
            // An integer literal: exact when it fits 64 bits, as serde_json
            // classifies it.
            let magnitude = if int_end - int_start <= 19 {
                Some(
                    self.bytes[int_start..int_end]
                        .iter()
                        .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')),
                )
            } else {
                literal[usize::from(negative)..].parse::<u64>().ok()
            };
            match (negative, magnitude) {
                (false, Some(n)) => return Ok(Number::integer(NumberValue::PosInt(n))),
                (true, Some(n)) if n != 0 && n <= 1 << 63 => {
                    let n = (n as i64).wrapping_neg();
                    return Ok(Number::integer(NumberValue::NegInt(n)));
                }
                // `-0` and integers beyond 64 bits: the nearest float.
                _ => {}
            }
        }
        match literal.parse::<f64>() {
            Ok(x) if x.is_finite() => {
                self.hold(literal.len() as u64, start)?;
                Ok(Number::with_literal(NumberValue::Float(x), literal))
            }
            _ => Err(Error::new(ErrorKind::NumberOutOfRange, start)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_scan_stops_where_the_byte_scan_does() {
        let naive = |bytes: &[u8], i: usize| {
            (i..bytes.len()).find(|&j| STRING_SPECIAL[bytes[j] as usize]).unwrap_or(bytes.len())
        };
        // Fillers that must not stop the scan, around bytes that must.
        for filler in [b'a', b' ', 0x7f, 0x80, 0xc3, 0xff, b'!', b'#', b'[', b']'] {
            for special in [b'"', b'\\', 0x00, 0x0a, 0x1f] {
                for at in 0..24 {
                    let mut bytes = vec![filler; 24];
                    bytes[at] = special;
                    for start in 0..=at {
                        assert_eq!(plain_run_end(&bytes, start), at, "{filler:#x} {special:#x}");
                        assert_eq!(plain_run_end(&bytes, start), naive(&bytes, start));
                    }
                }
                assert_eq!(plain_run_end(&[filler; 19], 0), 19);
            }
        }
    }
}
