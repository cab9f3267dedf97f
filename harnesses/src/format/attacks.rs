//! Attack and benign template generators shared by tests, benches and the
//! CLI.

use crate::dos::{geometric, Attack};
use crate::growth::Class;

/// `{0:>99999}` repeated n / 10 times (at least once): an n-byte template
/// of fields each asking for 99,999 characters. The vulnerable twin
/// produces about 10,000 bytes per template byte — linear in n, with that
/// constant; the hardened twin refuses the first field (width limit).
pub fn width(n: usize) -> Vec<u8> {
    b"{0:>99999}".repeat((n / 10).max(1))
}

/// `{1:` × k + `}` × k with k = n / 4 (at least one): fields nested k deep
/// in each other's spec. The vulnerable twin recurses k levels (linear
/// work, and the depth fuse past 2,000); the hardened twin refuses the
/// third level, as CPython does.
pub fn nested(n: usize) -> Vec<u8> {
    let k = (n / 4).max(1);
    let mut s = b"{1:".repeat(k);
    s.extend(std::iter::repeat_n(b'}', k));
    s
}

/// Benign templates both twins format, and identically.
pub const BENIGN: &[&str] = &[
    "Hello, {user.name}!",
    "{user.name} <{user.email}> has {user.roles[0]} rights",
    "Event {event.name} #{event.id:>6} ({event.ratio:.1%})",
    "{0} {1} {2} {3}",
    "{} scored {:.2f}",
    "{0:*^11} {1:+d} {1:#x} {1:#o} {1:#b} {1:08d}",
    "{2:e} {2:.3e} {2:10.2f} {3:05d} {3:+}",
    "{user.score:.3} {user.score:g} {event.ratio}",
    "{user.prefs[theme]} {user.prefs!r} {event.tags}",
    "{{literal}} {0!r} {0:.3} {0:>{1}}",
    "{1:,} {1:_b} {1:c}",
];

/// The family's attacks for `gauntlet dos`, the benches and the tests.
pub fn all() -> Vec<Attack> {
    vec![
        Attack::new(
            "width",
            "{0:>99999} x n/10: fields asking for 99,999 characters each (linear, ~10^4 bytes \
             out per template byte)",
            geometric(10, 1280, 2.0),
            Class::Linear,
            width,
        ),
        Attack::new(
            "nested-fields",
            "{1: x k + } x k, n = 4k bytes: replacement fields nested k deep in specs",
            geometric(16, 4096, 2.0),
            Class::Linear,
            nested,
        ),
    ]
}
