//! Cross-validation folds: k-fold and stratified k-fold, as scikit-learn makes them.

use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};

use crate::DataError;

/// `(train indices, test indices)` of one fold.
pub type Fold = (Vec<usize>, Vec<usize>);

/// K-fold cross-validation, like `sklearn.model_selection.KFold`: the samples (shuffled when
/// `shuffle`) are cut into `n_splits` consecutive folds, the first `n % n_splits` one sample
/// larger; each fold is the test set once.
///
/// ```
/// use ember_data::folds::KFold;
///
/// let folds: Vec<_> = KFold { n_splits: 3, ..Default::default() }.split(7)?.collect();
/// assert_eq!(folds[0].1, vec![0, 1, 2]);
/// assert_eq!(folds[1].1, vec![3, 4]);
/// assert_eq!(folds[2].0, vec![0, 1, 2, 3, 4]);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KFold {
    /// Number of folds, at least 2 (default 5).
    pub n_splits: usize,
    /// Shuffle the samples before cutting (default false).
    pub shuffle: bool,
    /// Seed of the shuffle.
    pub seed: u64,
}

impl Default for KFold {
    fn default() -> Self {
        Self {
            n_splits: 5,
            shuffle: false,
            seed: 0,
        }
    }
}

impl KFold {
    /// The folds of `n_samples` samples, in order.
    ///
    /// ```
    /// assert!(ember_data::folds::KFold { n_splits: 5, ..Default::default() }.split(3).is_err());
    /// ```
    pub fn split(
        &self,
        n_samples: usize,
    ) -> Result<impl ExactSizeIterator<Item = Fold> + use<>, DataError> {
        check_splits(self.n_splits, n_samples)?;
        let mut order: Vec<usize> = (0..n_samples).collect();
        if self.shuffle {
            order.shuffle(&mut StdRng::seed_from_u64(self.seed));
        }
        let mut fold_of = vec![0; n_samples];
        let mut start = 0;
        for k in 0..self.n_splits {
            let size = n_samples / self.n_splits + usize::from(k < n_samples % self.n_splits);
            for &i in &order[start..start + size] {
                fold_of[i] = k;
            }
            start += size;
        }
        // Test indices in the (shuffled) order scikit-learn yields them.
        let mut tests: Vec<Vec<usize>> = vec![Vec::new(); self.n_splits];
        for &i in &order {
            tests[fold_of[i]].push(i);
        }
        Ok(folds_from(fold_of, tests))
    }
}

/// Stratified k-fold, like `sklearn.model_selection.StratifiedKFold`: every fold keeps the
/// class proportions. Classes are numbered in order of first appearance; their samples are dealt
/// to the folds as scikit-learn deals them (so without shuffling the folds are scikit-learn's,
/// index for index).
///
/// ```
/// use ember_data::folds::StratifiedKFold;
///
/// let classes = [0, 0, 0, 0, 1, 1, 1, 1];
/// let folds: Vec<_> = StratifiedKFold { n_splits: 2, ..Default::default() }.split(&classes)?.collect();
/// assert_eq!(folds[0].1, vec![0, 1, 4, 5]);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StratifiedKFold {
    /// Number of folds, at least 2 (default 5).
    pub n_splits: usize,
    /// Shuffle each class's samples before dealing them (default false).
    pub shuffle: bool,
    /// Seed of the shuffle.
    pub seed: u64,
}

impl Default for StratifiedKFold {
    fn default() -> Self {
        Self {
            n_splits: 5,
            shuffle: false,
            seed: 0,
        }
    }
}

impl StratifiedKFold {
    /// The folds for samples with these class indices.
    ///
    /// ```
    /// use ember_data::folds::StratifiedKFold;
    /// let classes = [0, 0, 1, 1];
    /// let result = StratifiedKFold { n_splits: 3, ..Default::default() }.split(&classes);
    /// assert!(result.is_err_and(|e| e.to_string().contains("n_splits")));
    /// ```
    pub fn split(
        &self,
        classes: &[usize],
    ) -> Result<impl ExactSizeIterator<Item = Fold> + use<>, DataError> {
        let n = classes.len();
        check_splits(self.n_splits, n)?;
        // Encode classes in order of first appearance, as scikit-learn does.
        let mut code_of = std::collections::HashMap::new();
        let encoded: Vec<usize> = classes
            .iter()
            .map(|c| {
                let next = code_of.len();
                *code_of.entry(*c).or_insert(next)
            })
            .collect();
        let n_classes = code_of.len();
        let mut counts = vec![0usize; n_classes];
        for &c in &encoded {
            counts[c] += 1;
        }
        if counts.iter().all(|&c| c < self.n_splits) {
            return Err(DataError::InvalidParameter {
                name: "n_splits",
                message: format!(
                    "{} folds, but no class has that many members (largest: {})",
                    self.n_splits,
                    counts.iter().max().copied().unwrap_or(0)
                ),
            });
        }
        // allocation[fold][class]: the classes sorted by code, dealt round-robin to the folds.
        let mut sorted = encoded.clone();
        sorted.sort_unstable();
        let mut allocation = vec![vec![0usize; n_classes]; self.n_splits];
        for (k, &c) in sorted.iter().enumerate() {
            allocation[k % self.n_splits][c] += 1;
        }
        let mut rng = StdRng::seed_from_u64(self.seed);
        let mut fold_of = vec![0; n];
        for class in 0..n_classes {
            let mut folds: Vec<usize> = (0..self.n_splits)
                .zip(&allocation)
                .flat_map(|(f, row)| std::iter::repeat_n(f, row[class]))
                .collect();
            if self.shuffle {
                folds.shuffle(&mut rng);
            }
            let members = (0..n).filter(|&i| encoded[i] == class);
            for (i, f) in members.zip(folds) {
                fold_of[i] = f;
            }
        }
        let mut tests: Vec<Vec<usize>> = vec![Vec::new(); self.n_splits];
        for (i, &f) in fold_of.iter().enumerate() {
            tests[f].push(i);
        }
        Ok(folds_from(fold_of, tests))
    }
}

fn check_splits(n_splits: usize, n_samples: usize) -> Result<(), DataError> {
    if n_splits < 2 {
        return Err(DataError::InvalidParameter {
            name: "n_splits",
            message: format!("must be at least 2, got {n_splits}"),
        });
    }
    if n_splits > n_samples {
        return Err(DataError::InvalidParameter {
            name: "n_splits",
            message: format!("{n_splits} folds need at least as many samples, got {n_samples}"),
        });
    }
    Ok(())
}

/// Each fold's test indices as given, its train indices every other sample in index order.
fn folds_from(
    fold_of: Vec<usize>,
    tests: Vec<Vec<usize>>,
) -> impl ExactSizeIterator<Item = Fold> + use<> {
    tests.into_iter().enumerate().map(move |(k, test)| {
        let train = (0..fold_of.len()).filter(|&i| fold_of[i] != k).collect();
        (train, test)
    })
}
