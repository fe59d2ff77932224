//! Reading a tensor back from its device: the one place a backend's read-back failure becomes
//! an error instead of a panic. And which of burn's backends a device is, where the fastest way
//! to compute something depends on it.

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

/// Whether `device` is one of burn's CPU backends (flex, ndarray), whose memory is the host's
/// and whose kernels run on rayon's thread pool (ndarray's with its `multi-threads` feature).
///
/// burn 0.22 names backends only behind its own cargo features (`DeviceType::Flex` exists only
/// with `flex`), so this reads the device's `Debug` form, `Device<Flex(..)>` or
/// `Device<NdArray(..)>` (`Device<Autodiff { device: Flex(..), .. }>` for an autodiff device).
///
/// ```
/// use burn::tensor::Device;
/// assert!(ember_core::is_cpu(&Device::flex()) && ember_core::is_cpu(&Device::flex().autodiff()));
/// ```
#[cfg(feature = "tensors")]
pub fn is_cpu(device: &burn::tensor::Device) -> bool {
    let name = format!("{device:?}");
    name.contains("Flex") || name.contains("NdArray")
}

/// Whether `device` is burn's flex backend, whose matmul is the `gemm` crate's (read as
/// [`is_cpu`] reads it).
///
/// ```
/// use burn::tensor::Device;
/// assert!(ember_core::is_flex(&Device::flex()) && ember_core::is_flex(&Device::flex().autodiff()));
/// ```
#[cfg(feature = "tensors")]
pub fn is_flex(device: &burn::tensor::Device) -> bool {
    format!("{device:?}").contains("Flex")
}
