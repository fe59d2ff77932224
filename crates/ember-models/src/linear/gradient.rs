//! Linear regression by mini-batch gradient descent: a ridge module trained by
//! [`ember_train`]'s loop, like every other model trained by epochs.
//!
//! Features and targets are standardised (as scikit-learn's `StandardScaler` would) so that one
//! learning rate suits data of any scale; the ridge penalty is rewritten in standardised units so
//! that the optimum is exactly the closed-form one, and the fitted weights are mapped back to the
//! original units at the end.

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor, TensorData};
use ember_data::preprocessing::StandardScaler;
use ember_data::split::train_test_indices;
use ember_data::{Dataset, Matrix};
use ember_train::{
    EarlyStopping, History, Objective, OptimizerConfig, TrainConfig, TrainError, Trainable, train,
};

use super::tensors::read;
use super::{GradientDescentConfig, LinearRegressionConfig, Optimizer};
use crate::FitError;

/// What gradient descent found, in the original units.
pub(super) struct GradientFit {
    pub coef: Matrix,
    pub intercept: Vec<f64>,
    pub n_iter: usize,
    pub loss_history: Vec<f64>,
    /// The loop's epochs and the epoch whose weights were kept.
    pub epochs: (History, usize),
}

/// `x·W + b` of standardised features, with the ridge term `mean_t Σ_j p_j W_jt²`.
#[derive(Module, Debug)]
struct Ridge {
    linear: Linear,
    #[module(skip)]
    penalty: Vec<f32>,
}

impl Trainable for Ridge {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.linear.forward(x)
    }

    fn penalty(&self) -> Option<Tensor<1>> {
        if self.penalty.iter().all(|&p| p == 0.0) {
            return None;
        }
        let w = self.linear.weight.val();
        let p = Tensor::<2>::from_data(
            TensorData::new(self.penalty.clone(), [self.penalty.len(), 1]),
            &w.device(),
        );
        Some((w.square() * p).sum_dim(0).mean())
    }
}

/// Per-column offset and scale from [`StandardScaler`]: with an intercept, the mean and the
/// standard deviation; without one, no offset (so a model through the origin stays one) and the
/// same scale.
fn standardisation(m: &Matrix, centre: bool) -> Result<(Vec<f64>, Vec<f64>), FitError> {
    let scaler = StandardScaler::fit(m)?;
    let offset = if centre {
        scaler.mean().to_vec()
    } else {
        vec![0.0; m.n_cols()]
    };
    Ok((offset, scaler.scale().to_vec()))
}

fn standardised(m: &Matrix, offset: &[f64], scale: &[f64]) -> Result<Matrix<f32>, FitError> {
    let c = m.n_cols();
    let values = m
        .as_slice()
        .iter()
        .enumerate()
        .map(|(i, v)| ((v - offset[i % c]) / scale[i % c]) as f32)
        .collect();
    Ok(Matrix::new(m.n_rows(), c, values)?)
}

impl GradientDescentConfig {
    /// The training loop's settings for these on `n_samples` samples: the optimizer, the
    /// epochs, the seed, and the tolerance as early stopping on the training loss (relative,
    /// scikit-learn's `tol` and `n_iter_no_change`) unless early stopping is set.
    ///
    /// ```
    /// use ember_models::linear::GradientDescentConfig;
    /// let train = GradientDescentConfig::new().with_tol(1e-4).train_config(100);
    /// let es = train.early_stopping.unwrap();
    /// assert_eq!((es.metric.as_str(), es.patience, es.min_relative_delta), ("train_loss", 10, 1e-4));
    /// assert_eq!((train.epochs, train.batch_size), (1000, 32));
    /// ```
    pub fn train_config(&self, n_samples: usize) -> TrainConfig {
        let optimizer = match self.optimizer {
            Optimizer::Sgd => OptimizerConfig::Sgd {
                momentum: self.momentum,
                dampening: 0.0,
                nesterov: false,
            },
            Optimizer::Adam => OptimizerConfig::adam(),
        };
        let tolerance = (self.tol > 0.0).then(|| EarlyStopping {
            metric: "train_loss".into(),
            patience: self.n_iter_no_change,
            min_delta: 0.0,
            min_relative_delta: self.tol,
            restore_best: false,
        });
        TrainConfig {
            epochs: self.max_epochs,
            batch_size: self.batch_size,
            // One batch holds every sample: its order changes nothing but the rounding.
            shuffle: self.batch_size < n_samples,
            learning_rate: self.learning_rate,
            optimizer,
            schedule: self.schedule.clone(),
            warmup_epochs: self.warmup_epochs,
            validation_fraction: self.validation_fraction,
            early_stopping: self.early_stopping.clone().or(tolerance),
            seed: self.seed,
            ..TrainConfig::default()
        }
    }
}

/// The rows trained on and, with `validation_fraction`, the rows held out (seeded).
fn held_out(gd: &GradientDescentConfig, x: &Matrix, y: &Matrix) -> Result<Split, FitError> {
    let all = Dataset::new(x.clone(), y.clone())?;
    if gd.validation_fraction == 0.0 {
        return Ok((all, None));
    }
    let (fit, held) =
        train_test_indices(x.n_rows(), gd.validation_fraction, gd.seed).map_err(|e| {
            FitError::InvalidConfig {
                field: "gradient_descent.validation_fraction".into(),
                message: format!("cannot hold out a validation set: {e}"),
            }
        })?;
    Ok((all.select(&fit), Some(all.select(&held))))
}

type Split = (Dataset, Option<Dataset>);

/// `data` standardised with the given offsets and scales.
fn standardised_set(
    data: &Dataset,
    x: &Standardisation,
    y: &Standardisation,
) -> Result<Dataset<f32>, FitError> {
    Ok(Dataset::new(
        standardised(data.x(), &x.0, &x.1)?,
        standardised(data.y(), &y.0, &y.1)?,
    )?)
}

type Standardisation = (Vec<f64>, Vec<f64>);

pub(super) fn fit(
    config: &LinearRegressionConfig,
    x: &Matrix,
    y: &Matrix,
    device: &Device,
) -> Result<GradientFit, FitError> {
    let gd = &config.gradient_descent;
    // The validation rows are held out before anything is fitted: the scaling and the
    // penalty's n are the training rows' own, so the optimum stays the closed form's on them.
    let (fit_set, valid_set) = held_out(gd, x, y)?;
    let (n, d, k) = (fit_set.n_samples(), x.n_cols(), y.n_cols());
    let xs = standardisation(fit_set.x(), config.fit_intercept)?;
    let ys = standardisation(fit_set.y(), config.fit_intercept)?;
    let data = standardised_set(&fit_set, &xs, &ys)?;
    let valid = valid_set
        .map(|v| standardised_set(&v, &xs, &ys))
        .transpose()?;
    let ((x_offset, x_scale), (y_offset, y_scale)) = (xs, ys);
    // Ridge in standardised units: alpha/n · Σ_j (w_j / σ_j)², the same optimum as the
    // closed form; like the squared error, it is averaged over targets.
    let penalty: Vec<f32> = x_scale
        .iter()
        .map(|s| (config.alpha / (n as f64 * s * s)) as f32)
        .collect();
    let train_config = TrainConfig {
        validation_fraction: 0.0,
        ..gd.train_config(n)
    };
    let trained = train(
        |device| Ridge {
            linear: LinearConfig::new(d, k)
                .with_bias(config.fit_intercept)
                .with_initializer(Initializer::Zeros)
                .init(device),
            penalty: penalty.clone(),
        },
        Objective::MeanSquaredError { n_outputs: k },
        &data,
        valid.as_ref(),
        &train_config,
        &config.run,
        device,
    )
    .map_err(from_loop)?;
    // Back to original units: the standardised loss times the targets' mean variance (for
    // one target, exactly its loss in the original units).
    let y_var = y_scale.iter().map(|s| s * s).sum::<f64>() / k as f64;
    let loss_history: Vec<f64> = trained
        .history
        .series("train_loss")
        .iter()
        .map(|l| l * y_var)
        .collect();
    let model = &trained.model;
    let w = read(model.linear.weight.val())?;
    let bias = match &model.linear.bias {
        Some(b) => read(b.val())?,
        None => vec![0.0; k],
    };
    let coef = Matrix::from_fn(k, d, |t, j| {
        f64::from(w[j * k + t]) * y_scale[t] / x_scale[j]
    });
    let intercept = (0..k)
        .map(|t| {
            y_offset[t] + f64::from(bias[t]) * y_scale[t]
                - (0..d).map(|j| coef.get(t, j) * x_offset[j]).sum::<f64>()
        })
        .collect();
    Ok(GradientFit {
        coef,
        intercept,
        n_iter: loss_history.len(),
        loss_history,
        epochs: (trained.history, trained.epoch),
    })
}

/// The loop's errors as the estimator's: a divergence as its own (when no checkpoint is there
/// to name), a setting under `gradient_descent`.
fn from_loop(e: TrainError) -> FitError {
    match e {
        TrainError::InvalidConfig { field, message } => FitError::InvalidConfig {
            field: format!("gradient_descent.{field}"),
            message,
        },
        TrainError::Diverged {
            epoch,
            batch,
            loss,
            learning_rate,
            kept: None,
        } => ember_core::Diverged {
            epoch,
            batch,
            loss,
            learning_rate,
        }
        .into(),
        other => other.into(),
    }
}
