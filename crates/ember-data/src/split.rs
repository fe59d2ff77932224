//! Seeded train/test splits with scikit-learn's sizes.

use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};

use crate::{DataError, Dataset};

/// Splits `data` into a shuffled train and test part, like
/// `sklearn.model_selection.train_test_split(test_size=..., random_state=seed)`: the test part
/// has `ceil(test_size · n)` samples and the train part the rest.
///
/// ```
/// use ember_data::{generators::seed_line, split::train_test_split};
///
/// let data = seed_line(442, 0);
/// let (train, test) = train_test_split(&data, 0.2, 42)?;
/// assert_eq!((train.n_samples(), test.n_samples()), (353, 89));
/// // Same seed, same split.
/// assert_eq!(train_test_split(&data, 0.2, 42)?.1, test);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn train_test_split(
    data: &Dataset,
    test_size: f64,
    seed: u64,
) -> Result<(Dataset, Dataset), DataError> {
    let (train, test) = train_test_indices(data.n_samples(), test_size, seed)?;
    Ok((data.select(&train), data.select(&test)))
}

/// The row indices of a seeded split of `n_samples` rows: `(train, test)`.
///
/// ```
/// let (train, test) = ember_data::split::train_test_indices(10, 0.3, 1)?;
/// assert_eq!((train.len(), test.len()), (7, 3));
/// assert!(ember_data::split::train_test_indices(10, 1.5, 1).is_err());
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn train_test_indices(
    n_samples: usize,
    test_size: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(DataError::InvalidParameter {
            name: "test_size",
            message: format!("must lie in (0, 1), got {test_size}"),
        });
    }
    let n_test = (test_size * n_samples as f64).ceil() as usize;
    if n_test == 0 || n_test >= n_samples {
        return Err(DataError::InvalidParameter {
            name: "test_size",
            message: format!(
                "{test_size} of {n_samples} samples leaves an empty train or test set"
            ),
        });
    }
    let mut order: Vec<usize> = (0..n_samples).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let train = order.split_off(n_test);
    Ok((train, order))
}
