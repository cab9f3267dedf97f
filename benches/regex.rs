//! Cost growth of the regex twins on `(a+)+$` against n `a`s and a `!`.
//!
//! The vulnerable twin doubles with every `a` (up to n = 24, about a second
//! an iteration); the hardened twin grows linearly (up to n = 10^6). Both
//! run with an unlimited meter, so the times are the real cost of the attack,
//! and `Throughput::Bytes` turns them into attacker bytes per second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::regex::{attacks, split};
use gauntlet_targets::meter::Meter;
use gauntlet_targets::regex::{hardened, vulnerable};

fn haystack(n: usize) -> Vec<u8> {
    let input = attacks::nested_plus(n);
    split(&input).1.to_vec()
}

fn nested_plus(c: &mut Criterion) {
    let mut group = c.benchmark_group("regex/nested-plus");
    group.sample_size(10);

    let re = vulnerable::Regex::new("(a+)+$").expect("compiles");
    for n in [8, 12, 16, 20, 22, 24] {
        let hay = haystack(n);
        group.throughput(Throughput::Bytes(hay.len() as u64));
        group.bench_with_input(BenchmarkId::new("vulnerable", n), &hay, |b, hay| {
            b.iter(|| re.find(hay, &mut Meter::unlimited()).expect("no fuse"))
        });
    }

    let re = hardened::Regex::new("(a+)+$").expect("compiles");
    for n in [8, 24, 1_000, 10_000, 100_000, 1_000_000] {
        let hay = haystack(n);
        group.throughput(Throughput::Bytes(hay.len() as u64));
        group.bench_with_input(BenchmarkId::new("hardened", n), &hay, |b, hay| {
            b.iter(|| re.find(hay, &mut Meter::unlimited()).expect("within limits"))
        });
    }
    group.finish();
}

criterion_group!(benches, nested_plus);
criterion_main!(benches);
