//! A dense, row-major matrix on the host (`f64` or `f32`): the form data takes before it goes to a device.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{DataError, Scalar};

/// A dense row-major matrix of `f64` (the default) or `f32` (rows are samples, columns are
/// features or targets).
///
/// ```
/// use ember_data::Matrix;
///
/// let x = Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])?;
/// assert_eq!(x.shape(), (3, 2));
/// assert_eq!(x.row(1), &[3.0, 4.0]);
/// assert_eq!(x.column_values(1), vec![2.0, 4.0, 6.0]);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Scalar", try_from = "MatrixParts<T>")]
pub struct Matrix<T = f64> {
    n_rows: usize,
    n_cols: usize,
    data: Vec<T>,
}

/// A matrix as read, checked into a [`Matrix`] (its values must fill its shape).
#[derive(Deserialize)]
#[serde(bound = "T: Scalar")]
struct MatrixParts<T> {
    n_rows: usize,
    n_cols: usize,
    data: Vec<T>,
}

impl<T: Scalar> TryFrom<MatrixParts<T>> for Matrix<T> {
    type Error = DataError;

    fn try_from(p: MatrixParts<T>) -> Result<Self, DataError> {
        Self::new(p.n_rows, p.n_cols, p.data)
    }
}

impl<T: Scalar> Matrix<T> {
    /// A matrix from row-major values; `data.len()` must be `n_rows × n_cols`.
    ///
    /// ```
    /// let m = ember_data::Matrix::new(2, 3, vec![0.0; 6])?;
    /// assert_eq!(m.n_cols(), 3);
    /// assert!(ember_data::Matrix::new(2, 3, vec![0.0; 5]).is_err());
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn new(n_rows: usize, n_cols: usize, data: Vec<T>) -> Result<Self, DataError> {
        let expected = n_rows
            .checked_mul(n_cols)
            .ok_or_else(|| DataError::InvalidParameter {
                name: "shape",
                message: format!("{n_rows}×{n_cols} overflows"),
            })?;
        if data.len() != expected {
            return Err(DataError::Shape {
                what: "matrix",
                rows: n_rows,
                cols: n_cols,
                expected,
                got: data.len(),
            });
        }
        Ok(Self {
            n_rows,
            n_cols,
            data,
        })
    }

    /// A matrix from rows, all of the same length.
    ///
    /// ```
    /// let m = ember_data::Matrix::from_rows(&[vec![1.0], vec![2.0]])?;
    /// assert_eq!(m.shape(), (2, 1));
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn from_rows<R: AsRef<[T]>>(rows: &[R]) -> Result<Self, DataError> {
        let n_cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * n_cols);
        for (i, row) in rows.iter().enumerate() {
            let row = row.as_ref();
            if row.len() != n_cols {
                return Err(DataError::Ragged {
                    row: i,
                    expected: n_cols,
                    got: row.len(),
                });
            }
            data.extend_from_slice(row);
        }
        Ok(Self {
            n_rows: rows.len(),
            n_cols,
            data,
        })
    }

    /// A single-column matrix (one feature or one target).
    ///
    /// ```
    /// let y = ember_data::Matrix::column(vec![1.0, 2.0, 3.0]);
    /// assert_eq!(y.shape(), (3, 1));
    /// ```
    pub fn column(values: Vec<T>) -> Self {
        Self {
            n_rows: values.len(),
            n_cols: 1,
            data: values,
        }
    }

    /// A matrix of zeros.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::<f64>::zeros(2, 2).as_slice(), &[0.0; 4]);
    /// ```
    pub fn zeros(n_rows: usize, n_cols: usize) -> Self {
        Self {
            n_rows,
            n_cols,
            data: vec![T::default(); n_rows * n_cols],
        }
    }

    /// A matrix whose element `(i, j)` is `f(i, j)`.
    ///
    /// ```
    /// let m = ember_data::Matrix::from_fn(2, 2, |i, j| (i * 2 + j) as f64);
    /// assert_eq!(m.as_slice(), &[0.0, 1.0, 2.0, 3.0]);
    /// ```
    pub fn from_fn(n_rows: usize, n_cols: usize, mut f: impl FnMut(usize, usize) -> T) -> Self {
        let data = (0..n_rows * n_cols)
            .map(|k| f(k / n_cols.max(1), k % n_cols.max(1)))
            .collect();
        Self {
            n_rows,
            n_cols,
            data,
        }
    }

    /// Number of rows.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::<f64>::zeros(4, 1).n_rows(), 4);
    /// ```
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::<f64>::zeros(4, 1).n_cols(), 1);
    /// ```
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// `(rows, columns)`.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::<f64>::zeros(4, 1).shape(), (4, 1));
    /// ```
    pub fn shape(&self) -> (usize, usize) {
        (self.n_rows, self.n_cols)
    }

    /// The row-major values.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::column(vec![1.0]).as_slice(), &[1.0]);
    /// ```
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// The row-major values, mutable.
    ///
    /// ```
    /// let mut m = ember_data::Matrix::<f64>::zeros(1, 1);
    /// m.as_mut_slice()[0] = 2.0;
    /// assert_eq!(m.get(0, 0), 2.0);
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// The row-major values, by value.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::column(vec![1.0]).into_vec(), vec![1.0]);
    /// ```
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }

    /// Element `(i, j)`; panics when out of range, like slice indexing.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::from_fn(2, 2, |i, j| (i + j) as f64).get(1, 1), 2.0);
    /// ```
    pub fn get(&self, i: usize, j: usize) -> T {
        assert!(
            i < self.n_rows && j < self.n_cols,
            "index ({i}, {j}) out of range"
        );
        self.data[i * self.n_cols + j]
    }

    /// Row `i` as a slice.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::from_fn(2, 2, |i, _| i as f64).row(1), &[1.0, 1.0]);
    /// ```
    pub fn row(&self, i: usize) -> &[T] {
        &self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }

    /// Iterator over the rows.
    ///
    /// ```
    /// let m = ember_data::Matrix::from_fn(3, 1, |i, _| i as f64);
    /// assert_eq!(m.rows().map(|r| r[0]).sum::<f64>(), 3.0);
    /// ```
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[T]> {
        // `chunks_exact(0)` panics; a matrix without columns has rows of nothing.
        let width = self.n_cols.max(1);
        let rows = if self.n_cols == 0 { 0 } else { self.n_rows };
        self.data.chunks_exact(width).take(rows)
    }

    /// Column `j` copied out.
    ///
    /// ```
    /// assert_eq!(ember_data::Matrix::from_fn(2, 2, |i, j| (i * 2 + j) as f64).column_values(0), vec![0.0, 2.0]);
    /// ```
    pub fn column_values(&self, j: usize) -> Vec<T> {
        self.data
            .iter()
            .skip(j)
            .step_by(self.n_cols.max(1))
            .copied()
            .collect()
    }

    /// The rows at `indices`, in that order.
    ///
    /// ```
    /// let m = ember_data::Matrix::column(vec![10.0, 11.0, 12.0]);
    /// assert_eq!(m.select_rows(&[2, 0]).as_slice(), &[12.0, 10.0]);
    /// ```
    pub fn select_rows(&self, indices: &[usize]) -> Self {
        let mut data = Vec::with_capacity(indices.len() * self.n_cols);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        Self {
            n_rows: indices.len(),
            n_cols: self.n_cols,
            data,
        }
    }

    /// An error naming the first NaN or infinite value, by row and column.
    ///
    /// ```
    /// let m = ember_data::Matrix::from_rows(&[[1.0, f64::NAN]])?;
    /// assert_eq!(m.check_finite("X").unwrap_err().to_string(), "X has a non-finite value (NaN) at row 0, column 1");
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn check_finite(&self, what: &'static str) -> Result<(), DataError> {
        match self.data.iter().position(|v| !v.finite()) {
            None => Ok(()),
            Some(k) => Err(DataError::NonFinite {
                what,
                row: k / self.n_cols,
                column: k % self.n_cols,
                value: self.data[k].to_f64(),
            }),
        }
    }

    /// The same values converted to another element type (`f64` → `f32` rounds to nearest).
    ///
    /// ```
    /// let m = ember_data::Matrix::column(vec![0.1_f64]);
    /// assert_eq!(m.cast::<f32>().as_slice(), &[0.1_f32]);
    /// ```
    pub fn cast<U: Scalar>(&self) -> Matrix<U> {
        Matrix {
            n_rows: self.n_rows,
            n_cols: self.n_cols,
            data: self.data.iter().map(|v| U::from_f64(v.to_f64())).collect(),
        }
    }

    /// Mean of each column, accumulated in `f64`.
    ///
    /// ```
    /// let m = ember_data::Matrix::from_rows(&[[1.0, 10.0], [3.0, 20.0]])?;
    /// assert_eq!(m.column_means(), vec![2.0, 15.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn column_means(&self) -> Vec<f64> {
        let n = self.n_rows as f64;
        self.column_sums(|v| v).into_iter().map(|s| s / n).collect()
    }

    /// Each column's sum of absolute values in `f64`: finite exactly when the column's values
    /// are finite and their sum stays within `f64`'s range, so one pass checks both.
    ///
    /// ```
    /// let m = ember_data::Matrix::from_rows(&[[1.0, -10.0], [-3.0, f64::NAN]])?;
    /// let sums = m.column_abs_sums();
    /// assert_eq!(sums[0], 4.0);
    /// assert!(sums[1].is_nan());
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn column_abs_sums(&self) -> Vec<f64> {
        self.column_sums(f64::abs)
    }

    /// Each column's sum of `f(value)`, in parallel over blocks of rows (a full pass over the
    /// data on the hot path of the closed-form fits), blocks added in order so that the sums
    /// have the same bits whatever the threads do.
    fn column_sums(&self, f: impl Fn(f64) -> f64 + Sync) -> Vec<f64> {
        let cols = self.n_cols;
        let width = cols.max(1);
        let block_sums: Vec<Vec<f64>> = self
            .data
            .par_chunks(width * 4096)
            .map(|block| {
                block
                    .chunks_exact(width)
                    .fold(vec![0.0; cols], |mut acc, row| {
                        acc.iter_mut()
                            .zip(row)
                            .for_each(|(a, v)| *a += f(v.to_f64()));
                        acc
                    })
            })
            .collect();
        block_sums.into_iter().fold(vec![0.0; cols], |mut a, b| {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
            a
        })
    }
}
