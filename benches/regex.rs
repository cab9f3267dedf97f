//! Cost growth of the regex twins under the family's attacks
//! (`gauntlet dos --list regex`): `(a+)+$` and `(a|aa)*$` exponential in
//! the vulnerable twin, `\s+$` quadratic, `a*` linear with a stack frame
//! per byte; the hardened twin linear in all of them. See `common` for the
//! groups, names and sizes.

use criterion::{criterion_group, criterion_main, Criterion};

mod common;

fn family_attacks(c: &mut Criterion) {
    common::attacks(c, &gauntlet_harnesses::regex::FAMILY);
}

criterion_group!(benches, family_attacks);
criterion_main!(benches);
