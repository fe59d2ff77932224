//! k-means against scikit-learn 1.9.1 (`tests/data/kmeans_sklearn.json`, written by the script
//! quoted in its `source`): from the same initial centres, the same labels, iterations, centres
//! and inertia; from k-means++ with 10 restarts, the same optimum.

use burn::tensor::Device;
use ember_data::{Dataset, Matrix};
use ember_models::kmeans::{KMeansConfig, KMeansInit};
use ember_models::{Estimator, FittedModel, Prediction, Task};
use serde_json::Value;

fn reference() -> Value {
    let text = include_str!("data/kmeans_sklearn.json");
    serde_json::from_str(text).expect("the reference file is JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .flat_map(|x| match x.as_array() {
            Some(row) => row.iter().map(|y| y.as_f64().expect("a number")).collect(),
            None => vec![x.as_f64().expect("a number")],
        })
        .collect()
}

fn data(name: &str, reference: &Value) -> Matrix {
    match name {
        "blobs" => {
            let values = floats(&reference["blobs"]);
            Matrix::new(values.len() / 2, 2, values).expect("300 × 2")
        }
        other => ember_data::load(other).expect("bundled").x().clone(),
    }
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn same_initial_centres_give_scikit_learns_clustering() {
    let reference = reference();
    let device = Device::flex();
    for case in reference["cases"].as_array().expect("cases") {
        let x = data(case["data"].as_str().expect("name"), &reference);
        let rows: Vec<usize> = case["init_rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r.as_u64().expect("an index") as usize)
            .collect();
        let init = rows.iter().map(|&r| x.row(r).to_vec()).collect();
        let config = KMeansConfig {
            n_clusters: rows.len(),
            init: KMeansInit::Centres(init),
            ..Default::default()
        };
        let model = config.fit(&x, &device).expect("fits");
        let labels: Vec<usize> = case["labels"]
            .as_array()
            .expect("labels")
            .iter()
            .map(|l| l.as_u64().expect("a label") as usize)
            .collect();
        let what = format!("{} from rows {rows:?}", case["data"]);
        assert_eq!(model.training_labels(), labels.as_slice(), "{what}");
        assert_eq!(
            model.n_iter() as u64,
            case["n_iter"].as_u64().expect("n"),
            "{what}"
        );
        let inertia = case["inertia"].as_f64().expect("inertia");
        assert!(
            rel(model.inertia(), inertia) < 1e-9,
            "{what}: {} vs {inertia}",
            model.inertia()
        );
        let centres = floats(&case["centres"]);
        for (a, b) in model.centres().as_slice().iter().zip(&centres) {
            assert!(
                (a - b).abs() < 1e-9 * b.abs().max(1.0),
                "{what}: centre {a} vs {b}"
            );
        }
        // predict on the training rows gives the training labels.
        assert_eq!(model.predict(&x).expect("predicts"), labels, "{what}");
    }
}

#[test]
fn kmeans_plus_plus_with_restarts_finds_scikit_learns_optimum() {
    let reference = reference();
    let best = &reference["kmeans_plus_plus_best_of_10"];
    let device = Device::flex();
    for (name, k, key) in [("iris", 3, "iris_k3"), ("blobs", 4, "blobs_k4")] {
        let x = data(name, &reference);
        let config = KMeansConfig {
            n_clusters: k,
            n_init: Some(10),
            seed: 3,
            ..Default::default()
        };
        let model = config.fit(&x, &device).expect("fits");
        let expected = best[key].as_f64().expect("inertia");
        assert!(
            rel(model.inertia(), expected) < 1e-6,
            "{name}: {} vs scikit-learn's {expected}",
            model.inertia()
        );
        // The same seed, the same clustering.
        let again = config.fit(&x, &device).expect("fits");
        assert_eq!(again.training_labels(), model.training_labels());
        assert_eq!(again.inertia().to_bits(), model.inertia().to_bits());
    }
}

#[test]
fn the_contract_predicts_scores_and_restores_a_clustering() {
    let device = Device::flex();
    let iris = ember_data::load("iris").expect("bundled");
    let config = KMeansConfig {
        n_clusters: 3,
        n_init: Some(4),
        ..Default::default()
    };
    assert_eq!((config.kind(), config.task()), ("kmeans", Task::Clustering));
    let model = config.fit_model(&iris, None, &device).expect("fits");
    assert_eq!((model.kind(), model.task()), ("kmeans", Task::Clustering));
    assert_eq!(
        (model.n_features(), model.n_outputs(), model.n_params()),
        (4, 3, 12)
    );
    let FittedModel::KMeans(fitted) = &model else {
        panic!("a k-means model");
    };
    // scikit-learn's score: minus the inertia; on the training data, the fit's inertia.
    let score = model.score(&iris).expect("scores");
    assert!(rel(-score, fitted.inertia()) < 1e-12, "{score}");
    let Prediction::Clusters(clusters) = model.predict_typed(iris.x()).expect("predicts") else {
        panic!("clusters");
    };
    assert_eq!(clusters, fitted.training_labels());
    // In f32 (as the Predictor feeds it) the same clusters.
    let Prediction::Clusters(in_f32) = model.predict_typed(iris.x().cast::<f32>()).expect("f32")
    else {
        panic!("clusters");
    };
    assert_eq!(in_f32, clusters);
    let (state, weights) = model.state().expect("state");
    assert!(weights.is_empty());
    let restored = FittedModel::from_state(state, &weights, &device).expect("restores");
    assert_eq!(
        restored.predict(iris.x()).expect("p"),
        model.predict(iris.x()).expect("p")
    );
    assert!(
        model.predict_proba(iris.x()).is_err(),
        "a clustering has no probabilities"
    );
}

#[test]
fn bad_settings_and_data_are_errors_naming_the_field() {
    let device = Device::flex();
    let x = Matrix::from_rows(&[[0.0, 1.0], [2.0, 3.0]]).expect("2 × 2");
    let too_many = KMeansConfig {
        n_clusters: 3,
        ..Default::default()
    };
    let err = too_many.fit(&x, &device).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid config `n_clusters`: 2 samples cannot make 3 clusters"
    );
    let given = KMeansConfig {
        n_clusters: 2,
        init: KMeansInit::Centres(vec![vec![0.0, 1.0]]),
        n_init: Some(2),
        ..Default::default()
    };
    let fields: Vec<String> = given
        .problems()
        .into_vec()
        .into_iter()
        .map(|p| p.field)
        .collect();
    assert_eq!(fields, ["init", "n_init"]);
    let wide = KMeansConfig {
        n_clusters: 1,
        init: KMeansInit::Centres(vec![vec![0.0, 1.0, 2.0]]),
        ..Default::default()
    };
    let err = wide.fit(&x, &device).unwrap_err().to_string();
    assert!(
        err.contains("a centre has 3 values, the data 2 features"),
        "{err}"
    );
    let nan = Matrix::from_rows(&[[0.0, f64::NAN], [2.0, 3.0]]).expect("2 × 2");
    let err = KMeansConfig {
        n_clusters: 1,
        ..Default::default()
    }
    .fit(&nan, &device)
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("non-finite value (NaN) at row 0, column 1"),
        "{err}"
    );
    // Duplicated rows: fewer distinct points than clusters still fits (empty clusters are
    // relocated), with zero inertia.
    let same = Matrix::from_rows(&[[1.0, 1.0], [1.0, 1.0], [5.0, 5.0]]).expect("3 × 2");
    let model = KMeansConfig {
        n_clusters: 3,
        ..Default::default()
    }
    .fit(&same, &device)
    .expect("fits");
    assert_eq!(model.inertia(), 0.0);
    let data = Dataset::new(same, Matrix::zeros(3, 1)).expect("data");
    assert_eq!(
        KMeansConfig {
            n_clusters: 2,
            ..Default::default()
        }
        .fit_dataset(&data, &device)
        .expect("fits")
        .predict(data.x())
        .expect("predicts")
        .len(),
        3
    );
}
