//! Closed-form least squares and ridge.
//!
//! Two paths, both ending in an `f64` solve on the host:
//! - [`lstsq`]: QR of the centred `[X | y]` then an SVD of the small triangular factor (faer),
//!   which is as accurate as `numpy.linalg.lstsq` and gives the minimum-norm solution of a
//!   rank-deficient design;
//! - [`normal_equations`]: the Gram matrix of the centred `[X | y]` (the `n × d` work: on the
//!   host in `f64` for a CPU backend, on the device in `f32` otherwise, see [`super::gram`]), a
//!   Cholesky solve in `f64`, and iterative refinement with `f64` residuals when the Gram
//!   matrix's rounding could have cost digits (always after an `f32` one).

use burn::tensor::Device;
use ember_data::Matrix;
use faer::linalg::solvers::Solve;
use faer::{Mat, MatRef, Side};
use rayon::prelude::*;

use super::Solver;
use super::config::validate_values;
use super::gram::{Centre, Gram, gram};
use crate::FitError;
use ember_core::is_cpu;

/// Relative error at which iterative refinement of the normal equations stops.
const REFINED_TOLERANCE: f64 = 1e-12;
/// Refinement steps at most (each is one `f64` pass over the data).
const MAX_REFINEMENTS: usize = 4;
/// Below this many values in `[X | y]`, [`Solver::Auto`] solves on the host in `f64`.
const AUTO_LSTSQ_MAX_VALUES: usize = 1 << 22;
/// Largest condition number of `XᵀX` for which [`Solver::Auto`] trusts the normal equations
/// (an `f32` Gram matrix, on a GPU, is accurate to about 1e-6 relative; one refinement step
/// squares that error as long as `cond · 1e-6` is well below 1). The host's `f64` Gram matrix
/// could be trusted further; the same limit keeps the choice the same on every device.
const MAX_NORMAL_COND: f64 = 1e4;

/// Fitted coefficients (`targets × features`), intercepts, and the solver that produced them.
pub(super) struct ClosedForm {
    pub coef: Matrix,
    pub intercept: Vec<f64>,
    pub solver: Solver,
}

/// Which closed-form path to take: the closed-form subset of [`Solver`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// Choose by size and conditioning.
    Auto,
    /// Always the accurate host path.
    Lstsq,
    /// Always the device Gram path.
    NormalEquations,
}

pub(super) fn fit(
    x: &Matrix,
    y: &Matrix,
    fit_intercept: bool,
    alpha: f64,
    route: Route,
    device: &Device,
) -> Result<ClosedForm, FitError> {
    let host = |solver| -> Result<_, FitError> {
        let centre = Centre::of(x, y, fit_intercept);
        Ok((lstsq(x, y, &centre, alpha)?, centre, solver))
    };
    let (w, centre, solver) = match route {
        Route::Lstsq => host(Solver::Lstsq)?,
        Route::Auto if !uses_gram(route, x, y) => host(Solver::Lstsq)?,
        Route::Auto => {
            let gram = finite_gram(x, y, fit_intercept, device)?;
            let solved = match &gram {
                Some(gram) => normal_equations(x, y, gram, alpha, Some(MAX_NORMAL_COND))?,
                None => None,
            };
            match (solved, gram) {
                (Some(w), Some(gram)) => (w, gram.centre, Solver::NormalEquations),
                (_, gram) => {
                    let centre = gram.map_or_else(|| Centre::of(x, y, fit_intercept), |g| g.centre);
                    (lstsq(x, y, &centre, alpha)?, centre, Solver::Lstsq)
                }
            }
        }
        Route::NormalEquations => {
            let gram = finite_gram(x, y, fit_intercept, device)?.ok_or_else(|| {
                FitError::LinearAlgebra(
                    "XᵀX overflows: rescale the features, or use solver Lstsq".into(),
                )
            })?;
            let w = normal_equations(x, y, &gram, alpha, None)?.ok_or_else(|| {
                FitError::LinearAlgebra(
                    "XᵀX is singular; use solver Lstsq for the minimum-norm solution".into(),
                )
            })?;
            (w, gram.centre, Solver::NormalEquations)
        }
    };
    let (d, k) = (x.n_cols(), y.n_cols());
    let coef = Matrix::from_fn(k, d, |t, j| w[(j, t)]);
    let intercept = (0..k)
        .map(|t| centre.y[t] - (0..d).map(|j| centre.x[j] * w[(j, t)]).sum::<f64>())
        .collect();
    Ok(ClosedForm {
        coef,
        intercept,
        solver,
    })
}

/// Whether `route` computes its Gram matrix on the host, where that pass reads every value
/// before anything depends on them, so that it checks them itself (see [`finite_gram`]).
pub(super) fn checks_values(route: Route, x: &Matrix, y: &Matrix, device: &Device) -> bool {
    uses_gram(route, x, y) && is_cpu(device)
}

/// Whether `route` starts from the Gram matrix (else it solves by QR on the host).
fn uses_gram(route: Route, x: &Matrix, y: &Matrix) -> bool {
    match route {
        Route::Lstsq => false,
        Route::Auto => x.n_rows() * (x.n_cols() + y.n_cols()) > AUTO_LSTSQ_MAX_VALUES,
        Route::NormalEquations => true,
    }
}

/// The Gram matrix, `None` when it is not finite though every value is (it overflows). A
/// non-finite value makes it non-finite too (NaN or ∞ on its diagonal): then the error names
/// the value's place.
fn finite_gram(
    x: &Matrix,
    y: &Matrix,
    fit_intercept: bool,
    device: &Device,
) -> Result<Option<Gram>, FitError> {
    let gram = gram(x, y, fit_intercept, device)?;
    let finite = |v: &[f64]| v.iter().all(|v| v.is_finite());
    let (g, c) = (&gram.matrix, &gram.centre);
    if (0..g.ncols()).all(|j| finite(g.col_as_slice(j))) && finite(&c.x) && finite(&c.y) {
        return Ok(Some(gram));
    }
    validate_values(x, y)?;
    Ok(None)
}

/// Least squares (or ridge) on the centred data, in `f64`: `d × k` coefficients.
fn lstsq(x: &Matrix, y: &Matrix, centre: &Centre, alpha: f64) -> Result<Mat<f64>, FitError> {
    let (n, d, k) = (x.n_rows(), x.n_cols(), y.n_cols());
    let (xs, ys) = (x.as_slice(), y.as_slice());
    let augmented = Mat::from_fn(n, d + k, |i, j| {
        if j < d {
            xs[i * d + j] - centre.x[j]
        } else {
            ys[i * k + j - d] - centre.y[j - d]
        }
    });
    if n > d {
        // X = QR and Qᵀy come out of one QR of [X | y]: R's top-left d×d block and the top d rows
        // of its y columns. Both problems have the same solution, minimum-norm included.
        let qr = augmented.qr();
        let r = qr.thin_R();
        svd_solve(
            r.submatrix(0, 0, d, d),
            r.submatrix(0, d, d, k),
            n.max(d),
            alpha,
        )
    } else {
        svd_solve(
            augmented.submatrix(0, 0, n, d),
            augmented.submatrix(0, d, n, k),
            n.max(d),
            alpha,
        )
    }
}

/// `argmin ‖A w − B‖² + alpha ‖w‖²` through the SVD of `A`, minimum-norm when `alpha = 0`;
/// singular values below `eps · max(n, d) · σ_max` count as zero (numpy's `lstsq` default).
pub(super) fn svd_solve(
    a: MatRef<'_, f64>,
    b: MatRef<'_, f64>,
    max_dim: usize,
    alpha: f64,
) -> Result<Mat<f64>, FitError> {
    let svd = a
        .thin_svd()
        .map_err(|e| FitError::LinearAlgebra(format!("SVD did not converge: {e:?}")))?;
    let s = svd.S().column_vector();
    let s_max = (0..s.nrows()).map(|i| s[i]).fold(0.0, f64::max);
    let cutoff = f64::EPSILON * max_dim as f64 * s_max;
    let mut utb = svd.U().transpose() * b;
    for i in 0..s.nrows() {
        let si = s[i];
        let factor = if alpha > 0.0 {
            si / (si * si + alpha)
        } else if si > cutoff {
            1.0 / si
        } else {
            0.0
        };
        for t in 0..utb.ncols() {
            utb[(i, t)] *= factor;
        }
    }
    Ok(svd.V() * utb)
}

/// The normal equations from `gram`; `None` when `XᵀX + alpha·I` is singular, or worse
/// conditioned than `max_cond` when one is given.
fn normal_equations(
    x: &Matrix,
    y: &Matrix,
    gram: &Gram,
    alpha: f64,
    max_cond: Option<f64>,
) -> Result<Option<Mat<f64>>, FitError> {
    let (d, k) = (x.n_cols(), y.n_cols());
    let (centre, g) = (&gram.centre, &gram.matrix);
    let a = Mat::from_fn(d, d, |i, j| g[(i, j)] + if i == j { alpha } else { 0.0 });
    let b = g.submatrix(0, d, d, k).to_owned();
    let eigen = a
        .self_adjoint_eigenvalues(Side::Lower)
        .map_err(|e| FitError::LinearAlgebra(format!("eigenvalues did not converge: {e:?}")))?;
    let (lo, hi) = (eigen[0], eigen[eigen.len() - 1]);
    if lo <= hi * f64::EPSILON * d as f64 || max_cond.is_some_and(|m| hi / lo > m) {
        return Ok(None);
    }
    let Ok(llt) = a.llt(Side::Lower) else {
        return Ok(None);
    };
    let mut w = llt.solve(&b);
    // The solve's relative error is about cond · (the Gram's relative error): refine only when
    // that could exceed the tolerance (always after an f32 Gram; for an f64 one, only when
    // ill-conditioned).
    if hi / lo * gram.relative_error < REFINED_TOLERANCE {
        return Ok(Some(w));
    }
    // Iterative refinement: each step computes the residual gradient in f64 on the host and
    // corrects by the same factorisation, shrinking the error by ρ ≈ cond · (error of the f32
    // Gram). Step k's relative correction c_k estimates the error before it, so the error left
    // after it is about c_k · ρ, with ρ ≈ c_1 on the first step and c_k / c_{k-1} later.
    let mut previous: Option<f64> = None;
    for _ in 0..MAX_REFINEMENTS {
        let g = residual_gradient(x, y, centre, &w, alpha);
        let delta = llt.solve(&g);
        w += &delta;
        let c = delta.norm_l2() / w.norm_l2().max(f64::MIN_POSITIVE);
        let rho = previous.map_or(c, |p| c / p.max(f64::MIN_POSITIVE));
        if c * rho < REFINED_TOLERANCE || !c.is_finite() {
            break;
        }
        previous = Some(c);
    }
    Ok(Some(w))
}

/// `Xcᵀ (yc − Xc w) − alpha·w` in `f64`, in parallel over row blocks: `d × k`.
fn residual_gradient(
    x: &Matrix,
    y: &Matrix,
    centre: &Centre,
    w: &Mat<f64>,
    alpha: f64,
) -> Mat<f64> {
    let (d, k) = (x.n_cols(), y.n_cols());
    // Coefficients by target, contiguous, so that the inner loops vectorise.
    let columns: Vec<Vec<f64>> = (0..k)
        .map(|t| (0..d).map(|j| w[(j, t)]).collect())
        .collect();
    let block = 4096;
    let zero = || vec![0.0; d * k];
    let sum = (0..x.n_rows().div_ceil(block))
        .into_par_iter()
        .fold(zero, |mut acc, b| {
            let mut c = vec![0.0; d];
            for i in b * block..((b + 1) * block).min(x.n_rows()) {
                c.iter_mut()
                    .zip(x.row(i).iter().zip(&centre.x))
                    .for_each(|(c, (v, m))| *c = v - m);
                for (t, (coef, acc)) in columns.iter().zip(acc.chunks_exact_mut(d)).enumerate() {
                    let fitted: f64 = c.iter().zip(coef).map(|(a, b)| a * b).sum();
                    let r = y.row(i)[t] - centre.y[t] - fitted;
                    acc.iter_mut().zip(&c).for_each(|(a, c)| *a += c * r);
                }
            }
            acc
        })
        .reduce(zero, |mut a, b| {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
            a
        });
    Mat::from_fn(d, k, |j, t| sum[t * d + j] - alpha * w[(j, t)])
}
