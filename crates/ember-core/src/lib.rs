//! What every ember crate shares, each written once: [`write_file_atomically`] and
//! [`replace_atomically`] (a unique temporary name, the file synced, renamed into place, the
//! directory synced), [`Problems`] (every invalid setting of a config at once, each naming its
//! field), and [`probabilities`] / [`argmax`] (class probabilities from raw outputs, and the
//! most probable class, the first on ties).

mod atomic;
mod classes;
mod problems;

pub use atomic::{replace_atomically, write_file_atomically};
pub use classes::{argmax, argmax_rows, probabilities};
pub use problems::{Problem, Problems};
