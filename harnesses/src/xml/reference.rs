//! The xml family's differential oracle: the hardened twin against
//! quick-xml on documents without a DOCTYPE (and under the family's other
//! oracles on every document).
//!
//! See [`Exception`] for the differences with quick-xml that are documented
//! rather than reported.

use std::fmt;

use gauntlet_targets::xml::{Document, ErrorKind, Event, SyntaxError};
use quick_xml::events::Event as QEvent;

use super::{oracle, parse_hardened, DIFFERENTIAL};
use crate::kit;
use crate::verdict::{Finding, Kind, Verdict};

/// One item of a document as both sides see it: character data between two
/// pieces of markup merged, empty text dropped, text outside the root
/// dropped (XML has no character data there; quick-xml reports the
/// whitespace).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A start tag (an empty-element tag gives `Start` then `End`) with its
    /// attributes in order, values normalised.
    Start(String, Vec<(String, String)>),
    /// An end tag.
    End(String),
    /// Character data.
    Text(String),
    /// A comment.
    Comment(String),
    /// A processing instruction: target and data.
    Pi(String, String),
}

/// What quick-xml made of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// It read the document to the end.
    Items(Vec<Item>),
    /// The document has a DOCTYPE: out of the differential's scope (quick-xml
    /// hands the DTD back raw and resolves no declared entities).
    Doctype,
    /// It stopped with an error, or the document is not UTF-8 (the harness
    /// reads with `Reader::from_str`), or it refers to an entity quick-xml
    /// leaves to the caller and no DTD declares.
    Error(String),
}

/// The items of a document parsed by the twins.
pub fn items(doc: &Document<'_>) -> Vec<Item> {
    doc.events()
        .map(|e| match e {
            Event::Start { name, attributes } => Item::Start(
                name.to_owned(),
                attributes.iter().map(|a| (a.name.to_owned(), a.value.to_owned())).collect(),
            ),
            Event::End { name } => Item::End(name.to_owned()),
            Event::Text(t) => Item::Text(t.to_owned()),
            Event::Comment(c) => Item::Comment(c.to_owned()),
            Event::Pi { target, data } => Item::Pi(target.to_owned(), data.to_owned()),
        })
        .collect()
}

fn normalise_eols(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// quick-xml 0.41 with all its well-formedness checks on
/// (`check_end_names`, `check_comments`), empty elements expanded, text
/// decoded with XML 1.0 line-end normalisation (`xml10_content`), attribute
/// values normalised (`normalized_value`), character references and the
/// five predefined entities resolved.
pub fn reference(input: &[u8]) -> Reference {
    let Ok(text) = std::str::from_utf8(input) else {
        return Reference::Error("not UTF-8".to_owned());
    };
    match read_reference(text) {
        Ok(Some(items)) => Reference::Items(items),
        Ok(None) => Reference::Doctype,
        Err(e) => Reference::Error(e),
    }
}

fn read_reference(text: &str) -> Result<Option<Vec<Item>>, String> {
    fn s<E: fmt::Display>(e: E) -> String {
        e.to_string()
    }
    fn utf8(b: &[u8]) -> Result<String, String> {
        std::str::from_utf8(b).map(str::to_owned).map_err(s)
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().enable_all_checks(true);
    reader.config_mut().expand_empty_elements = true;
    let mut items = Vec::new();
    let mut run = String::new();
    let mut depth = 0usize;
    let flush = |run: &mut String, items: &mut Vec<Item>| {
        if !run.is_empty() {
            items.push(Item::Text(std::mem::take(run)));
        }
    };
    loop {
        let event = reader.read_event().map_err(s)?;
        match event {
            QEvent::Start(e) | QEvent::Empty(e) => {
                flush(&mut run, &mut items);
                let name = utf8(e.name().as_ref())?;
                let mut attributes = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(s)?;
                    let value =
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(s)?;
                    attributes.push((utf8(a.key.as_ref())?, value.into_owned()));
                }
                items.push(Item::Start(name, attributes));
                depth += 1;
            }
            QEvent::End(e) => {
                flush(&mut run, &mut items);
                items.push(Item::End(utf8(e.name().as_ref())?));
                depth = depth.saturating_sub(1);
            }
            QEvent::Text(t) => {
                if depth > 0 {
                    run.push_str(&t.xml10_content().map_err(s)?);
                }
            }
            QEvent::CData(c) => {
                if depth > 0 {
                    run.push_str(&c.xml10_content().map_err(s)?);
                }
            }
            QEvent::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(s)? {
                    Some(c) => c,
                    None => match r.decode().map_err(s)?.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(format!("undeclared entity {other:?}")),
                    },
                };
                if depth > 0 {
                    run.push(c);
                }
            }
            QEvent::Comment(c) => {
                flush(&mut run, &mut items);
                items.push(Item::Comment(c.xml10_content().map_err(s)?.into_owned()));
            }
            QEvent::PI(p) => {
                flush(&mut run, &mut items);
                let target = utf8(p.target())?;
                let data = utf8(p.content())?;
                let data = data.trim_start_matches([' ', '\t', '\r', '\n']);
                items.push(Item::Pi(target, normalise_eols(data)));
            }
            QEvent::Decl(_) => {}
            QEvent::DocType(_) => return Ok(None),
            QEvent::Eof => break,
        }
    }
    flush(&mut run, &mut items);
    Ok(Some(items))
}

/// The documented differences: documents quick-xml reads to the end
/// without an error that the hardened twin refuses, each because quick-xml
/// does not check a rule of XML 1.0 (it is a fast reader, not a
/// well-formedness checker) or has no such limit. The differential target
/// reports them as rejections naming the exception, never as findings.
///
/// Every other disagreement — different events, or a refusal not listed
/// here — is a [`Kind::DifferentialMismatch`] finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    /// The input ends with elements open: `Reader::read_event` returns `Eof`
    /// (only `read_to_end` reports `MissingEndTag`).
    UnclosedAtEof,
    /// No root element: quick-xml reads an empty document, or one of
    /// comments only, without complaint.
    NoRoot,
    /// Text, CDATA or references before or after the root element: quick-xml
    /// reports them as ordinary events.
    TextOutsideRoot,
    /// A second root element: quick-xml does not track the root.
    MultipleRoots,
    /// A name that is not an XML `Name` (`<1a>`, `<a b:="">`): quick-xml
    /// takes any bytes up to whitespace, `/`, `=` or `>` as a name.
    InvalidName,
    /// A character outside XML's `Char` production (control characters,
    /// U+FFFE, U+FFFF), directly or through a character reference: quick-xml
    /// checks only for `&#0;`.
    ForbiddenChar,
    /// `]]>` in text outside CDATA: not checked by quick-xml.
    CdataEndInText,
    /// `<` inside an attribute value: quick-xml finds the end of a tag by
    /// quotes and `>` only.
    LtInAttributeValue,
    /// No whitespace after an attribute value (`<a x="1"y="2">`,
    /// `<a x="1"=y="2">`): quick-xml's attribute iterator starts the next key
    /// right after the closing quote, whatever the byte.
    MissingWhitespace,
    /// The XML declaration: quick-xml reports `<?xml ...?>` anywhere as a
    /// declaration, does not check its pseudo-attributes unless asked, and
    /// without its `encoding` feature reads any declared encoding as UTF-8.
    XmlDeclaration,
    /// A limit of the hardened twin (element depth, attribute count) that
    /// quick-xml does not have.
    HardeningLimit,
}

impl Exception {
    /// The exception covering a refusal by the hardened twin, if any.
    pub fn of(kind: &ErrorKind) -> Option<Exception> {
        let exception = match kind {
            ErrorKind::ElementDepth { .. } | ErrorKind::TooManyAttributes { .. } => {
                Exception::HardeningLimit
            }
            ErrorKind::Syntax(e) => match e {
                SyntaxError::UnclosedElement { .. } => Exception::UnclosedAtEof,
                SyntaxError::NoRoot => Exception::NoRoot,
                SyntaxError::TextOutsideRoot => Exception::TextOutsideRoot,
                SyntaxError::MultipleRoots => Exception::MultipleRoots,
                SyntaxError::InvalidName => Exception::InvalidName,
                SyntaxError::ForbiddenChar { .. } | SyntaxError::InvalidCharRef { .. } => {
                    Exception::ForbiddenChar
                }
                SyntaxError::CdataEndInText => Exception::CdataEndInText,
                SyntaxError::LtInAttributeValue => Exception::LtInAttributeValue,
                SyntaxError::MissingWhitespace => Exception::MissingWhitespace,
                SyntaxError::InvalidXmlDecl
                | SyntaxError::UnsupportedVersion { .. }
                | SyntaxError::UnsupportedEncoding { .. }
                | SyntaxError::ReservedPiTarget => Exception::XmlDeclaration,
                _ => return None,
            },
            _ => return None,
        };
        Some(exception)
    }

    /// A lowercase name for reasons and reports.
    pub fn name(self) -> &'static str {
        match self {
            Exception::UnclosedAtEof => "unclosed-at-eof",
            Exception::NoRoot => "no-root",
            Exception::TextOutsideRoot => "text-outside-root",
            Exception::MultipleRoots => "multiple-roots",
            Exception::InvalidName => "invalid-name",
            Exception::ForbiddenChar => "forbidden-char",
            Exception::CdataEndInText => "cdata-end-in-text",
            Exception::LtInAttributeValue => "lt-in-attribute-value",
            Exception::MissingWhitespace => "missing-whitespace",
            Exception::XmlDeclaration => "xml-declaration",
            Exception::HardeningLimit => "hardening-limit",
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub(super) fn run_differential(input: &[u8]) -> Verdict {
    let (result, meter, fs) = parse_hardened(input);
    if let Some(v) = oracle::oracles(DIFFERENTIAL.name, input.len(), &result, &meter, &fs) {
        return v;
    }
    let cost = meter.cost();
    let expected = match reference(input) {
        Reference::Items(items) => items,
        // Out of scope: the hardened twin alone, under the oracles above.
        Reference::Doctype | Reference::Error(_) => {
            return match result {
                Ok(_) => Verdict::Clean { cost },
                Err(e) => kit::rejected(e, &meter),
            };
        }
    };
    match result {
        Ok(doc) => {
            let got = items(&doc);
            if got == expected {
                return Verdict::Clean { cost };
            }
            let at = got
                .iter()
                .zip(&expected)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(expected.len()));
            let summary = format!(
                "item {at} differs: hardened {:?}, quick-xml {:?} ({} vs {} items)",
                got.get(at),
                expected.get(at),
                got.len(),
                expected.len()
            );
            Finding::of(DIFFERENTIAL.name, Kind::DifferentialMismatch, "events")
                .verdict(summary, cost)
        }
        Err(e) => match Exception::of(&e.kind) {
            Some(exception) => Verdict::Rejected {
                reason: format!("{e} (documented difference from quick-xml: {exception})"),
                cost,
            },
            None => {
                let summary = format!("hardened refuses what quick-xml reads to the end: {e}");
                Finding::of(DIFFERENTIAL.name, Kind::DifferentialMismatch, "accept-reject")
                    .verdict(summary, cost)
            }
        },
    }
}
