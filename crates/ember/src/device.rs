//! Choosing the backend at run time: `auto | flex | ndarray | wgpu`.

use std::fmt;
use std::str::FromStr;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Which backend to run on. Only backends compiled in (Cargo features `flex`, `ndarray`,
/// `wgpu` of this crate) can be chosen.
///
/// ```
/// use ember::DeviceChoice;
///
/// let choice: DeviceChoice = "flex".parse()?;
/// assert_eq!(choice, DeviceChoice::Flex);
/// assert_eq!(choice.to_string(), "flex");
/// assert!("tpu".parse::<DeviceChoice>().is_err());
/// # Ok::<(), ember::DeviceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// The GPU through wgpu when a real (hardware) adapter exists, otherwise the CPU.
    #[default]
    Auto,
    /// burn's pure-Rust CPU backend.
    Flex,
    /// burn's older ndarray CPU backend.
    Ndarray,
    /// The GPU through wgpu (Vulkan, Metal or DX12; a software Vulkan driver counts).
    Wgpu,
}

/// Why a device could not be had.
///
/// ```
/// let err = "gpu0".parse::<ember::DeviceChoice>().unwrap_err();
/// assert_eq!(err.to_string(), "unknown device `gpu0`: expected one of auto, flex, ndarray, wgpu");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeviceError {
    /// The name is not a device.
    #[error("unknown device `{0}`: expected one of auto, flex, ndarray, wgpu")]
    Unknown(String),
    /// The backend was not compiled in.
    #[error(
        "device `{choice}` is not compiled in: build with the Cargo feature `{choice}` of ember"
    )]
    NotCompiled {
        /// The backend asked for.
        choice: DeviceChoice,
    },
    /// wgpu found no Vulkan/Metal/DX12 adapter (no GPU and no software driver).
    #[error(
        "no GPU adapter found for wgpu ({0}); install a Vulkan driver (e.g. mesa-vulkan-drivers) or use --device flex"
    )]
    NoAdapter(String),
    /// No CPU backend is compiled in and no GPU is available, so `auto` has nothing to pick.
    #[error("no backend is available: compile ember with the `flex` or `ndarray` feature")]
    NoBackend,
}

impl DeviceChoice {
    /// Every choice, `auto` first.
    pub const ALL: [Self; 4] = [Self::Auto, Self::Flex, Self::Ndarray, Self::Wgpu];

    /// The concrete backends compiled into this build.
    ///
    /// ```
    /// use ember::DeviceChoice;
    /// assert!(DeviceChoice::compiled().contains(&DeviceChoice::Flex)); // the default feature
    /// ```
    pub fn compiled() -> Vec<Self> {
        [Self::Flex, Self::Ndarray, Self::Wgpu]
            .into_iter()
            .filter(|c| c.is_compiled())
            .collect()
    }

    /// Whether this backend is compiled in (`auto` always is).
    ///
    /// ```
    /// assert!(ember::DeviceChoice::Auto.is_compiled());
    /// ```
    pub fn is_compiled(self) -> bool {
        match self {
            Self::Auto => true,
            Self::Flex => cfg!(feature = "flex"),
            Self::Ndarray => cfg!(feature = "ndarray"),
            Self::Wgpu => cfg!(feature = "wgpu"),
        }
    }

    /// The device, or an error saying why not. For `wgpu` the adapter is looked for up front,
    /// so a machine without one gets [`DeviceError::NoAdapter`] rather than a panic later.
    ///
    /// ```
    /// let device = ember::DeviceChoice::Flex.device()?;
    /// # let _ = device;
    /// # Ok::<(), ember::DeviceError>(())
    /// ```
    pub fn device(self) -> Result<Device, DeviceError> {
        match self {
            Self::Auto => auto(),
            Self::Flex => flex(),
            Self::Ndarray => ndarray(),
            Self::Wgpu => wgpu::device().map(|(device, _)| device),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Flex => "flex",
            Self::Ndarray => "ndarray",
            Self::Wgpu => "wgpu",
        })
    }
}

impl FromStr for DeviceChoice {
    type Err = DeviceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.to_string().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| DeviceError::Unknown(s.to_string()))
    }
}

/// The adapter wgpu runs on, in words (name, kind, graphics API, driver), and whether it is
/// real hardware rather than a software rasteriser such as Mesa's lavapipe; an error saying
/// why there is none (or that wgpu is not compiled in).
///
/// ```
/// match ember::wgpu_adapter() {
///     Ok((words, _hardware)) => assert!(!words.is_empty()),
///     Err(e) => assert!(!e.to_string().is_empty()),
/// }
/// ```
pub fn wgpu_adapter() -> Result<(String, bool), DeviceError> {
    wgpu::adapter()
}

fn auto() -> Result<Device, DeviceError> {
    if DeviceChoice::Wgpu.is_compiled()
        && let Ok((device, true)) = wgpu::device()
    {
        return Ok(device);
    }
    flex()
        .or_else(|_| ndarray())
        .map_err(|_| DeviceError::NoBackend)
}

#[cfg(feature = "flex")]
fn flex() -> Result<Device, DeviceError> {
    Ok(Device::flex())
}

#[cfg(not(feature = "flex"))]
fn flex() -> Result<Device, DeviceError> {
    Err(DeviceError::NotCompiled {
        choice: DeviceChoice::Flex,
    })
}

#[cfg(feature = "ndarray")]
// burn deprecates ndarray in favour of flex; our users asked to keep it, so we do, knowingly.
#[allow(deprecated)]
fn ndarray() -> Result<Device, DeviceError> {
    Ok(Device::ndarray())
}

#[cfg(not(feature = "ndarray"))]
fn ndarray() -> Result<Device, DeviceError> {
    Err(DeviceError::NotCompiled {
        choice: DeviceChoice::Ndarray,
    })
}

#[cfg(feature = "wgpu")]
mod wgpu {
    //! wgpu, initialised once per process on a native graphics API (never GL, which deadlocks
    //! without a driver).

    use std::sync::OnceLock;

    use burn::tensor::Device;
    use burn::tensor::wgpu::WgpuBackend;
    use burn::tensor::wgpu::wgpu::DeviceType;

    use super::DeviceError;

    /// The native APIs to try, best first.
    fn native_apis() -> &'static [WgpuBackend] {
        if cfg!(target_os = "macos") {
            &[WgpuBackend::Metal]
        } else if cfg!(target_os = "windows") {
            &[WgpuBackend::Dx12, WgpuBackend::Vulkan]
        } else {
            &[WgpuBackend::Vulkan]
        }
    }

    /// The wgpu device, whether its adapter is real hardware (not a software rasteriser), and
    /// the adapter in words.
    fn init() -> &'static Result<(Device, bool, String), String> {
        static DEVICE: OnceLock<Result<(Device, bool, String), String>> = OnceLock::new();
        DEVICE.get_or_init(|| {
            let mut errors = Vec::new();
            for &api in native_apis() {
                match Device::wgpu_options().graphics_api(api).init_with_setup() {
                    Ok((device, setup)) => {
                        let info = setup.adapter.get_info();
                        let hardware = matches!(
                            info.device_type,
                            DeviceType::DiscreteGpu | DeviceType::IntegratedGpu
                        );
                        let driver = [info.driver.as_str(), info.driver_info.as_str()]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(" ");
                        let words = format!(
                            "{} ({:?}, {:?}, driver {driver})",
                            info.name, info.device_type, info.backend
                        );
                        return Ok((device, hardware, words));
                    }
                    Err(e) => errors.push(format!("{api:?}: {e}")),
                }
            }
            Err(errors.join("; "))
        })
    }

    /// The wgpu device and whether its adapter is real hardware (not a software rasteriser).
    pub(super) fn device() -> Result<(Device, bool), DeviceError> {
        match init() {
            Ok((device, hardware, _)) => Ok((device.clone(), *hardware)),
            Err(e) => Err(DeviceError::NoAdapter(e.clone())),
        }
    }

    /// The adapter wgpu runs on, in words, and whether it is real hardware.
    pub(super) fn adapter() -> Result<(String, bool), DeviceError> {
        match init() {
            Ok((_, hardware, words)) => Ok((words.clone(), *hardware)),
            Err(e) => Err(DeviceError::NoAdapter(e.clone())),
        }
    }
}

#[cfg(not(feature = "wgpu"))]
mod wgpu {
    use burn::tensor::Device;

    use super::{DeviceChoice, DeviceError};

    pub(super) fn device() -> Result<(Device, bool), DeviceError> {
        Err(DeviceError::NotCompiled {
            choice: DeviceChoice::Wgpu,
        })
    }

    pub(super) fn adapter() -> Result<(String, bool), DeviceError> {
        device().map(|_| (String::new(), false))
    }
}
