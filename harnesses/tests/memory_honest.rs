//! The meter's memory is honest: the real heap peak of a twin's run,
//! counted by a counting global allocator (dhat's), never exceeds the
//! metered peak ([`Cost::memory`]) by more than [`FACTOR`] times plus
//! [`SLACK`] bytes.
//!
//! The twins count what grows with the input (events, nodes, strings,
//! stacks, memo tables) when they allocate it; what they do not count is
//! fixed-size (the compiler's caches, a few buffers) or a growing vector's
//! unused capacity. The factor covers the capacity (a vector that
//! doubles holds at most twice its length) and the allocator's rounding;
//! the slack covers the fixed part and the harness's own bookkeeping.
//!
//! Only the vulnerable and hardened targets are checked: a differential
//! target also runs its reference library, which the meter does not count.
//! dhat's profiler is global to the process, so this file holds one test.
//!
//! [`Cost::memory`]: gauntlet_harnesses::Cost

use gauntlet_harnesses::{int, json, regex, targets, xml, Target, Variant};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// How many times the metered peak the real peak may be.
const FACTOR: u64 = 4;
/// Bytes the real peak may exceed the scaled metered one by: 512 KiB. The
/// largest fixed allocation is regex-automata's when it compiles a Unicode
/// class (its UTF-8 suffix cache, about 320 KiB whatever the pattern's
/// size), which the regex twins do not meter because it does not grow with
/// the input.
const SLACK: u64 = 512 << 10;

/// The real and metered peaks of one run of `input` through `target`.
fn peaks(target: &Target, input: &[u8]) -> (u64, u64) {
    let profiler = dhat::Profiler::builder().testing().build();
    let verdict = target.check(input);
    let real = dhat::HeapStats::get().max_bytes as u64;
    drop(profiler);
    (real, verdict.cost().memory)
}

/// Inputs of a target's family: its seeds and reproducers, repeated up to
/// `times` times end to end (a longer document of the same shape), then
/// cut at `cut` bytes.
fn family_input(target: &Target, pick: usize, times: usize, cut: usize) -> Vec<u8> {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let mut files = Vec::new();
    for dir in [target.family.seeds_dir(), target.family.reproducers_dir()] {
        if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
            files.extend(entries.filter_map(Result::ok).map(|e| e.path()));
        }
    }
    files.retain(|p| p.extension().is_none_or(|e| e != "toml" && e != "md"));
    files.sort();
    let base = std::fs::read(&files[pick % files.len()]).unwrap_or_default();
    let mut input = base.repeat(times.max(1));
    input.truncate(cut.max(1));
    input
}

#[test]
fn real_heap_peak_stays_within_the_metered_peak() {
    let twins: Vec<&Target> = targets().filter(|t| t.variant != Variant::Differential).collect();
    let mut runner = TestRunner::new(Config { cases: 64, ..Config::default() });
    let strategy = (0..twins.len(), 0usize..64, 1usize..200, 1usize..200_000);
    let mut worst = (0.0f64, String::new());
    runner
        .run(&strategy, |(t, pick, times, cut)| {
            let target = twins[t];
            let input = family_input(target, pick, times, cut);
            let (real, metered) = peaks(target, &input);
            prop_assert!(
                real <= FACTOR * metered + SLACK,
                "{}: real heap peak {real} bytes > {FACTOR} x metered {metered} + {SLACK} on a \
                 {}-byte input ({pick}, {times}, {cut})",
                target.name,
                input.len()
            );
            Ok(())
        })
        .unwrap();
    // Every twin on every one of its seeds and reproducers, as they are.
    for target in &twins {
        for pick in 0..64 {
            let input = family_input(target, pick, 1, usize::MAX);
            let (real, metered) = peaks(target, &input);
            // The ratio only says something where the meter counted a
            // real amount; below that, the slack decides.
            let ratio = real as f64 / metered.max(1) as f64;
            if metered >= SLACK && ratio > worst.0 {
                worst = (ratio, format!("{} pick {pick}", target.name));
            }
            assert!(
                real <= FACTOR * metered + SLACK,
                "{}: real heap peak {real} bytes > {FACTOR} x metered {metered} + {SLACK} on \
                 corpus file {pick}",
                target.name
            );
        }
    }
    // The families' attacks and large benign documents, where the meter
    // counts megabytes.
    let attacks: [(&str, Vec<u8>); 12] = [
        ("xml", xml::attacks::element_flood(200_000)),
        ("xml", xml::attacks::element_flood_entity(370)),
        ("xml", xml::attacks::benign_document(1 << 20)),
        ("xml", xml::attacks::quadratic_blowup(10_000, 300)),
        ("json", json::attacks::nested_arrays(1_500)),
        ("json", json::attacks::colliding_object(4_000)),
        ("json", json::documents::benign(1 << 20)),
        ("regex", regex::attacks::star_run(1_500)),
        ("regex", regex::attacks::trailing_whitespace(3_000)),
        ("regex", regex::join("[a-z]*", &vec![b'a'; 1 << 20])),
        ("int", int::attacks::big_digits(4_300)),
        ("int", int::attacks::big_digits(100_000)),
    ];
    for (family, input) in &attacks {
        for target in twins.iter().filter(|t| t.family.name == *family) {
            let (real, metered) = peaks(target, input);
            let ratio = real as f64 / metered.max(1) as f64;
            if metered >= SLACK && ratio > worst.0 {
                worst = (ratio, format!("{} on a {}-byte attack", target.name, input.len()));
            }
            assert!(
                real <= FACTOR * metered + SLACK,
                "{}: real heap peak {real} bytes > {FACTOR} x metered {metered} + {SLACK} on a \
                 {}-byte attack",
                target.name,
                input.len()
            );
        }
    }
    println!(
        "worst real/metered ratio where the meter counted over {SLACK} bytes: {:.2} ({})",
        worst.0, worst.1
    );
}
