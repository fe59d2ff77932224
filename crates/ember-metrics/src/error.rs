//! The error every metric returns.

use thiserror::Error;

/// Why a metric could not be computed.
///
/// ```
/// use ember_metrics::{MetricError, mean_squared_error};
///
/// let err = mean_squared_error(&[1.0, 2.0], &[1.0]).unwrap_err();
/// assert_eq!(err, MetricError::LengthMismatch { y_true: 2, y_pred: 1 });
/// ```
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MetricError {
    /// `y_true` and `y_pred` hold a different number of values.
    #[error("y_true has {y_true} values but y_pred has {y_pred}")]
    LengthMismatch {
        /// Number of true values.
        y_true: usize,
        /// Number of predicted values.
        y_pred: usize,
    },
    /// There is nothing to score.
    #[error("cannot compute a metric on empty input")]
    Empty,
    /// The values do not divide into rows of `n_outputs` columns.
    #[error("{len} values do not form rows of {n_outputs} outputs")]
    RaggedOutputs {
        /// Number of values given.
        len: usize,
        /// Number of outputs per row that was asked for.
        n_outputs: usize,
    },
    /// A value is NaN or infinite.
    #[error("{which} has a non-finite value ({value}) at row {row}, output {output}")]
    NonFinite {
        /// `"y_true"` or `"y_pred"`.
        which: &'static str,
        /// Row index (0-based).
        row: usize,
        /// Output (column) index (0-based).
        output: usize,
        /// The offending value.
        value: f64,
    },
    /// A class index is outside the classes the metric was set up for.
    #[error("{which} has class {class} at row {row}, outside 0..{n_classes}")]
    ClassOutOfRange {
        /// `"y_true"` or `"y_pred"`.
        which: &'static str,
        /// Row index (0-based).
        row: usize,
        /// The offending class index.
        class: usize,
        /// Number of classes.
        n_classes: usize,
    },
    /// A row of predicted probabilities is not a probability distribution.
    #[error("y_proba row {row}: {message}")]
    NotProbability {
        /// Row index (0-based).
        row: usize,
        /// What is wrong.
        message: String,
    },
    /// The metric is not defined for this input (as scikit-learn would warn or raise).
    #[error("{0}")]
    Undefined(String),
}
