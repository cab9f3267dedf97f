//! Reading the files gauntlet is given: whole, but never more than a cap,
//! and never from something that is not a file where a file is expected.
//!
//! # Guarantees
//!
//! - [`read_capped`] stops after `cap + 1` bytes whatever the source claims
//!   its size is: `/dev/zero` never ends, a `/proc` file says it has 0
//!   bytes, a file may grow while it is read.
//! - [`read_regular`] reads only a regular file (symlinks followed). It
//!   refuses a FIFO (whose open waits for a writer that may never come), a
//!   device, a socket or a directory before opening it; on Unix it opens
//!   with `O_NONBLOCK` and checks the type again on the open file, so a FIFO
//!   put in place between the check and the open cannot block it either.
//!
//! # Resource limits
//!
//! A read holds at most `cap + 1` bytes of the file in memory.

use std::fs::{self, File, FileType, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use anyhow::{bail, Context};

use crate::text::HumanPath;

/// Reads `reader` to its end into `buf`, but at most `cap + 1` bytes: enough
/// to tell that an input is over the cap without reading all of it.
pub fn read_capped(reader: impl Read, buf: &mut Vec<u8>, cap: u64) -> io::Result<()> {
    reader.take(cap.saturating_add(1)).read_to_end(buf).map(drop)
}

/// Reads the regular file at `path` into `buf` (which it clears), refusing
/// anything else and any file over `cap` bytes; `limit` names the cap in the
/// error ("the --max-input cap").
pub fn read_regular(path: &Path, cap: u64, limit: &str, buf: &mut Vec<u8>) -> anyhow::Result<()> {
    let shown = HumanPath(path);
    let context = || format!("cannot read {shown}");
    let meta = fs::metadata(path).with_context(context)?;
    refuse_unless_regular(path, meta.file_type())?;
    let file = open_nonblocking(path).with_context(context)?;
    let meta = file.metadata().with_context(context)?;
    refuse_unless_regular(path, meta.file_type())?;
    if meta.len() > cap {
        bail!("{shown} is {} bytes, over {limit} of {cap} bytes", meta.len());
    }
    buf.clear();
    read_capped(file, buf, cap).with_context(context)?;
    if buf.len() as u64 > cap {
        // Its size said otherwise: a /proc file, or one that grew.
        bail!("{shown} is over {limit} of {cap} bytes");
    }
    Ok(())
}

fn refuse_unless_regular(path: &Path, kind: FileType) -> anyhow::Result<()> {
    if !kind.is_file() {
        bail!("{} is {}, not a regular file", HumanPath(path), describe(kind));
    }
    Ok(())
}

/// Opens `path` for reading without waiting for a FIFO's writer.
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Has no effect on a regular file's reads; makes a FIFO's open
        // return at once instead of waiting for a writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// What kind of file `kind` is, for a message: "a FIFO".
pub fn describe(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_file() {
        "a regular file"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_is_read_to_one_byte_over_the_cap() {
        let mut buf = Vec::new();
        read_capped(io::repeat(b'a'), &mut buf, 10).unwrap();
        assert_eq!(buf.len(), 11);
        buf.clear();
        read_capped(&b"abc"[..], &mut buf, 10).unwrap();
        assert_eq!(buf, b"abc");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn devices_and_directories_are_refused_and_proc_files_are_capped() {
        let mut buf = Vec::new();
        let err = read_regular(Path::new("/dev/zero"), 10, "the cap", &mut buf).unwrap_err();
        assert_eq!(err.to_string(), "/dev/zero is a character device, not a regular file");
        let err = read_regular(Path::new("/"), 10, "the cap", &mut buf).unwrap_err();
        assert_eq!(err.to_string(), "/ is a directory, not a regular file");
        // Its size is 0; its contents are longer than 10 bytes.
        let err = read_regular(Path::new("/proc/self/maps"), 10, "the cap", &mut buf).unwrap_err();
        assert_eq!(err.to_string(), "/proc/self/maps is over the cap of 10 bytes");
        assert_eq!(buf.len(), 11);
    }
}
