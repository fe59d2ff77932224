//! ember's Adam and AdamW: burn's, with the moments kept out of the subnormal floats
//! ([`crate::subnormal`]) and, on flex, the whole step done in one pass (`crate::flex_adam`).
//! The state is burn's own (`AdamState`, `AdamWState`): checkpoints are burn's.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{
    Adam, AdamConfig, AdamState, AdamW, AdamWConfig, AdamWState, LearningRate, Optimizer,
};
use burn::tensor::{Device, Tensor};

use crate::subnormal::NoSubnormals;

/// burn's Adam or AdamW (flushed), with the hyper-parameters the one-pass step reads.
#[derive(Clone)]
pub(crate) struct EmberAdam<O> {
    pub burn: NoSubnormals<O>,
    #[cfg_attr(not(feature = "flex"), allow(dead_code))]
    pub hyper: AdamHyper,
}

/// What the one-pass step needs of an Adam or AdamW (burn keeps its fields private).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "flex"), allow(dead_code))]
pub(crate) struct AdamHyper {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
    pub decay: Decay,
}

impl AdamHyper {
    /// burn's Adam with these settings (AdamW's decoupled decay has no place in it).
    pub fn adam(&self) -> Adam {
        let l2 = match self.decay {
            Decay::L2(penalty) => Some(WeightDecayConfig::new(penalty)),
            _ => None,
        };
        AdamConfig::new()
            .with_beta_1(self.beta_1)
            .with_beta_2(self.beta_2)
            .with_epsilon(self.epsilon)
            .with_weight_decay(l2)
            .build()
    }

    /// burn's AdamW with these settings (a decay other than decoupled is none).
    pub fn adam_w(&self) -> AdamW {
        let rate = match self.decay {
            Decay::Decoupled(rate) => rate,
            _ => 0.0,
        };
        AdamWConfig::new()
            .with_beta_1(self.beta_1)
            .with_beta_2(self.beta_2)
            .with_epsilon(self.epsilon)
            .with_weight_decay(rate)
            .build()
    }
}

/// How the weight decay enters the step.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(feature = "flex"), allow(dead_code))]
pub(crate) enum Decay {
    None,
    /// Adam's: `penalty · weight` added to the gradient.
    L2(f32),
    /// AdamW's: the weight times `1 − lr · rate` before the update.
    Decoupled(f32),
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
