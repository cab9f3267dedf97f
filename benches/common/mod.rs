//! What every family's bench shares: each of the family's attacks
//! ([`gauntlet_harnesses::dos`]) on both twins across its sizes.
//!
//! One group per attack, `<family>/<attack>`, one benchmark per twin and
//! size, `BenchmarkId::new(<variant>, n)`, with `Throughput::Bytes` of the
//! input, so criterion prints attacker bytes per second and
//! `gauntlet dos --from-criterion` finds each point by its name. The sizes
//! are the attack's own, up to the first whose single run takes more than
//! [`SIZE_BUDGET`]: each vulnerable run stays under about a second, and an
//! exponential twin stops where it should. Each run is the prepared twin
//! under the dos fuse on a deep stack, exactly what `gauntlet dos` times.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use gauntlet_harnesses::dos::{measure, metered, twins, Plan, FUSE};
use gauntlet_harnesses::Family;

/// The longest single run a bench point may take.
pub const SIZE_BUDGET: Duration = Duration::from_millis(500);

/// Benches every attack of `family` that the campaign measures.
pub fn attacks(c: &mut Criterion, family: &'static Family) {
    for attack in (family.attacks)().iter().filter(|a| a.in_campaign) {
        let mut group = c.benchmark_group(format!("{}/{}", family.name, attack.name));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        for twin in twins(family) {
            // One timed run a size picks the sizes: the budget cuts the
            // twin off after the first too slow one, which is left out.
            let plan = Plan {
                sizes: attack.sizes.clone(),
                budget: SIZE_BUDGET,
                timed: true,
                max_work: u64::MAX,
                repeats: 1,
            };
            let series = measure(twin, attack, &plan, |_| {});
            let budget_ns = SIZE_BUDGET.as_secs_f64() * 1e9;
            for sample in series.measured().filter(|s| s.time_ns.is_some_and(|t| t < budget_ns)) {
                let input = attack.input(sample.n);
                let Ok(run) = (family.twin)(twin.variant, &input) else { continue };
                group.throughput(Throughput::Bytes(input.len() as u64));
                group.bench_function(BenchmarkId::new(twin.variant.name(), sample.n), |b| {
                    b.iter(|| metered(&run, FUSE))
                });
            }
        }
        group.finish();
    }
}
