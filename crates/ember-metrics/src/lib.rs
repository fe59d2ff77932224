//! Metrics defined exactly as scikit-learn defines them.
//!
//! Regression metrics take the true and the predicted values as `f64` slices, classification
//! metrics class indices (`usize`) or probabilities, clustering metrics cluster labels (`usize`,
//! any values) and, for the silhouette, row-major features; every function returns a
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

mod classification;
mod clustering;
mod confusion;
mod error;
mod regression;
mod streaming;

pub use classification::{
    Average, ClassScores, accuracy_score, balanced_accuracy_score, f1_score, log_loss,
    precision_score, recall_score, roc_auc_score,
};
pub use clustering::{adjusted_rand_score, silhouette_samples, silhouette_score};
pub use confusion::ConfusionMatrix;
pub use error::MetricError;
pub use regression::{
    Multioutput, RegressionMetric, explained_variance_score, max_error, mean_absolute_error,
    mean_squared_error, r2_score, root_mean_squared_error,
};
pub use streaming::{ClassificationAccumulator, RegressionAccumulator};
