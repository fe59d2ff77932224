//! k-means clustering as scikit-learn's `KMeans` defines it: k-means++ (or random, or given)
//! initial centres, Lloyd iterations until the labels stop changing or the centres move less
//! than `tol` (relative to the data's variance), the best of `n_init` runs by inertia.
//!
//! The assignment step — the `n × k` distances and their argmin — runs as burn tensor ops on
//! the device (in `f64` where the device has it, else `f32`); the centres and the inertia are
//! accumulated in `f64` on the host, on data centred first as scikit-learn centres it.
//!
//! ```
//! use burn::tensor::Device;
//! use ember_models::kmeans::KMeansConfig;
//!
//! let iris = ember_data::load("iris")?;
//! let model = KMeansConfig { n_clusters: 3, n_init: Some(10), ..Default::default() }
//!     .fit(iris.x(), &Device::flex())?;
//! assert!((model.inertia() - 78.851_441_426_146_1).abs() < 1e-9); // scikit-learn's optimum
//! assert_eq!(model.predict(iris.x())?.len(), 150);
//! # Ok::<(), ember_models::FitError>(())
//! ```

mod fitted;
mod init;
mod lloyd;

pub use fitted::{KMeans, KMeansState};

use burn::tensor::Device;
use ember_core::Problems;
use ember_data::{DataError, Dataset, Matrix};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use crate::FitError;
use crate::contract::{Estimator, Task};
use crate::saved::FittedModel;

/// How the first centres are chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum KMeansInit {
    /// scikit-learn's greedy k-means++ (`2 + ⌊ln k⌋` candidates per centre).
    #[default]
    #[serde(rename = "k-means++")]
    KMeansPlusPlus,
    /// `n_clusters` distinct rows drawn at random.
    Random,
    /// These centres (one row per cluster, in the data's units); `n_init` must be 1.
    Centres(Vec<Vec<f64>>),
}

/// The hyper-parameters of [`KMeans`], with scikit-learn's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KMeansConfig {
    /// Number of clusters.
    pub n_clusters: usize,
    /// Initial centres.
    pub init: KMeansInit,
    /// Runs from different initial centres; the one with the lowest inertia is kept. Unset:
    /// scikit-learn's `"auto"`, 1 for k-means++ and given centres, 10 for random.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_init: Option<usize>,
    /// Lloyd iterations per run, at most.
    pub max_iter: usize,
    /// Convergence: the summed squared movement of the centres, relative to the mean
    /// variance of the features.
    pub tol: f64,
    /// Seed of the initialisation.
    pub seed: u64,
}

impl Default for KMeansConfig {
    fn default() -> Self {
        Self {
            n_clusters: 8,
            init: KMeansInit::KMeansPlusPlus,
            n_init: None,
            max_iter: 300,
            tol: 1e-4,
            seed: 0,
        }
    }
}

impl KMeansConfig {
    /// Every invalid setting at once.
    ///
    /// ```
    /// let config = ember_models::kmeans::KMeansConfig { n_clusters: 0, tol: -1.0, ..Default::default() };
    /// let fields: Vec<_> = config.problems().into_vec().into_iter().map(|p| p.field).collect();
    /// assert_eq!(fields, ["n_clusters", "tol"]);
    /// ```
    pub fn problems(&self) -> Problems {
        let mut p = Problems::default();
        p.at_least_one("n_clusters", self.n_clusters);
        if let Some(n) = self.n_init {
            p.at_least_one("n_init", n);
        }
        p.at_least_one("max_iter", self.max_iter);
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            p.push("tol", format!("must be finite and ≥ 0, got {}", self.tol));
        }
        if let KMeansInit::Centres(c) = &self.init {
            if c.len() != self.n_clusters {
                p.push(
                    "init",
                    format!(
                        "{} centres given for n_clusters = {}",
                        c.len(),
                        self.n_clusters
                    ),
                );
            }
            if self.n_init.is_some_and(|n| n != 1) {
                p.push("n_init", "must be 1 when the initial centres are given");
            }
        }
        p
    }

    /// Clusters the rows of `x`.
    pub fn fit(&self, x: &Matrix, device: &Device) -> Result<KMeans, FitError> {
        if let Some(problem) = self.problems().first() {
            return Err(problem.into());
        }
        let (n, d) = x.shape();
        if n == 0 || d == 0 {
            return Err(DataError::Empty("X").into());
        }
        x.check_finite("X")?;
        if n < self.n_clusters {
            return Err(FitError::InvalidConfig {
                field: "n_clusters".into(),
                message: format!("{n} samples cannot make {} clusters", self.n_clusters),
            });
        }
        let data = lloyd::Centred::new(x, self.tol, device);
        let given = self.given_centres(d, &data)?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut best: Option<lloyd::Run> = None;
        for _ in 0..self.runs() {
            let start = match (&self.init, &given) {
                (_, Some(c)) => c.clone(),
                (KMeansInit::Random, None) => init::random(&data.x, self.n_clusters, &mut rng),
                _ => init::plus_plus(&data.x, self.n_clusters, &mut rng),
            };
            let run = data.lloyd(start, self.max_iter)?;
            if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
                best = Some(run);
            }
        }
        let best = best.ok_or(DataError::Empty("X"))?;
        Ok(KMeans::new(
            self.clone(),
            data.uncentre(&best.centres),
            best.inertia,
            best.n_iter,
            best.labels,
        ))
    }

    /// The number of runs: `n_init`, or scikit-learn's `"auto"`.
    pub fn runs(&self) -> usize {
        self.n_init.unwrap_or(match self.init {
            KMeansInit::Random => 10,
            _ => 1,
        })
    }

    /// Clusters the features of `data` (its targets, if any, are not used).
    pub fn fit_dataset(&self, data: &Dataset, device: &Device) -> Result<KMeans, FitError> {
        self.fit(data.x(), device)
    }

    /// The given initial centres, centred like the data.
    fn given_centres(&self, d: usize, data: &lloyd::Centred) -> Result<Option<Matrix>, FitError> {
        let KMeansInit::Centres(rows) = &self.init else {
            return Ok(None);
        };
        if let Some(row) = rows.iter().find(|r| r.len() != d) {
            return Err(FitError::InvalidConfig {
                field: "init".into(),
                message: format!("a centre has {} values, the data {d} features", row.len()),
            });
        }
        let centres = Matrix::from_rows(rows)?;
        centres.check_finite("init")?;
        Ok(Some(data.centre(&centres)))
    }
}

impl Estimator for KMeansConfig {
    fn kind(&self) -> &'static str {
        "kmeans"
    }
    fn task(&self) -> Task {
        Task::Clustering
    }
    fn problems(&self) -> Problems {
        KMeansConfig::problems(self)
    }
    fn fit_model(
        &self,
        train: &Dataset,
        _: Option<&Dataset>,
        device: &Device,
    ) -> Result<FittedModel, FitError> {
        Ok(self.fit_dataset(train, device)?.into())
    }
    fn run_mut(&mut self) -> Option<&mut ember_train::RunOptions> {
        None
    }
    fn clone_boxed(&self) -> Box<dyn Estimator> {
        Box::new(self.clone())
    }
}
