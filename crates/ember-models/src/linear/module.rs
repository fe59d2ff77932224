//! The burn module behind every linear model: one `Linear` layer.

use burn::config::Config;
use burn::module::{Module, Param};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor, TensorData};
use ember_data::Matrix;

/// Shape of a [`LinearModel`]: what is needed to build one before loading its weights.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use ember_models::linear::LinearModelConfig;
///
/// let model = LinearModelConfig::new(3, 2).init(&Device::flex());
/// let out = model.forward(Tensor::<2>::zeros([5, 3], &Device::flex()));
/// assert_eq!(out.dims(), [5, 2]);
/// ```
#[derive(Config, Debug, PartialEq)]
pub struct LinearModelConfig {
    /// Number of input features.
    pub n_features: usize,
    /// Number of outputs.
    pub n_targets: usize,
    /// Whether the layer has a bias (the intercept).
    #[config(default = true)]
    pub bias: bool,
}

impl LinearModelConfig {
    /// A model with zero weights on `device`.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// let model = ember_models::linear::LinearModelConfig::new(1, 1).with_bias(false).init(&Device::flex());
    /// assert!(model.linear.bias.is_none());
    /// ```
    pub fn init(&self, device: &Device) -> LinearModel {
        LinearModel {
            linear: LinearConfig::new(self.n_features, self.n_targets)
                .with_bias(self.bias)
                .with_initializer(Initializer::Zeros)
                .init(device),
        }
    }
}

/// `y = x·W + b` as a burn module: what the fitted [`LinearRegression`](super::LinearRegression)
/// runs on a device, and what gradient descent trains.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// use ember_models::linear::LinearModelConfig;
///
/// let model = LinearModelConfig::new(2, 1).init(&Device::flex());
/// let y = model.forward(Tensor::<2>::ones([4, 2], &Device::flex()));
/// assert_eq!(y.dims(), [4, 1]);
/// ```
#[derive(Module, Debug)]
pub struct LinearModel {
    /// The layer: weight `[features, targets]`, bias `[targets]`.
    pub linear: Linear,
}

impl LinearModel {
    /// Predictions for a batch `[rows, features]` → `[rows, targets]`.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// let model = ember_models::linear::LinearModelConfig::new(2, 3).init(&Device::flex());
    /// assert_eq!(model.forward(Tensor::<2>::zeros([1, 2], &Device::flex())).dims(), [1, 3]);
    /// ```
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.linear.forward(x)
    }

    /// A model holding the given coefficients (`targets × features`) and intercepts.
    pub(super) fn from_coefficients(
        coef: &Matrix,
        intercept: Option<&[f64]>,
        device: &Device,
    ) -> Self {
        let (k, d) = coef.shape();
        let weight: Vec<f32> = (0..d * k).map(|i| coef.get(i % k, i / k) as f32).collect();
        let weight = Tensor::from_data(TensorData::new(weight, [d, k]), device);
        let bias = intercept.map(|b| {
            let b: Vec<f32> = b.iter().map(|&v| v as f32).collect();
            Param::from_tensor(Tensor::from_data(TensorData::new(b, [k]), device))
        });
        Self {
            linear: Linear {
                weight: Param::from_tensor(weight),
                bias,
            },
        }
    }
}
