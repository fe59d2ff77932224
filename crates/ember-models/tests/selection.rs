//! Cross-validation through the contract against scikit-learn 1.9.1's `cross_val_score` with
//! `cv=5` (the same folds: `KFold(5)` for regressors, `StratifiedKFold(5)` for classifiers, in
//! order), printed with `repr`:
//!
//! ```python
//! X, y = load_diabetes(return_X_y=True)
//! cross_val_score(Ridge(alpha=0.1), X, y, cv=5); cross_val_score(LinearRegression(), X, y, cv=5)
//! X, y = load_iris(return_X_y=True)
//! cross_val_score(LogisticRegression(C=c, max_iter=1000), X, y, cv=5)  # c = 0.1, 1.0
//! ```

use burn::tensor::Device;
use ember_models::kmeans::KMeansConfig;
use ember_models::linear::LinearRegressionConfig;
use ember_models::logistic::LogisticRegressionConfig;
use ember_models::selection::{CrossValidation, cross_val_score};
use ember_models::{Estimator, Task};

fn check(what: &str, estimator: &dyn Estimator, data: &str, expected: &[f64], tol: f64) {
    let data = ember_data::load(data).expect("bundled");
    let cv = cross_val_score(estimator, &data, &CrossValidation::new(5), &Device::flex())
        .expect("cross-validates");
    assert_eq!(cv.scores.len(), 5);
    for (fold, (got, want)) in cv.scores.iter().zip(expected).enumerate() {
        assert!(
            (got - want).abs() < tol,
            "{what}, fold {fold}: {got} vs {want}"
        );
    }
    let mean = expected.iter().sum::<f64>() / 5.0;
    let std = (expected
        .iter()
        .map(|s| (s - mean) * (s - mean))
        .sum::<f64>()
        / 5.0)
        .sqrt();
    assert!(
        (cv.mean() - mean).abs() < tol && (cv.std() - std).abs() < tol,
        "{what}"
    );
}

#[test]
fn ridge_and_least_squares_score_each_fold_as_scikit_learn() {
    let ridge = LinearRegressionConfig::new().with_alpha(0.1);
    check(
        "ridge(0.1)",
        &ridge,
        "diabetes",
        &[
            0.4112719359885575,
            0.5184758646680696,
            0.492191557953497,
            0.44044194583623575,
            0.5370292071513237,
        ],
        1e-9,
    );
    check(
        "least squares",
        &LinearRegressionConfig::new(),
        "diabetes",
        &[
            0.429556153825838,
            0.5225993866099365,
            0.48268054134528215,
            0.4264977611104024,
            0.5502483366517519,
        ],
        1e-9,
    );
}

#[test]
fn logistic_regression_scores_stratified_folds_as_scikit_learn() {
    for (c, expected) in [
        (
            0.1,
            [
                0.8666666666666667,
                0.9666666666666667,
                0.9333333333333333,
                0.9666666666666667,
                1.0,
            ],
        ),
        (
            1.0,
            [
                0.9666666666666667,
                1.0,
                0.9333333333333333,
                0.9666666666666667,
                1.0,
            ],
        ),
    ] {
        let config = LogisticRegressionConfig {
            c,
            max_iter: 1000,
            ..Default::default()
        };
        assert_eq!(config.task(), Task::Classification);
        check(
            &format!("logistic C={c}"),
            &config,
            "iris",
            &expected,
            1e-12,
        );
    }
}

#[test]
fn a_clustering_is_scored_by_minus_its_inertia_and_folds_are_checked() {
    let iris = ember_data::load("iris").expect("bundled");
    let kmeans = KMeansConfig {
        n_clusters: 3,
        n_init: Some(3),
        ..Default::default()
    };
    let cv = cross_val_score(&kmeans, &iris, &CrossValidation::new(3), &Device::flex())
        .expect("cross-validates");
    // KFold(3) in order: rows 0..50, 50..100, 100..150 are the test folds. Each score is minus
    // the test rows' inertia under the centres fitted on the other rows.
    for (fold, score) in cv.scores.iter().enumerate() {
        let test: Vec<usize> = (fold * 50..(fold + 1) * 50).collect();
        let train: Vec<usize> = (0..150).filter(|i| !test.contains(i)).collect();
        let model = kmeans
            .fit_dataset(&iris.select(&train), &Device::flex())
            .expect("fits");
        let expected = model.score(iris.select(&test).x()).expect("scores");
        assert_eq!(
            score.to_bits(),
            expected.to_bits(),
            "fold {fold}: {score} vs {expected}"
        );
        assert!(*score < 0.0);
    }
    let err = cross_val_score(&kmeans, &iris, &CrossValidation::new(1), &Device::flex())
        .unwrap_err()
        .to_string();
    assert!(err.contains("n_splits"), "{err}");
}
