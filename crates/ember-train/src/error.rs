//! The error of training.

use std::path::PathBuf;

use ember_data::DataError;
use ember_metrics::MetricError;
use ember_plot::PlotError;
use thiserror::Error;

/// Why training could not start, go on, or save what it did. Messages name the field, epoch,
/// batch or file at fault.
///
/// ```
/// use ember_train::{TrainConfig, TrainError};
///
/// let config = TrainConfig { batch_size: 0, ..TrainConfig::default() };
/// let err = config.validate().unwrap_err();
/// assert_eq!(err.to_string(), "invalid config `batch_size`: must be at least 1");
/// ```
#[derive(Debug, Error)]
pub enum TrainError {
    /// A setting is out of range.
    #[error("invalid config `{field}`: {message}")]
    InvalidConfig {
        /// The field's name, as in a config file (`optimizer.beta1`).
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The data is malformed or does not fit the model.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A loss became NaN or infinite.
    #[error(
        "{}{}",
        ember_core::Diverged { epoch: *epoch, batch: *batch, loss: *loss, learning_rate: *learning_rate },
        kept.as_ref().map(|p| format!("; the last good checkpoint is kept in {}", p.display())).unwrap_or_default()
    )]
    Diverged {
        /// Epoch (1-based).
        epoch: usize,
        /// Batch within the epoch (1-based).
        batch: usize,
        /// The non-finite loss.
        loss: f64,
        /// The learning rate in use.
        learning_rate: f64,
        /// The last checkpoint written before the divergence, if any.
        kept: Option<PathBuf>,
    },
    /// A file of the run could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Another process is training into the run directory.
    #[error(
        "{}: another process is training into this run directory; wait for it to finish, or choose another",
        path.display()
    )]
    Busy {
        /// The run directory.
        path: PathBuf,
    },
    /// A checkpoint could not be written, read or applied.
    #[error("checkpoint {}: {message}", path.display())]
    Checkpoint {
        /// The checkpoint file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The backend failed (e.g. a read-back from the GPU).
    #[error("device: {0}")]
    Device(String),
    /// A metric could not be computed.
    #[error(transparent)]
    Metric(#[from] MetricError),
    /// A step's outputs do not fit the loop or a metric (a user's step or metric may say so
    /// too).
    #[error("step: {0}")]
    Step(String),
    /// The loss curve could not be drawn.
    #[error(transparent)]
    Plot(#[from] PlotError),
}

impl From<ember_core::DeviceError> for TrainError {
    fn from(e: ember_core::DeviceError) -> Self {
        Self::Device(e.0)
    }
}

impl TrainError {
    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidConfig {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
