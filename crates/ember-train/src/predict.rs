//! Running a trained model over many rows.

use burn::tensor::{Device, Tensor, TensorData};

use crate::trainer::EVAL_BATCH;
use crate::{TrainError, Trainable};

/// The tensor's values, read back to the host; a backend failure is an error, not a panic.
pub(crate) fn read<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, TrainError> {
    tensor
        .try_into_data()
        .map_err(|e| TrainError::Device(e.to_string()))?
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| TrainError::Device(format!("{e:?}")))
}

/// The model's raw outputs (row-major, `n × n_outputs`) for row-major features `x` with
/// `n_features` columns, computed in batches of 4096 rows on `device`.
///
/// ```
/// use burn::module::Module;
/// use burn::nn::{Linear, LinearConfig, Initializer};
/// use burn::tensor::{Device, Tensor};
/// use ember_train::{outputs, Trainable};
///
/// #[derive(Module, Debug)]
/// struct Affine { linear: Linear }
/// impl Trainable for Affine {
///     fn forward(&self, x: Tensor<2>) -> Tensor<2> { self.linear.forward(x) }
/// }
/// let device = Device::flex();
/// let model = Affine { linear: LinearConfig::new(2, 1).with_initializer(Initializer::Ones).init(&device) };
/// assert_eq!(outputs(&model, &[1.0, 2.0, 3.0, 4.0], 2, &device)?, vec![4.0, 8.0]);
/// # Ok::<(), ember_train::TrainError>(())
/// ```
pub fn outputs<M: Trainable>(
    model: &M,
    x: &[f32],
    n_features: usize,
    device: &Device,
) -> Result<Vec<f32>, TrainError> {
    let mut out = Vec::new();
    for chunk in x.chunks(EVAL_BATCH * n_features.max(1)) {
        let rows = chunk.len() / n_features.max(1);
        let input = Tensor::from_data(TensorData::new(chunk.to_vec(), [rows, n_features]), device);
        out.extend(read(model.forward(input))?);
    }
    Ok(out)
}
