//! Cost of the path twins under the family's attacks, and the hardened
//! twin's throughput on benign requests.
//!
//! - the attacks (`gauntlet dos --list path`; see `common`):
//!   `path/cleanup-loop` (n slashes: the vulnerable twin's clean-up removes
//!   one `//` a round, n², the hardened twin one pass),
//!   `path/nested-encoding` (n nested `%25`: decoded until nothing changes,
//!   n²; refused after one decoding by the hardened twin) and
//!   `path/deep-traversal` (n encoded `../`: linear in both);
//! - `path/benign`: every request of `attacks::BENIGN` (plain, nested, dot
//!   segments, `\`, encoded letters, symlinks inside the root) through
//!   both twins with an unlimited meter, `Throughput::Bytes` of the whole
//!   batch, so criterion prints request bytes per second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::path::attacks::BENIGN;
use gauntlet_targets::meter::Meter;
use gauntlet_targets::path::{hardened, vulnerable, Error, Served, Vfs};

mod common;

type Resolve = fn(&[u8], &Vfs, &mut Meter) -> Result<Served, Error>;

const TWINS: [(&str, Resolve); 2] =
    [("hardened", hardened::resolve), ("vulnerable", vulnerable::resolve)];

fn family_attacks(c: &mut Criterion) {
    common::attacks(c, &gauntlet_harnesses::path::FAMILY);
}

fn benign(c: &mut Criterion) {
    let mut group = c.benchmark_group("path/benign");
    let bytes: usize = BENIGN.iter().map(|r| r.len()).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    let fs = Vfs::new();
    for (name, resolve) in TWINS {
        group.bench_function(BenchmarkId::new(name, bytes), |b| {
            b.iter(|| {
                for request in BENIGN {
                    let served = resolve(request.as_bytes(), &fs, &mut Meter::unlimited());
                    std::hint::black_box(served.expect("served"));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, benign, family_attacks);
criterion_main!(benches);
