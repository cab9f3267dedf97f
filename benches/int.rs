//! Cost of the integer twins under the family's attacks, and the hardened
//! twin's fixed-width parse against `str::parse`.
//!
//! - the attacks (`gauntlet dos --list int`; see `common`): `int/big-digits`
//!   (a big integer of n digits parsed and printed back: binary limbs,
//!   O(n²), in the vulnerable twin up to where a run takes about half a
//!   second; decimal limbs, O(n), in the hardened twin, measured with its
//!   digit limit raised to a million) and `int/leading-zeros` (a `u64`
//!   padded with zeros: linear in both);
//! - `int/big-parse`: the big-integer conversion alone by digit count for
//!   both twins (no line decoding), the vulnerable twin up to 102,400
//!   digits (measured 1.9 s a run, parse and print), the hardened one up
//!   to a million (3 ms);
//! - `int/fixed`: every benign number of every width through the
//!   hardened twin's `parse` and through `str::parse`, same inputs, same
//!   run, `Throughput::Bytes` of the batch so criterion prints both
//!   throughputs; their ratio is the cost of the checks and the meter.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::int::attacks::big_digits;
use gauntlet_targets::int::hardened::{self, Limits};
use gauntlet_targets::int::{vulnerable, Width};
use gauntlet_targets::meter::Meter;

mod common;

fn family_attacks(c: &mut Criterion) {
    common::attacks(c, &gauntlet_harnesses::int::FAMILY);
}

fn big_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("int/big-parse");
    group.sample_size(10);
    let raised = Limits::default().with_max_digits(usize::MAX);
    for n in [1_600, 6_400, 25_600, 102_400, 409_600, 1_000_000] {
        let line = big_digits(n);
        let digits = &line[4..];
        group.throughput(Throughput::Bytes(n as u64));
        group.bench_with_input(BenchmarkId::new("hardened", n), digits, |b, d| {
            b.iter(|| hardened::big(d, 4, &raised, &mut Meter::unlimited()).expect("converts"))
        });
        if n <= 102_400 {
            group.bench_with_input(BenchmarkId::new("vulnerable", n), digits, |b, d| {
                b.iter(|| vulnerable::big(d, 4, &mut Meter::unlimited()).expect("converts"))
            });
        }
    }
    group.finish();
}

/// Every width's bounds and a few values in between, as text.
fn numbers() -> Vec<(Width, String)> {
    let mut out = Vec::new();
    for w in Width::ALL {
        let max = w.max_magnitude();
        let mut texts = vec![max.to_string(), (max / 3).to_string(), "0".into(), "7".into()];
        if w.signed() {
            texts.push(format!("-{}", w.min_magnitude()));
            texts.push(format!("-{}", max / 7));
        }
        out.extend(texts.into_iter().map(|t| (w, t)));
    }
    out
}

fn fixed(c: &mut Criterion) {
    let mut group = c.benchmark_group("int/fixed");
    let numbers = numbers();
    let bytes: usize = numbers.iter().map(|(_, t)| t.len()).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(BenchmarkId::new("hardened", bytes), |b| {
        b.iter(|| {
            for (w, t) in &numbers {
                let v = hardened::parse(t.as_bytes(), *w, 0, &mut Meter::unlimited());
                std::hint::black_box(v.expect("parses"));
            }
        })
    });
    group.bench_function(BenchmarkId::new("str_parse", bytes), |b| {
        b.iter(|| {
            for (w, t) in &numbers {
                std::hint::black_box(gauntlet_harnesses::int::reference(*w, t).expect("parses"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, fixed, big_parse, family_attacks);
criterion_main!(benches);
