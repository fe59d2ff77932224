//! Writing a file so that a reader, or a crash, sees the old file or the new one, never part
//! of one: the one implementation every ember crate uses.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A temporary name beside `path`, unique to this process and call, that no other file's
/// temporary can take: `.tmp-PID-N-NAME` is hidden and keeps the whole file name at its end,
/// so `config.json` and `config.toml` do not collide and a writer that goes by the extension
/// (a PNG or SVG backend) still sees it.
fn temporary(path: &Path) -> io::Result<PathBuf> {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a file path", path.display()),
        )
    })?;
    Ok(path.with_file_name(format!(
        ".tmp-{}-{}-{}",
        std::process::id(),
        CALLS.fetch_add(1, Ordering::Relaxed),
        name.to_string_lossy()
    )))
}

/// Syncs the directory holding `path`, so that a rename into it survives a crash.
fn sync_parent(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(parent)?.sync_all()
}

/// Has `write` produce a file at a temporary path beside `path` (for writers that take a path,
/// such as a plotting backend), then syncs it, renames it over `path` and syncs the directory;
/// a failure of those steps becomes the caller's error through `io`. The temporary file is
/// removed when anything fails.
///
/// ```
/// use std::io::Error;
/// let path = std::env::temp_dir().join(format!("ember-core-replace-{}.txt", std::process::id()));
/// ember_core::replace_atomically(&path, |tmp| std::fs::write(tmp, b"new"), |e: Error| e)?;
/// assert_eq!(std::fs::read(&path)?, b"new");
/// // A failing writer leaves the old file and no temporary.
/// let failed = ember_core::replace_atomically(&path, |tmp| {
///     std::fs::write(tmp, b"half")?;
///     Err(Error::other("disk full"))
/// }, |e| e);
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read(&path)?, b"new");
/// assert_eq!(std::fs::read_dir(path.parent().unwrap())?.filter(|e| {
///     e.as_ref().unwrap().file_name().to_string_lossy().contains("ember-core-replace-") }).count(), 1);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn replace_atomically<E>(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), E>,
    io: impl Fn(io::Error) -> E,
) -> Result<(), E> {
    let tmp = temporary(path).map_err(&io)?;
    let result = write(&tmp).and_then(|()| {
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .and_then(|()| fs::rename(&tmp, path))
            .and_then(|()| sync_parent(path))
            .map_err(&io)
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Writes a file through `write` atomically (see [`replace_atomically`]).
///
/// ```
/// use std::io::Write;
/// let path = std::env::temp_dir().join(format!("ember-core-atomic-{}.txt", std::process::id()));
/// ember_core::write_file_atomically(&path, |f| f.write_all(b"done"))?;
/// assert_eq!(std::fs::read(&path)?, b"done");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    replace_atomically(
        path,
        |tmp| {
            let mut file = File::create(tmp)?;
            write(&mut file)
        },
        |e| e,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_of_two_files_and_two_calls_differ() {
        let dir = Path::new("run");
        let a = temporary(&dir.join("config.json")).unwrap();
        let b = temporary(&dir.join("config.toml")).unwrap();
        let c = temporary(&dir.join("config.json")).unwrap();
        assert!(a != b && a != c);
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(".tmp-") && name.ends_with("-config.json"),
            "{name}"
        );
        assert!(temporary(Path::new("/")).is_err());
    }
}
