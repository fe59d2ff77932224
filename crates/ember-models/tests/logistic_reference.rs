//! Logistic regression against scikit-learn 1.9.1's `LogisticRegression` (L-BFGS, L2, C = 1)
//! on the raw features of the bundled iris and breast-cancer sets, fitted there to full
//! convergence (`tol=1e-12`, unlimited iterations): the same optimum, so the same numbers.

use burn::tensor::Device;
use ember_models::logistic::{LogisticRegressionConfig, LogisticSolver};
use ember_train::{RunOptions, TrainConfig};

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

#[test]
fn multinomial_iris_equals_scikit_learn() -> Result {
    let data = ember_data::load("iris")?;
    let config = LogisticRegressionConfig {
        tol: 1e-9,
        max_iter: 500,
        ..Default::default()
    };
    let model = config.fit_dataset(&data, &Device::flex())?;
    #[rustfmt::skip]
    let coef = [
        -0.42351309278605326, 0.9673506536948123, -2.5171542850599704, -1.0793345576612996,
        0.5344640368400327, -0.3215881943008175, -0.20639324865959285, -0.9442989502828074,
        -0.11095094405397582, -0.6457624593939997, 2.723547533719572, 2.0236335079441052,
    ];
    let intercept = [9.849590072033852, 2.2371990405278006, -12.08678911256115];
    // L-BFGS in f64 on standardised features: the optimum to about six digits.
    for (got, want) in model.coef().as_slice().iter().zip(coef) {
        assert!((got - want).abs() < 1e-5, "coef {got} vs {want}");
    }
    for (got, want) in model.intercept().iter().zip(intercept) {
        assert!((got - want).abs() < 1e-4, "intercept {got} vs {want}");
    }
    // The objective, mean log loss + ‖W‖²/(2n), at scikit-learn's optimum: 0.19257544402750743.
    let objective = *model.loss_history().last().ok_or("no iterations")?;
    assert!(
        (objective - 0.19257544402750743).abs() < 1e-11,
        "{objective}"
    );
    let y = data.classes().ok_or("labels")?;
    let proba = model.predict_proba(data.x())?;
    let loss = ember_metrics::log_loss(&y, proba.as_slice(), 3)?;
    assert!((loss - 0.11963660445429963).abs() < 1e-5, "log loss {loss}");
    assert!((model.score(data.x(), &y)? - 0.9733333333333334).abs() < 1e-12);
    assert!(model.converged());
    Ok(())
}

#[test]
fn binary_breast_cancer_equals_scikit_learn() -> Result {
    let data = ember_data::load("breast_cancer")?;
    let config = LogisticRegressionConfig {
        tol: 1e-9,
        max_iter: 1000,
        ..Default::default()
    };
    let model = config.fit_dataset(&data, &Device::flex())?;
    #[rustfmt::skip]
    let coef = [
        1.0147641191168562, 0.1813030905746548, -0.2756835470808098, 0.02264985860732036,
        -0.17832469482791524, -0.22089736166596607, -0.534874588889905, -0.29501639086568077,
        -0.26612851343844085, -0.03026141680919174, -0.0783794283604146, 1.2632531324741751,
        0.11671398177929618, -0.10880697139710963, -0.02508463556210961, 0.0671122533023466,
        -0.03600953081074888, -0.03797690970648392, -0.03679661515637768, 0.01397258260335957,
        0.13780580067304085, -0.4375524649195019, -0.10582909471508171, -0.01363240883888356,
        -0.35618515718177646, -0.6879387462046651, -1.4212223360581873, -0.6020877858723224,
        -0.7307338278883888, -0.0950049888152803,
    ];
    // Raw breast-cancer features are badly conditioned (scikit-learn needs 4111 iterations):
    // the optimum is flat, so the coefficients agree to about three decimals and the
    // objective (0.094542376248143 at scikit-learn's solution) to nine.
    for (got, want) in model.coef().as_slice().iter().zip(coef) {
        assert!((got - want).abs() < 2e-3, "coef {got} vs {want}");
    }
    assert!((model.intercept()[0] - 28.08788273928023).abs() < 1e-2);
    let objective = *model.loss_history().last().ok_or("no iterations")?;
    assert!(objective < 0.094542376248143 + 1e-9, "{objective}");
    let y = data.classes().ok_or("labels")?;
    assert!((model.score(data.x(), &y)? - 0.9578207381370826).abs() < 1e-12);
    Ok(())
}

#[test]
fn gradient_descent_reaches_the_lbfgs_optimum() -> Result {
    let data = ember_data::load("iris")?;
    let lbfgs = LogisticRegressionConfig::default().fit_dataset(&data, &Device::flex())?;
    let config = LogisticRegressionConfig {
        solver: LogisticSolver::GradientDescent,
        train: TrainConfig {
            epochs: 400,
            batch_size: 150,
            learning_rate: 0.1,
            ..Default::default()
        },
        run: RunOptions::quiet(),
        ..Default::default()
    };
    let gd = config.fit_dataset(&data, &Device::flex())?;
    let best = *lbfgs.loss_history().last().ok_or("no iterations")?;
    let reached = *gd.loss_history().last().ok_or("no epochs")?;
    assert!((reached - best).abs() < 1e-3 * best, "{reached} vs {best}");
    assert_eq!(gd.n_iter(), 400);
    let y = data.classes().ok_or("labels")?;
    assert!((gd.score(data.x(), &y)? - lbfgs.score(data.x(), &y)?).abs() <= 0.01);
    Ok(())
}
