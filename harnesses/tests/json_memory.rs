//! The JSON family's memory oracle: the hardened twin under its bound on
//! every attack and on large benign documents, the vulnerable twin's
//! recursion reported as memory amplification below its depth fuse.
//!
//! `cargo test --release --test json_memory -- --nocapture` prints the bytes
//! held per input byte quoted in `targets/src/json/hardened.rs`.

use gauntlet_harnesses::guard::deep;
use gauntlet_harnesses::json::{attacks, documents, DIFFERENTIAL, HARDENED, MEMORY, VULNERABLE};
use gauntlet_harnesses::{Kind, Verdict};
use gauntlet_targets::json::vulnerable::FRAME_BYTES;
use gauntlet_targets::json::{hardened, vulnerable, ErrorKind};
use gauntlet_targets::meter::{Fuse, Meter, Resource};

/// A flat array of `n` copies of `item`.
fn flat(item: &str, n: usize) -> Vec<u8> {
    format!("[{}]", vec![item; n].join(",")).into_bytes()
}

/// An object of `n` members whose keys are the shortest distinct strings:
/// one character each (every scalar value from U+0020 up that needs no
/// escape), each value 0.
fn short_keys(n: usize) -> Vec<u8> {
    let keys = (0x20..).filter_map(char::from_u32).filter(|c| !matches!(c, '"' | '\\'));
    let members: Vec<String> = keys.take(n).map(|c| format!("\"{c}\":0")).collect();
    format!("{{{}}}", members.join(",")).into_bytes()
}

/// The documents the hardened twin is held to: every attack generator, the
/// densest shapes per byte, and benign documents.
fn documents() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("bracket flood", attacks::bracket_flood(100_000)),
        ("nested arrays 128", attacks::nested_arrays(128)),
        ("wrapped nest 1500", attacks::wrapped_nest(1_500)),
        ("object nest 5000", attacks::object_nest(5_000)),
        ("colliding keys 4096", attacks::colliding_object(4_096)),
        ("spread keys 20000", attacks::spread_object(20_000)),
        // Just past a power of two: the shared buffer at twice the length.
        ("flat zeros 2^16+1", flat("0", (1 << 16) + 1)),
        ("flat empty arrays", flat("[]", 50_000)),
        ("flat empty strings", flat("\"\"", 50_000)),
        ("flat one-element arrays", flat("[0]", 50_000)),
        ("flat floats", flat("1.5", 50_000)),
        ("flat small objects", flat("{\"a\":0}", 20_000)),
        ("one-character keys", short_keys(40_000)),
        ("escapes", format!("[\"{}\"]", "\\n".repeat(100_000)).into_bytes()),
        ("benign 1 MiB", documents::benign(1 << 20)),
    ]
}

#[test]
fn hardened_holds_at_most_48_bytes_per_input_byte_and_stays_under_the_bound() {
    for (name, doc) in documents() {
        let mut meter = Meter::new(Fuse::unlimited());
        let result = hardened::parse(&doc, &mut meter);
        let memory = meter.cost().memory;
        let per_byte = memory as f64 / doc.len() as f64;
        println!("{name}: {} bytes, {memory} held, {per_byte:.1} a byte", doc.len());
        assert!(memory <= MEMORY.of(doc.len()), "{name}: {memory} > {}", MEMORY.of(doc.len()));
        assert!(memory <= 48 * doc.len() as u64 + 4096, "{name}: {per_byte:.1} a byte");
        // What is still held is the value returned, nothing else.
        if result.is_ok() {
            assert!(meter.held() <= memory);
        }
        for target in [&HARDENED, &DIFFERENTIAL] {
            let v = target.check(&doc);
            let kind = v.finding().map(|f| f.kind);
            assert_ne!(kind, Some(Kind::MemoryAmplification), "{}: {name}: {v:?}", target.name);
        }
    }
}

#[test]
fn the_densest_document_costs_what_the_docs_say() {
    // 2^16 + 1 zeros: the buffer doubled to 2^17 values (32 bytes each),
    // the array allocated at its exact size, the stack's four frames.
    let n = (1 << 16) + 1;
    let doc = flat("0", n);
    let mut meter = Meter::new(Fuse::unlimited());
    hardened::parse(&doc, &mut meter).unwrap();
    let frames = 4 * 24;
    assert_eq!(meter.cost().memory, (1 << 17) * 32 + n as u64 * 32 + frames);
    assert_eq!(meter.held(), n as u64 * 32, "the array; the buffers are given back");
}

#[test]
fn the_same_document_holds_the_same_memory_every_time() {
    let doc = documents::benign(100_000);
    let costs: Vec<u64> = (0..3)
        .map(|_| {
            let mut meter = Meter::default();
            hardened::parse(&doc, &mut meter).unwrap();
            meter.cost().memory
        })
        .collect();
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "{costs:?}");
}

#[test]
fn the_memory_fuse_stops_a_parse_before_it_allocates() {
    let doc = documents::benign(100_000);
    for twin in ["hardened", "vulnerable"] {
        let mut meter = Meter::new(Fuse::default().with_memory(10_000));
        let e = match twin {
            "hardened" => hardened::parse(&doc, &mut meter).unwrap_err(),
            _ => deep(|| vulnerable::parse(&doc, &mut meter)).unwrap_err(),
        };
        let ErrorKind::Fuse(blown) = e.kind else { panic!("{twin}: {e}") };
        assert_eq!((blown.resource, blown.limit), (Resource::Memory, 10_000), "{twin}");
        // The refused hold is counted; nothing past it was allocated.
        assert!(meter.cost().memory <= 10_000 + 64 * 1024, "{twin}: {}", meter.cost());
    }
}

#[test]
fn nesting_below_the_depth_fuse_is_memory_amplification_for_the_vulnerable_twin() {
    for input in
        [attacks::wrapped_nest(1_500), attacks::nested_arrays(1_500), attacks::bracket_flood(1_999)]
    {
        let v = VULNERABLE.check(&input);
        let f = v.finding().unwrap_or_else(|| panic!("no finding: {v:?}"));
        assert_eq!((f.kind, f.cwe), (Kind::MemoryAmplification, 789), "{}", f.summary);
        assert!(f.cost.depth >= 1_500 && f.cost.depth < Fuse::DEPTH, "{}", f.cost);
        assert!(f.cost.memory >= f.cost.depth * FRAME_BYTES, "{}", f.cost);
        assert!(f.summary.contains("64 x input + 65536"), "{}", f.summary);

        let Verdict::Rejected { reason, cost } = HARDENED.check(&input) else {
            panic!("hardened does not refuse");
        };
        assert!(reason.starts_with("depth limit"), "{reason}");
        assert!(cost.memory < 8 << 10, "{cost}");
        assert_eq!(DIFFERENTIAL.check(&input).status(), "rejected");
    }
}

#[test]
fn the_frames_cross_the_bound_at_586_closed_levels() {
    // At the deepest point the vulnerable twin holds its frames and nothing
    // else (no array is complete yet): 240 · d against 64 · 2d + 64 KiB.
    let clean = attacks::nested_arrays(585);
    assert_eq!(VULNERABLE.check(&clean).status(), "clean");
    let over = attacks::nested_arrays(586);
    let v = VULNERABLE.check(&over);
    let f = v.finding().expect("a finding");
    assert_eq!(f.kind, Kind::MemoryAmplification);
    assert_eq!(f.cost.memory, 586 * FRAME_BYTES);
}

#[test]
fn the_depth_fuse_still_decides_deeper_floods() {
    // The memory fuse (four times the bound) never trips first: the
    // recursion oracle keeps its verdict.
    for input in [attacks::bracket_flood(2_001), attacks::object_nest(5_000)] {
        let v = VULNERABLE.check(&input);
        assert_eq!(v.finding().map(|f| f.kind), Some(Kind::UnboundedRecursion));
    }
}

#[test]
fn the_reproducer_is_the_generator_output() {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../corpora/json/reproducers/wrapped-nest.json");
    assert_eq!(std::fs::read(path).unwrap(), attacks::wrapped_nest(1_500));
}
