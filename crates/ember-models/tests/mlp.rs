//! The multilayer perceptrons on real data, against scikit-learn's figures on the same kind of
//! split (`../shared/data/README.md`: `MLPClassifier` with 64 hidden units gets 0.9722 on a
//! stratified 80/20 split of digits; `LinearRegression` R² 0.4526 on an 80/20 split of
//! diabetes).

use burn::tensor::Device;
use ember_data::preprocessing::StandardScaler;
use ember_data::split::{stratified_train_test_split, train_test_split};
use ember_models::mlp::{Activation, MlpClassifierConfig, MlpRegressorConfig, WeightInit};
use ember_models::{Features, FittedModel};
use ember_train::{EarlyStopping, RunOptions, TrainConfig};

type Result = std::result::Result<(), Box<dyn std::error::Error>>;

#[test]
fn digits_reach_scikit_learns_accuracy() -> Result {
    let data = ember_data::load("digits")?;
    let (train, test) = stratified_train_test_split(&data, 0.2, 0)?;
    let scaler = StandardScaler::fit(train.x())?;
    let train_x = scaler.transform(train.x())?;
    let test_x = scaler.transform(test.x())?;
    let train = train.with_x(train_x)?;
    let config = MlpClassifierConfig {
        hidden: vec![64],
        train: TrainConfig {
            epochs: 40,
            batch_size: 32,
            learning_rate: 1e-3,
            ..Default::default()
        },
        run: RunOptions::quiet(),
        ..Default::default()
    };
    let model = config.fit_dataset(&train, None, &Device::flex())?;
    let y = test.classes().ok_or("labels")?;
    let accuracy = model.score(&test_x, &y)?;
    assert!(accuracy >= 0.97, "test accuracy {accuracy}");
    let proba = model.predict_proba(&test_x)?;
    for i in 0..proba.n_rows() {
        assert!((proba.row(i).iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    assert_eq!(model.n_iter(), 40);
    assert_eq!(model.loss_history().len(), 40);
    assert!(model.loss_history()[39] < model.loss_history()[0] / 10.0);
    Ok(())
}

#[test]
fn diabetes_regression_beats_the_mean_and_matches_least_squares() -> Result {
    let data = ember_data::load("diabetes")?;
    let (train, test) = train_test_split(&data, 0.2, 0)?;
    let config = MlpRegressorConfig {
        hidden: vec![32, 16],
        activation: Activation::Tanh,
        init: WeightInit::XavierUniform,
        train: TrainConfig {
            epochs: 300,
            batch_size: 16,
            weight_decay: 1e-3,
            validation_fraction: 0.2,
            early_stopping: Some(EarlyStopping {
                patience: 20,
                ..Default::default()
            }),
            ..Default::default()
        },
        run: RunOptions::quiet(),
        ..Default::default()
    };
    let model = config.fit_dataset(&train, None, &Device::flex())?;
    let r2 = model.score(test.x(), test.y())?;
    assert!(r2 > 0.4, "test R² {r2}");
    assert!(
        model.best_epoch() < model.n_iter(),
        "early stopping restored an earlier epoch"
    );
    Ok(())
}

#[test]
fn dropout_runs_are_reproducible_and_bad_settings_are_errors() -> Result {
    let data = ember_data::load("iris")?;
    let config = MlpClassifierConfig {
        hidden: vec![8, 8],
        dropout: 0.3,
        activation: Activation::Gelu,
        train: TrainConfig {
            epochs: 3,
            seed: 9,
            ..Default::default()
        },
        run: RunOptions::quiet(),
        ..Default::default()
    };
    let a = config.fit_dataset(&data, None, &Device::flex())?;
    let b = config.fit_dataset(&data, None, &Device::flex())?;
    assert_eq!(a.predict_proba(data.x())?, b.predict_proba(data.x())?);
    assert_eq!(a.loss_history(), b.loss_history());
    let wrong = ember_data::Matrix::<f64>::zeros(2, 3);
    assert_eq!(
        a.predict(&wrong).unwrap_err().to_string(),
        "X has 3 features, but the model was fitted with 4"
    );
    let json = r#"{"hidden": [4], "activation": "tanh", "train": {"epochs": 2, "seed": 3}}"#;
    let parsed: MlpClassifierConfig = serde_json::from_str(json)?;
    assert_eq!(parsed.train.epochs, 2);
    let unknown = serde_json::from_str::<MlpClassifierConfig>(r#"{"hiden": [4]}"#).unwrap_err();
    assert!(
        unknown.to_string().starts_with("unknown field `hiden`"),
        "{unknown}"
    );
    Ok(())
}

/// Scoring rows is the same, to the bit, whether they come as `f64` (rounded a scoring batch
/// at a time), borrowed `f32` or owned `f32`, over more rows than one scoring batch holds.
#[test]
fn f64_and_f32_rows_score_alike_across_scoring_batches() -> Result {
    let data = ember_data::load("iris")?;
    let config = MlpClassifierConfig {
        hidden: vec![8],
        train: TrainConfig {
            epochs: 2,
            ..Default::default()
        },
        run: RunOptions::quiet(),
        ..Default::default()
    };
    let model = FittedModel::from(config.fit_dataset(&data, None, &Device::flex())?);
    let n = 2 * ember_train::EVAL_BATCH + 7;
    let rows: Vec<&[f64]> = (0..n).map(|i| data.x().row(i % data.n_samples())).collect();
    let x = ember_data::Matrix::from_rows(&rows)?;
    let x32 = x.cast::<f32>();
    let from_f64 = model.predict_proba(&x)?;
    assert_eq!(from_f64.shape(), (n, 3));
    assert_eq!(from_f64, model.probabilities(Features::from(&x32))?);
    assert_eq!(from_f64, model.probabilities(Features::from(x32))?);
    Ok(())
}
