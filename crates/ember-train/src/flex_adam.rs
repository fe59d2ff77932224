//! Adam's and AdamW's step on burn's flex backend as one pass over each parameter.
//!
//! burn's step is thirteen tensor operations (`AdaptiveMomentum::transform`, then
//! `tensor - grad · lr`), each a pass over the parameter with its own buffer and thread-pool
//! round: for the MLP 784-256-128-10 of `benches/mlp.rs` that was 0.24 s of a 0.9 s epoch on a
//! 2-core Xeon (2026-12-04). Here the parameter, its gradient and both moments are read once and
//! written in place, with the same `f32` operations in the same order as burn's (so the same bits:
//! the tests run both side by side), and [`crate::subnormal`]'s flush done in the same pass.
//!
//! Only for `f32` tensors on flex without AMSGrad, from the second step on (the first makes the
//! moments): anything else returns its inputs for burn's own step.

use burn::optim::{AdaptiveMomentumState, LearningRate};
use burn::tensor::{DType, Tensor};
use burn_flex::{Flex, FlexTensor};

use crate::adam::{AdamHyper, Decay};
use crate::subnormal::{EVERY, FLOOR, FLOOR_2};

/// The step's inputs, handed back when they are not for this path.
pub(crate) type Inputs<const D: usize> = (Tensor<D>, Tensor<D>, Option<AdaptiveMomentumState<D>>);

/// The updated weights and moments, or the inputs untouched.
pub(crate) fn step<const D: usize>(
    hyper: &AdamHyper,
    lr: LearningRate,
    tensor: Tensor<D>,
    grad: Tensor<D>,
    state: Option<AdaptiveMomentumState<D>>,
) -> Result<(Tensor<D>, AdaptiveMomentumState<D>), Box<Inputs<D>>> {
    let Some(state) = state else {
        return Err(Box::new((tensor, grad, None)));
    };
    let shape = tensor.shape();
    let same = [grad.shape(), state.moment_1.shape(), state.moment_2.shape()]
        .iter()
        .all(|s| *s == shape);
    let parts = (same && state.max_moment_2.is_none())
        .then(|| {
            let (m, v) = (&state.moment_1, &state.moment_2);
            Some((flex(&tensor)?, flex(&grad)?, flex(m)?, flex(v)?))
        })
        .flatten();
    let Some((mut w, g, mut m, mut v)) = parts else {
        return Err(Box::new((tensor, grad, Some(state))));
    };
    // The clones above are now the only owners: the updates go in place.
    drop((tensor, grad, state.moment_1, state.moment_2));
    let time = state.time + 1;
    let g = contiguous(g);
    let coefficients = Coefficients::new(hyper, lr, time);
    pulp::Arch::new().dispatch(Pass {
        c: &coefficients,
        w: values_mut(&mut w),
        g: values(&g),
        m: values_mut(&mut m),
        v: values_mut(&mut v),
    });
    let moments = AdaptiveMomentumState::new(time, back(m), back(v));
    Ok((back(w), moments))
}

/// `t`'s flex primitive, sharing its buffer, when `t` is an `f32` tensor on flex.
fn flex<const D: usize>(t: &Tensor<D>) -> Option<FlexTensor> {
    if t.dtype() != DType::F32 {
        return None;
    }
    t.clone().try_into_primitive::<Flex>().ok()
}

fn back<const D: usize>(t: FlexTensor) -> Tensor<D> {
    Tensor::from_primitive::<Flex>(t)
}

fn contiguous(t: FlexTensor) -> FlexTensor {
    if t.layout().contiguous_offsets().is_some() {
        t
    } else {
        t.to_contiguous()
    }
}

fn values(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>().unwrap_or_default()
}

/// `t`'s elements to write, copied first only if another tensor shares them.
fn values_mut(t: &mut FlexTensor) -> &mut [f32] {
    if t.layout().contiguous_offsets().is_none() {
        *t = t.to_contiguous();
    }
    let (start, end) = t.layout().contiguous_offsets().unwrap_or_default();
    &mut t.storage_mut::<f32>()[start..end]
}

/// The step's scalars, each computed as burn computes it.
struct Coefficients {
    beta_1: f32,
    beta_2: f32,
    /// `1 − β₁`, `1 − β₂`.
    keep_1: f32,
    keep_2: f32,
    /// Adam's `√(1 − β₂ᵗ) / (1 − β₁ᵗ)` and `ε · √(1 − β₂ᵗ)`.
    combined: f32,
    scaled_epsilon: f32,
    /// AdamW's `1 − β₁ᵗ`, `1 − β₂ᵗ` and `ε`.
    bias_1: f32,
    bias_2: f32,
    epsilon: f32,
    lr: f32,
    decay: Decay,
    /// AdamW's `1 − lr · rate`, when the rate is not zero.
    shrink: Option<f32>,
    flush: bool,
}

impl Coefficients {
    fn new(hyper: &AdamHyper, lr: LearningRate, time: usize) -> Self {
        let t = time as i32;
        let root_2 = (1.0 - hyper.beta_2.powi(t)).sqrt();
        let shrink = match hyper.decay {
            Decay::Decoupled(rate) => {
                let rate = lr * f64::from(rate);
                (rate != 0.0).then_some((1.0 - rate) as f32)
            }
            _ => None,
        };
        Self {
            beta_1: hyper.beta_1,
            beta_2: hyper.beta_2,
            keep_1: 1.0 - hyper.beta_1,
            keep_2: 1.0 - hyper.beta_2,
            combined: root_2 / (1.0 - hyper.beta_1.powi(t)),
            scaled_epsilon: hyper.epsilon * root_2,
            bias_1: 1.0 - hyper.beta_1.powi(t),
            bias_2: 1.0 - hyper.beta_2.powi(t),
            epsilon: hyper.epsilon,
            lr: lr as f32,
            decay: hyper.decay,
            shrink,
            flush: time.is_multiple_of(EVERY),
        }
    }
}

/// One pass: weights `w` and moments `m`, `v` updated from gradients `g`, compiled for the
/// widest SIMD the CPU has (AVX-512 where it has it), chosen at run time.
struct Pass<'a> {
    c: &'a Coefficients,
    w: &'a mut [f32],
    g: &'a [f32],
    m: &'a mut [f32],
    v: &'a mut [f32],
}

impl pulp::WithSimd for Pass<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Self { c, w, g, m, v } = self;
        // burn's Adam: `m · combined / (√v + ε · √(1 − β₂ᵗ))`.
        let adam = |m: f32, v: f32| m * c.combined / (v.sqrt() + c.scaled_epsilon);
        // burn's AdamW: `(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)`.
        let adam_w = |m: f32, v: f32| m / c.bias_1 / ((v / c.bias_2).sqrt() + c.epsilon);
        let kept = |_: f32, g: f32| g;
        match (c.decay, c.shrink) {
            (Decay::None, _) => pass(c, [w, m, v], g, kept, adam, |w| w),
            (Decay::L2(penalty), _) => pass(c, [w, m, v], g, |w, g| w * penalty + g, adam, |w| w),
            (Decay::Decoupled(_), None) => pass(c, [w, m, v], g, kept, adam_w, |w| w),
            (Decay::Decoupled(_), Some(shrink)) => {
                pass(c, [w, m, v], g, kept, adam_w, |w| w * shrink)
            }
        }
    }
}

/// The loop over weights, first and second moments `[w, m, v]` and gradients `g`, with the
/// optimizer's parts inlined: the gradient with any L2 term (`gradient(w, g)`), the update from
/// the new moments (`delta(m, v)`) and the decoupled decay (`decayed(w)`).
#[inline(always)]
fn pass(
    c: &Coefficients,
    [w, m, v]: [&mut [f32]; 3],
    g: &[f32],
    gradient: impl Fn(f32, f32) -> f32,
    delta: impl Fn(f32, f32) -> f32,
    decayed: impl Fn(f32) -> f32,
) {
    let (floor_1, floor_2) = if c.flush {
        (FLOOR, FLOOR_2)
    } else {
        (0.0, 0.0)
    };
    for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
        let g = gradient(*w, g);
        let m_new = *m * c.beta_1 + g * c.keep_1;
        let v_new = *v * c.beta_2 + g * g * c.keep_2;
        *w = decayed(*w) - delta(m_new, v_new) * c.lr;
        *m = if m_new.abs() < floor_1 { 0.0 } else { m_new };
        *v = if v_new.abs() < floor_2 { 0.0 } else { v_new };
    }
}

#[cfg(test)]
mod tests {
    use burn::optim::decay::WeightDecayConfig;
    use burn::optim::{Adam, AdamConfig, AdamState, AdamW, AdamWConfig, AdamWState, Optimizer};
    use burn::tensor::{Device, Tensor, TensorData};

    use super::*;
    use crate::adam::EmberAdam;
    use crate::subnormal::NoSubnormals;

    fn bits<const D: usize>(t: &Tensor<D>) -> Vec<u32> {
        let values = t.clone().into_data().try_to_vec::<f32>().unwrap();
        values.iter().map(|x| x.to_bits()).collect()
    }

    /// Gradients of a 3 × 5 weight at `step`: one unit dead after the first step, constant,
    /// growing, oscillating, tiny (second moments near the flush floor) and large ones.
    fn gradient(step: usize, device: &Device) -> Tensor<2> {
        let s = step as f32;
        let values: Vec<f32> = (0..15)
            .map(|i| match i % 5 {
                0 if step > 1 => 0.0,
                0 => 1.0,
                1 => 0.01 * (i as f32 + 1.0),
                2 => -(s * 1e-4) + (i as f32) * 3e-3,
                3 => (s * 0.37 + i as f32).sin() * [1.0, 1e-13, 1e-18][i / 5],
                _ => (s * 1.3).cos() * 40.0,
            })
            .collect();
        Tensor::from_data(TensorData::new(values, [3, 5]), device)
    }

    /// 900 steps of `ours` and of `reference` from the same weights: the weights equal bit for
    /// bit at every step, and the moments (read by `moments`) at every flush and at the end.
    fn same_bits_as<O, R>(
        ours: &O,
        reference: &R,
        lr: f64,
        moments: impl Fn(&R::State<2>) -> [Tensor<2>; 2],
    ) where
        O: Optimizer<State<2> = R::State<2>>,
        R: Optimizer,
    {
        let device = Device::flex();
        let start: Vec<f32> = (0..15).map(|i| (i as f32 - 7.0) * 0.13).collect();
        let weights = || Tensor::<2>::from_data(TensorData::new(start.clone(), [3, 5]), &device);
        let (mut w_ours, mut w_ref) = (weights(), weights());
        let (mut s_ours, mut s_ref) = (None, None);
        for step in 1..=900 {
            (w_ours, s_ours) = ours.step(lr, w_ours, gradient(step, &device), s_ours);
            (w_ref, s_ref) = reference.step(lr, w_ref, gradient(step, &device), s_ref);
            assert_eq!(bits(&w_ours), bits(&w_ref), "weights, step {step}");
            if step % EVERY == 0 || step == 900 {
                let [a, b] =
                    [&s_ours, &s_ref].map(|s| moments(s.as_ref().unwrap()).map(|t| bits(&t)));
                assert_eq!(a, b, "moments, step {step}");
            }
        }
    }

    fn adam_moments(s: &AdamState<2>) -> [Tensor<2>; 2] {
        [s.momentum.moment_1.clone(), s.momentum.moment_2.clone()]
    }

    fn hyper(decay: Decay) -> AdamHyper {
        AdamHyper {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            decay,
        }
    }

    #[test]
    fn adam_in_one_pass_moves_every_weight_as_burns_steps_do() {
        let adam: Adam = AdamConfig::new().with_epsilon(1e-8).build();
        let reference = NoSubnormals(adam.clone());
        let ours = EmberAdam {
            burn: NoSubnormals(adam),
            hyper: hyper(Decay::None),
        };
        same_bits_as(&ours, &reference, 1e-3, adam_moments);
    }

    #[test]
    fn adam_with_l2_decay_in_one_pass_matches_burn() {
        let decay = Some(WeightDecayConfig::new(0.05));
        let adam: Adam = AdamConfig::new()
            .with_epsilon(1e-8)
            .with_weight_decay(decay)
            .build();
        let reference = NoSubnormals(adam.clone());
        let ours = EmberAdam {
            burn: NoSubnormals(adam),
            hyper: hyper(Decay::L2(0.05)),
        };
        same_bits_as(&ours, &reference, 3e-3, adam_moments);
    }

    #[test]
    fn adamw_in_one_pass_matches_burn_with_and_without_decay() {
        for rate in [0.0, 0.01] {
            let config = AdamWConfig::new()
                .with_epsilon(1e-8)
                .with_weight_decay(rate);
            let adam: AdamW = config.build();
            let reference = NoSubnormals(adam.clone());
            let ours = EmberAdam {
                burn: NoSubnormals(adam),
                hyper: hyper(Decay::Decoupled(rate)),
            };
            same_bits_as(&ours, &reference, 1e-3, |s: &AdamWState<2>| {
                [s.momentum.moment_1.clone(), s.momentum.moment_2.clone()]
            });
        }
    }

    #[test]
    fn the_first_step_is_burns_and_the_next_ones_are_one_pass() {
        let device = Device::flex();
        let w = Tensor::<2>::ones([2, 3], &device);
        let h = hyper(Decay::None);
        let Err(inputs) = step(&h, 1e-3, w, gradient(1, &device).slice([0..2, 0..3]), None) else {
            panic!("the first step has no moments to update")
        };
        let (w, g, None) = *inputs else {
            panic!("no moments came in")
        };
        let adam = AdamConfig::new().build();
        let (w, state) = Optimizer::step(&adam, 1e-3, w, g, None);
        let moments = state.unwrap().momentum;
        let g = gradient(2, &device).slice([0..2, 0..3]);
        let (_, moments) = step(&h, 1e-3, w, g, Some(moments)).ok().unwrap();
        assert_eq!(moments.time, 2);
    }

    #[test]
    fn weights_shared_with_another_tensor_are_copied_not_changed_under_it() {
        let device = Device::flex();
        let adam = AdamConfig::new().build();
        let ours = EmberAdam {
            burn: NoSubnormals(adam),
            hyper: hyper(Decay::None),
        };
        let w = Tensor::<2>::ones([3, 5], &device);
        let (w, state) = ours.step(1e-3, w, gradient(1, &device), None);
        // A snapshot kept elsewhere (early stopping's best weights) shares the buffer.
        let snapshot = w.clone();
        let before = bits(&snapshot);
        let moment = state.as_ref().unwrap().momentum.moment_1.clone();
        let moment_before = bits(&moment);
        let (w, _) = ours.step(1e-3, w, gradient(2, &device), state);
        assert_eq!(bits(&snapshot), before);
        assert_eq!(bits(&moment), moment_before);
        assert_ne!(bits(&w), before);
    }
}
