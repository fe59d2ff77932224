//! Hyper-parameters of linear regression: serialisable, validated at fit time.

use burn::config::Config;
use burn::tensor::Device;
use ember_data::{DataError, Dataset, Matrix};

use super::LinearRegression;
use super::closed_form::{self, ClosedForm, Route};
use super::gradient;
use crate::FitError;

/// How the coefficients are found.
///
/// ```
/// use ember_models::linear::Solver;
/// let s: Solver = serde_json::from_str("\"GradientDescent\"").unwrap();
/// assert_eq!(s, Solver::GradientDescent);
/// ```
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum Solver {
    /// Closed form, choosing for you: [`Lstsq`](Self::Lstsq) for small data or an ill-conditioned
    /// design, [`NormalEquations`](Self::NormalEquations) for large, well-conditioned data.
    Auto,
    /// Least squares in `f64` on the host through QR and SVD (faer), as accurate as
    /// `numpy.linalg.lstsq`; rank-deficient designs get the minimum-norm solution.
    Lstsq,
    /// The Gram matrix `XᵀX` computed on the device in chunks (burn's matmul), solved in `f64`
    /// on the host by Cholesky, then iteratively refined in `f64`. Fast on large data and on the GPU.
    NormalEquations,
    /// Mini-batch gradient descent with burn's autodiff and optimizers
    /// (see [`GradientDescentConfig`]).
    GradientDescent,
}

/// The optimizer used by [`Solver::GradientDescent`].
///
/// ```
/// use ember_models::linear::Optimizer;
/// assert_ne!(Optimizer::Sgd, Optimizer::Adam);
/// ```
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum Optimizer {
    /// Stochastic gradient descent with (heavy-ball) momentum.
    Sgd,
    /// Adam (Kingma & Ba, 2015) with PyTorch's defaults.
    Adam,
}

/// Settings of [`Solver::GradientDescent`].
///
/// Features (and targets) are standardised internally; the fitted coefficients are mapped back
/// to the original units.
///
/// ```
/// use ember_models::linear::{GradientDescentConfig, Optimizer};
/// let gd = GradientDescentConfig::new().with_optimizer(Optimizer::Sgd).with_learning_rate(0.05);
/// assert_eq!(gd.batch_size, 32);
/// ```
#[derive(Config, Debug, PartialEq)]
pub struct GradientDescentConfig {
    /// The optimizer.
    #[config(default = "Optimizer::Adam")]
    pub optimizer: Optimizer,
    /// Step size (in standardised units, so the same value suits data of any scale).
    #[config(default = 0.01)]
    pub learning_rate: f64,
    /// Momentum of [`Optimizer::Sgd`] (0 for plain SGD); ignored by Adam.
    #[config(default = 0.9)]
    pub momentum: f64,
    /// Samples per mini-batch (the whole data set when larger).
    #[config(default = 32)]
    pub batch_size: usize,
    /// Upper bound on the number of epochs.
    #[config(default = 1000)]
    pub max_epochs: usize,
    /// Relative tolerance: training stops once the epoch loss has failed to drop below
    /// `best · (1 - tol)` for `n_iter_no_change` epochs in a row. 0 runs every epoch.
    #[config(default = 1e-6)]
    pub tol: f64,
    /// Epochs without sufficient improvement before stopping (scikit-learn's `n_iter_no_change`;
    /// momentum makes the loss oscillate for a few epochs, so this is not too small).
    #[config(default = 10)]
    pub n_iter_no_change: usize,
    /// Seed of the per-epoch shuffling; the same seed gives the same bits on CPU backends.
    #[config(default = 0)]
    pub seed: u64,
}

/// Linear regression (`alpha = 0`) or ridge regression (`alpha > 0`), as scikit-learn defines
/// them: minimise `‖y − Xw − b‖² + alpha·‖w‖²`, the intercept `b` not penalised.
///
/// ```
/// use burn::tensor::Device;
/// use ember_data::bundled::diabetes;
/// use ember_models::linear::LinearRegressionConfig;
///
/// let data = diabetes(true)?;
/// let ols = LinearRegressionConfig::new().fit(data.x(), data.y(), &Device::flex())?;
/// assert!((ols.score(data.x(), data.y())? - 0.517_748_422_2).abs() < 1e-9);
/// let ridge = LinearRegressionConfig::new().with_alpha(1.0).fit_dataset(&data, &Device::flex())?;
/// assert!(ridge.score(data.x(), data.y())? < 0.517_748_422_2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Config, Debug, PartialEq)]
pub struct LinearRegressionConfig {
    /// Fit an intercept (the data is centred first, as scikit-learn does).
    #[config(default = true)]
    pub fit_intercept: bool,
    /// L2 penalty on the coefficients (ridge); 0 for ordinary least squares.
    #[config(default = 0.0)]
    pub alpha: f64,
    /// How to solve.
    #[config(default = "Solver::Auto")]
    pub solver: Solver,
    /// Settings for [`Solver::GradientDescent`].
    #[config(default = "GradientDescentConfig::new()")]
    pub gradient_descent: GradientDescentConfig,
}

impl LinearRegressionConfig {
    /// Fits `y` (samples × outputs) on `x` (samples × features); tensor work runs on `device`.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_data::Matrix;
    /// use ember_models::linear::LinearRegressionConfig;
    ///
    /// let x = Matrix::from_rows(&[[0.0], [1.0], [f64::NAN]])?;
    /// let y = Matrix::column(vec![0.0, 1.0, 2.0]);
    /// let err = LinearRegressionConfig::new().fit(&x, &y, &Device::flex()).unwrap_err();
    /// assert_eq!(err.to_string(), "X has a non-finite value (NaN) at row 2, column 0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit(
        &self,
        x: &Matrix,
        y: &Matrix,
        device: &Device,
    ) -> Result<LinearRegression, FitError> {
        self.validate()?;
        validate_data(x, y)?;
        let closed = |route| -> Result<_, FitError> {
            let ClosedForm {
                coef,
                intercept,
                solver,
            } = closed_form::fit(x, y, self.fit_intercept, self.alpha, route, device)?;
            Ok((coef, intercept, 1, Vec::new(), solver))
        };
        let (coef, intercept, n_iter, loss_history, solver) = match self.solver {
            Solver::GradientDescent => {
                let fit = gradient::fit(self, x, y, device)?;
                (
                    fit.coef,
                    fit.intercept,
                    fit.n_iter,
                    fit.loss_history,
                    Solver::GradientDescent,
                )
            }
            Solver::Auto => closed(Route::Auto)?,
            Solver::Lstsq => closed(Route::Lstsq)?,
            Solver::NormalEquations => closed(Route::NormalEquations)?,
        };
        LinearRegression::new(
            self.clone(),
            coef,
            intercept,
            n_iter,
            loss_history,
            solver,
            device,
        )
    }

    /// [`fit`](Self::fit) on a [`Dataset`]'s features and targets.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_models::linear::LinearRegressionConfig;
    /// let data = ember_data::generators::seed_line(50, 1);
    /// let model = LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// assert_eq!(model.n_features(), 1);
    /// # Ok::<(), ember_models::FitError>(())
    /// ```
    pub fn fit_dataset(
        &self,
        data: &Dataset,
        device: &Device,
    ) -> Result<LinearRegression, FitError> {
        self.fit(data.x(), data.y(), device)
    }

    /// Checks every hyper-parameter; the first one out of range is the error.
    ///
    /// ```
    /// use ember_models::linear::LinearRegressionConfig;
    /// let err = LinearRegressionConfig::new().with_alpha(-1.0).validate().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid config `alpha`: must be a finite number ≥ 0, got -1");
    /// ```
    pub fn validate(&self) -> Result<(), FitError> {
        let invalid = |field, message: String| Err(FitError::InvalidConfig { field, message });
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return invalid(
                "alpha",
                format!("must be a finite number ≥ 0, got {}", self.alpha),
            );
        }
        if self.solver != Solver::GradientDescent {
            return Ok(());
        }
        let gd = &self.gradient_descent;
        if !(gd.learning_rate.is_finite() && gd.learning_rate > 0.0) {
            return invalid(
                "gradient_descent.learning_rate",
                format!("must be a finite number > 0, got {}", gd.learning_rate),
            );
        }
        if !(0.0..1.0).contains(&gd.momentum) {
            return invalid(
                "gradient_descent.momentum",
                format!("must lie in [0, 1), got {}", gd.momentum),
            );
        }
        if gd.batch_size == 0 {
            return invalid(
                "gradient_descent.batch_size",
                "must be at least 1, got 0".into(),
            );
        }
        if gd.max_epochs == 0 {
            return invalid(
                "gradient_descent.max_epochs",
                "must be at least 1, got 0".into(),
            );
        }
        if gd.n_iter_no_change == 0 {
            return invalid(
                "gradient_descent.n_iter_no_change",
                "must be at least 1, got 0".into(),
            );
        }
        if !(gd.tol.is_finite() && gd.tol >= 0.0) {
            return invalid(
                "gradient_descent.tol",
                format!("must be a finite number ≥ 0, got {}", gd.tol),
            );
        }
        Ok(())
    }
}

fn validate_data(x: &Matrix, y: &Matrix) -> Result<(), FitError> {
    if x.n_rows() == 0 {
        return Err(DataError::Empty("X").into());
    }
    if x.n_cols() == 0 {
        return Err(DataError::Empty("the feature set of X").into());
    }
    if y.n_cols() == 0 {
        return Err(DataError::Empty("the target set of y").into());
    }
    if x.n_rows() != y.n_rows() {
        return Err(DataError::Mismatch {
            what: "rows of X vs rows of y",
            left: x.n_rows(),
            right: y.n_rows(),
        }
        .into());
    }
    x.check_finite("X")?;
    y.check_finite("y")?;
    Ok(())
}
