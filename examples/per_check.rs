//! Wall time per check of every target on a tiny input of its family: a
//! timed loop over 10,000 checks after 1,000 warm-up checks. A measurement
//! for people (issue 8's per-check cost), not a test.
//!
//! `cargo run --release --example per_check`

use std::time::Instant;

use gauntlet_harnesses::targets;

fn tiny(family: &str) -> &'static [u8] {
    match family {
        "regex" => b"a+b\naab",
        "json" => b"[1,{\"a\":2}]",
        "xml" => b"<a x='1'>t</a>",
        _ => b"x",
    }
}

fn main() {
    const N: u32 = 10_000;
    for t in targets() {
        let input = tiny(t.family.name);
        for _ in 0..1_000 {
            std::hint::black_box(t.check(input));
        }
        let start = Instant::now();
        for _ in 0..N {
            std::hint::black_box(t.check(std::hint::black_box(input)));
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / f64::from(N);
        println!("{:<20} {us:>9.2} us/check", t.name);
    }
}
