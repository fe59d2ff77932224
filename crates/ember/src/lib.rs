//! ember: machine learning on [burn](https://burn.dev), the way scikit-learn and PyTorch users
//! expect it — correct to the last digit, fast, typed, and shippable in one binary.
//!
//! This crate re-exports the workspace's crates and picks the backend at run time through
//! [`DeviceChoice`]; everything below takes a `&Device`.
//!
//! ```
//! use ember::prelude::*;
//!
//! let device = DeviceChoice::Flex.device()?;
//! let data = ember::data::generators::seed_line(100, 42);
//! let model = LinearRegressionConfig::new().fit_dataset(&data, &device)?;
//! println!("y = {:.3} + {:.3}·x", model.intercept()[0], model.coef().get(0, 0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod device;
pub mod model_file;
pub mod onnx;
pub mod predictor;
mod safetensors;

pub use burn;
pub use device::{DeviceChoice, DeviceError, wgpu_adapter};
pub use ember_core as core;
pub use ember_data as data;
pub use ember_metrics as metrics;
pub use ember_models as models;
pub use ember_plot as plot;
pub use ember_train as train;

/// The names most programs need, in one import.
///
/// ```
/// use ember::prelude::*;
/// let _config = LinearRegressionConfig::new().with_solver(Solver::Lstsq);
/// ```
pub mod prelude {
    pub use crate::{DeviceChoice, DeviceError};
    pub use burn::tensor::{Device, Tensor};
    pub use ember_data::{DataError, Dataset, Matrix};
    pub use ember_models::FitError;
    pub use ember_models::linear::{
        GradientDescentConfig, LinearRegression, LinearRegressionConfig, Optimizer, Solver,
    };
    pub use ember_models::logistic::{LogisticRegression, LogisticRegressionConfig};
    pub use ember_models::mlp::{
        MlpClassifier, MlpClassifierConfig, MlpRegressor, MlpRegressorConfig,
    };
    pub use ember_train::{
        BatchSource, BatchTargets, Classification, DatasetSource, EarlyStopping, Metric,
        MetricInput, Objective, OptimizerConfig, Progress, Regression, RunOptions, Schedule,
        StepOutput, TargetValues, TrainConfig, TrainError, TrainStep, Trainer,
    };
}
