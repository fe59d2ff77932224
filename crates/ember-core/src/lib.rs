//! What every ember crate shares, each written once: [`write_file_atomically`] and
//! [`replace_atomically`] (a unique temporary name, the file synced, renamed into place, the
//! directory synced), [`Problems`] (every invalid setting of a config at once, each naming its
//! field), and [`probabilities`] / [`argmax`] (class probabilities from raw outputs, and the
//! most probable class, the first on ties), and [`read_back`] (a tensor's values on the host, a
//! backend failure as a [`DeviceError`]) with [`is_cpu`] / [`is_flex`] (which backend a device
//! is), and the error kinds trainers share ([`Diverged`]).

mod atomic;
mod classes;
mod device;
mod diverged;
mod problems;
pub mod protobuf;

pub use atomic::{replace_atomically, write_file_atomically};
pub use classes::{argmax, argmax_rows, argmin_rows, probabilities};
pub use device::DeviceError;
#[cfg(feature = "tensors")]
pub use device::{is_cpu, is_flex, read_back};
pub use diverged::Diverged;
pub use problems::{Problem, Problems};
