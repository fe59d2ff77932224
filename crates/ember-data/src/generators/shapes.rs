//! Two-dimensional shapes and Gaussian blobs: `make_blobs`, `make_moons`, `make_circles`.

use std::f64::consts::PI;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::{at_least_one, labelled, non_negative};
use crate::{DataError, Dataset, Matrix};

/// Parameters of scikit-learn's `make_blobs`: isotropic Gaussian clusters.
///
/// ```
/// use ember_data::generators::MakeBlobs;
///
/// let (data, centers) = MakeBlobs { n_samples: 10, centers: 3, ..Default::default() }.generate()?;
/// assert_eq!((data.x().shape(), centers.shape()), ((10, 2), (3, 2)));
/// // 10 samples over 3 centres: 4, 3, 3.
/// let classes = data.classes().unwrap_or_default();
/// assert_eq!(classes.iter().filter(|&&c| c == 0).count(), 4);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MakeBlobs {
    /// Number of samples, shared evenly between the centres (default 100).
    pub n_samples: usize,
    /// Number of features (default 2); ignored when `center_points` is given.
    pub n_features: usize,
    /// Number of centres drawn uniformly in `center_box` (default 3); ignored when
    /// `center_points` is given.
    pub centers: usize,
    /// The centres themselves, one row each.
    pub center_points: Option<Vec<Vec<f64>>>,
    /// Standard deviation of the clusters: one value for all, or one per centre (default 1).
    pub cluster_std: Vec<f64>,
    /// Bounds of the random centres (default (-10, 10)).
    pub center_box: (f64, f64),
    /// Shuffle the samples (default true).
    pub shuffle: bool,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for MakeBlobs {
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 2,
            centers: 3,
            center_points: None,
            cluster_std: vec![1.0],
            center_box: (-10.0, 10.0),
            shuffle: true,
            seed: 0,
        }
    }
}

impl MakeBlobs {
    /// The data set (class = index of the centre) and the centres.
    ///
    /// ```
    /// use ember_data::generators::MakeBlobs;
    /// let bad = MakeBlobs { cluster_std: vec![1.0, 2.0], ..Default::default() };
    /// assert!(bad.generate().is_err()); // 2 deviations for 3 centres
    /// ```
    pub fn generate(&self) -> Result<(Dataset, Matrix), DataError> {
        at_least_one("n_samples", self.n_samples)?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let centers = match &self.center_points {
            Some(points) => {
                let m = Matrix::from_rows(points)?;
                if m.n_rows() == 0 || m.n_cols() == 0 {
                    return Err(DataError::Empty("center_points"));
                }
                m
            }
            None => {
                at_least_one("centers", self.centers)?;
                at_least_one("n_features", self.n_features)?;
                let (lo, hi) = self.center_box;
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    return Err(DataError::InvalidParameter {
                        name: "center_box",
                        message: format!("must be finite with low < high, got ({lo}, {hi})"),
                    });
                }
                Matrix::from_fn(self.centers, self.n_features, |_, _| {
                    rng.random_range(lo..hi)
                })
            }
        };
        let (c, d) = centers.shape();
        let std = match self.cluster_std.len() {
            1 => vec![self.cluster_std[0]; c],
            len if len == c => self.cluster_std.clone(),
            len => {
                return Err(DataError::InvalidParameter {
                    name: "cluster_std",
                    message: format!("needs 1 value or one per centre ({c}), got {len}"),
                });
            }
        };
        for &s in &std {
            non_negative("cluster_std", s)?;
        }
        let n = self.n_samples;
        let mut x = Vec::with_capacity(n * d);
        let mut y = Vec::with_capacity(n);
        for (k, &s) in std.iter().enumerate() {
            let count = n / c + usize::from(k < n % c);
            for _ in 0..count {
                for j in 0..d {
                    let normal = Normal::new(centers.get(k, j), s).map_err(|e| {
                        DataError::InvalidParameter {
                            name: "cluster_std",
                            message: e.to_string(),
                        }
                    })?;
                    x.push(normal.sample(&mut rng));
                }
                y.push(k);
            }
        }
        let (x, y) = shuffled(Matrix::new(n, d, x)?, y, self.shuffle, &mut rng);
        Ok((labelled(x, y, c)?, centers))
    }
}

/// Parameters of scikit-learn's `make_moons`: two interleaving half circles.
///
/// ```
/// use ember_data::generators::MakeMoons;
///
/// let data = MakeMoons { n_samples: 4, shuffle: false, ..Default::default() }.generate()?;
/// // Outer moon from (1, 0) to (-1, 0), inner moon from (0, 0.5) to (2, 0.5).
/// assert_eq!(data.x().row(0), &[1.0, 0.0]);
/// assert_eq!(data.x().row(2), &[0.0, 0.5]);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MakeMoons {
    /// Number of samples; the outer moon (class 0) gets `n_samples / 2` (default 100).
    pub n_samples: usize,
    /// Standard deviation of Gaussian noise added to the points (default 0).
    pub noise: f64,
    /// Shuffle the samples (default true).
    pub shuffle: bool,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for MakeMoons {
    fn default() -> Self {
        Self {
            n_samples: 100,
            noise: 0.0,
            shuffle: true,
            seed: 0,
        }
    }
}

impl MakeMoons {
    /// The data set: two features, classes 0 (outer) and 1 (inner).
    ///
    /// ```
    /// assert!(ember_data::generators::MakeMoons { noise: -1.0, ..Default::default() }.generate().is_err());
    /// ```
    pub fn generate(&self) -> Result<Dataset, DataError> {
        at_least_one("n_samples", self.n_samples)?;
        non_negative("noise", self.noise)?;
        let n_out = self.n_samples / 2;
        let n_in = self.n_samples - n_out;
        let mut points = Vec::with_capacity(2 * self.n_samples);
        for t in linspace(PI, n_out, true) {
            points.extend([t.cos(), t.sin()]);
        }
        for t in linspace(PI, n_in, true) {
            points.extend([1.0 - t.cos(), 1.0 - t.sin() - 0.5]);
        }
        two_classes(points, n_out, n_in, self.noise, self.shuffle, self.seed)
    }
}

/// Parameters of scikit-learn's `make_circles`: a circle inside a larger one.
///
/// ```
/// use ember_data::generators::MakeCircles;
///
/// let data = MakeCircles { n_samples: 8, shuffle: false, ..Default::default() }.generate()?;
/// assert_eq!(data.x().row(0), &[1.0, 0.0]);
/// assert_eq!(data.x().row(4), &[0.8, 0.0]); // the inner circle, radius `factor`
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MakeCircles {
    /// Number of samples; the outer circle (class 0) gets `n_samples / 2` (default 100).
    pub n_samples: usize,
    /// Radius of the inner circle relative to the outer, in `[0, 1)` (default 0.8).
    pub factor: f64,
    /// Standard deviation of Gaussian noise added to the points (default 0).
    pub noise: f64,
    /// Shuffle the samples (default true).
    pub shuffle: bool,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for MakeCircles {
    fn default() -> Self {
        Self {
            n_samples: 100,
            factor: 0.8,
            noise: 0.0,
            shuffle: true,
            seed: 0,
        }
    }
}

impl MakeCircles {
    /// The data set: two features, classes 0 (outer) and 1 (inner).
    ///
    /// ```
    /// assert!(ember_data::generators::MakeCircles { factor: 1.0, ..Default::default() }.generate().is_err());
    /// ```
    pub fn generate(&self) -> Result<Dataset, DataError> {
        at_least_one("n_samples", self.n_samples)?;
        non_negative("noise", self.noise)?;
        if !(0.0..1.0).contains(&self.factor) {
            return Err(DataError::InvalidParameter {
                name: "factor",
                message: format!("must lie in [0, 1), got {}", self.factor),
            });
        }
        let n_out = self.n_samples / 2;
        let n_in = self.n_samples - n_out;
        let mut points = Vec::with_capacity(2 * self.n_samples);
        for t in linspace(2.0 * PI, n_out, false) {
            points.extend([t.cos(), t.sin()]);
        }
        for t in linspace(2.0 * PI, n_in, false) {
            points.extend([t.cos() * self.factor, t.sin() * self.factor]);
        }
        two_classes(points, n_out, n_in, self.noise, self.shuffle, self.seed)
    }
}

/// `numpy.linspace(0, stop, n, endpoint)`: `k · step`, the last point exactly `stop` with the
/// endpoint.
fn linspace(stop: f64, n: usize, endpoint: bool) -> Vec<f64> {
    let div = if endpoint { n.saturating_sub(1) } else { n };
    let step = if div == 0 { 0.0 } else { stop / div as f64 };
    let mut v: Vec<f64> = (0..n).map(|k| k as f64 * step).collect();
    if endpoint && n > 1 {
        v[n - 1] = stop;
    }
    v
}

/// Points of class 0 then class 1, shuffled, then noise added (scikit-learn's order).
fn two_classes(
    points: Vec<f64>,
    n_out: usize,
    n_in: usize,
    noise: f64,
    shuffle: bool,
    seed: u64,
) -> Result<Dataset, DataError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let y = [vec![0; n_out], vec![1; n_in]].concat();
    let (mut x, y) = shuffled(Matrix::new(n_out + n_in, 2, points)?, y, shuffle, &mut rng);
    if noise > 0.0 {
        let normal = Normal::new(0.0, noise).map_err(|e| DataError::InvalidParameter {
            name: "noise",
            message: e.to_string(),
        })?;
        for v in x.as_mut_slice() {
            *v += normal.sample(&mut rng);
        }
    }
    labelled(x, y, 2)
}

fn shuffled(x: Matrix, y: Vec<usize>, shuffle: bool, rng: &mut StdRng) -> (Matrix, Vec<usize>) {
    if !shuffle {
        return (x, y);
    }
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.shuffle(rng);
    let y = order.iter().map(|&i| y[i]).collect();
    (x.select_rows(&order), y)
}
