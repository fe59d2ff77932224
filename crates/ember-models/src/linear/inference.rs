//! Statistical inference for ordinary least squares: what statsmodels'
//! `OLS(y, X).fit().summary()` reports, computed in `f64` on the host through the SVD of the
//! design (as statsmodels' `pinv`), with classical or heteroskedasticity-robust (HC0–HC3)
//! standard errors.

use std::fmt;

use ember_data::Matrix;
use faer::Mat;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

use super::LinearRegression;
use crate::FitError;
use crate::inference::{
    Coefficient, CovType, Estimate, InferenceOptions, Reference, cell, design, identified_columns,
    names, singular_values, write_pairs, write_table,
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
    /// Durbin–Watson statistic of the residuals.
    pub durbin_watson: f64,
    /// Skewness of the residuals.
    pub skew: f64,
    /// Kurtosis of the residuals (3 for a normal distribution).
    pub kurtosis: f64,
    /// Jarque–Bera normality statistic.
    pub jarque_bera: f64,
    /// Its p-value (χ² with 2 degrees of freedom).
    pub jarque_bera_pvalue: f64,
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
    /// reported as not identified, and the others are estimated without them.
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
        let invalid = |field: &str, message: String| FitError::InvalidConfig {
            field: field.into(),
            message,
        };
        if self.config().alpha != 0.0 {
            return Err(invalid(
                "alpha",
                format!(
                    "inference is for ordinary least squares; this model is ridge (alpha = {})",
                    self.config().alpha
                ),
            ));
        }
        if !(options.alpha > 0.0 && options.alpha < 1.0) {
            return Err(invalid(
                "alpha",
                format!(
                    "the interval's alpha must be in (0, 1), got {}",
                    options.alpha
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
        let intercept = self.config().fit_intercept;
        let names = names(intercept, x.n_cols(), &options.feature_names);
        let design = design(x, intercept);
        let y = y.as_slice();
        let n = x.n_rows();
        let s_full = singular_values(&design)?;
        let condition_number = match (s_full.first(), s_full.last()) {
            (Some(&hi), Some(&lo)) if lo > 0.0 => hi / lo,
            _ => f64::INFINITY,
        };
        let kept = identified_columns(&design)?;
        let reduced = Mat::from_fn(n, kept.len(), |i, j| design[(i, kept[j])]);
        let fit = Solved::new(&reduced, y)?;
        let rank = kept.len();
        if n <= rank {
            return Err(invalid(
                "x",
                format!(
                    "{n} observations leave no residual degrees of freedom for {rank} coefficients"
                ),
            ));
        }
        let df_resid = (n - rank) as f64;
        let k_const = usize::from(intercept);
        let df_model = (rank - k_const) as f64;
        let ssr: f64 = fit.residuals.iter().map(|e| e * e).sum();
        let scale = ssr / df_resid;
        let cov = fit.covariance(options.cov_type, scale, df_resid);
        let use_t = options
            .use_t
            .unwrap_or(options.cov_type == CovType::Nonrobust);
        let reference = Reference::new(use_t, df_resid)?;
        let mut coefficients: Vec<Coefficient> = names
            .iter()
            .map(|name| Coefficient {
                name: name.clone(),
                estimate: None,
            })
            .collect();
        for (j, &col) in kept.iter().enumerate() {
            let se = cov[j * rank + j].sqrt();
            coefficients[col].estimate =
                Some(Estimate::new(fit.params[j], se, &reference, options.alpha));
        }
        let not_identified = coefficients
            .iter()
            .filter(|c| c.estimate.is_none())
            .map(|c| c.name.clone())
            .collect();

        let mean = y.iter().sum::<f64>() / n as f64;
        let tss: f64 = if intercept {
            y.iter().map(|v| (v - mean) * (v - mean)).sum()
        } else {
            y.iter().map(|v| v * v).sum()
        };
        let r_squared = 1.0 - ssr / tss;
        let adj_r_squared = 1.0 - (n - k_const) as f64 / df_resid * (1.0 - r_squared);
        let slopes: Vec<usize> = (0..rank)
            .filter(|&j| !(intercept && kept[j] == 0))
            .collect();
        let f_statistic = wald_f(&fit.params, &cov, rank, &slopes)?;
        let f_pvalue = FisherSnedecor::new(slopes.len() as f64, df_resid)
            .map(|d| d.sf(f_statistic))
            .unwrap_or(f64::NAN);
        let nf = n as f64;
        let log_likelihood =
            -nf / 2.0 * ((2.0 * std::f64::consts::PI).ln() + (ssr / nf).ln() + 1.0);
        let k = df_model + k_const as f64;
        let (skew, kurtosis) = moments(&fit.residuals);
        let jarque_bera = nf / 6.0 * (skew * skew + (kurtosis - 3.0).powi(2) / 4.0);
        let e = &fit.residuals;
        let durbin_watson = e.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / ssr;
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
            condition_number,
            durbin_watson,
            skew,
            kurtosis,
            jarque_bera,
            jarque_bera_pvalue: ChiSquared::new(2.0)
                .map(|d| d.sf(jarque_bera))
                .unwrap_or(f64::NAN),
            coefficients,
            not_identified,
            fitted: Fitted {
                fit_intercept: intercept,
                kept,
                params: fit.params,
                cov,
            },
        })
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
                ("Durbin-Watson:", format!("{:.3}", self.durbin_watson)),
                ("Jarque-Bera (JB):", format!("{:.3}", self.jarque_bera)),
                ("Skew:", format!("{:.3}", self.skew)),
                ("Prob(JB):", cell(self.jarque_bera_pvalue, 10, 3)),
                ("Kurtosis:", format!("{:.3}", self.kurtosis)),
                ("Cond. No.", cell(self.condition_number, 10, 3)),
            ],
        )?;
        write!(f, "{}", "=".repeat(width))?;
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

/// Least squares on a full-rank design through its SVD: estimates, residuals, leverages and
/// `(XᵀX)⁻¹`.
struct Solved {
    params: Vec<f64>,
    residuals: Vec<f64>,
    leverage: Vec<f64>,
    /// `(XᵀX)⁻¹`, row-major.
    xtx_inv: Vec<f64>,
    /// The design, kept for the robust sandwich.
    design: Mat<f64>,
}

impl Solved {
    fn new(design: &Mat<f64>, y: &[f64]) -> Result<Self, FitError> {
        let (n, k) = (design.nrows(), design.ncols());
        let svd = design
            .thin_svd()
            .map_err(|e| FitError::LinearAlgebra(format!("SVD did not converge: {e:?}")))?;
        let (u, s, v) = (svd.U(), svd.S().column_vector(), svd.V());
        let uty: Vec<f64> = (0..k)
            .map(|a| (0..n).map(|i| u[(i, a)] * y[i]).sum::<f64>() / s[a])
            .collect();
        let params: Vec<f64> = (0..k)
            .map(|j| (0..k).map(|a| v[(j, a)] * uty[a]).sum())
            .collect();
        let residuals = (0..n)
            .map(|i| y[i] - (0..k).map(|j| design[(i, j)] * params[j]).sum::<f64>())
            .collect();
        let leverage = (0..n)
            .map(|i| (0..k).map(|a| u[(i, a)] * u[(i, a)]).sum())
            .collect();
        let mut xtx_inv = vec![0.0; k * k];
        for r in 0..k {
            for c in 0..k {
                xtx_inv[r * k + c] = (0..k).map(|a| v[(r, a)] * v[(c, a)] / (s[a] * s[a])).sum();
            }
        }
        Ok(Self {
            params,
            residuals,
            leverage,
            xtx_inv,
            design: design.clone(),
        })
    }

    /// The coefficients' covariance, `k × k` row-major.
    fn covariance(&self, cov_type: CovType, scale: f64, df_resid: f64) -> Vec<f64> {
        let k = self.params.len();
        let n = self.residuals.len();
        if cov_type == CovType::Nonrobust {
            return self.xtx_inv.iter().map(|v| v * scale).collect();
        }
        // (XᵀX)⁻¹ Xᵀ diag(ω) X (XᵀX)⁻¹ with ω the adjusted squared residuals.
        let omega: Vec<f64> = (0..n)
            .map(|i| {
                let e2 = self.residuals[i] * self.residuals[i];
                let h = self.leverage[i];
                match cov_type {
                    CovType::Hc0 | CovType::Hc1 | CovType::Nonrobust => e2,
                    CovType::Hc2 => e2 / (1.0 - h),
                    CovType::Hc3 => e2 / ((1.0 - h) * (1.0 - h)),
                }
            })
            .collect();
        let mut meat = vec![0.0; k * k];
        for (i, &w) in omega.iter().enumerate() {
            for a in 0..k {
                let xa = self.design[(i, a)] * w;
                for b in 0..k {
                    meat[a * k + b] += xa * self.design[(i, b)];
                }
            }
        }
        let bread = &self.xtx_inv;
        let product = |l: &[f64], r: &[f64]| {
            let mut out = vec![0.0; k * k];
            for a in 0..k {
                for b in 0..k {
                    out[a * k + b] = (0..k).map(|c| l[a * k + c] * r[c * k + b]).sum();
                }
            }
            out
        };
        let mut cov = product(&product(bread, &meat), bread);
        if cov_type == CovType::Hc1 {
            let factor = n as f64 / df_resid;
            cov.iter_mut().for_each(|v| *v *= factor);
        }
        cov
    }
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

/// Skewness and (non-excess) kurtosis, as `scipy.stats` computes them (biased moments).
fn moments(e: &[f64]) -> (f64, f64) {
    let n = e.len() as f64;
    let mean = e.iter().sum::<f64>() / n;
    let m = |p: i32| e.iter().map(|v| (v - mean).powi(p)).sum::<f64>() / n;
    let m2 = m(2);
    (m(3) / m2.powf(1.5), m(4) / (m2 * m2))
}
