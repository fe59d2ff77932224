//! A fitted linear model: plain attributes, `predict` and `score`.

use burn::tensor::{Device, Tensor};
use ember_data::Matrix;
use ember_metrics::{Multioutput, RegressionMetric};
use ember_train::History;
use serde::{Deserialize, Serialize};

use super::{LinearModel, LinearRegressionConfig, Solver};
use crate::FitError;
use crate::contract::{Export, Features, Fitted, NamedTensor, Precision, Step, Task};

/// What a model file stores of a [`LinearRegression`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearRegressionState {
    /// The hyper-parameters.
    pub config: LinearRegressionConfig,
    /// Coefficients, targets × features.
    pub coef: Matrix,
    /// One intercept per target.
    pub intercept: Vec<f64>,
    /// The solver that produced them.
    pub solver: Solver,
}

impl Fitted for LinearRegression {
    const KIND: &'static str = "linear_regression";
    type State = LinearRegressionState;

    fn task(&self) -> Task {
        Task::Regression
    }
    fn n_features(&self) -> usize {
        self.coef.n_cols()
    }
    fn n_outputs(&self) -> usize {
        self.coef.n_rows()
    }
    fn n_params(&self) -> usize {
        self.coef.as_slice().len() + self.intercept.len()
    }
    fn outputs(&self, x: Features<'_>) -> Result<Matrix, FitError> {
        self.check_features(x.n_cols())?;
        x.check_finite()?;
        Ok(x.affine(&self.coef, &self.intercept))
    }
    fn state(&self) -> Result<(Self::State, Vec<u8>), FitError> {
        let state = LinearRegressionState {
            config: self.config.clone(),
            coef: self.coef.clone(),
            intercept: self.intercept.clone(),
            solver: self.solver,
        };
        Ok((state, Vec::new()))
    }
    fn from_state(s: Self::State, _: &[u8], device: &Device) -> Result<Self, FitError> {
        if s.intercept.len() != s.coef.n_rows() {
            return Err(FitError::Weights(format!(
                "{} targets need as many intercepts, got {}",
                s.coef.n_rows(),
                s.intercept.len()
            )));
        }
        Self::new(
            s.config,
            s.coef,
            s.intercept,
            1,
            Vec::new(),
            s.solver,
            device,
        )
    }
    fn export(&self) -> Result<Export, FitError> {
        Ok(Export {
            tensors: linear_tensors(&self.coef, &self.intercept),
            metadata: Vec::new(),
        })
    }
    fn steps(&self) -> Result<Vec<Step>, FitError> {
        Ok(linear_steps(&self.coef, &self.intercept))
    }
    fn training(&self) -> Option<(&History, usize)> {
        self.epochs()
    }
    fn loss_history(&self) -> Vec<f64> {
        self.loss_history.clone()
    }
}

/// The one step of a linear model: `x · coefᵀ + intercept` in `f64`.
pub(crate) fn linear_steps(coef: &Matrix, intercept: &[f64]) -> Vec<Step> {
    vec![Step::Affine {
        weight: coef.clone(),
        bias: intercept.to_vec(),
        precision: Precision::F64,
    }]
}

/// `linear.weight` (`[outputs, features]`) and `linear.bias`: what linear models export.
pub(crate) fn linear_tensors(coef: &Matrix, bias: &[f64]) -> Vec<NamedTensor> {
    let (k, d) = coef.shape();
    vec![
        NamedTensor::f64("linear.weight", vec![k, d], coef.as_slice().to_vec()),
        NamedTensor::f64("linear.bias", vec![k], bias.to_vec()),
    ]
}

/// A fitted linear (or ridge) regression. Made only by
/// [`LinearRegressionConfig::fit`], so it is never unfitted.
///
/// ```
/// use burn::tensor::Device;
/// use ember_data::Matrix;
/// use ember_models::linear::LinearRegressionConfig;
///
/// let x = Matrix::column(vec![0.0, 1.0, 2.0]);
/// let y = Matrix::column(vec![1.0, 3.0, 5.0]);
/// let model = LinearRegressionConfig::new().fit(&x, &y, &Device::flex())?;
/// let at = model.predict(&Matrix::column(vec![10.0]))?;
/// assert!((at.get(0, 0) - 21.0).abs() < 1e-9);
/// # Ok::<(), ember_models::FitError>(())
/// ```
#[derive(Debug)]
pub struct LinearRegression {
    config: LinearRegressionConfig,
    coef: Matrix,
    intercept: Vec<f64>,
    n_iter: usize,
    loss_history: Vec<f64>,
    solver: Solver,
    module: LinearModel,
    /// Gradient descent's epochs in this process and the epoch kept.
    epochs: Option<(History, usize)>,
}

impl LinearRegression {
    pub(crate) fn new(
        config: LinearRegressionConfig,
        coef: Matrix,
        intercept: Vec<f64>,
        n_iter: usize,
        loss_history: Vec<f64>,
        solver: Solver,
        device: &Device,
    ) -> Result<Self, FitError> {
        coef.check_finite("coefficients")?;
        let bias = config.fit_intercept.then_some(intercept.as_slice());
        let module = LinearModel::from_coefficients(&coef, bias, device);
        Ok(Self {
            config,
            coef,
            intercept,
            n_iter,
            loss_history,
            solver,
            module,
            epochs: None,
        })
    }

    /// The model with the training loop's record (gradient descent).
    pub(crate) fn with_epochs(mut self, epochs: Option<(History, usize)>) -> Self {
        self.epochs = epochs;
        self
    }

    /// Gradient descent's epochs, as the training loop recorded them (`None` for the closed
    /// forms and for a model read from a file), and the epoch whose weights were kept.
    pub fn epochs(&self) -> Option<(&History, usize)> {
        self.epochs.as_ref().map(|(h, e)| (h, *e))
    }

    /// Coefficients, `targets × features` (scikit-learn's `coef_` for several targets).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.coef().shape(), (1, 1));
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn coef(&self) -> &Matrix {
        &self.coef
    }

    /// One intercept per target (zeros when `fit_intercept` is false).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// let model = ember_models::linear::LinearRegressionConfig::new().with_fit_intercept(false).fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.intercept(), &[0.0]);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn intercept(&self) -> &[f64] {
        &self.intercept
    }

    /// Epochs run by gradient descent (1 for a closed-form solve).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.n_iter(), 1);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Training loss (mean squared error plus penalty, original units) after each epoch of
    /// gradient descent; empty for a closed-form solve.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert!(model.loss_history().is_empty());
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn loss_history(&self) -> &[f64] {
        &self.loss_history
    }

    /// The solver that produced the coefficients ([`Solver::Auto`] resolved to the one it chose).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// use ember_models::linear::Solver;
    /// let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.solver(), Solver::Lstsq);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn solver(&self) -> Solver {
        self.solver
    }

    /// The hyper-parameters the model was fitted with.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// let model = ember_models::linear::LinearRegressionConfig::new().with_alpha(2.0).fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.config().alpha, 2.0);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn config(&self) -> &LinearRegressionConfig {
        &self.config
    }

    /// Number of features the model expects.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// # let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.n_features(), 1);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn n_features(&self) -> usize {
        self.coef.n_cols()
    }

    /// Number of outputs the model predicts.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// # let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.n_targets(), 1);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn n_targets(&self) -> usize {
        self.coef.n_rows()
    }

    /// The burn module (`f32` weights on the device the model was fitted on), for running on a
    /// device, saving as a record or embedding.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// # let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.module().linear.weight.val().dims(), [1, 1]);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn module(&self) -> &LinearModel {
        &self.module
    }

    /// Predictions `samples × targets`, computed in `f64` on the host.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # use ember_data::Matrix;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// # let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// let err = model.predict(&Matrix::zeros(1, 2)).unwrap_err();
    /// assert_eq!(err.to_string(), "X has 2 features, but the model was fitted with 1");
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn predict(&self, x: &Matrix) -> Result<Matrix, FitError> {
        self.outputs(x.into())
    }

    /// Predictions for a batch already on a device (`[rows, features]` → `[rows, targets]`),
    /// computed by the burn module in `f32`.
    ///
    /// ```
    /// # use burn::tensor::{Device, Tensor};
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// # let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// let y = model.predict_tensor(Tensor::<2>::zeros([3, 1], &Device::flex()))?;
    /// assert_eq!(y.dims(), [3, 1]);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn predict_tensor(&self, x: Tensor<2>) -> Result<Tensor<2>, FitError> {
        self.check_features(x.dims()[1])?;
        Ok(self.module.forward(x))
    }

    /// R² of the predictions, averaged uniformly over targets (scikit-learn's `score`).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::generators::seed_line(100, 42);
    /// # let model = ember_models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert!(model.score(data.x(), data.y())? > 0.8);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn score(&self, x: &Matrix, y: &Matrix) -> Result<f64, FitError> {
        if y.n_cols() != self.n_targets() {
            return Err(FitError::TargetCount {
                expected: self.n_targets(),
                got: y.n_cols(),
            });
        }
        let predicted = self.predict(x)?;
        Ok(RegressionMetric::R2.score(
            y.as_slice(),
            predicted.as_slice(),
            y.n_cols(),
            Multioutput::UniformAverage,
        )?)
    }

    fn check_features(&self, got: usize) -> Result<(), FitError> {
        if got != self.n_features() {
            return Err(FitError::FeatureCount {
                expected: self.n_features(),
                got,
            });
        }
        Ok(())
    }
}
