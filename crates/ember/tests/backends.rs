//! The same fits on every compiled backend (flex, ndarray, wgpu) agree with the `f64` host answer.
//!
//! Tolerances: the normal equations accumulate the Gram matrix in `f32` on the device (relative
//! error between 1e-6 and 1e-4 for these sizes, depending on the backend's summation order) and
//! then refine in `f64` until the error left is about 1e-12, so every backend must land within
//! 1e-9 of the `f64` least-squares answer. Gradient
//! descent runs entirely in `f32` on the device, so it can only reach the optimum to about `f32`
//! resolution (1e-7 relative) times the problem's conditioning: 1e-4 leaves ample margin.
//! A wgpu backend without a GPU or Vulkan driver is reported as skipped, not failed.

use ember::burn::tensor::{Tensor, TensorData};
use ember::data::bundled::seed_line_numpy42;
use ember::data::generators::MakeRegression;
use ember::prelude::*;

fn devices() -> Vec<(DeviceChoice, Device)> {
    DeviceChoice::compiled()
        .into_iter()
        .filter_map(|choice| match choice.device() {
            Ok(device) => Some((choice, device)),
            Err(e) => {
                eprintln!("SKIPPED backend {choice}: {e}");
                None
            }
        })
        .collect()
}

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-12))
        .fold(0.0, f64::max)
}

#[test]
fn normal_equations_agree_on_every_backend() -> Result<(), Box<dyn std::error::Error>> {
    let (data, _) = MakeRegression {
        n_samples: 20_000,
        n_features: 30,
        n_informative: 20,
        n_targets: 2,
        noise: 2.0,
        bias: -4.0,
        seed: 5,
        ..Default::default()
    }
    .generate()?;
    let exact = LinearRegressionConfig::new()
        .with_solver(Solver::Lstsq)
        .fit_dataset(&data, &DeviceChoice::Flex.device()?)?;
    for (choice, device) in devices() {
        let model = LinearRegressionConfig::new()
            .with_solver(Solver::NormalEquations)
            .fit_dataset(&data, &device)?;
        let err = max_rel(model.coef().as_slice(), exact.coef().as_slice());
        let err_b = max_rel(model.intercept(), exact.intercept());
        println!("{choice}: normal equations vs f64 lstsq: coef {err:.1e}, intercept {err_b:.1e}");
        assert!(
            err < 1e-9 && err_b < 1e-9,
            "{choice}: coef {err:e}, intercept {err_b:e}"
        );
    }
    Ok(())
}

#[test]
fn gradient_descent_reaches_the_closed_form_on_every_backend()
-> Result<(), Box<dyn std::error::Error>> {
    let data = seed_line_numpy42()?;
    let exact = LinearRegressionConfig::new()
        .with_solver(Solver::Lstsq)
        .fit_dataset(&data, &DeviceChoice::Flex.device()?)?;
    for (choice, device) in devices() {
        let model = LinearRegressionConfig::new()
            .with_solver(Solver::GradientDescent)
            .with_gradient_descent(
                GradientDescentConfig::new()
                    .with_optimizer(Optimizer::Sgd)
                    .with_learning_rate(0.1)
                    .with_momentum(0.5)
                    .with_batch_size(100)
                    .with_max_epochs(300)
                    .with_tol(1e-10),
            )
            .fit_dataset(&data, &device)?;
        let err = max_rel(model.coef().as_slice(), exact.coef().as_slice())
            .max(max_rel(model.intercept(), exact.intercept()));
        println!(
            "{choice}: gradient descent vs closed form: {err:.1e} after {} epochs",
            model.n_iter()
        );
        assert!(err < 1e-4, "{choice}: {err:e}");
    }
    Ok(())
}

#[test]
fn device_predictions_match_host_predictions_on_every_backend()
-> Result<(), Box<dyn std::error::Error>> {
    let data = seed_line_numpy42()?;
    for (choice, device) in devices() {
        let model = LinearRegressionConfig::new().fit_dataset(&data, &device)?;
        let host = model.predict(data.x())?;
        let x: Vec<f32> = data.x().as_slice().iter().map(|&v| v as f32).collect();
        let x = Tensor::<2>::from_data(TensorData::new(x, [data.n_samples(), 1]), &device);
        let on_device = model
            .predict_tensor(x)?
            .into_data()
            .try_into_vec::<f32>()
            .map_err(|e| format!("{e:?}"))?;
        let device_values: Vec<f64> = on_device.iter().map(|&v| f64::from(v)).collect();
        let err = max_rel(&device_values, host.as_slice());
        assert!(
            err < 1e-5,
            "{choice}: f32 device predictions off by {err:e}"
        );
    }
    Ok(())
}

#[test]
fn unknown_and_missing_backends_are_errors() {
    assert!("cuda".parse::<DeviceChoice>().is_err());
    for choice in [
        DeviceChoice::Flex,
        DeviceChoice::Ndarray,
        DeviceChoice::Wgpu,
    ] {
        if !choice.is_compiled() {
            let err = choice.device().unwrap_err();
            assert!(err.to_string().contains("not compiled in"), "{err}");
        }
    }
    assert!(DeviceChoice::Auto.device().is_ok());
}
