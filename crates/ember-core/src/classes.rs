//! From raw model outputs to classes: softmax (or the sigmoid of one logit) in `f64`, and the
//! most probable class.

/// Class probabilities (row-major, `n_classes` per row) from raw outputs: softmax of the
/// logits, or for one logit the sigmoid as `[1 − p, p]`; computed in `f64`, so each row sums to
/// 1 to the last bits.
///
/// ```
/// let p = ember_core::probabilities(&[0.0f32, 0.0], 2, 1);
/// assert_eq!(p, vec![0.5, 0.5]);
/// let q = ember_core::probabilities(&[0.0f64], 2, 1); // one logit: the sigmoid
/// assert_eq!(q, vec![0.5, 0.5]);
/// assert_eq!(ember_core::probabilities(&[1000.0, 0.0, -1000.0], 3, 1), vec![1.0, 0.0, 0.0]);
/// ```
pub fn probabilities<V: Copy + Into<f64>>(
    output: &[V],
    n_classes: usize,
    n_rows: usize,
) -> Vec<f64> {
    let width = output.len() / n_rows.max(1);
    let mut proba = Vec::with_capacity(n_rows * n_classes);
    for row in output.chunks(width.max(1)) {
        if width == 1 {
            let z: f64 = row[0].into();
            let p = 1.0 / (1.0 + (-z).exp());
            proba.extend([1.0 - p, p]);
        } else {
            let max = row.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v.into()));
            let exps: Vec<f64> = row.iter().map(|&v| (v.into() - max).exp()).collect();
            let sum: f64 = exps.iter().sum();
            proba.extend(exps.iter().map(|e| e / sum));
        }
    }
    proba
}

/// The index of the largest value, the first on ties (NumPy's `argmax`); 0 for an empty row.
///
/// ```
/// assert_eq!(ember_core::argmax(&[0.1, 0.7, 0.7]), 1);
/// assert_eq!(ember_core::argmax(&[2.0f32, f32::NAN]), 0);
/// ```
pub fn argmax<V: Copy + Into<f64>>(row: &[V]) -> usize {
    row.iter()
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, &v)| {
            if v.into() > best.1 {
                (i, v.into())
            } else {
                best
            }
        })
        .0
}

/// The class of each row of raw outputs `width` wide: the argmax of the logits, or for one
/// logit per row, class 1 when it is positive (the sigmoid above one half).
///
/// ```
/// assert_eq!(ember_core::argmax_rows(&[0.0, 2.0, 3.0, 1.0], 2), vec![1, 0]);
/// assert_eq!(ember_core::argmax_rows(&[-0.5f32, 0.0, 0.5], 1), vec![0, 0, 1]);
/// ```
pub fn argmax_rows<V: Copy + Into<f64>>(values: &[V], width: usize) -> Vec<usize> {
    values
        .chunks(width.max(1))
        .map(|row| {
            if width == 1 {
                usize::from(row[0].into() > 0.0)
            } else {
                argmax(row)
            }
        })
        .collect()
}

/// The column of the smallest value in each row `width` wide, the first on ties (the nearest
/// centre, given distances).
///
/// ```
/// assert_eq!(ember_core::argmin_rows(&[3.0, 1.0, 1.0, 0.5, 2.0, 0.5], 3), vec![1, 0]);
/// ```
pub fn argmin_rows<V: Copy + Into<f64>>(values: &[V], width: usize) -> Vec<usize> {
    values
        .chunks(width.max(1))
        .map(|row| {
            let negated: Vec<f64> = row.iter().map(|&v| -v.into()).collect();
            argmax(&negated)
        })
        .collect()
}
