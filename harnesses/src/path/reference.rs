//! The path family's differential oracle: the hardened twin against an
//! independent in-memory resolver, [`reference()`].
//!
//! The reference is written the other way round from the twin: it keeps
//! the path reached as a string, looks every candidate up by its full path
//! in the layout table, splices a symlink's target into the components
//! still to walk, and knows nothing of the root until the end — `realpath`
//! from the root, as the kernel would resolve the request. Then the two
//! must agree: when the hardened twin serves a file, the reference reaches
//! the same file and it lies beneath the root; when the twin refuses, the
//! reference either refuses too, ends outside the root, or the refusal is
//! one of the documented [`Exception`]s.
//!
//! The same comparison against a real directory built with the same layout
//! (`std::fs::canonicalize`) is a property test, not a fuzz target:
//! `harnesses/tests/path.rs`.

use std::collections::VecDeque;

use gauntlet_targets::path::vfs::{beneath, LAYOUT};
use gauntlet_targets::path::{ErrorKind, Node, Vfs, ROOT};

use super::{oracle, resolve_hardened, DIFFERENTIAL};
use crate::kit;
use crate::verdict::{Finding, Kind, Verdict};

/// What the reference made of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// The file it reaches: its path in the layout, every symlink resolved.
    Served(&'static str),
    /// It reaches no file, for this reason.
    Refused(&'static str),
}

fn entry(path: &[u8]) -> Option<(&'static str, Node)> {
    LAYOUT.iter().find(|e| e.path.as_bytes() == path).map(|e| (e.path, e.node))
}

fn dirname(path: &[u8]) -> Vec<u8> {
    match path.iter().rposition(|&b| b == b'/') {
        Some(0) | None => b"/".to_vec(),
        Some(i) => path[..i].to_vec(),
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The request resolved from [`ROOT`] the way a kernel's `realpath`
/// would: percent-decoded once, `\` read as `/`, `..` the parent of the
/// directory reached, symlinks spliced in (at most
/// [`Vfs::MAX_SYMLINKS`]), a path that goes on below a file refused.
/// Absolute and malformed requests are refused. It never looks at the
/// root again: the result may lie anywhere.
pub fn reference(request: &[u8]) -> Reference {
    let mut decoded = Vec::with_capacity(request.len());
    let mut i = 0;
    while i < request.len() {
        if request[i] == b'%' {
            let pair = request.get(i + 1..i + 3);
            let Some(b) = pair.and_then(|p| Some(hex(p[0])? * 16 + hex(p[1])?)) else {
                return Reference::Refused("malformed encoding");
            };
            decoded.push(b);
            i += 3;
        } else {
            decoded.push(request[i]);
            i += 1;
        }
    }
    let decoded: Vec<u8> = decoded.into_iter().map(|b| if b == b'\\' { b'/' } else { b }).collect();
    if decoded.is_empty() {
        return Reference::Refused("empty");
    }
    if decoded[0] == b'/' {
        return Reference::Refused("absolute");
    }
    let mut todo: VecDeque<Vec<u8>> = decoded.split(|&b| b == b'/').map(<[u8]>::to_vec).collect();
    let mut here: Vec<u8> = ROOT.as_bytes().to_vec();
    let mut links = 0usize;
    while let Some(name) = todo.pop_front() {
        if !matches!(entry(&here), Some((_, Node::Dir))) {
            return Reference::Refused("not a directory");
        }
        match name.as_slice() {
            b"" | b"." => {}
            b".." => here = dirname(&here),
            _ => {
                let mut next = here.clone();
                if next != b"/" {
                    next.push(b'/');
                }
                next.extend_from_slice(&name);
                match entry(&next) {
                    None => return Reference::Refused("not found"),
                    Some((_, Node::Symlink(target))) => {
                        links += 1;
                        if links > Vfs::MAX_SYMLINKS {
                            return Reference::Refused("too many symlinks");
                        }
                        if target.starts_with('/') {
                            here = b"/".to_vec();
                        }
                        for part in target.split('/').rev() {
                            todo.push_front(part.as_bytes().to_vec());
                        }
                    }
                    Some(_) => here = next,
                }
            }
        }
    }
    match entry(&here) {
        Some((path, Node::File(_))) => Reference::Served(path),
        _ => Reference::Refused("a directory"),
    }
}

/// The documented differences: requests the reference resolves to a file
/// inside the root that the hardened twin refuses on purpose. The
/// differential target reports them as the twin's rejection, never as a
/// finding.
///
/// Every other disagreement — a different file, a served file outside the
/// root, or any other refusal of a file the reference reaches inside the
/// root — is a [`Kind::DifferentialMismatch`] finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    /// Not a plain local name on Windows, though a POSIX kernel finds the
    /// file: a device name, a `:`, a trailing dot or space, a control
    /// character or NUL, an absolute, UNC, device or drive prefix, a
    /// second layer of percent-encoding, or bytes that decode to no UTF-8.
    NotLocal,
    /// A limit of the twin: length, components, symlinks followed, or the
    /// meter's fuse.
    Limit,
    /// The walk left the root on its way and came back
    /// (`a/../../public/index.html`, `shared/../public/index.html`):
    /// `openat2(RESOLVE_BENEATH)` and `os.Root` refuse the step out, and so
    /// does the twin, while `realpath` ends inside.
    TransientEscape,
}

/// The exception that covers the hardened twin's refusal `kind` of a file
/// the reference reaches inside the root, if one does.
pub fn exception(kind: &ErrorKind) -> Option<Exception> {
    match kind {
        ErrorKind::DeviceName { .. }
        | ErrorKind::Colon { .. }
        | ErrorKind::TrailingDotOrSpace { .. }
        | ErrorKind::ControlCharacter { .. }
        | ErrorKind::Nul
        | ErrorKind::Absolute
        | ErrorKind::Unc
        | ErrorKind::DevicePrefix
        | ErrorKind::DriveLetter
        | ErrorKind::DoubleEncoding
        | ErrorKind::InvalidUtf8 => Some(Exception::NotLocal),
        ErrorKind::TooLong { .. }
        | ErrorKind::TooManyComponents { .. }
        | ErrorKind::TooManySymlinks { .. }
        | ErrorKind::Fuse(_) => Some(Exception::Limit),
        ErrorKind::ParentEscape | ErrorKind::SymlinkEscape { .. } => {
            Some(Exception::TransientEscape)
        }
        _ => None,
    }
}

/// The differential target: the hardened twin under its oracles, then
/// against [`reference()`]. The reference runs only when the twin served a
/// file or refused without an [`Exception`]; it is linear in the request
/// (one lookup a component, at most [`Vfs::MAX_SYMLINKS`] targets spliced
/// in).
pub fn run_differential(input: &[u8]) -> Verdict {
    let target = DIFFERENTIAL.name;
    let (result, meter) = resolve_hardened(input);
    if let Some(v) = oracle::oracles(target, input.len(), &result, &meter) {
        return v;
    }
    let cost = meter.cost();
    let mismatch = match &result {
        Ok(served) => match reference(input) {
            Reference::Served(path) if path == served.path && beneath(path, ROOT) => None,
            other => {
                Some(format!("the hardened twin served {}, the reference {other:?}", served.path))
            }
        },
        Err(e) if exception(&e.kind).is_some() => None,
        Err(e) => match reference(input) {
            Reference::Served(path) if beneath(path, ROOT) => {
                Some(format!("the hardened twin refused ({e}), the reference served {path}"))
            }
            _ => None,
        },
    };
    if let Some(summary) = mismatch {
        let f = Finding::of(target, Kind::DifferentialMismatch, "hardened-vs-reference");
        return f.verdict(summary, cost);
    }
    match result {
        Ok(_) => Verdict::Clean { cost },
        Err(e) => kit::rejected(e, &meter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_resolves_like_realpath() {
        let r = |s: &str| reference(s.as_bytes());
        assert_eq!(r("a/./b/../c.txt"), Reference::Served("/srv/app/public/a/c.txt"));
        assert_eq!(r("..\\..\\..\\etc\\passwd"), Reference::Served("/etc/passwd"));
        assert_eq!(r("shared/config.txt"), Reference::Served("/srv/app/private/config.txt"));
        assert_eq!(
            r("docs/current/../v2/guide.txt"),
            Reference::Served("/srv/app/public/docs/v2/guide.txt")
        );
        assert_eq!(r("latest.css"), Reference::Served("/srv/app/public/css/site.css"));
        assert_eq!(r("css/site.css/"), Reference::Refused("not a directory"));
        assert_eq!(r("loop"), Reference::Refused("too many symlinks"));
        assert_eq!(r("%2"), Reference::Refused("malformed encoding"));
    }
}
