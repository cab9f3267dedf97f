//! libFuzzer entry point for `xml-differential`: a shim over the harness library.
//!
//! Unlike the regex shims, a rejected (malformed) document stays eligible
//! for the corpus: the way from nothing to a DTD goes through half-written
//! declarations, each one new coverage.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gauntlet_harnesses::adapters::fuzz("xml-differential", data);
});
