//! The xml family's harnesses: the amplification, recursion and canary
//! oracles, the differential oracle against quick-xml, and the attack
//! generators the tests and benches share.
//!
//! # Amplification oracle
//!
//! Both twins count one meter step per token and produce every output byte
//! before appending it. The hardened twin guarantees at most
//! [`bound`]`(n)` = 64 KiB + 101·n of each for an n-byte document
//! ([`hardened::Config::bound`] with the defaults): every byte it outputs and
//! every token it reads comes from the document or from a replacement text
//! charged to its amplification budget. A run that produces more bytes, or
//! takes more steps, than that is a [`Kind::Amplification`] finding
//! (CWE-776) — empty-entity bombs show up in steps, the others in bytes. The
//! fuse stops a run at twice the bound, so a finding is decided in time
//! linear in the input.
//!
//! # Recursion oracle
//!
//! A run that reaches the meter's depth fuse (2,000 levels of elements and
//! entities together) is a [`Kind::UnboundedRecursion`] finding (CWE-674):
//! `entity-recursion` when an entity was being expanded, `element-nesting`
//! otherwise.
//!
//! # Canary oracle
//!
//! The resolver is a [`VirtualFs`]. Once it has served a resource holding
//! the [`CANARY`], the canary appearing in the output (in-band XXE), in a
//! URI the parser then asked for (out-of-band XXE) or in the error message
//! (error-based XXE) is a [`Kind::SecretLeak`] finding (CWE-611). Asking for
//! the served secret first means a document that merely spells the canary
//! out is not a leak.
//!
//! # Differential oracle
//!
//! See [`Exception`] for the differences with quick-xml that are documented
//! rather than reported.

use std::fmt;

use gauntlet_targets::meter::{Cost, Fuse, Meter, Resource};
use gauntlet_targets::xml::{
    hardened, vulnerable, Document, Error, ErrorKind, Event, SyntaxError, VirtualFs, CANARY,
};
use quick_xml::events::Event as QEvent;

use crate::guard::on_big_stack;
use crate::registry::{Oracle, Target, Variant};
use crate::verdict::{Finding, Kind, Verdict};

const FORMAT: &str = "an XML 1.0 document in UTF-8";

/// The vulnerable twin under the amplification, recursion and canary
/// oracles.
pub const VULNERABLE: Target = Target {
    name: "xml-vulnerable",
    family: "xml",
    variant: Variant::Vulnerable,
    cwes: &[776, 611, 674],
    expected: &[Kind::Amplification, Kind::SecretLeak, Kind::UnboundedRecursion],
    oracles: &[Oracle::Cost, Oracle::Canary],
    input_format: FORMAT,
    source: "targets/src/xml/vulnerable.rs",
    fuzz_args: &["-max_len=4096"],
    run: run_vulnerable,
};

/// The hardened twin under the same oracles.
pub const HARDENED: Target = Target {
    name: "xml-hardened",
    family: "xml",
    variant: Variant::Hardened,
    cwes: &[776, 611, 674],
    expected: &[],
    oracles: &[Oracle::Cost, Oracle::Canary],
    input_format: FORMAT,
    source: "targets/src/xml/hardened.rs",
    fuzz_args: &["-max_len=4096"],
    run: run_hardened,
};

/// The hardened twin against quick-xml on documents without a DOCTYPE (and
/// under the oracles of [`HARDENED`] on every document).
pub const DIFFERENTIAL: Target = Target {
    name: "xml-differential",
    family: "xml",
    variant: Variant::Differential,
    cwes: &[436],
    expected: &[],
    oracles: &[Oracle::Differential, Oracle::Cost, Oracle::Canary],
    input_format: FORMAT,
    source: "targets/src/xml/hardened.rs",
    fuzz_args: &["-max_len=4096"],
    run: run_differential,
};

/// The most output bytes and meter steps a benign parse of an `n`-byte
/// document may cost: the hardened twin's own guarantee under its default
/// configuration, 64 KiB + 101·n.
pub fn bound(n: usize) -> u64 {
    hardened::Config::default().bound(n)
}

/// The fuse for an `n`-byte document: output and steps at twice
/// [`bound`]`(n)`, depth at the default 2,000.
pub fn fuse_for(n: usize) -> Fuse {
    let b = bound(n).saturating_mul(2);
    Fuse::default().with_bytes_out(b).with_steps(b)
}

/// Runs the vulnerable twin on a fresh [`VirtualFs`] with the fuse for
/// `input`, on a big stack (it recurses once per entity level).
pub fn parse_vulnerable(input: &[u8]) -> (Result<Document, Error>, Meter, VirtualFs) {
    on_big_stack(|| {
        let mut fs = VirtualFs::new();
        let mut meter = Meter::new(fuse_for(input.len()));
        let result = vulnerable::parse(input, &mut fs, &mut meter);
        (result, meter, fs)
    })
}

/// Runs the hardened twin with its defaults, on a fresh [`VirtualFs`] and
/// the fuse for `input`.
pub fn parse_hardened(input: &[u8]) -> (Result<Document, Error>, Meter, VirtualFs) {
    let mut fs = VirtualFs::new();
    let mut meter = Meter::new(fuse_for(input.len()));
    let result = hardened::parse(input, &mut fs, &mut meter);
    (result, meter, fs)
}

fn finding(
    target: &'static str,
    kind: Kind,
    cwe: u32,
    location: &str,
    summary: String,
    meter: &Meter,
) -> Verdict {
    Verdict::Finding(Finding::new(target, kind, cwe, location, summary, meter.cost()))
}

/// The canary, amplification and recursion oracles on one run; `None`
/// when none fires.
fn oracles(
    target: &'static str,
    n: usize,
    result: &Result<Document, Error>,
    meter: &Meter,
    fs: &VirtualFs,
) -> Option<Verdict> {
    if fs.served_secret() {
        let (location, channel) = match result {
            Ok(doc) if doc.contains(CANARY) => ("xxe-in-band", "in the document's output"),
            Err(e) if e.to_string().contains(CANARY) => {
                ("xxe-error-message", "in the error message")
            }
            _ if fs.requests().iter().any(|r| r.contains(CANARY)) => {
                ("xxe-out-of-band", "inside a URI the parser fetched")
            }
            _ => ("", ""),
        };
        if !location.is_empty() {
            let fetched: Vec<&str> = fs.requests().iter().map(|r| truncate(r, 48)).collect();
            let summary = format!(
                "external entity disclosed the canary {channel} (fetched: {})",
                fetched.join(", ")
            );
            return Some(finding(target, Kind::SecretLeak, 611, location, summary, meter));
        }
    }
    let cost = meter.cost();
    if meter.tripped().map(|b| b.resource) == Some(Resource::Depth) {
        let in_entity = matches!(result, Err(e) if e.entity.is_some());
        let (location, what) = if in_entity {
            ("entity-recursion", "entity expansion")
        } else {
            ("element-nesting", "element nesting")
        };
        let summary = format!(
            "{what} reached the depth fuse of {} levels in a {n}-byte document",
            meter.fuse().depth
        );
        return Some(finding(target, Kind::UnboundedRecursion, 674, location, summary, meter));
    }
    let limit = bound(n);
    if cost.bytes_out > limit || cost.steps > limit {
        let fused = if meter.tripped().is_some() { " (fuse tripped)" } else { "" };
        let summary = format!(
            "entity expansion: {} bytes out and {} steps from a {n}-byte document, bound {limit} \
             (64 KiB + 101 x input){fused}",
            cost.bytes_out, cost.steps
        );
        return Some(finding(target, Kind::Amplification, 776, "entity-expansion", summary, meter));
    }
    None
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Coverage on the metered cost, for libFuzzer.
///
/// libFuzzer keeps an input that reaches new edges, but entity expansion
/// runs through the same edges whether it makes a kilobyte or a gigabyte,
/// so edge coverage alone gives the fuzzer no reason to keep an input that
/// amplifies more. One branch per power of two of the work (output bytes or
/// steps, whichever is larger), absolute and per input byte, gives it one:
/// an input that doubles its amplification reaches a new edge and is kept,
/// and the next mutation starts from it — the resource-usage feedback of
/// PerfFuzz (Lemieux et al., ISSTA 2018). It costs a few dozen comparisons
/// per run and changes no verdict.
fn cost_feedback(cost: Cost, n: usize) {
    let work = cost.bytes_out.max(cost.steps);
    let ratio = work / (n as u64).max(1);
    // Unrolled on purpose: each rung must be its own branch to be its own
    // edge, and `black_box` keeps the compiler from merging them.
    macro_rules! rungs {
        ($x:expr; $($k:literal)*) => { $( if $x >> $k != 0 { std::hint::black_box($k); } )* };
    }
    rungs!(work; 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21);
    rungs!(ratio; 1 2 3 4 5 6 7 8 9 10 11);
}

fn verdict(
    target: &'static str,
    n: usize,
    result: &Result<Document, Error>,
    meter: &Meter,
    fs: &VirtualFs,
) -> Verdict {
    cost_feedback(meter.cost(), n);
    if let Some(v) = oracles(target, n, result, meter, fs) {
        return v;
    }
    match result {
        Ok(_) => Verdict::Clean { cost: meter.cost() },
        Err(e) => Verdict::Rejected { reason: e.to_string(), cost: meter.cost() },
    }
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    let (result, meter, fs) = parse_vulnerable(input);
    verdict(VULNERABLE.name, input.len(), &result, &meter, &fs)
}

fn run_hardened(input: &[u8]) -> Verdict {
    let (result, meter, fs) = parse_hardened(input);
    verdict(HARDENED.name, input.len(), &result, &meter, &fs)
}

// ---- the differential oracle -----------------------------------------

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
pub fn items(doc: &Document) -> Vec<Item> {
    doc.events
        .iter()
        .map(|e| match e {
            Event::Start { name, attributes } => Item::Start(
                name.clone(),
                attributes.iter().map(|a| (a.name.clone(), a.value.clone())).collect(),
            ),
            Event::End { name } => Item::End(name.clone()),
            Event::Text(t) => Item::Text(t.clone()),
            Event::Comment(c) => Item::Comment(c.clone()),
            Event::Pi { target, data } => Item::Pi(target.clone(), data.clone()),
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

fn run_differential(input: &[u8]) -> Verdict {
    let (result, meter, fs) = parse_hardened(input);
    cost_feedback(meter.cost(), input.len());
    if let Some(v) = oracles(DIFFERENTIAL.name, input.len(), &result, &meter, &fs) {
        return v;
    }
    let cost = meter.cost();
    let expected = match reference(input) {
        Reference::Items(items) => items,
        // Out of scope: the hardened twin alone, under the oracles above.
        Reference::Doctype | Reference::Error(_) => {
            return match result {
                Ok(_) => Verdict::Clean { cost },
                Err(e) => Verdict::Rejected { reason: e.to_string(), cost },
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
            finding(DIFFERENTIAL.name, Kind::DifferentialMismatch, 436, "events", summary, &meter)
        }
        Err(e) => match Exception::of(&e.kind) {
            Some(exception) => Verdict::Rejected {
                reason: format!("{e} (documented difference from quick-xml: {exception})"),
                cost,
            },
            None => {
                let summary = format!("hardened refuses what quick-xml reads to the end: {e}");
                finding(
                    DIFFERENTIAL.name,
                    Kind::DifferentialMismatch,
                    436,
                    "accept-reject",
                    summary,
                    &meter,
                )
            }
        },
    }
}

/// Structure-aware mutation for the xml fuzz targets (libFuzzer's
/// `LLVMFuzzerCustomMutator`, wired in by the shims with `fuzz_mutator!`).
///
/// Byte mutations and a dictionary do not get from nothing to a document
/// whose DOCTYPE declares an entity that the root element then refers to:
/// every piece (`<!DOCTYPE r [`, `<!ENTITY`, `]>`, the root, `&e;`) has to
/// be in place, in order, before any expansion happens, and the fuzzer has
/// no coverage to climb on in between. This mutator works on the document's
/// shape instead, one step at a time:
///
/// - a document without a DOCTYPE gets an empty internal subset and a root;
/// - a new entity is declared at the end of the internal subset, its value
///   either text or 2–16 references to an entity declared before it (so the
///   mutator itself never makes a cycle);
/// - 1–16 references to a declared entity go in right after the root's
///   start tag;
/// - a reference already in the document is repeated.
///
/// Together with the cost feedback each step that expands more is kept, so a
/// ladder of entities grows until the oracle fires. External entities are
/// never added: those come from the dictionary's URIs and byte mutations.
/// Half of the calls return `None`, leaving the input to libFuzzer's own
/// mutations; a result longer than `max_size` is `None` too.
pub fn mutate(input: &[u8], max_size: usize, seed: u32) -> Option<Vec<u8>> {
    let mut rng = SplitMix(u64::from(seed));
    if rng.below(2) == 0 {
        return None;
    }
    let text = String::from_utf8_lossy(input);
    let Some(doctype) = text.find("<!DOCTYPE") else {
        let out = format!("<!DOCTYPE r [\n]>\n<r>{text}</r>");
        return (out.len() <= max_size).then(|| out.into_bytes());
    };
    let close = doctype + text[doctype..].find("]>")?;
    let names: Vec<&str> = text[doctype..close]
        .split("<!ENTITY ")
        .skip(1)
        .filter_map(|decl| decl.split_whitespace().next())
        .filter(|name| *name != "%")
        .collect();
    let pick = |rng: &mut SplitMix| -> Option<&str> {
        // The newest entity half of the time: that is how a ladder grows.
        let last = names.last().copied()?;
        if rng.below(2) == 0 {
            Some(last)
        } else {
            names.get(rng.below(names.len())).copied()
        }
    };
    let mut out = String::with_capacity(text.len() + 64);
    match rng.below(3) {
        1 if !names.is_empty() => {
            let name = pick(&mut rng)?;
            let refs = format!("&{name};").repeat(1 + rng.below(16));
            let at =
                close + 2 + text[close + 2..].find('>').map_or(text.len() - close - 2, |i| i + 1);
            out.push_str(&text[..at]);
            out.push_str(&refs);
            out.push_str(&text[at..]);
            if !text[close..].contains('<') {
                out.push_str("<r>");
                out.push_str(&refs);
                out.push_str("</r>");
            }
        }
        2 if text[close..].contains('&') => {
            let start = close + text[close..].find('&')?;
            let len = text[start..].find(';')? + 1;
            let reference = &text[start..start + len];
            out.push_str(&text[..start]);
            out.push_str(&reference.repeat(2 + rng.below(8)));
            out.push_str(&text[start..]);
        }
        _ => {
            let value = match pick(&mut rng) {
                Some(name) if rng.below(4) != 0 => format!("&{name};").repeat(2 + rng.below(15)),
                _ => "lol".repeat(1 + rng.below(16)),
            };
            out.push_str(&text[..close]);
            out.push_str(&format!("<!ENTITY e{} \"{value}\">\n", names.len()));
            out.push_str(&text[close..]);
        }
    }
    (out.len() <= max_size).then(|| out.into_bytes())
}

/// A small deterministic generator for [`mutate`] (SplitMix64).
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z % n.max(1) as u64) as usize
    }
}

/// Attack and benign document generators shared by tests, benches and the
/// CLI.
pub mod attacks {
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
        format!("<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n  <!ENTITY x SYSTEM \"{uri}\">\n]>\n<r>&x;</r>\n")
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
}
