//! Filling missing values with the training mean.

use serde::{Deserialize, Serialize};

use super::{check_not_empty, map_columns};
use crate::{DataError, Matrix, Scalar};

/// Replaces NaN (a missing value read with [`Missing::Keep`](crate::csv::Missing::Keep)) by the
/// column's mean over the training rows that have it, like scikit-learn's
/// `SimpleImputer(strategy="mean")`. Fit on the training split only.
///
/// ```
/// use ember_data::{Matrix, preprocessing::MeanImputer};
///
/// let train = Matrix::from_rows(&[[1.0], [f64::NAN], [5.0]])?;
/// let imputer = MeanImputer::fit(&train)?;
/// assert_eq!(imputer.means(), &[3.0]);
/// let test = Matrix::column(vec![f64::NAN, 7.0]);
/// assert_eq!(imputer.transform(&test)?.as_slice(), &[3.0, 7.0]);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeanImputer {
    means: Vec<f64>,
}

impl MeanImputer {
    /// Learns each column's mean, ignoring NaN. A column with no value at all is an error.
    ///
    /// ```
    /// use ember_data::{Matrix, preprocessing::MeanImputer};
    /// let err = MeanImputer::fit(&Matrix::from_rows(&[[1.0, f64::NAN]])?).unwrap_err();
    /// assert!(err.to_string().contains("column 1"));
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn fit<T: Scalar>(x: &Matrix<T>) -> Result<Self, DataError> {
        check_not_empty(x)?;
        let mut sums = vec![0.0; x.n_cols()];
        let mut counts = vec![0usize; x.n_cols()];
        for (i, row) in x.rows().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let v = v.to_f64();
                if v.is_nan() {
                    continue;
                }
                if v.is_infinite() {
                    return Err(DataError::NonFinite {
                        what: "X",
                        row: i,
                        column: j,
                        value: v,
                    });
                }
                sums[j] += v;
                counts[j] += 1;
            }
        }
        let means = sums
            .iter()
            .zip(&counts)
            .enumerate()
            .map(|(j, (s, &c))| {
                if c == 0 {
                    Err(DataError::InvalidParameter {
                        name: "X",
                        message: format!("column {j} has no values to take a mean of"),
                    })
                } else {
                    Ok(s / c as f64)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { means })
    }

    /// The per-column means learnt by [`fit`](Self::fit).
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::MeanImputer};
    /// assert_eq!(MeanImputer::fit(&Matrix::column(vec![1.0, 2.0]))?.means(), &[1.5]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// `x` with every NaN replaced by its column's mean.
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::MeanImputer};
    /// let imputer = MeanImputer::fit(&Matrix::column(vec![1.0, 2.0]))?;
    /// assert!(imputer.transform(&Matrix::<f64>::zeros(1, 2)).is_err());
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn transform<T: Scalar>(&self, x: &Matrix<T>) -> Result<Matrix<T>, DataError> {
        map_columns(x, self.means.len(), |j, v| {
            if v.is_nan() { self.means[j] } else { v }
        })
    }
}
