//! Clustering metrics: the adjusted Rand index and the silhouette coefficient, defined as
//! scikit-learn 1.9 defines them (`sklearn.metrics.adjusted_rand_score`,
//! `sklearn.metrics.silhouette_samples` and `sklearn.metrics.silhouette_score` with the
//! euclidean metric).
//!
//! Cluster labels are arbitrary `usize` values: only which samples share a label matters, so
//! `[0, 0, 1]`, `[7, 7, 3]` and `[1, 1, 0]` are the same clustering.
//!
//! ```
//! use ember_metrics::{adjusted_rand_score, silhouette_score};
//!
//! // The same partition under other names scores 1.
//! assert_eq!(adjusted_rand_score(&[0, 0, 1, 1], &[5, 5, 2, 2])?, 1.0);
//! // Two tight, well separated groups on a line.
//! let x = [0.0, 1.0, 4.0, 5.0];
//! assert!((silhouette_score(&x, 1, &[0, 0, 1, 1])? - 47.0 / 63.0).abs() < 1e-15);
//! # Ok::<(), ember_metrics::MetricError>(())
//! ```

use crate::MetricError;

/// The adjusted Rand index of two clusterings of the same samples
/// (`sklearn.metrics.adjusted_rand_score`): the Rand index (the fraction of sample pairs on
/// which the clusterings agree, both together or both apart) adjusted for chance, so that
/// random labelings score about 0 and identical clusterings (up to renaming) score 1; it is
/// symmetric and can be negative (down to −0.5) for especially discordant labelings.
///
/// As in scikit-learn ≥ 1.0 it is computed from the pair confusion matrix (ordered pairs of
/// distinct samples): with `tp` the pairs together in both clusterings, `tn` apart in both,
/// `fp` together only in `labels_pred` and `fn` together only in `labels_true`,
///
/// `ARI = 2 (tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn))`,
///
/// and `ARI = 1` when `fn = fp = 0` (full agreement, which covers both clusterings being a
/// single cluster or both putting every sample in its own cluster). The counts and products
/// are exact integers (`u128`) for fewer than 2³² samples, then rounded to `f64` once each, as
/// scikit-learn's Python integers are, so the result is scikit-learn's to the last bit; beyond
/// that the products are formed in `f64` (an absolute error of a few ε).
///
/// Unlike scikit-learn, which returns 1.0 for two empty labelings, empty input is an error
/// ([`MetricError::Empty`]); labelings of different lengths are [`MetricError::LengthMismatch`].
///
/// ```
/// use ember_metrics::adjusted_rand_score;
///
/// // scikit-learn's documented examples.
/// assert_eq!(adjusted_rand_score(&[0, 0, 1, 1], &[0, 0, 1, 1])?, 1.0);
/// assert_eq!(adjusted_rand_score(&[0, 0, 1, 1], &[1, 1, 0, 0])?, 1.0);
/// assert_eq!(adjusted_rand_score(&[0, 0, 1, 2], &[0, 0, 1, 1])?, 0.571_428_571_428_571_4);
/// assert_eq!(adjusted_rand_score(&[0, 0, 0, 0], &[0, 1, 2, 3])?, 0.0);
/// assert_eq!(adjusted_rand_score(&[0, 0, 1, 1], &[0, 1, 0, 1])?, -0.5);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn adjusted_rand_score(
    labels_true: &[usize],
    labels_pred: &[usize],
) -> Result<f64, MetricError> {
    let PairConfusion { tn, fp, fn_, tp } = PairConfusion::new(labels_true, labels_pred)?;
    if fn_ == 0 && fp == 0 {
        return Ok(1.0);
    }
    let exact = || -> Option<(f64, f64)> {
        let (plus, minus) = (tp.checked_mul(tn)?, fn_.checked_mul(fp)?);
        let numerator = if plus >= minus {
            (plus - minus) as f64
        } else {
            -((minus - plus) as f64)
        };
        let denominator = (tp + fn_)
            .checked_mul(fn_ + tn)?
            .checked_add((tp + fp).checked_mul(fp + tn)?)?;
        Some((numerator, denominator as f64))
    };
    let (numerator, denominator) = exact().unwrap_or_else(|| {
        let [tn, fp, fn_, tp] = [tn, fp, fn_, tp].map(|c| c as f64);
        (
            tp * tn - fn_ * fp,
            (tp + fn_) * (fn_ + tn) + (tp + fp) * (fp + tn),
        )
    });
    Ok(2.0 * numerator / denominator)
}

/// scikit-learn's `pair_confusion_matrix`: counts of ordered pairs of distinct samples
/// (each unordered pair counted twice).
struct PairConfusion {
    /// Apart in both clusterings (`C[0, 0]`).
    tn: u128,
    /// Together only in the predicted clustering (`C[0, 1]`).
    fp: u128,
    /// Together only in the true clustering (`C[1, 0]`).
    fn_: u128,
    /// Together in both clusterings (`C[1, 1]`).
    tp: u128,
}

impl PairConfusion {
    fn new(labels_true: &[usize], labels_pred: &[usize]) -> Result<Self, MetricError> {
        if labels_true.len() != labels_pred.len() {
            return Err(MetricError::LengthMismatch {
                y_true: labels_true.len(),
                y_pred: labels_pred.len(),
            });
        }
        if labels_true.is_empty() {
            return Err(MetricError::Empty);
        }
        let n = labels_true.len() as u128;
        // Σ n_ij² over the contingency table, Σ a_i² over its rows, Σ b_j² over its columns.
        let mut cells: Vec<(usize, usize)> = labels_true
            .iter()
            .copied()
            .zip(labels_pred.iter().copied())
            .collect();
        let sum_squares = sum_of_squared_counts(&mut cells);
        let rows = sum_of_squared_counts(&mut labels_true.to_vec());
        let columns = sum_of_squared_counts(&mut labels_pred.to_vec());
        // Every sum of squares lies between n and n², so nothing below underflows.
        let fp = columns - sum_squares;
        let fn_ = rows - sum_squares;
        Ok(Self {
            tn: n * n - fp - fn_ - sum_squares,
            fp,
            fn_,
            tp: sum_squares - n,
        })
    }
}

/// Σ c² over the number of times `c` each distinct value occurs (sorts `values`).
fn sum_of_squared_counts<T: Ord>(values: &mut [T]) -> u128 {
    values.sort_unstable();
    values
        .chunk_by(|a, b| a == b)
        .map(|run| {
            let c = run.len() as u128;
            c * c
        })
        .sum()
}

/// The silhouette coefficient of every sample (`sklearn.metrics.silhouette_samples` with
/// `metric="euclidean"`): `x` holds one row of `n_features` values per sample (row-major),
/// `labels` each sample's cluster.
///
/// For a sample, `a` is its mean euclidean distance to the other members of its cluster and
/// `b` the smallest, over the other clusters, of its mean distance to that cluster's members;
/// its coefficient is `(b − a) / max(a, b)`, from −1 (closer to another cluster) to 1 (well
/// inside its own). A sample alone in its cluster scores 0, as in scikit-learn (whose 0/0 is
/// turned into 0 by `nan_to_num`), and so does one with `a = b = 0`.
///
/// Distances are `√Σ(xᵢ − xⱼ)²` per pair in `f64`. scikit-learn uses the expansion
/// `‖xᵢ‖² − 2xᵢ·xⱼ + ‖xⱼ‖²`, which differs from it by rounding: about 1e-15 relative on iris,
/// but between identical points it can leave the square root of a rounding error (around
/// 1e-8) where this gives exactly 0, so where duplicate points fall in different clusters the
/// two can differ by about that much. The work is O(n²·d) on one thread; the memory is
/// O(n + k) beyond the output, no n × n distance matrix.
///
/// Errors: `n_features` 0 or a length that is not a multiple of it is
/// [`MetricError::RaggedOutputs`]; a number of rows different from the number of labels is
/// [`MetricError::LengthMismatch`] (`y_true`: rows of `x`, `y_pred`: labels); no samples is
/// [`MetricError::Empty`]; a NaN or infinite value is [`MetricError::NonFinite`] (`which` is
/// `"X"`, `output` the feature); a number of distinct labels outside `2..=n_samples - 1` is
/// [`MetricError::Undefined`] with scikit-learn's message.
///
/// ```
/// use ember_metrics::silhouette_samples;
///
/// // Points 0, 1 | 4, 5 | 10 on a line: point 0 has a = 1 and b = (4 + 5) / 2, point 1 has
/// // a = 1 and b = (3 + 4) / 2; the singleton cluster {10} scores 0.
/// let s = silhouette_samples(&[0.0, 1.0, 4.0, 5.0, 10.0], 1, &[0, 0, 1, 1, 2])?;
/// let expected = [7.0 / 9.0, 5.0 / 7.0, 5.0 / 7.0, 7.0 / 9.0, 0.0];
/// assert!(s.iter().zip(expected).all(|(s, e)| (s - e).abs() < 1e-15));
///
/// let err = silhouette_samples(&[0.0, 1.0, 4.0], 1, &[3, 3, 3]).unwrap_err();
/// assert_eq!(err.to_string(), "Number of labels is 1. Valid values are 2 to n_samples - 1 (inclusive)");
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn silhouette_samples(
    x: &[f64],
    n_features: usize,
    labels: &[usize],
) -> Result<Vec<f64>, MetricError> {
    let clusters = Clusters::new(x, n_features, labels)?;
    let (n, k) = (labels.len(), clusters.sizes.len());
    // Each block of rows keeps one distance sum per cluster and row: a few hundred KiB at most.
    const MAX_SUMS: usize = 1 << 15;
    let block = (MAX_SUMS / k).clamp(1, 64);
    let mut sums = vec![0.0; block * k];
    let mut silhouettes = Vec::with_capacity(n);
    for (b, rows) in x.chunks(block * n_features).enumerate() {
        let start = b * block;
        let sums = &mut sums[..rows.len() / n_features * k];
        sums.fill(0.0);
        // In the order of j, as scikit-learn's `bincount` adds each row's distances.
        for (xj, &cj) in x.chunks_exact(n_features).zip(&clusters.of) {
            for (xi, sums) in rows.chunks_exact(n_features).zip(sums.chunks_exact_mut(k)) {
                sums[cj] += euclidean(xi, xj);
            }
        }
        let own = &clusters.of[start..];
        silhouettes.extend(
            sums.chunks_exact(k)
                .zip(own)
                .map(|(sums, &c)| clusters.coefficient(sums, c)),
        );
    }
    Ok(silhouettes)
}

/// The mean silhouette coefficient over all samples (`sklearn.metrics.silhouette_score` with
/// `metric="euclidean"` and no `sample_size`): the mean of [`silhouette_samples`], with its
/// input, errors and conventions.
///
/// ```
/// use ember_metrics::silhouette_score;
///
/// // Two points per cluster in the plane, at distances 3-4-5: see `silhouette_samples`.
/// let x = [0.0, 0.0, 3.0, 4.0, 6.0, 8.0, 0.0, 8.0, 3.0, 12.0];
/// let score = silhouette_score(&x, 2, &[1, 1, 2, 2, 2])?;
/// assert!((score - 0.320_465_086_885_665_9).abs() < 1e-15);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn silhouette_score(
    x: &[f64],
    n_features: usize,
    labels: &[usize],
) -> Result<f64, MetricError> {
    let silhouettes = silhouette_samples(x, n_features, labels)?;
    Ok(silhouettes.iter().sum::<f64>() / silhouettes.len() as f64)
}

/// Validated silhouette input: each sample's cluster as an index `0..k` and each cluster's size.
struct Clusters {
    /// Cluster index of each sample (the labels' rank among the distinct labels, as
    /// scikit-learn's `LabelEncoder` numbers them).
    of: Vec<usize>,
    /// Number of samples in each cluster.
    sizes: Vec<usize>,
}

impl Clusters {
    fn new(x: &[f64], n_features: usize, labels: &[usize]) -> Result<Self, MetricError> {
        if n_features == 0 || !x.len().is_multiple_of(n_features) {
            return Err(MetricError::RaggedOutputs {
                len: x.len(),
                n_outputs: n_features,
            });
        }
        let n = x.len() / n_features;
        if n != labels.len() {
            return Err(MetricError::LengthMismatch {
                y_true: n,
                y_pred: labels.len(),
            });
        }
        if n == 0 {
            return Err(MetricError::Empty);
        }
        if let Some(at) = x.iter().position(|v| !v.is_finite()) {
            return Err(MetricError::NonFinite {
                which: "X",
                row: at / n_features,
                output: at % n_features,
                value: x[at],
            });
        }
        let mut distinct = labels.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let k = distinct.len();
        if !(2..n).contains(&k) {
            return Err(MetricError::Undefined(format!(
                "Number of labels is {k}. Valid values are 2 to n_samples - 1 (inclusive)"
            )));
        }
        // Every label is in `distinct`, so the search always finds it (`Ok`).
        let of: Vec<usize> = labels
            .iter()
            .map(|l| distinct.binary_search(l).unwrap_or_else(|i| i))
            .collect();
        let mut sizes = vec![0; k];
        of.iter().for_each(|&c| sizes[c] += 1);
        Ok(Self { of, sizes })
    }

    /// The silhouette of a sample of cluster `own` from its distance sum to each cluster.
    fn coefficient(&self, sums: &[f64], own: usize) -> f64 {
        let size = self.sizes[own];
        if size == 1 {
            return 0.0;
        }
        let a = sums[own] / (size - 1) as f64;
        let b = sums
            .iter()
            .zip(&self.sizes)
            .enumerate()
            .filter(|&(c, _)| c != own)
            .map(|(_, (sum, &size))| sum / size as f64)
            .fold(f64::INFINITY, f64::min);
        let s = (b - a) / a.max(b);
        // 0/0 (a = b = 0, duplicate points across clusters) is 0, as `nan_to_num` makes it.
        if s.is_nan() { 0.0 } else { s }
    }
}

/// `√Σ(aᵢ − bᵢ)²`.
fn euclidean(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}
