//! ember's Adam and AdamW: burn's, with the moments kept out of the subnormal floats
//! ([`crate::subnormal`]) and, on flex, the whole step done in one pass (`crate::flex_adam`).
//! The state is burn's own (`AdamState`, `AdamWState`): checkpoints are burn's.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{
    Adam, AdamConfig, AdamState, AdamW, AdamWConfig, AdamWState, LearningRate, Optimizer,
};
use burn::tensor::{Device, Tensor};

use crate::subnormal::NoSubnormals;

/// burn's Adam or AdamW (flushed), and the same settings for the one-pass step: both built
/// from one set of arguments by [`EmberAdam::adam`] or [`EmberAdam::adam_w`].
#[derive(Clone)]
pub(crate) struct EmberAdam<O> {
    burn: NoSubnormals<O>,
    #[cfg_attr(not(feature = "flex"), allow(dead_code))]
    hyper: AdamHyper,
}

/// The settings of an Adam or AdamW step (burn keeps its own fields private).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "flex"), allow(dead_code))]
pub(crate) struct AdamHyper {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
    pub rule: Rule,
}

/// Which of burn's two update formulas, with its weight decay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Rule {
    /// burn's Adam: `penalty · weight` added to the gradient (L2), when there is a penalty.
    Adam { l2: Option<f32> },
    /// burn's AdamW: the weight times `1 − lr · rate` before the update.
    AdamW { rate: f32 },
}

impl EmberAdam<Adam> {
    /// Adam with `betas`, `epsilon` and an optional L2 `penalty`.
    pub fn adam(betas: (f32, f32), epsilon: f32, penalty: Option<f32>) -> Self {
        let burn = AdamConfig::new()
            .with_beta_1(betas.0)
            .with_beta_2(betas.1)
            .with_epsilon(epsilon)
            .with_weight_decay(penalty.map(WeightDecayConfig::new))
            .build();
        let rule = Rule::Adam { l2: penalty };
        Self::new(NoSubnormals(burn), betas, epsilon, rule)
    }
}

impl EmberAdam<AdamW> {
    /// AdamW with `betas`, `epsilon` and the decoupled decay `rate` (0 for none).
    pub fn adam_w(betas: (f32, f32), epsilon: f32, rate: f32) -> Self {
        let burn = AdamWConfig::new()
            .with_beta_1(betas.0)
            .with_beta_2(betas.1)
            .with_epsilon(epsilon)
            .with_weight_decay(rate)
            .build();
        Self::new(NoSubnormals(burn), betas, epsilon, Rule::AdamW { rate })
    }
}

impl<O> EmberAdam<O> {
    fn new(burn: NoSubnormals<O>, betas: (f32, f32), epsilon: f32, rule: Rule) -> Self {
        let (beta_1, beta_2) = betas;
        let hyper = AdamHyper {
            beta_1,
            beta_2,
            epsilon,
            rule,
        };
        Self { burn, hyper }
    }
}

/// `Optimizer` for `EmberAdam<$optimizer>`: the one-pass step where it applies, else
/// [`NoSubnormals`]' step.
macro_rules! ember_adam {
    ($optimizer:ty, $state:ident) => {
        impl Optimizer for EmberAdam<$optimizer> {
            type State<const D: usize> = $state<D>;

            fn step<const D: usize>(
                &self,
                lr: LearningRate,
                tensor: Tensor<D>,
                grad: Tensor<D>,
                state: Option<Self::State<D>>,
            ) -> (Tensor<D>, Option<Self::State<D>>) {
                #[cfg(feature = "flex")]
                let momentum = state.map(|s| s.momentum);
                #[cfg(feature = "flex")]
                let (tensor, grad, state) =
                    match crate::flex_adam::step(&self.hyper, lr, tensor, grad, momentum) {
                        Ok((tensor, momentum)) => return (tensor, Some($state::new(momentum))),
                        Err(inputs) => {
                            let (tensor, grad, momentum) = *inputs;
                            (tensor, grad, momentum.map($state::new))
                        }
                    };
                self.burn.step(lr, tensor, grad, state)
            }

            fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
                <$optimizer as Optimizer>::to_device(state, device)
            }
        }
    };
}

ember_adam!(Adam, AdamState);
ember_adam!(AdamW, AdamWState);

#[cfg(test)]
mod tests {
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::{GradientsParams, ModuleOptimizer};
    use burn::tensor::{Distribution, activation::relu};

    use super::*;
    use crate::OptimizerConfig;

    /// 130 steps (two flushes) of a 61 → 17 linear layer under `optimizer`, a ReLU loss leaving
    /// some units without gradient: the final weights' bits.
    fn trained(mut optimizer: ModuleOptimizer) -> Vec<u32> {
        let device = Device::flex().autodiff();
        device.seed(7);
        let mut model: Linear = LinearConfig::new(61, 17).init(&device);
        let x = Tensor::<2>::random([32, 61], Distribution::Normal(0.0, 1.0), &device);
        for _ in 0..130 {
            let loss = relu(model.forward(x.clone())).square().mean();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(1e-2, model, grads);
        }
        let weights = model.weight.val().into_data().try_to_vec::<f32>().unwrap();
        weights.iter().map(|w| w.to_bits()).collect()
    }

    /// How many of two runs' weights differ in their bits.
    fn differ(ours: ModuleOptimizer, burns: ModuleOptimizer) -> usize {
        let (ours, burns) = (trained(ours), trained(burns));
        ours.iter().zip(&burns).filter(|(a, b)| a != b).count()
    }

    #[test]
    fn ember_adam_and_adamw_train_to_the_bits_of_burns_own() {
        let epsilon = 1e-8;
        for decay in [0.0, 0.01] {
            let (beta1, beta2) = (0.9, 0.999);
            let adam = OptimizerConfig::Adam {
                beta1,
                beta2,
                epsilon,
            };
            let l2 = (decay > 0.0).then(|| WeightDecayConfig::new(decay as f32));
            let burn = AdamConfig::new()
                .with_epsilon(epsilon as f32)
                .with_weight_decay(l2);
            assert_eq!(
                differ(adam.build(decay, None), burn.init()),
                0,
                "Adam, {decay}"
            );
            let adam_w = OptimizerConfig::AdamW {
                beta1,
                beta2,
                epsilon,
            };
            let burn = AdamWConfig::new()
                .with_epsilon(epsilon as f32)
                .with_weight_decay(decay as f32);
            assert_eq!(
                differ(adam_w.build(decay, None), burn.init()),
                0,
                "AdamW, {decay}"
            );
        }
    }
}
