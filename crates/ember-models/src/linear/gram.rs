//! The Gram matrix of the centred `[X | Y]` for the normal equations, in one pass over the rows.
//!
//! Where it is computed depends on the device:
//! - on a CPU backend (flex, ndarray) the host computes it in `f64`: blocks of rows centred by
//!   their own means, one triangle of each block's product (faer), blocks merged with the
//!   pairwise update of Chan, Golub and LeVeque, so the means come out of the same pass, and
//!   it rarely needs refining, where an `f32` Gram through the backend's matmul always needs an
//!   `f64` refinement pass;
//! - on any other device (a GPU) the device multiplies `f32` chunks and the host adds them up in
//!   `f64`, after a first pass for the means.

use burn::tensor::Device;
use ember_data::Matrix;
use faer::linalg::matmul::triangular::{BlockStructure, matmul};
use faer::{Accum, Mat, MatRef, Par};
use rayon::prelude::*;

use super::tensors::{read, tensor2};
use crate::FitError;
use ember_core::is_cpu;

/// Rows per host block: its centred copy (`rows × (d + k)` of `f64`) stays in a core's cache.
const HOST_BLOCK_ROWS: usize = 512;
/// Runs of consecutive blocks folded by one task each (a few per thread, for balance).
const GROUPS: usize = 64;
/// Values per chunk sent to the device for the Gram matrix (16 MiB of `f32`).
const DEVICE_CHUNK_VALUES: usize = 1 << 22;

/// Centring offsets: column means when fitting an intercept, zeros otherwise.
pub(super) struct Centre {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl Centre {
    /// The column means of `x` and `y` with an intercept, zeros without one.
    pub fn of(x: &Matrix, y: &Matrix, fit_intercept: bool) -> Self {
        if fit_intercept {
            Self {
                x: x.column_means(),
                y: y.column_means(),
            }
        } else {
            Self {
                x: vec![0.0; x.n_cols()],
                y: vec![0.0; y.n_cols()],
            }
        }
    }

    fn split(mut means: Vec<f64>, d: usize) -> Self {
        let y = means.split_off(d);
        Self { x: means, y }
    }
}

/// `[Xc | Yc]ᵀ [Xc | Yc]` (full, symmetric), the centre it was taken about, and an estimate of
/// the relative rounding error of its entries (what decides whether the solve from it needs
/// refining; infinite for an `f32` Gram matrix, which always does).
pub(super) struct Gram {
    pub matrix: Mat<f64>,
    pub centre: Centre,
    pub relative_error: f64,
}

/// The Gram matrix of the centred `[X | Y]`: on the host in `f64` for a CPU backend, on
/// `device` in `f32` chunks otherwise.
pub(super) fn gram(
    x: &Matrix,
    y: &Matrix,
    fit_intercept: bool,
    device: &Device,
) -> Result<Gram, FitError> {
    if is_cpu(device) {
        return Ok(host_gram(x, y, fit_intercept));
    }
    let centre = Centre::of(x, y, fit_intercept);
    let matrix = device_gram(x, y, &centre, device)?;
    // Values rounded to f32 and summed in f32 over a chunk: the solve is always refined.
    let relative_error = f64::INFINITY;
    Ok(Gram {
        matrix,
        centre,
        relative_error,
    })
}

/// The count, column means and centred Gram matrix (lower triangle) of a set of rows.
struct Moments {
    rows: usize,
    means: Vec<f64>,
    gram: Mat<f64>,
}

impl Moments {
    fn empty(width: usize) -> Self {
        Self {
            rows: 0,
            means: vec![0.0; width],
            gram: Mat::zeros(width, width),
        }
    }

    /// The moments of the union of two disjoint sets of rows (Chan, Golub & LeVeque's pairwise
    /// update: the Gram matrices add, plus `nₐ n_b / n · δ δᵀ` for the difference of means,
    /// which is zero without an intercept, where every mean is zero).
    fn merged(mut self, other: Self) -> Self {
        let n = (self.rows + other.rows) as f64;
        let width = self.means.len();
        let delta: Vec<f64> = other
            .means
            .iter()
            .zip(&self.means)
            .map(|(b, a)| b - a)
            .collect();
        let factor = self.rows as f64 * other.rows as f64 / n;
        // Column by column over contiguous slices (this runs once per block: it must vectorise).
        for j in 0..width {
            let scale = factor * delta[j];
            self.gram.col_as_slice_mut(j)[j..]
                .iter_mut()
                .zip(&other.gram.col_as_slice(j)[j..])
                .zip(&delta[j..])
                .for_each(|((a, b), d)| *a += b + scale * d);
        }
        let weight = other.rows as f64 / n;
        self.means
            .iter_mut()
            .zip(&delta)
            .for_each(|(m, d)| *m += d * weight);
        self.rows += other.rows;
        self
    }
}

/// One pass over the rows in `f64`, in parallel over blocks.
fn host_gram(x: &Matrix, y: &Matrix, fit_intercept: bool) -> Gram {
    let (n, d, k) = (x.n_rows(), x.n_cols(), y.n_cols());
    let width = d + k;
    // At least as many rows as columns, so that a block's product outweighs its merge.
    let block_rows = HOST_BLOCK_ROWS.max(width);
    let blocks = n.div_ceil(block_rows);
    // At most GROUPS runs of consecutive blocks, each folded in order, then merged in order: the
    // same bits whatever the threads do, and at most GROUPS Gram matrices held at once.
    let per_group = blocks.div_ceil(GROUPS);
    let moments = |blocks: std::ops::Range<usize>| {
        let mut scratch = vec![0.0; block_rows * width];
        blocks
            .map(|b| {
                let rows = b * block_rows..((b + 1) * block_rows).min(n);
                block_moments(x, y, rows, fit_intercept, &mut scratch)
            })
            .reduce(Moments::merged)
    };
    let groups: Vec<Option<Moments>> = (0..blocks.div_ceil(per_group))
        .into_par_iter()
        .map(|g| moments(g * per_group..((g + 1) * per_group).min(blocks)))
        .collect();
    let total = groups
        .into_iter()
        .flatten()
        .reduce(Moments::merged)
        .unwrap_or_else(|| Moments::empty(width));
    let mut matrix = total.gram;
    for j in 0..width {
        for i in 0..j {
            matrix[(i, j)] = matrix[(j, i)];
        }
    }
    // An estimate of the entries' relative rounding error: each is a sum of `block_rows`
    // products, then of `per_group` block sums, then of the group sums (errors of real data
    // grow more slowly than this count).
    let relative_error =
        f64::EPSILON / 2.0 * (block_rows + per_group + blocks.div_ceil(per_group) + width) as f64;
    Gram {
        matrix,
        centre: Centre::split(total.means, d),
        relative_error,
    }
}

/// The moments of rows `rows` of `[X | Y]`, centred by their own means with an intercept;
/// `scratch` holds their (centred) copy.
fn block_moments(
    x: &Matrix,
    y: &Matrix,
    rows: std::ops::Range<usize>,
    fit_intercept: bool,
    scratch: &mut [f64],
) -> Moments {
    let (d, width, count) = (x.n_cols(), x.n_cols() + y.n_cols(), rows.len());
    // Row r of the block is column r of a column-major `width × count` matrix: copied once from
    // memory, then centred in the cache.
    let copy = &mut scratch[..count * width];
    for (out, i) in copy.chunks_exact_mut(width).zip(rows) {
        out[..d].copy_from_slice(x.row(i));
        out[d..].copy_from_slice(y.row(i));
    }
    let mut means = vec![0.0; width];
    if fit_intercept {
        for row in copy.chunks_exact(width) {
            means.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        means.iter_mut().for_each(|m| *m /= count as f64);
        for row in copy.chunks_exact_mut(width) {
            row.iter_mut().zip(&means).for_each(|(v, m)| *v -= m);
        }
    }
    let block = MatRef::from_column_major_slice(copy, width, count);
    let mut gram = Mat::zeros(width, width);
    matmul(
        gram.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        block,
        BlockStructure::Rectangular,
        block.transpose(),
        BlockStructure::Rectangular,
        1.0,
        Par::Seq,
    );
    Moments {
        rows: count,
        means,
        gram,
    }
}

/// `Gram = [Xc | yc]ᵀ [Xc | yc]`, chunk by chunk on the device, each chunk's `f32` product added
/// up in `f64`.
fn device_gram(
    x: &Matrix,
    y: &Matrix,
    centre: &Centre,
    device: &Device,
) -> Result<Mat<f64>, FitError> {
    let (n, d, k) = (x.n_rows(), x.n_cols(), y.n_cols());
    let w = d + k;
    let rows_per_chunk = (DEVICE_CHUNK_VALUES / w).max(1);
    let mut gram = Mat::<f64>::zeros(w, w);
    for start in (0..n).step_by(rows_per_chunk) {
        let rows = rows_per_chunk.min(n - start);
        // Centred f32 rows of [X | y], converted in parallel.
        let mut values = vec![0.0f32; rows * w];
        values.par_chunks_mut(w).enumerate().for_each(|(r, out)| {
            let i = start + r;
            let (ox, oy) = out.split_at_mut(d);
            ox.iter_mut()
                .zip(x.row(i).iter().zip(&centre.x))
                .for_each(|(o, (v, m))| *o = (v - m) as f32);
            oy.iter_mut()
                .zip(y.row(i).iter().zip(&centre.y))
                .for_each(|(o, (v, m))| *o = (v - m) as f32);
        });
        let chunk = tensor2(values, rows, w, device);
        let product = chunk.clone().transpose().matmul(chunk);
        for (k, v) in read(product)?.into_iter().enumerate() {
            gram[(k / w, k % w)] += f64::from(v);
        }
    }
    Ok(gram)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows with a large offset, so that centring matters: an uncentred `f64` Gram of these
    /// loses about 12 digits.
    fn offset_data(n: usize) -> (Matrix, Matrix) {
        let x = Matrix::from_fn(n, 3, |i, j| {
            1e6 * (j as f64 + 1.0) + ((i * 7919 + j * 104_729) % 1000) as f64 / 100.0
        });
        let y = Matrix::from_fn(n, 1, |i, _| 5e5 + ((i * 31) % 17) as f64);
        (x, y)
    }

    /// The centred Gram matrix by the textbook two-pass formula, the sums of the products'
    /// absolute values (the scale of each entry's rounding error), and the means.
    fn two_pass(x: &Matrix, y: &Matrix) -> (Mat<f64>, Mat<f64>, Vec<f64>) {
        let c = Centre::of(x, y, true);
        let means: Vec<f64> = c.x.iter().chain(&c.y).copied().collect();
        let w = means.len();
        let row = |i: usize| -> Vec<f64> {
            x.row(i)
                .iter()
                .chain(y.row(i))
                .zip(&means)
                .map(|(v, m)| v - m)
                .collect()
        };
        let (mut g, mut scale) = (Mat::zeros(w, w), Mat::zeros(w, w));
        for i in 0..x.n_rows() {
            let r = row(i);
            for a in 0..w {
                for b in 0..w {
                    g[(a, b)] += r[a] * r[b];
                    scale[(a, b)] += (r[a] * r[b]).abs();
                }
            }
        }
        (g, scale, means)
    }

    #[test]
    fn host_gram_matches_the_two_pass_formula_across_blocks() {
        // Not a multiple of the block size, so the last block is short.
        let (x, y) = offset_data(3 * HOST_BLOCK_ROWS + 77);
        let (expected, scale, means) = two_pass(&x, &y);
        let got = host_gram(&x, &y, true);
        for a in 0..4 {
            for b in 0..4 {
                let (g, e) = (got.matrix[(a, b)], expected[(a, b)]);
                // Centring 1e6-sized values costs ulp(1e6) each whichever means are used, about
                // 1e-12 of the scale over these rows; the uncentred formula would be off by
                // about 1e-5 of it.
                let tolerance = 1e-10 * scale[(a, b)];
                assert!((g - e).abs() <= tolerance, "({a},{b}): {g} vs {e}");
            }
        }
        let got_means: Vec<f64> = got.centre.x.iter().chain(&got.centre.y).copied().collect();
        for (g, e) in got_means.iter().zip(&means) {
            assert!((g - e).abs() <= 1e-15 * e.abs(), "{g} vs {e}");
        }
    }

    #[test]
    fn host_gram_without_intercept_is_the_raw_product() {
        let x = Matrix::from_fn(HOST_BLOCK_ROWS + 3, 2, |i, j| (i + 2 * j) as f64);
        let y = Matrix::from_fn(HOST_BLOCK_ROWS + 3, 1, |i, _| i as f64 * 0.5);
        let got = host_gram(&x, &y, false);
        let expected: f64 = (0..x.n_rows()).map(|i| (i * (i + 2)) as f64).sum();
        assert_eq!(got.matrix[(0, 1)], expected);
        assert_eq!(got.matrix[(1, 0)], expected);
        assert!(got.centre.x.iter().chain(&got.centre.y).all(|&m| m == 0.0));
    }
}
