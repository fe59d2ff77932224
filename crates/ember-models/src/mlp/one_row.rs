//! The network laid out for one-row requests, as a server answering one request at a time
//! sees them.
//!
//! burn's `Linear` keeps its weight `[inputs, outputs]` in row-major order; for a single row,
//! flex's matmul (the `gemm` crate) then streams the weight through its general kernel, where a
//! weight stored the other way round (`[outputs, inputs]`, as PyTorch keeps it) takes gemm's
//! vector kernel: one dot product per output. The forward of a 784-256-128-10 network on one
//! row takes 7.9 µs this way, against 10.8 µs (a 2-core Xeon, 2026-12-04); for two rows or more the
//! row-major weight is faster (5× at two rows, still 5 % at 1,024), so only one-row requests
//! take this copy. The weights are the same values, so the outputs agree to the
//! rounding of a different order of summation (4e-8 on that network's logits), as a row alone
//! and the same row inside a batch already do.

use burn::module::Param;
use burn::tensor::{Device, Tensor, TensorData};

use super::Mlp;
use crate::FitError;

/// A copy of `network` on `device` whose weights are stored `[outputs, inputs]`: each a
/// transposed view of the same values, so the copy computes the same function (up to the
/// rounding of the order of summation). The parameters keep their ids and track no gradients.
pub(super) fn one_row_copy(network: &Mlp, device: &Device) -> Result<Mlp, FitError> {
    let mut copy = network.clone();
    for layer in &mut copy.layers {
        let weight = layer.weight.val();
        let [inputs, outputs] = weight.dims();
        let by_output: Vec<f32> = ember_core::read_back(weight.transpose())?;
        let stored = Tensor::<2>::from_data(TensorData::new(by_output, [outputs, inputs]), device);
        layer.weight = Param::initialized(layer.weight.id, stored.transpose());
    }
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mlp::{MlpConfig, Trained};
    use burn::module::Module;
    use ember_data::Matrix;

    #[test]
    fn only_a_one_row_request_on_flex_makes_and_takes_the_copy() {
        let device = Device::flex();
        device.seed(3);
        let shape = MlpConfig::new(3, vec![4], 2);
        let weights = shape.init(&device).into_record().into_bytes().unwrap();
        let trained = Trained::restore(shape, &weights, &device).unwrap();
        let two = Matrix::new(2, 3, vec![0.1f32, 0.2, 0.3, -1.0, 0.5, 2.0]).unwrap();
        let both = trained.outputs(&two).unwrap();
        assert!(trained.one_row.get().is_none());
        let one = Matrix::new(1, 3, vec![0.1f32, 0.2, 0.3]).unwrap();
        let alone = trained.outputs(&one).unwrap();
        assert!(
            trained.one_row.get().is_some(),
            "flex takes the one-row copy"
        );
        for (a, b) in alone.iter().zip(&both[..2]) {
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "{alone:?} against {both:?}"
            );
        }
    }

    #[test]
    fn the_copy_computes_the_networks_outputs_from_the_same_weights() {
        let device = Device::flex();
        device.seed(7);
        let network = MlpConfig::new(5, vec![4, 3], 2).init(&device);
        let copy = one_row_copy(&network, &device).unwrap();
        for (a, b) in network.layers.iter().zip(&copy.layers) {
            let (a, b) = (a.weight.val(), b.weight.val());
            assert_eq!(a.dims(), b.dims());
            let (a, b): (Vec<f32>, Vec<f32>) = (
                ember_core::read_back(a).unwrap(),
                ember_core::read_back(b).unwrap(),
            );
            assert_eq!(a, b);
        }
        let row = [0.5f32, -1.0, 2.0, 0.25, -0.75];
        let forward = |m: &Mlp| -> Vec<f32> {
            let x = Tensor::<2>::from_data(TensorData::new(row.to_vec(), [1, 5]), &device);
            ember_core::read_back(m.forward(x)).unwrap()
        };
        let (expected, got) = (forward(&network), forward(&copy));
        for (e, g) in expected.iter().zip(&got) {
            assert!(
                (e - g).abs() <= 1e-6 * e.abs().max(1.0),
                "{expected:?} against {got:?}"
            );
        }
    }
}
