//! libFuzzer entry point for `json-hardened`: a shim over the harness library.
#![no_main]

use libfuzzer_sys::{fuzz_target, Corpus};

fuzz_target!(|data: &[u8]| -> Corpus {
    gauntlet_harnesses::adapters::libfuzzer("json-hardened", data)
});
