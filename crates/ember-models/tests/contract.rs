//! The registration of every kind: its name in model files is its `Fitted::KIND`, and a model
//! file's state is refused when it holds a field its kind does not know.

use ember_models::{FittedModel, ModelState};

#[test]
fn every_kind_is_saved_under_its_own_name() {
    let kinds = FittedModel::kinds();
    assert!(kinds.len() >= 5, "{kinds:?}");
    for (tag, kind) in kinds {
        assert_eq!(tag, kind);
    }
}

#[test]
fn states_read_as_before_and_unknown_fields_are_refused() {
    // The form model files of format 2 hold (written before the contract): read as they were.
    let linear = r#"{"kind": "linear_regression", "config": {}, "coef": {"n_rows": 1, "n_cols": 1, "data": [2.0]}, "intercept": [1.0], "solver": "lstsq"}"#;
    let state: ModelState = serde_json::from_str(linear).expect("a linear state");
    let model = FittedModel::from_state(state, &[], &burn::tensor::Device::flex()).expect("loads");
    assert_eq!(model.kind(), "linear_regression");
    let extra = linear.replace(r#""solver""#, r#""surprise": 1, "solver""#);
    let err = serde_json::from_str::<ModelState>(&extra)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `surprise`"), "{err}");
    let kmeans = r#"{"kind": "kmeans", "config": {"n_clusters": 1}, "centres": {"n_rows": 1, "n_cols": 2, "data": [0.5, 1.5]}, "inertia": 2.0, "n_iter": 3}"#;
    let state: ModelState = serde_json::from_str(kmeans).expect("a k-means state");
    let model = FittedModel::from_state(state, &[], &burn::tensor::Device::flex()).expect("loads");
    assert_eq!(
        (model.kind(), model.n_features(), model.n_outputs()),
        ("kmeans", 2, 1)
    );
    // Centres that disagree with the config are a damaged file, not a model.
    let wrong = kmeans.replace(r#""n_clusters": 1"#, r#""n_clusters": 2"#);
    let state: ModelState = serde_json::from_str(&wrong).expect("parses");
    let err = FittedModel::from_state(state, &[], &burn::tensor::Device::flex()).unwrap_err();
    assert!(
        err.to_string().contains("1 centres for n_clusters = 2"),
        "{err}"
    );
}
