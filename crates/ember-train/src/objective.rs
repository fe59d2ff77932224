//! What is minimised, and how an epoch is scored.

use std::sync::Arc;

use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::{Device, Int, Tensor, TensorData};
use ember_data::{DataError, Dataset, Matrix, Scalar};

use crate::TrainError;
use crate::metric::{Classification, MetricFactory, Regression};

/// The loss a model is trained on; it also fixes the metrics reported each epoch.
///
/// ```
/// use ember_train::Objective;
/// assert_eq!(Objective::CrossEntropy { n_classes: 3 }.n_outputs(), 3);
/// assert_eq!(Objective::BinaryCrossEntropy.n_outputs(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// Mean squared error over all outputs (regression). Metrics: loss, mse, rmse, mae, r2.
    MeanSquaredError {
        /// Targets per sample.
        n_outputs: usize,
    },
    /// Softmax cross-entropy over `n_classes` logits (multi-class classification).
    /// Metrics: loss (= log loss), accuracy, balanced_accuracy, f1_macro.
    CrossEntropy {
        /// Number of classes (= logits per sample).
        n_classes: usize,
    },
    /// Sigmoid cross-entropy of one logit (binary classification, classes 0 and 1).
    BinaryCrossEntropy,
}

/// Targets of a data set, checked against an objective and ready to be batched
/// (see [`Objective::targets`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// Real values, row-major, one per output.
    Real(Vec<f32>),
    /// Class indices.
    Classes(Vec<i64>),
}

/// One batch's targets on a device (see [`Objective::batch_targets`]).
#[derive(Debug, Clone)]
pub enum BatchTargets {
    /// `rows × outputs` real values.
    Real(Tensor<2>),
    /// One class index per row.
    Classes(Tensor<1, Int>),
}

impl Objective {
    /// Outputs the model must produce per sample.
    ///
    /// ```
    /// assert_eq!(ember_train::Objective::MeanSquaredError { n_outputs: 2 }.n_outputs(), 2);
    /// ```
    pub fn n_outputs(&self) -> usize {
        match *self {
            Self::MeanSquaredError { n_outputs } => n_outputs,
            Self::CrossEntropy { n_classes } => n_classes,
            Self::BinaryCrossEntropy => 1,
        }
    }

    pub(crate) fn is_classification(&self) -> bool {
        !matches!(self, Self::MeanSquaredError { .. })
    }

    /// The metrics a run with this objective writes each epoch, as early stopping and
    /// reduce-on-plateau name them: `train_loss` (and `train_accuracy` for a classifier), and
    /// with a validation set the scikit-learn metrics of the validation split.
    ///
    /// ```
    /// use ember_train::Objective;
    /// let regression = Objective::MeanSquaredError { n_outputs: 1 };
    /// assert_eq!(regression.metric_names(false), ["train_loss"]);
    /// assert_eq!(
    ///     regression.metric_names(true),
    ///     ["train_loss", "valid_loss", "valid_mse", "valid_rmse", "valid_mae", "valid_r2"]
    /// );
    /// assert!(Objective::BinaryCrossEntropy.metric_names(true).contains(&"valid_f1_macro".to_string()));
    /// ```
    pub fn metric_names(&self, with_validation: bool) -> Vec<String> {
        let config = crate::TrainConfig::default();
        crate::Trainer::new(&config)
            .with_objective(*self)
            .produced(with_validation)
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    fn n_classes(&self) -> usize {
        match *self {
            Self::CrossEntropy { n_classes } => n_classes,
            _ => 2,
        }
    }

    /// The data set's targets, checked against the objective (the error names the row).
    ///
    /// ```
    /// use ember_data::{Dataset, Matrix};
    /// use ember_train::{Objective, Targets};
    /// let data = Dataset::new(Matrix::<f32>::zeros(2, 1), Matrix::new(2, 1, vec![0.0, 2.0])?)?;
    /// let t = Objective::CrossEntropy { n_classes: 3 }.targets(&data)?;
    /// assert_eq!(t, Targets::Classes(vec![0, 2]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn targets<T: Scalar>(&self, data: &Dataset<T>) -> Result<Targets, TrainError> {
        self.targets_of(data.y())
    }

    /// [`targets`](Self::targets) from the target matrix alone (`rows × target columns`), for
    /// data that is not a [`Dataset`] in memory, such as a row file's targets.
    ///
    /// ```
    /// use ember_data::Matrix;
    /// use ember_train::{Objective, Targets};
    /// let y = Matrix::new(2, 1, vec![1.0f32, 0.0])?;
    /// assert_eq!(Objective::BinaryCrossEntropy.targets_of(&y)?, Targets::Classes(vec![1, 0]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn targets_of<T: Scalar>(&self, y: &Matrix<T>) -> Result<Targets, TrainError> {
        if !self.is_classification() {
            if y.n_cols() != self.n_outputs() {
                return Err(DataError::Mismatch {
                    what: "target columns vs model outputs",
                    left: y.n_cols(),
                    right: self.n_outputs(),
                }
                .into());
            }
            return Ok(Targets::Real(
                y.as_slice().iter().map(|&v| to_f32(v)).collect(),
            ));
        }
        if y.n_cols() != 1 {
            return Err(DataError::Mismatch {
                what: "target columns vs the one column of class indices classification needs",
                left: y.n_cols(),
                right: 1,
            }
            .into());
        }
        let k = self.n_classes();
        y.as_slice()
            .iter()
            .enumerate()
            .map(|(row, &v)| (row, to_f32(v)))
            .map(|(row, v)| match ember_data::class_index(f64::from(v), k) {
                Some(c) => Ok(c as i64),
                None => Err(DataError::InvalidParameter {
                    name: "y",
                    message: format!("target {v} at row {row} is not a class index in 0..{k}"),
                }
                .into()),
            })
            .collect::<Result<_, _>>()
            .map(Targets::Classes)
    }

    /// The rows `rows` of the targets on `device`.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_train::{BatchTargets, Objective, Targets};
    /// let t = Objective::BinaryCrossEntropy.batch_targets(&Targets::Classes(vec![0, 1, 1]), &[2, 0], &Device::flex());
    /// assert!(matches!(t, BatchTargets::Classes(c) if c.dims() == [2]));
    /// ```
    pub fn batch_targets(
        &self,
        targets: &Targets,
        rows: &[usize],
        device: &Device,
    ) -> BatchTargets {
        match targets {
            Targets::Real(y) => {
                let k = self.n_outputs();
                let values: Vec<f32> = rows
                    .iter()
                    .flat_map(|&r| y[r * k..(r + 1) * k].iter().copied())
                    .collect();
                BatchTargets::Real(Tensor::from_data(
                    TensorData::new(values, [rows.len(), k]),
                    device,
                ))
            }
            Targets::Classes(c) => {
                let values: Vec<i64> = rows.iter().map(|&r| c[r]).collect();
                BatchTargets::Classes(Tensor::from_data(
                    TensorData::new(values, [rows.len()]),
                    device,
                ))
            }
        }
    }

    /// The mean loss of a batch (shape `[1]`), still on the device.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// use ember_train::{Objective, Targets};
    /// let device = Device::flex();
    /// let mse = Objective::MeanSquaredError { n_outputs: 1 };
    /// let y = mse.batch_targets(&Targets::Real(vec![1.0, 3.0]), &[0, 1], &device);
    /// let loss = mse.loss(Tensor::zeros([2, 1], &device), &y);
    /// assert_eq!(loss.into_scalar::<f32>(), 5.0);
    /// ```
    pub fn loss(&self, output: Tensor<2>, targets: &BatchTargets) -> Tensor<1> {
        match (self, targets) {
            (Self::MeanSquaredError { .. }, BatchTargets::Real(y)) => {
                let y = y.clone().cast(output.dtype());
                (output - y).square().mean()
            }
            (Self::CrossEntropy { .. }, BatchTargets::Classes(c)) => {
                let c = c.clone().unsqueeze_dim::<2>(1);
                log_softmax(output, 1).gather(1, c).mean().neg()
            }
            (Self::BinaryCrossEntropy, BatchTargets::Classes(c)) => {
                let y = c.clone().unsqueeze_dim::<2>(1).float().cast(output.dtype());
                // log(1 + e^z) − y·z, computed stably.
                let loss =
                    relu(output.clone()) - output.clone() * y + output.abs().neg().exp().log1p();
                loss.mean()
            }
            (Self::MeanSquaredError { .. }, BatchTargets::Classes(c)) => {
                let y = c.clone().unsqueeze_dim::<2>(1).float().cast(output.dtype());
                (output - y).square().mean()
            }
            (_, BatchTargets::Real(y)) => {
                // Class indices given as reals: round them (what `targets` would have checked).
                let c = y.clone().round().int().squeeze_dim::<1>(1);
                self.loss(output, &BatchTargets::Classes(c))
            }
        }
    }

    /// The metrics this objective's runs compute on the training split, besides the loss
    /// (accuracy for a classifier, from the outputs as they were trained).
    pub(crate) fn train_metrics(&self) -> Vec<Arc<dyn MetricFactory>> {
        if self.is_classification() {
            vec![Arc::new(Classification::accuracy(self.n_classes()))]
        } else {
            Vec::new()
        }
    }

    /// The scikit-learn metrics this objective's runs compute on the validation split.
    pub(crate) fn valid_metrics(&self) -> Vec<Arc<dyn MetricFactory>> {
        if self.is_classification() {
            let k = self.n_classes();
            vec![
                Arc::new(Classification::accuracy(k)),
                Arc::new(Classification::balanced_accuracy(k)),
                Arc::new(Classification::f1_macro(k)),
            ]
        } else {
            let k = self.n_outputs();
            vec![
                Arc::new(Regression::mse(k)),
                Arc::new(Regression::rmse(k)),
                Arc::new(Regression::mae(k)),
                Arc::new(Regression::r2(k)),
            ]
        }
    }
}

/// `v` in single precision, the precision the loop trains in: rounded once, as
/// [`Dataset::cast`] rounds.
pub(crate) fn to_f32<T: Scalar>(v: T) -> f32 {
    f32::from_f64(v.to_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        Device::flex()
    }

    fn logits() -> (Vec<f32>, Tensor<2>) {
        let values = vec![
            2.0, -1.0, 0.5, -3.0, 4.0, 0.0, 0.1, 0.2, 0.3, 10.0, -10.0, 0.0,
        ];
        let t = Tensor::from_data(TensorData::new(values.clone(), [4, 3]), &device());
        (values, t)
    }

    fn value(t: Tensor<1>) -> f64 {
        f64::from(
            t.into_data()
                .convert::<f32>()
                .try_to_vec::<f32>()
                .expect("f32")[0],
        )
    }

    #[test]
    fn cross_entropy_is_the_log_loss_of_the_softmax() {
        let (values, t) = logits();
        let classes = [0usize, 1, 2, 1];
        let objective = Objective::CrossEntropy { n_classes: 3 };
        let targets = objective.batch_targets(
            &Targets::Classes(classes.iter().map(|&c| c as i64).collect()),
            &[0, 1, 2, 3],
            &device(),
        );
        let loss = objective.loss(t, &targets);
        let proba = ember_core::probabilities(&values, 3, 4);
        let expected = ember_metrics::log_loss(&classes, &proba, 3).expect("valid input");
        assert!((value(loss) - expected).abs() < 1e-5 * expected.max(1.0));
    }

    #[test]
    fn binary_cross_entropy_is_the_log_loss_of_the_sigmoid() {
        let logits = vec![3.0f32, -2.0, 0.0, 40.0, -40.0];
        let classes = [1usize, 1, 0, 1, 1];
        let t = Tensor::from_data(TensorData::new(logits.clone(), [5, 1]), &device());
        let objective = Objective::BinaryCrossEntropy;
        let targets = objective.batch_targets(
            &Targets::Classes(classes.iter().map(|&c| c as i64).collect()),
            &[0, 1, 2, 3, 4],
            &device(),
        );
        let loss = objective.loss(t, &targets);
        // log(1 + e^-z) for y = 1, log(1 + e^z) for y = 0, exactly (no clipping at ±40).
        let expected: f64 = logits
            .iter()
            .zip(classes)
            .map(|(&z, y)| {
                let z = f64::from(z);
                if y == 1 {
                    (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                }
            })
            .sum::<f64>()
            / 5.0;
        assert!(
            (value(loss) - expected).abs() < 1e-5 * expected,
            "{expected}"
        );
    }

    #[test]
    fn mean_squared_error_averages_every_output() {
        let objective = Objective::MeanSquaredError { n_outputs: 2 };
        let pred = Tensor::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0], [2, 2]),
            &device(),
        );
        let targets =
            objective.batch_targets(&Targets::Real(vec![1.0, 0.0, 0.0, 8.0]), &[0, 1], &device());
        let loss = objective.loss(pred, &targets);
        assert_eq!(value(loss), (0.0 + 4.0 + 9.0 + 16.0) / 4.0);
    }
}
