//! Least squares in one pass over data of any size, mergeable across shards.
//!
//! The state is the triangular factor `R` of the QR decomposition of `[1 | X | Y]` (the
//! constant column only with an intercept): `(1 + d + k)²` numbers whatever the number of
//! rows. A chunk of rows is folded in by a QR of `[R; chunk]`, and two states fitted on
//! disjoint rows merge by a QR of `[R₁; R₂]` (TSQR): both give the `R` of all the rows, up to
//! rounding, in any order and grouping. Orthogonal transformations keep the accuracy of
//! `numpy.linalg.lstsq` on ill-conditioned designs, where the Gram matrix `XᵀX` would square
//! the condition number.
//!
//! With the constant column first, the rest of `R` is the factor of the *centred* data, so the
//! solve is the same as the in-memory least-squares path's: minimum-norm on a rank-deficient
//! design, ridge at solve time with the intercept not penalised. With an intercept the rows
//! are shifted by the mean of the rows folded in so far (the first fold's rows by their own
//! mean), so that rounding is relative to the spread of the data rather than to its offset:
//! column norms inflated by large means cost digits on ill-conditioned designs. A shift changes
//! only the first row of `R`, exactly, so states with different shifts still merge.

use burn::tensor::Device;
use ember_data::{DataError, Matrix, Scalar};
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::qr::no_pivoting::factor::{qr_in_place, qr_in_place_scratch};
use faer::{Mat, Par};
use serde::{Deserialize, Serialize};

use super::closed_form::svd_solve;
use super::{LinearRegression, LinearRegressionConfig, Solver};
use crate::FitError;

/// Rows folded into `R` at a time (bounds the working copy of a large in-memory matrix).
const ROWS_PER_FOLD: usize = 8192;
/// Householder block size of a fold's QR (the fastest of 8 to 102 for 100-odd columns).
const QR_BLOCK: usize = 32;
/// The version of the serialised state.
const FORMAT: u32 = 1;

/// The one-pass, mergeable state of least squares (and ridge): the triangular factor of
/// `[1 | X | Y]`, the number of rows, and the column names.
///
/// ```
/// use burn::tensor::Device;
/// use ember_data::Matrix;
/// use ember_models::linear::{LeastSquaresState, LinearRegressionConfig};
///
/// // y = 1 + 2·x, fed in two shards and merged.
/// let mut a = LeastSquaresState::new(1, 1, true);
/// a.update(&Matrix::column(vec![0.0, 1.0]), &Matrix::column(vec![1.0, 3.0]))?;
/// let mut b = LeastSquaresState::new(1, 1, true);
/// b.update(&Matrix::column(vec![2.0, 3.0]), &Matrix::column(vec![5.0, 7.0]))?;
/// a.merge(&b)?;
/// let model = a.fit(&LinearRegressionConfig::new(), &Device::flex())?;
/// assert!((model.intercept()[0] - 1.0).abs() < 1e-12 && (model.coef().get(0, 0) - 2.0).abs() < 1e-12);
/// assert_eq!(a.n_rows(), 4);
/// # Ok::<(), ember_models::FitError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeastSquaresState {
    format: u32,
    fit_intercept: bool,
    n_features: usize,
    n_targets: usize,
    n_rows: u64,
    /// `p × p`, row-major, upper triangular; `p = intercept + features + targets`.
    r: Vec<f64>,
    /// What was subtracted from every row of `[X | Y]` (the mean of the first rows), with an
    /// intercept; empty without one.
    shift: Vec<f64>,
    feature_names: Vec<String>,
    target_names: Vec<String>,
}

impl LeastSquaresState {
    /// An empty state for `n_features` features and `n_targets` targets.
    pub fn new(n_features: usize, n_targets: usize, fit_intercept: bool) -> Self {
        let p = usize::from(fit_intercept) + n_features + n_targets;
        Self {
            format: FORMAT,
            fit_intercept,
            n_features,
            n_targets,
            n_rows: 0,
            r: vec![0.0; p * p],
            shift: Vec::new(),
            feature_names: Vec::new(),
            target_names: Vec::new(),
        }
    }

    /// The state with column names (checked when states merge, shown in summaries).
    pub fn with_names(mut self, features: Vec<String>, targets: Vec<String>) -> Self {
        self.feature_names = features;
        self.target_names = targets;
        self
    }

    /// The state of all of `x`, `y`.
    pub fn of<T: Scalar>(
        x: &Matrix<T>,
        y: &Matrix<T>,
        fit_intercept: bool,
    ) -> Result<Self, FitError> {
        let mut state = Self::new(x.n_cols(), y.n_cols(), fit_intercept);
        state.update(x, y)?;
        Ok(state)
    }

    /// Rows folded in so far.
    pub fn n_rows(&self) -> u64 {
        self.n_rows
    }

    /// Features per row.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Targets per row.
    pub fn n_targets(&self) -> usize {
        self.n_targets
    }

    /// Whether the state has the constant column.
    pub fn fit_intercept(&self) -> bool {
        self.fit_intercept
    }

    /// The feature names given by [`with_names`](Self::with_names).
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The target names given by [`with_names`](Self::with_names).
    pub fn target_names(&self) -> &[String] {
        &self.target_names
    }

    /// Folds the rows of `x`, `y` in. A NaN or infinite value is an error naming its row
    /// (counted over every row folded in so far) and column, and leaves the state unchanged.
    pub fn update<T: Scalar>(&mut self, x: &Matrix<T>, y: &Matrix<T>) -> Result<(), FitError> {
        self.check_chunk(x, y)?;
        if self.fit_intercept && self.n_rows == 0 && x.n_rows() > 0 {
            self.shift = first_rows_mean(x, y);
        }
        for start in (0..x.n_rows()).step_by(ROWS_PER_FOLD) {
            let rows = ROWS_PER_FOLD.min(x.n_rows() - start);
            self.fold_rows(x, y, start, rows);
            self.n_rows += rows as u64;
            self.recentre();
        }
        Ok(())
    }

    /// Adds the rows of `other` (a state of the same columns fitted on other rows): the result
    /// is the state of both sets of rows.
    pub fn merge(&mut self, other: &Self) -> Result<(), FitError> {
        other.check()?;
        let same = self.fit_intercept == other.fit_intercept
            && self.n_features == other.n_features
            && self.n_targets == other.n_targets;
        if !same {
            return Err(invalid(
                "state",
                format!(
                    "cannot merge a state of {} features, {} targets{} into one of {} features, {} targets{}",
                    other.n_features,
                    other.n_targets,
                    intercept_note(other.fit_intercept),
                    self.n_features,
                    self.n_targets,
                    intercept_note(self.fit_intercept)
                ),
            ));
        }
        let named = |a: &[String], b: &[String]| a.is_empty() || b.is_empty() || a == b;
        if !named(&self.feature_names, &other.feature_names)
            || !named(&self.target_names, &other.target_names)
        {
            return Err(invalid(
                "state",
                format!(
                    "the states' columns differ: {:?} → {:?} vs {:?} → {:?}",
                    self.feature_names, self.target_names, other.feature_names, other.target_names
                ),
            ));
        }
        if self.feature_names.is_empty() {
            self.feature_names.clone_from(&other.feature_names);
            self.target_names.clone_from(&other.target_names);
        }
        if other.n_rows == 0 {
            return Ok(());
        }
        if self.n_rows == 0 {
            self.r.clone_from(&other.r);
            self.shift.clone_from(&other.shift);
            self.n_rows = other.n_rows;
            return Ok(());
        }
        let theirs = other.factor_shifted_to(&self.shift);
        self.fold(theirs.as_ref());
        self.n_rows += other.n_rows;
        self.recentre();
        Ok(())
    }

    /// The coefficients of `config` (its `alpha` and `fit_intercept`; the solver is least
    /// squares through the SVD of the state's factor, as [`Solver::Lstsq`]).
    pub fn fit(
        &self,
        config: &LinearRegressionConfig,
        device: &Device,
    ) -> Result<LinearRegression, FitError> {
        config.validate()?;
        self.check()?;
        if config.fit_intercept != self.fit_intercept {
            return Err(invalid(
                "fit_intercept",
                format!(
                    "the config says {}, the state was built with {}",
                    config.fit_intercept, self.fit_intercept
                ),
            ));
        }
        if self.n_rows == 0 {
            return Err(DataError::Empty("the least-squares state (no rows)").into());
        }
        let (coef, intercept) = self.solve(config.alpha)?;
        let mut config = config.clone();
        config.solver = Solver::Lstsq;
        LinearRegression::new(
            config,
            coef,
            intercept,
            1,
            Vec::new(),
            Solver::Lstsq,
            device,
        )
    }

    /// `targets × features` coefficients and the intercepts for ridge penalty `alpha`.
    fn solve(&self, alpha: f64) -> Result<(Matrix, Vec<f64>), FitError> {
        let (c, d, k) = (
            usize::from(self.fit_intercept),
            self.n_features,
            self.n_targets,
        );
        let r = self.factor();
        // Rows and columns after the constant: the factor of the centred [X | Y].
        let a = r.submatrix(c, c, d, d);
        let b = r.submatrix(c, c + d, d, k);
        let n = usize::try_from(self.n_rows).unwrap_or(usize::MAX);
        let w = svd_solve(a, b, n.max(d), alpha)?;
        let coef = Matrix::from_fn(k, d, |t, j| w[(j, t)]);
        let intercept = (0..k)
            .map(|t| {
                if c == 0 || r[(0, 0)] == 0.0 {
                    return 0.0;
                }
                let fitted: f64 = (0..d).map(|j| r[(0, 1 + j)] * w[(j, t)]).sum();
                let shifted: f64 = (0..d).map(|j| self.shift[j] * w[(j, t)]).sum();
                (r[(0, 1 + d + t)] - fitted) / r[(0, 0)] + self.shift[d + t] - shifted
            })
            .collect();
        Ok((coef, intercept))
    }

    /// `R` as a matrix (of the shifted rows).
    fn factor(&self) -> Mat<f64> {
        let p = self.width();
        Mat::from_fn(p, p, |i, j| self.r[i * p + j])
    }

    /// The factor of the rows shifted by `shift` rather than by this state's shift: with the
    /// constant column first, `[1 | Z − a] = [1 | Z − b] · T` with `T` the identity plus
    /// `b − a` in its first row, so only the first row of `R` changes.
    fn factor_shifted_to(&self, shift: &[f64]) -> Mat<f64> {
        let mut r = self.factor();
        if self.fit_intercept {
            let r00 = r[(0, 0)];
            for (j, (mine, theirs)) in self.shift.iter().zip(shift).enumerate() {
                r[(0, j + 1)] += r00 * (mine - theirs);
            }
        }
        r
    }

    /// Moves the shift to the mean of the rows folded in so far: the first row of the factor
    /// is `r₀₀ · (mean − shift)` in the data columns, so the mean is known exactly, and after
    /// the move that row is `r₀₀` then zeros.
    fn recentre(&mut self) {
        let r00 = self.r[0];
        if !self.fit_intercept || r00 == 0.0 {
            return;
        }
        for (j, shift) in self.shift.iter_mut().enumerate() {
            *shift += self.r[j + 1] / r00;
            self.r[j + 1] = 0.0;
        }
    }

    /// The factor of `[1 | X | Y]` as given (unshifted), for statistics on that design.
    pub(crate) fn factor_of_data(&self) -> Mat<f64> {
        let zero = vec![0.0; self.shift.len()];
        self.factor_shifted_to(&zero)
    }

    /// `intercept + features + targets`.
    fn width(&self) -> usize {
        usize::from(self.fit_intercept) + self.n_features + self.n_targets
    }

    /// `R ← triangular factor of [R; rows]`.
    fn fold(&mut self, rows: faer::MatRef<'_, f64>) {
        let p = self.width();
        let mut stacked = Mat::<f64>::zeros(p + rows.nrows(), p);
        self.copy_factor_into(&mut stacked);
        stacked.submatrix_mut(p, 0, rows.nrows(), p).copy_from(rows);
        self.take_factor(stacked);
    }

    /// `R ← triangular factor of [R; rows start..start + rows of [1 | X | Y] − shift]`, the
    /// rows written straight into the stacked matrix.
    fn fold_rows<T: Scalar>(&mut self, x: &Matrix<T>, y: &Matrix<T>, start: usize, rows: usize) {
        let (p, c, d) = (
            self.width(),
            usize::from(self.fit_intercept),
            self.n_features,
        );
        let mut stacked = Mat::<f64>::zeros(p + rows, p);
        self.copy_factor_into(&mut stacked);
        if c == 1 {
            stacked.submatrix_mut(p, 0, rows, 1).fill(1.0);
        }
        for j in 0..d + self.n_targets {
            let shift = self.shift.get(j).copied().unwrap_or(0.0);
            let mut column = stacked.col_mut(c + j);
            for i in 0..rows {
                let v = if j < d {
                    x.get(start + i, j)
                } else {
                    y.get(start + i, j - d)
                };
                column[p + i] = v.to_f64() - shift;
            }
        }
        self.take_factor(stacked);
    }

    /// The current factor into the top `p` rows of `stacked`.
    fn copy_factor_into(&self, stacked: &mut Mat<f64>) {
        let p = self.width();
        for j in 0..p {
            for i in 0..=j {
                stacked[(i, j)] = self.r[i * p + j];
            }
        }
    }

    /// `R ←` the triangular factor of `stacked`, by a sequential blocked Householder QR in
    /// place: a chunk is folded on the thread that reads the file while rayon's threads parse
    /// the next blocks, and faer's parallel QR would only take cores from them (measured:
    /// 9 GFLOP/s sequential against 4 with two threads, on a 4,198 × 102 fold).
    fn take_factor(&mut self, mut stacked: Mat<f64>) {
        let p = self.width();
        let block = QR_BLOCK.min(p).max(1);
        let mut householder = Mat::<f64>::zeros(block, p.min(stacked.nrows()));
        let scratch =
            qr_in_place_scratch::<f64>(stacked.nrows(), p, block, Par::Seq, Default::default());
        let mut memory = MemBuffer::new(scratch);
        qr_in_place(
            stacked.as_mut(),
            householder.as_mut(),
            Par::Seq,
            MemStack::new(&mut memory),
            Default::default(),
        );
        for i in 0..p {
            for j in 0..p {
                self.r[i * p + j] = if j >= i { stacked[(i, j)] } else { 0.0 };
            }
        }
    }

    /// The chunk's shape fits the state, and all its values are finite.
    fn check_chunk<T: Scalar>(&self, x: &Matrix<T>, y: &Matrix<T>) -> Result<(), FitError> {
        if x.n_cols() != self.n_features {
            return Err(FitError::FeatureCount {
                expected: self.n_features,
                got: x.n_cols(),
            });
        }
        if y.n_cols() != self.n_targets {
            return Err(FitError::TargetCount {
                expected: self.n_targets,
                got: y.n_cols(),
            });
        }
        if x.n_rows() != y.n_rows() {
            return Err(DataError::Mismatch {
                what: "rows of X vs rows of y",
                left: x.n_rows(),
                right: y.n_rows(),
            }
            .into());
        }
        let first = usize::try_from(self.n_rows).unwrap_or(usize::MAX);
        for (what, m) in [("X", x), ("y", y)] {
            let w = m.n_cols().max(1);
            if let Some(i) = m.as_slice().iter().position(|v| !v.to_f64().is_finite()) {
                return Err(DataError::NonFinite {
                    what,
                    row: first + i / w,
                    column: i % w,
                    value: m.as_slice()[i].to_f64(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// A deserialised state is well formed: its version, its factor's size, triangular and
    /// finite.
    pub fn check(&self) -> Result<(), FitError> {
        if self.format != FORMAT {
            return Err(invalid(
                "state",
                format!(
                    "format {} is not one this ember reads ({FORMAT})",
                    self.format
                ),
            ));
        }
        let p = self.width();
        let shift_len = if self.fit_intercept && self.n_rows > 0 {
            self.n_features + self.n_targets
        } else {
            0
        };
        if self.shift.len() != shift_len || self.shift.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                "state",
                format!(
                    "its shift has {} values, {shift_len} expected, or a non-finite one",
                    self.shift.len()
                ),
            ));
        }
        if self.r.len() != p * p {
            return Err(invalid(
                "state",
                format!(
                    "{} features and {} targets need a {p}×{p} factor, it has {} values",
                    self.n_features,
                    self.n_targets,
                    self.r.len()
                ),
            ));
        }
        let bad = (0..p * p).find(|&k| {
            let (i, j) = (k / p, k % p);
            !self.r[k].is_finite() || (j < i && self.r[k] != 0.0)
        });
        if let Some(k) = bad {
            return Err(invalid(
                "state",
                format!(
                    "its factor is damaged at ({}, {}): {}",
                    k / p,
                    k % p,
                    self.r[k]
                ),
            ));
        }
        self.check_names()
    }

    /// Names, when there are any: one per column, none twice (a column read twice by name
    /// would silently feed one column into two coefficients).
    fn check_names(&self) -> Result<(), FitError> {
        let (features, targets) = (&self.feature_names, &self.target_names);
        if features.is_empty() && targets.is_empty() {
            return Ok(());
        }
        if features.len() != self.n_features || targets.len() != self.n_targets {
            return Err(invalid(
                "state",
                format!(
                    "it names {} features and {} targets for {} and {}",
                    features.len(),
                    targets.len(),
                    self.n_features,
                    self.n_targets
                ),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = features.iter().chain(targets).find(|n| !seen.insert(*n)) {
            return Err(invalid(
                "state",
                format!("it names the column {twice:?} twice"),
            ));
        }
        Ok(())
    }
}

/// The column means of the first rows of `[X | Y]` (at most one fold's worth).
fn first_rows_mean<T: Scalar>(x: &Matrix<T>, y: &Matrix<T>) -> Vec<f64> {
    let rows = x.n_rows().min(ROWS_PER_FOLD);
    let mut mean = vec![0.0; x.n_cols() + y.n_cols()];
    for i in 0..rows {
        let values = x.row(i).iter().chain(y.row(i));
        mean.iter_mut()
            .zip(values)
            .for_each(|(m, v)| *m += v.to_f64());
    }
    mean.iter_mut().for_each(|m| *m /= rows as f64);
    mean
}

fn intercept_note(fit_intercept: bool) -> &'static str {
    if fit_intercept {
        " with an intercept"
    } else {
        " without an intercept"
    }
}

fn invalid(field: &str, message: String) -> FitError {
    FitError::InvalidConfig {
        field: field.into(),
        message,
    }
}
