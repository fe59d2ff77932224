//! ndarray in and out: values in row order whatever the array's layout, no copy where the
//! layout allows.
#![cfg(feature = "ndarray")]

use ember_data::{Dataset, Matrix};
use ndarray::{Array2, Axis, ShapeBuilder, Slice, array};

#[test]
fn owned_row_major_arrays_move_in_and_out_without_a_copy() {
    let a: Array2<f32> = Array2::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as f32);
    let ptr = a.as_ptr();
    let m = Matrix::from(a);
    assert_eq!(m.as_slice().as_ptr(), ptr);
    assert_eq!(m.shape(), (3, 4));
    assert_eq!(m.get(2, 1), 21.0);
    let back: Array2<f32> = m.into();
    assert_eq!(back.as_ptr(), ptr);
    assert_eq!(back[[2, 3]], 23.0);
}

#[test]
fn any_layout_comes_in_row_order() {
    // Column-major (Fortran) storage of [[0, 1, 2], [3, 4, 5]].
    let f = Array2::from_shape_vec((2, 3).f(), vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]).unwrap();
    assert_eq!(Matrix::from(f).as_slice(), &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    // An owned array sliced so that its first element is not the buffer's.
    let rows =
        array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]].slice_axis_move(Axis(0), Slice::from(1..));
    assert_eq!(Matrix::from(rows).as_slice(), &[3.0, 4.0, 5.0, 6.0]);
    // A view with steps: every other column of a transpose.
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let t = a.t();
    let m = Matrix::from(t.slice_axis(Axis(0), Slice::new(0, None, 2)));
    assert_eq!(
        (m.shape(), m.as_slice()),
        ((2, 2), &[1.0, 4.0, 3.0, 6.0][..])
    );
    // Empty arrays keep their shape.
    assert_eq!(Matrix::from(Array2::<f64>::zeros((0, 3))).shape(), (0, 3));
}

#[test]
fn a_bundled_data_set_round_trips_through_arrays() {
    let data = ember_data::load("diabetes").unwrap();
    let x: Array2<f64> = data.x().clone().into();
    let y = data.y().view().column(0).to_owned();
    let again = Dataset::from_arrays(x.view(), y.view()).unwrap();
    assert_eq!(again.x().as_slice(), data.x().as_slice());
    assert_eq!(again.y().as_slice(), data.y().as_slice());
    assert!(std::ptr::eq(
        data.x().view().as_ptr(),
        data.x().as_slice().as_ptr()
    ));
}
