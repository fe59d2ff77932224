//! Logistic regression, binary and multinomial (softmax), with an L2 penalty, as
//! scikit-learn's `LogisticRegression` defines it: minimise
//! `mean log loss + ‖W‖² / (2·C·n)` (the intercept not penalised).
//!
//! ```
//! use burn::tensor::Device;
//! use ember_models::logistic::LogisticRegressionConfig;
//!
//! let data = ember_data::load("iris")?;
//! let model = LogisticRegressionConfig::default().fit_dataset(&data, &Device::flex())?;
//! let y = data.classes().unwrap();
//! assert!(model.score(data.x(), &y)? > 0.95);
//! assert_eq!(model.coef().shape(), (3, 4));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod inference;
mod module;
mod solver;

pub use inference::LogitSummary;

use burn::tensor::Device;
use ember_core::{Problems, probabilities};
use ember_data::{Dataset, LabelEncoder, Matrix, Scalar};
use ember_train::{History, RunOptions, TrainConfig};
use serde::{Deserialize, Serialize};

use crate::FitError;
use crate::contract::{Export, Features, Fitted, Step, Task, affine};
use crate::linear::{linear_steps, linear_tensors};
use crate::mlp::{check_features, class_dataset};

/// How the coefficients are found.
///
/// ```
/// let s: ember_models::logistic::LogisticSolver = serde_json::from_str("\"lbfgs\"").unwrap();
/// assert_eq!(s, ember_models::logistic::LogisticSolver::Lbfgs);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogisticSolver {
    /// Full-batch L-BFGS with a strong-Wolfe line search (burn's `LBFGS`), up to `max_iter`
    /// iterations, stopping when no gradient component exceeds `tol` (scikit-learn's default).
    Lbfgs,
    /// Mini-batch gradient descent with the settings in `train` (optimizer, epochs, …).
    GradientDescent,
}

/// The penalty on the coefficients.
///
/// ```
/// let p: ember_models::logistic::Penalty = serde_json::from_str("\"none\"").unwrap();
/// assert_eq!(p, ember_models::logistic::Penalty::None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Penalty {
    /// `‖W‖² / (2·C·n)`.
    L2,
    /// No penalty (`C = ∞`).
    None,
}

/// Hyper-parameters of logistic regression; `fit` gives a [`LogisticRegression`].
///
/// Features are standardised internally (the penalty rewritten so that the optimum is the
/// one of the original units), so no scaling is needed for the solver to converge.
///
/// ```
/// use ember_models::logistic::{LogisticRegressionConfig, LogisticSolver};
/// let config: LogisticRegressionConfig = serde_json::from_str(r#"{"c": 0.5, "solver": "lbfgs"}"#)?;
/// assert_eq!((config.c, config.max_iter, config.solver), (0.5, 100, LogisticSolver::Lbfgs));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticRegressionConfig {
    /// Inverse of the regularisation strength (scikit-learn's `C`).
    pub c: f64,
    /// The penalty.
    pub penalty: Penalty,
    /// Fit an intercept per class.
    pub fit_intercept: bool,
    /// Most L-BFGS iterations.
    pub max_iter: usize,
    /// L-BFGS stops when no gradient component exceeds this.
    pub tol: f64,
    /// The solver.
    pub solver: LogisticSolver,
    /// The training loop of [`LogisticSolver::GradientDescent`].
    pub train: TrainConfig,
    /// Where the loop writes checkpoints and logs, and how it shows progress (not a
    /// hyper-parameter: not saved with the model).
    #[serde(skip)]
    pub run: RunOptions,
}

impl Default for LogisticRegressionConfig {
    /// scikit-learn's defaults: `C = 1`, L2, intercept, L-BFGS, `max_iter = 100`, `tol = 1e-4`.
    fn default() -> Self {
        Self {
            c: 1.0,
            penalty: Penalty::L2,
            fit_intercept: true,
            max_iter: 100,
            tol: 1e-4,
            solver: LogisticSolver::Lbfgs,
            train: TrainConfig::default(),
            run: RunOptions::default(),
        }
    }
}

impl LogisticRegressionConfig {
    /// Fits on features `x` and class indices `y`.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_data::Matrix;
    /// use ember_models::logistic::LogisticRegressionConfig;
    /// let x = Matrix::column(vec![0.0, 1.0, 2.0, 3.0]);
    /// let model = LogisticRegressionConfig::default().fit(&x, &[0, 0, 1, 1], &Device::flex())?;
    /// assert_eq!(model.predict(&x)?, vec![0, 0, 1, 1]);
    /// let bad = LogisticRegressionConfig { c: 0.0, ..Default::default() };
    /// assert_eq!(bad.fit(&x, &[0, 0, 1, 1], &Device::flex()).unwrap_err().to_string(), "invalid config `c`: must be positive and finite, got 0");
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn fit<T: Scalar>(
        &self,
        x: &Matrix<T>,
        y: &[usize],
        device: &Device,
    ) -> Result<LogisticRegression, FitError> {
        self.fit_dataset(&class_dataset(x, y)?, device)
    }

    /// Fits on a data set whose target column holds class indices; its class names are kept.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// let data = ember_data::load("breast_cancer")?;
    /// let model = ember_models::logistic::LogisticRegressionConfig::default().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.coef().shape(), (1, 30));
    /// assert!(model.n_iter() <= 100); // raw features: scikit-learn also stops at max_iter here
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit_dataset<T: Scalar>(
        &self,
        data: &Dataset<T>,
        device: &Device,
    ) -> Result<LogisticRegression, FitError> {
        self.validate()?;
        data.x().check_finite("X")?;
        let n_classes = data.n_classes()?;
        if n_classes < 2 {
            return Err(FitError::InvalidConfig {
                field: "y".into(),
                message: "logistic regression needs at least two classes".into(),
            });
        }
        let solution = solver::fit(self, data, n_classes, device)?;
        Ok(LogisticRegression {
            config: self.clone(),
            n_classes,
            coef: solution.coef,
            intercept: solution.intercept,
            n_iter: solution.n_iter,
            loss_history: solution.loss_history,
            converged: solution.converged,
            labels: data.labels().cloned(),
            epochs: solution.epochs,
        })
    }

    fn validate(&self) -> Result<(), FitError> {
        match self.problems().first() {
            Some(p) => Err(p.into()),
            None => Ok(()),
        }
    }

    /// Every invalid setting, each naming its field (`train.learning_rate`).
    ///
    /// ```
    /// let config = ember_models::logistic::LogisticRegressionConfig { c: 0.0, max_iter: 0, ..Default::default() };
    /// let fields: Vec<_> = config.problems().into_vec().into_iter().map(|p| p.field).collect();
    /// assert_eq!(fields, ["c", "max_iter"]);
    /// ```
    pub fn problems(&self) -> Problems {
        let mut p = Problems::default();
        p.positive("c", self.c);
        p.at_least_one("max_iter", self.max_iter);
        p.positive("tol", self.tol);
        p.nest("train", self.train.problems());
        p
    }
}

/// A fitted logistic regression: coefficients and intercepts in the original units, as plain
/// values. Made only by [`LogisticRegressionConfig`]'s `fit`.
#[derive(Debug, Clone)]
pub struct LogisticRegression {
    config: LogisticRegressionConfig,
    n_classes: usize,
    coef: Matrix,
    intercept: Vec<f64>,
    n_iter: usize,
    loss_history: Vec<f64>,
    converged: bool,
    /// Gradient descent's epochs in this process and the epoch kept.
    epochs: Option<(History, usize)>,
    labels: Option<LabelEncoder>,
}

impl LogisticRegression {
    /// A model from the parts a model file stores, checked for consistency.
    fn from_parts(
        config: LogisticRegressionConfig,
        n_classes: usize,
        coef: Matrix,
        intercept: Vec<f64>,
        n_iter: usize,
        converged: bool,
        labels: Option<LabelEncoder>,
    ) -> Result<Self, FitError> {
        let rows = if n_classes == 2 { 1 } else { n_classes };
        if n_classes < 2 || coef.n_rows() != rows || intercept.len() != rows {
            return Err(FitError::Weights(format!(
                "{n_classes} classes need {rows} coefficient rows and intercepts, got {} and {}",
                coef.n_rows(),
                intercept.len()
            )));
        }
        coef.check_finite("coefficients")?;
        Ok(Self {
            config,
            n_classes,
            coef,
            intercept,
            n_iter,
            loss_history: Vec::new(),
            converged,
            epochs: None,
            labels,
        })
    }

    /// The logits `x·Wᵀ + b`: one column for a binary problem (the positive class's log-odds),
    /// one per class otherwise (scikit-learn's `decision_function`).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// let model = ember_models::logistic::LogisticRegressionConfig::default().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.decision_function(data.x())?.shape(), (150, 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decision_function<T: Scalar>(&self, x: &Matrix<T>) -> Result<Matrix, FitError> {
        check_features(x, self.coef.n_cols())?;
        Ok(affine(x, &self.coef, &self.intercept))
    }

    /// Class probabilities, one row per sample summing to 1 (sigmoid for two classes,
    /// softmax otherwise).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// let model = ember_models::logistic::LogisticRegressionConfig::default().fit_dataset(&data, &Device::flex())?;
    /// let p = model.predict_proba(data.x())?;
    /// assert!((p.row(0).iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predict_proba<T: Scalar>(&self, x: &Matrix<T>) -> Result<Matrix, FitError> {
        let logits = self.decision_function(x)?;
        let n = x.n_rows();
        let proba = probabilities(logits.as_slice(), self.n_classes, n);
        Ok(Matrix::new(n, self.n_classes, proba)?)
    }

    /// The most probable class of each sample.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// let model = ember_models::logistic::LogisticRegressionConfig::default().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.predict(data.x())?[0], 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predict<T: Scalar>(&self, x: &Matrix<T>) -> Result<Vec<usize>, FitError> {
        let logits = self.decision_function(x)?;
        Ok(ember_core::argmax_rows(logits.as_slice(), logits.n_cols()))
    }

    /// Accuracy on `x` against the true class indices `y`.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// let model = ember_models::logistic::LogisticRegressionConfig::default().fit_dataset(&data, &Device::flex())?;
    /// assert!(model.score(data.x(), &data.classes().unwrap())? > 0.95);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn score<T: Scalar>(&self, x: &Matrix<T>, y: &[usize]) -> Result<f64, FitError> {
        Ok(ember_metrics::accuracy_score(y, &self.predict(x)?)?)
    }

    /// Coefficients, one row per class (one row for a binary problem), one column per feature
    /// (scikit-learn's `coef_`).
    pub fn coef(&self) -> &Matrix {
        &self.coef
    }

    /// Intercepts, one per row of [`coef`](Self::coef) (scikit-learn's `intercept_`).
    pub fn intercept(&self) -> &[f64] {
        &self.intercept
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Iterations (L-BFGS) or epochs (gradient descent) run (scikit-learn's `n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// The objective after each iteration or epoch.
    pub fn loss_history(&self) -> &[f64] {
        &self.loss_history
    }

    /// The gradient-descent solver's epochs, as the training loop recorded them (`None` for
    /// L-BFGS and for a model read from a file), and the epoch whose weights were kept.
    pub fn epochs(&self) -> Option<(&History, usize)> {
        self.epochs.as_ref().map(|(h, e)| (h, *e))
    }

    /// Whether L-BFGS met its tolerance within `max_iter` (scikit-learn warns when it does not).
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The class names, when the data set had them.
    pub fn labels(&self) -> Option<&LabelEncoder> {
        self.labels.as_ref()
    }

    /// The hyper-parameters it was fitted with.
    pub fn config(&self) -> &LogisticRegressionConfig {
        &self.config
    }
}

/// What a model file stores of a [`LogisticRegression`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogisticRegressionState {
    /// The hyper-parameters.
    pub config: LogisticRegressionConfig,
    /// Number of classes.
    pub n_classes: usize,
    /// Coefficients.
    pub coef: Matrix,
    /// Intercepts.
    pub intercept: Vec<f64>,
    /// Solver iterations taken.
    pub n_iter: usize,
    /// Whether the solver met its tolerance.
    pub converged: bool,
    /// Class names.
    pub labels: Option<LabelEncoder>,
}

impl Fitted for LogisticRegression {
    const KIND: &'static str = "logistic_regression";
    type State = LogisticRegressionState;

    fn task(&self) -> Task {
        Task::Classification
    }
    fn n_features(&self) -> usize {
        self.coef.n_cols()
    }
    fn n_outputs(&self) -> usize {
        self.n_classes
    }
    fn n_params(&self) -> usize {
        self.coef.as_slice().len() + self.intercept.len()
    }
    fn outputs(&self, x: Features<'_>) -> Result<Matrix, FitError> {
        x.check_width(self.coef.n_cols())?;
        Ok(x.affine(&self.coef, &self.intercept))
    }
    fn state(&self) -> Result<(Self::State, Vec<u8>), FitError> {
        let state = LogisticRegressionState {
            config: self.config.clone(),
            n_classes: self.n_classes,
            coef: self.coef.clone(),
            intercept: self.intercept.clone(),
            n_iter: self.n_iter,
            converged: self.converged,
            labels: self.labels.clone(),
        };
        Ok((state, Vec::new()))
    }
    fn from_state(s: Self::State, _: &[u8], _: &Device) -> Result<Self, FitError> {
        Self::from_parts(
            s.config,
            s.n_classes,
            s.coef,
            s.intercept,
            s.n_iter,
            s.converged,
            s.labels,
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
    fn labels(&self) -> Option<&LabelEncoder> {
        self.labels.as_ref()
    }
    fn training(&self) -> Option<(&History, usize)> {
        self.epochs()
    }
    fn loss_history(&self) -> Vec<f64> {
        self.loss_history.clone()
    }
}

estimator!(
    LogisticRegressionConfig,
    "logistic_regression",
    Classification,
    |c, train, _valid, device| c.fit_dataset(train, device),
    train: train
);
