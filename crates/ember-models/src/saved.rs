//! Any fitted model behind one type, and its state as plain data plus weight bytes: what a
//! model file stores and what it is restored from. Every kind is registered once, in
//! [`kinds!`]'s invocation; everything else goes through the [`Fitted`] contract.

use burn::tensor::Device;
use ember_data::{LabelEncoder, Matrix};
use ember_train::History;
use serde::{Deserialize, Serialize};

use crate::FitError;
use crate::contract::{Export, Features, Fitted, Predict, Prediction, Step, Task};
use crate::kmeans::KMeans;
use crate::linear::LinearRegression;
use crate::logistic::LogisticRegression;
use crate::mlp::{MlpClassifier, MlpRegressor};

/// The one registration of every fitted kind: the [`FittedModel`] and [`ModelState`] enums,
/// their dispatch to [`Fitted`], and the `From` conversions.
macro_rules! kinds {
    ($($variant:ident = $tag:literal),* $(,)?) => {
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
        #[allow(missing_docs)]
        pub enum FittedModel {
            $($variant($variant),)*
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
        #[serde(tag = "kind")]
        #[allow(missing_docs)]
        pub enum ModelState {
            $(#[serde(rename = $tag)] $variant(<$variant as Fitted>::State),)*
        }

        impl FittedModel {
            /// The model's state and its weights (burnpack bytes; empty for models without a
            /// network).
            pub fn state(&self) -> Result<(ModelState, Vec<u8>), FitError> {
                match self {
                    $(Self::$variant(m) => {
                        let (state, weights) = m.state()?;
                        Ok((ModelState::$variant(state), weights))
                    })*
                }
            }

            /// The model [`state`](Self::state) described, on `device`; inconsistent parts or
            /// weights that do not fit the network are an error.
            pub fn from_state(
                state: ModelState,
                weights: &[u8],
                device: &Device,
            ) -> Result<Self, FitError> {
                Ok(match state {
                    $(ModelState::$variant(s) => Self::$variant($variant::from_state(s, weights, device)?),)*
                })
            }

            /// The kind's name, as in a config file (`mlp_classifier`).
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => <$variant as Fitted>::KIND,)*
                }
            }

            /// Every registered kind: its name in model files and its [`Fitted::KIND`], which
            /// must agree.
            pub fn kinds() -> Vec<(&'static str, &'static str)> {
                vec![$(($tag, <$variant as Fitted>::KIND),)*]
            }

            fn model(&self) -> &dyn Model {
                match self {
                    $(Self::$variant(m) => m,)*
                }
            }
        }

        $(
            impl From<$variant> for FittedModel {
                fn from(model: $variant) -> Self {
                    Self::$variant(model)
                }
            }
        )*
    };
}

kinds!(
    LinearRegression = "linear_regression",
    LogisticRegression = "logistic_regression",
    MlpClassifier = "mlp_classifier",
    MlpRegressor = "mlp_regressor",
    KMeans = "kmeans",
);

/// The object-safe part of [`Fitted`], for dispatch.
trait Model: Predict {
    fn n_features(&self) -> usize;
    fn n_params(&self) -> usize;
    fn export(&self) -> Result<Export, FitError>;
    fn steps(&self) -> Result<Vec<Step>, FitError>;
    fn labels(&self) -> Option<&LabelEncoder>;
    fn training(&self) -> Option<(&History, usize)>;
    fn loss_history(&self) -> Vec<f64>;
}

impl<M: Fitted> Model for M {
    fn n_features(&self) -> usize {
        Fitted::n_features(self)
    }
    fn n_params(&self) -> usize {
        Fitted::n_params(self)
    }
    fn export(&self) -> Result<Export, FitError> {
        Fitted::export(self)
    }
    fn steps(&self) -> Result<Vec<Step>, FitError> {
        Fitted::steps(self)
    }
    fn labels(&self) -> Option<&LabelEncoder> {
        Fitted::labels(self)
    }
    fn training(&self) -> Option<(&History, usize)> {
        Fitted::training(self)
    }
    fn loss_history(&self) -> Vec<f64> {
        Fitted::loss_history(self)
    }
}

impl FittedModel {
    /// What the model predicts.
    pub fn task(&self) -> Task {
        self.model().parts().0
    }

    /// Whether the model predicts classes.
    pub fn is_classifier(&self) -> bool {
        self.task() == Task::Classification
    }

    /// Features the model takes.
    pub fn n_features(&self) -> usize {
        self.model().n_features()
    }

    /// Classes of a classifier, targets of a regressor, clusters of a clustering.
    pub fn n_outputs(&self) -> usize {
        self.model().parts().1
    }

    /// Number of fitted parameters (weights and biases, centres).
    pub fn n_params(&self) -> usize {
        self.model().n_params()
    }

    /// Class names of a classifier trained on named classes.
    pub fn labels(&self) -> Option<&LabelEncoder> {
        self.model().labels()
    }

    /// The training history of a model trained in epochs in this process (empty once
    /// restored).
    pub fn history(&self) -> Option<&History> {
        self.model().training().map(|t| t.0)
    }

    /// The epoch whose weights a model trained in this process holds (the best one when
    /// early stopping restored it).
    pub fn best_epoch(&self) -> Option<usize> {
        self.model()
            .training()
            .filter(|t| !t.0.epochs.is_empty())
            .map(|t| t.1)
    }

    /// The training loss per epoch (or solver iteration) of a model fitted in this process;
    /// empty for closed-form fits and restored models.
    pub fn loss_history(&self) -> Vec<f64> {
        self.model().loss_history()
    }

    /// The raw outputs (values, logits, or squared distances to the centres; see [`Task`]).
    pub fn outputs<'a>(&self, x: impl Into<Features<'a>>) -> Result<Matrix, FitError> {
        self.model().raw(x.into())
    }

    /// Predictions typed by the task.
    pub fn predict_typed<'a>(&self, x: impl Into<Features<'a>>) -> Result<Prediction, FitError> {
        self.model().predict_any(x.into())
    }

    /// Predictions of a regressor (samples × targets), or of a classifier (or clustering) the
    /// class (cluster) indices as one column.
    pub fn predict(&self, x: &Matrix) -> Result<Matrix, FitError> {
        Ok(match self.predict_typed(x)? {
            Prediction::Values(v) => v,
            Prediction::Classes(c) | Prediction::Clusters(c) => {
                Matrix::column(c.into_iter().map(|c| c as f64).collect())
            }
        })
    }

    /// The class index of each sample; an error for a regressor.
    pub fn predict_classes(&self, x: &Matrix) -> Result<Vec<usize>, FitError> {
        match self.predict_typed(x)? {
            Prediction::Classes(c) => Ok(c),
            _ => Err(self.not_classifier()),
        }
    }

    /// Class probabilities, one row per sample; an error for a regressor.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Matrix, FitError> {
        self.probabilities(x)
    }

    /// [`predict_proba`](Self::predict_proba) for any [`Features`] (`f32` rows, owned).
    pub fn probabilities<'a>(&self, x: impl Into<Features<'a>>) -> Result<Matrix, FitError> {
        if !self.is_classifier() {
            return Err(self.not_classifier());
        }
        self.model().proba(x.into())
    }

    /// scikit-learn's `score` on `data`: R² for a regressor, accuracy for a classifier, minus
    /// the inertia for a clustering.
    pub fn score(&self, data: &ember_data::Dataset) -> Result<f64, FitError> {
        self.model().score_on(data)
    }

    /// The tensors (stable names) and metadata to export.
    pub fn export(&self) -> Result<Export, FitError> {
        self.model().export()
    }

    /// What the model computes from (scaled) features to raw outputs, step by step.
    pub fn steps(&self) -> Result<Vec<Step>, FitError> {
        self.model().steps()
    }

    fn not_classifier(&self) -> FitError {
        let what = match self.task() {
            Task::Clustering => "clusters",
            _ => "values",
        };
        FitError::InvalidConfig {
            field: "kind".into(),
            message: format!("{} predicts {what}, not classes", self.kind()),
        }
    }
}
