//! Reading a tensor back from its device: the one place a backend's read-back failure becomes
//! an error instead of a panic.

#[cfg(feature = "tensors")]
use burn::tensor::kind::Basic;
#[cfg(feature = "tensors")]
use burn::tensor::{Element, Tensor};

/// The backend failed (e.g. a GPU read-back error), with its message.
///
/// ```
/// let err = ember_core::DeviceError("lost the device".into());
/// assert_eq!(err.to_string(), "device: lost the device");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceError(pub String);

impl std::fmt::Display for DeviceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "device: {}", self.0)
    }
}

impl std::error::Error for DeviceError {}

/// The tensor's values in row-major order, converted to `E`, read back to the host.
///
/// ```
/// use burn::tensor::{Device, Tensor};
/// let t = Tensor::<2>::from_floats([[1.0, 2.0], [3.0, 4.0]], &Device::flex());
/// assert_eq!(ember_core::read_back::<f64, 2, _>(t)?, vec![1.0, 2.0, 3.0, 4.0]);
/// # Ok::<(), ember_core::DeviceError>(())
/// ```
#[cfg(feature = "tensors")]
pub fn read_back<E: Element, const D: usize, K: Basic>(
    tensor: Tensor<D, K>,
) -> Result<Vec<E>, DeviceError> {
    tensor
        .try_into_data()
        .map_err(|e| DeviceError(e.to_string()))?
        .convert::<E>()
        .try_into_vec::<E>()
        .map_err(|e| DeviceError(format!("{e:?}")))
}
