//! libFuzzer entry point for `xml-vulnerable`: a shim over the harness library.
//!
//! Unlike the regex shims, a rejected (malformed) document stays eligible
//! for the corpus, and half of the mutations are structural
//! (`gauntlet_harnesses::xml::mutate`): the way from nothing to an entity
//! bomb goes through half-written declarations.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};

fuzz_target!(|data: &[u8]| {
    let _ = gauntlet_harnesses::adapters::fuzz("xml-vulnerable", data);
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    match gauntlet_harnesses::xml::mutate(&data[..size], max_size, seed) {
        Some(next) => {
            data[..next.len()].copy_from_slice(&next);
            next.len()
        }
        None => fuzzer_mutate(data, size, max_size),
    }
});
