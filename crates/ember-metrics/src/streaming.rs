//! Metrics accumulated batch by batch, without keeping every prediction: what a training loop
//! needs to score an epoch. R² over an epoch comes from running sums (merged with Chan's
//! parallel-variance formula), not from a mean of per-batch R².

use crate::classification::LogLossSum;
use crate::{ConfusionMatrix, MetricError};

/// Running regression metrics: MSE, RMSE, MAE, R² and explained variance, per output and
/// averaged uniformly (scikit-learn's default `multioutput`).
///
/// ```
/// use ember_metrics::{RegressionAccumulator, r2_score};
///
/// let (t, p) = ([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0]);
/// let mut acc = RegressionAccumulator::new(1);
/// acc.update(&t[..1], &p[..1])?;
/// acc.update(&t[1..], &p[1..])?;
/// assert!((acc.r2()? - r2_score(&t, &p)?).abs() < 1e-15);
/// assert_eq!(acc.mse()?, 0.375);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionAccumulator {
    n_outputs: usize,
    n: u64,
    outputs: Vec<OutputSums>,
}

/// One output's running sums.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct OutputSums {
    /// Mean and sum of squared deviations of the true values.
    true_mean: f64,
    true_m2: f64,
    /// Mean and sum of squared deviations of the residuals `y - ŷ`.
    residual_mean: f64,
    residual_m2: f64,
    squared_error: f64,
    absolute_error: f64,
}

/// Chan et al.'s merge of (n, mean, M2) statistics.
fn merge_moments(n_a: f64, mean_a: f64, m2_a: f64, n_b: f64, mean_b: f64, m2_b: f64) -> (f64, f64) {
    let n = n_a + n_b;
    let delta = mean_b - mean_a;
    (
        mean_a + delta * n_b / n,
        m2_a + m2_b + delta * delta * n_a * n_b / n,
    )
}

/// Mean and sum of squared deviations of `values` (two passes).
fn moments(values: impl Iterator<Item = f64> + Clone, n: f64) -> (f64, f64) {
    let mean = values.clone().sum::<f64>() / n;
    (mean, values.map(|v| (v - mean) * (v - mean)).sum())
}

impl RegressionAccumulator {
    /// An empty accumulator for `n_outputs` targets per row.
    ///
    /// ```
    /// assert!(ember_metrics::RegressionAccumulator::new(2).mse().is_err());
    /// ```
    pub fn new(n_outputs: usize) -> Self {
        Self {
            n_outputs,
            n: 0,
            outputs: vec![OutputSums::default(); n_outputs],
        }
    }

    /// Adds a batch: row-major true and predicted values, `n_outputs` per row.
    ///
    /// ```
    /// let mut acc = ember_metrics::RegressionAccumulator::new(2);
    /// let err = acc.update(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).unwrap_err();
    /// assert_eq!(err.to_string(), "3 values do not form rows of 2 outputs");
    /// ```
    pub fn update(&mut self, y_true: &[f64], y_pred: &[f64]) -> Result<(), MetricError> {
        let rows = crate::regression::validate(y_true, y_pred, self.n_outputs)?;
        let (nb, na) = (rows as f64, self.n as f64);
        for (k, sums) in self.outputs.iter_mut().enumerate() {
            let t = y_true.iter().skip(k).step_by(self.n_outputs).copied();
            let p = y_pred.iter().skip(k).step_by(self.n_outputs).copied();
            let residuals = t.clone().zip(p).map(|(a, b)| a - b);
            let (t_mean, t_m2) = moments(t, nb);
            let (r_mean, r_m2) = moments(residuals.clone(), nb);
            (sums.true_mean, sums.true_m2) =
                merge_moments(na, sums.true_mean, sums.true_m2, nb, t_mean, t_m2);
            (sums.residual_mean, sums.residual_m2) =
                merge_moments(na, sums.residual_mean, sums.residual_m2, nb, r_mean, r_m2);
            sums.squared_error += residuals.clone().map(|e| e * e).sum::<f64>();
            sums.absolute_error += residuals.map(f64::abs).sum::<f64>();
        }
        self.n += rows as u64;
        Ok(())
    }

    /// Rows seen.
    ///
    /// ```
    /// assert_eq!(ember_metrics::RegressionAccumulator::new(1).len(), 0);
    /// ```
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no row has been seen.
    ///
    /// ```
    /// assert!(ember_metrics::RegressionAccumulator::new(1).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn averaged(&self, f: impl Fn(&OutputSums, f64) -> f64) -> Result<f64, MetricError> {
        if self.n == 0 {
            return Err(MetricError::Empty);
        }
        let n = self.n as f64;
        Ok(self.outputs.iter().map(|s| f(s, n)).sum::<f64>() / self.n_outputs as f64)
    }

    /// Mean squared error.
    ///
    /// ```
    /// let mut acc = ember_metrics::RegressionAccumulator::new(1);
    /// acc.update(&[1.0, 2.0], &[1.0, 4.0])?;
    /// assert_eq!(acc.mse()?, 2.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn mse(&self) -> Result<f64, MetricError> {
        self.averaged(|s, n| s.squared_error / n)
    }

    /// Root mean squared error (per output, then averaged, as scikit-learn does).
    ///
    /// ```
    /// let mut acc = ember_metrics::RegressionAccumulator::new(1);
    /// acc.update(&[1.0, 2.0], &[1.0, 4.0])?;
    /// assert_eq!(acc.rmse()?, 2f64.sqrt());
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn rmse(&self) -> Result<f64, MetricError> {
        self.averaged(|s, n| (s.squared_error / n).sqrt())
    }

    /// Mean absolute error.
    ///
    /// ```
    /// let mut acc = ember_metrics::RegressionAccumulator::new(1);
    /// acc.update(&[1.0, 2.0], &[1.0, 4.0])?;
    /// assert_eq!(acc.mae()?, 1.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn mae(&self) -> Result<f64, MetricError> {
        self.averaged(|s, _| s.absolute_error / self.n as f64)
    }

    /// Coefficient of determination, with scikit-learn's rule for a constant target.
    ///
    /// ```
    /// let mut acc = ember_metrics::RegressionAccumulator::new(1);
    /// acc.update(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0])?;
    /// assert_eq!(acc.r2()?, 1.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn r2(&self) -> Result<f64, MetricError> {
        if self.n < 2 {
            return Err(MetricError::Undefined(
                "R² is not well-defined with fewer than two samples".into(),
            ));
        }
        self.averaged(|s, _| crate::regression::finite_ratio(s.squared_error, s.true_m2))
    }

    /// Explained variance `1 − Var(y − ŷ) / Var(y)`.
    ///
    /// ```
    /// let mut acc = ember_metrics::RegressionAccumulator::new(1);
    /// acc.update(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0])?;
    /// assert_eq!(acc.explained_variance()?, 1.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn explained_variance(&self) -> Result<f64, MetricError> {
        self.averaged(|s, _| crate::regression::finite_ratio(s.residual_m2, s.true_m2))
    }
}

/// Running classification metrics: a [`ConfusionMatrix`] (so accuracy, balanced accuracy,
/// precision, recall and F1) and, when probabilities are given, the log loss.
///
/// ```
/// use ember_metrics::{Average, ClassificationAccumulator};
///
/// let mut acc = ClassificationAccumulator::new(2);
/// acc.update_proba(&[0, 1], &[0.9, 0.1, 0.2, 0.8])?;
/// acc.update_proba(&[1, 0], &[0.3, 0.7, 0.99, 0.01])?;
/// assert_eq!(acc.confusion().accuracy(), 1.0);
/// assert!((acc.log_loss()? - 0.173_807_336_691_067_5).abs() < 1e-15);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationAccumulator {
    confusion: ConfusionMatrix,
    log_loss: LogLossSum,
}

impl ClassificationAccumulator {
    /// An empty accumulator for classes `0..n_classes`.
    ///
    /// ```
    /// assert_eq!(ember_metrics::ClassificationAccumulator::new(3).confusion().total(), 0);
    /// ```
    pub fn new(n_classes: usize) -> Self {
        Self {
            confusion: ConfusionMatrix::new(n_classes),
            log_loss: LogLossSum::default(),
        }
    }

    /// Adds a batch of predicted classes.
    ///
    /// ```
    /// let mut acc = ember_metrics::ClassificationAccumulator::new(2);
    /// acc.update(&[0, 1], &[0, 0])?;
    /// assert_eq!(acc.confusion().accuracy(), 0.5);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn update(&mut self, y_true: &[usize], y_pred: &[usize]) -> Result<(), MetricError> {
        self.confusion.update(y_true, y_pred)
    }

    /// Adds a batch of predicted probabilities (row-major, one row of `n_classes` per sample):
    /// the predicted class is the most probable one (the first on ties, like `argmax`).
    ///
    /// ```
    /// let mut acc = ember_metrics::ClassificationAccumulator::new(2);
    /// let err = acc.update_proba(&[0], &[0.5, 0.6]).unwrap_err();
    /// assert_eq!(err.to_string(), "y_proba row 0: probabilities sum to 1.1, not 1");
    /// ```
    pub fn update_proba(&mut self, y_true: &[usize], proba: &[f64]) -> Result<(), MetricError> {
        let k = self.confusion.n_classes();
        let mut log_loss = self.log_loss;
        log_loss.update(y_true, proba, k)?;
        let y_pred: Vec<usize> = proba.chunks(k).map(ember_core::argmax).collect();
        self.confusion.update(y_true, &y_pred)?;
        self.log_loss = log_loss;
        Ok(())
    }

    /// The confusion matrix so far; its methods give accuracy, precision, recall and F1.
    ///
    /// ```
    /// let acc = ember_metrics::ClassificationAccumulator::new(2);
    /// assert_eq!(acc.confusion().n_classes(), 2);
    /// ```
    pub fn confusion(&self) -> &ConfusionMatrix {
        &self.confusion
    }

    /// Mean log loss over the batches given probabilities.
    ///
    /// ```
    /// let acc = ember_metrics::ClassificationAccumulator::new(2);
    /// assert!(acc.log_loss().is_err());
    /// ```
    pub fn log_loss(&self) -> Result<f64, MetricError> {
        self.log_loss.mean()
    }
}
