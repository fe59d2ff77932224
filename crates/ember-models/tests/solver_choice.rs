//! `Solver::Auto`: the fast device path on large, well-conditioned data, the accurate host path
//! otherwise, and the two agree.

use burn::tensor::Device;
use ember_data::generators::MakeRegression;
use ember_data::{Dataset, Matrix};
use ember_models::linear::{LinearRegressionConfig, Solver};

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / y.abs().max(1e-12))
        .fold(0.0, f64::max)
}

#[test]
fn large_well_conditioned_data_takes_the_normal_equations_and_matches_lstsq()
-> Result<(), Box<dyn std::error::Error>> {
    let (data, true_coef) = MakeRegression {
        n_samples: 60_000,
        n_features: 80,
        n_informative: 40,
        noise: 5.0,
        bias: 7.0,
        seed: 3,
        ..Default::default()
    }
    .generate()?;
    let device = Device::flex();
    let fast = LinearRegressionConfig::new().fit_dataset(&data, &device)?;
    assert_eq!(fast.solver(), Solver::NormalEquations);
    let exact = LinearRegressionConfig::new()
        .with_solver(Solver::Lstsq)
        .fit_dataset(&data, &device)?;
    // Iterative refinement in f64 brings the f32 Gram matrix's answer to f64 accuracy.
    let err = max_rel(fast.coef().as_slice(), exact.coef().as_slice());
    assert!(err < 1e-9, "normal equations vs lstsq: {err:e}");
    assert!((fast.intercept()[0] - exact.intercept()[0]).abs() < 1e-9);
    // And both recover the generating coefficients up to the noise.
    let informative: Vec<(f64, f64)> = exact
        .coef()
        .as_slice()
        .iter()
        .zip(true_coef.as_slice())
        .map(|(a, b)| (*a, *b))
        .collect();
    assert!(informative.iter().all(|(a, b)| (a - b).abs() < 0.2));
    assert!((exact.intercept()[0] - 7.0).abs() < 0.1);
    Ok(())
}

#[test]
fn large_ill_conditioned_data_falls_back_to_lstsq() -> Result<(), Box<dyn std::error::Error>> {
    // A degree-6 polynomial design (cond ≈ 7e6, so cond(XᵀX) ≈ 5e13) repeated to 700,000 rows:
    // big enough for Auto to consider the device, too ill-conditioned for it to trust f32.
    let x_at = |i: usize| 1.0 + (i % 1000) as f64 / 999.0;
    let n = 700_000;
    let x = Matrix::from_fn(n, 6, |i, j| x_at(i).powi(j as i32 + 1));
    let y = Matrix::from_fn(n, 1, |i, _| (3.0 * x_at(i)).sin());
    let data = Dataset::new(x, y)?;
    let model = LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    assert_eq!(model.solver(), Solver::Lstsq);
    // Repeating every row 700 times does not change the least-squares solution.
    let small = data.select(&(0..1000).collect::<Vec<_>>());
    let reference = LinearRegressionConfig::new()
        .with_solver(Solver::Lstsq)
        .fit_dataset(&small, &Device::flex())?;
    let err = max_rel(model.coef().as_slice(), reference.coef().as_slice());
    assert!(err < 1e-6, "{err:e}");
    Ok(())
}
