//! Multilayer perceptrons: the [`Mlp`] burn module and two estimators on it,
//! [`MlpRegressorConfig`] → [`MlpRegressor`] and [`MlpClassifierConfig`] → [`MlpClassifier`],
//! trained by [`ember_train`]'s loop.
//!
//! ```
//! use burn::tensor::Device;
//! use ember_models::mlp::MlpClassifierConfig;
//! use ember_train::{RunOptions, TrainConfig};
//!
//! let data = ember_data::load("iris")?;
//! let config = MlpClassifierConfig {
//!     hidden: vec![8],
//!     train: TrainConfig { epochs: 5, ..Default::default() },
//!     run: RunOptions::quiet(),
//!     ..Default::default()
//! };
//! let model = config.fit_dataset(&data, None, &Device::flex())?;
//! assert_eq!(model.n_iter(), 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod classifier;
mod module;
mod one_row;
mod regressor;

pub use classifier::{MlpClassifier, MlpClassifierConfig, MlpClassifierState};
pub use module::{Activation, Mlp, MlpConfig, WeightInit};
pub use regressor::{MlpRegressor, MlpRegressorConfig, MlpRegressorState};

use std::borrow::Cow;
use std::sync::OnceLock;

use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};
use ember_core::Problems;
use ember_data::{DataError, Dataset, Matrix, Scalar};
use ember_train::{BatchSource, History, MatrixBatch, Objective, RunOptions, TrainConfig};

use crate::FitError;
use crate::contract::{Export, Features, NamedTensor, Precision, Step};

/// A trained network and how its training went: what both estimators hold.
#[derive(Debug)]
pub(crate) struct Trained {
    pub shape: MlpConfig,
    pub module: Mlp,
    pub history: History,
    pub epoch: usize,
    device: Device,
    /// Whether one-row requests take a copy laid out for them (on flex: [`one_row`]).
    one_row_layout: bool,
    /// That copy, made on the first one-row request.
    one_row: OnceLock<Mlp>,
}

impl Trained {
    /// Trains a network of `shape` on `objective` with the loop of `ember_train`.
    pub fn train<T: Scalar>(
        shape: MlpConfig,
        objective: Objective,
        data: &Dataset<T>,
        valid: Option<&Dataset<T>>,
        config: &TrainConfig,
        run: &RunOptions,
        device: &Device,
    ) -> Result<Self, FitError> {
        let trained = ember_train::train(
            |d| shape.init(d),
            objective,
            data,
            valid,
            config,
            run,
            device,
        )?;
        Ok(Self::from_loop(shape, trained, device))
    }

    /// Trains a network of `shape` on batches from any source (a row file on disk, some rows
    /// of one), with the same loop.
    pub fn train_on(
        shape: MlpConfig,
        objective: Objective,
        data: &dyn BatchSource<MatrixBatch>,
        valid: Option<&dyn BatchSource<MatrixBatch>>,
        config: &TrainConfig,
        run: &RunOptions,
        device: &Device,
    ) -> Result<Self, FitError> {
        let trained = ember_train::train_on(
            |d| shape.init(d),
            objective,
            data,
            valid,
            config,
            run,
            device,
        )?;
        Ok(Self::from_loop(shape, trained, device))
    }

    fn from_loop(shape: MlpConfig, trained: ember_train::Trained<Mlp>, device: &Device) -> Self {
        Self {
            shape,
            module: trained.model,
            history: trained.history,
            epoch: trained.epoch,
            device: device.clone(),
            one_row_layout: ember_core::is_flex(device),
            one_row: OnceLock::new(),
        }
    }

    /// A trained network restored from its shape and weights (burnpack bytes), with no history.
    pub fn restore(shape: MlpConfig, weights: &[u8], device: &Device) -> Result<Self, FitError> {
        let bad = |e: String| FitError::Weights(e);
        if let Some(p) = shape_problems(&shape.hidden, shape.dropout).first() {
            return Err(p.into());
        }
        // The network is allocated before its weights are read: its size must be one the
        // weights can fill (4 bytes a parameter), so a damaged shape cannot ask for terabytes.
        let sizes: Vec<usize> = std::iter::once(shape.n_inputs)
            .chain(shape.hidden.iter().copied())
            .chain(std::iter::once(shape.n_outputs))
            .collect();
        let params = sizes.windows(2).try_fold(0usize, |acc, w| {
            w[0].checked_mul(w[1])
                .and_then(|m| m.checked_add(w[1]))
                .and_then(|layer| acc.checked_add(layer))
        });
        match params {
            Some(p)
                if shape.n_inputs > 0
                    && shape.n_outputs > 0
                    && p.saturating_mul(4) <= weights.len() => {}
            _ => {
                return Err(bad(format!(
                    "{} bytes of weights cannot hold a network of layers {sizes:?}",
                    weights.len()
                )));
            }
        }
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(weights.to_vec()))
            .map_err(|e| bad(e.to_string()))?;
        let module = shape
            .init(device)
            .try_load_record(record)
            .map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            shape,
            module,
            history: History::default(),
            epoch: 0,
            device: device.clone(),
            one_row_layout: ember_core::is_flex(device),
            one_row: OnceLock::new(),
        })
    }

    /// The weights as burnpack bytes.
    pub fn weights(&self) -> Result<Vec<u8>, FitError> {
        let bytes = self
            .module
            .clone()
            .into_record()
            .into_bytes()
            .map_err(|e| FitError::Weights(e.to_string()))?;
        Ok(bytes.to_vec())
    }

    /// The network's raw outputs for `x` (row-major), after checking its number of features.
    pub fn outputs<T: Scalar>(&self, x: &Matrix<T>) -> Result<Vec<f32>, FitError> {
        check_features(x, self.shape.n_inputs)?;
        self.run_converted(x)
    }

    /// The network's raw outputs for any [`Features`] (owned `f32` rows without a copy).
    pub fn outputs_of(&self, x: Features<'_>) -> Result<Vec<f32>, FitError> {
        x.check_width(self.shape.n_inputs)?;
        match x {
            Features::F32(Cow::Owned(x)) => self.run(x),
            Features::F32(Cow::Borrowed(x)) => self.run_converted(x),
            Features::F64(x) => self.run_converted(&x),
        }
    }

    /// The outputs for rows converted to `f32` one scoring batch at a time, so that scoring a
    /// large `f64` set never holds a second copy of all its rows.
    fn run_converted<T: Scalar>(&self, x: &Matrix<T>) -> Result<Vec<f32>, FitError> {
        let d = x.n_cols();
        let network = self.network_for(x.n_rows())?;
        let mut out = Vec::new();
        for rows in x.as_slice().chunks(ember_train::EVAL_BATCH * d.max(1)) {
            let batch = rows
                .iter()
                .map(|v| f32::from_f64(v.to_f64()))
                .collect::<Vec<_>>();
            out.extend(ember_train::outputs(network, batch, d, &self.device)?);
        }
        Ok(out)
    }

    fn run(&self, x: Matrix<f32>) -> Result<Vec<f32>, FitError> {
        let (n, d) = x.shape();
        let network = self.network_for(n)?;
        Ok(ember_train::outputs(
            network,
            x.into_vec(),
            d,
            &self.device,
        )?)
    }

    /// The network to run a request of `rows` rows through: on flex, a one-row request goes
    /// through the copy laid out for it ([`one_row`]), made on first use.
    fn network_for(&self, rows: usize) -> Result<&Mlp, FitError> {
        if rows != 1 || !self.one_row_layout {
            return Ok(&self.module);
        }
        if let Some(network) = self.one_row.get() {
            return Ok(network);
        }
        let copy = one_row::one_row_copy(&self.module, &self.device)?;
        Ok(self.one_row.get_or_init(|| copy))
    }

    /// The network as steps: each layer's affine map (in `f32`) and the activation between.
    pub fn steps(&self) -> Result<Vec<Step>, FitError> {
        let mut steps = Vec::new();
        let n = self.module.layers.len();
        for (i, layer) in self.module.layers.iter().enumerate() {
            let weight = layer.weight.val();
            let [inputs, outputs] = weight.dims();
            let w: Vec<f32> = ember_core::read_back(weight.transpose())?;
            let bias = match &layer.bias {
                Some(b) => ember_core::read_back::<f32, 1, _>(b.val())?,
                None => vec![0.0; outputs],
            };
            steps.push(Step::Affine {
                weight: Matrix::new(outputs, inputs, w.into_iter().map(f64::from).collect())?,
                bias: bias.into_iter().map(f64::from).collect(),
                precision: Precision::F32,
            });
            if i + 1 < n {
                steps.push(Step::Activation(self.shape.activation.name()));
            }
        }
        Ok(steps)
    }

    /// The layers as `layers.{i}.weight` (`[out, in]`, PyTorch's `nn.Linear` layout) and
    /// `layers.{i}.bias`, and the activation as metadata.
    pub fn export(&self) -> Result<Export, FitError> {
        let mut tensors = Vec::new();
        for (i, layer) in self.module.layers.iter().enumerate() {
            // burn stores [in, out]; PyTorch's nn.Linear holds [out, in].
            let weight = layer.weight.val();
            let [inputs, outputs] = weight.dims();
            let w = ember_core::read_back(weight.transpose())?;
            tensors.push(NamedTensor::f32(
                format!("layers.{i}.weight"),
                vec![outputs, inputs],
                w,
            ));
            if let Some(bias) = &layer.bias {
                let b = ember_core::read_back(bias.val())?;
                tensors.push(NamedTensor::f32(
                    format!("layers.{i}.bias"),
                    vec![outputs],
                    b,
                ));
            }
        }
        Ok(Export {
            tensors,
            metadata: vec![("activation".into(), self.shape.activation.name().into())],
        })
    }
}

/// The network an estimator trains: its layer sizes, with the dropout probability checked.
pub(crate) fn network(
    n_inputs: usize,
    hidden: &[usize],
    n_outputs: usize,
    activation: Activation,
    dropout: f64,
    init: WeightInit,
) -> Result<MlpConfig, FitError> {
    if let Some(p) = shape_problems(hidden, dropout).first() {
        return Err(p.into());
    }
    Ok(MlpConfig::new(n_inputs, hidden.to_vec(), n_outputs)
        .with_activation(activation)
        .with_dropout(dropout)
        .with_init(init))
}

/// What is wrong with the shape settings both estimators share.
pub(crate) fn shape_problems(hidden: &[usize], dropout: f64) -> Problems {
    let mut p = Problems::default();
    if let Some(i) = hidden.iter().position(|&h| h == 0) {
        p.push(format!("hidden[{i}]"), "a layer needs at least 1 unit");
    }
    p.unit_interval("dropout", dropout);
    p
}

/// An error unless `x` has the `expected` number of columns.
pub(crate) fn check_features<T: Scalar>(x: &Matrix<T>, expected: usize) -> Result<(), FitError> {
    if x.n_cols() != expected {
        return Err(FitError::FeatureCount {
            expected,
            got: x.n_cols(),
        });
    }
    Ok(())
}

/// A data set of features `x` and class indices `y`.
pub(crate) fn class_dataset<T: Scalar>(x: &Matrix<T>, y: &[usize]) -> Result<Dataset<T>, FitError> {
    if x.n_rows() != y.len() {
        return Err(DataError::Mismatch {
            what: "rows of X vs class labels",
            left: x.n_rows(),
            right: y.len(),
        }
        .into());
    }
    let y = Matrix::new(
        y.len(),
        1,
        y.iter().map(|&c| T::from_f64(c as f64)).collect(),
    )?;
    Ok(Dataset::new(x.clone(), y)?)
}
