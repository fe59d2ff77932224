//! ndarray in and out (feature `ndarray`): a [`Matrix`] from an `Array2` or any 2-D view, and
//! back; a [`Dataset`] from features and targets as arrays — the types linfa and most numeric
//! Rust code pass around. Owned row-major arrays move in and out without a copy, and
//! [`Matrix::view`] borrows a matrix as an `ArrayView2`.

use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::{DataError, Dataset, Matrix, Scalar};

impl<T: Scalar> From<Array2<T>> for Matrix<T> {
    /// Without a copy when the array is in standard (row-major) layout; a column-major or
    /// strided array is copied into row order.
    ///
    /// ```
    /// use ember_data::Matrix;
    /// let a = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
    /// let m = Matrix::from(a.clone());
    /// assert_eq!(m.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    /// let t = Matrix::from(a.reversed_axes()); // column-major: copied in row order
    /// assert_eq!(t.as_slice(), &[1.0, 3.0, 2.0, 4.0]);
    /// ```
    fn from(array: Array2<T>) -> Self {
        let (rows, cols) = array.dim();
        let values = if array.is_standard_layout() {
            let (values, offset) = array.into_raw_vec_and_offset();
            match offset {
                Some(0) | None => values,
                Some(start) => values[start..start + rows * cols].to_vec(),
            }
        } else {
            array.iter().copied().collect()
        };
        Self::new(rows, cols, values).unwrap_or_else(|_| Self::zeros(rows, cols))
    }
}

impl<T: Scalar> From<ArrayView2<'_, T>> for Matrix<T> {
    /// A copy of the view's values in row order (any strides: a slice, a transpose).
    ///
    /// ```
    /// use ember_data::Matrix;
    /// let a = ndarray::array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
    /// let m = Matrix::from(a.slice(ndarray::s![.., 1..]));
    /// assert_eq!((m.shape(), m.as_slice()), ((2, 2), &[2.0, 3.0, 5.0, 6.0][..]));
    /// ```
    fn from(view: ArrayView2<'_, T>) -> Self {
        let (rows, cols) = view.dim();
        let values: Vec<T> = view.iter().copied().collect();
        Self::new(rows, cols, values).unwrap_or_else(|_| Self::zeros(rows, cols))
    }
}

impl<T: Scalar> From<Matrix<T>> for Array2<T> {
    /// Without a copy.
    ///
    /// ```
    /// use ember_data::Matrix;
    /// let a: ndarray::Array2<f64> = Matrix::from_rows(&[[1.0, 2.0]])?.into();
    /// assert_eq!(a, ndarray::array![[1.0, 2.0]]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    fn from(m: Matrix<T>) -> Self {
        let shape = m.shape();
        let values = m.into_vec();
        // A matrix's values are rows × cols by construction.
        Array2::from_shape_vec(shape, values)
            .unwrap_or_else(|_| Array2::from_elem(shape, T::from_f64(0.0)))
    }
}

impl<T: Scalar> Matrix<T> {
    /// The matrix as an ndarray view, without a copy.
    ///
    /// ```
    /// let m = ember_data::Matrix::from_rows(&[[1.0, 2.0], [3.0, 4.0]])?;
    /// let v = m.view();
    /// assert_eq!(v[[1, 0]], 3.0);
    /// assert!(std::ptr::eq(v.as_ptr(), m.as_slice().as_ptr()));
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn view(&self) -> ArrayView2<'_, T> {
        let (rows, cols) = self.shape();
        ArrayView2::from_shape((rows, cols), self.as_slice())
            .unwrap_or_else(|_| ArrayView2::from_shape((0, 0), &[]).expect("an empty view"))
    }
}

impl<T: Scalar> Dataset<T> {
    /// A data set from features (samples × features) and one target per sample, as linfa's
    /// `Dataset::new(records, targets)` takes them; an error names a length mismatch.
    ///
    /// ```
    /// use ember_data::Dataset;
    /// let x = ndarray::array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
    /// let y = ndarray::array![0.5, 1.5, 2.5];
    /// let data = Dataset::from_arrays(x.view(), y.view())?;
    /// assert_eq!((data.n_samples(), data.x().n_cols()), (3, 2));
    /// let err = Dataset::from_arrays(x.view(), y.slice(ndarray::s![..2])).unwrap_err();
    /// assert_eq!(err.to_string(), "rows of X vs rows of y: 3 vs 2");
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn from_arrays(x: ArrayView2<'_, T>, y: ArrayView1<'_, T>) -> Result<Self, DataError> {
        let y = Matrix::column(y.iter().copied().collect());
        Self::new(Matrix::from(x), y)
    }
}
