//! Attack and benign request generators shared by tests, benches and the
//! CLI.

use crate::dos::{geometric, Attack};
use crate::growth::Class;

/// `css` + `/` × (n − 11) + `site.css`: an n-byte request (at least 12)
/// for a real file, all slashes in between. The vulnerable twin's clean-up
/// removes one `//` a round, each round searching and copying the whole
/// path: about n² steps. The hardened twin skips empty components in one
/// pass.
pub fn slash_run(n: usize) -> Vec<u8> {
    let mut s = b"css".to_vec();
    s.extend(std::iter::repeat_n(b'/', n.saturating_sub(11).max(1)));
    s.extend_from_slice(b"site.css");
    s
}

/// `c%` + `25` × k + `73s/site.css` with k = (n − 14) / 2, an n-byte
/// request (give or take one): `css/site.css` with its second letter
/// encoded k + 1 times over. The vulnerable twin decodes until nothing
/// changes, k + 2 passes over the shrinking path, about n²/4 steps; the
/// hardened twin decodes once and refuses the `%25` left over (double
/// encoding).
pub fn nested_encoding(n: usize) -> Vec<u8> {
    let mut s = b"c%".to_vec();
    for _ in 0..n.saturating_sub(14) / 2 {
        s.extend_from_slice(b"25");
    }
    s.extend_from_slice(b"73s/site.css");
    s
}

/// `%2e%2e%2f` × k + `etc/passwd` with k = (n − 10) / 9, an n-byte
/// request (give or take eight): k encoded `../`. The vulnerable twin
/// checks before it decodes and serves `/etc/passwd` (its walk stops
/// climbing at `/`); the hardened twin decodes once and refuses the first
/// `..` at the root (or, past 256 of them, the component count).
pub fn deep_traversal(n: usize) -> Vec<u8> {
    let mut s = b"%2e%2e%2f".repeat(n.saturating_sub(10) / 9);
    s.extend_from_slice(b"etc/passwd");
    s
}

/// Benign requests both twins serve, of every shape the seeds have: plain,
/// nested, dot segments, `\`, encoded letters, a symlink inside the root.
pub const BENIGN: &[&str] = &[
    "index.html",
    "css/site.css",
    "js/app.js",
    "img/logo.png",
    "a/./b/../c.txt",
    "a/b/d.txt",
    "a\\b\\d.txt",
    "docs/v2/guide.txt",
    "docs/current/guide.txt",
    "latest.css",
    "%63ss/site%2ecss",
    "a//b///d.txt",
];

/// The family's attacks for `gauntlet dos`, the benches and the tests.
pub fn all() -> Vec<Attack> {
    vec![
        Attack::new(
            "cleanup-loop",
            "css + slashes + site.css, n bytes: a clean-up of `//` repeated until nothing changes",
            geometric(32, 4096, 2.0),
            Class::Quadratic,
            slash_run,
        ),
        Attack::new(
            "nested-encoding",
            "c% + 25 x k + 73s/site.css, n bytes: percent-decoding repeated until nothing changes",
            geometric(32, 4096, 2.0),
            Class::Quadratic,
            nested_encoding,
        ),
        Attack::new(
            "deep-traversal",
            "%2e%2e%2f x k + etc/passwd, n bytes: encoded parent steps",
            geometric(32, 4096, 2.0),
            Class::Linear,
            deep_traversal,
        ),
    ]
}
