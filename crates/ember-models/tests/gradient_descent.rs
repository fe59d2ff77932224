//! Gradient descent reaches the closed-form answer, deterministically, and fails loudly.

use burn::tensor::Device;
use ember_data::Dataset;
use ember_data::bundled::{diabetes, linnerud, seed_line_numpy42};
use ember_models::FitError;
use ember_models::linear::{
    GradientDescentConfig, LinearRegression, LinearRegressionConfig, Optimizer, Solver,
};

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-12))
        .fold(0.0, f64::max)
}

fn gd(
    config: LinearRegressionConfig,
    gd: GradientDescentConfig,
    data: &Dataset,
) -> Result<LinearRegression, FitError> {
    config
        .with_solver(Solver::GradientDescent)
        .with_gradient_descent(gd)
        .fit_dataset(data, &Device::flex())
}

fn closed(config: LinearRegressionConfig, data: &Dataset) -> Result<LinearRegression, FitError> {
    config
        .with_solver(Solver::Lstsq)
        .fit_dataset(data, &Device::flex())
}

/// Norm-wise relative error `‖a − b‖ / ‖b‖` (element-wise would punish near-zero coefficients).
fn norm_rel(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
    let norm: f64 = b.iter().map(|y| y * y).sum();
    (diff / norm).sqrt()
}

fn assert_reaches(model: &LinearRegression, reference: &LinearRegression, tol: f64) {
    let coef = norm_rel(model.coef().as_slice(), reference.coef().as_slice());
    let intercept = max_rel(model.intercept(), reference.intercept());
    assert!(
        coef < tol && intercept < tol,
        "coef off by {coef:e}, intercept by {intercept:e} (after {} epochs)",
        model.n_iter()
    );
}

#[test]
fn sgd_with_momentum_reaches_the_closed_form() -> Result<(), Box<dyn std::error::Error>> {
    let data = seed_line_numpy42()?;
    let config = GradientDescentConfig::new()
        .with_optimizer(Optimizer::Sgd)
        .with_momentum(0.5)
        .with_learning_rate(0.1)
        .with_batch_size(100)
        .with_max_epochs(500)
        .with_tol(1e-12);
    let model = gd(LinearRegressionConfig::new(), config, &data)?;
    // f32 arithmetic on the device: 1e-4 is a few hundred f32 ulps.
    assert_reaches(&model, &closed(LinearRegressionConfig::new(), &data)?, 1e-4);
    assert!(
        model.n_iter() < 500,
        "stopped on the tolerance, not the epoch limit"
    );
    Ok(())
}

#[test]
fn adam_with_mini_batches_reaches_the_closed_form() -> Result<(), Box<dyn std::error::Error>> {
    let data = seed_line_numpy42()?;
    let config = GradientDescentConfig::new()
        .with_optimizer(Optimizer::Adam)
        .with_learning_rate(0.002)
        .with_batch_size(25)
        .with_max_epochs(3000)
        .with_tol(0.0);
    let model = gd(LinearRegressionConfig::new(), config, &data)?;
    assert_eq!(model.n_iter(), 3000);
    assert_reaches(&model, &closed(LinearRegressionConfig::new(), &data)?, 1e-3);
    let history = model.loss_history();
    assert!(history[0] > history[history.len() - 1]);
    // The last loss is the MSE of the fitted line, which cannot beat the least-squares MSE 0.80658.
    assert!(history[history.len() - 1] >= 0.806_57 && history[history.len() - 1] < 0.81);
    Ok(())
}

#[test]
fn ridge_by_gradient_descent_matches_closed_form_ridge() -> Result<(), Box<dyn std::error::Error>> {
    let data = diabetes(true)?;
    let ridge = LinearRegressionConfig::new().with_alpha(1.0);
    let config = GradientDescentConfig::new()
        .with_optimizer(Optimizer::Sgd)
        .with_momentum(0.5)
        .with_learning_rate(0.05)
        .with_batch_size(442)
        .with_max_epochs(5000)
        .with_tol(1e-12);
    let model = gd(ridge.clone(), config, &data)?;
    assert_reaches(&model, &closed(ridge, &data)?, 1e-3);
    Ok(())
}

#[test]
fn multi_output_gradient_descent() -> Result<(), Box<dyn std::error::Error>> {
    let data = linnerud()?;
    let config = GradientDescentConfig::new()
        .with_optimizer(Optimizer::Sgd)
        .with_momentum(0.5)
        .with_learning_rate(0.1)
        .with_batch_size(20)
        .with_max_epochs(4000)
        // Linnerud is ill-conditioned: the loss flattens (in f32) long before the coefficients
        // settle, so run every epoch rather than stop on the loss.
        .with_tol(0.0);
    let model = gd(LinearRegressionConfig::new(), config, &data)?;
    assert_reaches(&model, &closed(LinearRegressionConfig::new(), &data)?, 1e-3);
    Ok(())
}

#[test]
fn same_seed_same_bits() -> Result<(), Box<dyn std::error::Error>> {
    let data = seed_line_numpy42()?;
    let config = GradientDescentConfig::new()
        .with_batch_size(16)
        .with_max_epochs(30)
        .with_seed(7);
    let a = gd(LinearRegressionConfig::new(), config.clone(), &data)?;
    let b = gd(LinearRegressionConfig::new(), config.clone(), &data)?;
    assert_eq!(a.coef().as_slice(), b.coef().as_slice());
    assert_eq!(a.loss_history(), b.loss_history());
    let c = gd(LinearRegressionConfig::new(), config.with_seed(8), &data)?;
    assert_ne!(a.coef().as_slice(), c.coef().as_slice());
    Ok(())
}

#[test]
fn divergence_is_an_error_naming_epoch_and_batch() -> Result<(), Box<dyn std::error::Error>> {
    let data = diabetes(false)?;
    let config = GradientDescentConfig::new()
        .with_optimizer(Optimizer::Sgd)
        .with_momentum(0.0)
        .with_learning_rate(1e6)
        .with_batch_size(442)
        .with_max_epochs(1000);
    let err = gd(LinearRegressionConfig::new(), config, &data).unwrap_err();
    let message = err.to_string();
    let FitError::Diverged { epoch, batch, .. } = err else {
        panic!("expected divergence, got {message}");
    };
    assert!(epoch >= 1 && batch == 1, "{message}");
    assert!(
        message.contains(&format!("epoch {epoch}, batch 1"))
            && message.contains("try a lower learning rate")
    );
    Ok(())
}

#[test]
fn gradient_descent_checkpoints_and_resumes_through_the_training_loop()
-> Result<(), Box<dyn std::error::Error>> {
    let data = diabetes(true)?;
    let dir = std::env::temp_dir().join(format!("ember-gd-resume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = |epochs| {
        GradientDescentConfig::new()
            .with_optimizer(Optimizer::Sgd)
            .with_momentum(0.5)
            .with_learning_rate(0.05)
            .with_batch_size(64)
            .with_max_epochs(epochs)
            .with_tol(0.0)
    };
    let in_dir = LinearRegressionConfig::new().with_run(ember_train::RunOptions {
        run_dir: Some(dir.clone()),
        ..ember_train::RunOptions::quiet()
    });
    // 20 epochs into a run directory, then the same run continued to 40 ...
    let first = gd(in_dir.clone(), config(20), &data)?;
    assert!(dir.join("checkpoints").join("epoch-000020").exists());
    assert_eq!(first.n_iter(), 20);
    let resumed = gd(in_dir, config(40), &data)?;
    // ... ends with the bits of 40 epochs in one go, its history continued, not restarted.
    let straight = gd(LinearRegressionConfig::new(), config(40), &data)?;
    assert_eq!(resumed.coef().as_slice(), straight.coef().as_slice());
    assert_eq!(resumed.intercept(), straight.intercept());
    assert_eq!(resumed.loss_history(), straight.loss_history());
    let log = std::fs::read_to_string(dir.join("metrics.jsonl"))?;
    assert_eq!(log.lines().count(), 40);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
