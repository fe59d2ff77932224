//! Statistical inference for ordinary least squares: what statsmodels'
//! `OLS(y, X).fit().summary()` reports, computed in `f64` on the host through the SVD of the
//! design (as statsmodels' `pinv`), with classical or heteroskedasticity-robust (HC0–HC3)
//! standard errors.

use std::fmt;

use ember_data::Matrix;
use faer::linalg::triangular_solve::solve_upper_triangular_in_place;
use faer::{Mat, Par};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

use super::{LeastSquaresState, LinearRegression};
use crate::FitError;
use crate::inference::{
    Coefficient, CovType, Estimate, InferenceOptions, Reference, cell, identified_columns, names,
    singular_values, write_pairs, write_table,
};

/// What statsmodels' OLS summary reports, for one target.
///
/// ```
/// use burn::tensor::Device;
/// use ember_models::inference::InferenceOptions;
/// use ember_models::linear::LinearRegressionConfig;
///
/// let data = ember_data::load("diabetes")?;
/// let model = LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
/// let summary = model.summary(data.x(), data.y(), &InferenceOptions::default())?;
/// assert!((summary.r_squared - 0.5177484222203498).abs() < 1e-12);       // statsmodels 0.15
/// let bmi = summary.coefficients[3].estimate.unwrap();
/// assert!((bmi.std_err - 66.53344473855086).abs() < 1e-8);
/// println!("{summary}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OlsSummary {
    /// The dependent variable.
    pub dep_variable: String,
    /// Observations.
    pub n_obs: usize,
    /// Identified coefficients (the design's rank).
    pub rank: usize,
    /// `rank − 1` with an intercept, else `rank`.
    pub df_model: f64,
    /// `n − rank`.
    pub df_resid: f64,
    /// The covariance used for standard errors.
    pub cov_type: CovType,
    /// Whether t (else normal) gives p-values and intervals.
    pub use_t: bool,
    /// Confidence level `1 − alpha`.
    pub alpha: f64,
    /// R² (uncentred without an intercept, as statsmodels).
    pub r_squared: f64,
    /// R² adjusted for the degrees of freedom.
    pub adj_r_squared: f64,
    /// F statistic of all slopes being 0 (a Wald test with robust covariances).
    pub f_statistic: f64,
    /// Its p-value.
    pub f_pvalue: f64,
    /// Gaussian log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// Akaike's information criterion.
    pub aic: f64,
    /// Bayes' information criterion.
    pub bic: f64,
    /// Residual variance `SSR / df_resid` (statsmodels' `scale`).
    pub scale: f64,
    /// Largest over smallest singular value of the design (infinite when rank-deficient).
    pub condition_number: f64,
    /// Durbin–Watson statistic of the residuals (this and the four after it: `None` when
    /// the summary came from a [`LeastSquaresState`] without its [`ResidualPass`]).
    pub durbin_watson: Option<f64>,
    /// Skewness of the residuals.
    pub skew: Option<f64>,
    /// Kurtosis of the residuals (3 for a normal distribution).
    pub kurtosis: Option<f64>,
    /// Jarque–Bera normality statistic.
    pub jarque_bera: Option<f64>,
    /// Its p-value (χ² with 2 degrees of freedom).
    pub jarque_bera_pvalue: Option<f64>,
    /// One row per coefficient, `const` first when there is an intercept.
    pub coefficients: Vec<Coefficient>,
    /// Names of the coefficients the design does not identify.
    pub not_identified: Vec<String>,
    #[serde(skip)]
    fitted: Fitted,
}

/// What intervals for new observations need.
#[derive(Debug, Clone, PartialEq)]
struct Fitted {
    fit_intercept: bool,
    /// Design columns (`const` = column 0 with an intercept) that are identified.
    kept: Vec<usize>,
    /// Estimates of the kept columns.
    params: Vec<f64>,
    /// Their covariance, `kept × kept`, row-major.
    cov: Vec<f64>,
}

/// Intervals for the mean response and for a new observation at some `x`.
///
/// Fields follow statsmodels' `get_prediction(x).summary_frame()`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PredictionInterval {
    /// The predicted mean.
    pub mean: f64,
    /// Standard error of the mean.
    pub mean_se: f64,
    /// Confidence interval of the mean response.
    pub mean_ci_low: f64,
    /// Its upper end.
    pub mean_ci_high: f64,
    /// Prediction interval of a new observation.
    pub obs_ci_low: f64,
    /// Its upper end.
    pub obs_ci_high: f64,
}

impl LinearRegression {
    /// The statsmodels-style summary of this least-squares fit on the data `x`, `y` it was fitted
    /// on (one target). Coefficients whose column is a combination of earlier columns are
    /// reported as not identified, and the others are estimated without them. The same
    /// numbers as a [`LeastSquaresState`] of the rows and its [`ResidualPass`] over them: this
    /// is that path, on data in memory.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_data::Matrix;
    /// use ember_models::inference::InferenceOptions;
    /// use ember_models::linear::LinearRegressionConfig;
    ///
    /// // The third column is the sum of the first two.
    /// let x = Matrix::from_fn(20, 3, |i, j| match j { 0 => i as f64, 1 => ((i * 7) % 5) as f64, _ => i as f64 + ((i * 7) % 5) as f64 });
    /// let y = Matrix::column((0..20).map(|i| 1.0 + 2.0 * i as f64 + ((i * 3) % 4) as f64).collect());
    /// let model = LinearRegressionConfig::new().fit(&x, &y, &Device::flex())?;
    /// let s = model.summary(&x, &y, &InferenceOptions::default())?;
    /// assert_eq!(s.not_identified, ["x3"]);
    /// assert_eq!((s.rank, s.df_resid), (3, 17.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn summary(
        &self,
        x: &Matrix,
        y: &Matrix,
        options: &InferenceOptions,
    ) -> Result<OlsSummary, FitError> {
        if self.config().alpha != 0.0 {
            return Err(invalid(
                "alpha",
                format!(
                    "inference is for ordinary least squares; this model is ridge (alpha = {})",
                    self.config().alpha
                ),
            ));
        }
        if x.n_cols() != self.n_features() {
            return Err(FitError::FeatureCount {
                expected: self.n_features(),
                got: x.n_cols(),
            });
        }
        if y.n_cols() != 1 || y.n_rows() != x.n_rows() {
            return Err(invalid(
                "y",
                format!(
                    "inference takes one target with one value per row of X; got {} × {}",
                    y.n_rows(),
                    y.n_cols()
                ),
            ));
        }
        let state = LeastSquaresState::of(x, y, self.config().fit_intercept)?;
        let mut pass = state.residual_pass(options)?;
        pass.update(x, y)?;
        pass.finish()
    }
}

impl LeastSquaresState {
    /// What statsmodels' OLS summary reports that the state determines (one target):
    /// coefficients, classical standard errors, tests and intervals, R², adjusted R², F,
    /// log-likelihood, AIC, BIC and the condition number. The residual diagnostics
    /// (Durbin–Watson, Jarque–Bera, skew, kurtosis) and robust covariances need the residual of
    /// every row: [`residual_pass`](Self::residual_pass) gives them from a second pass; here
    /// they are `None`, and the printed summary says they were skipped.
    ///
    /// ```
    /// use ember_models::inference::InferenceOptions;
    /// use ember_models::linear::LeastSquaresState;
    /// let data = ember_data::load("diabetes")?;
    /// let state = LeastSquaresState::of(data.x(), data.y(), true)?;
    /// let s = state.summary(&InferenceOptions::default())?;
    /// assert!((s.r_squared - 0.5177484222203498).abs() < 1e-12);       // statsmodels 0.15
    /// assert_eq!(s.durbin_watson, None);
    /// assert!(s.to_string().contains("skipped"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn summary(&self, options: &InferenceOptions) -> Result<OlsSummary, FitError> {
        if options.cov_type != CovType::Nonrobust {
            return Err(invalid(
                "cov_type",
                format!(
                    "{:?} standard errors need every row's residual: use residual_pass for a second pass over the data",
                    options.cov_type
                )
                .to_lowercase(),
            ));
        }
        let core = Core::new(self, options)?;
        let cov = core.classical_cov();
        core.assemble(cov, None, options)
    }

    /// A second pass over the same rows, in the same order, for everything
    /// [`summary`](Self::summary) leaves out: feed it every chunk with
    /// [`ResidualPass::update`], then [`ResidualPass::finish`].
    ///
    /// ```
    /// use ember_models::inference::{CovType, InferenceOptions};
    /// use ember_models::linear::LeastSquaresState;
    /// let data = ember_data::load("diabetes")?;
    /// let state = LeastSquaresState::of(data.x(), data.y(), true)?;
    /// let mut pass = state.residual_pass(&InferenceOptions { cov_type: CovType::Hc3, ..Default::default() })?;
    /// pass.update(data.x(), data.y())?;
    /// let s = pass.finish()?;
    /// assert!((s.durbin_watson.unwrap() - 2.0285432192544275).abs() < 1e-9);   // statsmodels 0.15
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn residual_pass(&self, options: &InferenceOptions) -> Result<ResidualPass, FitError> {
        let core = Core::new(self, options)?;
        let q = core.kept.len();
        Ok(ResidualPass {
            r_inv: core.r_inv(),
            core,
            options: options.clone(),
            rows: 0,
            moments: Moments::default(),
            squared_steps: 0.0,
            last: None,
            meat: vec![0.0; q * q],
        })
    }
}

/// The second pass of a streamed least-squares summary: every row's residual, for the
/// residual diagnostics and robust standard errors.
#[derive(Debug, Clone)]
pub struct ResidualPass {
    core: Core,
    options: InferenceOptions,
    /// `R⁻¹` of the identified columns, `q × q` row-major: leverages are `‖R⁻ᵀ z‖²`.
    r_inv: Vec<f64>,
    rows: usize,
    moments: Moments,
    /// `Σ (eᵢ − eᵢ₋₁)²`, across chunks.
    squared_steps: f64,
    last: Option<f64>,
    /// `Σ ωᵢ zᵢ zᵢᵀ` for the robust covariance asked for.
    meat: Vec<f64>,
}

impl ResidualPass {
    /// The residuals of the rows of `x`, `y` (the next rows of the data the state was fitted
    /// on, in order).
    pub fn update(&mut self, x: &Matrix, y: &Matrix) -> Result<(), FitError> {
        let c = &self.core;
        let d = c.n_features;
        if x.n_cols() != d || y.n_cols() != 1 || y.n_rows() != x.n_rows() {
            return Err(invalid(
                "y",
                format!(
                    "the residual pass takes {d} features and one target per row; got X {} × {}, y {} × {}",
                    x.n_rows(),
                    x.n_cols(),
                    y.n_rows(),
                    y.n_cols()
                ),
            ));
        }
        let q = c.kept.len();
        let robust = self.options.cov_type != CovType::Nonrobust;
        let mut residuals = Vec::with_capacity(x.n_rows());
        let mut z = vec![0.0; q];
        for i in 0..x.n_rows() {
            let row = x.row(i);
            for (zj, &col) in z.iter_mut().zip(&c.kept) {
                *zj = c.design_value(row, col);
            }
            let e = y.get(i, 0) - z.iter().zip(&c.params).map(|(a, b)| a * b).sum::<f64>();
            if let Some(previous) = self.last {
                self.squared_steps += (e - previous) * (e - previous);
            }
            self.last = Some(e);
            residuals.push(e);
            if robust {
                let omega = self.weight(e, &z);
                for (row, za) in self.meat.chunks_exact_mut(q).zip(&z) {
                    let za = za * omega;
                    row.iter_mut().zip(&z).for_each(|(m, zb)| *m += za * zb);
                }
            }
        }
        self.rows += x.n_rows();
        self.moments.merge(&Moments::of(&residuals));
        Ok(())
    }

    /// The robust weight of a row with residual `e` and design values `z`.
    fn weight(&self, e: f64, z: &[f64]) -> f64 {
        let e2 = e * e;
        let leverage = || {
            let q = z.len();
            (0..q)
                .map(|col| {
                    let u: f64 = (0..=col).map(|a| self.r_inv[a * q + col] * z[a]).sum();
                    u * u
                })
                .sum::<f64>()
        };
        match self.options.cov_type {
            CovType::Nonrobust | CovType::Hc0 | CovType::Hc1 => e2,
            CovType::Hc2 => e2 / (1.0 - leverage()),
            CovType::Hc3 => e2 / (1.0 - leverage()).powi(2),
        }
    }

    /// The full summary: every row must have been passed.
    pub fn finish(self) -> Result<OlsSummary, FitError> {
        let c = &self.core;
        if self.rows != c.n {
            return Err(invalid(
                "residual_pass",
                format!(
                    "the state has {} rows, the residual pass saw {}: pass every row, once",
                    c.n, self.rows
                ),
            ));
        }
        let cov = if self.options.cov_type == CovType::Nonrobust {
            c.classical_cov()
        } else {
            c.robust_cov(&self.meat, self.options.cov_type)
        };
        let (skew, kurtosis) = self.moments.skew_kurtosis();
        let diagnostics = Diagnostics {
            durbin_watson: self.squared_steps / c.ssr,
            skew,
            kurtosis,
        };
        c.assemble(cov, Some(diagnostics), &self.options)
    }
}

/// What the residuals of every row tell.
struct Diagnostics {
    durbin_watson: f64,
    skew: f64,
    kurtosis: f64,
}

/// What a summary needs that the triangular factor determines, for the identified columns of
/// the design (`const` = column 0 with an intercept).
#[derive(Debug, Clone)]
struct Core {
    n: usize,
    n_features: usize,
    intercept: bool,
    names: Vec<String>,
    kept: Vec<usize>,
    params: Vec<f64>,
    /// The factor of the identified columns, `q × q` upper triangular.
    r_kept: Mat<f64>,
    ssr: f64,
    /// Total sum of squares (about the mean with an intercept, else about 0, as statsmodels).
    tss: f64,
    condition_number: f64,
}

impl Core {
    fn new(state: &LeastSquaresState, options: &InferenceOptions) -> Result<Self, FitError> {
        state.check()?;
        if !(options.alpha > 0.0 && options.alpha < 1.0) {
            return Err(invalid(
                "alpha",
                format!(
                    "the interval's alpha must be in (0, 1), got {}",
                    options.alpha
                ),
            ));
        }
        if state.n_targets() != 1 {
            return Err(invalid(
                "y",
                format!(
                    "inference takes one target; the state has {}",
                    state.n_targets()
                ),
            ));
        }
        let intercept = state.fit_intercept();
        let d = state.n_features();
        let pa = usize::from(intercept) + d;
        let n = usize::try_from(state.n_rows()).unwrap_or(usize::MAX);
        let r = state.factor_of_data();
        let design = r.submatrix(0, 0, pa, pa).to_owned();
        let s = singular_values(&design)?;
        let condition_number = match (s.first(), s.last()) {
            (Some(&hi), Some(&lo)) if lo > 0.0 => hi / lo,
            _ => f64::INFINITY,
        };
        let kept = identified_columns(&design, n)?;
        let q = kept.len();
        if n <= q {
            return Err(FitError::NoResidualDof {
                observations: n,
                coefficients: q,
            });
        }
        // The factor of [design[:, kept] | y] from R's columns (a QR of columns of R is the
        // factor of those columns of the data).
        let chosen = Mat::from_fn(pa + 1, q + 1, |i, j| {
            r[(i, if j < q { kept[j] } else { pa })]
        });
        let factor = chosen.qr().thin_R().to_owned();
        let r_kept = factor.submatrix(0, 0, q, q).to_owned();
        let mut params = factor.submatrix(0, q, q, 1).to_owned();
        solve_upper_triangular_in_place(r_kept.as_ref(), params.as_mut(), Par::Seq);
        let ssr = factor[(q, q)] * factor[(q, q)];
        let first = usize::from(intercept);
        let tss = (first..=pa).map(|i| r[(i, pa)] * r[(i, pa)]).sum();
        let given = if options.feature_names.is_empty() {
            state.feature_names()
        } else {
            &options.feature_names
        };
        Ok(Self {
            n,
            n_features: d,
            intercept,
            names: names(intercept, d, given),
            kept,
            params: (0..q).map(|j| params[(j, 0)]).collect(),
            r_kept,
            ssr,
            tss,
            condition_number,
        })
    }

    /// Column `col` of the design at a row of features.
    fn design_value(&self, row: &[f64], col: usize) -> f64 {
        match (self.intercept, col) {
            (true, 0) => 1.0,
            (true, c) => row[c - 1],
            (false, c) => row[c],
        }
    }

    /// `R⁻¹` of the identified columns, row-major.
    fn r_inv(&self) -> Vec<f64> {
        let q = self.kept.len();
        let mut inv = Mat::<f64>::identity(q, q);
        solve_upper_triangular_in_place(self.r_kept.as_ref(), inv.as_mut(), Par::Seq);
        (0..q * q).map(|k| inv[(k / q, k % q)]).collect()
    }

    /// `(XᵀX)⁻¹ = R⁻¹ R⁻ᵀ`, row-major.
    fn xtx_inv(&self) -> Vec<f64> {
        let q = self.kept.len();
        let inv = self.r_inv();
        let mut out = vec![0.0; q * q];
        for a in 0..q {
            for b in 0..q {
                out[a * q + b] = (a.max(b)..q).map(|c| inv[a * q + c] * inv[b * q + c]).sum();
            }
        }
        out
    }

    fn df_resid(&self) -> f64 {
        (self.n - self.kept.len()) as f64
    }

    /// `σ² (XᵀX)⁻¹`.
    fn classical_cov(&self) -> Vec<f64> {
        let scale = self.ssr / self.df_resid();
        self.xtx_inv().into_iter().map(|v| v * scale).collect()
    }

    /// `(XᵀX)⁻¹ meat (XᵀX)⁻¹`, scaled by `n / df_resid` for HC1.
    fn robust_cov(&self, meat: &[f64], cov_type: CovType) -> Vec<f64> {
        let q = self.kept.len();
        let bread = self.xtx_inv();
        let product = |l: &[f64], r: &[f64]| {
            let mut out = vec![0.0; q * q];
            for a in 0..q {
                for b in 0..q {
                    out[a * q + b] = (0..q).map(|c| l[a * q + c] * r[c * q + b]).sum();
                }
            }
            out
        };
        let mut cov = product(&product(&bread, meat), &bread);
        if cov_type == CovType::Hc1 {
            let factor = self.n as f64 / self.df_resid();
            cov.iter_mut().for_each(|v| *v *= factor);
        }
        cov
    }

    /// The summary from the coefficients' covariance and, when a residual pass ran, its
    /// diagnostics.
    fn assemble(
        &self,
        cov: Vec<f64>,
        diagnostics: Option<Diagnostics>,
        options: &InferenceOptions,
    ) -> Result<OlsSummary, FitError> {
        let (n, rank) = (self.n, self.kept.len());
        let df_resid = self.df_resid();
        let k_const = usize::from(self.intercept);
        let df_model = (rank - k_const) as f64;
        let scale = self.ssr / df_resid;
        let use_t = options
            .use_t
            .unwrap_or(options.cov_type == CovType::Nonrobust);
        let reference = Reference::new(use_t, df_resid)?;
        let mut coefficients: Vec<Coefficient> = self
            .names
            .iter()
            .map(|name| Coefficient {
                name: name.clone(),
                estimate: None,
            })
            .collect();
        for (j, &col) in self.kept.iter().enumerate() {
            let se = cov[j * rank + j].sqrt();
            coefficients[col].estimate =
                Some(Estimate::new(self.params[j], se, &reference, options.alpha));
        }
        let not_identified = coefficients
            .iter()
            .filter(|c| c.estimate.is_none())
            .map(|c| c.name.clone())
            .collect();
        let r_squared = 1.0 - self.ssr / self.tss;
        let adj_r_squared = 1.0 - (n - k_const) as f64 / df_resid * (1.0 - r_squared);
        let slopes: Vec<usize> = (0..rank)
            .filter(|&j| !(self.intercept && self.kept[j] == 0))
            .collect();
        let f_statistic = wald_f(&self.params, &cov, rank, &slopes)?;
        let f_pvalue = FisherSnedecor::new(slopes.len() as f64, df_resid)
            .map(|d| d.sf(f_statistic))
            .unwrap_or(f64::NAN);
        let nf = n as f64;
        let log_likelihood =
            -nf / 2.0 * ((2.0 * std::f64::consts::PI).ln() + (self.ssr / nf).ln() + 1.0);
        let k = df_model + k_const as f64;
        let jarque_bera = diagnostics
            .as_ref()
            .map(|d| nf / 6.0 * (d.skew * d.skew + (d.kurtosis - 3.0).powi(2) / 4.0));
        Ok(OlsSummary {
            dep_variable: options.dep_variable(),
            n_obs: n,
            rank,
            df_model,
            df_resid,
            cov_type: options.cov_type,
            use_t,
            alpha: options.alpha,
            r_squared,
            adj_r_squared,
            f_statistic,
            f_pvalue,
            log_likelihood,
            aic: -2.0 * log_likelihood + 2.0 * k,
            bic: -2.0 * log_likelihood + nf.ln() * k,
            scale,
            condition_number: self.condition_number,
            durbin_watson: diagnostics.as_ref().map(|d| d.durbin_watson),
            skew: diagnostics.as_ref().map(|d| d.skew),
            kurtosis: diagnostics.as_ref().map(|d| d.kurtosis),
            jarque_bera,
            jarque_bera_pvalue: jarque_bera
                .map(|jb| ChiSquared::new(2.0).map(|d| d.sf(jb)).unwrap_or(f64::NAN)),
            coefficients,
            not_identified,
            fitted: Fitted {
                fit_intercept: self.intercept,
                kept: self.kept.clone(),
                params: self.params.clone(),
                cov,
            },
        })
    }
}

fn invalid(field: &str, message: String) -> FitError {
    FitError::InvalidConfig {
        field: field.into(),
        message,
    }
}

impl OlsSummary {
    /// Confidence intervals of the mean response and prediction intervals of new observations
    /// at the rows of `x` (statsmodels' `get_prediction(x).summary_frame(alpha)`).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # use ember_models::inference::InferenceOptions;
    /// # use ember_models::linear::LinearRegressionConfig;
    /// let data = ember_data::load("diabetes")?;
    /// let model = LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// let s = model.summary(data.x(), data.y(), &InferenceOptions::default())?;
    /// let first = s.prediction_intervals(data.x())?[0];
    /// assert!((first.obs_ci_low - 98.74256616847033).abs() < 1e-8);   // statsmodels 0.15
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prediction_intervals(&self, x: &Matrix) -> Result<Vec<PredictionInterval>, FitError> {
        let f = &self.fitted;
        let expected = self.coefficients.len() - usize::from(f.fit_intercept);
        if x.n_cols() != expected {
            return Err(FitError::FeatureCount {
                expected,
                got: x.n_cols(),
            });
        }
        let reference = Reference::new(self.use_t, self.df_resid)?;
        let q = reference.critical(self.alpha);
        let k = f.kept.len();
        let mut out = Vec::with_capacity(x.n_rows());
        for i in 0..x.n_rows() {
            let row = x.row(i);
            let value = |col: usize| -> f64 {
                match (f.fit_intercept, col) {
                    (true, 0) => 1.0,
                    (true, c) => row[c - 1],
                    (false, c) => row[c],
                }
            };
            let z: Vec<f64> = f.kept.iter().map(|&c| value(c)).collect();
            let mean: f64 = z.iter().zip(&f.params).map(|(a, b)| a * b).sum();
            let var: f64 = (0..k)
                .map(|a| (0..k).map(|b| z[a] * f.cov[a * k + b] * z[b]).sum::<f64>())
                .sum();
            let mean_se = var.sqrt();
            let obs_se = (var + self.scale).sqrt();
            out.push(PredictionInterval {
                mean,
                mean_se,
                mean_ci_low: mean - q * mean_se,
                mean_ci_high: mean + q * mean_se,
                obs_ci_low: mean - q * obs_se,
                obs_ci_high: mean + q * obs_se,
            });
        }
        Ok(out)
    }
}

impl fmt::Display for OlsSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = 78;
        writeln!(f, "{:^width$}", "OLS Regression Results")?;
        writeln!(f, "{}", "=".repeat(width))?;
        let cov = format!("{:?}", self.cov_type).to_lowercase();
        write_pairs(
            f,
            &[
                ("Dep. Variable:", self.dep_variable.clone()),
                ("R-squared:", format!("{:.3}", self.r_squared)),
                ("Model:", "OLS".into()),
                ("Adj. R-squared:", format!("{:.3}", self.adj_r_squared)),
                ("Method:", "Least Squares".into()),
                ("F-statistic:", format!("{:.4}", self.f_statistic)),
                ("No. Observations:", self.n_obs.to_string()),
                ("Prob (F-statistic):", format!("{:.3e}", self.f_pvalue)),
                ("Df Residuals:", format!("{}", self.df_resid)),
                ("Log-Likelihood:", format!("{:.2}", self.log_likelihood)),
                ("Df Model:", format!("{}", self.df_model)),
                ("AIC:", format!("{:.1}", self.aic)),
                ("Covariance Type:", cov),
                ("BIC:", format!("{:.1}", self.bic)),
            ],
        )?;
        writeln!(f, "{}", "=".repeat(width))?;
        let letter = if self.use_t { "t" } else { "z" };
        write_table(f, &self.coefficients, letter, self.alpha, width)?;
        writeln!(f, "{}", "=".repeat(width))?;
        write_pairs(
            f,
            &[
                (
                    "Durbin-Watson:",
                    optional(self.durbin_watson, |v| format!("{v:.3}")),
                ),
                (
                    "Jarque-Bera (JB):",
                    optional(self.jarque_bera, |v| format!("{v:.3}")),
                ),
                ("Skew:", optional(self.skew, |v| format!("{v:.3}"))),
                (
                    "Prob(JB):",
                    optional(self.jarque_bera_pvalue, |v| cell(v, 10, 3)),
                ),
                ("Kurtosis:", optional(self.kurtosis, |v| format!("{v:.3}"))),
                ("Cond. No.", cell(self.condition_number, 10, 3)),
            ],
        )?;
        write!(f, "{}", "=".repeat(width))?;
        if self.durbin_watson.is_none() {
            write!(
                f,
                "\nResidual diagnostics (Durbin-Watson, Jarque-Bera, skew, kurtosis) skipped: they need a second pass over the data"
            )?;
        }
        if !self.not_identified.is_empty() {
            write!(
                f,
                "\nNot identified (a combination of earlier columns, left out of the fit): {}",
                self.not_identified.join(", ")
            )?;
        }
        Ok(())
    }
}

/// A value shown by `show`, or `skipped`.
fn optional(value: Option<f64>, show: impl Fn(f64) -> String) -> String {
    value.map_or_else(|| "skipped".into(), show)
}

/// `βₛᵀ Cₛ⁻¹ βₛ / q` for the coefficients `slopes` (indices into `params`).
fn wald_f(params: &[f64], cov: &[f64], k: usize, slopes: &[usize]) -> Result<f64, FitError> {
    let q = slopes.len();
    if q == 0 {
        return Ok(f64::NAN);
    }
    let c = Mat::from_fn(q, q, |a, b| cov[slopes[a] * k + slopes[b]]);
    let beta = Mat::from_fn(q, 1, |a, _| params[slopes[a]]);
    let svd = c
        .thin_svd()
        .map_err(|e| FitError::LinearAlgebra(format!("SVD did not converge: {e:?}")))?;
    let (u, s) = (svd.U(), svd.S().column_vector());
    let projected = u.transpose() * &beta;
    Ok((0..q)
        .map(|a| projected[(a, 0)] * projected[(a, 0)] / s[a])
        .sum::<f64>()
        / q as f64)
}

/// Count, mean and central sums of powers 2 to 4 of some residuals, mergeable (Pébay's
/// formulas), so that skewness and kurtosis come out of one pass in chunks as accurately as
/// from all the residuals at once.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl Moments {
    fn of(e: &[f64]) -> Self {
        let n = e.len() as f64;
        if e.is_empty() {
            return Self::default();
        }
        let mean = e.iter().sum::<f64>() / n;
        let m = |p: i32| e.iter().map(|v| (v - mean).powi(p)).sum::<f64>();
        Self {
            n,
            mean,
            m2: m(2),
            m3: m(3),
            m4: m(4),
        }
    }

    fn merge(&mut self, b: &Self) {
        let a = *self;
        if b.n == 0.0 {
            return;
        }
        if a.n == 0.0 {
            *self = *b;
            return;
        }
        let n = a.n + b.n;
        let delta = b.mean - a.mean;
        let (d2, d3, d4) = (delta * delta, delta.powi(3), delta.powi(4));
        self.n = n;
        self.mean = a.mean + delta * b.n / n;
        self.m2 = a.m2 + b.m2 + d2 * a.n * b.n / n;
        self.m3 = a.m3
            + b.m3
            + d3 * a.n * b.n * (a.n - b.n) / (n * n)
            + 3.0 * delta * (a.n * b.m2 - b.n * a.m2) / n;
        self.m4 = a.m4
            + b.m4
            + d4 * a.n * b.n * (a.n * a.n - a.n * b.n + b.n * b.n) / (n * n * n)
            + 6.0 * d2 * (a.n * a.n * b.m2 + b.n * b.n * a.m2) / (n * n)
            + 4.0 * delta * (a.n * b.m3 - b.n * a.m3) / n;
    }

    /// Skewness and (non-excess) kurtosis, as `scipy.stats` computes them (biased moments).
    fn skew_kurtosis(&self) -> (f64, f64) {
        let m2 = self.m2 / self.n;
        (
            self.m3 / self.n / m2.powf(1.5),
            self.m4 / self.n / (m2 * m2),
        )
    }
}
