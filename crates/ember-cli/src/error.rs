//! What can go wrong in a command, and the exit code it gives.

use std::path::PathBuf;

use thiserror::Error;

use crate::source::ConfigErrors;

/// A failed command. [`exit_code`](Self::exit_code): 2 for usage and config errors, 1 for
/// failures while running.
#[derive(Debug, Error)]
pub enum RunError {
    /// The config has problems (every one is listed).
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// The run directory already holds a run.
    #[error(
        "{dir}: the run directory exists and is not empty; continue it with `ember train --resume {dir}`, or choose another with --out",
        dir = .0.display()
    )]
    RunExists(PathBuf),
    /// Another process holds the run directory (a run or a resume in progress).
    #[error(
        "another ember process is using run directory {dir}; wait for it to finish, or choose another with --out",
        dir = .0.display()
    )]
    Busy(PathBuf),
    /// The data could not be read or does not fit.
    #[error("data: {0}")]
    Data(String),
    /// The backend could not be started.
    #[error("device: {0}")]
    Device(#[from] ember::DeviceError),
    /// Fitting or predicting failed.
    #[error("model: {0}")]
    Fit(#[from] ember::models::FitError),
    /// A model file could not be read or written.
    #[error("model file: {0}")]
    ModelFile(#[from] ember::model_file::ModelFileError),
    /// A metric could not be computed.
    #[error("metrics: {0}")]
    Metric(#[from] ember::metrics::MetricError),
    /// A plot could not be drawn.
    #[error("plot: {0}")]
    Plot(#[from] ember::plot::PlotError),
    /// A file could not be read or written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

impl From<ember::data::DataError> for RunError {
    fn from(e: ember::data::DataError) -> Self {
        Self::Data(e.to_string())
    }
}

impl RunError {
    /// The process exit code: 2 for usage and config errors, 1 otherwise.
    ///
    /// ```
    /// assert_eq!(ember_cli::RunError::Usage("x".into()).exit_code(), 2);
    /// assert_eq!(ember_cli::RunError::Data("x".into()).exit_code(), 1);
    /// ```
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::Usage(_) | Self::RunExists(_) | Self::Busy(_) => 2,
            _ => 1,
        }
    }

    /// An I/O failure on `path`.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |e| Self::Io {
            path,
            message: e.to_string(),
        }
    }
}
