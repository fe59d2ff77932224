//! Standard errors, z statistics and p-values of a binary logistic regression from the Fisher
//! information at the estimates, with the likelihood figures of statsmodels' `Logit` summary.

use std::fmt;

use ember_data::Matrix;
use faer::Mat;
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::{LogisticRegression, Penalty};
use crate::FitError;
use crate::inference::{
    Coefficient, CovType, Estimate, InferenceOptions, Reference, design, identified_columns, names,
    write_pairs, write_table,
};

/// What statsmodels' `Logit(y, X).fit().summary()` reports.
///
/// ```
/// use burn::tensor::Device;
/// use ember_models::inference::InferenceOptions;
/// use ember_models::logistic::{LogisticRegressionConfig, Penalty};
///
/// let data = ember_data::load("breast_cancer")?;
/// let x = ember_data::Matrix::from_fn(data.n_samples(), 3, |i, j| data.x().get(i, [1, 4, 8][j]));
/// let y = data.classes().unwrap();
/// let config = LogisticRegressionConfig { penalty: Penalty::None, tol: 1e-10, max_iter: 1000, ..Default::default() };
/// let model = config.fit(&x, &y, &Device::flex())?;
/// let s = model.summary(&x, &y, &InferenceOptions::default())?;
/// assert!((s.log_likelihood - -267.5176700838483).abs() < 1e-6);          // statsmodels 0.15
/// assert!((s.coefficients[1].estimate.unwrap().std_err - 0.030127842331097433).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogitSummary {
    /// The dependent variable.
    pub dep_variable: String,
    /// Observations.
    pub n_obs: usize,
    /// Coefficients minus the intercept.
    pub df_model: f64,
    /// Observations minus coefficients.
    pub df_resid: f64,
    /// Confidence level `1 − alpha`.
    pub alpha: f64,
    /// Log-likelihood at the estimates.
    pub log_likelihood: f64,
    /// Log-likelihood of the intercept-only model.
    pub ll_null: f64,
    /// McFadden's pseudo R², `1 − llf / ll_null`.
    pub pseudo_r_squared: f64,
    /// Likelihood-ratio statistic `2 (llf − ll_null)`.
    pub llr: f64,
    /// Its p-value (χ² with `df_model` degrees of freedom).
    pub llr_pvalue: f64,
    /// Akaike's information criterion.
    pub aic: f64,
    /// Bayes' information criterion.
    pub bic: f64,
    /// Whether the solver met its tolerance.
    pub converged: bool,
    /// Whether the estimates are L2-penalised (the standard errors are then those of the
    /// unpenalised likelihood at them, not of a penalised estimator).
    pub penalised: bool,
    /// One row per coefficient, `const` first when there is an intercept.
    pub coefficients: Vec<Coefficient>,
}

impl LogisticRegression {
    /// The statsmodels-style summary of this binary fit on the data it was fitted on (`y`
    /// holds class indices, each 0 or 1): standard errors from the inverse Fisher information
    /// `(Xᵀ diag(p(1 − p)) X)⁻¹`, z statistics, normal p-values and intervals. They are the
    /// maximum-likelihood ones when `penalty` is `None`; with a penalty they are evaluated at
    /// the penalised estimates (and the summary says so).
    pub fn summary(
        &self,
        x: &Matrix,
        y: &[usize],
        options: &InferenceOptions,
    ) -> Result<LogitSummary, FitError> {
        let invalid = |field: &str, message: String| FitError::InvalidConfig {
            field: field.into(),
            message,
        };
        if self.n_classes() != 2 {
            return Err(invalid(
                "y",
                format!(
                    "the summary covers binary logistic regression; this model has {} classes",
                    self.n_classes()
                ),
            ));
        }
        if options.cov_type != CovType::Nonrobust || options.use_t == Some(true) {
            return Err(invalid(
                "cov_type",
                "logistic regression's summary uses the Fisher information and normal z tests"
                    .into(),
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
        let d = self.coef().n_cols();
        if x.n_cols() != d {
            return Err(FitError::FeatureCount {
                expected: d,
                got: x.n_cols(),
            });
        }
        if y.len() != x.n_rows() || y.iter().any(|&c| c > 1) {
            return Err(invalid(
                "y",
                format!("expected {} class indices, each 0 or 1", x.n_rows()),
            ));
        }
        let intercept = self.config().fit_intercept;
        let names = names(intercept, d, &options.feature_names);
        let design = design(x, intercept);
        let kept = identified_columns(&design, design.nrows())?;
        if kept.len() < design.ncols() {
            let aliased: Vec<&str> = (0..design.ncols())
                .filter(|j| !kept.contains(j))
                .map(|j| names[j].as_str())
                .collect();
            return Err(invalid(
                "x",
                format!(
                    "not identified: {} (a combination of earlier columns); leave them out for standard errors",
                    aliased.join(", ")
                ),
            ));
        }
        let params: Vec<f64> = if intercept {
            std::iter::once(self.intercept()[0])
                .chain(self.coef().row(0).iter().copied())
                .collect()
        } else {
            self.coef().row(0).to_vec()
        };
        let (n, k) = (design.nrows(), design.ncols());
        let p: Vec<f64> = (0..n)
            .map(|i| {
                let z: f64 = (0..k).map(|j| design[(i, j)] * params[j]).sum();
                1.0 / (1.0 + (-z).exp())
            })
            .collect();
        // (XᵀWX)⁻¹ through the SVD of W^½ X, which does not square the conditioning.
        let weighted = Mat::from_fn(n, k, |i, j| design[(i, j)] * (p[i] * (1.0 - p[i])).sqrt());
        let svd = weighted
            .thin_svd()
            .map_err(|e| FitError::LinearAlgebra(format!("SVD did not converge: {e:?}")))?;
        let (v, s) = (svd.V(), svd.S().column_vector());
        let reference = Reference::new(false, (n - k) as f64)?;
        let coefficients = names
            .into_iter()
            .enumerate()
            .map(|(j, name)| {
                let var: f64 = (0..k).map(|a| v[(j, a)] * v[(j, a)] / (s[a] * s[a])).sum();
                Coefficient {
                    name,
                    estimate: Some(Estimate::new(
                        params[j],
                        var.sqrt(),
                        &reference,
                        options.alpha,
                    )),
                }
            })
            .collect();
        let log_likelihood: f64 = y
            .iter()
            .zip(&p)
            .map(|(&c, &pi)| if c == 1 { pi.ln() } else { (1.0 - pi).ln() })
            .sum();
        let nf = n as f64;
        let mean = y.iter().filter(|&&c| c == 1).count() as f64 / nf;
        let ll_null = nf * (mean * mean.ln() + (1.0 - mean) * (1.0 - mean).ln());
        let df_model = (k - usize::from(intercept)) as f64;
        let llr = 2.0 * (log_likelihood - ll_null);
        Ok(LogitSummary {
            dep_variable: options.dep_variable(),
            n_obs: n,
            df_model,
            df_resid: (n - k) as f64,
            alpha: options.alpha,
            log_likelihood,
            ll_null,
            pseudo_r_squared: 1.0 - log_likelihood / ll_null,
            llr,
            llr_pvalue: ChiSquared::new(df_model)
                .map(|d| d.sf(llr))
                .unwrap_or(f64::NAN),
            aic: -2.0 * log_likelihood + 2.0 * k as f64,
            bic: -2.0 * log_likelihood + nf.ln() * k as f64,
            converged: self.converged(),
            penalised: self.config().penalty != Penalty::None,
            coefficients,
        })
    }
}

impl fmt::Display for LogitSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = 78;
        writeln!(f, "{:^width$}", "Logit Regression Results")?;
        writeln!(f, "{}", "=".repeat(width))?;
        write_pairs(
            f,
            &[
                ("Dep. Variable:", self.dep_variable.clone()),
                ("No. Observations:", self.n_obs.to_string()),
                ("Model:", "Logit".into()),
                ("Df Residuals:", format!("{}", self.df_resid)),
                ("Method:", "MLE".into()),
                ("Df Model:", format!("{}", self.df_model)),
                ("Pseudo R-squ.:", format!("{:.4}", self.pseudo_r_squared)),
                ("Log-Likelihood:", format!("{:.3}", self.log_likelihood)),
                ("converged:", self.converged.to_string()),
                ("LL-Null:", format!("{:.3}", self.ll_null)),
                ("Covariance Type:", "nonrobust".into()),
                ("LLR p-value:", format!("{:.3e}", self.llr_pvalue)),
            ],
        )?;
        writeln!(f, "{}", "=".repeat(width))?;
        write_table(f, &self.coefficients, "z", self.alpha, width)?;
        write!(f, "{}", "=".repeat(width))?;
        if self.penalised {
            write!(
                f,
                "\nThe estimates are L2-penalised: the standard errors are the unpenalised likelihood's at them (fit with penalty = \"none\" for maximum-likelihood inference)."
            )?;
        }
        Ok(())
    }
}
