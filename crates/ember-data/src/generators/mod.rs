//! Synthetic data, seeded, with scikit-learn's semantics: the same seed gives the same data on
//! every platform (the numbers differ from scikit-learn's, whose generator is NumPy's).

mod classification;
mod regression;
mod shapes;

use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;

pub use classification::MakeClassification;
pub use regression::MakeRegression;
pub use shapes::{MakeBlobs, MakeCircles, MakeMoons};

use crate::{DataError, Dataset, Matrix};

/// The classic first data set of machine learning: `x = 2·U(0, 1)`, `y = 3 + 4·x + N(0, 1)`.
///
/// ```
/// let data = ember_data::generators::seed_line(100, 42);
/// assert_eq!(data.n_samples(), 100);
/// assert!(data.x().as_slice().iter().all(|&x| (0.0..2.0).contains(&x)));
/// ```
pub fn seed_line(n_samples: usize, seed: u64) -> Dataset {
    let mut rng = StdRng::seed_from_u64(seed);
    let x: Vec<f64> = (0..n_samples).map(|_| 2.0 * rng.random::<f64>()).collect();
    let y = x
        .iter()
        .map(|&x| 3.0 + 4.0 * x + rng.sample::<f64, _>(StandardNormal))
        .collect();
    Dataset::new(Matrix::column(x), Matrix::column(y))
        .and_then(|d| d.with_feature_names(["x"]))
        .expect("one feature and one target of equal length")
}

/// An error for a parameter that must be at least 1.
fn at_least_one(name: &'static str, value: usize) -> Result<(), DataError> {
    if value == 0 {
        return Err(DataError::InvalidParameter {
            name,
            message: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// An error for a parameter that must be finite and ≥ 0.
fn non_negative(name: &'static str, value: f64) -> Result<(), DataError> {
    if !(value.is_finite() && value >= 0.0) {
        return Err(DataError::InvalidParameter {
            name,
            message: format!("must be a finite number ≥ 0, got {value}"),
        });
    }
    Ok(())
}

/// A classification data set with class names `"0"`, `"1"`, ….
fn labelled(x: Matrix, y: Vec<usize>, n_classes: usize) -> Result<Dataset, DataError> {
    let y = Matrix::column(y.into_iter().map(|c| c as f64).collect());
    Dataset::new(x, y)?.with_labels(crate::LabelEncoder::from_classes(
        (0..n_classes).map(|c| c.to_string()),
    ))
}
