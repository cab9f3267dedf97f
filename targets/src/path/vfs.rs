//! The in-memory filesystem both path twins resolve against.
//!
//! # The layout
//!
//! | path | what |
//! |---|---|
//! | `/srv/app/public` | [`ROOT`], the directory the server serves |
//! | `/srv/app/public/index.html`, `css/site.css`, `js/app.js`, `img/logo.png`, `a/c.txt`, `a/b/d.txt`, `docs/v2/guide.txt` | ordinary files |
//! | `/srv/app/public/latest.css` → `css/site.css` | a symlink that stays inside the root |
//! | `/srv/app/public/docs/current` → `v2` | a directory symlink that stays inside |
//! | `/srv/app/public/shared` → `../private` | a symlink under the root that leads outside it |
//! | `/srv/app/public/loop` → `loop` | a symlink to itself |
//! | `/srv/app/public-old/index.html`, `backup.txt` | a sibling whose name starts with the root's |
//! | `/srv/app/private/secret.key`, `config.txt` | secrets: both hold the [`CANARY`] |
//! | `/etc/passwd` | holds the [`CANARY`] |
//! | `/etc/hostname` | no secret |
//!
//! Every symlink target is relative, so the same layout can be built on a
//! real disk (the family's property test does, in a temporary directory)
//! and resolve to the same files.
//!
//! # Guarantees
//!
//! - Nothing here touches the real filesystem: every answer comes from the
//!   table in this file.
//! - [`Vfs::open`] resolves like a POSIX kernel's path walk: `..` is the
//!   parent of the directory actually reached (after symlinks), `..` at
//!   `/` stays at `/`, a symlink is followed wherever it appears, relative
//!   targets from the directory that holds the link, at most
//!   [`Vfs::MAX_SYMLINKS`] of them (Linux's 40), a path that goes on below
//!   a file (`file/`, `file/.`) is refused, and the path ends at its first
//!   NUL byte, as a C string does.
//!
//! # Resource limits
//!
//! [`Vfs::open`] holds on the meter the components it has still to walk:
//! at most one per byte of the path, plus what [`Vfs::MAX_SYMLINKS`]
//! targets from the table add.
//!
//! # Time complexity
//!
//! [`Vfs::child`] is O(t + k), t the size of the table (fixed, 31 entries)
//! and k the name's length; it counts 1 + k meter steps. [`Vfs::open`] is
//! O(n) lookups for a path of n bytes, plus the components of at most
//! [`Vfs::MAX_SYMLINKS`] symlink targets.
//!
//! # Panics
//!
//! Never: indexes are those the table's own searches return.

use crate::held;
use crate::meter::Meter;

use super::{Error, ErrorKind};

/// The directory the file server serves.
pub const ROOT: &str = "/srv/app/public";

/// The planted secret. A served file holding it is a leak.
pub const CANARY: &str = "GAUNTLET-CANARY-3d81b6f0a2";

const PASSWD: &str = concat!(
    "root:x:0:0:root:/root:/bin/sh\n",
    "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n",
    "app:x:1000:1000:",
    "GAUNTLET-CANARY-3d81b6f0a2",
    ":/srv/app:/bin/sh\n",
);

const SECRET_KEY: &str = concat!(
    "-----BEGIN PRIVATE KEY-----\n",
    "GAUNTLET-CANARY-3d81b6f0a2\n",
    "-----END PRIVATE KEY-----\n"
);

const CONFIG: &str = concat!("database_password = ", "GAUNTLET-CANARY-3d81b6f0a2", "\n");

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// A directory.
    Dir,
    /// A file and its content.
    File(&'static str),
    /// A symbolic link and its target, as `readlink` would give it.
    Symlink(&'static str),
}

/// One entry of the table: an absolute path and what it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The absolute path, without a trailing `/` (except `/` itself).
    pub path: &'static str,
    /// What it names.
    pub node: Node,
}

const fn dir(path: &'static str) -> Entry {
    Entry { path, node: Node::Dir }
}

const fn file(path: &'static str, content: &'static str) -> Entry {
    Entry { path, node: Node::File(content) }
}

const fn link(path: &'static str, target: &'static str) -> Entry {
    Entry { path, node: Node::Symlink(target) }
}

/// The layout of the module docs. Every directory's parent comes before
/// it.
pub const LAYOUT: &[Entry] = &[
    dir("/"),
    dir("/etc"),
    file("/etc/passwd", PASSWD),
    file("/etc/hostname", "web-1\n"),
    dir("/srv"),
    dir("/srv/app"),
    dir("/srv/app/public"),
    file("/srv/app/public/index.html", "<!doctype html><title>home</title>\n"),
    dir("/srv/app/public/css"),
    file("/srv/app/public/css/site.css", "body { margin: 0 }\n"),
    dir("/srv/app/public/js"),
    file("/srv/app/public/js/app.js", "console.log('hi');\n"),
    dir("/srv/app/public/img"),
    file("/srv/app/public/img/logo.png", "\u{fffd}PNG logo\n"),
    dir("/srv/app/public/a"),
    file("/srv/app/public/a/c.txt", "c\n"),
    dir("/srv/app/public/a/b"),
    file("/srv/app/public/a/b/d.txt", "d\n"),
    dir("/srv/app/public/docs"),
    dir("/srv/app/public/docs/v2"),
    file("/srv/app/public/docs/v2/guide.txt", "the guide, version 2\n"),
    link("/srv/app/public/docs/current", "v2"),
    link("/srv/app/public/latest.css", "css/site.css"),
    link("/srv/app/public/shared", "../private"),
    link("/srv/app/public/loop", "loop"),
    dir("/srv/app/public-old"),
    file("/srv/app/public-old/index.html", "<!doctype html><title>old home</title>\n"),
    file("/srv/app/public-old/backup.txt", "last year's site\n"),
    dir("/srv/app/private"),
    file("/srv/app/private/secret.key", SECRET_KEY),
    file("/srv/app/private/config.txt", CONFIG),
];

/// Index of an entry in the table.
pub type NodeId = usize;

/// Whether `path` is `dir` or lies under it, component-wise.
pub fn beneath(path: &str, dir: &str) -> bool {
    match path.strip_prefix(dir) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || dir == "/",
        None => false,
    }
}

/// The in-memory filesystem: a table of [`Entry`]s.
#[derive(Clone, Copy, Debug)]
pub struct Vfs {
    entries: &'static [Entry],
}

impl Default for Vfs {
    fn default() -> Vfs {
        Vfs::new()
    }
}

impl Vfs {
    /// How many symlinks [`Vfs::open`] follows before it gives up:
    /// Linux's `MAXSYMLINKS`.
    pub const MAX_SYMLINKS: usize = 40;

    /// The filesystem of [`LAYOUT`].
    pub const fn new() -> Vfs {
        Vfs { entries: LAYOUT }
    }

    /// Every entry, parents before children.
    pub fn entries(&self) -> &'static [Entry] {
        self.entries
    }

    /// The entry at exactly `path`.
    pub fn lookup(&self, path: &str) -> Option<NodeId> {
        self.entries.iter().position(|e| e.path == path)
    }

    /// `/`.
    pub fn root(&self) -> NodeId {
        self.lookup("/").unwrap_or(0)
    }

    /// [`ROOT`].
    pub fn served_root(&self) -> NodeId {
        self.lookup(ROOT).unwrap_or(0)
    }

    /// The entry's path.
    pub fn path(&self, id: NodeId) -> &'static str {
        self.entries.get(id).map_or("/", |e| e.path)
    }

    /// What the entry is.
    pub fn node(&self, id: NodeId) -> Node {
        self.entries.get(id).map_or(Node::Dir, |e| e.node)
    }

    /// The directory holding the entry (`/` for `/`).
    pub fn parent(&self, id: NodeId) -> NodeId {
        let path = self.path(id);
        match path.rfind('/') {
            Some(0) => self.root(),
            Some(i) => self.lookup(&path[..i]).unwrap_or_else(|| self.root()),
            None => self.root(),
        }
    }

    /// The entry called `name` in directory `dir`, counting 1 + the name's
    /// length in steps.
    pub fn child(
        &self,
        dir: NodeId,
        name: &[u8],
        meter: &mut Meter,
    ) -> Result<Option<NodeId>, Error> {
        meter.steps(1 + name.len() as u64)?;
        let base = self.path(dir);
        let base = if base == "/" { "" } else { base };
        Ok(self.entries.iter().position(|e| {
            e.path
                .strip_prefix(base)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|rest| rest.as_bytes() == name)
        }))
    }

    /// Opens `path` the way a POSIX `open(2)` would (see the module docs):
    /// the file it names, or why not. A relative path is taken from `/`.
    pub fn open(&self, path: &[u8], meter: &mut Meter) -> Result<NodeId, Error> {
        // A C string ends at its first NUL.
        let path = path.split(|&b| b == 0).next().unwrap_or_default();
        // The components still to walk, last first.
        let mut pending: Vec<&[u8]> = Vec::new();
        let result = self.walk(path, &mut pending, meter);
        meter.release(held::bytes::<&[u8]>(pending.capacity()));
        result
    }

    fn walk<'p>(
        &self,
        path: &'p [u8],
        pending: &mut Vec<&'p [u8]>,
        meter: &mut Meter,
    ) -> Result<NodeId, Error> {
        held::reserve(pending, path.split(|&b| b == b'/').count(), meter)?;
        pending.extend(path.split(|&b| b == b'/').rev());
        let mut at = self.root();
        let mut hops = 0usize;
        while let Some(name) = pending.pop() {
            meter.step()?;
            if self.node(at) != Node::Dir {
                return Err(Error::whole(ErrorKind::NotADirectory));
            }
            match name {
                b"" | b"." => continue,
                b".." => {
                    at = self.parent(at);
                    continue;
                }
                _ => {}
            }
            let Some(next) = self.child(at, name, meter)? else {
                return Err(Error::whole(ErrorKind::NotFound));
            };
            let Node::Symlink(target) = self.node(next) else {
                at = next;
                continue;
            };
            hops += 1;
            if hops > Vfs::MAX_SYMLINKS {
                return Err(Error::whole(ErrorKind::TooManySymlinks { limit: Vfs::MAX_SYMLINKS }));
            }
            if target.starts_with('/') {
                at = self.root();
            }
            held::reserve(pending, target.split('/').count(), meter)?;
            pending.extend(target.split('/').rev().map(str::as_bytes));
        }
        match self.node(at) {
            Node::File(_) => Ok(at),
            _ => Err(Error::whole(ErrorKind::IsADirectory)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &str) -> Result<&'static str, ErrorKind> {
        let fs = Vfs::new();
        let mut meter = Meter::default();
        fs.open(path.as_bytes(), &mut meter).map(|id| fs.path(id)).map_err(|e| e.kind)
    }

    #[test]
    fn the_table_is_a_tree() {
        let fs = Vfs::new();
        for (i, e) in fs.entries().iter().enumerate() {
            if e.path != "/" {
                let parent = fs.parent(i);
                assert!(parent < i, "{} before its parent", e.path);
                assert_eq!(fs.node(parent), Node::Dir, "{}", e.path);
            }
            if let Node::Symlink(target) = e.node {
                assert!(!target.starts_with('/'), "{}: relative targets only", e.path);
            }
        }
    }

    #[test]
    fn open_walks_like_a_kernel() {
        assert_eq!(open("/srv/app/public/css/site.css"), Ok("/srv/app/public/css/site.css"));
        assert_eq!(open("/srv/app/public/../../../../etc/passwd"), Ok("/etc/passwd"));
        assert_eq!(open("/srv/app/public/latest.css"), Ok("/srv/app/public/css/site.css"));
        assert_eq!(open("/srv/app/public/shared/config.txt"), Ok("/srv/app/private/config.txt"));
        assert_eq!(
            open("/srv/app/public/shared/../public/index.html"),
            Ok("/srv/app/public/index.html")
        );
        assert_eq!(
            open("/srv/app/public/docs/current/guide.txt"),
            Ok("/srv/app/public/docs/v2/guide.txt")
        );
        assert_eq!(open("/srv/app/private/secret.key\0.png"), Ok("/srv/app/private/secret.key"));
        assert_eq!(open("/srv/app/public/loop"), Err(ErrorKind::TooManySymlinks { limit: 40 }));
        assert_eq!(open("/srv/app/public/css/site.css/"), Err(ErrorKind::NotADirectory));
        assert_eq!(open("/srv/app/public/css/site.css/.."), Err(ErrorKind::NotADirectory));
        assert_eq!(open("/srv/app/public/css"), Err(ErrorKind::IsADirectory));
        assert_eq!(open("/srv/app/public/nothing"), Err(ErrorKind::NotFound));
        assert!(beneath("/srv/app/public/x", ROOT) && beneath(ROOT, ROOT));
        assert!(!beneath("/srv/app/public-old/x", ROOT) && beneath("/etc", "/"));
    }
}
