//! The multilayer perceptron as a burn module.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Initializer, Linear, LinearConfig};
use burn::tensor::activation::{gelu, leaky_relu, relu, sigmoid, tanh};
use burn::tensor::{Device, Tensor};
use ember_train::Trainable;
use serde::{Deserialize, Serialize};

/// The non-linearity after each hidden layer.
///
/// ```
/// use ember_models::mlp::Activation;
/// let a: Activation = serde_json::from_str("\"leaky_relu\"").unwrap();
/// assert_eq!(a, Activation::LeakyRelu);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `max(0, x)`.
    Relu,
    /// Gaussian error linear unit (exact, with erf).
    Gelu,
    /// Hyperbolic tangent.
    Tanh,
    /// Logistic sigmoid.
    Sigmoid,
    /// `max(0.01·x, x)` (PyTorch's default slope).
    LeakyRelu,
}

impl Activation {
    /// The name, as in a config file (`leaky_relu`).
    ///
    /// ```
    /// assert_eq!(ember_models::mlp::Activation::LeakyRelu.name(), "leaky_relu");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Relu => "relu",
            Self::Gelu => "gelu",
            Self::Tanh => "tanh",
            Self::Sigmoid => "sigmoid",
            Self::LeakyRelu => "leaky_relu",
        }
    }

    fn apply(self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Self::Relu => relu(x),
            Self::Gelu => gelu(x),
            Self::Tanh => tanh(x),
            Self::Sigmoid => sigmoid(x),
            Self::LeakyRelu => leaky_relu(x, 0.01),
        }
    }
}

/// How the weights start.
///
/// ```
/// use ember_models::mlp::WeightInit;
/// assert_ne!(WeightInit::KaimingUniform, WeightInit::XavierUniform);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightInit {
    /// PyTorch's `nn.Linear` default: `U(−1/√fan_in, 1/√fan_in)`.
    KaimingUniform,
    /// He normal, `N(0, 2/fan_in)`, suited to ReLU.
    KaimingNormal,
    /// Glorot uniform, `U(±√(6/(fan_in + fan_out)))` (scikit-learn's MLP, Keras' default).
    XavierUniform,
}

impl WeightInit {
    fn initializer(self) -> Initializer {
        match self {
            Self::KaimingUniform => Initializer::KaimingUniform {
                gain: 1.0 / 3f64.sqrt(),
                fan_out_only: false,
            },
            Self::KaimingNormal => Initializer::KaimingNormal {
                gain: 2f64.sqrt(),
                fan_out_only: false,
            },
            Self::XavierUniform => Initializer::XavierUniform { gain: 1.0 },
        }
    }
}

/// The shape of an [`Mlp`]: layer sizes, activation, dropout and initialisation.
///
/// ```
/// use burn::module::Module;
/// use burn::tensor::{Device, Tensor};
/// use ember_models::mlp::{Activation, MlpConfig};
///
/// let device = Device::flex();
/// let mlp = MlpConfig::new(784, vec![256, 128], 10).with_activation(Activation::Gelu).init(&device);
/// assert_eq!(mlp.forward(Tensor::zeros([4, 784], &device)).dims(), [4, 10]);
/// assert_eq!(mlp.num_params(), 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
/// ```
#[derive(Config, Debug, PartialEq)]
pub struct MlpConfig {
    /// Input features.
    pub n_inputs: usize,
    /// Sizes of the hidden layers, any number of them (none: a linear model).
    pub hidden: Vec<usize>,
    /// Outputs.
    pub n_outputs: usize,
    /// Activation after each hidden layer.
    #[config(default = "Activation::Relu")]
    pub activation: Activation,
    /// Dropout probability after each hidden activation (training only).
    #[config(default = 0.0)]
    pub dropout: f64,
    /// Initialisation of weights and biases.
    #[config(default = "WeightInit::KaimingUniform")]
    pub init: WeightInit,
}

impl MlpConfig {
    /// A freshly initialised network on `device` (seed the device first for reproducible
    /// weights).
    ///
    /// ```
    /// use burn::module::Module;
    /// use burn::tensor::Device;
    /// let mlp = ember_models::mlp::MlpConfig::new(2, vec![], 1).init(&Device::flex());
    /// assert_eq!(mlp.num_params(), 3);
    /// ```
    pub fn init(&self, device: &Device) -> Mlp {
        let sizes: Vec<usize> = std::iter::once(self.n_inputs)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(self.n_outputs))
            .collect();
        let layers = sizes
            .windows(2)
            .map(|w| {
                LinearConfig::new(w[0], w[1])
                    .with_initializer(self.init.initializer())
                    .init(device)
            })
            .collect();
        Mlp {
            layers,
            dropout: DropoutConfig::new(self.dropout).init(),
            activation: self.activation,
        }
    }
}

/// A multilayer perceptron: linear layers with an activation (and dropout) between them.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// let mlp = ember_models::mlp::MlpConfig::new(3, vec![8], 2).init(&Device::flex());
/// assert_eq!(mlp.forward(Tensor::ones([5, 3], &Device::flex())).dims(), [5, 2]);
/// ```
#[derive(Module, Debug)]
pub struct Mlp {
    /// The layers, input first.
    pub layers: Vec<Linear>,
    dropout: Dropout,
    #[module(skip)]
    activation: Activation,
}

impl Mlp {
    /// Outputs (logits for a classifier) for a batch `[rows, inputs]`.
    ///
    /// ```
    /// use burn::tensor::{Device, Tensor};
    /// let mlp = ember_models::mlp::MlpConfig::new(1, vec![4, 4], 1).init(&Device::flex());
    /// assert_eq!(mlp.forward(Tensor::zeros([2, 1], &Device::flex())).dims(), [2, 1]);
    /// ```
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut x = x;
        for (i, layer) in self.layers.iter().enumerate() {
            x = layer.forward(x);
            if i < last {
                x = self.dropout.forward(self.activation.apply(x));
            }
        }
        x
    }
}

impl Trainable for Mlp {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        Mlp::forward(self, x)
    }
}
