//! Writing a file under a temporary name and renaming it into place.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::PlotError;

/// Calls `write` with a temporary path beside `path` (same extension), syncs the result and
/// renames it over `path`; the temporary file is removed on failure.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), PlotError>,
) -> Result<(), PlotError> {
    let io = |source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| PlotError::Data(format!("{} is not a file path", path.display())))?;
    let tmp: PathBuf = path.with_file_name(format!(
        ".tmp-{}-{}",
        std::process::id(),
        file_name.to_string_lossy()
    ));
    let result = write(&tmp).and_then(|()| {
        File::open(&tmp).and_then(|f| f.sync_all()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
