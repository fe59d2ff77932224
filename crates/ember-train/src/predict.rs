//! Running a trained model over many rows.

use std::borrow::Cow;

use burn::tensor::{Device, Tensor, TensorData};

use crate::trainer::EVAL_BATCH;
use crate::{TrainError, Trainable};

/// The tensor's values, read back to the host; a backend failure is an error, not a panic.
pub(crate) fn read<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, TrainError> {
    Ok(ember_core::read_back(tensor)?)
}

/// The model's raw outputs (row-major, `n × n_outputs`) for row-major features `x` with
/// `n_features` columns, computed in batches of 4096 rows on `device`. Owned rows that fit in
/// one batch go to the device without a copy.
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
pub fn outputs<'a, M: Trainable>(
    model: &M,
    x: impl Into<Cow<'a, [f32]>>,
    n_features: usize,
    device: &Device,
) -> Result<Vec<f32>, TrainError> {
    let batch = EVAL_BATCH * n_features.max(1);
    let x = match x.into() {
        x if x.is_empty() => return Ok(Vec::new()),
        Cow::Owned(x) if x.len() <= batch => {
            // One batch of owned rows goes to the device as it is, without a copy.
            let rows = x.len() / n_features.max(1);
            let input = Tensor::from_data(TensorData::new(x, [rows, n_features]), device);
            return read(model.forward(input));
        }
        x => x,
    };
    let mut out = Vec::new();
    for chunk in x.chunks(batch) {
        let rows = chunk.len() / n_features.max(1);
        let input = Tensor::from_data(TensorData::new(chunk.to_vec(), [rows, n_features]), device);
        out.extend(read(model.forward(input))?);
    }
    Ok(out)
}
