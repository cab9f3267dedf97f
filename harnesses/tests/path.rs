//! The path twins and targets: Go's `filepath.IsLocal` and Werkzeug's
//! `safe_join` cases as tables (`testdata/path/`), the hardened twin
//! against `std::fs::canonicalize` on a real directory with the same
//! layout (the property the family's differential stands for), the
//! reference resolver against the same directory, and the hardened twin's
//! stated costs, in metered steps and bytes.

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::path::{
    attacks, reference, resolve_hardened, resolve_vulnerable, Reference, DIFFERENTIAL, FAMILY,
    HARDENED, VULNERABLE,
};
use gauntlet_harnesses::{Kind, Target, Variant, Verdict};
use gauntlet_targets::meter::Meter;
use gauntlet_targets::path::hardened::{self, STEPS_BASE, STEPS_PER_BYTE};
use gauntlet_targets::path::vfs::LAYOUT;
use gauntlet_targets::path::vulnerable;
use gauntlet_targets::path::{ErrorKind, Node, Vfs, ROOT};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde::Deserialize;
use support::{run_table, Case};

/// The path family's own fields of the tables.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    /// Whether the source calls the name local (Go) or safe (Werkzeug).
    local: bool,
    /// Where the twin differs from the source, and why.
    #[allow(dead_code)]
    note: Option<String>,
}

/// A refusal of the request as a name, not as a file that is missing.
fn names_refusal(kind: &ErrorKind) -> bool {
    !matches!(kind, ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory)
}

fn table(name: &str) {
    let cases: Vec<Case<Fields>> = support::load(&FAMILY, name);
    let derive = |case: &Case<Fields>, target: &Target| match target.variant {
        Variant::Vulnerable => Some(Expect::NoUnexpectedFinding),
        _ => case.stated(HARDENED).cloned(),
    };
    run_table(
        &FAMILY,
        &cases,
        |c| c.input.clone(),
        derive,
        |case, input, failures| {
            let (result, _) = resolve_hardened(input);
            let refused_as_name = result.as_ref().err().is_some_and(|e| names_refusal(&e.kind));
            if refused_as_name == case.fields.local {
                failures.push(
                    &case.name,
                    format!(
                        "local = {} but the hardened twin answered {result:?}",
                        case.fields.local
                    ),
                );
            }
        },
    );
}

#[test]
fn go_filepath_is_local_cases() {
    table("islocal");
}

#[test]
fn werkzeug_safe_join_cases() {
    table("safe_join");
}

/// The layout of [`LAYOUT`] built on disk under a fresh temporary
/// directory, removed when dropped.
struct Disk {
    base: PathBuf,
}

impl Disk {
    fn build() -> Disk {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let base =
            std::env::temp_dir().join(format!("gauntlet-path-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        let disk = Disk { base: base.canonicalize().unwrap() };
        for entry in LAYOUT {
            let at = disk.at(entry.path);
            match entry.node {
                Node::Dir => std::fs::create_dir_all(&at).unwrap(),
                Node::File(content) => std::fs::write(&at, content).unwrap(),
                Node::Symlink(target) => std::os::unix::fs::symlink(target, &at).unwrap(),
            }
        }
        disk
    }

    /// Where an absolute path of the layout lies on disk.
    fn at(&self, path: &str) -> PathBuf {
        self.base.join(path.trim_start_matches('/'))
    }

    /// The request as the server hands it to the kernel: percent-decoded
    /// once, `\` read as `/`, from the root. `None` when it does not
    /// decode or is absolute.
    fn request(&self, request: &[u8]) -> Option<PathBuf> {
        let mut decoded = Vec::new();
        let mut i = 0;
        while i < request.len() {
            if request[i] == b'%' {
                let hex = std::str::from_utf8(request.get(i + 1..i + 3)?).ok()?;
                decoded.push(u8::from_str_radix(hex, 16).ok().filter(|_| !hex.starts_with('+'))?);
                i += 3;
            } else {
                decoded.push(request[i]);
                i += 1;
            }
        }
        for b in &mut decoded {
            if *b == b'\\' {
                *b = b'/';
            }
        }
        if decoded.first().is_none_or(|&b| b == b'/') {
            return None;
        }
        Some(self.at(ROOT).join(OsStr::from_bytes(&decoded)))
    }

    /// The layout path of a canonical path on disk, if it lies in the
    /// layout.
    fn layout_path(&self, real: &Path) -> Option<String> {
        let rest = real.strip_prefix(&self.base).ok()?;
        Some(format!("/{}", rest.to_str()?))
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// Requests made of the layout's names, dot segments, both separators and
/// their encodings, a name now and then spelled out in `%XX`, and some
/// of the names the hardened twin refuses; or a path to a real file with
/// detours (`x/..`, `.`, a symlink and back) and its separators swapped.
fn request() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![1 => made_up(), 1 => detour()]
}

fn spell(name: &str, encode: bool) -> Vec<u8> {
    if !encode || name.contains('%') {
        return name.as_bytes().to_vec();
    }
    name.bytes().flat_map(|b| format!("%{b:02x}").into_bytes()).collect()
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["/", "/", "/", "\\", "//", "%2f", "%5c"])
}

fn made_up() -> impl Strategy<Value = Vec<u8>> {
    let names = prop::sample::select(vec![
        "a",
        "b",
        "c.txt",
        "d.txt",
        "css",
        "site.css",
        "js",
        "app.js",
        "docs",
        "current",
        "v2",
        "guide.txt",
        "shared",
        "config.txt",
        "secret.key",
        "loop",
        "latest.css",
        "index.html",
        "public",
        "public-old",
        "backup.txt",
        "private",
        "etc",
        "passwd",
        "srv",
        "app",
        "x",
        "..",
        "..",
        "..",
        ".",
        "",
        "....",
        "CON",
        "a:b",
        ".. ",
        "%2e%2e",
        "%252e",
        "nul.txt",
    ]);
    let component = (names, prop::bool::weighted(0.2), separator())
        .prop_map(|(name, encode, sep)| (spell(name, encode), sep.as_bytes().to_vec()));
    (prop::collection::vec(component, 1..8), any::<bool>()).prop_map(|(parts, trailing)| {
        let mut out = Vec::new();
        let last = parts.len() - 1;
        for (i, (name, sep)) in parts.into_iter().enumerate() {
            out.extend(name);
            if i < last || trailing {
                out.extend(sep);
            }
        }
        out
    })
}

fn detour() -> impl Strategy<Value = Vec<u8>> {
    let files = prop::sample::select(vec![
        "index.html",
        "css/site.css",
        "js/app.js",
        "img/logo.png",
        "a/c.txt",
        "a/b/d.txt",
        "docs/v2/guide.txt",
        "docs/current/guide.txt",
        "latest.css",
        "shared/config.txt",
    ]);
    let detours = prop::sample::select(vec![
        "",
        "",
        ".",
        "a/..",
        "a/b/../..",
        "css/..",
        "docs/current/..",
        "docs/current/../..",
        "shared/..",
        "latest.css/..",
        "x/..",
        "loop/..",
        "..",
        "a/../..",
    ]);
    let step = (detours, prop::bool::weighted(0.1));
    (files, prop::collection::vec(step, 1..4), separator(), any::<prop::sample::Index>()).prop_map(
        |(file, steps, sep, at)| {
            let mut parts: Vec<Vec<u8>> = file.split('/').map(|p| p.as_bytes().to_vec()).collect();
            for (detour, encode) in steps {
                let i = at.index(parts.len());
                for (k, piece) in detour.split('/').enumerate() {
                    parts.insert(i + k, spell(piece, encode));
                }
            }
            parts.retain(|p| !p.is_empty());
            parts.join(sep.as_bytes())
        },
    )
}

/// The property: for any request, either the hardened twin
/// refuses it, or the real `canonicalize` of the request lies inside the
/// real root and is the file the twin serves. And the reference resolver
/// agrees with `canonicalize` wherever the kernel's walk stays in the
/// layout (above the layout's `/` the kernel goes on climbing, the
/// reference stops).
#[test]
fn hardened_twin_agrees_with_canonicalize_on_a_real_directory() {
    let disk = Disk::build();
    let real_root = disk.at(ROOT);
    let served = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config { cases: 2048, ..Config::default() });
    let check = |input: &[u8]| -> Result<(), TestCaseError> {
        let (result, _) = resolve_hardened(input);
        let shown = String::from_utf8_lossy(input).into_owned();
        let real = disk.request(input).map(|p| p.canonicalize());
        if let Ok(file) = &result {
            served.set(served.get() + 1);
            let real = real
                .as_ref()
                .ok_or_else(|| TestCaseError::fail(format!("{shown:?}: served, not decodable")))?
                .as_ref()
                .map_err(|e| TestCaseError::fail(format!("{shown:?}: served {file:?}, {e}")))?;
            prop_assert!(real.starts_with(&real_root), "{shown:?}: {} outside", real.display());
            prop_assert_eq!(
                real.clone(),
                disk.at(file.path).canonicalize().unwrap(),
                "{:?}",
                shown
            );
            prop_assert_eq!(std::fs::read_to_string(real).unwrap(), file.content, "{:?}", shown);
        }
        if let Some(real) = real {
            let kernel = match &real {
                Ok(path) => match disk.layout_path(path) {
                    Some(p) if path.is_file() => Some(Some(p)),
                    Some(_) => Some(None),
                    None => None,
                },
                Err(_) => Some(None),
            };
            let ours = match reference(input) {
                Reference::Served(p) => Some(p.to_owned()),
                Reference::Refused(_) => None,
            };
            if let Some(kernel) = kernel {
                prop_assert_eq!(ours, kernel, "reference vs canonicalize on {:?}", shown);
            }
        }
        Ok(())
    };
    for seed in attacks::BENIGN {
        check(seed.as_bytes()).unwrap();
    }
    runner.run(&request(), |input| check(&input)).unwrap();
    let served = served.get();
    assert!(served > 100, "only {served} requests served: the strategy finds too few files");
}

/// The hardened twin's stated costs: at most STEPS_PER_BYTE · n +
/// STEPS_BASE steps and under 64 KiB held, whatever the request.
fn within_cost(input: &[u8]) -> Result<(), TestCaseError> {
    let mut meter = Meter::unlimited();
    let _ = hardened::resolve(input, &Vfs::new(), &mut meter);
    let cost = meter.cost();
    let bound = STEPS_PER_BYTE * input.len() as u64 + STEPS_BASE;
    prop_assert!(cost.steps <= bound, "{} steps > {bound} on {} bytes", cost.steps, input.len());
    prop_assert!(cost.memory < 64 << 10, "{} bytes held", cost.memory);
    prop_assert_eq!(meter.held(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn hardened_costs_stay_within_their_statement(input in request()) {
        within_cost(&input)?;
    }

    #[test]
    fn hardened_costs_stay_within_their_statement_on_any_bytes(
        input in prop::collection::vec(any::<u8>(), 0..4200)
    ) {
        within_cost(&input)?;
    }

    #[test]
    fn what_the_hardened_twin_serves_lies_inside_the_root(input in request()) {
        if let (Ok(file), _) = resolve_hardened(&input) {
            prop_assert!(file.inside_root() && !file.holds_canary(), "{:?}", file);
        }
    }
}

#[test]
fn hardened_costs_at_the_limits() {
    let cases = [
        "a/".repeat(2048),
        "./".repeat(2048),
        "/".repeat(4096),
        "loop/".repeat(800),
        "docs/current/../".repeat(250),
        "%2e".repeat(1365),
    ];
    for case in cases {
        within_cost(case.as_bytes()).unwrap();
    }
}

#[test]
fn every_weak_protection_is_a_path_escape_and_every_refusal_has_its_kind() {
    let escapes = [
        ("strip once", "....//....//....//etc/passwd", "canary"),
        ("string prefix", "/srv/app/public-old/backup.txt", "outside"),
        ("decode after check", "%2e%2e/%2e%2e/%2e%2e/etc/passwd", "canary"),
        ("double encoding", "%252e%252e/%252e%252e/%252e%252e/etc/passwd", "canary"),
        ("backslash", "..\\..\\..\\etc/passwd", "canary"),
        ("nul truncation", "shared/secret.key%00.png", "canary"),
        ("symlink", "shared/config.txt", "canary"),
    ];
    for (what, request, location) in escapes {
        let v = VULNERABLE.check(request.as_bytes());
        let f = v.finding().unwrap_or_else(|| panic!("{what}: {v:?}"));
        assert_eq!(f.kind, Kind::PathEscape, "{what}");
        assert!(f.location.contains(location), "{what}: {}", f.location);
        for target in [HARDENED, DIFFERENTIAL] {
            assert!(matches!(target.check(request.as_bytes()), Verdict::Rejected { .. }), "{what}");
        }
    }
}

#[test]
fn the_cleanup_loop_is_quadratic_on_the_vulnerable_twin_only() {
    for (n, expect) in [(20, Expect::Clean), (400, Expect::Finding(Kind::SuperlinearTime))] {
        support::assert_verdict(VULNERABLE, "slash run", &attacks::slash_run(n), &expect);
        support::assert_verdict(HARDENED, "slash run", &attacks::slash_run(n), &Expect::Clean);
    }
    let steps = |resolve: Resolve, n: usize| {
        let mut meter = Meter::unlimited();
        let _ = resolve(&attacks::slash_run(n), &Vfs::new(), &mut meter);
        meter.cost().steps
    };
    let vulnerable = |n| steps(vulnerable::resolve, n);
    let hardened = |n| steps(hardened::resolve, n);
    // About n² steps for an n-byte run of slashes; the hardened twin's
    // grow with n.
    let (v, n) = (vulnerable(2000), 2000 * 2000);
    assert!(v > n * 9 / 10 && v < n * 11 / 10, "{v}");
    assert!(hardened(2000) <= 2 * hardened(1000) + 16);
    // The fuse stops the vulnerable twin at four times the bound, within
    // one pass over the path.
    let (result, meter) = resolve_vulnerable(&attacks::slash_run(4000));
    assert!(matches!(result.map_err(|e| e.kind), Err(ErrorKind::Fuse(_))));
    assert!(meter.cost().steps <= 4 * gauntlet_harnesses::path::bound(4000) + 4000);
}

type Resolve = fn(
    &[u8],
    &Vfs,
    &mut Meter,
) -> Result<gauntlet_targets::path::Served, gauntlet_targets::path::Error>;
