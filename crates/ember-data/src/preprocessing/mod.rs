//! Preprocessing fitted on training data only and applied to any split: standardisation,
//! min-max scaling, mean imputation. Each is serialisable, so a saved model carries its
//! preprocessing.
//!
//! ```
//! use ember_data::{Matrix, preprocessing::{MeanImputer, MinMaxScaler}};
//!
//! let train = Matrix::from_rows(&[[1.0, f64::NAN], [3.0, 4.0], [5.0, 8.0]])?;
//! let imputer = MeanImputer::fit(&train)?;
//! let filled = imputer.transform(&train)?;
//! assert_eq!(filled.row(0), &[1.0, 6.0]);
//! let scaler = MinMaxScaler::fit(&filled)?;
//! assert_eq!(scaler.transform(&filled)?.row(2), &[1.0, 1.0]);
//! # Ok::<(), ember_data::DataError>(())
//! ```

mod impute;
mod minmax;
mod standard;

pub use impute::MeanImputer;
pub use minmax::MinMaxScaler;
pub use standard::StandardScaler;

use crate::{DataError, Matrix, Scalar};

/// `f(column, value)` applied to every element, computed in `f64`; `x` must have `n_cols`
/// columns.
fn map_columns<T: Scalar>(
    x: &Matrix<T>,
    n_cols: usize,
    f: impl Fn(usize, f64) -> f64,
) -> Result<Matrix<T>, DataError> {
    if x.n_cols() != n_cols {
        return Err(DataError::Mismatch {
            what: "columns of X vs columns the transform was fitted on",
            left: x.n_cols(),
            right: n_cols,
        });
    }
    let data = x
        .as_slice()
        .iter()
        .enumerate()
        .map(|(k, &v)| T::from_f64(f(k % n_cols, v.to_f64())))
        .collect();
    Matrix::new(x.n_rows(), n_cols, data)
}

/// An error when `x` has no rows or no columns.
fn check_not_empty<T: Scalar>(x: &Matrix<T>) -> Result<(), DataError> {
    if x.n_rows() == 0 || x.n_cols() == 0 {
        return Err(DataError::Empty("X"));
    }
    Ok(())
}

/// An error unless every per-feature list of a deserialised `what` has the same length.
fn same_lengths(what: &str, lists: &[&Vec<f64>]) -> Result<(), DataError> {
    let n = lists.first().map_or(0, |l| l.len());
    if lists.iter().any(|l| l.len() != n) {
        let lengths: Vec<String> = lists.iter().map(|l| l.len().to_string()).collect();
        return Err(DataError::InvalidParameter {
            name: "scaler",
            message: format!(
                "{what}: per-feature lists of different lengths ({})",
                lengths.join(", ")
            ),
        });
    }
    Ok(())
}
