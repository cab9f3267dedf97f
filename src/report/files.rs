//! Writing report files: every file goes to a temporary name in its
//! directory and is renamed into place, under a name that cannot leave that
//! directory.
//!
//! # Guarantees
//!
//! - A reader never sees a half-written file: the name appears only once
//!   the whole file is on disk ([`write_atomic`]).
//! - A write that fails at any step (the temporary file cannot be created,
//!   written or synced, or the rename fails) leaves neither the file nor its
//!   temporary behind, and the error names the file.
//! - Nothing derived from a target name or a signature can write outside
//!   the directory it is joined to ([`safe_join`]).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::text::HumanPath;

/// Writes `bytes` to `dir/name` through a temporary file
/// (`dir/.<name>.tmp-<pid>`) and a rename.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = safe_join(dir, name)?;
    let context = || format!("cannot write {}", HumanPath(&path));
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    // Nothing to clean up when the temporary file cannot be created (and a
    // path that is in the way is not ours to remove).
    let mut file = fs::File::create(&tmp).with_context(context)?;
    let result = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = result.and_then(|()| fs::rename(&tmp, &path)) {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(context);
    }
    Ok(path)
}

/// `dir/name`, refusing any `name` that is not one plain path component, so
/// nothing derived from a target name or signature can leave `dir`.
pub fn safe_join(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !plain {
        bail!("refusing to write {name:?} under {}: not a plain file name", HumanPath(dir));
    }
    Ok(dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_anything_but_a_plain_name() {
        let dir = Path::new("/r");
        for bad in ["", ".", "..", "../x", "a/b", "/etc", "a\\b", "a b", "a\0"] {
            assert!(safe_join(dir, bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            safe_join(dir, "superlinear-time-00ff").unwrap(),
            dir.join("superlinear-time-00ff")
        );
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_no_file() {
        // The temporary file is created and written; the rename then fails
        // because the name is taken by a non-empty directory (as root too,
        // where permission bits would not stop the write).
        let dir = std::env::temp_dir().join(format!("gauntlet-files-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let taken = dir.join("report.json");
        fs::create_dir_all(&taken).unwrap();
        fs::write(taken.join("keep"), b"x").unwrap();

        let err = write_atomic(&dir, "report.json", b"{}").unwrap_err();
        assert!(format!("{err:#}").starts_with(&format!("cannot write {}", taken.display())));
        assert_eq!(names(&dir), ["report.json"], "no temporary file left behind");
        assert!(taken.is_dir() && names(&taken) == ["keep"], "the directory is untouched");

        // A directory that does not exist: the temporary file cannot even be
        // created.
        let missing = dir.join("no-such-dir");
        assert!(write_atomic(&missing, "report.json", b"{}").is_err());
        assert!(!missing.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_write_replaces_the_file_and_leaves_only_it() {
        let dir = std::env::temp_dir().join(format!("gauntlet-files-ok-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("report.json"), b"old").unwrap();
        let path = write_atomic(&dir, "report.json", b"new").unwrap();
        assert_eq!(path, dir.join("report.json"));
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(names(&dir), ["report.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
