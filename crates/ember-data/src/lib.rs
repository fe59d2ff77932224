//! Data for ember: a host matrix type, data sets with names, generators with scikit-learn's
//! semantics, seeded splits and scalers, and small real data sets bundled for offline use.
//!
//! ```
//! use ember_data::{generators::seed_line, split::train_test_split};
//!
//! let data = seed_line(100, 42);
//! let (train, test) = train_test_split(&data, 0.2, 0)?;
//! assert_eq!((train.n_samples(), test.n_samples()), (80, 20));
//! # Ok::<(), ember_data::DataError>(())
//! ```

pub mod bundled;
mod dataset;
mod error;
pub mod generators;
mod matrix;
pub mod scaler;
pub mod split;

pub use dataset::Dataset;
pub use error::DataError;
pub use matrix::Matrix;
