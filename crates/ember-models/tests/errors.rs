//! Bad input is an error that says where, never a panic.

use burn::tensor::Device;
use ember_data::Matrix;
use ember_models::FitError;
use ember_models::linear::{GradientDescentConfig, LinearRegressionConfig, Solver};

fn fit(x: &Matrix, y: &Matrix) -> Result<ember_models::linear::LinearRegression, FitError> {
    LinearRegressionConfig::new().fit(x, y, &Device::flex())
}

#[test]
fn empty_data() {
    let err = fit(&Matrix::zeros(0, 2), &Matrix::zeros(0, 1)).unwrap_err();
    assert_eq!(err.to_string(), "X is empty");
    let err = fit(&Matrix::zeros(3, 0), &Matrix::zeros(3, 1)).unwrap_err();
    assert_eq!(err.to_string(), "the feature set of X is empty");
}

#[test]
fn lengths_that_differ() {
    let err = fit(&Matrix::zeros(5, 2), &Matrix::zeros(4, 1)).unwrap_err();
    assert_eq!(err.to_string(), "rows of X vs rows of y: 5 vs 4");
}

#[test]
fn non_finite_values_name_row_and_column() -> Result<(), Box<dyn std::error::Error>> {
    let x = Matrix::from_rows(&[[1.0, 2.0], [3.0, f64::INFINITY], [5.0, 6.0]])?;
    let err = fit(&x, &Matrix::zeros(3, 1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "X has a non-finite value (inf) at row 1, column 1"
    );
    let y = Matrix::from_rows(&[[1.0, 0.0], [2.0, 0.0], [f64::NAN, 0.0]])?;
    let err = fit(&Matrix::zeros(3, 1), &y).unwrap_err();
    assert_eq!(
        err.to_string(),
        "y has a non-finite value (NaN) at row 2, column 0"
    );
    Ok(())
}

#[test]
fn predicting_with_the_wrong_number_of_features() -> Result<(), Box<dyn std::error::Error>> {
    let x = Matrix::from_rows(&[[1.0, 2.0], [3.0, 1.0], [5.0, 7.0]])?;
    let model = fit(&x, &Matrix::column(vec![1.0, 2.0, 3.0]))?;
    let err = model.predict(&Matrix::zeros(2, 3)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "X has 3 features, but the model was fitted with 2"
    );
    let err = model.score(&x, &Matrix::zeros(3, 2)).unwrap_err();
    assert_eq!(err.to_string(), "y has 2 outputs, but the model predicts 1");
    let err = model
        .predict(&Matrix::from_rows(&[[1.0, f64::NAN]])?)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "X has a non-finite value (NaN) at row 0, column 1"
    );
    Ok(())
}

#[test]
fn hyper_parameters_out_of_range_name_the_field() {
    let data = ember_data::generators::seed_line(10, 0);
    let gd = |g: GradientDescentConfig| {
        LinearRegressionConfig::new()
            .with_solver(Solver::GradientDescent)
            .with_gradient_descent(g)
            .fit_dataset(&data, &Device::flex())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        gd(GradientDescentConfig::new().with_learning_rate(0.0)),
        "invalid config `gradient_descent.learning_rate`: must be positive and finite, got 0"
    );
    assert_eq!(
        gd(GradientDescentConfig::new().with_batch_size(0)),
        "invalid config `gradient_descent.batch_size`: must be at least 1"
    );
    assert_eq!(
        gd(GradientDescentConfig::new().with_momentum(1.0)),
        "invalid config `gradient_descent.momentum`: must be in [0, 1), got 1"
    );
    assert_eq!(
        gd(GradientDescentConfig::new().with_max_epochs(0)),
        "invalid config `gradient_descent.max_epochs`: must be at least 1"
    );
    let err = LinearRegressionConfig::new()
        .with_alpha(f64::NAN)
        .fit_dataset(&data, &Device::flex())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config `alpha`: must be ≥ 0, got NaN"
    );
}

#[test]
fn config_round_trips_through_json() -> Result<(), Box<dyn std::error::Error>> {
    let config = LinearRegressionConfig::new()
        .with_alpha(0.5)
        .with_solver(Solver::GradientDescent)
        .with_gradient_descent(GradientDescentConfig::new().with_batch_size(64));
    let json = serde_json::to_string(&config)?;
    let back: LinearRegressionConfig = serde_json::from_str(&json)?;
    assert_eq!(back, config);
    Ok(())
}

#[test]
fn values_that_overflow_are_named_not_an_svd_failure() -> Result<(), Box<dyn std::error::Error>> {
    let x = Matrix::column(vec![1e308, 1.5e308, -1.2e308, 1.7e308]);
    let err = fit(&x, &Matrix::column(vec![1.0, 2.0, 3.0, 4.0])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid parameter `X`: the values of column 0 overflow: they reach 1.7e308, and their sum is beyond f64's range (±1.8e308); rescale the column"
    );
    Ok(())
}

#[test]
fn a_regressor_refuses_class_labels() -> Result<(), Box<dyn std::error::Error>> {
    let iris = ember_data::load("iris")?;
    let err = LinearRegressionConfig::new()
        .fit_dataset(&iris, &Device::flex())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid parameter `y`: the target `target` holds class labels (setosa, versicolor, virginica), and a model that predicts values needs numbers"
    );
    Ok(())
}

#[test]
fn classifiers_make_no_class_that_no_sample_has() -> Result<(), Box<dyn std::error::Error>> {
    use ember_data::Dataset;
    use ember_models::logistic::LogisticRegressionConfig;
    let data = Dataset::new(
        Matrix::column(vec![0.0, 1.0, 2.0, 3.0]),
        Matrix::column(vec![0.0, 0.0, 100000.0, 100000.0]),
    )?;
    let config = LogisticRegressionConfig::default();
    let err = config.fit_dataset(&data, &Device::flex()).unwrap_err();
    assert!(
        err.to_string()
            .contains("no sample has class 1; encode_classes()"),
        "{err}"
    );
    let model = config.fit_dataset(&data.encode_classes()?, &Device::flex())?;
    assert_eq!(model.n_classes(), 2);
    assert_eq!(
        model.labels().map(|l| l.classes().to_vec()),
        Some(vec!["0".to_string(), "100000".to_string()])
    );
    Ok(())
}
