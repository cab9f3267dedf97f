//! The attack generators' growth on the metered work, decided
//! deterministically: every vulnerable twin shows the class its family
//! declares for the attack, every hardened twin stays linear (step exponent
//! at most 1.15) over at least a 100× range of input sizes.

use gauntlet_harnesses::dos::{measure, twins, Plan};
use gauntlet_harnesses::growth::LINEAR_MAX;
use gauntlet_harnesses::{Variant, FAMILIES};

/// Work past which a twin is cut off: a fraction of a second a run in a
/// debug build.
const MAX_WORK: u64 = 10_000_000;

#[test]
fn every_attack_grows_as_declared_on_both_twins() {
    let mut failures = Vec::new();
    for family in FAMILIES {
        for attack in (family.attacks)().iter().filter(|a| a.in_campaign) {
            for twin in twins(family) {
                let series =
                    measure(twin, attack, &Plan::metered(attack.sizes.clone(), MAX_WORK), |_| {});
                let growth = series.growth();
                let Some(fit) = growth.steps else {
                    failures.push(format!(
                        "{} {}: too few sizes {:?}",
                        twin.name, attack.name, series.cut_off
                    ));
                    continue;
                };
                let measured: Vec<_> = series.measured().collect();
                let range = measured.last().unwrap().n as f64 / measured.first().unwrap().n as f64;
                let line = format!(
                    "{:<16} {:<22} {:<11} k={:.2} base={:?} r2={:.3} sizes {}..{} ({range:.0}x) {:?}",
                    twin.name, attack.name, fit.class, fit.exponent, fit.base, fit.r2,
                    measured.first().unwrap().n, measured.last().unwrap().n, series.cut_off
                );
                println!("{line}");
                let ok = match twin.variant {
                    Variant::Vulnerable => fit.class == attack.vulnerable,
                    _ => {
                        fit.exponent <= LINEAR_MAX && !fit.class.is_superlinear() && range >= 100.0
                    }
                };
                if !ok {
                    failures.push(line);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
