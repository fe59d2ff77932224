//! Moving values between host `f64` buffers and device tensors.

use burn::tensor::{Device, Tensor, TensorData};

use crate::FitError;

/// A `rows × cols` tensor on `device` from row-major values.
pub(super) fn tensor2(values: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

/// The tensor's values, read back to the host; a backend failure is an error, not a panic.
pub(super) fn read<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, FitError> {
    Ok(ember_core::read_back(tensor)?)
}
