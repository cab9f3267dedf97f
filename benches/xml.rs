//! Cost of the xml twins on entity expansion, and the hardened twin's
//! throughput against quick-xml.
//!
//! - the attacks (`gauntlet dos --list xml`; see `common`):
//!   `xml/billion-laughs` (n levels of ten references: the vulnerable twin
//!   grows tenfold a level, the hardened one is refused by its
//!   amplification budget from n = 4 on), `xml/quadratic-blowup` (an
//!   n-byte entity referred to n times: n² in the vulnerable twin, refused
//!   past 100 times the document in the hardened one), `xml/element-flood`,
//!   `xml/element-flood-entity` (the memory bomb) and `xml/nested-elements`;
//! - `xml/benign`: a generated 1 MB document without DOCTYPE. `hardened` and
//!   `vulnerable` build the compact event list (16 bytes an event, its text
//!   a span of the input or of one buffer); `quick-xml-items` builds the same
//!   items through quick-xml (what the differential oracle compares);
//!   `quick-xml-events` only reads quick-xml's borrowed events, the floor.
//!
//! The benign twins run with an unlimited meter, so the times are the real
//! cost, and `Throughput::Bytes` turns them into input bytes per second.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::xml::{attacks, reference, Reference};
use gauntlet_targets::meter::Meter;
use gauntlet_targets::xml::{hardened, vulnerable, Document, Error, VirtualFs};

mod common;

type Parse = for<'i> fn(
    &'i [u8],
    &mut dyn gauntlet_targets::xml::Resolver,
    &mut Meter,
) -> Result<Document<'i>, Error>;

const TWINS: [(&str, Parse); 2] =
    [("vulnerable", vulnerable::parse), ("hardened", hardened::parse)];

fn family_attacks(c: &mut Criterion) {
    common::attacks(c, &gauntlet_harnesses::xml::FAMILY);
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

criterion_group!(benches, benign, family_attacks);
criterion_main!(benches);
