//! The format-string family: a `str.format`-style template, formatted
//! against a fixed object graph that holds a canary secret.
//!
//! - [`oracle`]: the canary oracle (the secret in the output), the
//!   recursion oracle (nested spec fields at the depth fuse), the
//!   amplification oracle (output over a bound proportional to the
//!   template) and the memory oracle;
//! - [`mod@reference`]: the differential oracle against Rust's `format!`
//!   on the subset of the mini-language the two share, with the documented
//!   [`Exception`]s;
//! - [`attacks`]: the attack generators the tests, benches and CLI share;
//! - [`mutate`]: the structure-aware mutator the fuzz targets use (fields,
//!   chains of names, nesting).

use gauntlet_targets::format::{hardened, vulnerable, Error, Formatted, Graph};
use gauntlet_targets::meter::{Fuse, Meter};

use crate::dos::{Ending, Run};
use crate::guard::deep;
use crate::target::{Family, Oracle, Target, Variant};
use crate::verdict::{Kind, Verdict};

pub mod attacks;
pub mod mutate;
pub mod oracle;
pub mod reference;

pub use oracle::{bound, MEMORY};
pub use reference::{reference, Exception};

/// The format family: its three targets and what they share.
///
/// A rejected template stays eligible for the fuzzer's corpus: the way to
/// the secret runs through names that resolve to nothing yet
/// (`{event.__init__.x}`), and to deep nesting through unclosed fields.
/// Half of the mutations are structural ([`mutate::mutate`]).
pub static FAMILY: Family = Family {
    name: "format",
    input_format: "a str.format template as UTF-8 bytes: text, {{ }}, and fields \
                   {name.attr[key]!r:spec} with nested {} in the spec",
    // Room for the deep-nesting finding: 2,001 nested fields of whatever
    // field the fuzzer happened to nest, up to `{event:` (8 bytes a level
    // with its `}`, 16 KB in all). At 8 KB only one-letter fields fitted,
    // and a run that had started nesting a longer one could not finish (3
    // to 316 s to the recursion class in CI); at 32 KB the search for the
    // leak slowed down (45 and 102 s on two of three seeds).
    fuzz_args: &["-max_len=16384"],
    keep_rejected: true,
    mutator: Some(mutate::mutate),
    twin,
    attacks: attacks::all,
    answer: Some(answer),
    targets: &[
        Target {
            name: "format-vulnerable",
            family: &FAMILY,
            variant: Variant::Vulnerable,
            cwes: &[134, 200, 400, 674],
            expected: &[Kind::SecretLeak, Kind::Amplification, Kind::UnboundedRecursion],
            oracles: &[Oracle::Canary, Oracle::Cost],
            source: "targets/src/format/vulnerable.rs",
            run: run_vulnerable,
        },
        Target {
            name: "format-hardened",
            family: &FAMILY,
            variant: Variant::Hardened,
            cwes: &[134, 200, 400, 674],
            expected: &[],
            oracles: &[Oracle::Canary, Oracle::Cost],
            source: "targets/src/format/hardened.rs",
            run: run_hardened,
        },
        Target {
            name: "format-differential",
            family: &FAMILY,
            variant: Variant::Differential,
            cwes: &[134, 436],
            expected: &[],
            oracles: &[Oracle::Differential, Oracle::Canary, Oracle::Cost],
            source: "targets/src/format/hardened.rs",
            run: reference::run_differential,
        },
    ],
};

/// The vulnerable twin under the canary, recursion, amplification and
/// memory oracles.
pub static VULNERABLE: &Target = &FAMILY.targets[0];
/// The hardened twin under the same oracles.
pub static HARDENED: &Target = &FAMILY.targets[1];
/// The hardened twin against Rust's `format!` (and under the oracles of
/// [`HARDENED`]).
pub static DIFFERENTIAL: &Target = &FAMILY.targets[2];

/// The fuse for an `n`-byte template: output at four times [`bound`]`(n)`,
/// so a huge width is stopped after a few hundred kilobytes, memory at
/// four times [`MEMORY`], the default depth fuse.
pub fn fuse_for(n: usize) -> Fuse {
    Fuse::default().with_bytes_out(bound(n).saturating_mul(4)).with_memory(MEMORY.fuse(n))
}

/// Runs the vulnerable twin with the fuse for `template`, on a stack deep
/// enough for the depth fuse ([`deep`]).
pub fn format_vulnerable(template: &[u8]) -> (Result<Formatted, Error>, Meter) {
    let mut meter = Meter::new(fuse_for(template.len()));
    let result = deep(|| vulnerable::format(template, &Graph::new(), &mut meter));
    (result, meter)
}

/// Runs the hardened twin with its defaults and the fuse for `template`.
pub fn format_hardened(template: &[u8]) -> (Result<Formatted, Error>, Meter) {
    let mut meter = Meter::new(fuse_for(template.len()));
    let result = deep(|| hardened::format(template, &Graph::new(), &mut meter));
    (result, meter)
}

/// What `target`'s twin answers for `input`, in words: the text it
/// formatted (at most 80 characters of it).
fn answer(target: &Target, input: &[u8]) -> Option<String> {
    let (result, _) = match target.variant {
        Variant::Vulnerable => format_vulnerable(input),
        _ => format_hardened(input),
    };
    let text = result.ok()?.text;
    let shown: String = text.chars().take(80).collect();
    let more = if shown.len() < text.len() { "..." } else { "" };
    Some(format!("formats {shown:?}{more} ({} bytes)", text.len()))
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    let (result, meter) = format_vulnerable(input);
    oracle::verdict(VULNERABLE.name, input.len(), &result, &meter)
}

fn run_hardened(input: &[u8]) -> Verdict {
    let (result, meter) = format_hardened(input);
    oracle::verdict(HARDENED.name, input.len(), &result, &meter)
}

/// One twin on one template, with no oracle (see [`crate::dos`]).
fn twin(variant: Variant, input: &[u8]) -> Result<Run<'_>, String> {
    // The object graph is built while preparing, untimed: a run is the
    // formatting alone.
    let graph = Graph::new();
    Ok(Box::new(move |meter: &mut Meter| {
        let result = match variant {
            Variant::Vulnerable => vulnerable::format(input, &graph, meter),
            _ => hardened::format(input, &graph, meter),
        };
        Ending::of(&result, meter)
    }))
}
