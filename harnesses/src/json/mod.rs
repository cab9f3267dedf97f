//! The JSON family: a JSON text through a recursive-descent parser.
//!
//! - [`oracle`]: the cost oracle (recursion at the depth fuse, hash
//!   probes), the number oracle and the memory oracle;
//! - [`mod@reference`]: the differential oracle against serde_json;
//! - [`attacks`] and [`documents`]: the attack generators and benign
//!   documents the tests, benches and CLI share;
//! - [`mutate`]: the structure-aware mutator the fuzz targets use.

use gauntlet_targets::json::{hardened, probe_bound, vulnerable};
use gauntlet_targets::meter::{Fuse, Meter};

use crate::dos::{Ending, Run};
use crate::guard::deep;
use crate::target::{Family, Oracle, Target, Variant};
use crate::verdict::{Kind, Verdict};

pub mod attacks;
pub mod documents;
pub mod mutate;
pub mod oracle;
pub mod reference;

pub use oracle::{exact_integer, number_overflow, MEMORY};
pub use reference::{difference, reference, Exception};

/// The JSON family: its three targets and what they share.
pub static FAMILY: Family = Family {
    name: "json",
    input_format: "a JSON text (RFC 8259), as bytes",
    // Room for nesting past the depth fuse (2,000 levels, 4,000 bytes
    // closed) in a document that also holds other values.
    fuzz_args: &["-max_len=16384"],
    keep_rejected: false,
    mutator: Some(mutate::mutate),
    twin,
    attacks: attacks::all,
    answer: Some(answer),
    targets: &[
        Target {
            name: "json-vulnerable",
            family: &FAMILY,
            variant: Variant::Vulnerable,
            cwes: &[674, 407, 190, 789],
            expected: &[
                Kind::UnboundedRecursion,
                Kind::HashCollision,
                Kind::IntegerOverflow,
                Kind::MemoryAmplification,
            ],
            oracles: &[Oracle::Cost, Oracle::Differential],
            source: "targets/src/json/vulnerable.rs",
            run: run_vulnerable,
        },
        Target {
            name: "json-hardened",
            family: &FAMILY,
            variant: Variant::Hardened,
            cwes: &[674, 407, 190, 789],
            expected: &[],
            oracles: &[Oracle::Cost, Oracle::Differential],
            source: "targets/src/json/hardened.rs",
            run: run_hardened,
        },
        Target {
            name: "json-differential",
            family: &FAMILY,
            variant: Variant::Differential,
            cwes: &[436],
            expected: &[],
            oracles: &[Oracle::Differential, Oracle::Cost],
            source: "targets/src/json/hardened.rs",
            run: reference::run_differential,
        },
    ],
};

/// The vulnerable twin under the cost and number oracles.
pub static VULNERABLE: &Target = &FAMILY.targets[0];
/// The hardened twin under the cost and number oracles.
pub static HARDENED: &Target = &FAMILY.targets[1];
/// The hardened twin against `serde_json::Value`.
pub static DIFFERENTIAL: &Target = &FAMILY.targets[2];

/// The fuse for an input of `len` bytes: steps never trip (a value takes at
/// least a byte), probes trip at four times [`probe_bound`] of the whole
/// input (at least a million), memory at four times the [`MEMORY`] bound,
/// depth at [`Fuse::DEPTH`].
pub fn fuse_for(len: usize) -> Fuse {
    let n = len as u64;
    Fuse::default()
        .with_steps(Fuse::STEPS.max(n.saturating_add(1)))
        .with_probes(probe_bound(n).saturating_mul(4).max(1_000_000))
        .with_memory(MEMORY.fuse(len))
}

/// What `target`'s twin answers for `input`, in words: the value's shape
/// (`an object of 3 members, nesting depth 2`) or the scalar itself.
fn answer(target: &Target, input: &[u8]) -> Option<String> {
    let describe = |value: &gauntlet_targets::json::Value| {
        use gauntlet_targets::json::Value as V;
        let depth = value.depth();
        match value {
            V::Null => "null".to_owned(),
            V::Bool(b) => b.to_string(),
            V::Number(n) => format!("the number {}", n.literal()),
            V::String(text) => {
                let shown: String = text.chars().take(60).collect();
                let more = if shown.len() < text.len() { "..." } else { "" };
                format!("the string {shown:?}{more}")
            }
            V::Array(items) => format!("an array of {} values, nesting depth {depth}", items.len()),
            V::Object(members) => {
                format!("an object of {} members, nesting depth {depth}", members.len())
            }
        }
    };
    // On a deep stack: the vulnerable twin's value drops recursively.
    deep(|| {
        let mut meter = Meter::new(fuse_for(input.len()));
        match target.variant {
            Variant::Vulnerable => vulnerable::parse(input, &mut meter).ok().map(|v| describe(&v)),
            _ => hardened::parse(input, &mut meter).ok().map(|v| describe(&v)),
        }
    })
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    // The whole run, the value's recursive drop included, on a deep stack.
    deep(|| {
        let mut meter = Meter::new(fuse_for(input.len()));
        let result = vulnerable::parse(input, &mut meter);
        oracle::verdict(VULNERABLE.name, result, &meter, input.len(), None)
    })
}

fn run_hardened(input: &[u8]) -> Verdict {
    let mut meter = Meter::new(fuse_for(input.len()));
    let result = hardened::parse(input, &mut meter);
    let limit = hardened::Config::DEPTH_LIMIT as u64;
    oracle::verdict(HARDENED.name, result, &meter, input.len(), Some(limit))
}

/// One twin on one text, with no oracle (see [`crate::dos`]). The value is
/// dropped inside: its recursive drop is part of the cost.
fn twin(variant: Variant, input: &[u8]) -> Result<Run<'_>, String> {
    Ok(Box::new(move |meter: &mut Meter| {
        let result = match variant {
            Variant::Vulnerable => vulnerable::parse(input, meter).map(drop),
            _ => hardened::parse(input, meter).map(drop),
        };
        Ending::of(&result, meter)
    }))
}
