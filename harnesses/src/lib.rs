//! gauntlet's harnesses: decoding inputs, running targets under a cost
//! meter, applying oracles, and the list of every family and target.
//!
//! Data flows one way: input bytes → a [`Target`]'s harness (decode, run
//! the twin under a meter, apply oracles) → [`Verdict`] → the caller (CLI,
//! fuzz target, test, bench).
//!
//! - [`target`]: the vocabulary ([`Family`], [`Target`], [`Variant`],
//!   [`Oracle`]); [`verdict`]: [`Verdict`], [`Finding`], [`Kind`];
//! - [`kit`]: the shared oracle kit; [`guard`]: panics caught, a deep
//!   stack for recursive twins;
//! - [`families`]: the list; one folder per family ([`regex`], [`json`],
//!   [`xml`], [`path`], [`mod@format`], [`int`]);
//! - [`dos`] and [`growth`]: attack generators measured across sizes and
//!   their growth fitted;
//! - [`adapters`]: verdicts for libFuzzer and proptest; [`manifest`]: the
//!   committed corpora and their replay.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod adapters;
pub mod dos;
pub mod families;
pub mod format;
pub mod growth;
pub mod guard;
pub mod int;
pub mod json;
pub mod kit;
pub mod manifest;
pub mod path;
pub mod pump;
pub mod regex;
pub mod target;
pub mod verdict;
pub mod xml;

pub use families::{find, names, targets, FAMILIES};
pub use gauntlet_targets::meter::Cost;
pub use target::{Family, Oracle, Target, Variant};
pub use verdict::{Finding, Kind, Verdict};
