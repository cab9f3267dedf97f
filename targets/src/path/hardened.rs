//! A path resolver that decodes once, refuses what is not a plain
//! relative name, and resolves beneath the root.
//!
//! # Guarantees
//!
//! - **Decoded exactly once.** `%` must be followed by two hex digits
//!   ([`ErrorKind::MalformedEncoding`]); the decoded path must be UTF-8, so
//!   overlong forms such as `%c0%ae` are refused ([`ErrorKind::InvalidUtf8`]);
//!   a decoded path that still holds `%` and two hex digits was encoded
//!   twice and is refused ([`ErrorKind::DoubleEncoding`], as IIS request
//!   filtering refuses double escaping), so no later layer can decode it
//!   into something else.
//! - **No NUL, no control characters** ([`ErrorKind::Nul`],
//!   [`ErrorKind::ControlCharacter`]): nothing below 0x20, nor 0x7f.
//! - **Both `/` and `\` separate components**, as on Windows.
//! - **Only plain relative names.** Refused: a leading separator
//!   ([`ErrorKind::Absolute`]), two ([`ErrorKind::Unc`]), the `\\?\`,
//!   `\\.\` and `\??\` prefixes ([`ErrorKind::DevicePrefix`], Go's
//!   CVE-2023-45283), a drive letter ([`ErrorKind::DriveLetter`]), a `:`
//!   anywhere ([`ErrorKind::Colon`]: drive-relative paths and alternate
//!   data streams), Windows device names — `CON`, `PRN`, `AUX`, `NUL`,
//!   `CONIN$`, `CONOUT$`, `COM1`–`COM9`, `LPT1`–`LPT9` and `COM¹²³`,
//!   `LPT¹²³`, in any case, with any extension, trailing spaces before it
//!   included (Go's CVE-2023-45284; Werkzeug's list) —
//!   ([`ErrorKind::DeviceName`]), and a name ending in a dot or a space,
//!   which Windows drops (`.. ` is `..` there;
//!   [`ErrorKind::TrailingDotOrSpace`]).
//! - **Resolved beneath the root, one component at a time**, the way
//!   `openat2(RESOLVE_BENEATH)` and Go's `os.Root` do: `.` and empty
//!   components stay, `..` goes back to the directory the walk came from
//!   and is refused at the root ([`ErrorKind::ParentEscape`]), and a
//!   symlink is followed inside the walk, so a `..` in its target that
//!   would leave the root, or an absolute target outside it, is refused
//!   ([`ErrorKind::SymlinkEscape`]). A path that goes on below a file is
//!   refused ([`ErrorKind::NotADirectory`]), as is a directory
//!   ([`ErrorKind::IsADirectory`]). Whatever is served lies beneath
//!   [`ROOT`]; the served path is checked once more before it is returned.
//! - The same request resolves to the same file a POSIX kernel would reach
//!   from the root — or is refused: the family's property test compares it
//!   with `canonicalize` on a real directory of the same layout.
//!
//! # Resource limits
//!
//! Each a [`Config`] field with its own error:
//! [`Config::max_len`] bytes of request (4,096, `PATH_MAX`),
//! [`Config::max_components`] components (256) and
//! [`Config::max_symlinks`] symlinks followed (40, Linux's `MAXSYMLINKS`).
//! It holds on the meter the decoded path (at most the request's length),
//! the components still to walk (at most [`Config::max_components`] plus
//! what [`Config::max_symlinks`] targets add, 32 bytes each) and the
//! directories walked through (8 bytes each): under 64 KiB for any input.
//!
//! # Time complexity
//!
//! O(n) for a request of n bytes: one pass to decode, one to check bytes,
//! one to check components, and one table lookup per component, each
//! counting its bytes on the meter — at most [`STEPS_PER_BYTE`]·n +
//! [`STEPS_BASE`] steps.
//!
//! # Panics
//!
//! Never: slices are cut at positions their own searches returned.

use crate::held;
use crate::meter::Meter;

use super::vfs::beneath;
use super::{Error, ErrorKind, Node, NodeId, Served, Vfs, ROOT};

/// Meter steps per request byte the hardened twin may count: decoding,
/// the byte check, the component check and the lookups each count at most
/// one a byte; the walk one more a component.
pub const STEPS_PER_BYTE: u64 = 6;

/// Meter steps any request may cost on top: the symlink targets followed
/// (at most [`Config::MAX_SYMLINKS`] of the table's, each under 16 bytes
/// and 4 components) and a few steps of set-up.
pub const STEPS_BASE: u64 = 4_096;

/// The limits of the hardened twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Longest request, in bytes ([`ErrorKind::TooLong`]).
    pub max_len: usize,
    /// Most components, `.` and `..` included, empty ones not
    /// ([`ErrorKind::TooManyComponents`]).
    pub max_components: usize,
    /// Most symlinks followed ([`ErrorKind::TooManySymlinks`]).
    pub max_symlinks: usize,
}

impl Config {
    /// Default [`Config::max_len`]: 4,096, Linux's `PATH_MAX`.
    pub const MAX_LEN: usize = 4096;
    /// Default [`Config::max_components`]: 256.
    pub const MAX_COMPONENTS: usize = 256;
    /// Default [`Config::max_symlinks`]: 40, Linux's `MAXSYMLINKS`.
    pub const MAX_SYMLINKS: usize = 40;
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_len: Config::MAX_LEN,
            max_components: Config::MAX_COMPONENTS,
            max_symlinks: Config::MAX_SYMLINKS,
        }
    }
}

/// Resolves `request` under [`ROOT`] in `fs` with the default [`Config`].
pub fn resolve(request: &[u8], fs: &Vfs, meter: &mut Meter) -> Result<Served, Error> {
    resolve_with(Config::default(), request, fs, meter)
}

/// Resolves `request` under [`ROOT`] in `fs` with `config`.
///
/// Counts at most [`STEPS_PER_BYTE`]·n + [`STEPS_BASE`] meter steps and
/// holds every buffer it builds on the meter; returns
/// [`ErrorKind::Fuse`] when the meter trips.
pub fn resolve_with(
    config: Config,
    request: &[u8],
    fs: &Vfs,
    meter: &mut Meter,
) -> Result<Served, Error> {
    meter.step()?;
    if request.is_empty() {
        return Err(Error::whole(ErrorKind::Empty));
    }
    if request.len() > config.max_len {
        let kind = ErrorKind::TooLong { len: request.len(), limit: config.max_len };
        return Err(Error::whole(kind));
    }
    let decoded = decode(request, meter)?;
    let result = check_and_walk(config, &decoded, fs, meter);
    meter.release(decoded.capacity() as u64);
    result
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// The request percent-decoded, once.
fn decode(request: &[u8], meter: &mut Meter) -> Result<Vec<u8>, Error> {
    meter.steps(request.len() as u64)?;
    meter.hold(request.len() as u64)?;
    let mut out = Vec::with_capacity(request.len());
    let mut i = 0;
    while i < request.len() {
        if request[i] != b'%' {
            out.push(request[i]);
            i += 1;
            continue;
        }
        let byte = match request.get(i + 1..i + 3) {
            Some([hi, lo]) => hex(*hi).zip(hex(*lo)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        let Some(byte) = byte else {
            meter.release(out.capacity() as u64);
            return Err(Error::new(ErrorKind::MalformedEncoding, i));
        };
        out.push(byte);
        i += 3;
    }
    Ok(out)
}

fn is_sep(b: u8) -> bool {
    b == b'/' || b == b'\\'
}

/// The byte checks, the prefix checks, the component checks, then the
/// walk. Offsets are in the decoded path.
fn check_and_walk(
    config: Config,
    decoded: &[u8],
    fs: &Vfs,
    meter: &mut Meter,
) -> Result<Served, Error> {
    let text = match std::str::from_utf8(decoded) {
        Ok(text) => text,
        Err(e) => return Err(Error::new(ErrorKind::InvalidUtf8, e.valid_up_to())),
    };
    meter.steps(decoded.len() as u64)?;
    for (i, &b) in decoded.iter().enumerate() {
        if b == 0 {
            return Err(Error::new(ErrorKind::Nul, i));
        }
        if b < 0x20 || b == 0x7f {
            return Err(Error::new(ErrorKind::ControlCharacter { byte: b }, i));
        }
        if b == b'%'
            && decoded.get(i + 1..i + 3).is_some_and(|h| h.iter().all(|&d| hex(d).is_some()))
        {
            return Err(Error::new(ErrorKind::DoubleEncoding, i));
        }
    }
    prefix(decoded)?;
    let count = components(config, text, meter)?;
    // The components still to walk, last first, each with the symlink
    // whose target it came from, if any.
    let mut pending: Vec<(&[u8], Option<NodeId>)> = Vec::new();
    let mut trail: Vec<NodeId> = Vec::new();
    let result = held::reserve(&mut pending, count, meter).map_err(Error::from).and_then(|()| {
        // A trailing separator asks for a directory: one empty
        // component stands for it; the others change nothing.
        if decoded.last().is_some_and(|&b| is_sep(b)) {
            pending.push((&decoded[decoded.len()..], None));
        }
        let named = decoded.split(|&b| is_sep(b)).filter(|c| !c.is_empty());
        pending.extend(named.rev().map(|c| (c, None)));
        walk(config, fs, &mut pending, &mut trail, meter)
    });
    meter.release(held::bytes::<(&[u8], Option<NodeId>)>(pending.capacity()));
    meter.release(held::bytes::<NodeId>(trail.capacity()));
    result
}

/// Absolute, UNC, device-prefixed and drive-letter paths refused.
fn prefix(path: &[u8]) -> Result<(), Error> {
    let kind = match path {
        [a, b, b'?' | b'.', rest @ ..]
            if is_sep(*a) && is_sep(*b) && rest.first().is_none_or(|&c| is_sep(c)) =>
        {
            ErrorKind::DevicePrefix
        }
        [a, b'?', b'?', b, ..] if is_sep(*a) && is_sep(*b) => ErrorKind::DevicePrefix,
        [a, b, ..] if is_sep(*a) && is_sep(*b) => ErrorKind::Unc,
        [a, ..] if is_sep(*a) => ErrorKind::Absolute,
        [d, b':', ..] if d.is_ascii_alphabetic() => ErrorKind::DriveLetter,
        _ => return Ok(()),
    };
    Err(Error::whole(kind))
}

/// Whether `name` is a Windows device name: its part before the first dot,
/// trailing spaces dropped, is `CON`, `PRN`, `AUX`, `NUL`, `CONIN$`,
/// `CONOUT$`, or `COM` or `LPT` and one of `1`–`9`, `¹`, `²`, `³`, in any
/// case.
pub fn is_device_name(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or_default().trim_end_matches(' ');
    let upper = base.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => {
            let Some(rest) = upper.strip_prefix("COM").or_else(|| upper.strip_prefix("LPT")) else {
                return false;
            };
            matches!(rest, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³")
        }
    }
}

/// Every component checked; how many there are to walk (the named ones,
/// and one for a trailing separator).
fn components(config: Config, text: &str, meter: &mut Meter) -> Result<usize, Error> {
    meter.steps(text.len() as u64)?;
    let mut named = 0usize;
    let mut offset = 0usize;
    for component in text.split(['/', '\\']) {
        let at = offset;
        offset += component.len() + 1;
        if component.is_empty() {
            continue;
        }
        named += 1;
        if named > config.max_components {
            let kind = ErrorKind::TooManyComponents { count: named, limit: config.max_components };
            return Err(Error::new(kind, at));
        }
        if component == "." || component == ".." {
            continue;
        }
        let owned = || component.to_owned();
        if is_device_name(component) {
            return Err(Error::new(ErrorKind::DeviceName { component: owned() }, at));
        }
        if component.contains(':') {
            return Err(Error::new(ErrorKind::Colon { component: owned() }, at));
        }
        if component.ends_with(['.', ' ']) {
            return Err(Error::new(ErrorKind::TrailingDotOrSpace { component: owned() }, at));
        }
    }
    Ok(named + 1)
}

/// The walk beneath the root: `trail` holds the directories entered below
/// it, so `..` can never pass it.
fn walk(
    config: Config,
    fs: &Vfs,
    pending: &mut Vec<(&[u8], Option<NodeId>)>,
    trail: &mut Vec<NodeId>,
    meter: &mut Meter,
) -> Result<Served, Error> {
    let root = fs.served_root();
    let mut at = root;
    let mut hops = 0usize;
    while let Some((name, via)) = pending.pop() {
        meter.step()?;
        if fs.node(at) != Node::Dir {
            return Err(Error::whole(ErrorKind::NotADirectory));
        }
        match name {
            b"" | b"." => continue,
            b".." => {
                if trail.pop().is_none() {
                    return Err(Error::whole(match via {
                        Some(link) => ErrorKind::SymlinkEscape { link: fs.path(link) },
                        None => ErrorKind::ParentEscape,
                    }));
                }
                at = trail.last().copied().unwrap_or(root);
                continue;
            }
            _ => {}
        }
        let Some(next) = fs.child(at, name, meter)? else {
            return Err(Error::whole(ErrorKind::NotFound));
        };
        let Node::Symlink(target) = fs.node(next) else {
            held::reserve(trail, 1, meter)?;
            trail.push(next);
            at = next;
            continue;
        };
        hops += 1;
        if hops > config.max_symlinks {
            return Err(Error::whole(ErrorKind::TooManySymlinks { limit: config.max_symlinks }));
        }
        meter.steps(target.len() as u64)?;
        let mut target = target;
        if target.starts_with('/') {
            // An absolute target is followed only into the root, from it.
            let Some(rest) =
                target.strip_prefix(ROOT).filter(|r| r.is_empty() || r.starts_with('/'))
            else {
                return Err(Error::whole(ErrorKind::SymlinkEscape { link: fs.path(next) }));
            };
            trail.clear();
            at = root;
            target = rest;
        }
        held::reserve(pending, target.split('/').count(), meter)?;
        pending.extend(target.split('/').rev().map(|c| (c.as_bytes(), Some(next))));
    }
    let path = fs.path(at);
    match fs.node(at) {
        // The second line of defence: the walk cannot leave the root.
        _ if !beneath(path, ROOT) => Err(Error::whole(ErrorKind::ParentEscape)),
        Node::File(content) => Ok(Served { path, content }),
        _ => Err(Error::whole(ErrorKind::IsADirectory)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_str(request: &str) -> Result<&'static str, ErrorKind> {
        let mut meter = Meter::default();
        let result = resolve(request.as_bytes(), &Vfs::new(), &mut meter);
        assert_eq!(meter.held(), 0, "{request}");
        result.map(|s| s.path).map_err(|e| e.kind)
    }

    #[test]
    fn benign_paths_resolve_inside_the_root() {
        assert_eq!(resolve_str("css/site.css"), Ok("/srv/app/public/css/site.css"));
        assert_eq!(resolve_str("a/./b/../c.txt"), Ok("/srv/app/public/a/c.txt"));
        assert_eq!(resolve_str("a\\b\\d.txt"), Ok("/srv/app/public/a/b/d.txt"));
        assert_eq!(resolve_str("latest.css"), Ok("/srv/app/public/css/site.css"));
        assert_eq!(resolve_str("docs/current/guide.txt"), Ok("/srv/app/public/docs/v2/guide.txt"));
        assert_eq!(
            resolve_str("docs/current/../v2/guide.txt"),
            Ok("/srv/app/public/docs/v2/guide.txt")
        );
        assert_eq!(resolve_str("%63ss/site%2ecss"), Ok("/srv/app/public/css/site.css"));
    }

    #[test]
    fn every_attack_is_refused_with_its_own_kind() {
        let kind = |r: &str| resolve_str(r).unwrap_err().name();
        assert_eq!(kind("../../etc/passwd"), "parent escape");
        assert_eq!(kind("%2e%2e/%2e%2e/etc/passwd"), "parent escape");
        assert_eq!(kind("..\\..\\etc\\passwd"), "parent escape");
        assert_eq!(kind("%252e%252e/etc/passwd"), "double encoding");
        assert_eq!(kind("....//etc/passwd"), "trailing dot or space");
        assert_eq!(kind("%c0%ae%c0%ae/etc/passwd"), "invalid utf-8");
        assert_eq!(kind("index.html%00.png"), "nul byte");
        assert_eq!(kind("/etc/passwd"), "absolute path");
        assert_eq!(kind("\\\\server\\share"), "unc path");
        assert_eq!(kind("\\\\?\\C:\\x"), "device prefix");
        assert_eq!(kind("\\??\\C:\\x"), "device prefix");
        assert_eq!(kind("C:\\x"), "drive letter");
        assert_eq!(kind("a/b:c"), "colon in component");
        assert_eq!(kind("COM1 .txt"), "device name");
        assert_eq!(kind("lpt\u{b3}"), "device name");
        assert_eq!(kind("shared/config.txt"), "symlink escape");
        assert_eq!(kind("loop"), "too many symlinks");
        assert_eq!(kind("%zz"), "malformed encoding");
        assert_eq!(kind("css/site.css/"), "not a directory");
        assert_eq!(kind("css"), "is a directory");
        assert_eq!(kind(""), "empty path");
        assert_eq!(kind(&"a/".repeat(300)), "too many components");
        assert_eq!(kind(&"a".repeat(5000)), "path too long");
        assert!(!is_device_name("com0") && !is_device_name("dollar$") && is_device_name("CONIN$"));
    }
}
