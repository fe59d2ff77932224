//! Adam's and AdamW's step on burn's flex backend as one pass over each parameter.
//!
//! burn's step is 13 to 15 tensor operations (`AdaptiveMomentum::transform`, the weight decay,
//! then `tensor - grad · lr`), each a pass over the parameter, most with a buffer of their own:
//! for the MLP 784-256-128-10 of `benches/mlp.rs` that was 0.24 s of a 0.9 s epoch on a 2-core
//! Xeon (2026-12-04). Here the parameter, its gradient and both moments are read once and written
//! in place (copied first only where another tensor shares a buffer: a weight snapshot, a live
//! graph), with the same `f32` operations in the same order as burn's, so the same bits (NaN
//! payloads aside; the tests run both side by side), and [`crate::subnormal`]'s flush done in the
//! same pass.
//!
//! Only for `f32` tensors on flex without AMSGrad, from the second step on (the first makes the
//! moments): anything else returns its inputs for burn's own step.

use burn::optim::{AdaptiveMomentumState, LearningRate};
use burn::tensor::{DType, Tensor};
use burn_flex::{Flex, FlexTensor};

use crate::adam::{AdamHyper, Rule};
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
    let Some([mut w, g, mut m, mut v]) = flex_parts(&tensor, &grad, &state) else {
        return Err(Box::new((tensor, grad, Some(state))));
    };
    // Each buffer is now held by the parts and whatever else shared it before.
    drop((tensor, grad, state.moment_1, state.moment_2));
    let time = state.time + 1;
    let coefficients = Coefficients::new(hyper, lr, time);
    let g = g.to_contiguous();
    pulp::Arch::new().dispatch(Pass {
        c: &coefficients,
        w: values_mut(&mut w),
        g: g.storage::<f32>(),
        m: values_mut(&mut m),
        v: values_mut(&mut v),
    });
    let moments = AdaptiveMomentumState::new(time, into_tensor(m), into_tensor(v));
    Ok((into_tensor(w), moments))
}

/// The flex primitives of the weights, gradient and moments, when all four are `f32` tensors on
/// flex of one shape and there is no AMSGrad maximum.
fn flex_parts<const D: usize>(
    tensor: &Tensor<D>,
    grad: &Tensor<D>,
    state: &AdaptiveMomentumState<D>,
) -> Option<[FlexTensor; 4]> {
    let all = [tensor, grad, &state.moment_1, &state.moment_2];
    let shape = tensor.shape();
    if state.max_moment_2.is_some() || all.iter().any(|t| t.shape() != shape) {
        return None;
    }
    let [w, g, m, v] = all.map(flex);
    Some([w?, g?, m?, v?])
}

/// `t`'s flex primitive, sharing its buffer, when `t` is an `f32` tensor on flex.
fn flex<const D: usize>(t: &Tensor<D>) -> Option<FlexTensor> {
    if t.dtype() != DType::F32 {
        return None;
    }
    t.clone().try_into_primitive::<Flex>().ok()
}

fn into_tensor<const D: usize>(t: FlexTensor) -> Tensor<D> {
    Tensor::from_primitive::<Flex>(t)
}

/// `t`'s elements to write: `t` is made compact (one row-major buffer of exactly its elements)
/// if it is not, and its buffer copied first if another tensor shares it.
fn values_mut(t: &mut FlexTensor) -> &mut [f32] {
    *t = t.to_contiguous();
    t.storage_mut::<f32>()
}

/// The step's scalars, each computed as burn computes it.
struct Coefficients {
    beta_1: f32,
    beta_2: f32,
    /// `1 − β₁`, `1 − β₂`: the new gradient's shares of the moments.
    grad_share_1: f32,
    grad_share_2: f32,
    /// Adam's `√(1 − β₂ᵗ) / (1 − β₁ᵗ)` and `ε · √(1 − β₂ᵗ)`.
    combined: f32,
    scaled_epsilon: f32,
    /// AdamW's `1 − β₁ᵗ`, `1 − β₂ᵗ` and `ε`.
    bias_1: f32,
    bias_2: f32,
    epsilon: f32,
    lr: f32,
    rule: Rule,
    /// AdamW's `1 − lr · rate`, when `lr · rate` is not zero.
    shrink: Option<f32>,
    flush: bool,
}

impl Coefficients {
    fn new(hyper: &AdamHyper, lr: LearningRate, time: usize) -> Self {
        let t = time as i32;
        let root_2 = (1.0 - hyper.beta_2.powi(t)).sqrt();
        let shrink = match hyper.rule {
            Rule::AdamW { rate } => {
                let rate = lr * f64::from(rate);
                (rate != 0.0).then_some((1.0 - rate) as f32)
            }
            Rule::Adam { .. } => None,
        };
        Self {
            beta_1: hyper.beta_1,
            beta_2: hyper.beta_2,
            grad_share_1: 1.0 - hyper.beta_1,
            grad_share_2: 1.0 - hyper.beta_2,
            combined: root_2 / (1.0 - hyper.beta_1.powi(t)),
            scaled_epsilon: hyper.epsilon * root_2,
            bias_1: 1.0 - hyper.beta_1.powi(t),
            bias_2: 1.0 - hyper.beta_2.powi(t),
            epsilon: hyper.epsilon,
            lr: lr as f32,
            rule: hyper.rule,
            shrink,
            flush: time.is_multiple_of(EVERY),
        }
    }
}

/// One pass: weights `w` and moments `m`, `v` updated from gradients `g` (all of one length),
/// compiled for the widest SIMD the CPU has (AVX-512 where it has it), chosen at run time.
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
        let plain_gradient = |_: f32, g: f32| g;
        let parts = [w, m, v];
        match (c.rule, c.shrink) {
            (Rule::Adam { l2: None }, _) => pass(c, parts, g, plain_gradient, adam, |w| w),
            (Rule::Adam { l2: Some(penalty) }, _) => {
                pass(c, parts, g, |w, g| w * penalty + g, adam, |w| w)
            }
            (Rule::AdamW { .. }, None) => pass(c, parts, g, plain_gradient, adam_w, |w| w),
            (Rule::AdamW { .. }, Some(shrink)) => {
                pass(c, parts, g, plain_gradient, adam_w, |w| w * shrink)
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
        let m_new = *m * c.beta_1 + g * c.grad_share_1;
        let v_new = *v * c.beta_2 + g * g * c.grad_share_2;
        *w = decayed(*w) - delta(m_new, v_new) * c.lr;
        *m = if m_new.abs() < floor_1 { 0.0 } else { m_new };
        *v = if v_new.abs() < floor_2 { 0.0 } else { v_new };
    }
}

#[cfg(test)]
mod tests {
    use burn::optim::decay::WeightDecayConfig;
    use burn::optim::{Adam, AdamConfig, AdamState, AdamWConfig, AdamWState, Optimizer};
    use burn::tensor::{Device, Tensor, TensorData};

    use super::*;
    use crate::subnormal::NoSubnormals;

    /// 17 × 61 = 1,037 weights: 64 AVX-512 vectors and a remainder of 13.
    const SHAPE: [usize; 2] = [17, 61];

    fn bits<const D: usize>(t: &Tensor<D>) -> Vec<u32> {
        let values = t.clone().into_data().try_to_vec::<f32>().unwrap();
        values.iter().map(|x| x.to_bits()).collect()
    }

    /// Gradients at `step`, by column: a unit dead after the first step, constant, growing,
    /// oscillating at three scales (second moments near the flush floor) and large.
    fn gradient(step: usize, device: &Device) -> Tensor<2> {
        let s = step as f32;
        let values: Vec<f32> = (0..SHAPE[0] * SHAPE[1])
            .map(|i| {
                let k = i as f32;
                match i % 7 {
                    0 if step > 1 => 0.0,
                    0 => 1.0,
                    1 => 0.01 * (k % 13.0 + 1.0),
                    2 => -(s * 1e-4) + (k % 11.0) * 3e-3,
                    3 => (s * 0.37 + k).sin() * [1.0, 1e-13, 1e-18][i % 3],
                    4 => (s * 0.11 + k).cos() * 1e-3,
                    _ => (s * 1.3 + k).cos() * 40.0,
                }
            })
            .collect();
        Tensor::from_data(TensorData::new(values, SHAPE), device)
    }

    fn weights(device: &Device) -> Tensor<2> {
        let n = SHAPE[0] * SHAPE[1];
        let values: Vec<f32> = (0..n).map(|i| (i as f32 / n as f32 - 0.5) * 1.7).collect();
        Tensor::from_data(TensorData::new(values, SHAPE), device)
    }

    /// 900 steps of [`step`] (burn's own for the first, which makes the moments) and of
    /// `reference`, burn's optimizer with the flush: the one pass runs on every later step, the
    /// weights are equal bit for bit at every step, the moments at every flush and at the end.
    fn same_bits_as<R: Optimizer>(
        hyper: AdamHyper,
        reference: &R,
        lr: impl Fn(usize) -> f64,
        moments: impl Fn(R::State<2>) -> AdaptiveMomentumState<2>,
    ) where
        R::State<2>: Clone,
    {
        let device = Device::flex();
        let (mut w_ours, mut w_ref) = (weights(&device), weights(&device));
        let (mut ours, mut theirs) = (None, None);
        for n in 1..=900 {
            let g = || gradient(n, &device);
            (w_ours, ours) = match step(&hyper, lr(n), w_ours, g(), ours) {
                Ok((w, m)) => (w, Some(m)),
                Err(inputs) => {
                    assert_eq!(n, 1, "the one pass refused step {n}");
                    let (w, g, _) = *inputs;
                    let (w, s) = reference.step(lr(n), w, g, None);
                    (w, s.map(&moments))
                }
            };
            (w_ref, theirs) = reference.step(lr(n), w_ref, g(), theirs);
            assert_eq!(bits(&w_ours), bits(&w_ref), "weights, step {n}");
            if n % EVERY == 0 || n == 900 {
                let ours = ours.as_ref().unwrap();
                let theirs = moments(theirs.clone().unwrap());
                assert_eq!(bits(&ours.moment_1), bits(&theirs.moment_1), "m, step {n}");
                assert_eq!(bits(&ours.moment_2), bits(&theirs.moment_2), "v, step {n}");
            }
        }
    }

    fn hyper(rule: Rule) -> AdamHyper {
        AdamHyper {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            rule,
        }
    }

    fn adam(penalty: Option<f32>) -> NoSubnormals<Adam> {
        let config = AdamConfig::new().with_epsilon(1e-8);
        NoSubnormals(
            config
                .with_weight_decay(penalty.map(WeightDecayConfig::new))
                .build(),
        )
    }

    fn adam_moments(s: AdamState<2>) -> AdaptiveMomentumState<2> {
        s.momentum
    }

    #[test]
    fn adam_in_one_pass_moves_every_weight_as_burns_steps_do() {
        let rule = Rule::Adam { l2: None };
        same_bits_as(hyper(rule), &adam(None), |_| 1e-3, adam_moments);
    }

    #[test]
    fn adam_with_l2_decay_and_a_changing_learning_rate_matches_burn() {
        let rule = Rule::Adam { l2: Some(0.05) };
        let lr = |n: usize| 3e-3 / (1.0 + n as f64 / 100.0);
        same_bits_as(hyper(rule), &adam(Some(0.05)), lr, adam_moments);
    }

    #[test]
    fn adamw_in_one_pass_matches_burn_with_and_without_decay() {
        for rate in [0.0, 0.01] {
            let burn = AdamWConfig::new()
                .with_epsilon(1e-8)
                .with_weight_decay(rate);
            let reference = NoSubnormals(burn.build());
            let moments = |s: AdamWState<2>| s.momentum;
            same_bits_as(hyper(Rule::AdamW { rate }), &reference, |_| 1e-3, moments);
        }
    }

    /// One step of ours and of burn's from `w`, `g` and `state`: the same bits out.
    fn one_step_matches(w: Tensor<2>, g: Tensor<2>, state: AdaptiveMomentumState<2>) {
        let reference = adam(None);
        let burn_state = Some(AdamState::new(state.clone()));
        let (w_ref, s_ref) = reference.step(1e-3, w.clone(), g.clone(), burn_state);
        let h = hyper(Rule::Adam { l2: None });
        let Ok((w, m)) = step(&h, 1e-3, w, g, Some(state)) else {
            panic!("the one pass refused a flex f32 step")
        };
        let m_ref = s_ref.unwrap().momentum;
        assert_eq!(bits(&w), bits(&w_ref));
        assert_eq!(bits(&m.moment_1), bits(&m_ref.moment_1));
        assert_eq!(bits(&m.moment_2), bits(&m_ref.moment_2));
    }

    fn moments(device: &Device) -> AdaptiveMomentumState<2> {
        let m = gradient(3, device).mul_scalar(0.1);
        AdaptiveMomentumState::new(5, m.clone(), m.clone() * m)
    }

    #[test]
    fn a_gradient_that_is_the_weight_tensor_itself_is_read_before_it_is_written() {
        let device = Device::flex();
        let w = weights(&device);
        one_step_matches(w.clone(), w, moments(&device));
    }

    #[test]
    fn both_moments_in_one_buffer_are_updated_apart() {
        let device = Device::flex();
        let m = gradient(3, &device).abs().mul_scalar(0.1);
        let state = AdaptiveMomentumState::new(5, m.clone(), m);
        one_step_matches(weights(&device), gradient(6, &device), state);
    }

    #[test]
    fn transposed_weights_and_a_gradient_sliced_out_of_a_bigger_tensor_match_burn() {
        let device = Device::flex();
        let [rows, cols] = SHAPE;
        let w = weights(&device).reshape([cols, rows]).transpose();
        let big = Tensor::<2>::cat(vec![gradient(7, &device), gradient(8, &device)], 0);
        let g = big.slice([rows..2 * rows, 0..cols]);
        one_step_matches(w, g, moments(&device));
    }

    #[test]
    fn other_dtypes_amsgrad_moments_and_a_first_step_are_left_to_burn() {
        let device = Device::flex();
        let h = hyper(Rule::Adam { l2: None });
        let refused = |w: Tensor<2>, g: Tensor<2>, s: Option<AdaptiveMomentumState<2>>| {
            let before = bits(&w.clone().cast(burn::tensor::DType::F32));
            let Err(inputs) = step(&h, 1e-3, w, g, s) else {
                panic!("took a step it should have left to burn")
            };
            assert_eq!(bits(&inputs.0.cast(burn::tensor::DType::F32)), before);
        };
        refused(weights(&device), gradient(1, &device), None);
        let mut amsgrad = moments(&device);
        amsgrad.max_moment_2 = Some(amsgrad.moment_2.clone());
        refused(weights(&device), gradient(2, &device), Some(amsgrad));
        let half = |t: Tensor<2>| t.cast(burn::tensor::DType::F16);
        let state = moments(&device);
        let state = AdaptiveMomentumState::new(5, half(state.moment_1), half(state.moment_2));
        refused(
            half(weights(&device)),
            half(gradient(2, &device)),
            Some(state),
        );
        let other = Tensor::<2>::zeros([SHAPE[1], SHAPE[0]], &device);
        refused(weights(&device), other, Some(moments(&device)));
    }

    #[test]
    fn weights_shared_with_another_tensor_are_copied_not_changed_under_it() {
        let device = Device::flex();
        let h = hyper(Rule::Adam { l2: None });
        let w = weights(&device);
        // A snapshot kept elsewhere (early stopping's best weights) shares the buffers.
        let (snapshot, state) = (w.clone(), moments(&device));
        let (before, moment_before) = (bits(&snapshot), bits(&state.moment_1));
        let kept = state.moment_1.clone();
        let (w, _) = step(&h, 1e-3, w, gradient(2, &device), Some(state))
            .ok()
            .unwrap();
        assert_eq!(bits(&snapshot), before);
        assert_eq!(bits(&kept), moment_before);
        assert_ne!(bits(&w), before);
    }
}
