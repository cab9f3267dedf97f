//! Cost growth of the JSON twins under the family's attacks, and the hardened
//! twin's throughput against serde_json on a benign document.
//!
//! - the attacks (`gauntlet dos --list json`; see `common`): `json/depth`
//!   (the vulnerable twin recurses n levels, to its depth fuse; the hardened
//!   twin refuses at 129, so its time stops growing), `json/colliding-keys`
//!   (n keys with one DJBX33A hash: n²/2 probes in the vulnerable twin's
//!   chained table, linear in the hardened twin's keyed index),
//!   `json/spread-keys` (the control) and `json/long-number`;
//! - `json/benign`: a benign document of about 1 MB (`documents::benign`),
//!   hardened twin against `serde_json::from_slice::<serde_json::Value>`,
//!   both building an owned value, with `Throughput::Bytes` so criterion
//!   prints both throughputs from the same run. (serde_json is built with
//!   `float_roundtrip` here, for the exact differential oracle.)
//!
//! The benches run on a thread with a 512 MiB stack.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::json::documents;
use gauntlet_targets::json::hardened;
use gauntlet_targets::meter::Meter;

mod common;

fn family_attacks(c: &mut Criterion) {
    common::attacks(c, &gauntlet_harnesses::json::FAMILY);
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

criterion_group!(benches, benign, family_attacks);

fn main() {
    // criterion_main!, on a thread with a big stack.
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
