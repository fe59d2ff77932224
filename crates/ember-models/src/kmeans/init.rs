//! Initial centres: scikit-learn's greedy k-means++, or distinct random rows.

use ember_data::Matrix;
use rand::Rng;
use rand::rngs::StdRng;

/// Squared Euclidean distance between two rows.
pub(super) fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `k` distinct rows of `x`, drawn uniformly.
pub(super) fn random(x: &Matrix, k: usize, rng: &mut StdRng) -> Matrix {
    let rows = rand::seq::index::sample(rng, x.n_rows(), k).into_vec();
    x.select_rows(&rows)
}

/// scikit-learn's `_kmeans_plusplus`: the first centre a uniform row; each next one the best of
/// `2 + ⌊ln k⌋` rows drawn with probability proportional to their squared distance to the
/// nearest centre so far, best meaning the lowest total squared distance once it is added.
pub(super) fn plus_plus(x: &Matrix, k: usize, rng: &mut StdRng) -> Matrix {
    let n = x.n_rows();
    let trials = 2 + (k as f64).ln() as usize;
    let first = rng.random_range(0..n);
    let mut chosen = vec![first];
    let mut closest: Vec<f64> = x
        .rows()
        .map(|r| squared_distance(r, x.row(first)))
        .collect();
    let mut potential: f64 = closest.iter().sum();
    for _ in 1..k {
        let cumulative: Vec<f64> = closest
            .iter()
            .scan(0.0, |acc, d| {
                *acc += d;
                Some(*acc)
            })
            .collect();
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..trials {
            let target = rng.random::<f64>() * potential;
            // numpy's searchsorted (side "left"), clipped to the last row.
            let candidate = cumulative.partition_point(|&c| c < target).min(n - 1);
            let distances: Vec<f64> = x
                .rows()
                .zip(&closest)
                .map(|(r, &c)| c.min(squared_distance(r, x.row(candidate))))
                .collect();
            let total: f64 = distances.iter().sum();
            if best.as_ref().is_none_or(|b| total < b.0) {
                best = Some((total, candidate, distances));
            }
        }
        if let Some((total, candidate, distances)) = best {
            potential = total;
            closest = distances;
            chosen.push(candidate);
        }
    }
    x.select_rows(&chosen)
}
