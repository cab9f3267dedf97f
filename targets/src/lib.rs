//! The sample parsers and validators that gauntlet attacks.
//!
//! Each family lives in its own module with a `vulnerable` twin (the classic
//! mistake, written the way real code gets it wrong) and a `hardened` twin
//! (the fix, with explicit limits) exposing the same function shape. Both
//! count their work on a [`meter::Meter`]; they know nothing of the harnesses
//! that read it.
//!
//! | family | vulnerable | hardened |
//! |---|---|---|
//! | [`regex`] | recursive backtracking, exponential on `(a+)+$` | memoised backtracking, O(m·n) |
//! | [`int`] | wrapping parse, `abs(MIN)`, `as` narrowing, 32-bit length product, O(n²) big-integer conversion | checked arithmetic with `IntErrorKind`s, `try_from`, checked product, base-10⁹ limbs (O(n)) behind a 4,300-digit limit |
//! | [`json`] | unbounded recursive descent, DJBX33A member table, wrapping numbers | explicit stack with a depth limit, SipHash-keyed index, strict RFC 8259, O(n) |
//! | [`path`] | strips `../` once, checks before decoding and by string prefix, misses `\`, NUL and symlinks; quadratic clean-up | decodes once, refuses non-local names, resolves beneath the root; O(n) |
//! | [`xml`] | expands entities without limit (billion laughs, quadratic blowup), resolves external entities (XXE) | expat-style amplification budget, cycle and depth limits, external entities and DTDs refused |

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod format;
mod held;
pub mod int;
pub mod json;
pub mod meter;
pub mod path;
pub mod regex;
pub mod xml;
