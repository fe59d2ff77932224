//! Any fitted model behind one type, and its state as plain data plus weight bytes: what a
//! model file stores and what it is restored from.

use burn::module::Module;
use burn::tensor::Device;
use ember_data::{LabelEncoder, Matrix};
use ember_train::History;
use serde::{Deserialize, Serialize};

use crate::FitError;
use crate::linear::{LinearRegression, LinearRegressionConfig, Solver};
use crate::logistic::{LogisticRegression, LogisticRegressionConfig};
use crate::mlp::{MlpClassifier, MlpClassifierConfig, MlpConfig, MlpRegressor, MlpRegressorConfig};

/// A fitted model of any kind ember trains.
///
/// ```
/// use burn::tensor::Device;
/// use ember_models::FittedModel;
/// use ember_models::logistic::LogisticRegressionConfig;
///
/// let device = Device::flex();
/// let iris = ember_data::load("iris")?;
/// let model = FittedModel::from(LogisticRegressionConfig::default().fit_dataset(&iris, &device)?);
/// let (state, weights) = model.state()?;
/// let restored = FittedModel::from_state(state, &weights, &device)?;
/// assert_eq!(restored.predict_classes(iris.x())?, model.predict_classes(iris.x())?);
/// assert_eq!((restored.kind(), restored.n_params()), ("logistic_regression", 15));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub enum FittedModel {
    /// Least squares or ridge.
    LinearRegression(LinearRegression),
    /// Binary or multinomial logistic regression.
    LogisticRegression(LogisticRegression),
    /// A multilayer-perceptron classifier.
    MlpClassifier(MlpClassifier),
    /// A multilayer-perceptron regressor.
    MlpRegressor(MlpRegressor),
}

/// A fitted model's state as plain data (the weights of networks travel separately as
/// burnpack bytes): the config it was trained with and what fitting found.
///
/// ```
/// let state: ember_models::ModelState = serde_json::from_str(
///     r#"{"kind": "linear_regression", "config": {}, "coef": {"n_rows": 1, "n_cols": 1, "data": [2.0]}, "intercept": [1.0], "solver": "lstsq"}"#,
/// )?;
/// let model = ember_models::FittedModel::from_state(state, &[], &burn::tensor::Device::flex())?;
/// assert_eq!(model.n_features(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelState {
    /// [`LinearRegression`]: coefficients (targets × features) and intercepts.
    LinearRegression {
        /// The hyper-parameters.
        config: LinearRegressionConfig,
        /// Coefficients, targets × features.
        coef: Matrix,
        /// One intercept per target.
        intercept: Vec<f64>,
        /// The solver that produced them.
        solver: Solver,
    },
    /// [`LogisticRegression`]: coefficients (one row, or one per class) and intercepts.
    LogisticRegression {
        /// The hyper-parameters.
        config: LogisticRegressionConfig,
        /// Number of classes.
        n_classes: usize,
        /// Coefficients.
        coef: Matrix,
        /// Intercepts.
        intercept: Vec<f64>,
        /// Solver iterations taken.
        n_iter: usize,
        /// Whether the solver met its tolerance.
        converged: bool,
        /// Class names.
        labels: Option<LabelEncoder>,
    },
    /// [`MlpClassifier`]: the network's shape; weights separate.
    MlpClassifier {
        /// The hyper-parameters.
        config: MlpClassifierConfig,
        /// Layer sizes, activation, dropout, initialisation.
        shape: MlpConfig,
        /// Class names.
        labels: Option<LabelEncoder>,
    },
    /// [`MlpRegressor`]: the network's shape and the target scaling; weights separate.
    MlpRegressor {
        /// The hyper-parameters.
        config: MlpRegressorConfig,
        /// Layer sizes, activation, dropout, initialisation.
        shape: MlpConfig,
        /// Per-target offset added to the network's outputs.
        offset: Vec<f64>,
        /// Per-target scale the outputs are multiplied by.
        scale: Vec<f64>,
    },
}

impl FittedModel {
    /// The model's state and its weights (burnpack bytes; empty for linear models).
    pub fn state(&self) -> Result<(ModelState, Vec<u8>), FitError> {
        match self {
            Self::LinearRegression(m) => Ok((
                ModelState::LinearRegression {
                    config: m.config().clone(),
                    coef: m.coef().clone(),
                    intercept: m.intercept().to_vec(),
                    solver: m.solver(),
                },
                Vec::new(),
            )),
            Self::LogisticRegression(m) => Ok((m.state(), Vec::new())),
            Self::MlpClassifier(m) => m.state(),
            Self::MlpRegressor(m) => m.state(),
        }
    }

    /// The model [`state`](Self::state) described, on `device`; inconsistent parts or weights
    /// that do not fit the network are an error.
    pub fn from_state(
        state: ModelState,
        weights: &[u8],
        device: &Device,
    ) -> Result<Self, FitError> {
        Ok(match state {
            ModelState::LinearRegression {
                config,
                coef,
                intercept,
                solver,
            } => {
                if intercept.len() != coef.n_rows() {
                    return Err(FitError::Weights(format!(
                        "{} targets need as many intercepts, got {}",
                        coef.n_rows(),
                        intercept.len()
                    )));
                }
                Self::LinearRegression(LinearRegression::new(
                    config,
                    coef,
                    intercept,
                    1,
                    Vec::new(),
                    solver,
                    device,
                )?)
            }
            ModelState::LogisticRegression {
                config,
                n_classes,
                coef,
                intercept,
                n_iter,
                converged,
                labels,
            } => Self::LogisticRegression(LogisticRegression::from_parts(
                config, n_classes, coef, intercept, n_iter, converged, labels,
            )?),
            ModelState::MlpClassifier {
                config,
                shape,
                labels,
            } => Self::MlpClassifier(MlpClassifier::from_parts(
                config, shape, labels, weights, device,
            )?),
            ModelState::MlpRegressor {
                config,
                shape,
                offset,
                scale,
            } => Self::MlpRegressor(MlpRegressor::from_parts(
                config, shape, offset, scale, weights, device,
            )?),
        })
    }

    /// The kind's name, as in a config file (`mlp_classifier`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::LinearRegression(_) => "linear_regression",
            Self::LogisticRegression(_) => "logistic_regression",
            Self::MlpClassifier(_) => "mlp_classifier",
            Self::MlpRegressor(_) => "mlp_regressor",
        }
    }

    /// Whether the model predicts classes.
    pub fn is_classifier(&self) -> bool {
        matches!(self, Self::LogisticRegression(_) | Self::MlpClassifier(_))
    }

    /// Features the model takes.
    pub fn n_features(&self) -> usize {
        match self {
            Self::LinearRegression(m) => m.n_features(),
            Self::LogisticRegression(m) => m.coef().n_cols(),
            Self::MlpClassifier(m) => m.shape().n_inputs,
            Self::MlpRegressor(m) => m.shape().n_inputs,
        }
    }

    /// Classes of a classifier, targets of a regressor.
    pub fn n_outputs(&self) -> usize {
        match self {
            Self::LinearRegression(m) => m.n_targets(),
            Self::LogisticRegression(m) => m.n_classes(),
            Self::MlpClassifier(m) => m.n_classes(),
            Self::MlpRegressor(m) => m.shape().n_outputs,
        }
    }

    /// Number of fitted parameters (weights and biases).
    pub fn n_params(&self) -> usize {
        match self {
            Self::LinearRegression(m) => m.coef().as_slice().len() + m.intercept().len(),
            Self::LogisticRegression(m) => m.coef().as_slice().len() + m.intercept().len(),
            Self::MlpClassifier(m) => m.module().num_params(),
            Self::MlpRegressor(m) => m.module().num_params(),
        }
    }

    /// Class names of a classifier trained on named classes.
    pub fn labels(&self) -> Option<&LabelEncoder> {
        match self {
            Self::LogisticRegression(m) => m.labels(),
            Self::MlpClassifier(m) => m.labels(),
            _ => None,
        }
    }

    /// The training history of a network trained in this process (empty once restored).
    pub fn history(&self) -> Option<&History> {
        match self {
            Self::MlpClassifier(m) => Some(m.history()),
            Self::MlpRegressor(m) => Some(m.history()),
            Self::LinearRegression(m) => m.epochs().map(|e| e.0),
            Self::LogisticRegression(m) => m.epochs().map(|e| e.0),
        }
    }

    /// The epoch whose weights a network trained in this process holds (the best one when
    /// early stopping restored it).
    pub fn best_epoch(&self) -> Option<usize> {
        match self {
            Self::MlpClassifier(m) if !m.history().epochs.is_empty() => Some(m.best_epoch()),
            Self::MlpRegressor(m) if !m.history().epochs.is_empty() => Some(m.best_epoch()),
            Self::LinearRegression(m) => m.epochs().map(|e| e.1),
            Self::LogisticRegression(m) => m.epochs().map(|e| e.1),
            _ => None,
        }
    }

    /// The training loss per epoch (or solver iteration) of a model fitted in this process;
    /// empty for closed-form fits and restored models.
    pub fn loss_history(&self) -> Vec<f64> {
        match self {
            Self::LinearRegression(m) => m.loss_history().to_vec(),
            Self::LogisticRegression(m) => m.loss_history().to_vec(),
            Self::MlpClassifier(m) => m.loss_history(),
            Self::MlpRegressor(m) => m.loss_history(),
        }
    }

    /// Predictions of a regressor (samples × targets), or of a classifier the class indices
    /// as one column.
    pub fn predict(&self, x: &Matrix) -> Result<Matrix, FitError> {
        match self {
            Self::LinearRegression(m) => m.predict(x),
            Self::MlpRegressor(m) => m.predict(x),
            _ => {
                let classes = self.predict_classes(x)?;
                Ok(Matrix::column(
                    classes.into_iter().map(|c| c as f64).collect(),
                ))
            }
        }
    }

    /// The class index of each sample; an error for a regressor.
    pub fn predict_classes(&self, x: &Matrix) -> Result<Vec<usize>, FitError> {
        match self {
            Self::LogisticRegression(m) => m.predict(x),
            Self::MlpClassifier(m) => m.predict(x),
            _ => Err(self.not_classifier()),
        }
    }

    /// Class probabilities, one row per sample; an error for a regressor.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Matrix, FitError> {
        match self {
            Self::LogisticRegression(m) => m.predict_proba(x),
            Self::MlpClassifier(m) => m.predict_proba(x),
            _ => Err(self.not_classifier()),
        }
    }

    fn not_classifier(&self) -> FitError {
        FitError::InvalidConfig {
            field: "kind".into(),
            message: format!("{} predicts values, not classes", self.kind()),
        }
    }
}

macro_rules! from_fitted {
    ($($variant:ident),*) => {
        $(
            impl From<$variant> for FittedModel {
                fn from(model: $variant) -> Self {
                    Self::$variant(model)
                }
            }
        )*
    };
}

from_fitted!(
    LinearRegression,
    LogisticRegression,
    MlpClassifier,
    MlpRegressor
);
