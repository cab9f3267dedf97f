//! The integer family: one line naming an integer operation, run through
//! twins that wrap or check.
//!
//! - [`oracle`]: the overflow oracle (a result that differs from the
//!   mathematically exact one), the undersized-allocation oracle (a length
//!   product that wrapped), the cost oracle (super-linear big-integer
//!   conversion) and the memory oracle;
//! - [`mod@reference`]: the differential oracle against `str::parse` for
//!   all twelve widths, std's checked operations, and a canonical
//!   big-integer text;
//! - [`attacks`]: the attack generators the tests, benches and CLI share;
//! - [`mutate`]: the structure-aware mutator the fuzz targets use
//!   (well-formed lines, boundary numbers, growing digit runs).

use gauntlet_targets::int::hardened::{self, Limits};
use gauntlet_targets::int::{vulnerable, Answer, Error};
use gauntlet_targets::meter::{Fuse, Meter};

use crate::dos::{Ending, Run};
use crate::target::{Family, Oracle, Target, Variant};
use crate::verdict::{Kind, Verdict};

pub mod attacks;
pub mod mutate;
pub mod oracle;
pub mod reference;

pub use oracle::{bound, exact, Exact, MEMORY};
pub use reference::reference;

/// The integer family: its three targets and what they share.
///
/// A rejected line is not kept in the fuzzer's corpus: every way to a bug
/// runs through lines the twin accepts, and the mutator
/// ([`mutate::mutate`], half of the mutations) keeps lines well-formed.
pub static FAMILY: Family = Family {
    name: "int",
    input_format: "one line (a trailing \\n ignored): `parse TYPE TEXT` | `abs TYPE TEXT` | \
                   `neg TYPE TEXT` | `narrow FROM TO TEXT` | `alloc COUNT SIZE LIMIT` | \
                   `big DIGITS`; TYPE is i8..i128, isize, u8..u128, usize; TEXT is every byte \
                   after the space that follows the type, as given",
    // Room for big integers ten times past where the quadratic conversion
    // is a finding (about 140 digits).
    fuzz_args: &["-max_len=4096"],
    keep_rejected: false,
    mutator: Some(mutate::mutate),
    twin,
    attacks: attacks::all,
    answer: Some(answer),
    targets: &[
        Target {
            name: "int-vulnerable",
            family: &FAMILY,
            variant: Variant::Vulnerable,
            cwes: &[190, 191, 407, 680, 681],
            expected: &[Kind::IntegerOverflow, Kind::UndersizedAllocation, Kind::SuperlinearTime],
            oracles: &[Oracle::Differential, Oracle::Cost],
            source: "targets/src/int/vulnerable.rs",
            run: run_vulnerable,
        },
        Target {
            name: "int-hardened",
            family: &FAMILY,
            variant: Variant::Hardened,
            cwes: &[190, 191, 407, 680, 681],
            expected: &[],
            oracles: &[Oracle::Differential, Oracle::Cost],
            source: "targets/src/int/hardened.rs",
            run: run_hardened,
        },
        Target {
            name: "int-differential",
            family: &FAMILY,
            variant: Variant::Differential,
            cwes: &[190, 436],
            expected: &[],
            oracles: &[Oracle::Differential, Oracle::Cost],
            source: "targets/src/int/hardened.rs",
            run: reference::run_differential,
        },
    ],
};

/// The vulnerable twin under the overflow, allocation, cost and memory
/// oracles.
pub static VULNERABLE: &Target = &FAMILY.targets[0];
/// The hardened twin under the same oracles.
pub static HARDENED: &Target = &FAMILY.targets[1];
/// The hardened twin against `str::parse` and std's checked arithmetic
/// (and under the oracles of [`HARDENED`]).
pub static DIFFERENTIAL: &Target = &FAMILY.targets[2];

/// The digit limit the hardened twin is measured with by `gauntlet dos`,
/// the benches and the campaign's timing stage: a million digits, so its
/// conversion, not its default limit of 4,300, is what the sizes measure.
pub const DOS_LIMITS: Limits = Limits { max_digits: 1_000_000 };

/// The fuse for an `n`-byte line: steps at four times [`bound`]`(n)`, so a
/// quadratic conversion is stopped in time linear in the line, memory at
/// four times [`MEMORY`].
pub fn fuse_for(n: usize) -> Fuse {
    Fuse::default().with_steps(bound(n).saturating_mul(4)).with_memory(MEMORY.fuse(n))
}

/// Runs the vulnerable twin with the fuse for `input`.
pub fn int_vulnerable(input: &[u8]) -> (Result<Answer, Error>, Meter) {
    let mut meter = Meter::new(fuse_for(input.len()));
    let result = vulnerable::run(input, &mut meter);
    (result, meter)
}

/// Runs the hardened twin with its default [`Limits`] and the fuse for
/// `input`.
pub fn int_hardened(input: &[u8]) -> (Result<Answer, Error>, Meter) {
    let mut meter = Meter::new(fuse_for(input.len()));
    let result = hardened::run(input, &mut meter);
    (result, meter)
}

/// What `target`'s twin answers for `input`, in words: the value parsed
/// and the result (`-2147483648 (i32)`, `300 (i64) -> 44 (u8)`), the bytes
/// a length product allocates, the digits of a big integer printed back.
/// An error has no answer: the verdict already names its kind.
fn answer(target: &Target, input: &[u8]) -> Option<String> {
    let (result, _) = match target.variant {
        Variant::Vulnerable => int_vulnerable(input),
        _ => int_hardened(input),
    };
    Some(match result.ok()? {
        Answer::Fixed { operand, result } if operand == result => {
            format!("{result} ({})", result.width())
        }
        Answer::Fixed { operand, result } => {
            format!("{operand} ({}) -> {result} ({})", operand.width(), result.width())
        }
        Answer::Alloc(a) => format!(
            "a buffer of {} bytes for {} elements of {} bytes (limit {})",
            a.bytes, a.count, a.size, a.limit
        ),
        Answer::Big(big) => {
            let digits = big.text.trim_start_matches('-').len();
            if big.text.len() <= 60 {
                format!("{} ({digits} digits, {} limbs)", big.text, big.limbs)
            } else {
                format!("{}... ({digits} digits, {} limbs)", &big.text[..40], big.limbs)
            }
        }
    })
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    let (result, meter) = int_vulnerable(input);
    oracle::verdict(VULNERABLE.name, input, &result, &meter)
}

fn run_hardened(input: &[u8]) -> Verdict {
    let (result, meter) = int_hardened(input);
    oracle::verdict(HARDENED.name, input, &result, &meter)
}

/// One twin on one line, with no oracle (see [`crate::dos`]). The hardened
/// twin runs with [`DOS_LIMITS`]: with its default limit every big integer
/// past 4,300 digits is refused at once, which would measure the refusal.
fn twin(variant: Variant, input: &[u8]) -> Result<Run<'_>, String> {
    Ok(Box::new(move |meter: &mut Meter| {
        let result = match variant {
            Variant::Vulnerable => vulnerable::run(input, meter),
            _ => hardened::run_with(input, &DOS_LIMITS, meter),
        };
        Ending::of(&result, meter)
    }))
}
