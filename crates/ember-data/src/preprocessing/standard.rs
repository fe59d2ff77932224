//! Standardisation: zero mean, unit variance.

use serde::{Deserialize, Serialize};

use super::{map_columns, same_lengths};
use crate::{DataError, Matrix, Scalar};

/// Standardisation to zero mean and unit variance, per column, like scikit-learn's
/// `StandardScaler` (population standard deviation; a constant column is left unscaled).
///
/// ```
/// use ember_data::{Matrix, preprocessing::StandardScaler};
///
/// let x = Matrix::from_rows(&[[1.0, 5.0], [3.0, 5.0]])?;
/// let scaler = StandardScaler::fit(&x)?;
/// assert_eq!(scaler.mean(), &[2.0, 5.0]);
/// assert_eq!(scaler.scale(), &[1.0, 1.0]);
/// let z = scaler.transform(&x)?;
/// assert_eq!(z.as_slice(), &[-1.0, 0.0, 1.0, 0.0]);
/// assert_eq!(scaler.inverse_transform(&z)?, x);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StandardParts")]
pub struct StandardScaler {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

/// A scaler as read, checked into a [`StandardScaler`] (one mean and scale per feature).
#[derive(Deserialize)]
struct StandardParts {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

impl TryFrom<StandardParts> for StandardScaler {
    type Error = DataError;

    fn try_from(p: StandardParts) -> Result<Self, DataError> {
        same_lengths("standard scaler", &[&p.mean, &p.scale])?;
        Ok(Self {
            mean: p.mean,
            scale: p.scale,
        })
    }
}

impl StandardScaler {
    /// Learns each column's mean and standard deviation.
    ///
    /// ```
    /// use ember_data::{Matrix, preprocessing::StandardScaler};
    /// assert!(StandardScaler::fit(&Matrix::<f64>::zeros(0, 3)).is_err());
    /// ```
    pub fn fit<T: Scalar>(x: &Matrix<T>) -> Result<Self, DataError> {
        if x.n_rows() == 0 || x.n_cols() == 0 {
            return Err(DataError::Empty("X"));
        }
        x.check_finite("X")?;
        let mean = x.column_means();
        let mut var = vec![0.0; x.n_cols()];
        for row in x.rows() {
            for ((v, m), s) in row.iter().zip(&mean).zip(var.iter_mut()) {
                *s += (v.to_f64() - m) * (v.to_f64() - m);
            }
        }
        let n = x.n_rows() as f64;
        let scale = var
            .into_iter()
            .zip(&mean)
            .map(|(s, m)| {
                let var = s / n;
                // scikit-learn's `_is_constant_feature`: a variance within rounding of zero
                // marks a constant column, which is left unscaled.
                let bound = n * f64::EPSILON * var + (n * m * f64::EPSILON).powi(2);
                if var <= bound { 1.0 } else { var.sqrt() }
            })
            .collect();
        Ok(Self { mean, scale })
    }

    /// Per-column means learnt by [`fit`](Self::fit).
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::StandardScaler};
    /// let s = StandardScaler::fit(&Matrix::column(vec![1.0, 3.0]))?;
    /// assert_eq!(s.mean(), &[2.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Per-column standard deviations (1 for constant columns).
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::StandardScaler};
    /// let s = StandardScaler::fit(&Matrix::column(vec![1.0, 3.0]))?;
    /// assert_eq!(s.scale(), &[1.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn scale(&self) -> &[f64] {
        &self.scale
    }

    /// `(x - mean) / scale`, column by column.
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::StandardScaler};
    /// let s = StandardScaler::fit(&Matrix::column(vec![1.0, 3.0]))?;
    /// assert!(s.transform(&Matrix::<f64>::zeros(1, 2)).is_err()); // wrong number of columns
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn transform<T: Scalar>(&self, x: &Matrix<T>) -> Result<Matrix<T>, DataError> {
        map_columns(x, self.mean.len(), |j, v| {
            (v - self.mean[j]) / self.scale[j]
        })
    }

    /// `z · scale + mean`, undoing [`transform`](Self::transform).
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::StandardScaler};
    /// let s = StandardScaler::fit(&Matrix::column(vec![1.0, 3.0]))?;
    /// assert_eq!(s.inverse_transform(&Matrix::column(vec![1.0]))?.as_slice(), &[3.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn inverse_transform<T: Scalar>(&self, z: &Matrix<T>) -> Result<Matrix<T>, DataError> {
        map_columns(z, self.mean.len(), |j, v| v * self.scale[j] + self.mean[j])
    }
}
