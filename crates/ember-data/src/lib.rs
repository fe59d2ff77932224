//! Data for ember: a host matrix type (`f64` or `f32`), data sets with names and class labels,
//! CSV and IDX readers, small real data sets bundled for offline use, generators with
//! scikit-learn's semantics, seeded splits and folds, preprocessing fitted on training data, and
//! burn data loaders that batch onto a device.
//!
//! ```
//! use ember_data::{generators::seed_line, split::train_test_split};
//!
//! let data = seed_line(100, 42);
//! let (train, test) = train_test_split(&data, 0.2, 0)?;
//! assert_eq!((train.n_samples(), test.n_samples()), (80, 20));
//!
//! let iris = ember_data::load("iris")?;
//! assert_eq!(iris.n_samples(), 150);
//! # Ok::<(), ember_data::DataError>(())
//! ```

#[cfg(feature = "ndarray")]
mod arrays;
pub mod batches;
pub mod bundled;
pub mod csv;
mod dataset;
mod error;
pub mod folds;
pub mod generators;
pub mod idx;
mod labels;
mod matrix;
mod names;
pub mod preprocessing;
pub mod rowfile;
mod scalar;
pub mod split;

pub use bundled::load;
pub use dataset::Dataset;
pub use error::DataError;
pub use labels::{LabelEncoder, class_index, first_non_class};
pub use matrix::Matrix;
pub use names::did_you_mean;
pub use rowfile::{RowFile, RowFileWriter};
pub use scalar::Scalar;
