//! Linear regression and ridge: closed-form least squares and gradient descent.
//!
//! ```
//! use burn::tensor::Device;
//! use ember_data::Matrix;
//! use ember_models::linear::{LinearRegressionConfig, Solver};
//!
//! // y = 1 + 2·x exactly.
//! let x = Matrix::column(vec![0.0, 1.0, 2.0, 3.0]);
//! let y = Matrix::column(vec![1.0, 3.0, 5.0, 7.0]);
//! let model = LinearRegressionConfig::new().with_solver(Solver::Lstsq).fit(&x, &y, &Device::flex())?;
//! assert!((model.intercept()[0] - 1.0).abs() < 1e-12);
//! assert!((model.coef().get(0, 0) - 2.0).abs() < 1e-12);
//! # Ok::<(), ember_models::FitError>(())
//! ```

mod closed_form;
mod config;
mod fitted;
mod gradient;
mod gram;
mod inference;
mod module;
mod streaming;
mod tensors;

pub use config::{GradientDescentConfig, LinearRegressionConfig, Optimizer, Solver};
pub use fitted::{LinearRegression, LinearRegressionState};
pub(crate) use fitted::{linear_steps, linear_tensors};
pub use inference::{OlsSummary, PredictionInterval, ResidualPass};
pub use module::{LinearModel, LinearModelConfig};
pub use streaming::LeastSquaresState;
