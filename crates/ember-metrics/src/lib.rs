//! Metrics defined exactly as scikit-learn defines them.
//!
//! Every function takes the true and the predicted values as `f64` slices and returns a
//! [`Result`]: mismatched lengths, empty input and non-finite values are errors, never a panic
//! and never a silently wrong number.
//!
//! ```
//! use ember_metrics::{mean_squared_error, r2_score};
//!
//! let y_true = [3.0, -0.5, 2.0, 7.0];
//! let y_pred = [2.5, 0.0, 2.0, 8.0];
//! assert_eq!(mean_squared_error(&y_true, &y_pred)?, 0.375);
//! assert!((r2_score(&y_true, &y_pred)? - 0.948_608_137_044_967_9).abs() < 1e-15);
//! # Ok::<(), ember_metrics::MetricError>(())
//! ```

mod error;
mod regression;

pub use error::MetricError;
pub use regression::{
    Multioutput, RegressionMetric, explained_variance_score, max_error, mean_absolute_error,
    mean_squared_error, r2_score, root_mean_squared_error,
};
