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
    // The f64 Gram matrix (on the CPU), or iterative refinement after an f32 one (on a GPU),
    // gives the accuracy of f64 least squares.
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

/// Data big enough for the Gram matrix on the host, which checks the values in its own pass.
fn large(n: usize, at: impl Fn(usize, usize) -> f64) -> (Matrix, Matrix) {
    let x = Matrix::from_fn(n, 10, |i, j| {
        ((i * 7 + j * 13) % 101) as f64 / 10.0 + at(i, j)
    });
    let y = Matrix::from_fn(n, 1, |i, _| (i % 17) as f64);
    (x, y)
}

#[test]
fn a_non_finite_value_in_large_data_is_named_by_the_gram_pass()
-> Result<(), Box<dyn std::error::Error>> {
    for (value, shown) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
    ] {
        let (x, y) = large(
            500_000,
            |i, j| if (i, j) == (412_345, 7) { value } else { 0.0 },
        );
        for solver in [Solver::Auto, Solver::NormalEquations] {
            let err = LinearRegressionConfig::new()
                .with_solver(solver)
                .fit(&x, &y, &Device::flex())
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("X has a non-finite value ({shown}) at row 412345, column 7"),
                "{solver:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_gram_matrix_that_overflows_falls_back_to_lstsq() -> Result<(), Box<dyn std::error::Error>> {
    // Finite values whose squares overflow f64: Auto solves by QR, the normal equations refuse.
    let (x, y) = large(500_000, |i, j| {
        if j == 3 {
            1e155 * (1.0 + (i % 5) as f64)
        } else {
            0.0
        }
    });
    let model = LinearRegressionConfig::new().fit(&x, &y, &Device::flex())?;
    assert_eq!(model.solver(), Solver::Lstsq);
    assert!(model.coef().as_slice().iter().all(|c| c.is_finite()));
    let err = LinearRegressionConfig::new()
        .with_solver(Solver::NormalEquations)
        .fit(&x, &y, &Device::flex())
        .unwrap_err();
    assert!(err.to_string().contains("XᵀX overflows"), "{err}");
    Ok(())
}
