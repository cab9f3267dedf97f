//! The tokenizer and well-formedness checks both twins share. What an
//! entity, a DTD or a start tag may do is asked of a [`Policy`]: that is
//! where the twins differ.
//!
//! Elements are kept on an explicit stack; entity expansion recurses, one
//! level of recursion (and one [`Meter::enter`]) per entity being expanded.
//! The meter counts one step per token (tag, attribute, text run, comment,
//! reference, declaration) and produces every byte appended to the output
//! before appending it.
//!
//! # Memory
//!
//! Everything the parser keeps that grows with the input is held on the
//! meter ([`Meter::hold`]) before it is allocated, and given back
//! ([`Meter::release`]) when it is dropped:
//!
//! - the document's events (16 bytes each), attributes (16 bytes each) and
//!   text buffer, by capacity: reserved up front in proportion to the input
//!   ([`Parser::reserve`]), each then grows to at least twice its capacity,
//!   so the count is the allocation, not the length;
//! - the element and open-entity stacks, by capacity likewise;
//! - every declared entity: its name and replacement text (`Rc<str>`, 16
//!   bytes of counts each) and its slot in the entity table, whose growth is
//!   counted the way the standard library's table grows (buckets a power of
//!   two, 7/8 full, one control byte each);
//! - the set that checks a start tag's attributes for duplicates past the
//!   eighth, while the tag is parsed;
//! - an external resource's bytes while they are parsed (vulnerable twin);
//! - the DOCTYPE's names, and an error's names and URIs.
//!
//! Nothing else is allocated per input byte: names, text and values that
//! stand in the input as they are become spans of it; everything else is
//! appended to the one buffer. What the meter does not see is a fixed
//! number of small allocations (the `[dtd]` marker, the box an error
//! travels in) and the allocator's rounding, so the real heap peak stays
//! within a small factor of [`Cost::memory`](crate::meter::Cost::memory):
//! at most the old and the new allocation of the one vector being copied
//! to its doubled capacity, half again what is held.
//!
//! On success the meter still holds what the returned [`Document`] holds;
//! on error, only the error's strings.

use std::collections::{HashMap, HashSet};
use std::mem::size_of;
use std::rc::Rc;

use super::{
    is_name_char, is_name_start_char, is_xml_char, Doctype, Document, Error, ErrorKind, Raw,
    RawAttribute, Span, SyntaxError, Texts,
};
use crate::meter::{Blown, Meter};

mod content;
mod dtd;
mod references;

/// An entity being expanded.
#[derive(Clone, Debug)]
pub(crate) struct Open {
    /// Its name (`[dtd]` for the external subset).
    pub(crate) name: Rc<str>,
    /// Whether it is a parameter entity.
    pub(crate) parameter: bool,
}

/// What the twins decide differently.
pub(crate) trait Policy {
    /// The most bytes the parse of an `input_len`-byte document may hold at
    /// once; past it, [`ErrorKind::MemoryLimit`].
    fn memory_limit(&mut self, input_len: usize) -> u64;
    /// The DOCTYPE names an external subset at `uri`: its bytes, or why not.
    fn external_subset(&mut self, uri: &str) -> Result<Vec<u8>, ErrorKind>;
    /// An entity is declared with an external identifier (`NDATA` or not).
    fn declare_external(&mut self, name: &str, parameter: bool, uri: &str)
        -> Result<(), ErrorKind>;
    /// An external parsed entity is referred to: its bytes, or why not.
    fn external_entity(
        &mut self,
        name: &str,
        parameter: bool,
        uri: &str,
    ) -> Result<Vec<u8>, ErrorKind>;
    /// Before the `len` bytes of an entity's replacement text are parsed:
    /// `open` are the entities being expanded (outermost first), `direct`
    /// the bytes of the document read so far, `memory` the bytes of events
    /// and attributes that expansions have made so far (16 each).
    fn expand(&mut self, expansion: Expansion<'_>) -> Result<(), ErrorKind>;
    /// An element would open at `depth` (the root is at depth 1).
    fn element(&mut self, depth: usize) -> Result<(), ErrorKind>;
    /// A start tag is about to get its `count`th attribute.
    fn attribute(&mut self, count: usize) -> Result<(), ErrorKind>;
}

/// An entity about to be expanded, and what expansion has cost so far
/// ([`Policy::expand`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expansion<'a> {
    /// The entity's name.
    pub(crate) name: &'a str,
    /// Whether it is a parameter entity.
    pub(crate) parameter: bool,
    /// The length of its replacement text.
    pub(crate) len: usize,
    /// The entities being expanded, outermost first.
    pub(crate) open: &'a [Open],
    /// Bytes of the document read so far.
    pub(crate) direct: usize,
    /// Bytes of events and attributes made inside expansions so far.
    pub(crate) memory: u64,
}

#[derive(Clone, Debug)]
enum Value {
    Internal(Rc<str>),
    External(Rc<str>),
    Unparsed,
}

/// The reference counts in front of an `Rc<str>`'s bytes.
const RC_HEADER: usize = 2 * size_of::<usize>();
/// An entity table's slot: the name and the value.
const ENTITY_SLOT: usize = size_of::<(Rc<str>, Value)>();

/// Parses `input` as a whole document under `policy`.
pub(crate) fn parse<'i, P: Policy + ?Sized>(
    input: &'i [u8],
    policy: &mut P,
    meter: &mut Meter,
) -> Result<Document<'i>, Error> {
    let text = match std::str::from_utf8(input) {
        Ok(text) => text,
        Err(e) => {
            return Err(Error {
                kind: ErrorKind::Syntax(SyntaxError::InvalidUtf8),
                offset: e.valid_up_to(),
                entity: None,
            })
        }
    };
    if text.len() > Document::MAX_SIZE {
        let limit = Document::MAX_SIZE as u64;
        let kind = ErrorKind::DocumentSize { size: text.len() as u64, limit };
        return Err(Error { kind, offset: 0, entity: None });
    }
    let memory_limit = policy.memory_limit(text.len());
    let base = meter.held();
    let mut parser = Parser {
        policy,
        meter,
        input: text,
        base,
        memory_limit,
        scratch: 0,
        expansion_memory: 0,
        general: HashMap::new(),
        parameter: HashMap::new(),
        events: Vec::new(),
        attributes: Vec::new(),
        buf: String::new(),
        pending: Pending::None,
        elements: Vec::new(),
        open: Vec::new(),
        anchor: 0,
        direct: 0,
        doctype: None,
    };
    let result = parser.reserve().and_then(|()| parser.document(text));
    let Parser { meter, scratch, events, attributes, buf, doctype, .. } = parser;
    match result {
        Ok(()) => {
            // The tables and stacks go; the document's parts stay held.
            meter.release(scratch);
            Ok(Document { input: text, buf, events, attributes, doctype })
        }
        Err(e) => {
            let e = *e;
            // Held while everything else still is, as on the heap; then
            // everything else goes.
            let error = e.heap_size() as u64;
            let _ = meter.hold(error);
            meter.release(meter.held().saturating_sub(base).saturating_sub(error));
            Err(e)
        }
    }
}

/// The capacity a buffer of capacity `cap` holding `len` items grows to so
/// that `more` more fit: at least twice `cap`, at least `min`.
#[inline]
fn grown(cap: usize, len: usize, more: usize, min: usize) -> usize {
    len.saturating_add(more).max(cap.saturating_mul(2)).max(min)
}

/// The bytes of a hash table of `slot`-byte entries with room for `cap`
/// items, laid out as the standard library's (hashbrown's) table: a power
/// of two of buckets, at most 7/8 of them full (all but one below eight),
/// one control byte per bucket and a group's worth more.
fn table_bytes(cap: usize, slot: usize) -> usize {
    if cap == 0 {
        return 0;
    }
    let buckets = if cap < 8 {
        if cap < 4 {
            4
        } else {
            8
        }
    } else {
        (cap.saturating_mul(8) / 7).next_power_of_two()
    };
    buckets.saturating_mul(slot + 1).saturating_add(16)
}

/// A text being parsed: the document, an entity's replacement text or an
/// external resource.
struct Src<'t> {
    s: &'t str,
    pos: usize,
    /// Line ends are normalised here (the document and external resources;
    /// not replacement text, where a `\r` can only come from `&#13;`).
    eol: bool,
    /// Inside the external subset or an external parameter entity, where
    /// parameter-entity references may stand inside declarations.
    external: bool,
    /// This is the document itself: its slices are spans of the input.
    doc: bool,
}

impl<'t> Src<'t> {
    fn new(s: &'t str, eol: bool, external: bool) -> Src<'t> {
        Src { s, pos: 0, eol, external, doc: false }
    }

    #[inline]
    fn bytes(&self) -> &'t [u8] {
        self.s.as_bytes()
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    #[inline]
    fn peek_at(&self, k: usize) -> Option<u8> {
        self.bytes().get(self.pos + k).copied()
    }

    #[inline]
    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    #[inline]
    fn looking_at(&self, lit: &[u8]) -> bool {
        self.bytes().get(self.pos..).is_some_and(|rest| rest.starts_with(lit))
    }

    #[inline]
    fn eat(&mut self, lit: &[u8]) -> bool {
        let found = self.looking_at(lit);
        if found {
            self.pos += lit.len();
        }
        found
    }

    /// Skips XML whitespace; whether there was any.
    #[inline]
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
        self.pos > start
    }

    #[inline]
    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.s.get(start..end).unwrap_or("")
    }

    /// The absolute position of the next `lit` at or after `pos`.
    fn find(&self, lit: &[u8]) -> Option<usize> {
        let rest = self.bytes().get(self.pos..)?;
        rest.windows(lit.len()).position(|w| w == lit).map(|i| self.pos + i)
    }

    /// Skips a byte-order mark and a text declaration at the start of an
    /// external resource.
    fn skip_text_decl(&mut self) {
        self.eat("\u{FEFF}".as_bytes());
        if self.looking_at(b"<?xml")
            && matches!(self.peek_at(5), Some(b' ' | b'\t' | b'\n' | b'\r'))
        {
            if let Some(end) = self.find(b"?>") {
                self.pos = end + 2;
            }
        }
    }
}

/// A byte table: which bytes stop a scan.
type Stops = [bool; 256];
/// The tables of a literal's scans: in `"`, in `'`, and unquoted (a whole
/// replacement text).
type Literal = [Stops; 3];

/// The bytes that stop every scan — the ASCII controls XML forbids, and
/// 0xEF, which may start U+FFFE or U+FFFF — plus `more`.
const fn stops(more: &[u8]) -> Stops {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = !matches!(c, 0x09 | 0x0A | 0x0D);
        c += 1;
    }
    t[0xEF] = true;
    let mut i = 0;
    while i < more.len() {
        t[more[i] as usize] = true;
        i += 1;
    }
    t
}

/// Only what every scan stops at.
static ANY: Stops = stops(b"");
/// Character data in content.
static TEXT: Stops = stops(b"<&]\r");
/// A CDATA section.
static CDATA: Stops = stops(b"]\r");
/// A comment.
static COMMENT: Stops = stops(b"-\r");
/// A processing instruction's data.
static PI: Stops = stops(b"?\r");
/// Attribute values in `"`, in `'`, and replacement text in one.
static ATTR: Literal = [stops(b"\"<&\t\n\r"), stops(b"'<&\t\n\r"), stops(b"<&\t\n\r")];
/// Entity values in `"`, in `'`, and a parameter entity's whole text.
static VALUE: Literal = [stops(b"\"%&\r"), stops(b"'%&\r"), stops(b"%&\r")];

/// The ASCII bytes that may start a name, and continue one (non-ASCII
/// characters are looked at one by one).
static NAME_START: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = matches!(c as u8, b':' | b'A'..=b'Z' | b'_' | b'a'..=b'z');
        c += 1;
    }
    t
};
static NAME: [bool; 256] = {
    let mut t = NAME_START;
    let mut c = 0;
    while c < 256 {
        t[c] = t[c] || matches!(c as u8, b'-' | b'.' | b'0'..=b'9');
        c += 1;
    }
    t
};

/// The first byte at or after `i` that `stops` stops at and that is not a
/// 0xEF starting an ordinary character (the end if none).
#[inline]
fn scan(b: &[u8], mut i: usize, stops: &Stops) -> usize {
    loop {
        let rest = b.get(i..).unwrap_or_default();
        match rest.iter().position(|&c| stops[usize::from(c)]) {
            Some(k) => i += k,
            None => return i + rest.len(),
        }
        if b.get(i) == Some(&0xEF) && !is_nonchar(b, i) {
            i += 1;
            continue;
        }
        return i;
    }
}

/// Whether `b[i..]` starts the UTF-8 encoding of U+FFFE or U+FFFF, the only
/// non-characters valid UTF-8 can hold besides ASCII controls.
#[inline]
fn is_nonchar(b: &[u8], i: usize) -> bool {
    b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF))
}

#[inline]
fn is_forbidden_byte(b: &[u8], i: usize) -> Option<char> {
    match b.get(i) {
        Some(&c) if c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r') => Some(char::from(c)),
        Some(&0xEF) if is_nonchar(b, i) => {
            Some(if b.get(i + 2) == Some(&0xBE) { '\u{FFFE}' } else { '\u{FFFF}' })
        }
        _ => None,
    }
}

/// The declared entity `name`, with the map's own key (so the open-entity
/// stack shares it instead of allocating a copy per expansion).
fn lookup(map: &HashMap<Rc<str>, Value>, name: &str) -> Option<(Rc<str>, Value)> {
    map.get_key_value(name).map(|(k, v)| (Rc::clone(k), v.clone()))
}

#[inline]
fn predefined(name: &str) -> Option<char> {
    // Byte patterns, not string comparisons: no call per reference.
    match *name.as_bytes() {
        [b'l', b't'] => Some('<'),
        [b'g', b't'] => Some('>'),
        [b'a', b'm', b'p'] => Some('&'),
        [b'a', b'p', b'o', b's'] => Some('\''),
        [b'q', b'u', b'o', b't'] => Some('"'),
        _ => None,
    }
}

/// A reference to one of the five predefined entities at `src.pos`, the
/// most common references by far: the character and the reference's length.
#[inline]
fn predefined_at(src: &Src<'_>) -> Option<(char, usize)> {
    let rest = src.bytes().get(src.pos + 1..)?;
    let (c, len) = match rest.get(..3)? {
        b"lt;" => ('<', 3),
        b"gt;" => ('>', 3),
        b"amp" if rest.get(3) == Some(&b';') => ('&', 4),
        b"quo" if rest.get(3..5) == Some(b"t;") => ('"', 5),
        b"apo" if rest.get(3..5) == Some(b"s;") => ('\'', 5),
        _ => return None,
    };
    Some((c, len + 1))
}

/// Appends `s` to `out`, turning `\r\n` and lone `\r` into `\n` when `eol`.
/// Never makes `out` grow by more than `s.len()`.
fn push_normalised(out: &mut String, s: &str, eol: bool) {
    if !eol || !s.contains('\r') {
        out.push_str(s);
        return;
    }
    let mut rest = s;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
}

enum Ref<'t> {
    Char(char),
    Named(&'t str),
}

/// The character data since the last markup, not yet an event.
#[derive(Clone, Copy, Debug)]
enum Pending {
    None,
    /// One piece of the input as it is.
    Input(Span),
    /// Pieces copied into the buffer from this offset on.
    Buf(usize),
}

struct Parser<'i, 'p, P: ?Sized> {
    policy: &'p mut P,
    meter: &'p mut Meter,
    /// The document.
    input: &'i str,
    /// What the meter held before the parse.
    base: u64,
    /// The policy's limit on what the parse holds.
    memory_limit: u64,
    /// Bytes held for the tables and stacks, given back at the end.
    scratch: u64,
    /// Bytes of events and attributes made inside expansions.
    expansion_memory: u64,
    general: HashMap<Rc<str>, Value>,
    parameter: HashMap<Rc<str>, Value>,
    events: Vec<Raw>,
    attributes: Vec<RawAttribute>,
    /// The text the document owns: see [`Document`].
    buf: String,
    pending: Pending,
    /// The open elements' names.
    elements: Vec<Span>,
    open: Vec<Open>,
    /// The document offset of the outermost reference being expanded.
    anchor: usize,
    /// Bytes of the document read so far, as of the last expansion.
    direct: usize,
    doctype: Option<Doctype>,
}

/// A result inside the parser: the error boxed, so that the `Ok` path
/// passes a register, not a hundred bytes.
type Res<T = ()> = Result<T, Box<Error>>;

impl<'i, P: Policy + ?Sized> Parser<'i, '_, P> {
    #[cold]
    #[inline(never)]
    fn err(&self, kind: ErrorKind, pos: usize) -> Box<Error> {
        Box::new(match self.open.last() {
            None => Error { kind, offset: pos, entity: None },
            Some(open) => Error { kind, offset: self.anchor, entity: Some(open.name.to_string()) },
        })
    }

    #[cold]
    fn syntax(&self, e: SyntaxError, pos: usize) -> Box<Error> {
        self.err(ErrorKind::Syntax(e), pos)
    }

    #[inline]
    fn fuse(&self, r: Result<(), Blown>, pos: usize) -> Res {
        match r {
            Ok(()) => Ok(()),
            Err(b) => Err(self.err(ErrorKind::Fuse(b), pos)),
        }
    }

    #[inline]
    fn step(&mut self, pos: usize) -> Res {
        let r = self.meter.step();
        self.fuse(r, pos)
    }

    #[inline]
    fn produce(&mut self, n: usize, pos: usize) -> Res {
        let r = self.meter.produce(n as u64);
        self.fuse(r, pos)
    }

    fn expect(&self, src: &mut Src<'_>, lit: &[u8], expected: &'static str) -> Res {
        if src.eat(lit) {
            return Ok(());
        }
        Err(self.unexpected(src, expected))
    }

    #[cold]
    fn unexpected(&self, src: &Src<'_>, expected: &'static str) -> Box<Error> {
        if src.at_end() {
            self.syntax(SyntaxError::UnexpectedEof { expected }, src.pos)
        } else {
            self.syntax(SyntaxError::Expected { expected }, src.pos)
        }
    }

    fn require_ws(&self, src: &mut Src<'_>) -> Res {
        if src.skip_ws() {
            return Ok(());
        }
        Err(self.unexpected(src, "whitespace"))
    }

    /// An XML name at `src.pos`. ASCII names, nearly all of them, are
    /// read inline by table; the rest, and errors, by [`Parser::name_slow`].
    #[inline(always)]
    fn name<'t>(&self, src: &mut Src<'t>) -> Res<&'t str> {
        let b = src.bytes();
        let start = src.pos;
        if b.get(start).is_some_and(|&c| NAME_START[usize::from(c)]) {
            let rest = b.get(start + 1..).unwrap_or_default();
            let end =
                start + 1 + rest.iter().position(|&c| !NAME[usize::from(c)]).unwrap_or(rest.len());
            if b.get(end).is_none_or(u8::is_ascii) {
                src.pos = end;
                return Ok(src.slice(start, end));
            }
        }
        self.name_slow(src)
    }

    #[inline(never)]
    fn name_slow<'t>(&self, src: &mut Src<'t>) -> Res<&'t str> {
        let start = src.pos;
        let b = src.bytes();
        let char_at = |i: usize| src.s.get(i..).and_then(|rest| rest.chars().next());
        let mut i = start;
        match b.get(i) {
            Some(&c) if NAME_START[usize::from(c)] => i += 1,
            None => return Err(self.unexpected(src, "a name")),
            Some(_) => match char_at(i) {
                Some(c) if !c.is_ascii() && is_name_start_char(c) => i += c.len_utf8(),
                _ => return Err(self.syntax(SyntaxError::InvalidName, start)),
            },
        }
        loop {
            // ASCII name characters by table; anything else stops the scan
            // and is looked at as a character.
            let rest = b.get(i..).unwrap_or_default();
            match rest.iter().position(|&c| !NAME[usize::from(c)]) {
                Some(k) => i += k,
                None => {
                    i += rest.len();
                    break;
                }
            }
            if b.get(i).is_some_and(u8::is_ascii) {
                break;
            }
            match char_at(i) {
                Some(c) if is_name_char(c) => i += c.len_utf8(),
                _ => break,
            }
        }
        src.pos = i;
        Ok(src.slice(start, i))
    }

    /// Checks that `src[start..end]` holds only XML characters.
    fn check_chars(&self, src: &Src<'_>, start: usize, end: usize) -> Res {
        let b = src.bytes().get(..end).unwrap_or_default();
        let i = scan(b, start, &ANY);
        match is_forbidden_byte(b, i) {
            Some(ch) => Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i)),
            None => Ok(()),
        }
    }

    /// The first character XML forbids in `src[start..]` before the first
    /// byte `end` accepts, and where the scan stopped (`None` at the end of
    /// `src`). `end` is asked at every byte `stops` holds; `\r` is noted in
    /// `cr`.
    fn scan_to(
        src: &Src<'_>,
        start: usize,
        stops: &Stops,
        cr: &mut bool,
        end: impl Fn(&[u8], usize) -> bool,
    ) -> (Option<(char, usize)>, Option<usize>) {
        let b = src.bytes();
        let mut forbidden = None;
        let mut i = start;
        loop {
            i = scan(b, i, stops);
            match b.get(i) {
                None => return (forbidden, None),
                Some(_) if end(b, i) => return (forbidden, Some(i)),
                Some(b'\r') => *cr = true,
                Some(_) => {
                    if forbidden.is_none() {
                        forbidden = is_forbidden_byte(b, i).map(|ch| (ch, i));
                    }
                }
            }
            i += 1;
        }
    }

    // ---- memory -------------------------------------------------------

    /// Holds `bytes` more on the meter, or refuses past the policy's limit.
    fn hold(&mut self, bytes: usize, pos: usize) -> Res {
        let bytes = bytes as u64;
        let held = self.meter.held().saturating_sub(self.base).saturating_add(bytes);
        if held > self.memory_limit {
            let limit = self.memory_limit;
            return Err(self.err(ErrorKind::MemoryLimit { held, limit }, pos));
        }
        let r = self.meter.hold(bytes);
        self.fuse(r, pos)
    }

    /// Holds `bytes` for the tables and stacks, given back at the end.
    fn hold_scratch(&mut self, bytes: usize, pos: usize) -> Res {
        self.hold(bytes, pos)?;
        self.scratch += bytes as u64;
        Ok(())
    }

    fn release_scratch(&mut self, bytes: usize) {
        self.meter.release(bytes as u64);
        self.scratch = self.scratch.saturating_sub(bytes as u64);
    }

    /// Reserves, up front, room for what a typical document of the input's
    /// length makes: an event per 16 bytes, an attribute per 64 and a byte
    /// of buffer per 16. Held like any growth; it saves the copies of the
    /// first doublings.
    fn reserve(&mut self) -> Res {
        let n = self.input.len();
        let (events, attributes) = (n / 16, n / 64);
        self.hold(events * size_of::<Raw>() + attributes * size_of::<RawAttribute>(), 0)?;
        self.events.reserve_exact(events);
        self.attributes.reserve_exact(attributes);
        self.buf_room((n / 16).min(Document::MAX_SIZE - n), 0)
    }

    /// Makes room for one more item in the vector `field` picks, holding
    /// its growth (as scratch when `scratch`).
    #[inline(always)]
    fn room<T>(&mut self, field: fn(&mut Self) -> &mut Vec<T>, scratch: bool, pos: usize) -> Res {
        let v = field(self);
        if v.len() < v.capacity() {
            return Ok(());
        }
        self.grow(field, scratch, pos)
    }

    #[inline(never)]
    fn grow<T>(&mut self, field: fn(&mut Self) -> &mut Vec<T>, scratch: bool, pos: usize) -> Res {
        let v = field(self);
        let (cap, len) = (v.capacity(), v.len());
        let new = grown(cap, len, 1, 8);
        let bytes = (new - cap).saturating_mul(size_of::<T>());
        if scratch {
            self.hold_scratch(bytes, pos)?;
        } else {
            self.hold(bytes, pos)?;
        }
        field(self).reserve_exact(new - len);
        Ok(())
    }

    /// Appends `item` to the document's vector `field` picks; one made
    /// inside an expansion counts as that expansion's memory.
    #[inline(always)]
    fn push<T>(&mut self, field: fn(&mut Self) -> &mut Vec<T>, item: T, pos: usize) -> Res {
        self.room(field, false, pos)?;
        if !self.open.is_empty() {
            self.expansion_memory += size_of::<T>() as u64;
        }
        field(self).push(item);
        Ok(())
    }

    #[inline(always)]
    fn push_event(&mut self, event: Raw, pos: usize) -> Res {
        self.push(|p| &mut p.events, event, pos)
    }

    /// Makes room for `more` bytes in the buffer.
    #[inline(always)]
    fn buf_room(&mut self, more: usize, pos: usize) -> Res {
        if self.buf.capacity() - self.buf.len() >= more {
            return Ok(());
        }
        self.grow_buf(more, pos)
    }

    #[inline(never)]
    fn grow_buf(&mut self, more: usize, pos: usize) -> Res {
        let (cap, len) = (self.buf.capacity(), self.buf.len());
        // Never past what spans can address, so that reaching it needs a
        // growth, and this check.
        let room = Document::MAX_SIZE - self.input.len();
        let size = len.saturating_add(more);
        if size > room {
            let size = (self.input.len() as u64).saturating_add(size as u64);
            let limit = Document::MAX_SIZE as u64;
            return Err(self.err(ErrorKind::DocumentSize { size, limit }, pos));
        }
        let new = grown(cap, len, more, 64).min(room);
        self.hold(new - cap, pos)?;
        self.buf.reserve_exact(new - len);
        Ok(())
    }

    #[inline(always)]
    fn buf_push(&mut self, s: &str, pos: usize) -> Res {
        self.buf_room(s.len(), pos)?;
        self.buf.push_str(s);
        Ok(())
    }

    #[inline(always)]
    fn buf_char(&mut self, c: char, pos: usize) -> Res {
        self.buf_room(c.len_utf8(), pos)?;
        self.buf.push(c);
        Ok(())
    }

    /// Appends `s` to the buffer, line ends normalised when `eol`.
    fn buf_normalised(&mut self, s: &str, eol: bool, pos: usize) -> Res {
        self.buf_room(s.len(), pos)?;
        push_normalised(&mut self.buf, s, eol);
        Ok(())
    }

    /// The span of `input[start..end]`.
    #[inline]
    fn input_span(start: usize, end: usize) -> Span {
        Span { at: start as u32, len: (end - start) as u32 }
    }

    /// The span of the buffer from `start` to its end.
    #[inline]
    fn buf_span(&self, start: usize) -> Span {
        let at = self.input.len() + start;
        Span { at: at as u32, len: (self.buf.len() - start) as u32 }
    }

    /// A span for `src[start..end]`: of the input when `src` is the
    /// document, else of a copy in the buffer.
    #[inline(always)]
    fn span_of(&mut self, src: &Src<'_>, start: usize, end: usize, pos: usize) -> Res<Span> {
        if src.doc {
            return Ok(Self::input_span(start, end));
        }
        let at = self.buf.len();
        self.buf_push(src.slice(start, end), pos)?;
        Ok(self.buf_span(at))
    }

    /// The text of `span`.
    fn text(&self, span: Span) -> &str {
        Texts { input: self.input, buf: &self.buf }.get(span)
    }

    // ---- character data -----------------------------------------------

    /// Adds `input[start..end]`, not empty, to the character data.
    #[inline]
    fn text_input(&mut self, start: usize, end: usize, pos: usize) -> Res {
        if let Pending::None = self.pending {
            self.pending = Pending::Input(Self::input_span(start, end));
            return Ok(());
        }
        self.text_input_to_buf(start, end, pos)
    }

    #[inline(never)]
    fn text_input_to_buf(&mut self, start: usize, end: usize, pos: usize) -> Res {
        self.text_to_buf(pos)?;
        let input = self.input;
        self.buf_push(input.get(start..end).unwrap_or_default(), pos)
    }

    /// Adds `s` to the character data, line ends normalised when `eol`.
    fn text_str(&mut self, s: &str, eol: bool, pos: usize) -> Res {
        self.text_to_buf(pos)?;
        self.buf_normalised(s, eol, pos)
    }

    #[inline]
    fn text_char(&mut self, c: char, pos: usize) -> Res {
        self.text_to_buf(pos)?;
        self.buf_char(c, pos)
    }

    /// Makes the character data a run at the end of the buffer.
    #[inline]
    fn text_to_buf(&mut self, pos: usize) -> Res {
        match self.pending {
            Pending::Buf(_) => Ok(()),
            Pending::None => {
                self.pending = Pending::Buf(self.buf.len());
                Ok(())
            }
            Pending::Input(span) => {
                let at = self.buf.len();
                let input = self.input;
                let piece = Texts { input, buf: "" }.get(span);
                self.buf_push(piece, pos)?;
                self.pending = Pending::Buf(at);
                Ok(())
            }
        }
    }

    /// The character data so far becomes a text event.
    #[inline]
    fn flush_text(&mut self, pos: usize) -> Res {
        if let Pending::None = self.pending {
            return Ok(());
        }
        self.flush_pending(pos)
    }

    #[inline(never)]
    fn flush_pending(&mut self, pos: usize) -> Res {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None => Ok(()),
            Pending::Input(span) => self.push_event(Raw::Text(span), pos),
            Pending::Buf(at) if self.buf.len() > at => {
                let span = self.buf_span(at);
                self.push_event(Raw::Text(span), pos)
            }
            Pending::Buf(_) => Ok(()),
        }
    }

    // ---- the document -------------------------------------------------

    fn document(&mut self, s: &str) -> Res {
        let mut src = Src { s, pos: 0, eol: true, external: false, doc: true };
        src.eat("\u{FEFF}".as_bytes());
        if src.looking_at(b"<?xml") && matches!(src.peek_at(5), Some(b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.xml_decl(&mut src)?;
        }
        // Prolog: misc and at most one DOCTYPE, then the root.
        loop {
            src.skip_ws();
            if src.at_end() {
                return Err(self.syntax(SyntaxError::NoRoot, src.pos));
            }
            if src.looking_at(b"<!--") {
                self.comment(&mut src, true)?;
            } else if src.looking_at(b"<?") {
                self.pi(&mut src, true)?;
            } else if src.looking_at(b"<!DOCTYPE") {
                if self.doctype.is_some() {
                    return Err(self.syntax(SyntaxError::MisplacedDoctype, src.pos));
                }
                self.doctype_decl(&mut src)?;
            } else if src.looking_at(b"<![CDATA[") {
                return Err(self.syntax(SyntaxError::TextOutsideRoot, src.pos));
            } else if src.looking_at(b"<!") || src.looking_at(b"</") {
                return Err(self.syntax(
                    SyntaxError::Expected {
                        expected: "an element, comment, processing instruction or doctype",
                    },
                    src.pos,
                ));
            } else if src.peek() == Some(b'<') {
                break;
            } else {
                return Err(self.syntax(SyntaxError::TextOutsideRoot, src.pos));
            }
        }
        // The root element and its content.
        let empty = self.start_tag(&mut src)?;
        if !empty {
            self.content(&mut src, 0)?;
        }
        // Epilogue: misc only.
        loop {
            src.skip_ws();
            if src.at_end() {
                return Ok(());
            }
            if src.looking_at(b"<!--") {
                self.comment(&mut src, true)?;
            } else if src.looking_at(b"<!DOCTYPE") {
                return Err(self.syntax(SyntaxError::MisplacedDoctype, src.pos));
            } else if src.looking_at(b"<?") {
                self.pi(&mut src, true)?;
            } else if src.looking_at(b"<![CDATA[") {
                return Err(self.syntax(SyntaxError::TextOutsideRoot, src.pos));
            } else if src.looking_at(b"<!") || src.looking_at(b"</") {
                return Err(self.syntax(
                    SyntaxError::Expected { expected: "a comment or processing instruction" },
                    src.pos,
                ));
            } else if src.peek() == Some(b'<') {
                return Err(self.syntax(SyntaxError::MultipleRoots, src.pos));
            } else {
                return Err(self.syntax(SyntaxError::TextOutsideRoot, src.pos));
            }
        }
    }

    fn xml_decl(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 5;
        self.step(at)?;
        let bad = |p: &Self, pos| p.syntax(SyntaxError::InvalidXmlDecl, pos);
        src.skip_ws();
        let mut seen = 0;
        let mut first = true;
        loop {
            let ws = first || src.skip_ws();
            first = false;
            if src.eat(b"?>") {
                break;
            }
            if src.at_end() {
                return Err(self.unexpected(src, "'?>'"));
            }
            if !ws {
                return Err(bad(self, src.pos));
            }
            let key_at = src.pos;
            let key = self.name(src).map_err(|_| bad(self, key_at))?;
            let order = match key {
                "version" => 1,
                "encoding" => 2,
                "standalone" => 3,
                _ => return Err(bad(self, key_at)),
            };
            if order <= seen || (seen == 0 && order != 1) {
                return Err(bad(self, key_at));
            }
            seen = order;
            src.skip_ws();
            if !src.eat(b"=") {
                return Err(bad(self, src.pos));
            }
            src.skip_ws();
            let value_at = src.pos;
            let Some(quote @ (b'"' | b'\'')) = src.peek() else {
                return Err(bad(self, src.pos));
            };
            src.pos += 1;
            let start = src.pos;
            while src.peek().is_some_and(|c| c != quote && c != b'?' && c != b'<') {
                src.pos += 1;
            }
            if src.peek() != Some(quote) {
                return Err(bad(self, src.pos));
            }
            let value = src.slice(start, src.pos);
            src.pos += 1;
            match order {
                1 => {
                    let ok = value
                        .strip_prefix("1.")
                        .is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()));
                    if !ok {
                        let e = SyntaxError::UnsupportedVersion { version: value.to_owned() };
                        return Err(self.syntax(e, value_at));
                    }
                }
                2 => {
                    let valid = value.bytes().next().is_some_and(|c| c.is_ascii_alphabetic())
                        && value
                            .bytes()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'));
                    if !valid {
                        return Err(bad(self, value_at));
                    }
                    let known = ["utf-8", "utf8", "us-ascii", "ascii"];
                    if !known.iter().any(|k| value.eq_ignore_ascii_case(k)) {
                        let e = SyntaxError::UnsupportedEncoding { encoding: value.to_owned() };
                        return Err(self.syntax(e, value_at));
                    }
                }
                _ => {
                    if !matches!(value, "yes" | "no") {
                        return Err(bad(self, value_at));
                    }
                }
            }
        }
        if seen == 0 {
            return Err(bad(self, at));
        }
        Ok(())
    }
}
