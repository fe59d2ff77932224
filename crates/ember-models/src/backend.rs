//! Which of burn's backends a device is, where the fastest way to compute something depends on
//! it.
//!
//! burn 0.22 names backends only behind its own cargo features (`DeviceType::Flex` exists only
//! with `flex`), so these read the device's `Debug` form, `Device<Flex(..)>` or
//! `Device<NdArray(..)>` (inside `Autodiff(..)` for an autodiff device).

use burn::tensor::Device;

/// Whether `device` is one of burn's CPU backends, whose memory is the host's.
pub(crate) fn is_cpu(device: &Device) -> bool {
    let name = format!("{device:?}");
    name.contains("Flex") || name.contains("NdArray")
}

/// Whether `device` is burn's flex backend, whose matmul is the `gemm` crate's.
pub(crate) fn is_flex(device: &Device) -> bool {
    format!("{device:?}").contains("Flex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flex_is_a_cpu_backend_with_or_without_autodiff() {
        for device in [Device::flex(), Device::flex().autodiff()] {
            assert!(is_cpu(&device));
            assert!(is_flex(&device));
        }
    }
}
