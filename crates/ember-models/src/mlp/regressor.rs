//! `MlpRegressor`: a multilayer perceptron trained on the mean squared error.

use burn::module::Module;
use burn::tensor::Device;
use ember_core::Problems;
use ember_data::preprocessing::StandardScaler;
use ember_data::{Dataset, Matrix, Scalar};
use ember_metrics::{Multioutput, RegressionMetric};
use ember_train::{History, Objective, RunOptions, TrainConfig};
use serde::{Deserialize, Serialize};

use super::{Activation, Mlp, MlpConfig, Trained, WeightInit, network, shape_problems};
use crate::FitError;
use crate::contract::{Export, Features, Fitted, NamedTensor, Step, Task};

/// Hyper-parameters of [`MlpRegressor`]; `fit` trains one.
///
/// Targets are standardised for training (each output to mean 0, variance 1, as
/// scikit-learn's `TransformedTargetRegressor` with a `StandardScaler` would) and predictions
/// mapped back, so one learning rate suits targets of any scale; losses in the history are in
/// standardised units.
///
/// ```
/// use burn::tensor::Device;
/// use ember_models::mlp::MlpRegressorConfig;
/// use ember_train::{RunOptions, TrainConfig};
///
/// let data = ember_data::generators::seed_line(200, 42);
/// let config = MlpRegressorConfig {
///     hidden: vec![16],
///     train: TrainConfig { epochs: 60, learning_rate: 0.01, ..Default::default() },
///     run: RunOptions::quiet(),
///     ..Default::default()
/// };
/// let model = config.fit(data.x(), data.y(), &Device::flex())?;
/// assert!(model.score(data.x(), data.y())? > 0.8);
/// # Ok::<(), ember_models::FitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpRegressorConfig {
    /// Hidden layer sizes (scikit-learn's `hidden_layer_sizes`, default `[100]`).
    pub hidden: Vec<usize>,
    /// Activation after each hidden layer.
    pub activation: Activation,
    /// Dropout probability after each hidden activation.
    pub dropout: f64,
    /// Weight initialisation.
    pub init: WeightInit,
    /// Standardise the targets for training.
    pub standardize_targets: bool,
    /// The training loop's settings.
    pub train: TrainConfig,
    /// Where the loop writes checkpoints and logs, and how it shows progress (not a
    /// hyper-parameter: not saved with the model).
    #[serde(skip)]
    pub run: RunOptions,
}

impl Default for MlpRegressorConfig {
    fn default() -> Self {
        Self {
            hidden: vec![100],
            activation: Activation::Relu,
            dropout: 0.0,
            init: WeightInit::KaimingUniform,
            standardize_targets: true,
            train: TrainConfig::default(),
            run: RunOptions::default(),
        }
    }
}

impl MlpRegressorConfig {
    /// Every invalid setting, each naming its field (`hidden[1]`, `train.batch_size`).
    ///
    /// ```
    /// use ember_models::mlp::MlpRegressorConfig;
    /// let config = MlpRegressorConfig { hidden: vec![8, 0], dropout: 1.5, ..Default::default() };
    /// let fields: Vec<_> = config.problems().into_vec().into_iter().map(|p| p.field).collect();
    /// assert_eq!(fields, ["hidden[1]", "dropout"]);
    /// ```
    pub fn problems(&self) -> Problems {
        let mut p = shape_problems(&self.hidden, self.dropout);
        p.nest("train", self.train.problems());
        p
    }

    /// Trains on features `x` and targets `y` (one column per output).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_data::Matrix;
    /// let (x, y): (Matrix, Matrix) = (Matrix::zeros(3, 2), Matrix::zeros(2, 1));
    /// let err = ember_models::mlp::MlpRegressorConfig::default().fit(&x, &y, &Device::flex()).unwrap_err();
    /// assert_eq!(err.to_string(), "rows of X vs rows of y: 3 vs 2");
    /// ```
    pub fn fit<T: Scalar>(
        &self,
        x: &Matrix<T>,
        y: &Matrix<T>,
        device: &Device,
    ) -> Result<MlpRegressor, FitError> {
        let data = Dataset::new(x.clone(), y.clone())?;
        self.fit_dataset(&data, None, device)
    }

    /// Trains on a data set; `valid` is scored every epoch (else
    /// `train.validation_fraction` of `data` is held out, if set).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_models::mlp::MlpRegressorConfig;
    /// let data = ember_data::load("diabetes")?;
    /// let err = MlpRegressorConfig { dropout: 1.0, ..Default::default() }.fit_dataset(&data, None, &Device::flex()).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid config `dropout`: must be in [0, 1), got 1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit_dataset<T: Scalar>(
        &self,
        data: &Dataset<T>,
        valid: Option<&Dataset<T>>,
        device: &Device,
    ) -> Result<MlpRegressor, FitError> {
        data.check_numeric_targets()?;
        let k = data.y().n_cols();
        let (offset, scale) = if self.standardize_targets {
            let scaler = StandardScaler::fit(data.y())?;
            (scaler.mean().to_vec(), scaler.scale().to_vec())
        } else {
            (vec![0.0; k], vec![1.0; k])
        };
        let standardise = |d: &Dataset<T>| -> Result<Dataset<f32>, FitError> {
            let y = d.y();
            let values = y
                .as_slice()
                .iter()
                .enumerate()
                .map(|(i, v)| ((v.to_f64() - offset[i % k]) / scale[i % k]) as f32)
                .collect();
            Ok(Dataset::new(
                d.x().cast::<f32>(),
                Matrix::new(y.n_rows(), k, values)?,
            )?)
        };
        let train_set = standardise(data)?;
        let valid_set = valid.map(standardise).transpose()?;
        let shape = network(
            data.x().n_cols(),
            &self.hidden,
            k,
            self.activation,
            self.dropout,
            self.init,
        )?;
        let fitted = Trained::train(
            shape,
            Objective::MeanSquaredError { n_outputs: k },
            &train_set,
            valid_set.as_ref(),
            &self.train,
            &self.run,
            device,
        )?;
        Ok(MlpRegressor {
            config: self.clone(),
            fitted,
            offset,
            scale,
        })
    }
}

/// A trained multilayer-perceptron regressor. Made only by [`MlpRegressorConfig`]'s `fit`.
#[derive(Debug)]
pub struct MlpRegressor {
    config: MlpRegressorConfig,
    fitted: Trained,
    offset: Vec<f64>,
    scale: Vec<f64>,
}

impl MlpRegressor {
    /// Predictions, one row per sample and one column per output, in the targets' units.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(50, 1);
    /// # let config = ember_models::mlp::MlpRegressorConfig { train: ember_train::TrainConfig { epochs: 1, ..Default::default() }, run: ember_train::RunOptions::quiet(), ..Default::default() };
    /// let model = config.fit(data.x(), data.y(), &Device::flex())?;
    /// assert_eq!(model.predict(data.x())?.shape(), (50, 1));
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn predict<T: Scalar>(&self, x: &Matrix<T>) -> Result<Matrix, FitError> {
        self.outputs(Features::from(x.cast::<f32>()))
    }

    /// R² of the predictions on `x` against `y`, averaged over outputs (scikit-learn's `score`).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(50, 1);
    /// # let config = ember_models::mlp::MlpRegressorConfig { train: ember_train::TrainConfig { epochs: 1, ..Default::default() }, run: ember_train::RunOptions::quiet(), ..Default::default() };
    /// let model = config.fit(data.x(), data.y(), &Device::flex())?;
    /// assert!(model.score(data.x(), data.y())? <= 1.0);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn score<T: Scalar>(&self, x: &Matrix<T>, y: &Matrix<T>) -> Result<f64, FitError> {
        let pred = self.predict(x)?;
        let truth = y.cast::<f64>();
        if truth.n_cols() != pred.n_cols() {
            return Err(FitError::TargetCount {
                expected: pred.n_cols(),
                got: truth.n_cols(),
            });
        }
        Ok(RegressionMetric::R2.score(
            truth.as_slice(),
            pred.as_slice(),
            pred.n_cols(),
            Multioutput::UniformAverage,
        )?)
    }

    /// Every epoch's metrics.
    pub fn history(&self) -> &History {
        &self.fitted.history
    }

    /// Training loss per epoch, in standardised units (scikit-learn's `loss_curve_`).
    pub fn loss_history(&self) -> Vec<f64> {
        self.fitted.history.series("train_loss")
    }

    /// Epochs run (scikit-learn's `n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.fitted.history.epochs.len()
    }

    /// The epoch whose weights the model holds.
    pub fn best_epoch(&self) -> usize {
        self.fitted.epoch
    }

    /// Per-target offset added to the network's scaled outputs (the targets' means).
    pub fn target_offset(&self) -> &[f64] {
        &self.offset
    }

    /// Per-target scale the network's outputs are multiplied by (before the offset).
    pub fn target_scale(&self) -> &[f64] {
        &self.scale
    }

    /// The network (it predicts standardised targets).
    pub fn module(&self) -> &Mlp {
        &self.fitted.module
    }

    /// The network's shape.
    pub fn shape(&self) -> &MlpConfig {
        &self.fitted.shape
    }

    /// The hyper-parameters it was trained with.
    pub fn config(&self) -> &MlpRegressorConfig {
        &self.config
    }
}

/// What a model file stores of an [`MlpRegressor`] (the weights travel apart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpRegressorState {
    /// The hyper-parameters.
    pub config: MlpRegressorConfig,
    /// Layer sizes, activation, dropout, initialisation.
    pub shape: MlpConfig,
    /// Per-target offset added to the network's outputs.
    pub offset: Vec<f64>,
    /// Per-target scale the outputs are multiplied by.
    pub scale: Vec<f64>,
}

impl Fitted for MlpRegressor {
    const KIND: &'static str = "mlp_regressor";
    type State = MlpRegressorState;

    fn task(&self) -> Task {
        Task::Regression
    }
    fn n_features(&self) -> usize {
        self.fitted.shape.n_inputs
    }
    fn n_outputs(&self) -> usize {
        self.fitted.shape.n_outputs
    }
    fn n_params(&self) -> usize {
        self.fitted.module.num_params()
    }
    /// The network's outputs in the targets' units: `output · scale + offset` in `f64`.
    fn outputs(&self, x: Features<'_>) -> Result<Matrix, FitError> {
        let n = x.n_rows();
        let out = self.fitted.outputs_of(x)?;
        let k = self.scale.len();
        let values = out
            .iter()
            .enumerate()
            .map(|(i, &v)| f64::from(v) * self.scale[i % k] + self.offset[i % k])
            .collect();
        Ok(Matrix::new(n, k, values)?)
    }
    fn state(&self) -> Result<(Self::State, Vec<u8>), FitError> {
        let state = MlpRegressorState {
            config: self.config.clone(),
            shape: self.fitted.shape.clone(),
            offset: self.offset.clone(),
            scale: self.scale.clone(),
        };
        Ok((state, self.fitted.weights()?))
    }
    fn from_state(s: Self::State, weights: &[u8], device: &Device) -> Result<Self, FitError> {
        let n = s.shape.n_outputs;
        if s.offset.len() != n || s.scale.len() != n {
            return Err(FitError::Weights(format!(
                "{n} outputs need as many target offsets and scales, got {} and {}",
                s.offset.len(),
                s.scale.len()
            )));
        }
        Ok(Self {
            config: s.config,
            fitted: Trained::restore(s.shape, weights, device)?,
            offset: s.offset,
            scale: s.scale,
        })
    }
    fn export(&self) -> Result<Export, FitError> {
        let mut export = self.fitted.export()?;
        let k = self.scale.len();
        export.tensors.push(NamedTensor::f64(
            "output.scale",
            vec![k],
            self.scale.clone(),
        ));
        export.tensors.push(NamedTensor::f64(
            "output.offset",
            vec![k],
            self.offset.clone(),
        ));
        Ok(export)
    }
    fn steps(&self) -> Result<Vec<Step>, FitError> {
        let mut steps = self.fitted.steps()?;
        steps.push(Step::Scale {
            scale: self.scale.clone(),
            offset: self.offset.clone(),
        });
        Ok(steps)
    }
    fn training(&self) -> Option<(&History, usize)> {
        Some((&self.fitted.history, self.fitted.epoch))
    }
    fn loss_history(&self) -> Vec<f64> {
        MlpRegressor::loss_history(self)
    }
}

estimator!(
    MlpRegressorConfig,
    "mlp_regressor",
    Regression,
    |c, train, valid, device| c.fit_dataset(train, valid, device),
    train: train
);
