//! Plots are written through ember's one atomic writer.

use std::path::Path;

use crate::PlotError;

/// Calls `write` with a temporary path beside `path` and renames the result into place
/// ([`ember_core::replace_atomically`]); the temporary file is removed on failure.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), PlotError>,
) -> Result<(), PlotError> {
    ember_core::replace_atomically(path, write, |source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    })
}
