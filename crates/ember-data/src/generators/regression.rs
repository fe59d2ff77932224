//! `make_regression`: a linear model with Gaussian features and noise.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::{at_least_one, non_negative};
use crate::{DataError, Dataset, Matrix};

/// Parameters of scikit-learn's `make_regression`, with its defaults.
///
/// ```
/// use ember_data::generators::MakeRegression;
///
/// let params = MakeRegression { n_samples: 50, n_features: 5, n_informative: 2, noise: 0.0, ..Default::default() };
/// let (data, coef) = params.generate()?;
/// assert_eq!(data.x().shape(), (50, 5));
/// // Three of the five true coefficients are zero.
/// assert_eq!(coef.as_slice().iter().filter(|c| **c == 0.0).count(), 3);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MakeRegression {
    /// Number of samples (default 100).
    pub n_samples: usize,
    /// Number of features (default 100).
    pub n_features: usize,
    /// Number of features with a non-zero coefficient (default 10, capped at `n_features`).
    pub n_informative: usize,
    /// Number of targets (default 1).
    pub n_targets: usize,
    /// Intercept added to every target (default 0).
    pub bias: f64,
    /// Standard deviation of the Gaussian noise added to the targets (default 0).
    pub noise: f64,
    /// Shuffle samples and features (default true), as scikit-learn does.
    pub shuffle: bool,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for MakeRegression {
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 100,
            n_informative: 10,
            n_targets: 1,
            bias: 0.0,
            noise: 0.0,
            shuffle: true,
            seed: 0,
        }
    }
}

impl MakeRegression {
    /// The data set and the true coefficients (`n_features × n_targets`), like
    /// `sklearn.datasets.make_regression(..., coef=True)`: standard normal features, the
    /// informative ones with coefficients `100·U(0, 1)`, `y = x·coef + bias + noise·N(0, 1)`.
    ///
    /// ```
    /// use ember_data::generators::MakeRegression;
    /// let (data, coef) = MakeRegression { n_features: 3, n_informative: 3, ..Default::default() }.generate()?;
    /// // Without noise the targets are exactly x·coef.
    /// let row = data.x().row(0);
    /// let y0: f64 = row.iter().zip(coef.as_slice()).map(|(x, c)| x * c).sum();
    /// assert!((y0 - data.y().get(0, 0)).abs() < 1e-9);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn generate(&self) -> Result<(Dataset, Matrix), DataError> {
        at_least_one("n_samples", self.n_samples)?;
        at_least_one("n_features", self.n_features)?;
        at_least_one("n_targets", self.n_targets)?;
        non_negative("noise", self.noise)?;
        if !self.bias.is_finite() {
            return Err(DataError::InvalidParameter {
                name: "bias",
                message: format!("must be finite, got {}", self.bias),
            });
        }
        let (n, d, k) = (self.n_samples, self.n_features, self.n_targets);
        let informative = self.n_informative.min(d);
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut x: Matrix = Matrix::from_fn(n, d, |_, _| rng.sample(StandardNormal));
        let mut coef = Matrix::from_fn(d, k, |i, _| {
            if i < informative {
                100.0 * rng.random::<f64>()
            } else {
                0.0
            }
        });
        let mut y = Matrix::from_fn(n, k, |i, t| {
            let row = x.row(i);
            self.bias + (0..d).map(|j| row[j] * coef.get(j, t)).sum::<f64>()
        });
        if self.noise > 0.0 {
            for v in y.as_mut_slice() {
                *v += self.noise * rng.sample::<f64, _>(StandardNormal);
            }
        }
        if self.shuffle {
            let mut rows: Vec<usize> = (0..n).collect();
            rows.shuffle(&mut rng);
            x = x.select_rows(&rows);
            y = y.select_rows(&rows);
            let mut cols: Vec<usize> = (0..d).collect();
            cols.shuffle(&mut rng);
            x = Matrix::from_fn(n, d, |i, j| x.get(i, cols[j]));
            coef = coef.select_rows(&cols);
        }
        Ok((Dataset::new(x, y)?, coef))
    }
}
