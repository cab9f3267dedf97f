//! The cost meter every target counts its work on, and the fuse that stops a
//! run deterministically.
//!
//! A target does not measure time. It reports *work*: one [`Meter::step`] per
//! unit of matching or parsing work, [`Meter::produce`] for every byte it
//! emits, [`Meter::enter`] / [`Meter::leave`] around each level of recursion,
//! [`Meter::probe`] for every slot a hash table inspects, and
//! [`Meter::hold`] / [`Meter::release`] around the memory it keeps for
//! whatever grows with the input (events, nodes, strings, stacks, memo
//! tables), of which the meter remembers the peak. The harness
//! reads the totals afterwards ([`Meter::cost`]) and its oracles compare them
//! with a bound proportional to the input.
//!
//! # Guarantees
//!
//! - The same input run through the same target gives the same [`Cost`] on
//!   every machine: nothing in it depends on clocks, addresses or
//!   randomness. ([`Meter::stack_span`] reads addresses, and is a
//!   measurement of the build, kept apart from the cost.)
//! - Once any counter passes its [`Fuse`] limit, that call and every later
//!   counting call return [`Blown`], and [`Meter::tripped`] remembers which
//!   limit tripped first. A target that propagates the error with `?` stops
//!   within one unit of work of the limit, so a vulnerable twin cannot hang,
//!   overflow the real stack (the harness runs it on a stack sized for the
//!   depth fuse) or allocate without bound (the output fuse caps what it may
//!   produce).
//!
//! # Resource limits
//!
//! [`Fuse::default`] is sized for fuzzing: far above anything a hardened twin
//! reaches on a fuzzer-sized input, far below anything that takes a visible
//! amount of time. Harnesses choose their own fuse per input when the bound
//! they check scales with the input.
//!
//! # Time complexity
//!
//! Every method is O(1).
//!
//! # Panics
//!
//! Never. [`Meter::leave`] without a matching [`Meter::enter`] saturates at
//! zero instead of panicking.

use std::fmt;

/// The kinds of work a meter counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Units of algorithmic work (state visits, tokens, loop iterations).
    Steps,
    /// Bytes of output produced (expanded text, formatted output).
    BytesOut,
    /// Recursion depth (call-stack frames or nesting levels).
    Depth,
    /// Hash-table slots inspected.
    Probes,
    /// Bytes of memory held at once (the peak).
    Memory,
}

impl Resource {
    /// The lowercase name used in messages and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Steps => "steps",
            Resource::BytesOut => "bytes_out",
            Resource::Depth => "depth",
            Resource::Probes => "probes",
            Resource::Memory => "memory",
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Limits at which a meter stops the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fuse {
    /// Maximum steps.
    pub steps: u64,
    /// Maximum bytes produced.
    pub bytes_out: u64,
    /// Maximum recursion depth.
    pub depth: u64,
    /// Maximum hash probes.
    pub probes: u64,
    /// Maximum bytes held at once.
    pub memory: u64,
}

impl Fuse {
    /// The default step limit: 10 million, the order of PCRE2's
    /// `MATCH_LIMIT`.
    pub const STEPS: u64 = 10_000_000;
    /// The default output limit: 64 MiB.
    pub const BYTES_OUT: u64 = 64 << 20;
    /// The default depth limit: 2,000 frames. The recursive twins' frames
    /// are measured at 0.2–0.6 KiB a level in a release build and up to
    /// 7 KiB in a debug one, so 2,000 levels take at most about 1.1 MiB and
    /// 13.4 MiB of stack; the harness runs them on a stack with room for
    /// twice that (`gauntlet_harnesses::guard::STACK_NEED`).
    pub const DEPTH: u64 = 2_000;
    /// The default probe limit: 10 million.
    pub const PROBES: u64 = 10_000_000;
    /// The default memory limit: 256 MiB held at once, an eighth of
    /// libFuzzer's default `-rss_limit_mb`.
    pub const MEMORY: u64 = 256 << 20;

    /// A fuse with every limit at `u64::MAX`: for benches that want the real
    /// cost of an attack.
    pub const fn unlimited() -> Fuse {
        Fuse {
            steps: u64::MAX,
            bytes_out: u64::MAX,
            depth: u64::MAX,
            probes: u64::MAX,
            memory: u64::MAX,
        }
    }

    /// This fuse with a different step limit.
    pub const fn with_steps(mut self, steps: u64) -> Fuse {
        self.steps = steps;
        self
    }

    /// This fuse with a different depth limit.
    pub const fn with_depth(mut self, depth: u64) -> Fuse {
        self.depth = depth;
        self
    }

    /// This fuse with a different output limit.
    pub const fn with_bytes_out(mut self, bytes_out: u64) -> Fuse {
        self.bytes_out = bytes_out;
        self
    }

    /// This fuse with a different probe limit.
    pub const fn with_probes(mut self, probes: u64) -> Fuse {
        self.probes = probes;
        self
    }

    /// This fuse with a different memory limit.
    pub const fn with_memory(mut self, memory: u64) -> Fuse {
        self.memory = memory;
        self
    }
}

impl Default for Fuse {
    fn default() -> Fuse {
        Fuse {
            steps: Fuse::STEPS,
            bytes_out: Fuse::BYTES_OUT,
            depth: Fuse::DEPTH,
            probes: Fuse::PROBES,
            memory: Fuse::MEMORY,
        }
    }
}

/// The error a counting call returns once a fuse limit is passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blown {
    /// Which counter passed its limit.
    pub resource: Resource,
    /// The limit it passed.
    pub limit: u64,
}

impl fmt::Display for Blown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fuse tripped: {} passed {}", self.resource, self.limit)
    }
}

impl std::error::Error for Blown {}

/// What a run cost: the totals of a meter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Steps counted.
    pub steps: u64,
    /// Bytes produced.
    pub bytes_out: u64,
    /// The deepest recursion reached.
    pub depth: u64,
    /// Hash probes counted.
    pub probes: u64,
    /// The most bytes held at once.
    pub memory: u64,
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "steps {}, bytes_out {}, depth {}, probes {}, memory {}",
            self.steps, self.bytes_out, self.depth, self.probes, self.memory
        )
    }
}

/// Counts a run's work and stops it at the fuse.
#[derive(Clone, Debug)]
pub struct Meter {
    fuse: Fuse,
    cost: Cost,
    depth: u64,
    held: u64,
    tripped: Option<Blown>,
    /// Stack addresses at the outermost [`Meter::enter`] and the deepest one:
    /// a measurement for people and tests ([`Meter::stack_span`]), never part
    /// of the [`Cost`].
    stack_top: usize,
    stack_low: usize,
}

impl Default for Meter {
    fn default() -> Meter {
        Meter::new(Fuse::default())
    }
}

impl Meter {
    /// A meter with all counters at zero.
    pub fn new(fuse: Fuse) -> Meter {
        Meter {
            fuse,
            cost: Cost::default(),
            depth: 0,
            held: 0,
            tripped: None,
            stack_top: 0,
            stack_low: 0,
        }
    }

    /// A meter that never trips (for benches measuring the real cost).
    pub fn unlimited() -> Meter {
        Meter::new(Fuse::unlimited())
    }

    /// The limits of this meter.
    pub fn fuse(&self) -> Fuse {
        self.fuse
    }

    /// The totals so far.
    pub fn cost(&self) -> Cost {
        self.cost
    }

    /// The first limit that tripped, if any did.
    pub fn tripped(&self) -> Option<Blown> {
        self.tripped
    }

    /// How many bytes of the real stack lay between the outermost and the
    /// deepest [`Meter::enter`] of the run: divided by the depth reached less
    /// one, the stack a recursive twin uses per level. It is read from the
    /// addresses of the calls, so it is a measurement of this build (debug
    /// frames are several times larger than release ones), not a cost.
    pub fn stack_span(&self) -> usize {
        self.stack_top.saturating_sub(self.stack_low)
    }

    /// The current recursion depth (not the maximum).
    pub fn current_depth(&self) -> u64 {
        self.depth
    }

    #[inline]
    fn trip(&mut self, resource: Resource, limit: u64) -> Blown {
        let blown = Blown { resource, limit };
        self.tripped.get_or_insert(blown);
        blown
    }

    /// Counts one step.
    #[inline]
    pub fn step(&mut self) -> Result<(), Blown> {
        self.steps(1)
    }

    /// Counts `n` steps.
    #[inline]
    pub fn steps(&mut self, n: u64) -> Result<(), Blown> {
        self.cost.steps = self.cost.steps.saturating_add(n);
        if self.cost.steps > self.fuse.steps || self.tripped.is_some() {
            return Err(self.trip(Resource::Steps, self.fuse.steps));
        }
        Ok(())
    }

    /// Counts `n` bytes of output. Call it *before* producing them, so a
    /// refused call means nothing was allocated.
    #[inline]
    pub fn produce(&mut self, n: u64) -> Result<(), Blown> {
        self.cost.bytes_out = self.cost.bytes_out.saturating_add(n);
        if self.cost.bytes_out > self.fuse.bytes_out || self.tripped.is_some() {
            return Err(self.trip(Resource::BytesOut, self.fuse.bytes_out));
        }
        Ok(())
    }

    /// Counts `n` hash probes.
    #[inline]
    pub fn probe(&mut self, n: u64) -> Result<(), Blown> {
        self.cost.probes = self.cost.probes.saturating_add(n);
        if self.cost.probes > self.fuse.probes || self.tripped.is_some() {
            return Err(self.trip(Resource::Probes, self.fuse.probes));
        }
        Ok(())
    }

    /// Counts `n` more bytes held (an allocation, a buffer's growth). Call it
    /// *before* allocating, so a refused call means nothing was allocated;
    /// pair it with [`Meter::release`] when the memory is given back.
    #[inline]
    pub fn hold(&mut self, n: u64) -> Result<(), Blown> {
        self.held = self.held.saturating_add(n);
        self.cost.memory = self.cost.memory.max(self.held);
        if self.held > self.fuse.memory || self.tripped.is_some() {
            return Err(self.trip(Resource::Memory, self.fuse.memory));
        }
        Ok(())
    }

    /// Counts `n` bytes given back. The peak ([`Cost::memory`]) stays.
    #[inline]
    pub fn release(&mut self, n: u64) {
        self.held = self.held.saturating_sub(n);
    }

    /// The bytes held now (not the peak).
    pub fn held(&self) -> u64 {
        self.held
    }

    /// Enters one level of recursion. Pair every successful call with
    /// [`Meter::leave`].
    #[inline]
    pub fn enter(&mut self) -> Result<(), Blown> {
        if self.depth >= self.fuse.depth || self.tripped.is_some() {
            return Err(self.trip(Resource::Depth, self.fuse.depth));
        }
        self.depth += 1;
        self.cost.depth = self.cost.depth.max(self.depth);
        let marker = 0u8;
        let here = std::ptr::addr_of!(marker) as usize;
        if self.depth == 1 && self.stack_top == 0 {
            self.stack_top = here;
            self.stack_low = here;
        }
        self.stack_low = self.stack_low.min(here);
        Ok(())
    }

    /// Leaves one level of recursion.
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_trip_at_the_limit_and_stay_tripped() {
        let mut m = Meter::new(Fuse::default().with_steps(3));
        assert!(m.steps(3).is_ok());
        assert_eq!(m.step(), Err(Blown { resource: Resource::Steps, limit: 3 }));
        assert_eq!(m.produce(1).unwrap_err().resource, Resource::BytesOut);
        // The first limit to trip is the one remembered.
        assert_eq!(m.tripped().unwrap().resource, Resource::Steps);
        assert_eq!(m.cost().steps, 4);
    }

    #[test]
    fn depth_records_the_maximum_and_refuses_past_the_fuse() {
        let mut m = Meter::new(Fuse::default().with_depth(2));
        m.enter().unwrap();
        m.enter().unwrap();
        assert!(m.enter().is_err());
        m.leave();
        m.leave();
        m.leave();
        assert_eq!(m.current_depth(), 0);
        assert_eq!(m.cost().depth, 2);
    }

    #[test]
    fn memory_records_the_peak_and_trips_past_the_fuse() {
        let mut m = Meter::new(Fuse::default().with_memory(100));
        m.hold(60).unwrap();
        m.release(50);
        m.hold(80).unwrap();
        assert_eq!((m.held(), m.cost().memory), (90, 90));
        assert_eq!(m.hold(11).unwrap_err().resource, Resource::Memory);
        m.release(1000);
        assert_eq!((m.held(), m.cost().memory), (0, 101));
    }

    #[test]
    fn unlimited_never_trips() {
        let mut m = Meter::unlimited();
        m.steps(u64::MAX - 1).unwrap();
        m.produce(1 << 40).unwrap();
        assert!(m.tripped().is_none());
    }
}
