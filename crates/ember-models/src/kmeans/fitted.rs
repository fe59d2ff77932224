//! A fitted k-means: its centres, inertia and iterations, and the contract.

use burn::tensor::Device;
use ember_data::{Matrix, Scalar};
use serde::{Deserialize, Serialize};

use super::KMeansConfig;
use crate::FitError;
use crate::contract::{Export, Features, Fitted, NamedTensor, Step, Task, inertia};

/// A fitted k-means clustering. Made only by [`KMeansConfig::fit`] (or read from a model file).
#[derive(Debug, Clone)]
pub struct KMeans {
    config: KMeansConfig,
    centres: Matrix,
    inertia: f64,
    n_iter: usize,
    labels: Vec<usize>,
}

/// What a model file stores of a [`KMeans`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KMeansState {
    /// The hyper-parameters.
    pub config: KMeansConfig,
    /// The centres, clusters × features.
    pub centres: Matrix,
    /// The training data's inertia.
    pub inertia: f64,
    /// Lloyd iterations of the kept run.
    pub n_iter: usize,
}

impl KMeans {
    pub(super) fn new(
        config: KMeansConfig,
        centres: Matrix,
        inertia: f64,
        n_iter: usize,
        labels: Vec<usize>,
    ) -> Self {
        Self {
            config,
            centres,
            inertia,
            n_iter,
            labels,
        }
    }

    /// The centres, one row per cluster (scikit-learn's `cluster_centers_`).
    pub fn centres(&self) -> &Matrix {
        &self.centres
    }

    /// The sum of squared distances of the training rows to their centres (`inertia_`).
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// Lloyd iterations of the kept run (`n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// The cluster of each training row (`labels_`); empty for a model read from a file.
    pub fn training_labels(&self) -> &[usize] {
        &self.labels
    }

    /// The hyper-parameters.
    pub fn config(&self) -> &KMeansConfig {
        &self.config
    }

    /// The nearest centre of each row of `x` (`predict`), the first on ties.
    pub fn predict<T: Scalar>(&self, x: &Matrix<T>) -> Result<Vec<usize>, FitError> {
        let distances = self.squared_distances(x)?;
        Ok(ember_core::argmin_rows(
            distances.as_slice(),
            self.centres.n_rows(),
        ))
    }

    /// Squared Euclidean distances of each row to each centre, rows × clusters (the square of
    /// scikit-learn's `transform`), in `f64`.
    pub fn squared_distances<T: Scalar>(&self, x: &Matrix<T>) -> Result<Matrix, FitError> {
        let (k, d) = self.centres.shape();
        if x.n_cols() != d {
            return Err(FitError::FeatureCount {
                expected: d,
                got: x.n_cols(),
            });
        }
        x.check_finite("X")?;
        Ok(Matrix::from_fn(x.n_rows(), k, |i, c| {
            x.row(i)
                .iter()
                .zip(self.centres.row(c))
                .map(|(v, m)| (v.to_f64() - m) * (v.to_f64() - m))
                .sum()
        }))
    }

    /// Minus the inertia of `x` against the centres (scikit-learn's `score`).
    pub fn score<T: Scalar>(&self, x: &Matrix<T>) -> Result<f64, FitError> {
        Ok(-inertia(&self.squared_distances(x)?))
    }
}

impl Fitted for KMeans {
    const KIND: &'static str = "kmeans";
    type State = KMeansState;

    fn task(&self) -> Task {
        Task::Clustering
    }
    fn n_features(&self) -> usize {
        self.centres.n_cols()
    }
    fn n_outputs(&self) -> usize {
        self.centres.n_rows()
    }
    fn n_params(&self) -> usize {
        self.centres.as_slice().len()
    }
    fn outputs(&self, x: Features<'_>) -> Result<Matrix, FitError> {
        match x {
            Features::F32(x) => self.squared_distances(&*x),
            Features::F64(x) => self.squared_distances(&*x),
        }
    }
    fn state(&self) -> Result<(Self::State, Vec<u8>), FitError> {
        let state = KMeansState {
            config: self.config.clone(),
            centres: self.centres.clone(),
            inertia: self.inertia,
            n_iter: self.n_iter,
        };
        Ok((state, Vec::new()))
    }
    fn from_state(s: Self::State, _: &[u8], _: &Device) -> Result<Self, FitError> {
        if s.centres.n_rows() == 0 || s.centres.n_cols() == 0 {
            return Err(FitError::Weights(
                "k-means needs at least one centre".into(),
            ));
        }
        if s.centres.n_rows() != s.config.n_clusters {
            return Err(FitError::Weights(format!(
                "{} centres for n_clusters = {}",
                s.centres.n_rows(),
                s.config.n_clusters
            )));
        }
        s.centres.check_finite("centres")?;
        Ok(Self::new(
            s.config,
            s.centres,
            s.inertia,
            s.n_iter,
            Vec::new(),
        ))
    }
    fn steps(&self) -> Result<Vec<Step>, FitError> {
        Ok(vec![Step::SquaredDistances {
            centres: self.centres.clone(),
        }])
    }
    fn export(&self) -> Result<Export, FitError> {
        let (k, d) = self.centres.shape();
        Ok(Export {
            tensors: vec![NamedTensor::f64(
                "centres",
                vec![k, d],
                self.centres.as_slice().to_vec(),
            )],
            metadata: Vec::new(),
        })
    }
}
