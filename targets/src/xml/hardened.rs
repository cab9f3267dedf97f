//! An XML parser that charges every entity expansion to a budget and never
//! reaches outside the document.
//!
//! The same parser as [`super::vulnerable`] (one shared tokenizer), with a
//! policy that refuses what the vulnerable twin allows.
//!
//! # Guarantees
//!
//! - **Amplification is bounded.** Like libexpat (≥ 2.4.0, CVE-2013-0340),
//!   every expansion is charged: *direct* bytes are the document read so
//!   far, *indirect* bytes the replacement texts parsed, each plus a fixed
//!   [`Config::reference_cost`] (libxml2 charges 20 bytes per reference, so
//!   a bomb of empty entities still costs). Before an expansion, if direct +
//!   indirect would pass [`Config::activation_threshold`] *and* be more than
//!   [`Config::amplification_limit`] times direct, the parse stops with
//!   [`ErrorKind::Amplification`]. So a document of n bytes makes at most
//!   [`Config::bound`]`(n)` = threshold + (limit + 1)·n bytes of output and
//!   meter steps, whatever its entities say.
//! - **Expansion is charged for the memory it holds.** Bytes of output are
//!   not bytes of memory: a 4,000-byte entity of a thousand `<a/>` makes
//!   2,000 events. Every event and attribute made inside an expansion (16
//!   bytes each) counts as indirect bytes as well, so the budget above
//!   bounds what expansions hold besides their text.
//! - **Memory is bounded.** A parse of an n-byte document holds at most
//!   [`Config::memory_limit`]`(n)` = [`Config::memory_base`] +
//!   [`Config::memory_per_byte`]·n bytes at once — events, attributes and
//!   text buffer by capacity, the DTD's entities and tables, the stacks, all
//!   held on the meter before they are allocated — and stops with
//!   [`ErrorKind::MemoryLimit`] rather than pass it. Only the strings of the
//!   error it may end with (names and URIs copied from the document, at most
//!   2·n bytes) come on top: [`Config::memory_bound`]. The attacker's 326 KB
//!   memory bomb (`element_flood_entity` in the harness), which held
//!   1.39 GB before memory counted, is refused holding under 21 MiB.
//! - **Billion laughs is refused early.** The classic 794-byte bomb is
//!   refused once 100 times the 786 document bytes read so far are charged
//!   (78,656 bytes), after under 10 KB of output and a few hundred
//!   microseconds — libexpat's 8 MiB threshold lets the same bomb expand
//!   8 MiB first (about 100 ms for a 773-byte bomb in expat 2.5, CPython
//!   3.11).
//! - **No cycles:** an entity referred to while it is being expanded is
//!   [`ErrorKind::EntityCycle`], found before any recursion.
//! - **Nothing external:** declaring an external entity (parsed, unparsed or
//!   parameter) is [`ErrorKind::ExternalEntityForbidden`] and a DOCTYPE with
//!   a system identifier is [`ErrorKind::ExternalDtdForbidden`] — defusedxml's
//!   `ExternalReferenceForbidden` and `DTDForbidden`, told apart the same way.
//!   The resolver passed to [`parse`] is never called.
//! - The events are those of [`super::vulnerable`] on every document both
//!   accept, and agree with quick-xml on DOCTYPE-free documents (the
//!   `xml-differential` target).
//!
//! # Resource limits
//!
//! Every limit is a [`Config`] setting with an error kind naming it:
//!
//! | setting | default | error |
//! |---|---|---|
//! | [`Config::amplification_limit`] | 100 (libexpat's) | [`ErrorKind::Amplification`] |
//! | [`Config::activation_threshold`] | 64 KiB (libexpat: 8 MiB) | [`ErrorKind::Amplification`] |
//! | [`Config::reference_cost`] | 20 bytes (libxml2's) | [`ErrorKind::Amplification`] |
//! | [`Config::entity_depth_limit`] | 20 (libxml2's) | [`ErrorKind::EntityDepth`] |
//! | [`Config::element_depth_limit`] | 256 (libxml2's) | [`ErrorKind::ElementDepth`] |
//! | [`Config::attribute_limit`] | 256 per start tag | [`ErrorKind::TooManyAttributes`] |
//! | [`Config::memory_per_byte`] | 64 bytes per input byte | [`ErrorKind::MemoryLimit`] |
//! | [`Config::memory_base`] | 256 KiB | [`ErrorKind::MemoryLimit`] |
//!
//! Why a 64 KiB threshold still lets benign documents through: the ratio is
//! only checked once 64 KiB have been charged, and then only a document
//! whose expansions make more than 100 times its own size is refused. A
//! document that uses entities for boilerplate (a copyright line, a product
//! name, character names) expands a few times its size; one needs a kilobyte
//! of text behind every ten bytes of references to pass the limit. libexpat
//! documents benign peaks of 15,000–30,000× and breakage below a 4 MiB
//! threshold, but those come from DITA documents whose *external* DTDs are
//! parsed as indirect input; this parser refuses external DTDs, so that
//! amplification never happens here.
//!
//! Why 64 bytes per input byte and 256 KiB of memory: a document without
//! entities holds at most about 20 bytes per input byte (two 16-byte events
//! for every five bytes of `<a/>x`, in a vector that may just have doubled;
//! measured 16.8), and a benign one far less (2.5 for the 1 MB bench
//! catalogue), so 64 leaves expansion room for twice again what the worst
//! markup costs by itself — text repeated twenty-odd times the document's
//! size. The base is four times the activation threshold: whatever
//! expansions the threshold lets through (64 KiB charged) holds at most
//! 64 KiB of text and 64 KiB of events, each in a buffer that may have
//! doubled, so a small document meets the amplification budget before the
//! memory limit.
//!
//! # Time complexity
//!
//! O(n + e) where n is the input length and e ≤ [`Config::bound`]`(n)` the
//! bytes charged to expansion; with the defaults, O(n) with a constant of at
//! most 101 plus 64 KiB. Memory is O(n): at most
//! [`Config::memory_bound`]`(n)`, 66·n + 256 KiB with the defaults.
//! Attribute duplicate checks are linear in the attributes of a tag.
//!
//! # Panics
//!
//! None known, not proven: it indexes slices at positions it has checked, and
//! every input the fuzzers and properties have tried ran through
//! `Target::check`, which turns a panic into a `Panic` finding; none has
//! been seen.
//! Entity expansion recurses a few call frames per level, at most
//! [`Config::entity_depth_limit`] levels; elements use an explicit stack.
//!
//! [`ErrorKind::Amplification`]: super::ErrorKind::Amplification
//! [`ErrorKind::EntityCycle`]: super::ErrorKind::EntityCycle
//! [`ErrorKind::EntityDepth`]: super::ErrorKind::EntityDepth
//! [`ErrorKind::ElementDepth`]: super::ErrorKind::ElementDepth
//! [`ErrorKind::TooManyAttributes`]: super::ErrorKind::TooManyAttributes
//! [`ErrorKind::MemoryLimit`]: super::ErrorKind::MemoryLimit
//! [`ErrorKind::ExternalEntityForbidden`]: super::ErrorKind::ExternalEntityForbidden
//! [`ErrorKind::ExternalDtdForbidden`]: super::ErrorKind::ExternalDtdForbidden

use super::parser::{self, Expansion, Policy};
use super::{Document, Error, ErrorKind, Resolver};
use crate::meter::Meter;

/// Limits of the hardened parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The largest allowed ratio (direct + indirect) / direct, checked once
    /// the activation threshold is passed.
    pub amplification_limit: u64,
    /// Direct plus indirect bytes allowed before the ratio is checked.
    pub activation_threshold: u64,
    /// Bytes charged per entity reference on top of its replacement text.
    pub reference_cost: u64,
    /// Deepest nesting of entity expansions.
    pub entity_depth_limit: usize,
    /// Deepest nesting of elements (the root is at depth 1).
    pub element_depth_limit: usize,
    /// Most attributes on one start tag.
    pub attribute_limit: usize,
    /// Bytes the parse may hold at once per byte of the document (see
    /// [`Config::memory_limit`]).
    pub memory_per_byte: u64,
    /// Bytes the parse may hold at once whatever the document's length.
    pub memory_base: u64,
}

impl Config {
    /// Default [`Config::amplification_limit`]: 100, libexpat's.
    pub const AMPLIFICATION_LIMIT: u64 = 100;
    /// Default [`Config::activation_threshold`]: 64 KiB.
    pub const ACTIVATION_THRESHOLD: u64 = 64 << 10;
    /// Default [`Config::reference_cost`]: 20 bytes, libxml2's.
    pub const REFERENCE_COST: u64 = 20;
    /// Default [`Config::entity_depth_limit`]: 20, libxml2's.
    pub const ENTITY_DEPTH_LIMIT: usize = 20;
    /// Default [`Config::element_depth_limit`]: 256, libxml2's.
    pub const ELEMENT_DEPTH_LIMIT: usize = 256;
    /// Default [`Config::attribute_limit`]: 256.
    pub const ATTRIBUTE_LIMIT: usize = 256;
    /// Default [`Config::memory_per_byte`]: 64.
    pub const MEMORY_PER_BYTE: u64 = 64;
    /// Default [`Config::memory_base`]: 256 KiB.
    pub const MEMORY_BASE: u64 = 256 << 10;

    /// The most output bytes, and the most meter steps, a parse of an
    /// `input_len`-byte document can cost under this configuration:
    /// threshold + (limit + 1) · n. Every output byte and every step comes
    /// from a byte of the document or of a charged replacement text, and the
    /// charged bytes never pass max(threshold, limit · n).
    pub fn bound(&self, input_len: usize) -> u64 {
        let n = input_len as u64;
        self.activation_threshold
            .saturating_add(self.amplification_limit.saturating_add(1).saturating_mul(n))
    }
}

impl Config {
    /// The most bytes a parse of an `input_len`-byte document may hold at
    /// once: base + per_byte · n. Past it the parse stops with
    /// [`ErrorKind::MemoryLimit`].
    pub fn memory_limit(&self, input_len: usize) -> u64 {
        self.memory_per_byte.saturating_mul(input_len as u64).saturating_add(self.memory_base)
    }

    /// The most memory the meter can report for a parse of an
    /// `input_len`-byte document: [`Config::memory_limit`] plus the strings
    /// of the error it may end with (names and URIs copied from the
    /// document, which never add up to more than twice its length).
    pub fn memory_bound(&self, input_len: usize) -> u64 {
        self.memory_limit(input_len).saturating_add(2 * input_len as u64)
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            amplification_limit: Config::AMPLIFICATION_LIMIT,
            activation_threshold: Config::ACTIVATION_THRESHOLD,
            reference_cost: Config::REFERENCE_COST,
            entity_depth_limit: Config::ENTITY_DEPTH_LIMIT,
            element_depth_limit: Config::ELEMENT_DEPTH_LIMIT,
            attribute_limit: Config::ATTRIBUTE_LIMIT,
            memory_per_byte: Config::MEMORY_PER_BYTE,
            memory_base: Config::MEMORY_BASE,
        }
    }
}

/// Parses `input` under the default [`Config`]. The resolver is never
/// called; it is taken so both twins share one signature.
pub fn parse<'i>(
    input: &'i [u8],
    resolver: &mut dyn Resolver,
    meter: &mut Meter,
) -> Result<Document<'i>, Error> {
    parse_with(Config::default(), input, resolver, meter)
}

/// Parses `input` under `config`.
///
/// Counts one meter step per token and produces every output byte before
/// appending it, at most [`Config::bound`]`(input.len())` of each, and holds
/// at most [`Config::memory_bound`]`(input.len())` bytes on the meter.
pub fn parse_with<'i>(
    config: Config,
    input: &'i [u8],
    _resolver: &mut dyn Resolver,
    meter: &mut Meter,
) -> Result<Document<'i>, Error> {
    parser::parse(input, &mut Guarded { config, indirect: 0 }, meter)
}

/// The policy with the budget and the limits.
struct Guarded {
    config: Config,
    /// Bytes charged to expansion so far.
    indirect: u64,
}

impl Policy for Guarded {
    fn external_subset(&mut self, uri: &str) -> Result<Vec<u8>, ErrorKind> {
        Err(ErrorKind::ExternalDtdForbidden { uri: uri.to_owned() })
    }

    fn declare_external(&mut self, _: &str, _: bool, uri: &str) -> Result<(), ErrorKind> {
        Err(ErrorKind::ExternalEntityForbidden { uri: uri.to_owned() })
    }

    fn external_entity(&mut self, _: &str, _: bool, uri: &str) -> Result<Vec<u8>, ErrorKind> {
        // Unreachable while `declare_external` refuses, kept as a second
        // line of defence.
        Err(ErrorKind::ExternalEntityForbidden { uri: uri.to_owned() })
    }

    fn memory_limit(&mut self, input_len: usize) -> u64 {
        self.config.memory_limit(input_len)
    }

    fn expand(&mut self, e: Expansion<'_>) -> Result<(), ErrorKind> {
        let (name, parameter) = (e.name, e.parameter);
        if e.open.iter().any(|o| o.parameter == parameter && *o.name == *name) {
            let name = if parameter { format!("%{name}") } else { name.to_owned() };
            return Err(ErrorKind::EntityCycle { name });
        }
        let depth = e.open.len() + 1;
        if depth > self.config.entity_depth_limit {
            return Err(ErrorKind::EntityDepth { depth, limit: self.config.entity_depth_limit });
        }
        let charge = (e.len as u64).saturating_add(self.config.reference_cost);
        let indirect = self.indirect.saturating_add(charge);
        let direct = (e.direct as u64).max(1);
        // What expansions made the parser hold beyond their text (events
        // and attributes, 16 bytes each) counts as indirect bytes too.
        let expanded = direct.saturating_add(indirect).saturating_add(e.memory);
        let limit = self.config.amplification_limit;
        if expanded > self.config.activation_threshold && expanded > direct.saturating_mul(limit) {
            return Err(ErrorKind::Amplification { expanded, direct, limit });
        }
        self.indirect = indirect;
        Ok(())
    }

    fn element(&mut self, depth: usize) -> Result<(), ErrorKind> {
        let limit = self.config.element_depth_limit;
        if depth > limit {
            return Err(ErrorKind::ElementDepth { depth, limit });
        }
        Ok(())
    }

    fn attribute(&mut self, count: usize) -> Result<(), ErrorKind> {
        let limit = self.config.attribute_limit;
        if count > limit {
            return Err(ErrorKind::TooManyAttributes { count, limit });
        }
        Ok(())
    }
}
