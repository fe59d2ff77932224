//! Regression metrics: MSE, RMSE, MAE, R², explained variance and max error.
//!
//! Definitions follow scikit-learn 1.9 (`sklearn.metrics`), including the
//! `force_finite=True` handling of constant targets and the multi-output averaging.

use crate::MetricError;

/// How per-output scores of a multi-output problem are combined (scikit-learn's `multioutput`).
///
/// ```
/// use ember_metrics::{Multioutput, RegressionMetric};
///
/// // Two outputs per row, stored row-major.
/// let y_true = [0.5, 1.0, -1.0, 1.0, 7.0, -6.0];
/// let y_pred = [0.0, 2.0, -1.0, 2.0, 8.0, -5.0];
/// let raw = RegressionMetric::MeanSquaredError.per_output(&y_true, &y_pred, 2)?;
/// assert!((raw[0] - 1.25 / 3.0).abs() < 1e-15 && raw[1] == 1.0);
/// let avg = RegressionMetric::MeanSquaredError.score(&y_true, &y_pred, 2, Multioutput::UniformAverage)?;
/// assert!((avg - 0.708_333_333_333_333_4).abs() < 1e-15);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Multioutput {
    /// The plain mean of the per-output scores (scikit-learn's default).
    #[default]
    UniformAverage,
    /// Per-output scores weighted by the variance of each true output
    /// (only meaningful for R² and explained variance; scikit-learn's `variance_weighted`).
    VarianceWeighted,
}

/// A regression metric, computed per output and then averaged.
///
/// ```
/// use ember_metrics::RegressionMetric;
///
/// let score = RegressionMetric::MeanAbsoluteError.score(&[1.0, 2.0], &[2.0, 2.0], 1, Default::default())?;
/// assert_eq!(score, 0.5);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegressionMetric {
    /// Mean of squared errors.
    MeanSquaredError,
    /// Square root of the per-output mean squared error.
    RootMeanSquaredError,
    /// Mean of absolute errors.
    MeanAbsoluteError,
    /// Coefficient of determination.
    R2,
    /// Explained variance: `1 - Var(y - ŷ) / Var(y)`.
    ExplainedVariance,
    /// Largest absolute error (single output only, as in scikit-learn).
    MaxError,
}

impl RegressionMetric {
    /// The metric's value for each output; `y_true` and `y_pred` are row-major with `n_outputs`
    /// values per row.
    ///
    /// ```
    /// use ember_metrics::RegressionMetric;
    ///
    /// let r2 = RegressionMetric::R2.per_output(&[1.0, 10.0, 2.0, 20.0, 3.0, 30.0], &[1.0, 10.0, 2.0, 20.0, 3.0, 30.0], 2)?;
    /// assert_eq!(r2, vec![1.0, 1.0]);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn per_output(
        self,
        y_true: &[f64],
        y_pred: &[f64],
        n_outputs: usize,
    ) -> Result<Vec<f64>, MetricError> {
        let n_rows = validate(y_true, y_pred, n_outputs)?;
        if self == Self::MaxError && n_outputs > 1 {
            return Err(MetricError::Undefined(
                "max error does not support multi-output targets (as in scikit-learn)".into(),
            ));
        }
        if matches!(self, Self::R2) && n_rows < 2 {
            return Err(MetricError::Undefined(
                "R² is not well-defined with fewer than two samples".into(),
            ));
        }
        Ok((0..n_outputs)
            .map(|k| {
                self.single(
                    column(y_true, k, n_outputs),
                    column(y_pred, k, n_outputs),
                    n_rows,
                )
            })
            .collect())
    }

    /// The metric averaged over outputs as `how` says.
    ///
    /// ```
    /// use ember_metrics::{Multioutput, RegressionMetric};
    ///
    /// let r2 = RegressionMetric::R2.score(&[3.0, -0.5, 2.0, 7.0], &[2.5, 0.0, 2.0, 8.0], 1, Multioutput::UniformAverage)?;
    /// assert!((r2 - 0.948_608_137_044_967_9).abs() < 1e-15);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn score(
        self,
        y_true: &[f64],
        y_pred: &[f64],
        n_outputs: usize,
        how: Multioutput,
    ) -> Result<f64, MetricError> {
        let raw = self.per_output(y_true, y_pred, n_outputs)?;
        let uniform = raw.iter().sum::<f64>() / raw.len() as f64;
        match how {
            Multioutput::UniformAverage => Ok(uniform),
            Multioutput::VarianceWeighted => {
                if !matches!(self, Self::R2 | Self::ExplainedVariance) {
                    return Err(MetricError::Undefined(format!(
                        "variance-weighted averaging is defined for R² and explained variance, not {self:?}"
                    )));
                }
                let n_rows = y_true.len() / n_outputs;
                let weights: Vec<f64> = (0..n_outputs)
                    .map(|k| sum_sq_dev(column(y_true, k, n_outputs), n_rows))
                    .collect();
                let total: f64 = weights.iter().sum();
                if total == 0.0 {
                    // Every output is constant: scikit-learn falls back to uniform weights.
                    return Ok(uniform);
                }
                Ok(raw.iter().zip(&weights).map(|(s, w)| s * w).sum::<f64>() / total)
            }
        }
    }

    fn single(
        self,
        t: impl Iterator<Item = f64> + Clone,
        p: impl Iterator<Item = f64> + Clone,
        n: usize,
    ) -> f64 {
        let nf = n as f64;
        let errors = t.clone().zip(p).map(|(a, b)| a - b);
        match self {
            Self::MeanSquaredError => errors.map(|e| e * e).sum::<f64>() / nf,
            Self::RootMeanSquaredError => (errors.map(|e| e * e).sum::<f64>() / nf).sqrt(),
            Self::MeanAbsoluteError => errors.map(f64::abs).sum::<f64>() / nf,
            Self::MaxError => errors.map(f64::abs).fold(0.0, f64::max),
            Self::R2 => {
                let numerator = errors.map(|e| e * e).sum::<f64>();
                finite_ratio(numerator, sum_sq_dev(t, n))
            }
            Self::ExplainedVariance => {
                let numerator = sum_sq_dev(errors, n);
                finite_ratio(numerator, sum_sq_dev(t, n))
            }
        }
    }
}

/// `1 - numerator / denominator`, with scikit-learn's `force_finite=True` rule for a constant
/// target: a perfect prediction scores 1, anything else 0.
pub(crate) fn finite_ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator != 0.0 {
        1.0 - numerator / denominator
    } else if numerator == 0.0 {
        1.0
    } else {
        0.0
    }
}

/// Output `k` of row-major values with `n_outputs` per row.
fn column(values: &[f64], k: usize, n_outputs: usize) -> impl Iterator<Item = f64> + Clone + '_ {
    values.iter().skip(k).step_by(n_outputs).copied()
}

/// Sum of squared deviations from the mean (two-pass, for accuracy).
fn sum_sq_dev(values: impl Iterator<Item = f64> + Clone, n: usize) -> f64 {
    let mean = values.clone().sum::<f64>() / n as f64;
    values.map(|v| (v - mean) * (v - mean)).sum()
}

pub(crate) fn validate(
    y_true: &[f64],
    y_pred: &[f64],
    n_outputs: usize,
) -> Result<usize, MetricError> {
    if y_true.len() != y_pred.len() {
        return Err(MetricError::LengthMismatch {
            y_true: y_true.len(),
            y_pred: y_pred.len(),
        });
    }
    if y_true.is_empty() {
        return Err(MetricError::Empty);
    }
    if n_outputs == 0 || !y_true.len().is_multiple_of(n_outputs) {
        return Err(MetricError::RaggedOutputs {
            len: y_true.len(),
            n_outputs,
        });
    }
    for (which, values) in [("y_true", y_true), ("y_pred", y_pred)] {
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(MetricError::NonFinite {
                which,
                row: i / n_outputs,
                output: i % n_outputs,
                value: values[i],
            });
        }
    }
    Ok(y_true.len() / n_outputs)
}

macro_rules! single_output_fn {
    ($(#[$doc:meta])* $name:ident => $metric:ident) => {
        $(#[$doc])*
        pub fn $name(y_true: &[f64], y_pred: &[f64]) -> Result<f64, MetricError> {
            RegressionMetric::$metric.score(y_true, y_pred, 1, Multioutput::UniformAverage)
        }
    };
}

single_output_fn!(
    /// Mean squared error of a single output (`sklearn.metrics.mean_squared_error`).
    ///
    /// ```
    /// assert_eq!(ember_metrics::mean_squared_error(&[1.0, 2.0], &[1.0, 4.0])?, 2.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    mean_squared_error => MeanSquaredError
);
single_output_fn!(
    /// Root mean squared error of a single output (`sklearn.metrics.root_mean_squared_error`).
    ///
    /// ```
    /// assert_eq!(ember_metrics::root_mean_squared_error(&[1.0, 2.0], &[1.0, 4.0])?, 2f64.sqrt());
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    root_mean_squared_error => RootMeanSquaredError
);
single_output_fn!(
    /// Mean absolute error of a single output (`sklearn.metrics.mean_absolute_error`).
    ///
    /// ```
    /// assert_eq!(ember_metrics::mean_absolute_error(&[1.0, 2.0], &[1.0, 4.0])?, 1.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    mean_absolute_error => MeanAbsoluteError
);
single_output_fn!(
    /// Coefficient of determination R² of a single output (`sklearn.metrics.r2_score`);
    /// a constant target scores 1 when predicted exactly and 0 otherwise.
    ///
    /// ```
    /// assert_eq!(ember_metrics::r2_score(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0])?, 1.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    r2_score => R2
);
single_output_fn!(
    /// Explained variance of a single output (`sklearn.metrics.explained_variance_score`).
    ///
    /// ```
    /// // A constant offset is fully "explained".
    /// assert_eq!(ember_metrics::explained_variance_score(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0])?, 1.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    explained_variance_score => ExplainedVariance
);
single_output_fn!(
    /// Largest absolute error (`sklearn.metrics.max_error`).
    ///
    /// ```
    /// assert_eq!(ember_metrics::max_error(&[3.0, 2.0, 7.0, 1.0], &[4.0, 2.0, 7.0, 1.0])?, 1.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    max_error => MaxError
);
