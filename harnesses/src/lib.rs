//! gauntlet's harnesses: decoding inputs, running targets under a cost
//! meter, applying oracles, and the registry of every target.
//!
//! Data flows one way: input bytes → a [`registry::Target`]'s harness
//! (decode, run the twin under a meter, apply oracles) → [`Verdict`] → the
//! caller (CLI, fuzz target, test, bench).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod adapters;
pub mod guard;
pub mod json;
pub mod manifest;
pub mod regex;
pub mod registry;
pub mod verdict;
pub mod xml;

pub use gauntlet_targets::meter::Cost;
pub use registry::{Target, TARGETS};
pub use verdict::{Finding, Kind, Verdict};
