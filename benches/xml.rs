//! Cost of the xml twins on entity expansion, and the hardened twin's
//! throughput against quick-xml.
//!
//! - `xml/billion-laughs`: n levels of ten references above `lol`
//!   (3·10ⁿ bytes of output). The vulnerable twin grows tenfold per level
//!   (up to n = 6, 3 MB); the hardened twin is refused by its amplification
//!   budget from n = 4 on, so its time flattens — `hardened/9` is the time to
//!   refuse the classic 794-byte bomb.
//! - `xml/quadratic-blowup`: one 1,000-byte entity referred to n times; the
//!   vulnerable twin is linear in n·1,000, the hardened one refuses past
//!   about 100 times the document.
//! - `xml/element-flood-entity`: an entity of 1,000 `<a/>` referred to n
//!   times behind a padding comment (the memory bomb, 2,000 events per
//!   reference); the vulnerable twin is linear in n·2,000 events, the
//!   hardened one refuses at its memory limit.
//! - `xml/benign`: a generated 1 MB document without DOCTYPE. `hardened` and
//!   `vulnerable` build the compact event list (16 bytes an event, its text
//!   a span of the input or of one buffer); `quick-xml-items` builds the same
//!   items through quick-xml (what the differential oracle compares);
//!   `quick-xml-events` only reads quick-xml's borrowed events, the floor.
//!
//! Every twin runs with an unlimited meter, so the times are the real cost,
//! and `Throughput::Bytes` turns them into input bytes per second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::xml::{attacks, reference, Reference};
use gauntlet_targets::meter::Meter;
use gauntlet_targets::xml::{hardened, vulnerable, Document, Error, VirtualFs};

type Parse = for<'i> fn(
    &'i [u8],
    &mut dyn gauntlet_targets::xml::Resolver,
    &mut Meter,
) -> Result<Document<'i>, Error>;

const TWINS: [(&str, Parse); 2] =
    [("vulnerable", vulnerable::parse), ("hardened", hardened::parse)];

fn billion_laughs(c: &mut Criterion) {
    let mut group = c.benchmark_group("xml/billion-laughs");
    group.sample_size(10);
    for (name, parse) in TWINS {
        let max = if name == "vulnerable" { 6 } else { 9 };
        for levels in 1..=max {
            let input = attacks::billion_laughs(levels);
            group.throughput(Throughput::Bytes(input.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, levels), &input, |b, input| {
                b.iter(|| parse(input, &mut VirtualFs::new(), &mut Meter::unlimited()))
            });
        }
    }
    group.finish();
}

fn quadratic_blowup(c: &mut Criterion) {
    let mut group = c.benchmark_group("xml/quadratic-blowup");
    group.sample_size(10);
    for (name, parse) in TWINS {
        for refs in [10, 100, 1_000, 10_000] {
            let input = attacks::quadratic_blowup(1_000, refs);
            group.throughput(Throughput::Bytes(input.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, refs), &input, |b, input| {
                b.iter(|| parse(input, &mut VirtualFs::new(), &mut Meter::unlimited()))
            });
        }
    }
    group.finish();
}

fn element_flood_entity(c: &mut Criterion) {
    let mut group = c.benchmark_group("xml/element-flood-entity");
    group.sample_size(10);
    for (name, parse) in TWINS {
        for refs in [10, 100, 370] {
            let input = attacks::element_flood_entity(refs);
            group.throughput(Throughput::Bytes(input.len() as u64));
            group.bench_with_input(BenchmarkId::new(name, refs), &input, |b, input| {
                b.iter(|| parse(input, &mut VirtualFs::new(), &mut Meter::unlimited()).is_ok())
            });
        }
    }
    group.finish();
}

fn benign(c: &mut Criterion) {
    let mut group = c.benchmark_group("xml/benign");
    group.sample_size(20);
    let input = attacks::benign_document(1 << 20);
    let n = input.len();
    group.throughput(Throughput::Bytes(n as u64));
    for (name, parse) in TWINS {
        group.bench_with_input(BenchmarkId::new(name, n), &input, |b, input| {
            b.iter(|| parse(input, &mut VirtualFs::new(), &mut Meter::unlimited()).expect("benign"))
        });
    }
    group.bench_with_input(BenchmarkId::new("quick-xml-items", n), &input, |b, input| {
        b.iter(|| match reference(input) {
            Reference::Items(items) => items.len(),
            other => panic!("{other:?}"),
        })
    });
    group.bench_with_input(BenchmarkId::new("quick-xml-events", n), &input, |b, input| {
        b.iter(|| {
            let mut reader = quick_xml::Reader::from_reader(input.as_slice());
            let mut events = 0usize;
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break events,
                    Ok(_) => events += 1,
                    Err(e) => panic!("{e}"),
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, billion_laughs, quadratic_blowup, element_flood_entity, benign);
criterion_main!(benches);
