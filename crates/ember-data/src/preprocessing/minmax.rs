//! Min-max scaling to a range.

use serde::{Deserialize, Serialize};

use super::{check_not_empty, map_columns, same_lengths};
use crate::{DataError, Matrix, Scalar};

/// Scales each column to `feature_range` (default `[0, 1]`), like scikit-learn's
/// `MinMaxScaler`: `x · scale + min` with `scale = (hi - lo) / (max - min)` and
/// `min = lo - data_min · scale`; a constant column gets range 1.
///
/// ```
/// use ember_data::{Matrix, preprocessing::MinMaxScaler};
///
/// let x = Matrix::from_rows(&[[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])?;
/// let scaler = MinMaxScaler::fit(&x)?;
/// assert_eq!(scaler.transform(&x)?.as_slice(), &[0.0, 0.0, 0.5, 0.0, 1.0, 0.0]);
/// let wide = MinMaxScaler::fit_range(&x, (-1.0, 1.0))?;
/// assert_eq!(wide.transform(&x)?.get(0, 0), -1.0);
/// assert_eq!(scaler.inverse_transform(&scaler.transform(&x)?)?, x);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MinMaxParts")]
pub struct MinMaxScaler {
    feature_range: (f64, f64),
    data_min: Vec<f64>,
    data_max: Vec<f64>,
    scale: Vec<f64>,
    min: Vec<f64>,
}

/// A scaler as read, checked into a [`MinMaxScaler`] (every per-feature list as long).
#[derive(Deserialize)]
struct MinMaxParts {
    feature_range: (f64, f64),
    data_min: Vec<f64>,
    data_max: Vec<f64>,
    scale: Vec<f64>,
    min: Vec<f64>,
}

impl TryFrom<MinMaxParts> for MinMaxScaler {
    type Error = DataError;

    fn try_from(p: MinMaxParts) -> Result<Self, DataError> {
        same_lengths(
            "min-max scaler",
            &[&p.data_min, &p.data_max, &p.scale, &p.min],
        )?;
        Ok(Self {
            feature_range: p.feature_range,
            data_min: p.data_min,
            data_max: p.data_max,
            scale: p.scale,
            min: p.min,
        })
    }
}

impl MinMaxScaler {
    /// Learns each column's minimum and maximum, for the range `[0, 1]`.
    ///
    /// ```
    /// use ember_data::{Matrix, preprocessing::MinMaxScaler};
    /// assert!(MinMaxScaler::fit(&Matrix::<f32>::zeros(0, 2)).is_err());
    /// ```
    pub fn fit<T: Scalar>(x: &Matrix<T>) -> Result<Self, DataError> {
        Self::fit_range(x, (0.0, 1.0))
    }

    /// Learns each column's minimum and maximum, for the range `[lo, hi]` (`lo < hi`).
    ///
    /// ```
    /// use ember_data::{Matrix, preprocessing::MinMaxScaler};
    /// assert!(MinMaxScaler::fit_range(&Matrix::column(vec![1.0, 2.0]), (1.0, 0.0)).is_err());
    /// ```
    pub fn fit_range<T: Scalar>(
        x: &Matrix<T>,
        feature_range: (f64, f64),
    ) -> Result<Self, DataError> {
        let (lo, hi) = feature_range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(DataError::InvalidParameter {
                name: "feature_range",
                message: format!("must be finite with min < max, got ({lo}, {hi})"),
            });
        }
        check_not_empty(x)?;
        x.check_finite("X")?;
        let mut data_min = vec![f64::INFINITY; x.n_cols()];
        let mut data_max = vec![f64::NEG_INFINITY; x.n_cols()];
        for row in x.rows() {
            for (j, v) in row.iter().enumerate() {
                data_min[j] = data_min[j].min(v.to_f64());
                data_max[j] = data_max[j].max(v.to_f64());
            }
        }
        let scale: Vec<f64> = data_min
            .iter()
            .zip(&data_max)
            .map(|(a, b)| {
                let range = b - a;
                // scikit-learn's `_handle_zeros_in_scale`.
                (hi - lo)
                    / if range < 10.0 * f64::EPSILON {
                        1.0
                    } else {
                        range
                    }
            })
            .collect();
        let min = data_min
            .iter()
            .zip(&scale)
            .map(|(m, s)| lo - m * s)
            .collect();
        Ok(Self {
            feature_range,
            data_min,
            data_max,
            scale,
            min,
        })
    }

    /// Per-column minimum seen in training.
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::MinMaxScaler};
    /// assert_eq!(MinMaxScaler::fit(&Matrix::column(vec![2.0, 4.0]))?.data_min(), &[2.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn data_min(&self) -> &[f64] {
        &self.data_min
    }

    /// Per-column maximum seen in training.
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::MinMaxScaler};
    /// assert_eq!(MinMaxScaler::fit(&Matrix::column(vec![2.0, 4.0]))?.data_max(), &[4.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn data_max(&self) -> &[f64] {
        &self.data_max
    }

    /// The target range.
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::MinMaxScaler};
    /// assert_eq!(MinMaxScaler::fit(&Matrix::column(vec![2.0, 4.0]))?.feature_range(), (0.0, 1.0));
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn feature_range(&self) -> (f64, f64) {
        self.feature_range
    }

    /// `x · scale + min`, column by column (values outside the training range land outside
    /// the target range, as in scikit-learn without `clip`).
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::MinMaxScaler};
    /// let s = MinMaxScaler::fit(&Matrix::column(vec![0.0, 10.0]))?;
    /// assert_eq!(s.transform(&Matrix::column(vec![20.0]))?.as_slice(), &[2.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn transform<T: Scalar>(&self, x: &Matrix<T>) -> Result<Matrix<T>, DataError> {
        map_columns(x, self.scale.len(), |j, v| v * self.scale[j] + self.min[j])
    }

    /// `(z - min) / scale`, undoing [`transform`](Self::transform).
    ///
    /// ```
    /// # use ember_data::{Matrix, preprocessing::MinMaxScaler};
    /// let s = MinMaxScaler::fit(&Matrix::column(vec![0.0, 10.0]))?;
    /// assert_eq!(s.inverse_transform(&Matrix::column(vec![0.5]))?.as_slice(), &[5.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn inverse_transform<T: Scalar>(&self, z: &Matrix<T>) -> Result<Matrix<T>, DataError> {
        map_columns(z, self.scale.len(), |j, v| {
            (v - self.min[j]) / self.scale[j]
        })
    }
}
