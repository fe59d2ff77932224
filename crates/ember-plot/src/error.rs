//! Why a plot could not be drawn or saved.

use std::path::PathBuf;

use thiserror::Error;

/// Why a plot could not be drawn or saved; names the file.
///
/// ```
/// use ember_plot::{PlotError, ScatterLine};
/// let err = ScatterLine::new("t", &[1.0], &[1.0], [(0.0, 0.0), (1.0, 1.0)])
///     .save(std::path::Path::new("plot.gif"))
///     .unwrap_err();
/// assert!(matches!(err, PlotError::UnsupportedFormat { .. }));
/// ```
#[derive(Debug, Error)]
pub enum PlotError {
    /// The extension is neither `.png` nor `.svg`.
    #[error("{path}: unsupported plot format (use .png or .svg)")]
    UnsupportedFormat {
        /// The requested file.
        path: PathBuf,
    },
    /// The data cannot be plotted (empty, mismatched, or non-finite).
    #[error("cannot plot: {0}")]
    Data(String),
    /// Drawing failed.
    #[error("{path}: drawing failed: {message}")]
    Draw {
        /// The file being drawn.
        path: PathBuf,
        /// The backend's message.
        message: String,
    },
    /// Writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}
