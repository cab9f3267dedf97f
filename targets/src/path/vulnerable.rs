//! A path resolver with the protections people really ship, each one with
//! a way around it.
//!
//! # Vulnerability
//!
//! **The mistake:** the request is "sanitised" as a string instead of
//! resolved as a path, and checked before it is what the filesystem will
//! see. In order, this twin:
//!
//! 1. removes every `../` once, left to right — so `....//` and `..././`
//!    become `../` (CWE-23, relative path traversal);
//! 2. cleans up `//` and `/./`, one at a time, until nothing changes — each
//!    round copies the whole path, so n slashes cost n rounds of n bytes
//!    (CWE-407, inefficient algorithmic complexity);
//! 3. checks the extension of the last component against an allow-list —
//!    the name as written, so `secret.key%00.png` is a `.png`; a name with
//!    no extension (`passwd`) is served as `application/octet-stream`;
//! 4. joins the request to the root, an absolute request replacing it (as
//!    Python's `os.path.join` and Rust's `Path::join` do), and checks that
//!    the result *starts with* the root — a string prefix, so
//!    `/srv/app/public-old/...` passes, and, the join never normalised,
//!    anything relative passes;
//! 5. percent-decodes the path — after every check above (CWE-180,
//!    validate before canonicalise), so `%2e%2e%2f` passes them as text —
//!    and decodes again until nothing changes, to be kind to clients that
//!    encode twice, so `%252e%252e%252f` passes too (CWE-174, double
//!    decoding), and `%25` repeated n times costs n rounds of n bytes;
//! 6. turns `\` into `/` (it was written to run on Windows too, whose API
//!    takes both), which none of the checks above knew was a separator;
//! 7. opens the result with the filesystem's [`Vfs::open`], which stops at
//!    a NUL byte as a C string does (CWE-158: `secret.key\0.png` opens
//!    `secret.key`) and follows every symlink, the one under the root
//!    that leads outside included, without a second look (CWE-59).
//!
//! **Smallest attacks:** `....//....//....//etc/passwd`,
//! `/srv/app/public-old/backup.txt`, `%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
//! `%252e%252e/%252e%252e/%252e%252e/etc/passwd`, `..\..\..\etc/passwd` (the last
//! separator a `/`, or the allow-list reads `.\etc\passwd` as an extension),
//! `shared/config.txt`, `shared/secret.key%00.png`; and `css` + `/` × n +
//! `site.css` for time.
//!
//! **Defender cost:** any file the server can read, canary secrets
//! included; and about n² meter steps for an n-byte run of slashes (16.8
//! million for 4 KiB, where one pass of each takes about 7·n), about n²/4
//! for n bytes of nested `%25`.
//!
//! **The fix:** [`super::hardened`] decodes once and refuses what is not
//! a plain relative name, then walks the path one component at a time
//! beneath the root, checking again after every symlink.
//!
//! # Time complexity
//!
//! O(n²) for a request of n bytes: the clean-up and the decoding each
//! repeat a pass over the whole path until it stops changing.
//!
//! # Resource limits
//!
//! None of its own: the meter's fuse stops it. It holds on the meter the
//! buffers it builds (each at most n + the root's 16 bytes; at most two
//! at once) and what [`Vfs::open`] holds.
//!
//! # Panics
//!
//! Never: slices are cut at positions their own searches returned.

use crate::meter::Meter;

use super::{Error, ErrorKind, Node, Served, Vfs, ROOT};

/// The extensions served; a name without one is served too.
pub const ALLOWED: &[&str] = &["html", "css", "js", "png", "jpg", "gif", "svg", "ico", "txt"];

/// Resolves `request` under [`ROOT`] in `fs`: the file it would serve.
///
/// Counts a meter step for every byte each pass reads or copies, holds
/// every buffer it builds, and returns [`ErrorKind::Fuse`] when the meter
/// trips.
pub fn resolve(request: &[u8], fs: &Vfs, meter: &mut Meter) -> Result<Served, Error> {
    let stripped = strip_once(request, meter)?;
    let clean = clean_up(stripped, meter)?;
    check_extension(&clean, meter)?;
    let full = join(&clean, meter)?;
    release(clean, meter);
    if !full.starts_with(ROOT.as_bytes()) {
        release(full, meter);
        return Err(Error::whole(ErrorKind::OutsideRoot));
    }
    let mut decoded = decode_until_stable(full, meter)?;
    meter.steps(decoded.len() as u64)?;
    for b in decoded.iter_mut().filter(|b| **b == b'\\') {
        *b = b'/';
    }
    let opened = fs.open(&decoded, meter);
    release(decoded, meter);
    let id = opened?;
    match fs.node(id) {
        Node::File(content) => Ok(Served { path: fs.path(id), content }),
        _ => Err(Error::whole(ErrorKind::IsADirectory)),
    }
}

/// A buffer of `len` bytes' room, held on the meter first.
fn buffer(len: usize, meter: &mut Meter) -> Result<Vec<u8>, Error> {
    meter.hold(len as u64)?;
    Ok(Vec::with_capacity(len))
}

fn release(buf: Vec<u8>, meter: &mut Meter) {
    meter.release(buf.capacity() as u64);
}

/// Every `../` removed, in one pass from the left: what is left is never
/// looked at again.
fn strip_once(request: &[u8], meter: &mut Meter) -> Result<Vec<u8>, Error> {
    meter.steps(request.len() as u64)?;
    let mut out = buffer(request.len(), meter)?;
    let mut i = 0;
    while i < request.len() {
        if request[i..].starts_with(b"../") {
            i += 3;
        } else {
            out.push(request[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// `path` with its first `from` replaced by `to`, or `None` when there is
/// none: one step per byte searched, one per byte copied.
fn replace_first(
    path: &[u8],
    from: &[u8],
    to: &[u8],
    meter: &mut Meter,
) -> Result<Option<Vec<u8>>, Error> {
    let Some(at) = path.windows(from.len()).position(|w| w == from) else {
        meter.steps(path.len() as u64)?;
        return Ok(None);
    };
    meter.steps((at + from.len()) as u64)?;
    let len = path.len() - from.len() + to.len();
    meter.steps(len as u64)?;
    let mut out = buffer(len, meter)?;
    out.extend_from_slice(&path[..at]);
    out.extend_from_slice(to);
    out.extend_from_slice(&path[at + from.len()..]);
    Ok(Some(out))
}

/// `//` and `/./` replaced by `/`, one of each a round, until a round
/// changes nothing: n rounds for n slashes, each copying the whole path.
fn clean_up(mut path: Vec<u8>, meter: &mut Meter) -> Result<Vec<u8>, Error> {
    loop {
        let mut changed = false;
        for from in [&b"//"[..], b"/./"] {
            if let Some(next) = replace_first(&path, from, b"/", meter)? {
                release(std::mem::replace(&mut path, next), meter);
                changed = true;
            }
        }
        if !changed {
            return Ok(path);
        }
    }
}

/// The allow-list, on the last component as written.
fn check_extension(path: &[u8], meter: &mut Meter) -> Result<(), Error> {
    let name = path.rsplit(|&b| b == b'/').next().unwrap_or_default();
    meter.steps(name.len() as u64)?;
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return Ok(());
    };
    let extension = &name[dot + 1..];
    if ALLOWED.iter().any(|a| a.as_bytes().eq_ignore_ascii_case(extension)) {
        return Ok(());
    }
    let offset = path.len() - extension.len();
    let extension = String::from_utf8_lossy(extension).into_owned();
    Err(Error::new(ErrorKind::ExtensionNotAllowed { extension }, offset))
}

/// The root joined with `path`; an absolute `path` replaces it.
fn join(path: &[u8], meter: &mut Meter) -> Result<Vec<u8>, Error> {
    let absolute = path.first() == Some(&b'/');
    let len = if absolute { path.len() } else { ROOT.len() + 1 + path.len() };
    meter.steps(len as u64)?;
    let mut out = buffer(len, meter)?;
    if !absolute {
        out.extend_from_slice(ROOT.as_bytes());
        out.push(b'/');
    }
    out.extend_from_slice(path);
    Ok(out)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// One pass of percent-decoding: `None` when there was nothing to decode.
fn decode_pass(path: &[u8], meter: &mut Meter) -> Result<Option<Vec<u8>>, Error> {
    meter.steps(path.len() as u64)?;
    let encoded = |i: usize| -> Option<u8> {
        match path.get(i..i + 3) {
            Some([b'%', hi, lo]) => Some(hex(*hi)? * 16 + hex(*lo)?),
            _ => None,
        }
    };
    if !(0..path.len()).any(|i| encoded(i).is_some()) {
        return Ok(None);
    }
    let mut out = buffer(path.len(), meter)?;
    let mut i = 0;
    while i < path.len() {
        match encoded(i) {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(path[i]);
                i += 1;
            }
        }
    }
    Ok(Some(out))
}

/// Percent-decoded again and again until a pass changes nothing.
fn decode_until_stable(mut path: Vec<u8>, meter: &mut Meter) -> Result<Vec<u8>, Error> {
    while let Some(next) = decode_pass(&path, meter)? {
        release(std::mem::replace(&mut path, next), meter);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_str(request: &str) -> Result<&'static str, ErrorKind> {
        let mut meter = Meter::default();
        resolve(request.as_bytes(), &Vfs::new(), &mut meter).map(|s| s.path).map_err(|e| e.kind)
    }

    #[test]
    fn every_weak_protection_has_its_way_around() {
        assert_eq!(resolve_str("css/site.css"), Ok("/srv/app/public/css/site.css"));
        assert_eq!(resolve_str("../../etc/passwd"), Err(ErrorKind::NotFound));
        assert_eq!(resolve_str("....//....//....//etc/passwd"), Ok("/etc/passwd"));
        assert_eq!(resolve_str("/etc/passwd"), Err(ErrorKind::OutsideRoot));
        assert_eq!(
            resolve_str("/srv/app/public-old/backup.txt"),
            Ok("/srv/app/public-old/backup.txt")
        );
        assert_eq!(resolve_str("%2e%2e/%2e%2e/%2e%2e/etc/passwd"), Ok("/etc/passwd"));
        assert_eq!(
            resolve_str("%252e%252e%252f%252e%252e%252f%252e%252e%252fetc/passwd"),
            Ok("/etc/passwd")
        );
        // The allow-list reads `.\\etc\\passwd` as an extension: the last `/`
        // component must come after a `/`.
        assert!(matches!(
            resolve_str("..\\..\\..\\etc\\passwd"),
            Err(ErrorKind::ExtensionNotAllowed { .. })
        ));
        assert_eq!(resolve_str("..\\..\\..\\etc/passwd"), Ok("/etc/passwd"));
        assert_eq!(resolve_str("shared/config.txt"), Ok("/srv/app/private/config.txt"));
        assert!(matches!(
            resolve_str("shared/secret.key"),
            Err(ErrorKind::ExtensionNotAllowed { .. })
        ));
        assert_eq!(resolve_str("shared/secret.key%00.png"), Ok("/srv/app/private/secret.key"));
    }

    #[test]
    fn slashes_cost_quadratic_steps_and_memory_is_given_back() {
        let steps = |n: usize| {
            let mut meter = Meter::default();
            let request = format!("css{}site.css", "/".repeat(n));
            assert!(resolve(request.as_bytes(), &Vfs::new(), &mut meter).is_ok());
            assert_eq!(meter.held(), 0);
            meter.cost().steps
        };
        let (a, b) = (steps(200), steps(400));
        assert!(b > 3 * a && b > 2 * 400 * 400 / 2, "{a} {b}");
    }
}
