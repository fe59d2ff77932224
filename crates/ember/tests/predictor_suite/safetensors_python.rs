//! The safetensors export read by Python's `safetensors` package (as PyTorch and NumPy users
//! read it): a forward pass in NumPy from the exported tensors alone gives the predictor's
//! answers. Skipped, saying so, where `python3` with `safetensors` and `numpy` is missing
//! (`.ci/run` installs them when it can; the byte layout is checked in predictor.rs anyway).

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use burn::tensor::Device;
use ember::data::preprocessing::StandardScaler;
use ember::model_file::{ModelFile, Scaler};
use ember::models::mlp::MlpRegressorConfig;
use ember::predictor::{Prediction, Predictor, RowMajor};
use ember::train::{RunOptions, TrainConfig};

const NUMPY_FORWARD: &str = r#"
import json, sys
import numpy as np
from safetensors.numpy import load_file
t = load_file(sys.argv[1])
x = np.array(json.load(sys.stdin), dtype=np.float64)
h = x * t["input.scale"] + t["input.offset"]
i = 0
while f"layers.{i}.weight" in t:
    h = h @ t[f"layers.{i}.weight"].T.astype(np.float64) + t[f"layers.{i}.bias"]
    if f"layers.{i + 1}.weight" in t:
        h = np.maximum(h, 0.0)
    i += 1
y = h * t["output.scale"] + t["output.offset"]
print(json.dumps(y.ravel().tolist()))
"#;

fn python_has_safetensors() -> bool {
    Command::new("python3")
        .args(["-c", "import safetensors.numpy, numpy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn numpy_reads_the_export_and_computes_the_same_predictions() {
    if !python_has_safetensors() {
        eprintln!("skipped: python3 with safetensors and numpy is not available");
        return;
    }
    let device = Device::flex();
    let data = ember::data::load("diabetes").unwrap();
    let scaler = StandardScaler::fit(data.x()).unwrap();
    let scaled = data
        .clone()
        .with_x(scaler.transform(data.x()).unwrap())
        .unwrap();
    let model = MlpRegressorConfig {
        hidden: vec![16, 8],
        train: TrainConfig {
            epochs: 20,
            learning_rate: 0.01,
            ..Default::default()
        },
        run: RunOptions::quiet(),
        ..Default::default()
    }
    .fit_dataset(&scaled, None, &device)
    .unwrap();
    let file = ModelFile::new(model.into(), Some(Scaler::Standard(scaler)), &data, None);
    let path =
        std::env::temp_dir().join(format!("ember-export-{}.safetensors", std::process::id()));
    std::fs::write(&path, file.to_safetensors().unwrap()).unwrap();

    let x: Vec<f32> = data.x().as_slice()[..20 * 10]
        .iter()
        .map(|&v| v as f32)
        .collect();
    let rows: Vec<Vec<f32>> = x.chunks(10).map(<[f32]>::to_vec).collect();
    let mut child = Command::new("python3")
        .args(["-c", NUMPY_FORWARD, path.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&rows).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let numpy: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    let _ = std::fs::remove_file(&path);

    let predictor = Predictor::from_bytes(&file.to_bytes().unwrap()).unwrap();
    let Prediction::Values { values, .. } = predictor.predict(&RowMajor::new(&x, 10)).unwrap()
    else {
        panic!("a regressor predicts values")
    };
    assert_eq!(values.len(), numpy.len());
    for (a, b) in values.iter().zip(&numpy) {
        assert!(
            (f64::from(*a) - b).abs() < 1e-4 * b.abs().max(1.0),
            "{a} vs {b}"
        );
    }
}
