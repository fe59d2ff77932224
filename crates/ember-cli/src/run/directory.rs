//! Claiming a run directory: exactly one `ember` process owns it for the whole run, through an
//! exclusive lock on a file inside it; a run that fails before it made anything of value takes
//! its directory away again.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::error::RunError;
use crate::run::{CONFIG_FILE, MODEL_FILE};

/// The lock file in a run directory, locked by the process that runs it.
pub(crate) const LOCK_FILE: &str = ".ember.lock";
/// Where the training loop keeps its checkpoints, in the run directory.
const CHECKPOINTS: &str = "checkpoints";

/// A run directory this process owns until it is dropped.
#[derive(Debug)]
pub(crate) struct RunDir {
    path: PathBuf,
    /// Whether this process made the directory.
    created: bool,
    /// Whether the run continues one (whose directory is never taken away).
    resumed: bool,
    _lock: File,
}

impl RunDir {
    /// Claims `out`: for a new run a new or empty folder (its parents are made), for `resume`
    /// one that holds a run's config. Refused while another process owns it.
    pub(crate) fn claim(out: &Path, resume: bool) -> Result<Self, RunError> {
        if out.as_os_str().is_empty() {
            return Err(RunError::Usage(
                "the run directory is an empty path; give a folder".into(),
            ));
        }
        if resume && !out.join(CONFIG_FILE).is_file() {
            return Err(RunError::Usage(format!(
                "{}: not a run directory (it has no {CONFIG_FILE})",
                out.display()
            )));
        }
        // Checked before and after the lock: a folder in use is left as it is.
        if !resume && occupied(out) {
            return Err(RunError::RunExists(out.to_path_buf()));
        }
        let created = !resume && create(out)?;
        let dir = Self {
            path: out.to_path_buf(),
            created,
            resumed: resume,
            _lock: lock(out)?,
        };
        if !resume && occupied(out) {
            return Err(RunError::RunExists(out.to_path_buf()));
        }
        Ok(dir)
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// After a failed new run that left nothing of value (no model, no checkpoint): removes
    /// what it wrote, and the directory if it made it, so the corrected config can run there.
    pub(crate) fn discard_failed(self) {
        if self.resumed || valuable(&self.path) {
            return;
        }
        // The folder was empty when claimed: everything in it is this run's.
        if let Ok(entries) = fs::read_dir(&self.path) {
            for entry in entries.flatten() {
                let path = entry.path();
                let _ = match entry.file_type() {
                    Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
                    _ => fs::remove_file(&path),
                };
            }
        }
        if self.created {
            let _ = fs::remove_dir(&self.path);
        }
    }
}

/// Whether `dir` holds anything but a lock file.
fn occupied(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| entries.flatten().any(|e| e.file_name() != LOCK_FILE))
}

/// Makes `dir` (and its parents); whether this call made it.
fn create(dir: &Path) -> Result<bool, RunError> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(RunError::io(parent))?;
    }
    match fs::create_dir(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::AlreadyExists && dir.is_dir() => Ok(false),
        Err(e) => Err(RunError::io(dir)(e)),
    }
}

/// The lock file of `dir`, exclusively locked by this process.
fn lock(dir: &Path) -> Result<File, RunError> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(RunError::io(&path))?;
    match file.try_lock() {
        // A failed run may have removed the file after this process opened it.
        Ok(()) if same_file(&file, &path) => Ok(file),
        Ok(()) | Err(TryLockError::WouldBlock) => Err(RunError::Busy(dir.to_path_buf())),
        Err(TryLockError::Error(e)) => Err(RunError::io(&path)(e)),
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `path` still names the open `file` (an open file cannot be removed here).
#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.is_file()
}

/// Whether a run left a model or a checkpoint in `dir`.
fn valuable(dir: &Path) -> bool {
    let checkpoint = fs::read_dir(dir.join(CHECKPOINTS)).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("epoch-"))
    });
    checkpoint || dir.join(MODEL_FILE).exists()
}
