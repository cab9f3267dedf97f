//! The tokenizer and well-formedness checks both twins share. What an
//! entity, a DTD or a start tag may do is asked of a [`Policy`]: that is
//! where the twins differ.
//!
//! Elements are kept on an explicit stack; entity expansion recurses, one
//! level of recursion (and one [`Meter::enter`]) per entity being expanded.
//! The meter counts one step per token (tag, attribute, text run, comment,
//! reference, declaration) and produces every byte appended to the output
//! before appending it.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::{
    is_name_char, is_name_start_char, is_xml_char, Attribute, Doctype, Document, Error, ErrorKind,
    Event, SyntaxError,
};
use crate::meter::{Blown, Meter};

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
    /// the bytes of the document read so far.
    fn expand(
        &mut self,
        name: &str,
        parameter: bool,
        len: usize,
        open: &[Open],
        direct: usize,
    ) -> Result<(), ErrorKind>;
    /// An element would open at `depth` (the root is at depth 1).
    fn element(&mut self, depth: usize) -> Result<(), ErrorKind>;
    /// A start tag is about to get its `count`th attribute.
    fn attribute(&mut self, count: usize) -> Result<(), ErrorKind>;
}

#[derive(Clone, Debug)]
enum Value {
    Internal(Rc<str>),
    External(Rc<str>),
    Unparsed,
}

/// Parses `input` as a whole document under `policy`.
pub(crate) fn parse<P: Policy + ?Sized>(
    input: &[u8],
    policy: &mut P,
    meter: &mut Meter,
) -> Result<Document, Error> {
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
    let mut parser = Parser {
        policy,
        meter,
        general: HashMap::new(),
        parameter: HashMap::new(),
        events: Vec::new(),
        text: String::new(),
        elements: Vec::new(),
        open: Vec::new(),
        anchor: 0,
        direct: 0,
        doctype: None,
    };
    parser.document(text)?;
    Ok(Document { doctype: parser.doctype, events: parser.events })
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
    /// This is the document itself.
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

    fn eat(&mut self, lit: &[u8]) -> bool {
        let found = self.looking_at(lit);
        if found {
            self.pos += lit.len();
        }
        found
    }

    /// Skips XML whitespace; whether there was any.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.s.get(start..end).unwrap_or("")
    }

    fn next_char(&self) -> Option<char> {
        self.s.get(self.pos..)?.chars().next()
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

fn predefined(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// Appends `s` to `out`, turning `\r\n` and lone `\r` into `\n` when `eol`.
fn push_normalised(out: &mut String, s: &str, eol: bool) {
    if !eol || !s.contains('\r') {
        out.push_str(s);
        return;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            chars.next_if_eq(&'\n');
            out.push('\n');
        } else {
            out.push(c);
        }
    }
}

enum Ref<'t> {
    Char(char),
    Named(&'t str),
}

struct Parser<'p, P: ?Sized> {
    policy: &'p mut P,
    meter: &'p mut Meter,
    general: HashMap<Rc<str>, Value>,
    parameter: HashMap<Rc<str>, Value>,
    events: Vec<Event>,
    /// The text run being built: character data since the last markup.
    text: String,
    elements: Vec<String>,
    open: Vec<Open>,
    /// The document offset of the outermost reference being expanded.
    anchor: usize,
    /// Bytes of the document read so far, as of the last expansion.
    direct: usize,
    doctype: Option<Doctype>,
}

type Res<T = ()> = Result<T, Error>;

impl<P: Policy + ?Sized> Parser<'_, P> {
    fn err(&self, kind: ErrorKind, pos: usize) -> Error {
        match self.open.last() {
            None => Error { kind, offset: pos, entity: None },
            Some(open) => Error { kind, offset: self.anchor, entity: Some(open.name.to_string()) },
        }
    }

    fn syntax(&self, e: SyntaxError, pos: usize) -> Error {
        self.err(ErrorKind::Syntax(e), pos)
    }

    fn fuse(&self, r: Result<(), Blown>, pos: usize) -> Res {
        r.map_err(|b| self.err(ErrorKind::Fuse(b), pos))
    }

    fn step(&mut self, pos: usize) -> Res {
        let r = self.meter.step();
        self.fuse(r, pos)
    }

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

    fn unexpected(&self, src: &Src<'_>, expected: &'static str) -> Error {
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

    fn name<'t>(&self, src: &mut Src<'t>) -> Res<&'t str> {
        let start = src.pos;
        match src.next_char() {
            Some(c) if is_name_start_char(c) => src.pos += c.len_utf8(),
            Some(_) => return Err(self.syntax(SyntaxError::InvalidName, start)),
            None => return Err(self.unexpected(src, "a name")),
        }
        while let Some(c) = src.next_char() {
            if !is_name_char(c) {
                break;
            }
            src.pos += c.len_utf8();
        }
        Ok(src.slice(start, src.pos))
    }

    /// Checks that `src[start..end]` holds only XML characters.
    fn check_chars(&self, src: &Src<'_>, start: usize, end: usize) -> Res {
        let b = src.bytes();
        for i in start..end.min(b.len()) {
            if let Some(ch) = is_forbidden_byte(b, i) {
                return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i));
            }
        }
        Ok(())
    }

    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            self.events.push(Event::Text(std::mem::take(&mut self.text)));
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
                    let lower = value.to_ascii_lowercase();
                    if !matches!(lower.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii") {
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

    // ---- content ------------------------------------------------------

    /// Parses content until `src` ends, or, for the document, until the
    /// root element closes. `base` is the element depth content started at.
    fn content(&mut self, src: &mut Src<'_>, base: usize) -> Res {
        while let Some(c) = src.peek() {
            match c {
                b'<' => {
                    if src.looking_at(b"</") {
                        self.flush_text();
                        self.end_tag(src, base)?;
                        if src.doc && self.elements.is_empty() {
                            return Ok(());
                        }
                    } else if src.looking_at(b"<!--") {
                        self.flush_text();
                        self.comment(src, true)?;
                    } else if src.looking_at(b"<![CDATA[") {
                        self.cdata(src)?;
                    } else if src.looking_at(b"<?") {
                        self.flush_text();
                        self.pi(src, true)?;
                    } else if src.looking_at(b"<!DOCTYPE") {
                        return Err(self.syntax(SyntaxError::MisplacedDoctype, src.pos));
                    } else if src.looking_at(b"<!") {
                        return Err(self.syntax(
                            SyntaxError::Expected { expected: "a comment or CDATA section" },
                            src.pos,
                        ));
                    } else {
                        self.start_tag(src)?;
                    }
                }
                b'&' => self.content_reference(src)?,
                _ => self.text_run(src)?,
            }
        }
        if src.doc {
            let name = self.elements.last().cloned().unwrap_or_default();
            return Err(self.syntax(SyntaxError::UnclosedElement { name }, src.pos));
        }
        if self.elements.len() != base {
            return Err(self.syntax(SyntaxError::EntityNotBalanced, src.pos));
        }
        Ok(())
    }

    fn text_run(&mut self, src: &mut Src<'_>) -> Res {
        let start = src.pos;
        let b = src.bytes();
        let mut i = start;
        while let Some(&c) = b.get(i) {
            match c {
                b'<' | b'&' => break,
                b']' if b.get(i..).is_some_and(|r| r.starts_with(b"]]>")) => {
                    return Err(self.syntax(SyntaxError::CdataEndInText, i));
                }
                _ => {
                    if let Some(ch) = is_forbidden_byte(b, i) {
                        return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i));
                    }
                }
            }
            i += 1;
        }
        self.step(start)?;
        self.produce(i - start, start)?;
        push_normalised(&mut self.text, src.slice(start, i), src.eol);
        src.pos = i;
        Ok(())
    }

    fn cdata(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 9;
        self.step(at)?;
        let Some(end) = src.find(b"]]>") else {
            return Err(self.syntax(SyntaxError::UnexpectedEof { expected: "']]>'" }, src.s.len()));
        };
        self.check_chars(src, src.pos, end)?;
        self.produce(end - src.pos, at)?;
        push_normalised(&mut self.text, src.slice(src.pos, end), src.eol);
        src.pos = end + 3;
        Ok(())
    }

    fn comment(&mut self, src: &mut Src<'_>, emit: bool) -> Res {
        let at = src.pos;
        src.pos += 4;
        self.step(at)?;
        let Some(dashes) = src.find(b"--") else {
            return Err(self.syntax(SyntaxError::UnexpectedEof { expected: "'-->'" }, src.s.len()));
        };
        if src.bytes().get(dashes + 2) != Some(&b'>') {
            if dashes + 2 >= src.s.len() {
                return Err(
                    self.syntax(SyntaxError::UnexpectedEof { expected: "'-->'" }, src.s.len())
                );
            }
            return Err(self.syntax(SyntaxError::DoubleHyphenInComment, dashes));
        }
        self.check_chars(src, src.pos, dashes)?;
        if emit {
            self.produce(dashes - src.pos, at)?;
            let mut body = String::new();
            push_normalised(&mut body, src.slice(src.pos, dashes), src.eol);
            self.events.push(Event::Comment(body));
        }
        src.pos = dashes + 3;
        Ok(())
    }

    fn pi(&mut self, src: &mut Src<'_>, emit: bool) -> Res {
        let at = src.pos;
        src.pos += 2;
        self.step(at)?;
        let target = self.name(src)?;
        if target.eq_ignore_ascii_case("xml") {
            return Err(self.syntax(SyntaxError::ReservedPiTarget, at));
        }
        let data = if src.eat(b"?>") {
            ""
        } else {
            if !src.at_end() && !matches!(src.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                // `<?a&b?>`: the target runs on with a character names
                // cannot hold.
                return Err(self.syntax(SyntaxError::InvalidName, src.pos));
            }
            self.require_ws(src)?;
            let start = src.pos;
            let Some(end) = src.find(b"?>") else {
                return Err(
                    self.syntax(SyntaxError::UnexpectedEof { expected: "'?>'" }, src.s.len())
                );
            };
            self.check_chars(src, start, end)?;
            src.pos = end + 2;
            src.slice(start, end)
        };
        if emit {
            self.produce(target.len() + data.len(), at)?;
            let mut body = String::new();
            push_normalised(&mut body, data, src.eol);
            self.events.push(Event::Pi { target: target.to_owned(), data: body });
        }
        Ok(())
    }

    /// Parses a start tag; whether it was an empty-element tag.
    fn start_tag(&mut self, src: &mut Src<'_>) -> Res<bool> {
        let at = src.pos;
        src.pos += 1;
        self.step(at)?;
        self.flush_text();
        let name = self.name(src)?;
        let depth = self.elements.len() + 1;
        self.policy.element(depth).map_err(|k| self.err(k, at))?;
        let mut attributes: Vec<Attribute> = Vec::new();
        let mut seen: Option<HashSet<String>> = None;
        let empty = loop {
            let ws = src.skip_ws();
            match src.peek() {
                Some(b'>') => {
                    src.pos += 1;
                    break false;
                }
                Some(b'/') if src.looking_at(b"/>") => {
                    src.pos += 2;
                    break true;
                }
                None => return Err(self.unexpected(src, "'>'")),
                Some(_) => {}
            }
            let name_at = src.pos;
            if !ws {
                // A character that can neither end the tag nor start an
                // attribute: right after the element name it belongs to
                // that name, which is then not an XML name.
                // After an attribute value, whitespace must come before
                // anything but the end of the tag.
                let e = if attributes.is_empty() {
                    SyntaxError::InvalidName
                } else {
                    SyntaxError::MissingWhitespace
                };
                return Err(self.syntax(e, name_at));
            }
            let attr = self.name(src)?;
            let ends_name =
                matches!(src.peek(), None | Some(b'=' | b'>' | b' ' | b'\t' | b'\n' | b'\r'))
                    || src.looking_at(b"/>");
            if !ends_name {
                // `<a x<y="1">`, `<a x/y="1">`: the attribute name runs on
                // with a character names cannot hold.
                return Err(self.syntax(SyntaxError::InvalidName, src.pos));
            }
            src.skip_ws();
            self.expect(src, b"=", "'='")?;
            src.skip_ws();
            let quote = match src.peek() {
                Some(q @ (b'"' | b'\'')) => q,
                _ => return Err(self.unexpected(src, "a quoted attribute value")),
            };
            src.pos += 1;
            self.step(name_at)?;
            self.policy.attribute(attributes.len() + 1).map_err(|k| self.err(k, name_at))?;
            // A linear scan for the first few, a set beyond: no quadratic
            // work on a tag with thousands of attributes.
            let duplicate = match &mut seen {
                Some(set) => !set.insert(attr.to_owned()),
                None => {
                    let dup = attributes.iter().any(|a| a.name == attr);
                    if attributes.len() >= 8 {
                        let mut set: HashSet<String> =
                            attributes.iter().map(|a| a.name.clone()).collect();
                        set.insert(attr.to_owned());
                        seen = Some(set);
                    }
                    dup
                }
            };
            if duplicate {
                let e = SyntaxError::DuplicateAttribute { name: attr.to_owned() };
                return Err(self.syntax(e, name_at));
            }
            self.produce(attr.len(), name_at)?;
            let mut value = String::new();
            self.attr_text(src, Some(quote), &mut value)?;
            attributes.push(Attribute { name: attr.to_owned(), value });
        };
        self.produce(name.len(), at)?;
        self.events.push(Event::Start { name: name.to_owned(), attributes });
        if empty {
            self.events.push(Event::End { name: name.to_owned() });
        } else {
            let r = self.meter.enter();
            self.fuse(r, at)?;
            self.elements.push(name.to_owned());
        }
        Ok(empty)
    }

    fn end_tag(&mut self, src: &mut Src<'_>, base: usize) -> Res {
        let at = src.pos;
        src.pos += 2;
        self.step(at)?;
        let name = self.name(src)?;
        src.skip_ws();
        self.expect(src, b">", "'>'")?;
        if self.elements.len() <= base {
            let e = if src.doc || self.open.is_empty() {
                SyntaxError::UnexpectedEndTag { name: name.to_owned() }
            } else {
                SyntaxError::EntityNotBalanced
            };
            return Err(self.syntax(e, at));
        }
        let open = self.elements.pop().unwrap_or_default();
        if open != name {
            let e = SyntaxError::MismatchedEndTag { expected: open, found: name.to_owned() };
            return Err(self.syntax(e, at));
        }
        self.meter.leave();
        self.produce(name.len(), at)?;
        self.events.push(Event::End { name: open });
        Ok(())
    }

    // ---- references ---------------------------------------------------

    /// Parses `&...;` at `src.pos`.
    fn reference<'t>(&self, src: &mut Src<'t>) -> Res<Ref<'t>> {
        let at = src.pos;
        src.pos += 1;
        let invalid = |p: &Self| p.syntax(SyntaxError::InvalidReference, at);
        if src.eat(b"#") {
            let hex = src.eat(b"x");
            let start = src.pos;
            let mut code: u32 = 0;
            while let Some(c) = src.peek() {
                let digit =
                    if hex { char::from(c).to_digit(16) } else { char::from(c).to_digit(10) };
                let Some(d) = digit else { break };
                code = code.saturating_mul(if hex { 16 } else { 10 }).saturating_add(d);
                src.pos += 1;
            }
            if src.pos == start || !src.eat(b";") {
                return Err(invalid(self));
            }
            return match char::from_u32(code).filter(|&c| is_xml_char(c)) {
                Some(c) => Ok(Ref::Char(c)),
                None => Err(self.syntax(SyntaxError::InvalidCharRef { code }, at)),
            };
        }
        let name = self.name(src).map_err(|_| invalid(self))?;
        if !src.eat(b";") {
            return Err(invalid(self));
        }
        Ok(Ref::Named(name))
    }

    fn content_reference(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        self.step(at)?;
        let name = match self.reference(src)? {
            Ref::Char(c) => {
                self.produce(c.len_utf8(), at)?;
                self.text.push(c);
                return Ok(());
            }
            Ref::Named(name) => name,
        };
        if let Some(c) = predefined(name) {
            self.produce(1, at)?;
            self.text.push(c);
            return Ok(());
        }
        match lookup(&self.general, name) {
            None => Err(self.err(ErrorKind::UndefinedEntity { name: name.to_owned() }, at)),
            Some((key, Value::Internal(text))) => {
                self.expand(key, false, text, false, src, at, |p, sub| {
                    let base = p.elements.len();
                    p.content(sub, base)
                })
            }
            Some((key, Value::External(uri))) => {
                let text = self.load(name, false, &uri, at)?;
                self.expand(key, false, text, true, src, at, |p, sub| {
                    let base = p.elements.len();
                    p.content(sub, base)
                })
            }
            Some((_, Value::Unparsed)) => {
                let e = SyntaxError::UnparsedEntityRef { name: name.to_owned() };
                Err(self.syntax(e, at))
            }
        }
    }

    /// Fetches an external entity through the policy.
    fn load(&mut self, name: &str, parameter: bool, uri: &str, at: usize) -> Res<Rc<str>> {
        let bytes =
            self.policy.external_entity(name, parameter, uri).map_err(|k| self.err(k, at))?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Rc::from(text)),
            Err(_) => Err(self.syntax(SyntaxError::InvalidUtf8, at)),
        }
    }

    /// Parses the replacement text `text` of entity `name`, referred to at
    /// `at` in `parent`, with `f`.
    #[allow(clippy::too_many_arguments)]
    fn expand<F>(
        &mut self,
        name: Rc<str>,
        parameter: bool,
        text: Rc<str>,
        external: bool,
        parent: &Src<'_>,
        at: usize,
        f: F,
    ) -> Res
    where
        F: FnOnce(&mut Self, &mut Src<'_>) -> Res,
    {
        if self.open.is_empty() {
            self.anchor = at;
            if parent.doc {
                self.direct = parent.pos;
            }
        }
        self.policy
            .expand(&name, parameter, text.len(), &self.open, self.direct)
            .map_err(|k| self.err(k, at))?;
        let r = self.meter.enter();
        self.fuse(r, at)?;
        self.open.push(Open { name, parameter });
        let mut sub = Src::new(&text, external, external || parent.external);
        if external {
            sub.skip_text_decl();
        }
        let result = f(self, &mut sub);
        self.open.pop();
        self.meter.leave();
        result
    }

    /// An attribute value up to `quote`, or a whole replacement text when
    /// `quote` is `None`, normalised into `out` (XML 1.0 §3.3.3).
    /// Copies the run of bytes from `src.pos` up to the first one `stop`
    /// accepts (or the end) into `out`, refusing forbidden characters and
    /// counting the run as output; leaves `src.pos` at the stopping byte.
    fn copy_run(&mut self, src: &mut Src<'_>, out: &mut String, stop: impl Fn(u8) -> bool) -> Res {
        let start = src.pos;
        let b = src.bytes();
        let mut i = start;
        while let Some(&c) = b.get(i) {
            if stop(c) {
                break;
            }
            if let Some(ch) = is_forbidden_byte(b, i) {
                return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i));
            }
            i += 1;
        }
        if i > start {
            self.produce(i - start, start)?;
            out.push_str(src.slice(start, i));
        }
        src.pos = i;
        Ok(())
    }

    fn attr_text(&mut self, src: &mut Src<'_>, quote: Option<u8>, out: &mut String) -> Res {
        loop {
            self.copy_run(src, out, |c| {
                Some(c) == quote || matches!(c, b'<' | b'&' | b'\t' | b'\n' | b'\r')
            })?;
            let i = src.pos;
            match src.peek() {
                None if quote.is_some() => {
                    return Err(self.unexpected(src, "the end of the attribute value"));
                }
                None => return Ok(()),
                Some(c) if Some(c) == quote => {
                    src.pos += 1;
                    return Ok(());
                }
                Some(b'<') => return Err(self.syntax(SyntaxError::LtInAttributeValue, i)),
                Some(b'&') => self.attr_reference(src, out)?,
                Some(c) => {
                    src.pos += 1;
                    if c == b'\r' && src.eol {
                        src.eat(b"\n");
                    }
                    self.produce(1, i)?;
                    out.push(' ');
                }
            }
        }
    }

    fn attr_reference(&mut self, src: &mut Src<'_>, out: &mut String) -> Res {
        let at = src.pos;
        self.step(at)?;
        let name = match self.reference(src)? {
            Ref::Char(c) => {
                self.produce(c.len_utf8(), at)?;
                out.push(c);
                return Ok(());
            }
            Ref::Named(name) => name,
        };
        if let Some(c) = predefined(name) {
            self.produce(1, at)?;
            out.push(c);
            return Ok(());
        }
        match lookup(&self.general, name) {
            None => Err(self.err(ErrorKind::UndefinedEntity { name: name.to_owned() }, at)),
            Some((key, Value::Internal(text))) => {
                self.expand(key, false, text, false, src, at, |p, sub| p.attr_text(sub, None, out))
            }
            Some((_, Value::External(_))) => {
                let e = SyntaxError::ExternalRefInAttribute { name: name.to_owned() };
                Err(self.syntax(e, at))
            }
            Some((_, Value::Unparsed)) => {
                let e = SyntaxError::UnparsedEntityRef { name: name.to_owned() };
                Err(self.syntax(e, at))
            }
        }
    }

    // ---- the DTD ------------------------------------------------------

    fn doctype_decl(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 9;
        self.step(at)?;
        self.require_ws(src)?;
        let name = self.name(src)?.to_owned();
        let ws = src.skip_ws();
        let (public_id, system_id) =
            if ws && (src.looking_at(b"SYSTEM") || src.looking_at(b"PUBLIC")) {
                let (public, system) = self.external_id(src)?;
                (public, Some(system))
            } else {
                (None, None)
            };
        src.skip_ws();
        if src.eat(b"[") {
            self.decls(src)?;
            self.expect(src, b"]", "']' closing the internal subset")?;
            src.skip_ws();
        }
        self.expect(src, b">", "'>' closing the doctype")?;
        self.doctype = Some(Doctype { name, public_id, system_id: system_id.clone() });
        // The internal subset is read first, so its declarations win.
        if let Some(uri) = system_id {
            let bytes = self.policy.external_subset(&uri).map_err(|k| self.err(k, at))?;
            let Ok(text) = String::from_utf8(bytes) else {
                return Err(self.syntax(SyntaxError::InvalidUtf8, at));
            };
            self.anchor = at;
            let r = self.meter.enter();
            self.fuse(r, at)?;
            self.open.push(Open { name: Rc::from("[dtd]"), parameter: true });
            let mut sub = Src::new(&text, true, true);
            sub.skip_text_decl();
            let result = self.decls(&mut sub);
            self.open.pop();
            self.meter.leave();
            result?;
        }
        Ok(())
    }

    /// `SYSTEM "uri"` or `PUBLIC "id" "uri"`: (public id, system id).
    fn external_id(&mut self, src: &mut Src<'_>) -> Res<(Option<String>, String)> {
        let public = if src.eat(b"SYSTEM") {
            None
        } else if src.eat(b"PUBLIC") {
            self.require_ws(src)?;
            let at = src.pos;
            let id = self.literal(src)?;
            let pubid =
                |c: u8| c.is_ascii_alphanumeric() || b" \r\n-'()+,./:=?;!*#@$_%".contains(&c);
            if !id.bytes().all(pubid) {
                return Err(self.syntax(SyntaxError::Expected { expected: "a public id" }, at));
            }
            Some(id.to_owned())
        } else {
            return Err(self.unexpected(src, "SYSTEM or PUBLIC"));
        };
        self.require_ws(src)?;
        let system = self.literal(src)?;
        Ok((public, system.to_owned()))
    }

    /// A quoted literal without references (system and public ids).
    fn literal<'t>(&self, src: &mut Src<'t>) -> Res<&'t str> {
        let quote = match src.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return Err(self.unexpected(src, "a quoted literal")),
        };
        src.pos += 1;
        let start = src.pos;
        while src.peek().is_some_and(|c| c != quote) {
            src.pos += 1;
        }
        if src.at_end() {
            return Err(self.unexpected(src, "the closing quote"));
        }
        self.check_chars(src, start, src.pos)?;
        let value = src.slice(start, src.pos);
        src.pos += 1;
        Ok(value)
    }

    /// Markup declarations until `src` ends or, in the document's internal
    /// subset, until `]`.
    fn decls(&mut self, src: &mut Src<'_>) -> Res {
        loop {
            src.skip_ws();
            let at = src.pos;
            match src.peek() {
                None if src.doc => {
                    let e =
                        SyntaxError::UnexpectedEof { expected: "']' closing the internal subset" };
                    return Err(self.syntax(e, at));
                }
                None => return Ok(()),
                Some(b']') if src.doc => return Ok(()),
                Some(b'%') => self.pe_between_decls(src)?,
                _ if src.looking_at(b"<!ENTITY") => self.entity_decl(src)?,
                _ if src.looking_at(b"<!ELEMENT")
                    || src.looking_at(b"<!ATTLIST")
                    || src.looking_at(b"<!NOTATION") =>
                {
                    self.skip_decl(src)?
                }
                _ if src.looking_at(b"<!--") => self.comment(src, false)?,
                _ if src.looking_at(b"<![") => {
                    return Err(self.syntax(SyntaxError::ConditionalSection, at));
                }
                _ if src.looking_at(b"<?") => self.pi(src, false)?,
                _ => return Err(self.syntax(SyntaxError::InvalidDeclaration, at)),
            }
        }
    }

    /// `%name;` between declarations: its replacement text is parsed as
    /// declarations.
    fn pe_between_decls(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 1;
        self.step(at)?;
        let name = self.name(src)?;
        self.expect(src, b";", "';'")?;
        match lookup(&self.parameter, name) {
            None => Err(self.err(ErrorKind::UndefinedEntity { name: format!("%{name}") }, at)),
            Some((key, Value::Internal(text))) => {
                self.expand(key, true, text, false, src, at, |p, sub| p.decls(sub))
            }
            Some((key, Value::External(uri))) => {
                let text = self.load(name, true, &uri, at)?;
                self.expand(key, true, text, true, src, at, |p, sub| p.decls(sub))
            }
            Some((_, Value::Unparsed)) => Err(self.syntax(SyntaxError::InvalidDeclaration, at)),
        }
    }

    /// `<!ELEMENT`, `<!ATTLIST`, `<!NOTATION`: checked for balance and
    /// skipped.
    fn skip_decl(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 2;
        self.step(at)?;
        self.name(src)?;
        loop {
            let Some(c) = src.peek() else {
                return Err(self.unexpected(src, "'>' closing the declaration"));
            };
            match c {
                b'>' => {
                    src.pos += 1;
                    return Ok(());
                }
                b'"' | b'\'' => {
                    self.literal(src)?;
                }
                b'%' if !src.external => {
                    return Err(self.syntax(SyntaxError::PeInInternalSubset, src.pos));
                }
                b'<' => return Err(self.syntax(SyntaxError::InvalidDeclaration, src.pos)),
                _ => {
                    if let Some(ch) = is_forbidden_byte(src.bytes(), src.pos) {
                        return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, src.pos));
                    }
                    src.pos += 1;
                }
            }
        }
    }

    fn entity_decl(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 8;
        self.step(at)?;
        self.require_ws(src)?;
        let parameter = src.eat(b"%");
        if parameter {
            self.require_ws(src)?;
        }
        if src.peek() == Some(b'%') {
            // `%name;` standing for the entity's name: only meaningful in
            // external DTDs, and not supported here.
            let e = if src.external {
                SyntaxError::InvalidDeclaration
            } else {
                SyntaxError::PeInInternalSubset
            };
            return Err(self.syntax(e, src.pos));
        }
        let name = self.name(src)?;
        self.require_ws(src)?;
        let value = match src.peek() {
            Some(quote @ (b'"' | b'\'')) => {
                src.pos += 1;
                let mut out = String::new();
                self.entity_value(src, Some(quote), &mut out)?;
                Value::Internal(Rc::from(out))
            }
            _ => {
                let (_, system) = self.external_id(src)?;
                let ws = src.skip_ws();
                let unparsed = !parameter && ws && src.looking_at(b"NDATA");
                if unparsed {
                    src.pos += 5;
                    self.require_ws(src)?;
                    self.name(src)?;
                }
                self.policy
                    .declare_external(name, parameter, &system)
                    .map_err(|k| self.err(k, at))?;
                if unparsed {
                    Value::Unparsed
                } else {
                    Value::External(Rc::from(system))
                }
            }
        };
        src.skip_ws();
        self.expect(src, b">", "'>' closing the entity declaration")?;
        // The first declaration of a name binds; the predefined entities
        // always mean what XML says they mean.
        let map = if parameter { &mut self.parameter } else { &mut self.general };
        if parameter || predefined(name).is_none() {
            map.entry(Rc::from(name)).or_insert(value);
        }
        Ok(())
    }

    /// An entity value literal up to `quote` (or a whole parameter entity's
    /// text when `None`): character references and parameter entities are
    /// replaced now, general references kept for when the entity is used.
    fn entity_value(&mut self, src: &mut Src<'_>, quote: Option<u8>, out: &mut String) -> Res {
        loop {
            self.copy_run(src, out, |c| Some(c) == quote || matches!(c, b'%' | b'&' | b'\r'))?;
            let i = src.pos;
            match src.peek() {
                None if quote.is_some() => {
                    return Err(self.unexpected(src, "the closing quote of the entity value"));
                }
                None => return Ok(()),
                Some(c) if Some(c) == quote => {
                    src.pos += 1;
                    return Ok(());
                }
                Some(b'\r') => {
                    src.pos += 1;
                    if src.eol {
                        src.eat(b"\n");
                    }
                    self.produce(1, i)?;
                    out.push(if src.eol { '\n' } else { '\r' });
                }
                Some(b'%') => self.pe_in_literal(src, out)?,
                Some(_) => {
                    // `&`: a character reference is replaced, an entity
                    // reference checked and kept.
                    self.step(i)?;
                    match self.reference(src)? {
                        Ref::Char(c) => {
                            self.produce(c.len_utf8(), i)?;
                            out.push(c);
                        }
                        Ref::Named(name) => {
                            self.produce(name.len() + 2, i)?;
                            out.push('&');
                            out.push_str(name);
                            out.push(';');
                        }
                    }
                }
            }
        }
    }

    /// `%name;` inside an entity value: allowed in external DTDs only, and
    /// replaced by the entity's text.
    fn pe_in_literal(&mut self, src: &mut Src<'_>, out: &mut String) -> Res {
        let at = src.pos;
        if !src.external {
            return Err(self.syntax(SyntaxError::PeInInternalSubset, at));
        }
        src.pos += 1;
        self.step(at)?;
        let name = self.name(src)?;
        self.expect(src, b";", "';'")?;
        match lookup(&self.parameter, name) {
            None => Err(self.err(ErrorKind::UndefinedEntity { name: format!("%{name}") }, at)),
            Some((key, Value::Internal(text))) => {
                self.expand(key, true, text, false, src, at, |p, sub| {
                    p.entity_value(sub, None, out)
                })
            }
            Some((key, Value::External(uri))) => {
                let text = self.load(name, true, &uri, at)?;
                self.expand(key, true, text, true, src, at, |p, sub| p.entity_value(sub, None, out))
            }
            Some((_, Value::Unparsed)) => Err(self.syntax(SyntaxError::InvalidDeclaration, at)),
        }
    }
}
