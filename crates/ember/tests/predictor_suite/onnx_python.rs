//! The ONNX export run by onnxruntime (and passed by `onnx.checker`, full check): on real data
//! (diabetes, iris, breast cancer, digits) every model kind — least squares, ridge, binary and
//! multinomial logistic regression, MLP regressor and classifier with every activation, k-means
//! — gives ember's Predictor's answers to 1e-5 (relative) from the raw features, scaler folded
//! in. Skipped, saying so, where `python3` with `onnx` and `onnxruntime` is missing (`.ci/run`
//! installs them when it can).

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use burn::tensor::{Device, Tensor, TensorData};
use ember::data::Dataset;
use ember::data::preprocessing::{MinMaxScaler, StandardScaler};
use ember::model_file::{ModelFile, Scaler};
use ember::models::FittedModel;
use ember::models::kmeans::KMeansConfig;
use ember::models::linear::LinearRegressionConfig;
use ember::models::logistic::LogisticRegressionConfig;
use ember::models::mlp::{Activation, MlpClassifierConfig, MlpRegressorConfig};
use ember::predictor::{Prediction, Predictor, RowMajor};
use ember::train::{RunOptions, TrainConfig};
use serde_json::Value;

const RUN_ONNX: &str = r#"
import json, sys
import numpy as np, onnx, onnxruntime as ort
onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)
session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
x = np.array(json.load(sys.stdin), dtype=np.float32)
outputs = session.run(None, {"features": x})
print(json.dumps({
    "names": [o.name for o in session.get_outputs()],
    "outputs": [np.asarray(o).ravel().tolist() for o in outputs],
    "metadata": session.get_modelmeta().custom_metadata_map,
}))
"#;

fn python_has_onnxruntime() -> bool {
    Command::new("python3")
        .args(["-c", "import onnx, onnxruntime, numpy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// onnxruntime's outputs for `x` through the exported `file`.
fn run_onnx(file: &ModelFile, x: &[f32], d: usize, name: &str) -> Value {
    let path = std::env::temp_dir().join(format!("ember-{name}-{}.onnx", std::process::id()));
    std::fs::write(&path, file.to_onnx().unwrap()).unwrap();
    let rows: Vec<&[f32]> = x.chunks(d).collect();
    let mut child = Command::new("python3")
        .args(["-c", RUN_ONNX, path.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = serde_json::to_string(&rows).unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(name: &str, onnx: &[f64], ember: &[f32]) {
    assert_eq!(onnx.len(), ember.len(), "{name}");
    for (i, (a, b)) in onnx.iter().zip(ember).enumerate() {
        let b = f64::from(*b);
        assert!(
            (a - b).abs() <= 1e-5 * b.abs().max(1.0),
            "{name}, value {i}: onnx {a} vs ember {b}"
        );
    }
}

/// A model fitted on standardised `data`, in a model file with its scaler.
fn standardised(data: &Dataset, fit: impl Fn(&Dataset) -> FittedModel) -> ModelFile {
    let scaler = StandardScaler::fit(data.x()).unwrap();
    let scaled = data
        .clone()
        .with_x(scaler.transform(data.x()).unwrap())
        .unwrap();
    ModelFile::new(fit(&scaled), Some(Scaler::Standard(scaler)), data, None)
}

/// Checks `file` on the first rows of `data` against the Predictor, by task.
fn check(name: &str, file: &ModelFile, data: &Dataset) {
    let d = data.x().n_cols();
    let n = data.n_samples().min(200);
    let x: Vec<f32> = data.x().as_slice()[..n * d]
        .iter()
        .map(|&v| v as f32)
        .collect();
    let onnx = run_onnx(file, &x, d, name);
    let predictor = Predictor::from_bytes(&file.to_bytes().unwrap()).unwrap();
    let rows = RowMajor::new(&x, d);
    let names: Vec<&str> = onnx["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let outputs = onnx["outputs"].as_array().unwrap();
    match predictor.predict(&rows).unwrap() {
        Prediction::Values { values, .. } => {
            assert_eq!(names, ["predictions"], "{name}");
            close(name, &floats(&outputs[0]), &values);
        }
        Prediction::Classes(classes) => {
            assert_eq!(names, ["label", "probabilities"], "{name}");
            let labels: Vec<usize> = floats(&outputs[0]).iter().map(|&c| c as usize).collect();
            assert_eq!(labels, classes, "{name}");
            close(
                name,
                &floats(&outputs[1]),
                &predictor.predict_proba(&rows).unwrap(),
            );
        }
        Prediction::Clusters(clusters) => {
            assert_eq!(names, ["label", "distances"], "{name}");
            let labels: Vec<usize> = floats(&outputs[0]).iter().map(|&c| c as usize).collect();
            assert_eq!(labels, clusters, "{name}");
            let tensor = Tensor::from_data(TensorData::new(x.clone(), [n, d]), &Device::flex());
            let distances = predictor.predict_tensor(tensor).unwrap().into_data();
            close(
                name,
                &floats(&outputs[1]),
                &distances.try_to_vec::<f32>().unwrap(),
            );
        }
    }
    let metadata = &onnx["metadata"];
    assert_eq!(metadata["kind"], file.model.kind(), "{name}");
    let features: Vec<String> =
        serde_json::from_str(metadata["feature_names"].as_str().unwrap()).unwrap();
    assert_eq!(features, file.feature_names, "{name}");
    if let Some(labels) = file.model.labels() {
        let classes: Vec<String> =
            serde_json::from_str(metadata["classes"].as_str().unwrap()).unwrap();
        assert_eq!(classes, labels.classes(), "{name}");
    }
}

fn quick(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        learning_rate: 0.01,
        ..Default::default()
    }
}

#[test]
fn onnxruntime_gives_the_predictors_answers_for_every_kind() {
    if !python_has_onnxruntime() {
        eprintln!("skipped: python3 with onnx, onnxruntime and numpy is not available");
        return;
    }
    let device = Device::flex();
    let diabetes = ember::data::load("diabetes").unwrap();
    let raw_diabetes = ember::data::bundled::diabetes(false).unwrap();
    let iris = ember::data::load("iris").unwrap();
    let cancer = ember::data::load("breast_cancer").unwrap();
    let digits = ember::data::load("digits").unwrap();

    let ols = LinearRegressionConfig::new()
        .fit_dataset(&raw_diabetes, &device)
        .unwrap();
    check(
        "ols",
        &ModelFile::new(ols.into(), None, &raw_diabetes, None),
        &raw_diabetes,
    );
    let ridge = |d: &Dataset| {
        LinearRegressionConfig::new()
            .with_alpha(0.1)
            .fit_dataset(d, &device)
            .unwrap()
            .into()
    };
    check("ridge", &standardised(&diabetes, ridge), &diabetes);
    let binary = |d: &Dataset| {
        LogisticRegressionConfig::default()
            .fit_dataset(d, &device)
            .unwrap()
            .into()
    };
    check("binary logistic", &standardised(&cancer, binary), &cancer);
    let softmax = |d: &Dataset| {
        LogisticRegressionConfig::default()
            .fit_dataset(d, &device)
            .unwrap()
            .into()
    };
    check("multinomial logistic", &standardised(&iris, softmax), &iris);
    let kmeans = |d: &Dataset| {
        KMeansConfig {
            n_clusters: 3,
            n_init: Some(4),
            ..Default::default()
        }
        .fit_dataset(d, &device)
        .unwrap()
        .into()
    };
    check("kmeans", &standardised(&iris, kmeans), &iris);
    let regressor = |d: &Dataset| {
        MlpRegressorConfig {
            hidden: vec![16, 8],
            train: quick(5),
            run: RunOptions::quiet(),
            ..Default::default()
        }
        .fit_dataset(d, None, &device)
        .unwrap()
        .into()
    };
    check(
        "mlp regressor",
        &standardised(&diabetes, regressor),
        &diabetes,
    );
    for activation in [
        Activation::Relu,
        Activation::Gelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::LeakyRelu,
    ] {
        let classifier = |d: &Dataset| {
            MlpClassifierConfig {
                hidden: vec![32, 16],
                activation,
                train: quick(3),
                run: RunOptions::quiet(),
                ..Default::default()
            }
            .fit_dataset(d, None, &device)
            .unwrap()
            .into()
        };
        let name = format!("mlp classifier ({})", activation.name());
        check(&name, &standardised(&digits, classifier), &digits);
    }
    // Several targets (linnerud's three), min-max scaling, no scaler, no hidden layer.
    let linnerud = ember::data::load("linnerud").unwrap();
    let several = LinearRegressionConfig::new()
        .fit_dataset(&linnerud, &device)
        .unwrap();
    check(
        "least squares, 3 targets",
        &ModelFile::new(several.into(), None, &linnerud, None),
        &linnerud,
    );
    let scaler = MinMaxScaler::fit(linnerud.x()).unwrap();
    let scaled = linnerud
        .clone()
        .with_x(scaler.transform(linnerud.x()).unwrap())
        .unwrap();
    let wide = MlpRegressorConfig {
        hidden: vec![4],
        activation: Activation::Tanh,
        train: quick(5),
        run: RunOptions::quiet(),
        ..Default::default()
    }
    .fit_dataset(&scaled, None, &device)
    .unwrap();
    let file = ModelFile::new(wide.into(), Some(Scaler::MinMax(scaler)), &linnerud, None);
    check("mlp regressor, 3 targets, min-max", &file, &linnerud);
    let flat = MlpClassifierConfig {
        hidden: Vec::new(),
        train: quick(3),
        run: RunOptions::quiet(),
        ..Default::default()
    }
    .fit_dataset(&iris, None, &device)
    .unwrap();
    check(
        "mlp classifier, no hidden layer",
        &ModelFile::new(flat.into(), None, &iris, None),
        &iris,
    );
    let two = MlpClassifierConfig {
        hidden: vec![8],
        train: quick(3),
        run: RunOptions::quiet(),
        ..Default::default()
    };
    check(
        "mlp classifier, 2 classes",
        &standardised(&cancer, |d| {
            two.fit_dataset(d, None, &device).unwrap().into()
        }),
        &cancer,
    );
    // The model the embed example bundles, as it is on disk.
    let bundled = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/models/digits_mlp.ember"
    ))
    .unwrap();
    check(
        "bundled digits model",
        &ModelFile::from_bytes(&bundled, &device).unwrap(),
        &digits,
    );
}
