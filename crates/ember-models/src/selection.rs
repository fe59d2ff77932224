//! Model selection through the contract: k-fold cross-validation of any [`Estimator`], scored
//! as scikit-learn's `cross_val_score` scores by default (the model's `score`: R², accuracy,
//! or minus the inertia).

use burn::tensor::Device;
use ember_data::Dataset;
use ember_data::folds::{Fold, KFold, StratifiedKFold};

use crate::FitError;
use crate::contract::{Estimator, Task};

/// How the folds are made: `n_splits` folds, stratified for classifiers (scikit-learn's
/// `StratifiedKFold`, else `KFold`); in order, as scikit-learn's `cv=n_splits` makes them, or
/// shuffled with `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrossValidation {
    /// Number of folds, at least 2.
    pub n_splits: usize,
    /// Shuffle the rows (within each class, when stratified) before cutting.
    pub shuffle: bool,
    /// Seed of the shuffle.
    pub seed: u64,
}

impl CrossValidation {
    /// `n_splits` folds in order (scikit-learn's `cv=n_splits`).
    pub fn new(n_splits: usize) -> Self {
        Self {
            n_splits,
            shuffle: false,
            seed: 0,
        }
    }

    /// The folds of `data` for a model of `task`: stratified by class for a classifier.
    ///
    /// ```
    /// use ember_models::Task;
    /// use ember_models::selection::CrossValidation;
    /// let iris = ember_data::load("iris")?;
    /// let folds = CrossValidation::new(5).folds(&iris, Task::Classification)?;
    /// assert_eq!(folds.len(), 5);
    /// assert_eq!((folds[0].0.len(), folds[0].1.len()), (120, 30));
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn folds(&self, data: &Dataset, task: Task) -> Result<Vec<Fold>, FitError> {
        let n = data.n_samples();
        Ok(if task == Task::Classification {
            let classes = data.class_indices()?;
            StratifiedKFold {
                n_splits: self.n_splits,
                shuffle: self.shuffle,
                seed: self.seed,
            }
            .split(&classes)?
            .collect()
        } else {
            KFold {
                n_splits: self.n_splits,
                shuffle: self.shuffle,
                seed: self.seed,
            }
            .split(n)?
            .collect()
        })
    }
}

/// The score of each fold, with their mean and standard deviation as scikit-learn's
/// `GridSearchCV` reports them (`mean_test_score`, `std_test_score`: the population standard
/// deviation).
#[derive(Debug, Clone, PartialEq)]
pub struct CvScores {
    /// One score per fold, in fold order.
    pub scores: Vec<f64>,
}

impl CvScores {
    /// The mean over folds.
    pub fn mean(&self) -> f64 {
        self.scores.iter().sum::<f64>() / self.scores.len().max(1) as f64
    }

    /// The standard deviation over folds (`numpy.std`, dividing by the number of folds).
    pub fn std(&self) -> f64 {
        let m = self.mean();
        let n = self.scores.len().max(1) as f64;
        (self.scores.iter().map(|s| (s - m) * (s - m)).sum::<f64>() / n).sqrt()
    }
}

/// scikit-learn's `cross_val_score(estimator, X, y, cv=…)`: `estimator` fitted on each fold's
/// training rows and scored on its test rows with the model's `score`. The folds train in
/// memory, quietly: the config's run directory and progress are not used.
///
/// ```
/// use burn::tensor::Device;
/// use ember_models::linear::LinearRegressionConfig;
/// use ember_models::selection::{CrossValidation, cross_val_score};
/// let diabetes = ember_data::load("diabetes")?;
/// let ridge = LinearRegressionConfig::new().with_alpha(0.1);
/// let cv = cross_val_score(&ridge, &diabetes, &CrossValidation::new(5), &Device::flex())?;
/// // scikit-learn 1.9.1: cross_val_score(Ridge(alpha=0.1), *load_diabetes(return_X_y=True), cv=5)
/// assert!((cv.mean() - 0.47988210231953665).abs() < 1e-9);
/// assert!((cv.std() - 0.04726451871809684).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cross_val_score(
    estimator: &dyn Estimator,
    data: &Dataset,
    cv: &CrossValidation,
    device: &Device,
) -> Result<CvScores, FitError> {
    let mut estimator = estimator.clone_boxed();
    if let Some(run) = estimator.run_mut() {
        *run = ember_train::RunOptions::quiet();
    }
    let mut scores = Vec::with_capacity(cv.n_splits);
    for (train, test) in cv.folds(data, estimator.task())? {
        let model = estimator.fit_model(&data.select(&train), None, device)?;
        scores.push(model.score(&data.select(&test))?);
    }
    Ok(CvScores { scores })
}
