//! Seeded train/test splits with scikit-learn's sizes, plain or stratified.

use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};

use crate::{DataError, Dataset, Scalar};

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
pub fn train_test_split<T: Scalar>(
    data: &Dataset<T>,
    test_size: f64,
    seed: u64,
) -> Result<(Dataset<T>, Dataset<T>), DataError> {
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

/// Splits a classification data set keeping each class's proportion in both parts, like
/// `train_test_split(..., stratify=y)` (scikit-learn's `StratifiedShuffleSplit` allocation:
/// the test part has `ceil(test_size · n)` samples, each class as close to its share as
/// whole numbers allow).
///
/// ```
/// use ember_data::split::stratified_train_test_split;
///
/// let iris = ember_data::load("iris")?;
/// let (train, test) = stratified_train_test_split(&iris, 0.2, 0)?;
/// let count = |d: &ember_data::Dataset, c| d.classes().unwrap_or_default().iter().filter(|&&k| k == c).count();
/// assert_eq!((count(&test, 0), count(&test, 1), count(&test, 2)), (10, 10, 10));
/// assert_eq!(train.n_samples(), 120);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn stratified_train_test_split<T: Scalar>(
    data: &Dataset<T>,
    test_size: f64,
    seed: u64,
) -> Result<(Dataset<T>, Dataset<T>), DataError> {
    let classes = data.classes().ok_or(DataError::InvalidParameter {
        name: "stratify",
        message: "a stratified split needs class labels (a classification data set)".into(),
    })?;
    let (train, test) = stratified_train_test_indices(&classes, test_size, seed)?;
    Ok((data.select(&train), data.select(&test)))
}

/// The row indices of a seeded stratified split of samples with these class indices:
/// `(train, test)`, each in shuffled order.
///
/// ```
/// let classes = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
/// let (train, test) = ember_data::split::stratified_train_test_indices(&classes, 0.5, 3)?;
/// assert_eq!(test.iter().filter(|&&i| classes[i] == 0).count(), 2);
/// assert_eq!(train.len(), 5);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn stratified_train_test_indices(
    classes: &[usize],
    test_size: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    let n = classes.len();
    let (train_len, test_len) = {
        let (train, test) = train_test_indices(n, test_size, seed)?;
        (train.len(), test.len())
    };
    let n_classes = classes.iter().max().map_or(0, |&m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in classes.iter().enumerate() {
        members[c].push(i);
    }
    members.retain(|m| !m.is_empty());
    if let Some(small) = members.iter().find(|m| m.len() < 2) {
        return Err(DataError::InvalidParameter {
            name: "stratify",
            message: format!(
                "class {} has only 1 sample; every class needs at least 2 to be in both parts",
                classes[small[0]]
            ),
        });
    }
    if test_len < members.len() || train_len < members.len() {
        return Err(DataError::InvalidParameter {
            name: "test_size",
            message: format!(
                "a train part of {train_len} and a test part of {test_len} cannot each hold all {} classes",
                members.len()
            ),
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let counts: Vec<usize> = members.iter().map(Vec::len).collect();
    let train_counts = approximate_mode(&counts, train_len, &mut rng);
    let left: Vec<usize> = counts
        .iter()
        .zip(&train_counts)
        .map(|(c, t)| c - t)
        .collect();
    let test_counts = approximate_mode(&left, test_len, &mut rng);
    let mut train = Vec::with_capacity(train_len);
    let mut test = Vec::with_capacity(test_len);
    for ((mut m, a), b) in members.into_iter().zip(train_counts).zip(test_counts) {
        m.shuffle(&mut rng);
        train.extend_from_slice(&m[..a]);
        test.extend_from_slice(&m[a..a + b]);
    }
    train.shuffle(&mut rng);
    test.shuffle(&mut rng);
    Ok((train, test))
}

/// scikit-learn's `_approximate_mode`: how many of `n_draws` to take from each class so that
/// the counts are as close to proportional as whole numbers allow; ties for the last places
/// are broken at random.
fn approximate_mode(counts: &[usize], n_draws: usize, rng: &mut StdRng) -> Vec<usize> {
    let total: usize = counts.iter().sum();
    let continuous: Vec<f64> = counts
        .iter()
        .map(|&c| n_draws as f64 * c as f64 / total as f64)
        .collect();
    let mut floored: Vec<usize> = continuous.iter().map(|v| v.floor() as usize).collect();
    let mut need = n_draws - floored.iter().sum::<usize>();
    let remainder: Vec<f64> = continuous
        .iter()
        .zip(&floored)
        .map(|(c, f)| c - *f as f64)
        .collect();
    let mut levels = remainder.clone();
    levels.sort_by(|a, b| b.total_cmp(a));
    levels.dedup();
    for level in levels {
        if need == 0 {
            break;
        }
        let mut at: Vec<usize> = (0..counts.len())
            .filter(|&i| remainder[i] == level)
            .collect();
        if at.len() > need {
            at.shuffle(rng);
            at.truncate(need);
        }
        for &i in &at {
            floored[i] += 1;
        }
        need -= at.len();
    }
    floored
}

/// Whether data row `row` (0-based) falls in the test part of a split that never needs the
/// whole file: a seeded hash of the row number (SplitMix64) against `test_size`, so that each
/// row is in the test part with probability `test_size`, independently of the others, and the
/// same seed always picks the same rows, in one pass or in many, on any machine.
///
/// ```
/// use ember_data::split::hashed_test_row;
/// let test = (0..100_000u64).filter(|&r| hashed_test_row(r, 0.2, 7)).count();
/// assert!((19_000..21_000).contains(&test));
/// assert_eq!(hashed_test_row(12, 0.2, 7), hashed_test_row(12, 0.2, 7));
/// ```
pub fn hashed_test_row(row: u64, test_size: f64, seed: u64) -> bool {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let u = (mix(mix(seed) ^ row) >> 11) as f64 / (1u64 << 53) as f64;
    u < test_size
}
