//! Cost of the format twins under the family's attacks, and the hardened
//! twin's throughput on benign templates.
//!
//! - the attacks (`gauntlet dos --list format`; see `common`):
//!   `format/width` (n/10 fields of width 99,999: the vulnerable twin
//!   produces about 10,000 bytes per template byte; the hardened twin
//!   refuses the first width) and `format/nested-fields` (fields nested
//!   n/4 deep: the vulnerable twin recurses, the hardened twin refuses the
//!   third level);
//! - `format/benign`: every template of `attacks::BENIGN` through both
//!   twins with an unlimited meter, `Throughput::Bytes` of the whole batch.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::format::attacks::BENIGN;
use gauntlet_targets::format::{hardened, vulnerable, Error, Formatted, Graph};
use gauntlet_targets::meter::Meter;

mod common;

type Format = fn(&[u8], &Graph, &mut Meter) -> Result<Formatted, Error>;

const TWINS: [(&str, Format); 2] =
    [("hardened", hardened::format), ("vulnerable", vulnerable::format)];

fn family_attacks(c: &mut Criterion) {
    common::attacks(c, &gauntlet_harnesses::format::FAMILY);
}

fn benign(c: &mut Criterion) {
    let mut group = c.benchmark_group("format/benign");
    let bytes: usize = BENIGN.iter().map(|t| t.len()).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    let graph = Graph::new();
    for (name, format) in TWINS {
        group.bench_function(BenchmarkId::new(name, bytes), |b| {
            b.iter(|| {
                for template in BENIGN {
                    let out = format(template.as_bytes(), &graph, &mut Meter::unlimited());
                    std::hint::black_box(out.expect("formatted"));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, benign, family_attacks);
criterion_main!(benches);
