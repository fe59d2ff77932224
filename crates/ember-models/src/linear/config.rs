//! Hyper-parameters of linear regression: serialisable, validated at fit time.

use burn::tensor::Device;
use ember_data::{DataError, Dataset, Matrix};

use super::LinearRegression;
use super::closed_form::{self, ClosedForm, Route};
use super::gradient;
use crate::FitError;
use ember_core::Problems;
use ember_train::{EarlyStopping, RunOptions, Schedule};
use serde::{Deserialize, Serialize};

/// How the coefficients are found.
///
/// ```
/// use ember_models::linear::Solver;
/// let s: Solver = serde_json::from_str("\"gradient_descent\"").unwrap();
/// assert_eq!(s, Solver::GradientDescent);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradientDescentConfig {
    /// The optimizer.
    pub optimizer: Optimizer,
    /// Step size (in standardised units, so the same value suits data of any scale).
    pub learning_rate: f64,
    /// Momentum of [`Optimizer::Sgd`] (0 for plain SGD); ignored by Adam.
    pub momentum: f64,
    /// Samples per mini-batch (the whole data set when larger).
    pub batch_size: usize,
    /// Upper bound on the number of epochs.
    pub max_epochs: usize,
    /// Relative tolerance: training stops once the epoch loss has failed to drop below
    /// `best · (1 - tol)` for `n_iter_no_change` epochs in a row. 0 runs every epoch.
    pub tol: f64,
    /// Epochs without sufficient improvement before stopping (scikit-learn's `n_iter_no_change`;
    /// momentum makes the loss oscillate for a few epochs, so this is not too small).
    pub n_iter_no_change: usize,
    /// Seed of the per-epoch shuffling; the same seed gives the same bits on CPU backends.
    pub seed: u64,
    /// The learning-rate schedule (the training loop's).
    pub schedule: Schedule,
    /// Epochs of linear warm-up before the schedule starts.
    pub warmup_epochs: usize,
    /// Fraction of the samples held out for validation (0: none), for early stopping on a
    /// validation metric.
    pub validation_fraction: f64,
    /// Early stopping on any metric the run produces (`valid_loss`, `train_loss`, …), instead
    /// of the tolerance rule.
    pub early_stopping: Option<EarlyStopping>,
}

impl Default for GradientDescentConfig {
    fn default() -> Self {
        Self {
            optimizer: Optimizer::Adam,
            learning_rate: 0.01,
            momentum: 0.9,
            batch_size: 32,
            max_epochs: 1000,
            tol: 1e-6,
            n_iter_no_change: 10,
            seed: 0,
            schedule: Schedule::Constant,
            warmup_epochs: 0,
            validation_fraction: 0.0,
            early_stopping: None,
        }
    }
}

impl GradientDescentConfig {
    /// The defaults: Adam, learning rate 0.01, batch 32, at most 1000 epochs.
    pub fn new() -> Self {
        Self::default()
    }

    builders! {
        with_optimizer => optimizer: Optimizer,
        with_learning_rate => learning_rate: f64,
        with_momentum => momentum: f64,
        with_batch_size => batch_size: usize,
        with_max_epochs => max_epochs: usize,
        with_tol => tol: f64,
        with_n_iter_no_change => n_iter_no_change: usize,
        with_seed => seed: u64,
        with_schedule => schedule: Schedule,
        with_warmup_epochs => warmup_epochs: usize,
        with_validation_fraction => validation_fraction: f64,
        with_early_stopping => early_stopping: Option<EarlyStopping>,
    }
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearRegressionConfig {
    /// Fit an intercept (the data is centred first, as scikit-learn does).
    pub fit_intercept: bool,
    /// L2 penalty on the coefficients (ridge); 0 for ordinary least squares.
    pub alpha: f64,
    /// How to solve.
    pub solver: Solver,
    /// Settings for [`Solver::GradientDescent`].
    pub gradient_descent: GradientDescentConfig,
    /// Where gradient descent writes checkpoints and logs, and how it shows progress (not a
    /// hyper-parameter: not saved with the model).
    #[serde(skip)]
    pub run: RunOptions,
}

impl Default for LinearRegressionConfig {
    fn default() -> Self {
        Self {
            fit_intercept: true,
            alpha: 0.0,
            solver: Solver::Auto,
            gradient_descent: GradientDescentConfig::default(),
            run: RunOptions::quiet(),
        }
    }
}

impl LinearRegressionConfig {
    /// The defaults: ordinary least squares with an intercept, [`Solver::Auto`].
    pub fn new() -> Self {
        Self::default()
    }

    builders! {
        with_fit_intercept => fit_intercept: bool,
        with_alpha => alpha: f64,
        with_solver => solver: Solver,
        with_gradient_descent => gradient_descent: GradientDescentConfig,
        with_run => run: RunOptions,
    }

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
        validate_shapes(x, y)?;
        let route = match self.solver {
            Solver::Auto => Some(Route::Auto),
            Solver::Lstsq => Some(Route::Lstsq),
            Solver::NormalEquations => Some(Route::NormalEquations),
            Solver::GradientDescent => None,
        };
        // A Gram matrix computed on the host reads every value first and checks them there,
        // which saves a pass over the data.
        if !route.is_some_and(|r| closed_form::checks_values(r, x, y, device)) {
            validate_values(x, y)?;
        }
        let closed = |route: Route| -> Result<_, FitError> {
            let ClosedForm {
                coef,
                intercept,
                solver,
            } = closed_form::fit(x, y, self.fit_intercept, self.alpha, route, device)?;
            Ok((coef, intercept, 1, Vec::new(), solver, None))
        };
        let (coef, intercept, n_iter, loss_history, solver, epochs) = match route {
            Some(route) => closed(route)?,
            None => {
                let fit = gradient::fit(self, x, y, device)?;
                (
                    fit.coef,
                    fit.intercept,
                    fit.n_iter,
                    fit.loss_history,
                    Solver::GradientDescent,
                    Some(fit.epochs),
                )
            }
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
        .map(|model| model.with_epochs(epochs))
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
        data.check_numeric_targets()?;
        self.fit(data.x(), data.y(), device)
    }

    /// Checks every hyper-parameter; the first one out of range is the error.
    ///
    /// ```
    /// use ember_models::linear::LinearRegressionConfig;
    /// let err = LinearRegressionConfig::new().with_alpha(-1.0).validate().unwrap_err();
    /// assert_eq!(err.to_string(), "invalid config `alpha`: must be ≥ 0, got -1");
    /// ```
    pub fn validate(&self) -> Result<(), FitError> {
        match self.problems().first() {
            Some(p) => Err(p.into()),
            None => Ok(()),
        }
    }

    /// Every invalid setting, each naming its field (`gradient_descent.batch_size`).
    ///
    /// ```
    /// use ember_models::linear::{GradientDescentConfig, LinearRegressionConfig};
    /// let gd = GradientDescentConfig::new().with_learning_rate(0.0).with_batch_size(0);
    /// let config = LinearRegressionConfig::new().with_alpha(-1.0).with_gradient_descent(gd);
    /// assert_eq!(config.problems().into_vec().len(), 3);
    /// ```
    pub fn problems(&self) -> Problems {
        let mut p = Problems::default();
        p.non_negative("alpha", self.alpha);
        let gd = &self.gradient_descent;
        let mut g = Problems::default();
        g.positive("learning_rate", gd.learning_rate);
        g.unit_interval("momentum", gd.momentum);
        g.at_least_one("batch_size", gd.batch_size);
        g.at_least_one("max_epochs", gd.max_epochs);
        g.at_least_one("n_iter_no_change", gd.n_iter_no_change);
        g.non_negative("tol", gd.tol);
        // The loop's own checks of the settings it takes as they are.
        for problem in gd.train_config(usize::MAX).problems().into_vec() {
            let field = problem.field.as_str();
            if ["schedule", "validation_fraction", "early_stopping"]
                .iter()
                .any(|f| field.starts_with(f))
            {
                g.push(problem.field, problem.message);
            }
        }
        p.nest("gradient_descent", g);
        p
    }
}

fn validate_shapes(x: &Matrix, y: &Matrix) -> Result<(), FitError> {
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
    Ok(())
}

/// An error naming the place of a non-finite value, or the column whose sum overflows.
pub(super) fn validate_values(x: &Matrix, y: &Matrix) -> Result<(), FitError> {
    // One parallel pass for the usual case, where every value is finite and no column's sum
    // overflows; only a failing one looks again, for the place to name.
    let fine = |m: &Matrix| m.column_abs_sums().iter().all(|s| s.is_finite());
    if fine(x) && fine(y) {
        return Ok(());
    }
    x.check_finite("X")?;
    y.check_finite("y")?;
    check_range(x, "X")?;
    check_range(y, "y")
}

/// An error when a column's values are so large that their sum (for its mean) overflows f64.
fn check_range(m: &Matrix, name: &'static str) -> Result<(), FitError> {
    let k = m.n_cols();
    for j in 0..k {
        let column = m.as_slice().iter().skip(j).step_by(k);
        if column.clone().map(|v| v.abs()).sum::<f64>().is_finite() {
            continue;
        }
        let largest = column.fold(0.0f64, |a, v| a.max(v.abs()));
        return Err(DataError::InvalidParameter {
            name,
            message: format!(
                "the values of column {j} overflow: they reach {largest:e}, and their sum is beyond f64's range (±1.8e308); rescale the column"
            ),
        }
        .into());
    }
    Ok(())
}

estimator!(
    LinearRegressionConfig,
    "linear_regression",
    Regression,
    |c, train, _valid, device| c.fit_dataset(train, device)
);
