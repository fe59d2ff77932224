//! What the coefficient tables of statistical summaries share: one row per coefficient
//! (estimate, standard error, test statistic, two-sided p-value, confidence interval), the
//! reference distribution, and the aligned text layout statsmodels prints.

use std::fmt;

use ember_data::Matrix;
use faer::Mat;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::FitError;

/// The covariance of the coefficients (statsmodels' `cov_type`).
///
/// ```
/// let c: ember_models::inference::CovType = serde_json::from_str("\"hc3\"").unwrap();
/// assert_eq!(c, ember_models::inference::CovType::Hc3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CovType {
    /// `σ² (XᵀX)⁻¹`: errors independent with equal variance.
    #[default]
    Nonrobust,
    /// White's heteroskedasticity-consistent estimator.
    Hc0,
    /// HC0 scaled by `n / (n − k)`.
    Hc1,
    /// Squared residuals divided by `1 − hᵢᵢ` (leverage).
    Hc2,
    /// Squared residuals divided by `(1 − hᵢᵢ)²` (close to the jackknife).
    Hc3,
}

/// Settings of a summary.
///
/// ```
/// let o = ember_models::inference::InferenceOptions::default();
/// assert_eq!((o.alpha, o.use_t), (0.05, None));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InferenceOptions {
    /// Confidence intervals at level `1 − alpha`.
    pub alpha: f64,
    /// Classical or robust standard errors.
    pub cov_type: CovType,
    /// Student's t (else normal) for p-values and intervals; by default t for classical
    /// standard errors and normal for robust ones, as statsmodels does.
    pub use_t: Option<bool>,
    /// Feature names for the table (`x1`, `x2`, … when empty).
    pub feature_names: Vec<String>,
    /// The dependent variable's name (`y` when empty).
    pub target_name: String,
}

impl Default for InferenceOptions {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            cov_type: CovType::Nonrobust,
            use_t: None,
            feature_names: Vec::new(),
            target_name: String::new(),
        }
    }
}

impl InferenceOptions {
    /// The dependent variable's name for a summary's head: `target_name`, else `y`.
    pub fn dep_variable(&self) -> String {
        if self.target_name.is_empty() {
            "y".into()
        } else {
            self.target_name.clone()
        }
    }
}

/// The numbers of one identified coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The coefficient.
    pub coef: f64,
    /// Its standard error.
    pub std_err: f64,
    /// `coef / std_err` (t or z).
    pub statistic: f64,
    /// Two-sided p-value of `coef = 0`.
    pub p_value: f64,
    /// Lower end of the confidence interval.
    pub ci_low: f64,
    /// Upper end of the confidence interval.
    pub ci_high: f64,
}

/// One row of a coefficient table: its name and, when the design identifies it, its numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// `const` for the intercept, else the feature's name.
    pub name: String,
    /// `None` when the coefficient is not identified (its column is a combination of earlier
    /// ones).
    pub estimate: Option<Estimate>,
}

/// The reference distribution of the test statistics: Student's t with the residual degrees of
/// freedom, or the standard normal.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Reference {
    T(StudentsT),
    Z(Normal),
}

impl Reference {
    /// Student's t with `df` degrees of freedom when `use_t`, else the standard normal.
    pub fn new(use_t: bool, df: f64) -> Result<Self, FitError> {
        let bad = |e: String| FitError::LinearAlgebra(format!("reference distribution: {e}"));
        Ok(if use_t {
            Self::T(StudentsT::new(0.0, 1.0, df).map_err(|e| bad(e.to_string()))?)
        } else {
            Self::Z(Normal::new(0.0, 1.0).map_err(|e| bad(e.to_string()))?)
        })
    }

    /// `P(|T| > |t|)`.
    pub fn two_sided(&self, t: f64) -> f64 {
        let tail = match self {
            Self::T(d) => d.sf(t.abs()),
            Self::Z(d) => d.sf(t.abs()),
        };
        2.0 * tail
    }

    /// The `1 − alpha/2` quantile.
    pub fn critical(&self, alpha: f64) -> f64 {
        match self {
            Self::T(d) => d.inverse_cdf(1.0 - alpha / 2.0),
            Self::Z(d) => d.inverse_cdf(1.0 - alpha / 2.0),
        }
    }
}

impl Estimate {
    /// The row for `coef` with standard error `std_err`.
    pub(crate) fn new(coef: f64, std_err: f64, reference: &Reference, alpha: f64) -> Self {
        let statistic = coef / std_err;
        let q = reference.critical(alpha);
        Self {
            coef,
            std_err,
            statistic,
            p_value: reference.two_sided(statistic),
            ci_low: coef - q * std_err,
            ci_high: coef + q * std_err,
        }
    }
}

/// A number in at most `width` characters, as statsmodels' tables print it: fixed with
/// `decimals`, or in scientific notation when that would not fit or would show nothing.
pub(crate) fn cell(value: f64, width: usize, decimals: usize) -> String {
    let fixed = format!("{value:.decimals$}");
    let tiny = value != 0.0 && value.abs() < 0.5 * 10f64.powi(-(decimals as i32));
    if fixed.len() <= width && !(tiny && decimals > 3) {
        fixed
    } else {
        format!("{value:.3e}")
    }
}

/// The coefficient table: a header line naming the statistic, a rule, one line per row.
pub(crate) fn write_table(
    f: &mut fmt::Formatter<'_>,
    rows: &[Coefficient],
    letter: &str,
    alpha: f64,
    width: usize,
) -> fmt::Result {
    let name_width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(10);
    let lo = format!("[{:.3}", alpha / 2.0);
    let hi = format!("{:.3}]", 1.0 - alpha / 2.0);
    writeln!(
        f,
        "{:name_width$} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "",
        "coef",
        "std err",
        letter,
        format!("P>|{letter}|"),
        lo,
        hi
    )?;
    writeln!(f, "{}", "-".repeat(width.max(name_width + 66)))?;
    for row in rows {
        match &row.estimate {
            Some(e) => writeln!(
                f,
                "{:name_width$} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
                row.name,
                cell(e.coef, 10, 4),
                cell(e.std_err, 10, 3),
                cell(e.statistic, 10, 3),
                cell(e.p_value, 10, 3),
                cell(e.ci_low, 10, 3),
                cell(e.ci_high, 10, 3),
            )?,
            None => writeln!(f, "{:name_width$} {:>10}", row.name, "not identified")?,
        }
    }
    Ok(())
}

/// Two columns of `label  value` pairs side by side, as in statsmodels' summary heads.
pub(crate) fn write_pairs(f: &mut fmt::Formatter<'_>, pairs: &[(&str, String)]) -> fmt::Result {
    for chunk in pairs.chunks(2) {
        let left = format!("{:<22}{:>16}", chunk[0].0, chunk[0].1);
        match chunk.get(1) {
            Some((label, value)) => writeln!(f, "{left}   {label:<22}{value:>15}")?,
            None => writeln!(f, "{left}")?,
        }
    }
    Ok(())
}

/// `const` (with an intercept) and the feature names, `x1`, `x2`, … where none are given.
pub(crate) fn names(intercept: bool, d: usize, given: &[String]) -> Vec<String> {
    let features = (0..d).map(|j| match given.get(j) {
        Some(n) if given.len() == d => n.clone(),
        _ => format!("x{}", j + 1),
    });
    if intercept {
        std::iter::once("const".to_string())
            .chain(features)
            .collect()
    } else {
        features.collect()
    }
}

/// `[1 | X]` with an intercept, else `X`.
pub(crate) fn design(x: &Matrix, intercept: bool) -> Mat<f64> {
    let offset = usize::from(intercept);
    Mat::from_fn(x.n_rows(), x.n_cols() + offset, |i, j| {
        if j < offset {
            1.0
        } else {
            x.get(i, j - offset)
        }
    })
}

/// Singular values of `a`, largest first.
pub(crate) fn singular_values(a: &Mat<f64>) -> Result<Vec<f64>, FitError> {
    let mut s = a
        .singular_values()
        .map_err(|e| FitError::LinearAlgebra(format!("SVD did not converge: {e:?}")))?;
    s.sort_by(|x, y| y.total_cmp(x));
    Ok(s)
}

/// numpy's `matrix_rank` of a matrix of `n_rows` rows whose singular values are those of `a`
/// (the data, or its triangular factor).
fn rank(a: &Mat<f64>, n_rows: usize) -> Result<usize, FitError> {
    let s = singular_values(a)?;
    let hi = s.first().copied().unwrap_or(0.0);
    let tol = hi * n_rows.max(a.ncols()) as f64 * f64::EPSILON;
    Ok(s.iter().filter(|&&v| v > tol).count())
}

/// The columns that add to the rank of those before them, in order (a column that is a
/// combination of earlier ones is not identified, as R's `lm` reports it). `design` is the
/// design of `n_rows` rows, or its triangular factor.
pub(crate) fn identified_columns(design: &Mat<f64>, n_rows: usize) -> Result<Vec<usize>, FitError> {
    let p = design.ncols();
    if rank(design, n_rows)? == p {
        return Ok((0..p).collect());
    }
    let mut kept = Vec::new();
    for j in 0..p {
        let mut trial = kept.clone();
        trial.push(j);
        let sub = Mat::from_fn(design.nrows(), trial.len(), |i, c| design[(i, trial[c])]);
        if rank(&sub, n_rows)? == trial.len() {
            kept = trial;
        }
    }
    Ok(kept)
}
