//! libFuzzer entry point for `int-differential`; everything but the name comes from
//! the target's family (see `gauntlet_harnesses::fuzz_target!`).
#![no_main]

gauntlet_harnesses::fuzz_target!("int-differential");
