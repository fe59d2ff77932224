//! The error of fitting and predicting.

use ember_data::DataError;
use ember_metrics::MetricError;
use ember_train::TrainError;
use thiserror::Error;

/// Why a model could not be fitted or used. Messages name the field, row or column at fault.
///
/// ```
/// use burn::tensor::Device;
/// use ember_data::Matrix;
/// use ember_models::{FitError, linear::LinearRegressionConfig};
///
/// let x = Matrix::zeros(3, 1);
/// let y = Matrix::zeros(2, 1);
/// let err = LinearRegressionConfig::new().fit(&x, &y, &Device::flex()).unwrap_err();
/// assert_eq!(err.to_string(), "rows of X vs rows of y: 3 vs 2");
/// ```
#[derive(Debug, Error)]
pub enum FitError {
    /// The data is malformed: empty, mismatched, or holds NaN/infinite values.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A hyper-parameter is out of range.
    #[error("invalid config `{field}`: {message}")]
    InvalidConfig {
        /// Field name, as in the config file.
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// Inference needs more observations than coefficients (a residual degree of freedom).
    #[error(
        "{observations} observations leave no residual degrees of freedom for {coefficients} coefficients: the standard errors and tests need more rows than coefficients"
    )]
    NoResidualDof {
        /// Rows the model was fitted on.
        observations: usize,
        /// Identified coefficients (the intercept included).
        coefficients: usize,
    },
    /// Input to a fitted model has the wrong number of features.
    #[error("X has {got} features, but the model was fitted with {expected}")]
    FeatureCount {
        /// Features the model was fitted on.
        expected: usize,
        /// Features given.
        got: usize,
    },
    /// Targets given to `score` have the wrong number of outputs.
    #[error("y has {got} outputs, but the model predicts {expected}")]
    TargetCount {
        /// Outputs the model predicts.
        expected: usize,
        /// Outputs given.
        got: usize,
    },
    /// The linear algebra failed (e.g. a singular system where one was required to be regular).
    #[error("linear algebra: {0}")]
    LinearAlgebra(String),
    /// Gradient descent produced a NaN or infinite loss.
    #[error(
        "{}",
        ember_core::Diverged { epoch: *epoch, batch: *batch, loss: *loss, learning_rate: *learning_rate }
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
    },
    /// The backend failed (e.g. a GPU read-back error).
    #[error("device: {0}")]
    Device(String),
    /// A metric could not be computed.
    #[error(transparent)]
    Metric(#[from] MetricError),
    /// Saved weights could not be read or do not fit the network.
    #[error("weights: {0}")]
    Weights(String),
    /// Training failed (diverged, a checkpoint could not be written, …).
    #[error(transparent)]
    Train(#[from] TrainError),
}

impl From<ember_core::Diverged> for FitError {
    fn from(d: ember_core::Diverged) -> Self {
        Self::Diverged {
            epoch: d.epoch,
            batch: d.batch,
            loss: d.loss,
            learning_rate: d.learning_rate,
        }
    }
}

impl From<ember_core::DeviceError> for FitError {
    fn from(e: ember_core::DeviceError) -> Self {
        Self::Device(e.0)
    }
}

impl From<ember_core::Problem> for FitError {
    fn from(p: ember_core::Problem) -> Self {
        Self::InvalidConfig {
            field: p.field,
            message: p.message,
        }
    }
}
