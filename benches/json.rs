//! Cost growth of the JSON twins under the family's attacks, and the hardened
//! twin's throughput against serde_json on a benign document.
//!
//! - `json/depth`: n nested arrays, closed. The vulnerable twin recurses n
//!   levels deep (its time grows linearly; the real cost is n call-stack
//!   frames); the hardened twin refuses at depth 129, so its time stops
//!   growing.
//! - `json/collision`: an object of n keys with one DJBX33A hash
//!   (`attacks::colliding_object`). The vulnerable twin's chained table makes
//!   it n²/2 key comparisons; the hardened twin's randomly keyed index keeps
//!   it linear.
//! - `json/benign`: a benign document of about 1 MB (`documents::benign`),
//!   hardened twin against `serde_json::from_slice::<serde_json::Value>`,
//!   both building an owned value, with `Throughput::Bytes` so criterion
//!   prints both throughputs from the same run. (serde_json is built with
//!   `float_roundtrip` here, for the exact differential oracle.)
//!
//! Every run uses an unlimited meter, so the times are the real cost of the
//! attack. The benches run on a thread with a 512 MiB stack, which the
//! vulnerable twin's deepest run needs.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::json::{attacks, documents};
use gauntlet_targets::json::{hardened, vulnerable};
use gauntlet_targets::meter::Meter;

fn depth(c: &mut Criterion) {
    let mut group = c.benchmark_group("json/depth");
    group.sample_size(10);
    for n in [100, 1_000, 10_000, 100_000] {
        let input = attacks::nested_arrays(n);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("vulnerable", n), &input, |b, input| {
            b.iter(|| vulnerable::parse(input, &mut Meter::unlimited()).expect("parses"))
        });
        group.bench_with_input(BenchmarkId::new("hardened", n), &input, |b, input| {
            b.iter(|| hardened::parse(input, &mut Meter::unlimited()).is_err() == (n > 128))
        });
    }
    group.finish();
}

fn collision(c: &mut Criterion) {
    let mut group = c.benchmark_group("json/collision");
    group.sample_size(10);
    for n in [256, 1_024, 4_096, 16_384] {
        let input = attacks::colliding_object(n);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("vulnerable", n), &input, |b, input| {
            b.iter(|| vulnerable::parse(input, &mut Meter::unlimited()).expect("parses"))
        });
        group.bench_with_input(BenchmarkId::new("hardened", n), &input, |b, input| {
            b.iter(|| hardened::parse(input, &mut Meter::unlimited()).expect("parses"))
        });
    }
    group.finish();
}

fn benign(c: &mut Criterion) {
    let mut group = c.benchmark_group("json/benign");
    let input = documents::benign(1 << 20);
    let n = input.len();
    group.throughput(Throughput::Bytes(n as u64));
    group.bench_with_input(BenchmarkId::new("hardened", n), &input, |b, input| {
        b.iter(|| hardened::parse(input, &mut Meter::unlimited()).expect("parses"))
    });
    group.bench_with_input(BenchmarkId::new("serde_json", n), &input, |b, input| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(input).expect("parses"))
    });
    group.finish();
}

criterion_group!(benches, benign, depth, collision);

fn main() {
    // criterion_main!, on a thread with room for 100,000 recursive levels.
    std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(|| {
            benches();
            Criterion::default().configure_from_args().final_summary();
        })
        .expect("spawn the bench thread")
        .join()
        .expect("the benches finish");
}
