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

/// Writes `bytes` to `dir/name` through a temporary file and a rename.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = safe_join(dir, name)?;
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, &path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
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
        bail!("refusing to write {name:?} under {}: not a plain file name", dir.display());
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

    #[test]
    fn a_failed_write_leaves_no_file() {
        let missing = std::env::temp_dir().join("gauntlet-no-such-dir/deeper");
        assert!(write_atomic(&missing, "report.json", b"{}").is_err());
        assert!(!missing.join("report.json").exists());
    }
}
