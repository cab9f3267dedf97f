//! Benign documents for benches and tests.

use std::fmt::Write as _;

/// A benign document of at least `len` bytes: an array of user records
/// mixing every JSON type — integers (negative ones too), decimals,
/// booleans, `null`, nested objects and arrays, escapes and non-ASCII
/// text — the shape of a typical API response. Deterministic.
pub fn benign(len: usize) -> Vec<u8> {
    let mut out = String::with_capacity(len + 1024);
    out.push_str("[\n");
    let mut i: u64 = 0;
    while out.len() < len {
        if i > 0 {
            out.push_str(",\n");
        }
        // A fixed pseudo-random mix (an LCG), so the document is the
        // same on every run.
        let r = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) >> 33;
        let _ = write!(
            out,
            "  {{\"id\": {i}, \"name\": \"user {i}\", \"email\": \"user{i}@example.com\", \
             \"active\": {}, \"score\": {}.{:02}, \"balance\": {}, \"manager\": null, \
             \"tags\": [\"alpha\", \"beta-{}\", \"gamma\"], \
             \"address\": {{\"street\": \"{} Main Street\", \"city\": \"Zürich\", \
             \"zip\": \"{:05}\"}}, \
             \"bio\": \"Line one\\nLine \\\"two\\\" caf\\u00e9\\t{}\"}}",
            r % 3 != 0,
            r % 100,
            r % 97,
            (r % 20_000) as i64 - 10_000,
            r % 7,
            r % 900 + 1,
            r % 100_000,
            r,
        );
        i += 1;
    }
    out.push_str("\n]\n");
    out.into_bytes()
}
