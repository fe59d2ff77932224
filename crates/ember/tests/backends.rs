//! The same fits on every compiled backend (flex, ndarray, wgpu) agree with the `f64` host answer.
//!
//! Tolerances: the normal equations accumulate the Gram matrix in `f32` on the device (relative
//! error between 1e-6 and 1e-4 for these sizes, depending on the backend's summation order) and
//! then refine in `f64` until the error left is about 1e-12, so every backend must land within
//! 1e-9 of the `f64` least-squares answer. Gradient
//! descent runs entirely in `f32` on the device, so it can only reach the optimum to about `f32`
//! resolution (1e-7 relative) times the problem's conditioning: 1e-4 leaves ample margin.
//! A wgpu backend without a GPU or Vulkan driver is reported as skipped, not failed — unless
//! `EMBER_REQUIRE_WGPU=1` (set by CI, which installs a software Vulkan driver) makes it a failure.

use ember::burn::tensor::{Tensor, TensorData};
use ember::data::bundled::seed_line_numpy42;
use ember::data::generators::MakeRegression;
use ember::prelude::*;

fn devices() -> Vec<(DeviceChoice, Device)> {
    DeviceChoice::compiled()
        .into_iter()
        .filter_map(|choice| match choice.device() {
            Ok(device) => Some((choice, device)),
            Err(e) if std::env::var("EMBER_REQUIRE_WGPU").as_deref() == Ok("1") => {
                panic!("backend {choice} is required (EMBER_REQUIRE_WGPU=1) but unavailable: {e}")
            }
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
fn diabetes_matches_sklearn_on_every_backend() -> Result<(), Box<dyn std::error::Error>> {
    // scikit-learn 1.9.1, LinearRegression().fit(*load_diabetes(return_X_y=True)):
    // R² 0.5177484222, intercept 152.1334841629 and these coefficients.
    const COEF: [f64; 10] = [
        -10.0098662998,
        -239.8156436724,
        519.8459200545,
        324.3846455023,
        -792.1756385522,
        476.7390210053,
        101.0432679380,
        177.0632376713,
        751.2736995571,
        67.6266921837,
    ];
    let data = ember::data::bundled::diabetes(true)?;
    for (choice, device) in devices() {
        // The device path: the Gram matrix is computed by this backend.
        let model = LinearRegressionConfig::new()
            .with_solver(Solver::NormalEquations)
            .fit_dataset(&data, &device)?;
        let err = max_rel(model.coef().as_slice(), &COEF);
        assert!(err < 1e-9, "{choice}: coefficients off by {err:e}");
        assert!((model.intercept()[0] - 152.1334841629).abs() < 1e-9);
        assert!((model.score(data.x(), data.y())? - 0.5177484222).abs() < 1e-10);
    }
    Ok(())
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

#[test]
fn data_loaders_batch_onto_every_backend() -> Result<(), Box<dyn std::error::Error>> {
    use ember::data::batches::{ClassificationBatcher, LoaderConfig, data_loader};
    let iris = std::sync::Arc::new(ember::data::load("iris")?);
    let config = LoaderConfig {
        batch_size: 64,
        seed: Some(3),
    };
    let mut per_backend = Vec::new();
    for (choice, device) in devices() {
        let loader = data_loader(iris.clone(), ClassificationBatcher, &config, &device)?;
        let mut labels = Vec::new();
        for batch in loader.iter() {
            let batch = batch?;
            assert_eq!(batch.features.device(), device, "{choice}");
            let data = batch.targets.into_data().convert::<i64>();
            labels.extend(data.try_to_vec::<i64>().map_err(|e| format!("{e:?}"))?);
        }
        assert_eq!(labels.len(), 150, "{choice}");
        per_backend.push(labels);
    }
    // The shuffle is the loader's, not the backend's: the same order everywhere.
    assert!(per_backend.windows(2).all(|w| w[0] == w[1]));
    Ok(())
}

#[test]
fn classifiers_train_on_every_backend() -> Result<(), Box<dyn std::error::Error>> {
    use ember::models::logistic::LogisticRegressionConfig;
    use ember::models::mlp::MlpClassifierConfig;
    use ember::train::{RunOptions, TrainConfig};

    let data = ember::data::load("iris")?;
    let scaler = ember::data::preprocessing::StandardScaler::fit(data.x())?;
    let data = data.clone().with_x(scaler.transform(data.x())?)?;
    let y = data.classes().ok_or("iris has labels")?;
    let config = MlpClassifierConfig {
        hidden: vec![16],
        train: TrainConfig {
            epochs: 30,
            batch_size: 30,
            learning_rate: 0.02,
            ..Default::default()
        },
        run: RunOptions::quiet(),
        ..Default::default()
    };
    for (choice, device) in devices() {
        // A small network, 150 steps: every backend learns iris (scikit-learn's logistic
        // regression gets 0.973 on the whole set).
        let mlp = config
            .fit_dataset(&data, None, &device)
            .map_err(|e| format!("{choice}: MLP: {e}"))?;
        let accuracy = mlp.score(data.x(), &y)?;
        assert!(accuracy > 0.9, "{choice}: MLP accuracy {accuracy}");
        let logistic = LogisticRegressionConfig::default()
            .fit_dataset(&data, &device)
            .map_err(|e| format!("{choice}: logistic regression: {e}"))?;
        let accuracy = logistic.score(data.x(), &y)?;
        assert!(
            (accuracy - 0.9733333333333334).abs() < 1e-12,
            "{choice}: logistic accuracy {accuracy}"
        );
    }
    Ok(())
}

#[test]
fn kmeans_matches_scikit_learn_on_every_backend() -> Result<(), Box<dyn std::error::Error>> {
    // scikit-learn 1.9.1, KMeans(n_clusters=3, init=X[[0, 50, 100]], n_init=1).fit(iris): the
    // labels and inertia in crates/ember-models/tests/data/kmeans_sklearn.json. The distances
    // run on the device (f32 on wgpu), the centres and the inertia in f64 on the host.
    let reference: serde_json::Value = serde_json::from_str(include_str!(
        "../../ember-models/tests/data/kmeans_sklearn.json"
    ))?;
    let case = &reference["cases"][1];
    assert_eq!(case["init_rows"], serde_json::json!([0, 50, 100]));
    let labels: Vec<usize> = serde_json::from_value(case["labels"].clone())?;
    let inertia = case["inertia"].as_f64().ok_or("inertia")?;
    let iris = ember::data::load("iris")?;
    let init: Vec<Vec<f64>> = [0, 50, 100]
        .iter()
        .map(|&r| iris.x().row(r).to_vec())
        .collect();
    for (choice, device) in devices() {
        let model = ember::models::kmeans::KMeansConfig {
            n_clusters: 3,
            init: ember::models::kmeans::KMeansInit::Centres(init.clone()),
            ..Default::default()
        }
        .fit(iris.x(), &device)?;
        assert_eq!(model.training_labels(), labels.as_slice(), "{choice}");
        assert!(
            (model.inertia() - inertia).abs() < 1e-6 * inertia,
            "{choice}: {} vs {inertia}",
            model.inertia()
        );
    }
    Ok(())
}
