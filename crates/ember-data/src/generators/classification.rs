//! `make_classification`: Gaussian clusters on the vertices of a hypercube.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::{at_least_one, labelled, non_negative};
use crate::{DataError, Dataset, Matrix};

/// Parameters of scikit-learn's `make_classification`, with its defaults: each class is made of
/// `n_clusters_per_class` Gaussian clusters centred on vertices of a hypercube of side
/// `2·class_sep` in the `n_informative` first features, each cluster with a random covariance;
/// then `n_redundant` random linear combinations of those, `n_repeated` copies, noise features,
/// a fraction `flip_y` of labels replaced at random, `shift` and `scale`, and a shuffle of rows
/// and columns.
///
/// ```
/// use ember_data::generators::MakeClassification;
///
/// let data = MakeClassification { n_samples: 200, n_classes: 3, n_informative: 3, seed: 7, ..Default::default() }.generate()?;
/// assert_eq!(data.x().shape(), (200, 20));
/// assert_eq!(data.labels().map(|l| l.n_classes()), Some(3));
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MakeClassification {
    /// Number of samples (default 100).
    pub n_samples: usize,
    /// Number of features (default 20).
    pub n_features: usize,
    /// Features that carry the classes (default 2).
    pub n_informative: usize,
    /// Linear combinations of the informative features (default 2).
    pub n_redundant: usize,
    /// Copies of informative or redundant features (default 0).
    pub n_repeated: usize,
    /// Number of classes (default 2).
    pub n_classes: usize,
    /// Clusters per class (default 2).
    pub n_clusters_per_class: usize,
    /// Proportion of each class (`n_classes` values, or `n_classes - 1` with the last implied);
    /// empty means balanced.
    pub weights: Vec<f64>,
    /// Fraction of labels assigned at random (default 0.01).
    pub flip_y: f64,
    /// Half the side of the hypercube (default 1).
    pub class_sep: f64,
    /// Centroids on the vertices of the hypercube (default) or at random points inside it.
    pub hypercube: bool,
    /// Added to every feature (default 0).
    pub shift: f64,
    /// Every feature multiplied by this (default 1).
    pub scale: f64,
    /// Shuffle samples and features (default true).
    pub shuffle: bool,
    /// Seed of the random generator.
    pub seed: u64,
}

impl Default for MakeClassification {
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 20,
            n_informative: 2,
            n_redundant: 2,
            n_repeated: 0,
            n_classes: 2,
            n_clusters_per_class: 2,
            weights: Vec::new(),
            flip_y: 0.01,
            class_sep: 1.0,
            hypercube: true,
            shift: 0.0,
            scale: 1.0,
            shuffle: true,
            seed: 0,
        }
    }
}

impl MakeClassification {
    /// The data set: features and class indices, class names `"0"`, `"1"`, ….
    ///
    /// ```
    /// use ember_data::generators::MakeClassification;
    /// let bad = MakeClassification { n_informative: 1, n_classes: 3, ..Default::default() };
    /// assert!(bad.generate().unwrap_err().to_string().contains("n_classes × n_clusters_per_class"));
    /// ```
    pub fn generate(&self) -> Result<Dataset, DataError> {
        self.validate()?;
        let (n, d, inf) = (self.n_samples, self.n_features, self.n_informative);
        let (k, per) = (self.n_classes, self.n_clusters_per_class);
        let n_clusters = k * per;
        let mut weights = if self.weights.is_empty() {
            vec![1.0 / k as f64; k]
        } else {
            self.weights.clone()
        };
        if weights.len() == k - 1 {
            weights.push(1.0 - weights.iter().sum::<f64>());
        }
        let mut per_cluster: Vec<usize> = (0..n_clusters)
            .map(|c| (n as f64 * weights[c % k] / per as f64) as usize)
            .collect();
        let assigned: usize = per_cluster.iter().sum();
        for i in 0..n.saturating_sub(assigned) {
            per_cluster[i % n_clusters] += 1;
        }

        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut centroids = hypercube_vertices(n_clusters, inf, &mut rng);
        for c in centroids.iter_mut() {
            for v in c.iter_mut() {
                *v = *v * 2.0 * self.class_sep - self.class_sep;
            }
        }
        if !self.hypercube {
            let rows: Vec<f64> = (0..n_clusters).map(|_| rng.random()).collect();
            let cols: Vec<f64> = (0..inf).map(|_| rng.random()).collect();
            for (c, r) in centroids.iter_mut().zip(&rows) {
                for (v, s) in c.iter_mut().zip(&cols) {
                    *v *= r * s;
                }
            }
        }
        let mut x: Matrix = Matrix::zeros(n, d);
        let mut y = vec![0usize; n];
        for i in 0..n {
            for j in 0..inf {
                x.as_mut_slice()[i * d + j] = rng.sample(StandardNormal);
            }
        }
        let mut start = 0;
        for (c, centroid) in centroids.iter().enumerate() {
            let stop = start + per_cluster[c];
            let a: Vec<f64> = (0..inf * inf)
                .map(|_| 2.0 * rng.random::<f64>() - 1.0)
                .collect();
            y[start..stop].fill(c % k);
            for i in start..stop {
                let row = x.row(i)[..inf].to_vec();
                for j in 0..inf {
                    let v: f64 = (0..inf).map(|l| row[l] * a[l * inf + j]).sum();
                    x.as_mut_slice()[i * d + j] = v + centroid[j];
                }
            }
            start = stop;
        }
        let red = self.n_redundant;
        if red > 0 {
            let b: Vec<f64> = (0..inf * red)
                .map(|_| 2.0 * rng.random::<f64>() - 1.0)
                .collect();
            for i in 0..n {
                let row = x.row(i)[..inf].to_vec();
                for j in 0..red {
                    x.as_mut_slice()[i * d + inf + j] =
                        (0..inf).map(|l| row[l] * b[l * red + j]).sum();
                }
            }
        }
        let informative_and_redundant = inf + red;
        if self.n_repeated > 0 {
            let sources: Vec<usize> = (0..self.n_repeated)
                .map(|_| {
                    ((informative_and_redundant - 1) as f64 * rng.random::<f64>() + 0.5) as usize
                })
                .collect();
            for i in 0..n {
                for (j, &s) in sources.iter().enumerate() {
                    let v = x.get(i, s);
                    x.as_mut_slice()[i * d + informative_and_redundant + j] = v;
                }
            }
        }
        let useful = informative_and_redundant + self.n_repeated;
        for i in 0..n {
            for j in useful..d {
                x.as_mut_slice()[i * d + j] = rng.sample(StandardNormal);
            }
        }
        if self.flip_y > 0.0 {
            let flip: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < self.flip_y).collect();
            for (label, flip) in y.iter_mut().zip(flip) {
                if flip {
                    *label = rng.random_range(0..k);
                }
            }
        }
        for v in x.as_mut_slice() {
            *v = (*v + self.shift) * self.scale;
        }
        if self.shuffle {
            let mut rows: Vec<usize> = (0..n).collect();
            rows.shuffle(&mut rng);
            let mut cols: Vec<usize> = (0..d).collect();
            cols.shuffle(&mut rng);
            x = Matrix::from_fn(n, d, |i, j| x.get(rows[i], cols[j]));
            y = rows.iter().map(|&i| y[i]).collect();
        }
        labelled(x, y, k)
    }

    fn validate(&self) -> Result<(), DataError> {
        let invalid = |name, message: String| Err(DataError::InvalidParameter { name, message });
        at_least_one("n_samples", self.n_samples)?;
        at_least_one("n_informative", self.n_informative)?;
        at_least_one("n_clusters_per_class", self.n_clusters_per_class)?;
        if self.n_classes < 2 {
            return invalid(
                "n_classes",
                format!("must be at least 2, got {}", self.n_classes),
            );
        }
        let used = self.n_informative + self.n_redundant + self.n_repeated;
        if used > self.n_features {
            return invalid(
                "n_features",
                format!(
                    "n_informative + n_redundant + n_repeated = {used} exceeds n_features = {}",
                    self.n_features
                ),
            );
        }
        let clusters = self.n_classes * self.n_clusters_per_class;
        if self.n_informative < 64 && clusters > 1usize << self.n_informative {
            return invalid(
                "n_informative",
                format!(
                    "n_classes × n_clusters_per_class = {clusters} exceeds the 2^{} vertices of the hypercube",
                    self.n_informative
                ),
            );
        }
        if !self.weights.is_empty() {
            let k = self.n_classes;
            if self.weights.len() != k && self.weights.len() != k - 1 {
                return invalid(
                    "weights",
                    format!("needs {k} or {} values, got {}", k - 1, self.weights.len()),
                );
            }
            if self.weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
                || self.weights.iter().sum::<f64>() > 1.0 + 1e-9
            {
                return invalid(
                    "weights",
                    format!("must be ≥ 0 and sum to at most 1, got {:?}", self.weights),
                );
            }
        }
        if !(0.0..=1.0).contains(&self.flip_y) {
            return invalid("flip_y", format!("must lie in [0, 1], got {}", self.flip_y));
        }
        non_negative("class_sep", self.class_sep)?;
        if !(self.shift.is_finite() && self.scale.is_finite()) {
            return invalid(
                "scale",
                format!(
                    "shift and scale must be finite, got {} and {}",
                    self.shift, self.scale
                ),
            );
        }
        Ok(())
    }
}

/// `count` distinct random vertices of the unit hypercube in `dims` dimensions (coordinates 0
/// or 1).
fn hypercube_vertices(count: usize, dims: usize, rng: &mut StdRng) -> Vec<Vec<f64>> {
    let mut seen = HashSet::new();
    let mut vertices = Vec::with_capacity(count);
    while vertices.len() < count {
        let vertex: Vec<bool> = (0..dims).map(|_| rng.random()).collect();
        if seen.insert(vertex.clone()) {
            vertices.push(
                vertex
                    .into_iter()
                    .map(|b| if b { 1.0 } else { 0.0 })
                    .collect(),
            );
        }
    }
    vertices
}
