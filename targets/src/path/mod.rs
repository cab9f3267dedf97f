//! A static file server's path resolver: the path-traversal family.
//!
//! # The story
//!
//! A file server maps a requested path — bytes as they arrive from a URL
//! or a form field, percent-encoding included — onto a file under a root
//! directory, here [`ROOT`] = `/srv/app/public`, and sends it back. If the
//! request can name a file outside the root, the server hands out whatever
//! it can read: `/etc/passwd`, the application's keys (path traversal,
//! CWE-22). The protections people really ship each miss a way around:
//!
//! - removing `../` once leaves `....//` as `../` (CWE-23);
//! - checking before decoding lets `%2e%2e%2f` through, and decoding again
//!   lets `%252e%252e%252f` through (CWE-174, CWE-180);
//! - a containment check by string prefix takes `/srv/app/public-old` for
//!   part of `/srv/app/public`;
//! - a check that knows only `/` misses `..\` on a server that also splits
//!   on `\`;
//! - an extension allow-list reads `secret.key%00.png` as a `.png`, while
//!   the C-string API underneath stops at the NUL (CWE-158; CPython's
//!   `os.path.normpath` truncated at NUL until 3.11.5, CVE-2023-41105);
//! - a check of the path as written says nothing of where a symlink under
//!   the root leads (CWE-59).
//!
//! Werkzeug's `safe_join`, Go's `filepath.IsLocal` and `os.Root`, and Linux
//! `openat2(RESOLVE_BENEATH)` are the models of the fix: decode once,
//! refuse what is not a plain relative name (absolute paths, drives, UNC
//! and device prefixes, Windows device names — Go's CVE-2023-45283 was a
//! `\??\` prefix, CVE-2023-45284 `COM1 ` and superscript digits), walk the
//! path one component at a time and check containment again after every
//! symlink.
//!
//! - [`vulnerable`]: every weak protection above, and a "repeat until
//!   nothing changes" clean-up that costs quadratic time;
//! - [`hardened`]: decode once, refuse, resolve beneath the root, linear
//!   time and explicit limits.
//!
//! Both resolve against a [`Vfs`], an in-memory filesystem with the layout
//! of [`vfs`]'s table: files under the root, a symlink under the root that
//! leads outside it, a sibling directory `/srv/app/public-old`, and the
//! [`CANARY`] in `/etc/passwd` and in `/srv/app/private`. Nothing touches
//! the real filesystem.
//!
//! # Input format
//!
//! The requested path as bytes, relative to the root (`css/site.css`),
//! percent-encoded or not; any bytes are accepted and judged.
//!
//! # What the twins return
//!
//! [`Served`]: the absolute path of the file in the [`Vfs`] after every
//! symlink, and its content; or an [`Error`] whose [`ErrorKind`] names the
//! refusal or the limit.

pub mod hardened;
pub mod vfs;
pub mod vulnerable;

use std::fmt;

use crate::meter::Blown;

pub use vfs::{Entry, Node, NodeId, Vfs, CANARY, ROOT};

/// The file a twin would serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Served {
    /// The file's absolute path in the [`Vfs`], every symlink resolved
    /// (`/srv/app/public/css/site.css`).
    pub path: &'static str,
    /// The file's content.
    pub content: &'static str,
}

impl Served {
    /// Whether the file lies under [`ROOT`] (component-wise: `ROOT` itself
    /// or `ROOT/...`, never `/srv/app/public-old/...`).
    pub fn inside_root(&self) -> bool {
        vfs::beneath(self.path, ROOT)
    }

    /// Whether the content holds the planted secret.
    pub fn holds_canary(&self) -> bool {
        self.content.contains(CANARY)
    }
}

/// Why a twin refused a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The byte offset the error is about: in the request for a malformed
    /// encoding or the extension check, in the decoded path for the
    /// hardened twin's checks after decoding, 0 when it is about the whole
    /// request or where the walk ended.
    pub offset: usize,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }

    pub(crate) fn whole(kind: ErrorKind) -> Error {
        Error { kind, offset: 0 }
    }
}

impl From<Blown> for Error {
    fn from(blown: Blown) -> Error {
        Error::whole(ErrorKind::Fuse(blown))
    }
}

/// The kinds of [`Error`]. Each has a stable lowercase [`ErrorKind::name`]
/// that starts its message. The vulnerable twin uses the last group only.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request is empty.
    Empty,
    /// The request is longer than the limit.
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The request has more components than the limit.
    TooManyComponents {
        /// Components counted (the limit + 1: counting stops there).
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A `%` not followed by two hex digits.
    MalformedEncoding,
    /// The decoded request is not UTF-8 (overlong forms such as `%c0%ae`
    /// included).
    InvalidUtf8,
    /// The decoded request still holds a `%` and two hex digits: it was
    /// encoded twice.
    DoubleEncoding,
    /// A NUL byte, which a C-string API would stop at.
    Nul,
    /// Another control character (below 0x20, or 0x7f).
    ControlCharacter {
        /// The byte.
        byte: u8,
    },
    /// The request starts with a separator.
    Absolute,
    /// The request starts with two separators: `\\server\share`.
    Unc,
    /// A Windows device or verbatim prefix: `\\?\`, `\\.\`, `\??\`.
    DevicePrefix,
    /// The request starts with a drive letter: `C:`.
    DriveLetter,
    /// A component holds a `:` (a drive-relative path or an NTFS alternate
    /// data stream on Windows).
    Colon {
        /// The component.
        component: String,
    },
    /// A component is a Windows device name (`CON`, `com1.txt`, `LPT¹ `).
    DeviceName {
        /// The component.
        component: String,
    },
    /// A component ends in a dot or a space, which Windows drops.
    TrailingDotOrSpace {
        /// The component.
        component: String,
    },
    /// A `..` would climb above the root.
    ParentEscape,
    /// A symlink leads outside the root.
    SymlinkEscape {
        /// The symlink's path.
        link: &'static str,
    },
    /// More symlinks followed than the limit (or a loop).
    TooManySymlinks {
        /// The limit.
        limit: usize,
    },
    /// The containment check found the path outside the root (the
    /// vulnerable twin's string-prefix check).
    OutsideRoot,
    /// The file's extension is not on the allow-list.
    ExtensionNotAllowed {
        /// The extension.
        extension: String,
    },
    /// No such file or directory.
    NotFound,
    /// A path goes on below a file.
    NotADirectory,
    /// The path names a directory, which is not served.
    IsADirectory,
    /// The meter's fuse stopped the run.
    Fuse(Blown),
}

impl ErrorKind {
    /// The kind's stable lowercase name (`"parent escape"`), the start of
    /// its message.
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::Empty => "empty path",
            ErrorKind::TooLong { .. } => "path too long",
            ErrorKind::TooManyComponents { .. } => "too many components",
            ErrorKind::MalformedEncoding => "malformed encoding",
            ErrorKind::InvalidUtf8 => "invalid utf-8",
            ErrorKind::DoubleEncoding => "double encoding",
            ErrorKind::Nul => "nul byte",
            ErrorKind::ControlCharacter { .. } => "control character",
            ErrorKind::Absolute => "absolute path",
            ErrorKind::Unc => "unc path",
            ErrorKind::DevicePrefix => "device prefix",
            ErrorKind::DriveLetter => "drive letter",
            ErrorKind::Colon { .. } => "colon in component",
            ErrorKind::DeviceName { .. } => "device name",
            ErrorKind::TrailingDotOrSpace { .. } => "trailing dot or space",
            ErrorKind::ParentEscape => "parent escape",
            ErrorKind::SymlinkEscape { .. } => "symlink escape",
            ErrorKind::TooManySymlinks { .. } => "too many symlinks",
            ErrorKind::OutsideRoot => "outside root",
            ErrorKind::ExtensionNotAllowed { .. } => "extension not allowed",
            ErrorKind::NotFound => "not found",
            ErrorKind::NotADirectory => "not a directory",
            ErrorKind::IsADirectory => "is a directory",
            ErrorKind::Fuse(_) => "fuse",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kind.name())?;
        match &self.kind {
            ErrorKind::Empty => f.write_str("nothing to resolve")?,
            ErrorKind::TooLong { len, limit } => {
                write!(f, "{len} bytes exceed the limit of {limit}")?
            }
            ErrorKind::TooManyComponents { count, limit } => {
                write!(f, "{count} components exceed the limit of {limit}")?
            }
            ErrorKind::MalformedEncoding => {
                f.write_str("'%' must be followed by two hex digits")?
            }
            ErrorKind::InvalidUtf8 => f.write_str("the decoded path is not UTF-8")?,
            ErrorKind::DoubleEncoding => {
                f.write_str("the decoded path still holds a percent-encoded byte")?
            }
            ErrorKind::Nul => f.write_str("a NUL byte would truncate the path")?,
            ErrorKind::ControlCharacter { byte } => write!(f, "byte 0x{byte:02x}")?,
            ErrorKind::Absolute => f.write_str("the path must be relative to the root")?,
            ErrorKind::Unc => f.write_str("a \\\\server\\share path")?,
            ErrorKind::DevicePrefix => f.write_str("a \\\\?\\, \\\\.\\ or \\??\\ prefix")?,
            ErrorKind::DriveLetter => f.write_str("a drive-letter path")?,
            ErrorKind::Colon { component }
            | ErrorKind::DeviceName { component }
            | ErrorKind::TrailingDotOrSpace { component } => write!(f, "{component:?}")?,
            ErrorKind::ParentEscape => f.write_str("'..' would climb above the root")?,
            ErrorKind::SymlinkEscape { link } => write!(f, "{link} leads outside the root")?,
            ErrorKind::TooManySymlinks { limit } => {
                write!(f, "more than {limit} symlinks followed")?
            }
            ErrorKind::OutsideRoot => {
                f.write_str("the joined path does not start with the root")?
            }
            ErrorKind::ExtensionNotAllowed { extension } => {
                write!(f, "{extension:?} is not on the allow-list")?
            }
            ErrorKind::NotFound => f.write_str("no such file or directory")?,
            ErrorKind::NotADirectory => f.write_str("a path component is a file")?,
            ErrorKind::IsADirectory => f.write_str("directories are not served")?,
            ErrorKind::Fuse(blown) => write!(f, "{blown}")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for Error {}
