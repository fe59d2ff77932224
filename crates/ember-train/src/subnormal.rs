//! Adam and AdamW whose moments never decay into subnormal floats.
//!
//! A weight whose gradient stays exactly zero — every weight into a ReLU unit that stopped
//! firing — keeps Adam's first moment shrinking by β₁ each step: from a typical 1e-4 it enters
//! the subnormal range (below 2⁻¹²⁶ ≈ 1.2e-38 in `f32`) after ~740 steps at β₁ = 0.9, and never
//! leaves it: a moment of one to four of the smallest subnormal (2⁻¹⁴⁹) times β₁ rounds back to
//! itself. Intel CPUs compute on subnormal operands through a
//! microcode assist, tens of times slower than on normal floats, and burn's Adam makes several
//! passes over its moments a step: on a 2-core Xeon (2026-12-04) the MLP 784-256-128-10 of
//! `benches/mlp.rs` took 0.95, 2.05 and 3.72 s for its three epochs, against 0.88–0.97 s once
//! the moments were kept out of that range.
//!
//! So every [`EVERY`] steps the first moments below [`FLOOR`] (2⁻⁸⁰ ≈ 8.3e-25) and the second
//! moments below [`FLOOR_2`] (2⁻¹²⁰ ≈ 7.5e-37) are set to zero. Neither moves a weight with the
//! defaults (β₁ = 0.9, β₂ = 0.999, ε = 1e-8): the update a first moment gives (burn's
//! `lr · m · c / ((1 − β₁ᵗ) · (√v + ε·c))`, c = √(1 − β₂ᵗ)), is at most
//! `lr · 2⁻⁸⁰ / ((1 − β₁ᵗ) · ε)` ≈ 8e-17
//! of the learning rate at t ≥ 64, far under half an ulp of any weight larger than about 1e-9;
//! and a second moment below 2⁻¹²⁰ has a root below 2⁻⁶⁰, under half an ulp of
//! `ε·√(1 − β₂ᵗ)` (≥ 2.5e-9 at t ≥ 64) in the denominator, so the denominator keeps its bits.
//! Between flushes a moment shrinks by at most β⁶⁴ and stays normal for β₁ ≥ 0.61 and
//! β₂ ≥ 0.94 (the defaults give 2⁻⁹·⁷ and 2⁻⁰·⁰⁹). The flush runs on the step count kept in the
//! optimizer's state, so a resumed run flushes on the same steps, and the state saved is
//! burn's own (`AdamState`, `AdamWState`): checkpoints are unchanged.

use burn::optim::{
    Adam, AdamState, AdamW, AdamWState, AdaptiveMomentumState, LearningRate, Optimizer,
};
use burn::tensor::{Device, Tensor};

/// First moments below this magnitude are zero after a flush (2⁻⁸⁰).
pub(crate) const FLOOR: f32 = f32::from_bits((127 - 80) << 23);

/// Second moments below this magnitude are zero after a flush (2⁻¹²⁰).
pub(crate) const FLOOR_2: f32 = f32::from_bits((127 - 120) << 23);

/// Steps between two flushes.
pub(crate) const EVERY: usize = 64;

/// burn's Adam or AdamW, with the moments flushed every [`EVERY`] steps.
#[derive(Clone)]
pub(crate) struct NoSubnormals<O>(pub O);

/// `Optimizer` for `NoSubnormals<$optimizer>`: burn's step, then [`flushed`] moments in its own
/// state type.
macro_rules! flushing_optimizer {
    ($optimizer:ty, $state:ident) => {
        impl Optimizer for NoSubnormals<$optimizer> {
            type State<const D: usize> = $state<D>;

            fn step<const D: usize>(
                &self,
                lr: LearningRate,
                tensor: Tensor<D>,
                grad: Tensor<D>,
                state: Option<Self::State<D>>,
            ) -> (Tensor<D>, Option<Self::State<D>>) {
                let (tensor, state) = self.0.step(lr, tensor, grad, state);
                (tensor, state.map(|s| $state::new(flushed(s.momentum))))
            }

            fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
                <$optimizer as Optimizer>::to_device(state, device)
            }
        }
    };
}

flushing_optimizer!(Adam, AdamState);
flushing_optimizer!(AdamW, AdamWState);

/// The moments, with those below their floors set to zero on every [`EVERY`]-th step.
fn flushed<const D: usize>(mut m: AdaptiveMomentumState<D>) -> AdaptiveMomentumState<D> {
    if m.time.is_multiple_of(EVERY) {
        m.moment_1 = flush(m.moment_1, FLOOR);
        m.moment_2 = flush(m.moment_2, FLOOR_2);
        m.max_moment_2 = m.max_moment_2.map(|v| flush(v, FLOOR_2));
    }
    m
}

/// `values` with every magnitude below `floor` set to zero (NaN stays NaN).
fn flush<const D: usize>(values: Tensor<D>, floor: f32) -> Tensor<D> {
    let tiny = values.clone().abs().lower_elem(floor);
    values.mask_fill(tiny, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floors_are_two_to_the_minus_eighty_and_minus_one_hundred_and_twenty() {
        assert_eq!(FLOOR, 2f32.powi(-80));
        assert_eq!(FLOOR_2, 2f32.powi(-120));
    }

    #[test]
    fn adam_with_flushes_moves_every_weight_as_burns_adam_does_without_subnormals() {
        use burn::optim::AdamConfig;
        let device = Device::flex();
        let adam = AdamConfig::new().with_epsilon(1e-8).build();
        let ours = NoSubnormals(adam.clone());
        let weights = || Tensor::<1>::from_floats([0.5, -0.25, 0.125, 0.75, -0.5], &device);
        let (mut w_burn, mut w_ours) = (weights(), weights());
        let (mut s_burn, mut s_ours) = (None, None);
        for step in 1..=900 {
            // The first weight's gradient stops after one step (a unit that died); the
            // others keep a gradient, two of them tiny (second moments near the floor).
            let first = if step == 1 { 1.0 } else { 0.0 };
            let grad = || {
                let g = [first, 0.01, -(step as f32) * 1e-4, 1e-13, -1e-18];
                Tensor::<1>::from_floats(g, &device)
            };
            (w_burn, s_burn) = adam.step(1e-3, w_burn, grad(), s_burn);
            (w_ours, s_ours) = ours.step(1e-3, w_ours, grad(), s_ours);
            let bits = |t: &Tensor<1>| -> Vec<u32> {
                let v = t.clone().into_data().try_to_vec::<f32>().unwrap();
                v.iter().map(|x| x.to_bits()).collect()
            };
            assert_eq!(bits(&w_burn), bits(&w_ours), "step {step}");
        }
        let first_moment = |s: Option<AdamState<1>>| {
            s.unwrap()
                .momentum
                .moment_1
                .into_data()
                .try_to_vec::<f32>()
                .unwrap()[0]
        };
        assert!(first_moment(s_burn).is_subnormal());
        assert_eq!(first_moment(s_ours), 0.0);
    }

    #[test]
    fn a_flush_zeroes_only_the_tiny_moments_and_only_on_its_steps() {
        let device = Device::flex();
        let values = [1e-3, -2e-20, 5e-25, -5e-25, 1e-39, 0.0, f32::NAN];
        let moments = |time| {
            let t = Tensor::<1>::from_floats(values, &device);
            AdaptiveMomentumState::new(time, t.clone(), t)
        };
        let read = |t: Tensor<1>| t.into_data().try_to_vec::<f32>().unwrap();
        let kept = flushed(moments(EVERY + 1));
        assert_eq!(read(kept.moment_1)[..6], values[..6]);
        let done = flushed(moments(2 * EVERY));
        let (first, second) = (read(done.moment_1), read(done.moment_2));
        assert_eq!(first[..6], [1e-3, -2e-20, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(second[..6], [1e-3, -2e-20, 5e-25, -5e-25, 0.0, 0.0]);
        assert!(first[6].is_nan() && second[6].is_nan());
    }
}
