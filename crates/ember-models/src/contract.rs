//! The contract every model kind implements once: an [`Estimator`] (a config that validates into
//! every problem at once and fits) and a [`Fitted`] model (its features, its raw outputs, its
//! state for saving, its named tensors for export). Prediction, probabilities and scoring are
//! derived here from the raw outputs and the model's [`Task`], so the [`FittedModel`], the
//! Predictor and the CLI go through one path (each kind's own typed `predict` reads the same
//! raw outputs).
//!
//! Adding a kind: its folder with a config (implementing [`Estimator`], e.g. with the crate's
//! `estimator!` macro) and a fitted type implementing [`Fitted`]; one line in `kinds!`
//! (`saved.rs`), which makes model files, the Predictor, export and ONNX work; for the CLI, one
//! `ModelSpec` variant and one line in its `each_kind!` list.

use std::borrow::Cow;
use std::fmt::Debug;

use burn::tensor::Device;
use ember_core::Problems;
use ember_data::{Dataset, LabelEncoder, Matrix, Scalar};
use ember_metrics::{Multioutput, RegressionMetric};
use ember_train::{History, RunOptions, TrainConfig};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{FitError, FittedModel};

/// What a model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Real values, one column per target; the raw outputs are the predictions.
    Regression,
    /// Classes; the raw outputs are logits (one column: the positive class's log-odds).
    Classification,
    /// Clusters; the raw outputs are squared distances to the centres, the nearest wins.
    Clustering,
}

/// Rows of features for a fitted model, in `f32` or `f64`, borrowed or owned (an owned `f32`
/// buffer goes to a device without a copy).
#[derive(Debug, Clone)]
pub enum Features<'a> {
    /// Single precision (what networks run in).
    F32(Cow<'a, Matrix<f32>>),
    /// Double precision.
    F64(Cow<'a, Matrix<f64>>),
}

impl Features<'_> {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        match self {
            Self::F32(x) => x.n_rows(),
            Self::F64(x) => x.n_rows(),
        }
    }

    /// Number of features per row.
    pub fn n_cols(&self) -> usize {
        match self {
            Self::F32(x) => x.n_cols(),
            Self::F64(x) => x.n_cols(),
        }
    }

    /// An error unless the rows have `expected` features.
    pub fn check_width(&self, expected: usize) -> Result<(), FitError> {
        if self.n_cols() != expected {
            return Err(FitError::FeatureCount {
                expected,
                got: self.n_cols(),
            });
        }
        Ok(())
    }

    /// An error naming the first NaN or infinite value.
    pub fn check_finite(&self) -> Result<(), FitError> {
        match self {
            Self::F32(x) => x.check_finite("X")?,
            Self::F64(x) => x.check_finite("X")?,
        }
        Ok(())
    }

    /// The rows in `f32`: moved when they are owned `f32` already, converted otherwise.
    pub fn into_f32(self) -> Matrix<f32> {
        match self {
            Self::F32(x) => x.into_owned(),
            Self::F64(x) => x.cast(),
        }
    }

    /// `x · Wᵀ + b` in `f64` (`rows × W's rows`): the map of every linear model.
    pub fn affine(&self, w: &Matrix, b: &[f64]) -> Matrix {
        match self {
            Self::F32(x) => affine(x, w, b),
            Self::F64(x) => affine(x, w, b),
        }
    }
}

impl<'a> From<&'a Matrix<f32>> for Features<'a> {
    fn from(x: &'a Matrix<f32>) -> Self {
        Self::F32(Cow::Borrowed(x))
    }
}

impl<'a> From<&'a Matrix<f64>> for Features<'a> {
    fn from(x: &'a Matrix<f64>) -> Self {
        Self::F64(Cow::Borrowed(x))
    }
}

impl From<Matrix<f32>> for Features<'_> {
    fn from(x: Matrix<f32>) -> Self {
        Self::F32(Cow::Owned(x))
    }
}

impl From<Matrix<f64>> for Features<'_> {
    fn from(x: Matrix<f64>) -> Self {
        Self::F64(Cow::Owned(x))
    }
}

impl<'a> From<Cow<'a, Matrix<f32>>> for Features<'a> {
    fn from(x: Cow<'a, Matrix<f32>>) -> Self {
        Self::F32(x)
    }
}

impl<'a> From<Cow<'a, Matrix<f64>>> for Features<'a> {
    fn from(x: Cow<'a, Matrix<f64>>) -> Self {
        Self::F64(x)
    }
}

/// `x · Wᵀ + b` in `f64` (`rows × W's rows`): the map of every linear model.
pub(crate) fn affine<T: Scalar>(x: &Matrix<T>, w: &Matrix, b: &[f64]) -> Matrix {
    let (k, d) = w.shape();
    Matrix::from_fn(x.n_rows(), k, |i, t| {
        let row = x.row(i);
        b[t] + (0..d).map(|j| row[j].to_f64() * w.get(t, j)).sum::<f64>()
    })
}

/// A prediction, typed by what the model predicts.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// Values, `rows × targets`.
    Values(Matrix),
    /// A class index per row.
    Classes(Vec<usize>),
    /// A cluster index per row.
    Clusters(Vec<usize>),
}

/// A tensor of a fitted model under a stable name, for export (safetensors, ONNX).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    /// The name, e.g. `layers.0.weight`.
    pub name: String,
    /// The shape.
    pub shape: Vec<usize>,
    /// The values, row-major, in the precision the model holds them.
    pub values: TensorValues,
}

/// Values of a [`NamedTensor`].
#[derive(Debug, Clone, PartialEq)]
pub enum TensorValues {
    /// Single precision (networks).
    F32(Vec<f32>),
    /// Double precision (linear models, centres).
    F64(Vec<f64>),
}

impl NamedTensor {
    /// A double-precision tensor.
    pub fn f64(name: impl Into<String>, shape: Vec<usize>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            shape,
            values: TensorValues::F64(values),
        }
    }

    /// A single-precision tensor.
    pub fn f32(name: impl Into<String>, shape: Vec<usize>, values: Vec<f32>) -> Self {
        Self {
            name: name.into(),
            shape,
            values: TensorValues::F32(values),
        }
    }
}

/// What a fitted model exports: its tensors and string metadata (e.g. the activation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Export {
    /// The tensors, by stable name.
    pub tensors: Vec<NamedTensor>,
    /// Metadata, by key.
    pub metadata: Vec<(String, String)>,
}

/// The precision a [`Step`] computes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Single (networks, as trained).
    F32,
    /// Double (linear models, centres, the un-scaling of targets).
    F64,
}

/// One step of what a fitted model computes from its (scaled) features to its raw outputs, for
/// exporters that rebuild the model in another runtime (ONNX).
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `x · Wᵀ + b`, `weight` being `[outputs, inputs]`.
    Affine {
        /// The weights, `[outputs, inputs]`.
        weight: Matrix,
        /// One bias per output.
        bias: Vec<f64>,
        /// The precision it runs in.
        precision: Precision,
    },
    /// An activation, elementwise: `relu`, `gelu` (exact, with erf), `tanh`, `sigmoid`,
    /// `leaky_relu` (slope 0.01).
    Activation(&'static str),
    /// `x · scale + offset` per column, in `f64`.
    Scale {
        /// Per-column factor.
        scale: Vec<f64>,
        /// Per-column offset.
        offset: Vec<f64>,
    },
    /// Squared Euclidean distances to each row of `centres`, in `f64`.
    SquaredDistances {
        /// The centres, `[clusters, features]`.
        centres: Matrix,
    },
}

/// A hyper-parameter config of some model kind, behind one object-safe interface: what the
/// CLI, sweeps and cross-validation hold. Each kind's own `fit` returns its own fitted type;
/// [`fit_model`](Self::fit_model) is that fit, boxed into a [`FittedModel`].
pub trait Estimator: Debug + Send + Sync {
    /// The kind's name, as in `[model.<kind>]`.
    fn kind(&self) -> &'static str;
    /// What the fitted model predicts.
    fn task(&self) -> Task;
    /// Every invalid setting at once, each naming its field.
    fn problems(&self) -> Problems;
    /// Fits on `train`, watching `valid` where the kind trains in epochs.
    fn fit_model(
        &self,
        train: &Dataset,
        valid: Option<&Dataset>,
        device: &Device,
    ) -> Result<FittedModel, FitError>;
    /// The training loop's run options (run directory, resume, progress), for kinds the loop
    /// can train.
    fn run_mut(&mut self) -> Option<&mut RunOptions>;
    /// The training loop's hyper-parameters, for kinds trained in epochs with a `train` table.
    fn train_mut(&mut self) -> Option<&mut TrainConfig> {
        None
    }
    /// A copy of the config (to change its run options, e.g. per fold).
    fn clone_boxed(&self) -> Box<dyn Estimator>;
}

/// A fitted model of one kind. Implement it once per kind and register the kind in
/// [`FittedModel`]; the rest (prediction, probabilities, score, model files, the Predictor,
/// export) follows.
pub trait Fitted: Debug + Send + Sync + Sized {
    /// The kind's name, as in a config file and a model file (`mlp_classifier`).
    const KIND: &'static str;
    /// The plain-data state a model file stores (the weights of networks travel apart).
    type State: Debug + Clone + PartialEq + Serialize + DeserializeOwned;

    /// What the model predicts.
    fn task(&self) -> Task;
    /// Features the model takes.
    fn n_features(&self) -> usize;
    /// Targets of a regressor, classes of a classifier, clusters of a clustering.
    fn n_outputs(&self) -> usize;
    /// Number of fitted parameters.
    fn n_params(&self) -> usize;
    /// The raw outputs for `x` (see [`Task`]), `rows × outputs` (one column for a binary
    /// classifier); `x`'s width checked.
    fn outputs(&self, x: Features<'_>) -> Result<Matrix, FitError>;
    /// The state and the weights (burnpack bytes; empty for models without a network).
    fn state(&self) -> Result<(Self::State, Vec<u8>), FitError>;
    /// The model a [`state`](Self::state) describes, on `device`.
    fn from_state(state: Self::State, weights: &[u8], device: &Device) -> Result<Self, FitError>;
    /// The tensors and metadata to export.
    fn export(&self) -> Result<Export, FitError>;
    /// What the model computes, as steps from features to raw outputs.
    fn steps(&self) -> Result<Vec<Step>, FitError>;

    /// Class names of a classifier trained on named classes.
    fn labels(&self) -> Option<&LabelEncoder> {
        None
    }
    /// The epochs of a model trained in this process and the epoch it holds.
    fn training(&self) -> Option<(&History, usize)> {
        None
    }
    /// The training loss per epoch or solver iteration, for a model fitted in this process.
    fn loss_history(&self) -> Vec<f64> {
        Vec::new()
    }
}

/// What every fitted model derives from its raw outputs: the one prediction path.
pub trait Predict {
    /// The task and the number of outputs (see [`Fitted`]).
    fn parts(&self) -> (Task, usize);
    /// The raw outputs.
    fn raw(&self, x: Features<'_>) -> Result<Matrix, FitError>;

    /// Predictions typed by the task.
    fn predict_any(&self, x: Features<'_>) -> Result<Prediction, FitError> {
        let (task, _) = self.parts();
        let out = self.raw(x)?;
        Ok(match task {
            Task::Regression => Prediction::Values(out),
            Task::Classification => {
                Prediction::Classes(ember_core::argmax_rows(out.as_slice(), out.n_cols()))
            }
            Task::Clustering => {
                Prediction::Clusters(ember_core::argmin_rows(out.as_slice(), out.n_cols()))
            }
        })
    }

    /// Class probabilities (`rows × classes`); an error unless the model is a classifier.
    fn proba(&self, x: Features<'_>) -> Result<Matrix, FitError> {
        let (task, k) = self.parts();
        if task != Task::Classification {
            return Err(FitError::InvalidConfig {
                field: "kind".into(),
                message: "this model does not predict classes".into(),
            });
        }
        let n = x.n_rows();
        let out = self.raw(x)?;
        Ok(Matrix::new(
            n,
            k,
            ember_core::probabilities(out.as_slice(), k, n),
        )?)
    }

    /// scikit-learn's `score`: R² (averaged over targets) for a regressor, accuracy for a
    /// classifier, minus the inertia for a clustering.
    fn score_on(&self, data: &Dataset) -> Result<f64, FitError> {
        let out = self.raw(Features::from(data.x()))?;
        match self.parts().0 {
            Task::Regression => {
                if data.y().n_cols() != out.n_cols() {
                    return Err(FitError::TargetCount {
                        expected: out.n_cols(),
                        got: data.y().n_cols(),
                    });
                }
                Ok(RegressionMetric::R2.score(
                    data.y().as_slice(),
                    out.as_slice(),
                    out.n_cols(),
                    Multioutput::UniformAverage,
                )?)
            }
            Task::Classification => {
                let predicted = ember_core::argmax_rows(out.as_slice(), out.n_cols());
                Ok(ember_metrics::accuracy_score(
                    &data.class_indices()?,
                    &predicted,
                )?)
            }
            Task::Clustering => Ok(-inertia(&out)),
        }
    }
}

impl<M: Fitted> Predict for M {
    fn parts(&self) -> (Task, usize) {
        (self.task(), self.n_outputs())
    }

    fn raw(&self, x: Features<'_>) -> Result<Matrix, FitError> {
        self.outputs(x)
    }
}

/// The sum over rows of the smallest squared distance: the inertia of a clustering.
pub(crate) fn inertia(squared_distances: &Matrix) -> f64 {
    squared_distances
        .rows()
        .map(|r| r.iter().copied().fold(f64::INFINITY, f64::min))
        .sum()
}
