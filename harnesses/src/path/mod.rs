//! The path family: a requested path through a file server's resolver,
//! against an in-memory filesystem with a symlink that leads out of the
//! root and canary secrets outside it.
//!
//! - [`oracle`]: the containment and canary oracle, the cost oracle
//!   (super-linear clean-up) and the memory oracle;
//! - [`mod@reference`]: the differential oracle against an independent
//!   in-memory resolver (the comparison with a real directory is a property
//!   test, `harnesses/tests/path.rs`);
//! - [`attacks`]: the attack generators the tests, benches and CLI share;
//! - [`mutate`]: the structure-aware mutator the fuzz targets use
//!   (components, separators, encodings).

use gauntlet_targets::meter::{Fuse, Meter};
use gauntlet_targets::path::{hardened, vulnerable, Error, Served, Vfs};

use crate::dos::{Ending, Run};
use crate::target::{Family, Oracle, Target, Variant};
use crate::verdict::{Kind, Verdict};

pub mod attacks;
pub mod mutate;
pub mod oracle;
pub mod reference;

pub use oracle::{bound, MEMORY};
pub use reference::{exception, reference, Exception, Reference};

/// The path family: its three targets and what they share.
///
/// A rejected request stays eligible for the fuzzer's corpus: the way to an
/// escape runs through requests that name nothing (`..\..\etc`), each
/// reaching new code of the walk. Half of the mutations are structural
/// ([`mutate::mutate`]).
pub static FAMILY: Family = Family {
    name: "path",
    input_format: "a requested path, relative to the served root, as bytes (percent-encoding \
                   allowed)",
    // Room for every attack of the reproducers but the limits (the
    // clean-up is a finding from a hundred slashes on), and short runs:
    // the vulnerable twin's fuse is four times 16 steps a byte.
    fuzz_args: &["-max_len=1024"],
    keep_rejected: true,
    mutator: Some(mutate::mutate),
    twin,
    attacks: attacks::all,
    answer: Some(answer),
    targets: &[
        Target {
            name: "path-vulnerable",
            family: &FAMILY,
            variant: Variant::Vulnerable,
            cwes: &[22, 23, 59, 158, 174, 180, 407],
            expected: &[Kind::PathEscape, Kind::SuperlinearTime],
            oracles: &[Oracle::Canary, Oracle::Cost],
            source: "targets/src/path/vulnerable.rs",
            run: run_vulnerable,
        },
        Target {
            name: "path-hardened",
            family: &FAMILY,
            variant: Variant::Hardened,
            cwes: &[22, 23, 59, 158, 174, 180, 407],
            expected: &[],
            oracles: &[Oracle::Canary, Oracle::Cost],
            source: "targets/src/path/hardened.rs",
            run: run_hardened,
        },
        Target {
            name: "path-differential",
            family: &FAMILY,
            variant: Variant::Differential,
            cwes: &[22, 436],
            expected: &[],
            oracles: &[Oracle::Differential, Oracle::Canary, Oracle::Cost],
            source: "targets/src/path/hardened.rs",
            run: reference::run_differential,
        },
    ],
};

/// The vulnerable twin under the containment, cost and memory oracles.
pub static VULNERABLE: &Target = &FAMILY.targets[0];
/// The hardened twin under the same oracles.
pub static HARDENED: &Target = &FAMILY.targets[1];
/// The hardened twin against the reference resolver (and under the oracles
/// of [`HARDENED`]).
pub static DIFFERENTIAL: &Target = &FAMILY.targets[2];

/// The fuse for an `n`-byte request: steps at four times [`bound`]`(n)`, so
/// a quadratic clean-up is stopped in time linear in the request, memory
/// at four times [`MEMORY`].
pub fn fuse_for(n: usize) -> Fuse {
    Fuse::default().with_steps(bound(n).saturating_mul(4)).with_memory(MEMORY.fuse(n))
}

/// Runs the vulnerable twin with the fuse for `request`.
pub fn resolve_vulnerable(request: &[u8]) -> (Result<Served, Error>, Meter) {
    let mut meter = Meter::new(fuse_for(request.len()));
    let result = vulnerable::resolve(request, &Vfs::new(), &mut meter);
    (result, meter)
}

/// Runs the hardened twin with its defaults and the fuse for `request`.
pub fn resolve_hardened(request: &[u8]) -> (Result<Served, Error>, Meter) {
    let mut meter = Meter::new(fuse_for(request.len()));
    let result = hardened::resolve(request, &Vfs::new(), &mut meter);
    (result, meter)
}

/// What `target`'s twin answers for `input`, in words: the file it serves.
fn answer(target: &Target, input: &[u8]) -> Option<String> {
    let (result, _) = match target.variant {
        Variant::Vulnerable => resolve_vulnerable(input),
        _ => resolve_hardened(input),
    };
    let served = result.ok()?;
    Some(format!("serves {} ({} bytes)", served.path, served.content.len()))
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    let (result, meter) = resolve_vulnerable(input);
    oracle::verdict(VULNERABLE.name, input.len(), &result, &meter)
}

fn run_hardened(input: &[u8]) -> Verdict {
    let (result, meter) = resolve_hardened(input);
    oracle::verdict(HARDENED.name, input.len(), &result, &meter)
}

/// One twin on one request, with no oracle (see [`crate::dos`]).
fn twin(variant: Variant, input: &[u8]) -> Result<Run<'_>, String> {
    // The sandbox is built while preparing, untimed, like a regex's
    // compilation: a run is the resolution alone.
    let fs = Vfs::new();
    Ok(Box::new(move |meter: &mut Meter| {
        let result = match variant {
            Variant::Vulnerable => vulnerable::resolve(input, &fs, meter),
            _ => hardened::resolve(input, &fs, meter),
        };
        Ending::of(&result, meter)
    }))
}
