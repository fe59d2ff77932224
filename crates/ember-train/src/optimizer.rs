//! The optimizers: SGD (momentum, Nesterov), Adam, AdamW and RMSProp, built on burn's.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{ModuleOptimizer, RmsPropConfig, SgdConfig};
use serde::{Deserialize, Serialize};

use ember_core::Problems;

use crate::TrainError;
use crate::adam::EmberAdam;

/// Which optimizer, with its settings. The defaults are PyTorch's (`torch.optim`).
///
/// In a config file the optimizer is named by `name`:
///
/// ```
/// use ember_train::OptimizerConfig;
///
/// let sgd: OptimizerConfig = serde_json::from_str(r#"{"name": "sgd", "momentum": 0.9, "nesterov": true}"#)?;
/// assert_eq!(sgd, OptimizerConfig::Sgd { momentum: 0.9, dampening: 0.0, nesterov: true });
/// let adam: OptimizerConfig = serde_json::from_str(r#"{"name": "adam"}"#)?;
/// assert_eq!(adam, OptimizerConfig::adam());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum OptimizerConfig {
    /// Stochastic gradient descent, with optional (heavy-ball or Nesterov) momentum.
    Sgd {
        /// Momentum factor (0: plain SGD).
        #[serde(default)]
        momentum: f64,
        /// Dampening of the momentum.
        #[serde(default)]
        dampening: f64,
        /// Nesterov momentum (needs `momentum > 0` and `dampening = 0`).
        #[serde(default)]
        nesterov: bool,
    },
    /// Adam (Kingma & Ba, 2015); `weight_decay` is added to the gradient (L2), as in PyTorch.
    Adam {
        /// Decay of the first-moment estimate.
        #[serde(default = "beta1")]
        beta1: f64,
        /// Decay of the second-moment estimate.
        #[serde(default = "beta2")]
        beta2: f64,
        /// Added to the denominator for stability.
        #[serde(default = "epsilon")]
        epsilon: f64,
    },
    /// AdamW (Loshchilov & Hutter, 2019): weight decay decoupled from the gradient.
    #[serde(rename = "adamw")]
    AdamW {
        /// Decay of the first-moment estimate.
        #[serde(default = "beta1")]
        beta1: f64,
        /// Decay of the second-moment estimate.
        #[serde(default = "beta2")]
        beta2: f64,
        /// Added to the denominator for stability.
        #[serde(default = "epsilon")]
        epsilon: f64,
    },
    /// RMSProp (Hinton, 2012).
    #[serde(rename = "rmsprop")]
    RmsProp {
        /// Smoothing constant of the squared-gradient average.
        #[serde(default = "alpha")]
        alpha: f64,
        /// Added to the denominator for stability.
        #[serde(default = "epsilon")]
        epsilon: f64,
        /// Momentum factor.
        #[serde(default)]
        momentum: f64,
        /// Normalise by the gradient's estimated variance instead of its second moment.
        #[serde(default)]
        centered: bool,
    },
}

fn beta1() -> f64 {
    0.9
}
fn beta2() -> f64 {
    0.999
}
fn epsilon() -> f64 {
    1e-8
}
fn alpha() -> f64 {
    0.99
}

impl Default for OptimizerConfig {
    /// Adam with PyTorch's defaults.
    fn default() -> Self {
        Self::adam()
    }
}

/// Gradient clipping, applied to each parameter tensor's gradient (burn's clipping: by the
/// tensor's own norm, not PyTorch's global norm over all parameters).
///
/// ```
/// use ember_train::GradClip;
/// let clip: GradClip = serde_json::from_str(r#"{"norm": 1.0}"#)?;
/// assert_eq!(clip, GradClip::Norm(1.0));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum GradClip {
    /// Scale each gradient tensor down to this L2 norm when it is larger.
    Norm(f64),
    /// Clamp every gradient component to `[-v, v]`.
    Value(f64),
}

impl OptimizerConfig {
    /// Adam with PyTorch's defaults (β = 0.9, 0.999, ε = 1e-8).
    ///
    /// ```
    /// assert!(matches!(ember_train::OptimizerConfig::adam(), ember_train::OptimizerConfig::Adam { .. }));
    /// ```
    pub fn adam() -> Self {
        Self::Adam {
            beta1: beta1(),
            beta2: beta2(),
            epsilon: epsilon(),
        }
    }

    /// SGD with `momentum` (0 for plain SGD).
    ///
    /// ```
    /// let sgd = ember_train::OptimizerConfig::sgd(0.9);
    /// assert!(matches!(sgd, ember_train::OptimizerConfig::Sgd { nesterov: false, .. }));
    /// ```
    pub fn sgd(momentum: f64) -> Self {
        Self::Sgd {
            momentum,
            dampening: 0.0,
            nesterov: false,
        }
    }

    /// Checks every setting; errors name the field (`optimizer.beta1`).
    ///
    /// ```
    /// let bad = ember_train::OptimizerConfig::Adam { beta1: 1.0, beta2: 0.999, epsilon: 1e-8 };
    /// assert_eq!(bad.validate().unwrap_err().to_string(), "invalid config `optimizer.beta1`: must be in [0, 1), got 1");
    /// ```
    pub fn validate(&self) -> Result<(), TrainError> {
        match self.problems().first() {
            Some(p) => Err(TrainError::config(
                format!("optimizer.{}", p.field),
                p.message,
            )),
            None => Ok(()),
        }
    }

    /// Every invalid setting, fields relative to the optimizer (`beta1`).
    ///
    /// ```
    /// let bad = ember_train::OptimizerConfig::Adam { beta1: 1.0, beta2: 2.0, epsilon: 1e-8 };
    /// assert_eq!(bad.problems().into_vec().len(), 2);
    /// ```
    pub fn problems(&self) -> Problems {
        let mut p = Problems::default();
        match *self {
            Self::Sgd {
                momentum,
                dampening,
                nesterov,
            } => {
                p.unit_interval("momentum", momentum);
                p.unit_interval("dampening", dampening);
                p.require(
                    !nesterov || (momentum > 0.0 && dampening == 0.0),
                    "nesterov",
                    || "Nesterov momentum needs momentum > 0 and dampening = 0".into(),
                );
            }
            Self::Adam {
                beta1,
                beta2,
                epsilon,
            }
            | Self::AdamW {
                beta1,
                beta2,
                epsilon,
            } => {
                p.unit_interval("beta1", beta1);
                p.unit_interval("beta2", beta2);
                p.positive("epsilon", epsilon);
            }
            Self::RmsProp {
                alpha,
                epsilon,
                momentum,
                ..
            } => {
                p.unit_interval("alpha", alpha);
                p.unit_interval("momentum", momentum);
                p.positive("epsilon", epsilon);
            }
        }
        p
    }

    /// The burn optimizer, with `weight_decay` (L2 added to the gradient; decoupled for AdamW)
    /// and optional gradient clipping. Adam and AdamW keep their moments out of the subnormal
    /// range ([`crate::subnormal`]) and step in one pass on flex (`crate::flex_adam`).
    pub(crate) fn build(&self, weight_decay: f64, clip: Option<GradClip>) -> ModuleOptimizer {
        let penalty = (weight_decay > 0.0).then_some(weight_decay as f32);
        let decay = penalty.map(WeightDecayConfig::new);
        let clipping = clip.map(|c| match c {
            GradClip::Norm(v) => GradientClippingConfig::Norm(v as f32),
            GradClip::Value(v) => GradientClippingConfig::Value(v as f32),
        });
        match *self {
            Self::Sgd {
                momentum,
                dampening,
                nesterov,
            } => SgdConfig::new()
                .with_weight_decay(decay)
                .with_momentum((momentum > 0.0).then(|| {
                    MomentumConfig::new()
                        .with_momentum(momentum)
                        .with_dampening(dampening)
                        .with_nesterov(nesterov)
                }))
                .with_gradient_clipping(clipping)
                .init(),
            Self::Adam {
                beta1,
                beta2,
                epsilon,
            } => {
                let betas = (beta1 as f32, beta2 as f32);
                let adam = EmberAdam::adam(betas, epsilon as f32, penalty);
                with_clipping(ModuleOptimizer::from(adam), clipping)
            }
            Self::AdamW {
                beta1,
                beta2,
                epsilon,
            } => {
                let betas = (beta1 as f32, beta2 as f32);
                let adam = EmberAdam::adam_w(betas, epsilon as f32, weight_decay as f32);
                with_clipping(ModuleOptimizer::from(adam), clipping)
            }
            Self::RmsProp {
                alpha,
                epsilon,
                momentum,
                centered,
            } => RmsPropConfig::new()
                .with_alpha(alpha as f32)
                .with_epsilon(epsilon as f32)
                .with_momentum(momentum as f32)
                .with_centered(centered)
                .with_weight_decay(decay)
                .with_grad_clipping(clipping)
                .init(),
        }
    }
}

/// `module` with `clipping`, if any.
fn with_clipping(
    module: ModuleOptimizer,
    clipping: Option<GradientClippingConfig>,
) -> ModuleOptimizer {
    match clipping {
        Some(c) => module.with_grad_clipping(c.init()),
        None => module,
    }
}
