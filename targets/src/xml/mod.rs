//! A small non-validating XML 1.0 parser: the entity-expansion and XXE
//! family.
//!
//! # The story
//!
//! XML lets a document declare *entities* in its DOCTYPE and refer to them
//! by name: `<!ENTITY c "Copyright 2024">` then `&c;` in the text. An entity
//! may refer to other entities, and a parser that expands them faithfully
//! does whatever the document asks. Ten entities, each referring ten times to
//! the one before, with `lol` at the bottom — the *billion laughs* — is under
//! a kilobyte and expands to about 3×10⁹ bytes. A single 10 KB entity
//! referred to 10,000 times (*quadratic blowup*) is 40 KB and expands to
//! 100 MB, slipping under limits that only count nesting. Both are CWE-776
//! (improper restriction of recursive entity references in DTDs).
//!
//! An entity may also be *external*: `<!ENTITY x SYSTEM "file:///etc/passwd">`
//! asks the parser to read a file, or fetch a URL, and put its text where
//! `&x;` stands. A parser that resolves them hands the attacker any file the
//! server can read, or lets it reach hosts behind the firewall (XML external
//! entities, XXE, CWE-611). With parameter entities and an attacker-served
//! DTD the secret can even leave out of band, as part of a URL the parser is
//! made to fetch.
//!
//! libexpat answers the expansion attacks (since 2.4.0, CVE-2013-0340) with
//! an *amplification* limit: (direct + indirect bytes) / direct bytes may not
//! pass 100 once the output passes an activation threshold of 8 MiB.
//! libxml2 (2.11) allows a factor of 5 beyond 1,000,000 bytes and charges 20
//! bytes per reference so empty entities still count. defusedxml refuses
//! external references and DTDs with their own exceptions.
//!
//! Counting bytes is not counting memory. An entity holding a thousand
//! `<a/>` is 4,000 bytes of replacement text but two thousand elements, and
//! a parser that keeps an event per element pays for each: this project's
//! own hardened twin, when its events owned their names, held 1.39 GB for a
//! 326 KB document that stayed under its amplification limit (CWE-789,
//! memory allocation with excessive size value; expat 2.7.2 fixed the same
//! kind of bug, CVE-2025-59375, where 250 KiB could allocate 800 MiB). So
//! here memory is a cost like any other: what the parser holds is counted
//! on the meter, and the hardened twin limits it.
//!
//! - [`vulnerable`]: expands every entity recursively with no limit and
//!   resolves external entities and DTDs through a [`Resolver`].
//! - [`hardened`]: expat's amplification accounting with a much lower
//!   activation threshold and the memory expansion holds charged too, a
//!   memory limit linear in the document, cycle detection, entity and
//!   element depth limits, an attribute limit, and external entities and
//!   DTDs refused.
//!
//! Both twins share the tokenizer and the tree of well-formedness checks
//! (`parser.rs`); they differ only in what they allow an entity, a DTD and a
//! start tag to do. [`vfs::VirtualFs`] is the only resolver in the project:
//! an in-memory filesystem holding a canary secret and a fake `http://`
//! responder, so the vulnerable twin never touches the real filesystem or
//! network.
//!
//! # Input format
//!
//! An XML 1.0 document in UTF-8 (an optional byte-order mark is skipped; a
//! declared encoding other than UTF-8 or US-ASCII is refused).
//!
//! # Semantics
//!
//! The parser checks well-formedness: the XML declaration, DOCTYPE with an
//! internal subset (`<!ENTITY>` general and parameter entities, parameter
//! entities referred to between declarations; `<!ELEMENT>`, `<!ATTLIST>` and
//! `<!NOTATION>` are checked for balance and skipped), elements, attributes
//! (unique, whitespace-separated, `<` refused in values), text, CDATA,
//! comments (no `--`), processing instructions, character references (to
//! legal characters only) and the five predefined entities. Line ends are
//! normalised (XML 1.0 §2.11) and attribute values normalised (§3.3.3).
//!
//! Entity references are expanded where they stand: in content the
//! replacement text is parsed as content (it may hold markup, which must be
//! balanced inside the entity), in attribute values it is normalised into
//! the value. A character reference in an entity value is replaced when the
//! entity is declared, a general reference when it is used (§4.5).
//!
//! Not supported: conditional sections (`<![INCLUDE[`), attribute defaults
//! from `<!ATTLIST>`, namespaces (a `:` is just a name character), encodings
//! other than UTF-8. The output is a [`Document`]: the DOCTYPE and an event
//! list with adjacent character data (text, CDATA, expanded references)
//! merged into one [`Event::Text`]. Events are compact — 16 bytes each,
//! their text a span of the input or of one buffer the document owns — and
//! are read as borrowed views ([`Document::events`]).
//!
//! # Memory
//!
//! Both twins hold on the meter, before allocating it, everything that
//! grows with the input: the document's events, attributes and buffer (by
//! capacity), the element and open-entity stacks, the declared entities
//! and their tables, and an error's strings; and they give back what they
//! drop. [`Cost::memory`](crate::meter::Cost::memory) is then the peak of
//! what a parse held, the same on every run, and the real heap peak stays
//! within a small factor of it (measured with a counting allocator on the
//! family's seeds, reproducers and generated documents: at most 1.44 times,
//! the excess a few hundred bytes of fixed allocations). A document without entities
//! holds at most about 20 bytes per input byte (two events per `<a/>x`,
//! in a vector that may just have doubled).
//!
//! # Errors and positions
//!
//! An [`Error`] carries a byte offset into the document. An error inside the
//! replacement text of an entity is reported at the offset of the outermost
//! reference in the document and names the innermost entity
//! ([`Error::entity`]); an error in an external DTD subset names `[dtd]`.

pub mod hardened;
pub(crate) mod parser;
pub mod vfs;
pub mod vulnerable;

use std::fmt;

use crate::meter::Blown;

pub use vfs::{ResolveError, Resolver, VirtualFs, CANARY};

/// A parsed document: the DOCTYPE and the events, compact.
///
/// An event does not own its text. A name, a text, a comment or an
/// attribute value that stands in the input as it is (no reference to
/// expand, no line end or whitespace to normalise) is a span of the input,
/// which the document borrows (`'i`); anything else — decoded, normalised,
/// or made by an entity's expansion — is a span of one buffer the document
/// owns. An event is 16 bytes and an attribute 16 bytes, whatever their
/// text, and no event allocates: [`Document::events`] hands them back as
/// borrowed [`Event`] views.
///
/// Spans are 32-bit, so the input and the buffer together are at most
/// [`Document::MAX_SIZE`] bytes ([`ErrorKind::DocumentSize`]).
#[derive(Clone, Default)]
pub struct Document<'i> {
    pub(crate) input: &'i str,
    pub(crate) buf: String,
    pub(crate) events: Vec<Raw>,
    pub(crate) attributes: Vec<RawAttribute>,
    pub(crate) doctype: Option<Doctype>,
}

impl<'i> Document<'i> {
    /// The most bytes the input and the document's buffer may hold
    /// together: what a 32-bit span can address.
    pub const MAX_SIZE: usize = u32::MAX as usize;

    /// The document type declaration, if there was one.
    pub fn doctype(&self) -> Option<&Doctype> {
        self.doctype.as_ref()
    }

    /// Everything in document order, entity references expanded.
    pub fn events(&self) -> Events<'_> {
        Events { texts: self.texts(), raw: self.events.iter(), attributes: &self.attributes }
    }

    /// How many events the document has.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the document has no events (never true for a parsed one:
    /// the root element gives two).
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Whether `needle` appears in any name, attribute value, text, comment
    /// or processing instruction of the document.
    pub fn contains(&self, needle: &str) -> bool {
        self.events().any(|e| match e {
            Event::Start { name, attributes } => {
                name.contains(needle)
                    || attributes
                        .iter()
                        .any(|a| a.name.contains(needle) || a.value.contains(needle))
            }
            Event::End { name } => name.contains(needle),
            Event::Text(s) | Event::Comment(s) => s.contains(needle),
            Event::Pi { target, data } => target.contains(needle) || data.contains(needle),
        })
    }

    /// All character data of the document, concatenated.
    pub fn text(&self) -> String {
        self.events()
            .filter_map(|e| match e {
                Event::Text(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    fn texts(&self) -> Texts<'_> {
        Texts { input: self.input, buf: &self.buf }
    }
}

/// Two documents are equal when their DOCTYPEs and their events are,
/// wherever their texts are kept.
impl PartialEq for Document<'_> {
    fn eq(&self, other: &Document<'_>) -> bool {
        self.doctype == other.doctype
            && self.events.len() == other.events.len()
            && self.events().eq(other.events())
    }
}

impl Eq for Document<'_> {}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("doctype", &self.doctype)
            .field("events", &DebugList(self.events()))
            .finish()
    }
}

/// Formats an iterator's items as a list.
struct DebugList<I>(I);

impl<I: Iterator + Clone> fmt::Debug for DebugList<I>
where
    I::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}

/// The document type declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doctype {
    /// The declared root element name.
    pub name: String,
    /// The public identifier of the external subset, if given.
    pub public_id: Option<String>,
    /// The system identifier (URI) of the external subset, if given.
    pub system_id: Option<String>,
}

/// One item of a document, borrowed from it ([`Document::events`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'d> {
    /// A start tag; an empty-element tag `<a/>` gives a `Start` and an `End`.
    Start {
        /// The element name.
        name: &'d str,
        /// Attributes in document order, values normalised and expanded.
        attributes: Attributes<'d>,
    },
    /// An end tag.
    End {
        /// The element name.
        name: &'d str,
    },
    /// Character data: text, CDATA sections and expanded references between
    /// two pieces of other markup, merged. Never empty.
    Text(&'d str),
    /// A comment (outside the DTD), without `<!--` and `-->`.
    Comment(&'d str),
    /// A processing instruction (outside the DTD).
    Pi {
        /// The target name.
        target: &'d str,
        /// Everything after the whitespace following the target, up to `?>`.
        data: &'d str,
    },
}

/// An attribute of a start tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attribute<'d> {
    /// The attribute name.
    pub name: &'d str,
    /// The normalised value, references expanded.
    pub value: &'d str,
}

/// The attributes of a start tag, in document order.
#[derive(Clone, Copy)]
pub struct Attributes<'d> {
    texts: Texts<'d>,
    raw: &'d [RawAttribute],
}

impl<'d> Attributes<'d> {
    /// How many there are.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The `i`th attribute, if there is one.
    pub fn get(&self, i: usize) -> Option<Attribute<'d>> {
        self.raw.get(i).map(|a| self.texts.attribute(a))
    }

    /// The attributes in document order.
    pub fn iter(&self) -> AttributeIter<'d> {
        AttributeIter { texts: self.texts, raw: self.raw.iter() }
    }
}

impl<'d> IntoIterator for Attributes<'d> {
    type Item = Attribute<'d>;
    type IntoIter = AttributeIter<'d>;

    fn into_iter(self) -> AttributeIter<'d> {
        self.iter()
    }
}

impl PartialEq for Attributes<'_> {
    fn eq(&self, other: &Attributes<'_>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Attributes<'_> {}

impl fmt::Debug for Attributes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An iterator over [`Attributes`].
#[derive(Clone, Debug)]
pub struct AttributeIter<'d> {
    texts: Texts<'d>,
    raw: std::slice::Iter<'d, RawAttribute>,
}

impl<'d> Iterator for AttributeIter<'d> {
    type Item = Attribute<'d>;

    #[inline]
    fn next(&mut self) -> Option<Attribute<'d>> {
        self.raw.next().map(|a| self.texts.attribute(a))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.raw.size_hint()
    }
}

impl ExactSizeIterator for AttributeIter<'_> {}

/// An iterator over a document's events ([`Document::events`]).
#[derive(Clone, Debug)]
pub struct Events<'d> {
    texts: Texts<'d>,
    raw: std::slice::Iter<'d, Raw>,
    /// The attributes of the start tags not yet reached.
    attributes: &'d [RawAttribute],
}

impl<'d> Iterator for Events<'d> {
    type Item = Event<'d>;

    #[inline]
    fn next(&mut self) -> Option<Event<'d>> {
        let t = self.texts;
        Some(match *self.raw.next()? {
            Raw::Start { name, attributes } => {
                let (mine, rest) =
                    self.attributes.split_at((attributes as usize).min(self.attributes.len()));
                self.attributes = rest;
                Event::Start { name: t.get(name), attributes: Attributes { texts: t, raw: mine } }
            }
            Raw::End { name } => Event::End { name: t.get(name) },
            Raw::Text(s) => Event::Text(t.get(s)),
            Raw::Comment(s) => Event::Comment(t.get(s)),
            Raw::Pi { text, target } => {
                let all = t.get(text);
                let (target, data) = all.split_at_checked(target as usize).unwrap_or((all, ""));
                Event::Pi { target, data: data.trim_start_matches([' ', '\t', '\n', '\r']) }
            }
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.raw.size_hint()
    }
}

impl ExactSizeIterator for Events<'_> {}

/// Where a [`Span`] points: the input, then the buffer, as one range of
/// offsets.
#[derive(Clone, Copy, Debug)]
struct Texts<'d> {
    input: &'d str,
    buf: &'d str,
}

impl<'d> Texts<'d> {
    /// The text of `span`: offsets below the input's length are in the
    /// input, the others in the buffer.
    #[inline]
    fn get(self, span: Span) -> &'d str {
        let at = span.at as usize;
        let end = at + span.len as usize;
        let n = self.input.len();
        let text = if at < n { self.input.get(at..end) } else { self.buf.get(at - n..end - n) };
        text.unwrap_or_default()
    }

    #[inline]
    fn attribute(self, a: &RawAttribute) -> Attribute<'d> {
        Attribute { name: self.get(a.name), value: self.get(a.value) }
    }
}

/// A piece of text of a document: `len` bytes at `at`, an offset into the
/// input or, from the input's length on, into the buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) at: u32,
    pub(crate) len: u32,
}

/// An event as the document keeps it: 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Raw {
    /// A start tag and how many attributes it has: they are the next ones
    /// in the document's attribute list.
    Start {
        name: Span,
        attributes: u32,
    },
    End {
        name: Span,
    },
    Text(Span),
    Comment(Span),
    /// The target (its first `target` bytes) and the data: a span of the
    /// input with the whitespace between them, or of the buffer with none.
    Pi {
        text: Span,
        target: u32,
    },
}

/// An attribute as the document keeps it: 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawAttribute {
    pub(crate) name: Span,
    pub(crate) value: Span,
}

/// Why a document was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Byte offset in the document: where the problem is, or, inside an
    /// entity's replacement text, where the outermost reference is.
    pub offset: usize,
    /// The innermost entity being expanded when the error happened (`[dtd]`
    /// for the external DTD subset), if any.
    pub entity: Option<String>,
}

/// The kinds of [`Error`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The document is not well-formed XML (or uses something this parser
    /// does not support).
    Syntax(SyntaxError),
    /// A reference to an entity that was never declared.
    UndefinedEntity {
        /// The entity name (`%name` for a parameter entity).
        name: String,
    },
    /// Entity expansion would pass the amplification limit.
    Amplification {
        /// Direct plus indirect bytes (replacement texts, reference costs
        /// and the events and attributes expansions made), had the
        /// expansion gone ahead.
        expanded: u64,
        /// Bytes of the document read so far.
        direct: u64,
        /// The largest allowed ratio of `expanded` to `direct`.
        limit: u64,
    },
    /// Entities nested deeper than the limit.
    EntityDepth {
        /// The depth the expansion would reach.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// Elements nested deeper than the limit.
    ElementDepth {
        /// The depth the element would reach.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// A start tag with more attributes than the limit.
    TooManyAttributes {
        /// The number of attributes reached.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// An entity refers to itself, directly or through others.
    EntityCycle {
        /// The entity met again (`%name` for a parameter entity).
        name: String,
    },
    /// An external entity (`SYSTEM` or `PUBLIC`, parsed or unparsed) was
    /// declared; the hardened twin refuses them.
    ExternalEntityForbidden {
        /// Its system identifier.
        uri: String,
    },
    /// The DOCTYPE names an external DTD subset; the hardened twin refuses
    /// it.
    ExternalDtdForbidden {
        /// Its system identifier.
        uri: String,
    },
    /// The resolver could not provide an external resource (vulnerable twin).
    ResolveFailed {
        /// The URI asked for.
        uri: String,
        /// The resolver's reason.
        reason: String,
    },
    /// Holding more memory would pass the memory limit.
    MemoryLimit {
        /// The bytes the parse would hold, had it gone ahead.
        held: u64,
        /// The limit for this document.
        limit: u64,
    },
    /// The input and the text decoded from it would pass
    /// [`Document::MAX_SIZE`], what an event's 32-bit spans can address.
    DocumentSize {
        /// The bytes they would take.
        size: u64,
        /// [`Document::MAX_SIZE`].
        limit: u64,
    },
    /// The meter's fuse stopped the parse.
    Fuse(Blown),
}

impl ErrorKind {
    /// A short lowercase name: `syntax`, `amplification`, `entity-cycle`, ...
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::Syntax(_) => "syntax",
            ErrorKind::UndefinedEntity { .. } => "undefined-entity",
            ErrorKind::Amplification { .. } => "amplification",
            ErrorKind::EntityDepth { .. } => "entity-depth",
            ErrorKind::ElementDepth { .. } => "element-depth",
            ErrorKind::TooManyAttributes { .. } => "too-many-attributes",
            ErrorKind::EntityCycle { .. } => "entity-cycle",
            ErrorKind::ExternalEntityForbidden { .. } => "external-entity-forbidden",
            ErrorKind::ExternalDtdForbidden { .. } => "external-dtd-forbidden",
            ErrorKind::ResolveFailed { .. } => "resolve-failed",
            ErrorKind::MemoryLimit { .. } => "memory-limit",
            ErrorKind::DocumentSize { .. } => "document-size",
            ErrorKind::Fuse(_) => "fuse",
        }
    }
}

/// Well-formedness errors: what quick-xml calls `SyntaxError` and
/// `IllFormedError`, in one list.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntaxError {
    /// The input is not UTF-8 (the offset is the first bad byte).
    InvalidUtf8,
    /// A character outside XML's `Char` production (control characters,
    /// U+FFFE, U+FFFF).
    ForbiddenChar {
        /// The character.
        ch: char,
    },
    /// The input ended inside a construct.
    UnexpectedEof {
        /// What was expected.
        expected: &'static str,
    },
    /// Something else than what the grammar allows here.
    Expected {
        /// What was expected.
        expected: &'static str,
    },
    /// A name (of an element, attribute, entity or target) that does not
    /// match XML's `Name` production.
    InvalidName,
    /// A malformed XML declaration (or text declaration).
    InvalidXmlDecl,
    /// An XML version other than `1.x`.
    UnsupportedVersion {
        /// The declared version.
        version: String,
    },
    /// A declared encoding other than UTF-8 or US-ASCII.
    UnsupportedEncoding {
        /// The declared encoding.
        encoding: String,
    },
    /// `<?xml` anywhere but at the very start, or a processing instruction
    /// whose target is `xml` in any case.
    ReservedPiTarget,
    /// The document has no root element.
    NoRoot,
    /// Non-whitespace text (or a reference, or CDATA) before or after the
    /// root element.
    TextOutsideRoot,
    /// A second element after the root element.
    MultipleRoots,
    /// A DOCTYPE after another one, after the root, or inside content.
    MisplacedDoctype,
    /// An end tag that does not match the open element.
    MismatchedEndTag {
        /// The open element.
        expected: String,
        /// The end tag found.
        found: String,
    },
    /// An end tag with no open element.
    UnexpectedEndTag {
        /// The end tag's name.
        name: String,
    },
    /// The input ended with an element still open.
    UnclosedElement {
        /// The innermost open element.
        name: String,
    },
    /// The same attribute twice in one start tag.
    DuplicateAttribute {
        /// The attribute name.
        name: String,
    },
    /// No whitespace after an attribute value, before something other than
    /// the end of the tag.
    MissingWhitespace,
    /// `<` in an attribute value, directly or from an entity.
    LtInAttributeValue,
    /// An `&` that does not start `&name;`, `&#n;` or `&#xh;`.
    InvalidReference,
    /// A character reference to a character outside `Char`.
    InvalidCharRef {
        /// The code point referred to (saturated at `u32::MAX`).
        code: u32,
    },
    /// `]]>` in text outside a CDATA section.
    CdataEndInText,
    /// `--` inside a comment, or a comment ending in `--->`.
    DoubleHyphenInComment,
    /// An element starts in an entity's replacement text and ends outside
    /// it, or the other way round.
    EntityNotBalanced,
    /// An attribute value refers to an external entity (forbidden by
    /// XML 1.0, "No External Entity References").
    ExternalRefInAttribute {
        /// The entity name.
        name: String,
    },
    /// A reference in content to an unparsed (`NDATA`) entity.
    UnparsedEntityRef {
        /// The entity name.
        name: String,
    },
    /// A parameter-entity reference inside a markup declaration of the
    /// internal subset (forbidden by XML 1.0, "PEs in Internal Subset").
    PeInInternalSubset,
    /// A conditional section `<![INCLUDE[`: not supported.
    ConditionalSection,
    /// A malformed markup declaration in the DTD.
    InvalidDeclaration,
}

impl SyntaxError {
    /// A short lowercase name, as used by the table-driven tests.
    pub fn name(&self) -> &'static str {
        match self {
            SyntaxError::InvalidUtf8 => "invalid-utf8",
            SyntaxError::ForbiddenChar { .. } => "forbidden-char",
            SyntaxError::UnexpectedEof { .. } => "unexpected-eof",
            SyntaxError::Expected { .. } => "expected",
            SyntaxError::InvalidName => "invalid-name",
            SyntaxError::InvalidXmlDecl => "invalid-xml-decl",
            SyntaxError::UnsupportedVersion { .. } => "unsupported-version",
            SyntaxError::UnsupportedEncoding { .. } => "unsupported-encoding",
            SyntaxError::ReservedPiTarget => "reserved-pi-target",
            SyntaxError::NoRoot => "no-root",
            SyntaxError::TextOutsideRoot => "text-outside-root",
            SyntaxError::MultipleRoots => "multiple-roots",
            SyntaxError::MisplacedDoctype => "misplaced-doctype",
            SyntaxError::MismatchedEndTag { .. } => "mismatched-end-tag",
            SyntaxError::UnexpectedEndTag { .. } => "unexpected-end-tag",
            SyntaxError::UnclosedElement { .. } => "unclosed-element",
            SyntaxError::DuplicateAttribute { .. } => "duplicate-attribute",
            SyntaxError::MissingWhitespace => "missing-whitespace",
            SyntaxError::LtInAttributeValue => "lt-in-attribute-value",
            SyntaxError::InvalidReference => "invalid-reference",
            SyntaxError::InvalidCharRef { .. } => "invalid-char-ref",
            SyntaxError::CdataEndInText => "cdata-end-in-text",
            SyntaxError::DoubleHyphenInComment => "double-hyphen-in-comment",
            SyntaxError::EntityNotBalanced => "entity-not-balanced",
            SyntaxError::ExternalRefInAttribute { .. } => "external-ref-in-attribute",
            SyntaxError::UnparsedEntityRef { .. } => "unparsed-entity-ref",
            SyntaxError::PeInInternalSubset => "pe-in-internal-subset",
            SyntaxError::ConditionalSection => "conditional-section",
            SyntaxError::InvalidDeclaration => "invalid-declaration",
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyntaxError::InvalidUtf8 => f.write_str("input is not valid UTF-8"),
            SyntaxError::ForbiddenChar { ch } => {
                write!(f, "character U+{:04X} is not allowed in XML", u32::from(*ch))
            }
            SyntaxError::UnexpectedEof { expected } => {
                write!(f, "unexpected end of input, expected {expected}")
            }
            SyntaxError::Expected { expected } => write!(f, "expected {expected}"),
            SyntaxError::InvalidName => f.write_str("invalid name"),
            SyntaxError::InvalidXmlDecl => f.write_str("malformed xml declaration"),
            SyntaxError::UnsupportedVersion { version } => {
                write!(f, "unsupported xml version {version:?}")
            }
            SyntaxError::UnsupportedEncoding { encoding } => {
                write!(f, "unsupported encoding {encoding:?} (only utf-8 is read)")
            }
            SyntaxError::ReservedPiTarget => f.write_str(
                "processing instruction target 'xml' is reserved (an xml declaration must come \
                 first)",
            ),
            SyntaxError::NoRoot => f.write_str("no root element"),
            SyntaxError::TextOutsideRoot => f.write_str("text outside the root element"),
            SyntaxError::MultipleRoots => f.write_str("a second root element"),
            SyntaxError::MisplacedDoctype => f.write_str("doctype declaration not allowed here"),
            SyntaxError::MismatchedEndTag { expected, found } => {
                write!(f, "end tag </{found}> does not match start tag <{expected}>")
            }
            SyntaxError::UnexpectedEndTag { name } => {
                write!(f, "end tag </{name}> without a start tag")
            }
            SyntaxError::UnclosedElement { name } => {
                write!(f, "element <{name}> not closed at end of input")
            }
            SyntaxError::DuplicateAttribute { name } => write!(f, "duplicate attribute {name:?}"),
            SyntaxError::MissingWhitespace => {
                f.write_str("missing whitespace after an attribute value")
            }
            SyntaxError::LtInAttributeValue => f.write_str("'<' in an attribute value"),
            SyntaxError::InvalidReference => f.write_str("malformed entity or character reference"),
            SyntaxError::InvalidCharRef { code } => {
                write!(f, "character reference to U+{code:04X}, not an xml character")
            }
            SyntaxError::CdataEndInText => f.write_str("']]>' in text"),
            SyntaxError::DoubleHyphenInComment => f.write_str("'--' inside a comment"),
            SyntaxError::EntityNotBalanced => {
                f.write_str("element crosses the boundary of an entity's replacement text")
            }
            SyntaxError::ExternalRefInAttribute { name } => {
                write!(f, "attribute value refers to external entity {name:?}")
            }
            SyntaxError::UnparsedEntityRef { name } => {
                write!(f, "reference to unparsed entity {name:?}")
            }
            SyntaxError::PeInInternalSubset => f.write_str(
                "parameter-entity reference inside a markup declaration of the internal subset",
            ),
            SyntaxError::ConditionalSection => {
                f.write_str("conditional sections are not supported")
            }
            SyntaxError::InvalidDeclaration => f.write_str("malformed markup declaration"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Syntax(e) => write!(f, "{e}")?,
            ErrorKind::UndefinedEntity { name } => write!(f, "undefined entity {name:?}")?,
            ErrorKind::Amplification { expanded, direct, limit } => write!(
                f,
                "amplification limit: expanding would process {expanded} bytes for {direct} \
                 bytes of document, more than {limit} times"
            )?,
            ErrorKind::EntityDepth { depth, limit } => {
                write!(f, "entity depth {depth} exceeds the limit of {limit}")?
            }
            ErrorKind::ElementDepth { depth, limit } => {
                write!(f, "element depth {depth} exceeds the limit of {limit}")?
            }
            ErrorKind::TooManyAttributes { count, limit } => {
                write!(f, "too many attributes: {count} exceeds the limit of {limit}")?
            }
            ErrorKind::EntityCycle { name } => {
                write!(f, "entity cycle: {name:?} refers to itself")?
            }
            ErrorKind::ExternalEntityForbidden { uri } => {
                write!(f, "external entity forbidden: {uri:?}")?
            }
            ErrorKind::ExternalDtdForbidden { uri } => {
                write!(f, "external dtd forbidden: {uri:?}")?
            }
            ErrorKind::ResolveFailed { uri, reason } => {
                write!(f, "cannot resolve {uri:?}: {reason}")?
            }
            ErrorKind::MemoryLimit { held, limit } => write!(
                f,
                "memory limit: the parse would hold {held} bytes, more than its limit of {limit}"
            )?,
            ErrorKind::DocumentSize { size, limit } => write!(
                f,
                "document size: input and decoded text would take {size} bytes, more than \
                 {limit}"
            )?,
            ErrorKind::Fuse(blown) => write!(f, "{blown}")?,
        }
        write!(f, " at byte {}", self.offset)?;
        if let Some(entity) = &self.entity {
            write!(f, " (in entity {entity:?})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The heap bytes this error's strings take: what the parser holds on
    /// the meter for it.
    pub(crate) fn heap_size(&self) -> usize {
        let kind = match &self.kind {
            ErrorKind::Syntax(e) => e.heap_size(),
            ErrorKind::UndefinedEntity { name } | ErrorKind::EntityCycle { name } => name.len(),
            ErrorKind::ExternalEntityForbidden { uri }
            | ErrorKind::ExternalDtdForbidden { uri } => uri.len(),
            ErrorKind::ResolveFailed { uri, reason } => uri.len() + reason.len(),
            ErrorKind::Amplification { .. }
            | ErrorKind::EntityDepth { .. }
            | ErrorKind::ElementDepth { .. }
            | ErrorKind::TooManyAttributes { .. }
            | ErrorKind::MemoryLimit { .. }
            | ErrorKind::DocumentSize { .. }
            | ErrorKind::Fuse(_) => 0,
        };
        kind + self.entity.as_ref().map_or(0, String::len)
    }
}

impl SyntaxError {
    fn heap_size(&self) -> usize {
        match self {
            SyntaxError::UnsupportedVersion { version: s }
            | SyntaxError::UnsupportedEncoding { encoding: s }
            | SyntaxError::UnexpectedEndTag { name: s }
            | SyntaxError::UnclosedElement { name: s }
            | SyntaxError::DuplicateAttribute { name: s }
            | SyntaxError::ExternalRefInAttribute { name: s }
            | SyntaxError::UnparsedEntityRef { name: s } => s.len(),
            SyntaxError::MismatchedEndTag { expected, found } => expected.len() + found.len(),
            _ => 0,
        }
    }
}

/// Whether `c` matches XML 1.0's `Char` production.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `c` may start an XML name (`NameStartChar`, XML 1.0 fifth
/// edition).
pub fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// Whether `c` may continue an XML name (`NameChar`).
pub fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}
