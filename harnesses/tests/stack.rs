//! The stack the recursive twins need, measured: every vulnerable twin
//! driven to its depth fuse, the real stack it used read from the meter
//! ([`Meter::stack_span`]), and the total held against the budget
//! [`STACK_NEED`] that `guard::deep` guarantees.
//!
//! `cargo test --test stack -- --nocapture` prints the figures quoted in
//! `guard::STACK_NEED`'s documentation (run it with `--release` too).

use gauntlet_harnesses::guard::{deep, STACK_NEED};
use gauntlet_harnesses::{json, xml};
use gauntlet_targets::meter::{Fuse, Meter};

/// Bytes of real stack per level of recursion and the depth reached.
fn per_level(meter: &Meter) -> (usize, u64) {
    let depth = meter.cost().depth;
    assert!(depth > 100, "the input did not recurse: depth {depth}");
    (meter.stack_span() / (depth as usize - 1), depth)
}

fn measure() -> Vec<(&'static str, usize, u64)> {
    let mut out = Vec::new();
    // Entity expansion and element nesting: one level per entity or element.
    let mut chain = String::from("<!DOCTYPE r [<!ENTITY e0 \"x\">");
    for i in 1..3000 {
        chain.push_str(&format!("<!ENTITY e{i} \"&e{};\">", i - 1));
    }
    chain.push_str("]><r>&e2999;</r>");
    for (what, input) in [
        ("xml-vulnerable (entities)", chain.into_bytes()),
        // A loop, not a recursion: next to nothing a level.
        ("xml-vulnerable (elements)", xml::attacks::nested_elements(3000)),
    ] {
        let (_, meter, _) = deep(|| xml::parse_vulnerable(&input));
        let (bytes, depth) = per_level(&meter);
        out.push((what, bytes, depth));
    }
    let input = json::attacks::nested_arrays(3000);
    let meter = deep(|| {
        let mut meter = Meter::new(json::fuse_for(input.len()));
        let _ = gauntlet_targets::json::vulnerable::parse(&input, &mut meter);
        meter
    });
    let (bytes, depth) = per_level(&meter);
    out.push(("json-vulnerable", bytes, depth));
    let re = gauntlet_targets::regex::vulnerable::Regex::new("(?:a|b)*c").unwrap();
    let hay = vec![b'a'; 5000];
    let meter = deep(|| {
        let mut meter = Meter::new(Fuse::default());
        let _ = re.find(&hay, &mut meter);
        meter
    });
    let (bytes, depth) = per_level(&meter);
    out.push(("regex-vulnerable", bytes, depth));
    out
}

#[test]
fn deep_inputs_fit_the_stack_budget() {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    for (what, bytes, depth) in measure() {
        let need = bytes * Fuse::DEPTH as usize;
        println!(
            "{what}: {bytes} bytes per level ({profile}), depth {depth}; {} KiB at the fuse of \
             {} levels; budget {} KiB",
            need >> 10,
            Fuse::DEPTH,
            STACK_NEED >> 10
        );
        assert_eq!(depth, Fuse::DEPTH, "{what} stopped before the depth fuse");
        // Half the budget at most: the caller's own frames and the
        // oracle's run on the same stack.
        assert!(2 * need <= STACK_NEED, "{what}: {need} bytes at the fuse, budget {STACK_NEED}");
    }
}
