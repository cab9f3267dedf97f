//! The xml family: an XML 1.0 document through a parser that expands
//! entities from its DTD and resolves external ones from a [`VirtualFs`].
//!
//! - [`oracle`]: the amplification, recursion, memory and canary oracles;
//! - [`mod@reference`]: the differential oracle against quick-xml;
//! - [`mod@mutate`]: the structure-aware mutator the fuzz targets use;
//! - [`attacks`]: the attack and benign document generators the tests,
//!   benches and CLI share.

use gauntlet_targets::meter::{Fuse, Meter};
use gauntlet_targets::xml::{hardened, vulnerable, Document, Error, VirtualFs};

use crate::dos::{Ending, Run};
use crate::guard::deep;
use crate::kit::MemoryBound;
use crate::target::{Family, Oracle, Target, Variant};
use crate::verdict::{Kind, Verdict};

pub mod attacks;
pub mod mutate;
pub mod oracle;
pub mod reference;

pub use mutate::mutate;
pub use reference::{items, reference, Exception, Item, Reference};

/// The xml family: its three targets and what they share.
///
/// A rejected (malformed) document stays eligible for the fuzzer's corpus
/// and half of the mutations are structural ([`mutate()`]): the way from
/// nothing to an entity bomb goes through half-written declarations, each
/// one new coverage.
pub static FAMILY: Family = Family {
    name: "xml",
    input_format: "an XML 1.0 document in UTF-8",
    fuzz_args: &["-max_len=4096"],
    keep_rejected: true,
    mutator: Some(mutate),
    twin,
    attacks: attacks::all,
    answer: Some(answer),
    targets: &[
        Target {
            name: "xml-vulnerable",
            family: &FAMILY,
            variant: Variant::Vulnerable,
            cwes: &[776, 611, 674, 789],
            expected: &[
                Kind::Amplification,
                Kind::SecretLeak,
                Kind::UnboundedRecursion,
                Kind::MemoryAmplification,
            ],
            oracles: &[Oracle::Cost, Oracle::Canary],
            source: "targets/src/xml/vulnerable.rs",
            run: run_vulnerable,
        },
        Target {
            name: "xml-hardened",
            family: &FAMILY,
            variant: Variant::Hardened,
            cwes: &[776, 611, 674, 789],
            expected: &[],
            oracles: &[Oracle::Cost, Oracle::Canary],
            source: "targets/src/xml/hardened.rs",
            run: run_hardened,
        },
        Target {
            name: "xml-differential",
            family: &FAMILY,
            variant: Variant::Differential,
            cwes: &[436],
            expected: &[],
            oracles: &[Oracle::Differential, Oracle::Cost, Oracle::Canary],
            source: "targets/src/xml/hardened.rs",
            run: reference::run_differential,
        },
    ],
};

/// The vulnerable twin under the amplification, recursion, memory and
/// canary oracles.
pub static VULNERABLE: &Target = &FAMILY.targets[0];
/// The hardened twin under the same oracles.
pub static HARDENED: &Target = &FAMILY.targets[1];
/// The hardened twin against quick-xml on documents without a DOCTYPE (and
/// under the oracles of [`HARDENED`] on every document).
pub static DIFFERENTIAL: &Target = &FAMILY.targets[2];
/// The most output bytes and meter steps a benign parse of an `n`-byte
/// document may cost: the hardened twin's own guarantee under its default
/// configuration, 64 KiB + 101·n.
pub fn bound(n: usize) -> u64 {
    hardened::Config::default().bound(n)
}

/// The most memory a parse of an `n`-byte document may hold at its peak:
/// 66·n + 256 KiB, the hardened twin's own guarantee under its default
/// configuration ([`hardened::Config::memory_bound`]); see [`oracle`] for
/// why these constants.
pub const MEMORY: MemoryBound = MemoryBound {
    per_byte: hardened::Config::MEMORY_PER_BYTE + 2,
    base: hardened::Config::MEMORY_BASE,
};

/// The fuse for an `n`-byte document: output and steps at twice
/// [`bound`]`(n)`, memory at four times [`MEMORY`] (so a run over the bound
/// is stopped while the oracle can still call it), depth at the default
/// 2,000.
pub fn fuse_for(n: usize) -> Fuse {
    let b = bound(n).saturating_mul(2);
    Fuse::default().with_bytes_out(b).with_steps(b).with_memory(MEMORY.fuse(n))
}

/// Runs the vulnerable twin on a fresh [`VirtualFs`] with the fuse for
/// `input`, on a deep stack (it recurses once per entity level).
pub fn parse_vulnerable(input: &[u8]) -> (Result<Document<'_>, Error>, Meter, VirtualFs) {
    deep(|| {
        let mut fs = VirtualFs::new();
        let mut meter = Meter::new(fuse_for(input.len()));
        let result = vulnerable::parse(input, &mut fs, &mut meter);
        (result, meter, fs)
    })
}

/// Runs the hardened twin with its defaults, on a fresh [`VirtualFs`] and
/// the fuse for `input`.
pub fn parse_hardened(input: &[u8]) -> (Result<Document<'_>, Error>, Meter, VirtualFs) {
    let mut fs = VirtualFs::new();
    let mut meter = Meter::new(fuse_for(input.len()));
    let result = hardened::parse(input, &mut fs, &mut meter);
    (result, meter, fs)
}

/// What `target`'s twin answers for `input`, in words: the root element,
/// how many elements, and how much text after every entity was expanded.
fn answer(target: &Target, input: &[u8]) -> Option<String> {
    let (result, _, _) = match target.variant {
        Variant::Vulnerable => parse_vulnerable(input),
        _ => parse_hardened(input),
    };
    let document = result.ok()?;
    let (mut root, mut elements, mut text) = (None, 0usize, 0usize);
    for event in document.events() {
        match event {
            gauntlet_targets::xml::Event::Start { name, .. } => {
                root.get_or_insert(name);
                elements += 1;
            }
            gauntlet_targets::xml::Event::Text(t) => text += t.len(),
            _ => {}
        }
    }
    let plural = if elements == 1 { "" } else { "s" };
    let root = root.unwrap_or("?");
    Some(format!("root <{root}>, {elements} element{plural}, {text} bytes of text"))
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    let (result, meter, fs) = parse_vulnerable(input);
    oracle::verdict(VULNERABLE.name, input.len(), &result, &meter, &fs)
}

fn run_hardened(input: &[u8]) -> Verdict {
    let (result, meter, fs) = parse_hardened(input);
    oracle::verdict(HARDENED.name, input.len(), &result, &meter, &fs)
}

/// One twin on one document, with an empty sandbox and no oracle (see
/// [`crate::dos`]).
fn twin(variant: Variant, input: &[u8]) -> Result<Run<'_>, String> {
    Ok(Box::new(move |meter: &mut Meter| {
        let mut fs = VirtualFs::new();
        let result = match variant {
            Variant::Vulnerable => vulnerable::parse(input, &mut fs, meter).map(drop),
            _ => hardened::parse(input, &mut fs, meter).map(drop),
        };
        Ending::of(&result, meter)
    }))
}
