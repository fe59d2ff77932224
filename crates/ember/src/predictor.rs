//! A trained model inside an application: load a model file (or its bytes, embedded with
//! `include_bytes!`) once, then answer predictions on plain Rust data or tensors, from any
//! number of threads.

use std::path::Path;

use burn::tensor::{Device, Tensor, TensorData};
use ember_data::Matrix;
use ember_models::{FitError, Prediction as ModelPrediction, Task};
use ember_train::TrainError;
use rayon::prelude::*;
use thiserror::Error;

use crate::model_file::{ModelFile, ModelFileError};

/// Rows of features to predict on: a row-major `f32` buffer and its width.
///
/// ```
/// use ember::predictor::{Rows, RowMajor};
/// let rows = [[1.0f32, 2.0], [3.0, 4.0]];
/// assert_eq!(rows[..].row_major(), (&[1.0f32, 2.0, 3.0, 4.0][..], 2));
/// assert_eq!(RowMajor::new(&[1.0, 2.0, 3.0], 3).row_major().1, 3);
/// ```
pub trait Rows {
    /// The values, row after row, and the number of values in a row.
    fn row_major(&self) -> (&[f32], usize);
}

impl<const N: usize> Rows for [[f32; N]] {
    fn row_major(&self) -> (&[f32], usize) {
        (self.as_flattened(), N)
    }
}

impl<const N: usize, const M: usize> Rows for [[f32; N]; M] {
    fn row_major(&self) -> (&[f32], usize) {
        (self.as_flattened(), N)
    }
}

impl<const N: usize> Rows for Vec<[f32; N]> {
    fn row_major(&self) -> (&[f32], usize) {
        (self.as_flattened(), N)
    }
}

impl<const N: usize> Rows for [f32; N] {
    fn row_major(&self) -> (&[f32], usize) {
        (self, N)
    }
}

/// A row-major buffer with an explicit width (`data.len()` must be a multiple of it).
#[derive(Debug, Clone, Copy)]
pub struct RowMajor<'a> {
    data: &'a [f32],
    width: usize,
}

impl<'a> RowMajor<'a> {
    /// `data` holds rows of `width` values each.
    pub fn new(data: &'a [f32], width: usize) -> Self {
        Self { data, width }
    }

    /// One row.
    pub fn row(data: &'a [f32]) -> Self {
        Self {
            data,
            width: data.len(),
        }
    }
}

impl Rows for RowMajor<'_> {
    fn row_major(&self) -> (&[f32], usize) {
        (self.data, self.width)
    }
}

/// What a prediction request can get wrong.
#[derive(Debug, Error)]
pub enum PredictError {
    /// The model file could not be read.
    #[error(transparent)]
    ModelFile(#[from] ModelFileError),
    /// Rows of the wrong width.
    #[error("rows have {got} features, but the model takes {expected}")]
    FeatureCount {
        /// Features the model takes.
        expected: usize,
        /// Values per row given.
        got: usize,
    },
    /// The buffer does not hold whole rows.
    #[error("{len} values do not make rows of {width}")]
    Ragged {
        /// Values given.
        len: usize,
        /// Row width given.
        width: usize,
    },
    /// A feature is NaN or infinite.
    #[error("row {row}, feature {column} is {value}: features must be finite")]
    NotFinite {
        /// Row (0-based).
        row: usize,
        /// Feature (0-based).
        column: usize,
        /// The value.
        value: f32,
    },
    /// Probabilities or classes asked of a regressor.
    #[error("a {0} predicts values, not classes")]
    NotAClassifier(&'static str),
    /// Probabilities asked of a clustering.
    #[error("a {0} predicts clusters, not classes")]
    NotClasses(&'static str),
    /// Values asked of a classifier.
    #[error("a {0} predicts classes, not values")]
    NotARegressor(&'static str),
    /// The backend failed.
    #[error("device: {0}")]
    Device(String),
    /// The model failed.
    #[error(transparent)]
    Model(#[from] FitError),
}

/// A prediction: values for a regressor, class indices for a classifier, cluster indices for a
/// clustering.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// `rows × n_outputs` values, row-major.
    Values {
        /// The values.
        values: Vec<f32>,
        /// Targets per row.
        n_outputs: usize,
    },
    /// One class index per row ([`Predictor::classes`] names them).
    Classes(Vec<usize>),
    /// One cluster index per row (the nearest centre).
    Clusters(Vec<usize>),
}

/// A trained model ready to predict: preprocessing, model and output mapping in one value.
/// `Send + Sync`: share it (e.g. in an `Arc`) between threads serving requests.
///
/// On the flex backend the first one-row request to an MLP makes a second copy of its weights,
/// stored `[out, in]`, which single rows then go through (gemm's faster kernel for one row);
/// requests of two rows or more use the weights as trained.
///
/// ```
/// use burn::tensor::Device;
/// use ember::model_file::ModelFile;
/// use ember::models::logistic::LogisticRegressionConfig;
/// use ember::predictor::{Prediction, Predictor};
///
/// let iris = ember::data::load("iris")?;
/// let model = LogisticRegressionConfig::default().fit_dataset(&iris, &Device::flex())?;
/// let bytes = ModelFile::new(model.into(), None, &iris, None).to_bytes()?;
///
/// let predictor = Predictor::from_bytes(&bytes)?;
/// let p = predictor.predict(&[[5.1f32, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]])?;
/// assert_eq!(p, Prediction::Classes(vec![0, 2]));
/// assert_eq!(predictor.classes().unwrap()[2], "virginica");
/// assert!(predictor.predict(&[[1.0f32, 2.0]]).is_err()); // two features, not four
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Predictor {
    file: ModelFile,
    device: Device,
    /// The scaler as `x · scale + offset` per feature, in `f32`.
    input: Option<(Vec<f32>, Vec<f32>)>,
}

impl Predictor {
    /// A model file's bytes, on the CPU backend.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PredictError> {
        Self::from_bytes_on(bytes, &cpu())
    }

    /// A model file's bytes, on `device`.
    pub fn from_bytes_on(bytes: &[u8], device: &Device) -> Result<Self, PredictError> {
        Self::new(ModelFile::from_bytes(bytes, device)?, device)
    }

    /// Reads a model file, on the CPU backend.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, PredictError> {
        Self::load_on(path, &cpu())
    }

    /// Reads a model file, on `device`.
    pub fn load_on(path: impl AsRef<Path>, device: &Device) -> Result<Self, PredictError> {
        Self::new(ModelFile::load(path, device)?, device)
    }

    fn new(file: ModelFile, device: &Device) -> Result<Self, PredictError> {
        let input = match &file.scaler {
            None => None,
            Some(scaler) => {
                let (a, b) = scaler
                    .affine(file.model.n_features())
                    .map_err(|e| ModelFileError::Corrupt(format!("scaler: {e}")))?;
                let f32s = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect();
                Some((f32s(a), f32s(b)))
            }
        };
        Ok(Self {
            file,
            device: device.clone(),
            input,
        })
    }

    /// The model file behind it (model, scaler, names).
    pub fn model_file(&self) -> &ModelFile {
        &self.file
    }

    /// Features a row must have.
    pub fn n_features(&self) -> usize {
        self.file.model.n_features()
    }

    /// Feature names, in order (empty when the training data had none).
    pub fn feature_names(&self) -> &[String] {
        &self.file.feature_names
    }

    /// Class names of a classifier trained on named classes.
    pub fn classes(&self) -> Option<&[String]> {
        self.file.model.labels().map(|l| l.classes())
    }

    /// Whether it predicts classes.
    pub fn is_classifier(&self) -> bool {
        self.file.model.is_classifier()
    }

    /// Predictions for `rows`, through the model's own code: values for a regressor, class
    /// indices for a classifier, the nearest centre for a clustering.
    pub fn predict<R: Rows + ?Sized>(&self, rows: &R) -> Result<Prediction, PredictError> {
        let x = self.prepare(rows)?;
        let prediction = self.file.model.predict_typed(x).map_err(model_error)?;
        Ok(match prediction {
            ModelPrediction::Classes(c) => Prediction::Classes(c),
            ModelPrediction::Clusters(c) => Prediction::Clusters(c),
            ModelPrediction::Values(v) => Prediction::Values {
                n_outputs: v.n_cols(),
                values: f32s(v.as_slice()),
            },
        })
    }

    /// Class probabilities, `rows × classes`, row-major; an error for a regressor or a
    /// clustering.
    pub fn predict_proba<R: Rows + ?Sized>(&self, rows: &R) -> Result<Vec<f32>, PredictError> {
        let kind = self.file.model.kind();
        match self.file.model.task() {
            Task::Classification => {}
            Task::Clustering => return Err(PredictError::NotClasses(kind)),
            Task::Regression => return Err(PredictError::NotAClassifier(kind)),
        }
        let x = self.prepare(rows)?;
        let proba = self.file.model.probabilities(x).map_err(model_error)?;
        Ok(f32s(proba.as_slice()))
    }

    /// Raw features `[rows, features]` on this predictor's device to outputs on it: values for a
    /// regressor, class probabilities for a classifier, squared distances to the centres for a
    /// clustering.
    pub fn predict_tensor(&self, x: Tensor<2>) -> Result<Tensor<2>, PredictError> {
        let [n, d] = x.dims();
        let values: Vec<f32> = ember_core::read_back(x).map_err(|e| PredictError::Device(e.0))?;
        let rows = RowMajor::new(&values, d);
        let out = if self.is_classifier() {
            self.predict_proba(&rows)?
        } else {
            let x = self.prepare(&rows)?;
            f32s(self.file.model.outputs(x).map_err(model_error)?.as_slice())
        };
        let width = out.len() / n.max(1);
        Ok(Tensor::from_data(
            TensorData::new(out, [n, width]),
            &self.device,
        ))
    }

    /// Checked, scaled features in a fresh matrix.
    fn prepare<R: Rows + ?Sized>(&self, rows: &R) -> Result<Matrix<f32>, PredictError> {
        let (data, width) = rows.row_major();
        let d = self.n_features();
        if width != d {
            return Err(PredictError::FeatureCount {
                expected: d,
                got: width,
            });
        }
        if d == 0 || data.len() % d != 0 {
            return Err(PredictError::Ragged {
                len: data.len(),
                width,
            });
        }
        let x =
            copy_checked(data, d, self.input.as_ref()).map_err(|i| PredictError::NotFinite {
                row: i / d,
                column: i % d,
                value: data[i],
            })?;
        Matrix::new(data.len() / d, d, x).map_err(|e| model_error(e.into()))
    }
}

/// Values per task when a batch is checked and copied across the thread pool: a one-row
/// request stays on the caller's thread, a large batch is split so both cores share the pass.
const VALUES_PER_TASK: usize = 1 << 16;

/// `data` (rows of `d` features) copied through the scaler `x · scale + offset` when there is
/// one, finiteness judged on the raw input; `Err` holds the index of the first value that is
/// not finite.
fn copy_checked(
    data: &[f32],
    d: usize,
    scaler: Option<&(Vec<f32>, Vec<f32>)>,
) -> Result<Vec<f32>, usize> {
    let task = (VALUES_PER_TASK / d).max(1) * d;
    let small = data.len() <= task;
    let (mut x, finite) = match small {
        true => (data.to_vec(), all_finite(data)),
        false => copy_parallel(data),
    };
    if !finite {
        return Err(data.iter().position(|v| !v.is_finite()).unwrap_or(0));
    }
    if let Some((scale, offset)) = scaler {
        let scale_rows = |rows: &mut [f32]| scale_rows(rows, d, scale, offset);
        match small {
            true => scale_rows(&mut x),
            false => x.par_chunks_mut(task).for_each(scale_rows),
        }
    }
    Ok(x)
}

/// A copy of `data` made across the thread pool, in blocks of 16 values collected straight into
/// the new buffer (no zeroing pass), and whether every value is finite.
fn copy_parallel(data: &[f32]) -> (Vec<f32>, bool) {
    const LANES: usize = 16;
    let bad = std::sync::atomic::AtomicBool::new(false);
    let blocks = data.chunks_exact(LANES);
    let rest = blocks.remainder();
    let mut x: Vec<[f32; LANES]> = Vec::with_capacity(data.len() / LANES + 1);
    data.par_chunks_exact(LANES)
        .with_min_len(VALUES_PER_TASK / LANES)
        .map(|block| {
            let mut out = [0.0; LANES];
            out.copy_from_slice(block);
            if !all_finite(&out) {
                bad.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            out
        })
        .collect_into_vec(&mut x);
    let mut x = x.into_flattened();
    x.extend_from_slice(rest);
    let finite = !bad.into_inner() && all_finite(rest);
    (x, finite)
}

/// Whether every value is finite, in one branch-free pass (it vectorises).
fn all_finite(values: &[f32]) -> bool {
    !values.iter().fold(false, |bad, v| bad | !v.is_finite())
}

/// Rows of `d` features mapped in place to `x · scale + offset`.
fn scale_rows(rows: &mut [f32], d: usize, scale: &[f32], offset: &[f32]) {
    for row in rows.chunks_mut(d) {
        for ((v, a), b) in row.iter_mut().zip(scale).zip(offset) {
            *v = *v * a + b;
        }
    }
}

/// `f64` values rounded to `f32`.
fn f32s(values: &[f64]) -> Vec<f32> {
    values.iter().map(|&v| v as f32).collect()
}

/// A model's error as the Predictor reports it: the backend's failures as [`PredictError::Device`].
fn model_error(e: FitError) -> PredictError {
    match e {
        FitError::Device(m) | FitError::Train(TrainError::Device(m)) => PredictError::Device(m),
        other => PredictError::Model(other),
    }
}

/// The CPU backend compiled in (flex, else ndarray).
fn cpu() -> Device {
    crate::DeviceChoice::Flex
        .device()
        .or_else(|_| crate::DeviceChoice::Ndarray.device())
        .unwrap_or_default()
}
