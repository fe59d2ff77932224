//! `Predictor`: every model kind through a model file's bytes gives the predictions of the
//! fitted model; it serves threads concurrently; bad requests and bad files are errors; the
//! safetensors export holds the weights under their documented names.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData};
use ember::data::split::stratified_train_test_split;
use ember::data::{Dataset, Matrix, preprocessing::StandardScaler};
use ember::model_file::{ModelFile, ModelFileError, Scaler};
use ember::models::FittedModel;
use ember::models::linear::LinearRegressionConfig;
use ember::models::logistic::LogisticRegressionConfig;
use ember::models::mlp::{MlpClassifierConfig, MlpRegressorConfig};
use ember::predictor::{PredictError, Prediction, Predictor, RowMajor};
use ember::train::{RunOptions, TrainConfig};

fn quick() -> TrainConfig {
    TrainConfig {
        epochs: 5,
        learning_rate: 0.01,
        ..Default::default()
    }
}

/// A model trained on standardised `data`, saved with its scaler: the bytes, and the fitted
/// model file to compare with.
fn saved(data: &Dataset, fit: impl Fn(&Dataset) -> FittedModel) -> (Vec<u8>, ModelFile) {
    let scaler = StandardScaler::fit(data.x()).unwrap();
    let scaled = data
        .clone()
        .with_x(scaler.transform(data.x()).unwrap())
        .unwrap();
    let file = ModelFile::new(fit(&scaled), Some(Scaler::Standard(scaler)), data, None);
    (file.to_bytes().unwrap(), file)
}

fn f32s(m: &Matrix) -> Vec<f32> {
    m.as_slice().iter().map(|&v| v as f32).collect()
}

fn assert_close(got: &[f32], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (f64::from(*g) - w).abs() <= tol * w.abs().max(1.0),
            "value {i}: {g} vs {w}"
        );
    }
}

#[test]
fn every_kind_predicts_as_the_fitted_model() {
    let device = Device::flex();
    let diabetes = ember::data::load("diabetes").unwrap();
    let iris = ember::data::load("iris").unwrap();
    let cancer = ember::data::load("breast_cancer").unwrap();
    let regressors: Vec<(Vec<u8>, ModelFile)> = vec![
        saved(&diabetes, |d| {
            LinearRegressionConfig::new()
                .fit_dataset(d, &device)
                .unwrap()
                .into()
        }),
        saved(&diabetes, |d| {
            let c = MlpRegressorConfig {
                hidden: vec![8],
                train: quick(),
                run: RunOptions::quiet(),
                ..Default::default()
            };
            c.fit_dataset(d, None, &device).unwrap().into()
        }),
    ];
    for (bytes, file) in &regressors {
        let predictor = Predictor::from_bytes(bytes).unwrap();
        let want = file.predict(diabetes.x()).unwrap();
        let x = f32s(diabetes.x());
        let Prediction::Values { values, n_outputs } =
            predictor.predict(&RowMajor::new(&x, 10)).unwrap()
        else {
            panic!("a regressor predicts values")
        };
        assert_eq!(n_outputs, 1);
        assert_close(&values, want.as_slice(), 1e-4);
        // A row alone (a network's one-row path) predicts what it predicts inside the batch.
        for (row, want) in x.chunks(10).zip(want.as_slice()).take(25) {
            let Prediction::Values { values, .. } = predictor.predict(&RowMajor::row(row)).unwrap()
            else {
                panic!("a regressor predicts values")
            };
            assert_close(&values, &[*want], 1e-4);
        }
        assert!(predictor.predict_proba(&RowMajor::new(&x, 10)).is_err());
    }
    let classifiers: Vec<(Dataset, Vec<u8>, ModelFile)> = vec![
        {
            let (b, f) = saved(&iris, |d| {
                LogisticRegressionConfig::default()
                    .fit_dataset(d, &device)
                    .unwrap()
                    .into()
            });
            (iris.clone(), b, f)
        },
        {
            let (b, f) = saved(&cancer, |d| {
                LogisticRegressionConfig::default()
                    .fit_dataset(d, &device)
                    .unwrap()
                    .into()
            });
            (cancer.clone(), b, f)
        },
        {
            let (b, f) = saved(&iris, |d| {
                let c = MlpClassifierConfig {
                    hidden: vec![8],
                    train: quick(),
                    run: RunOptions::quiet(),
                    ..Default::default()
                };
                c.fit_dataset(d, None, &device).unwrap().into()
            });
            (iris.clone(), b, f)
        },
    ];
    for (data, bytes, file) in &classifiers {
        let predictor = Predictor::from_bytes(bytes).unwrap();
        let d = data.x().n_cols();
        let x = f32s(data.x());
        let want = file.predict_proba(data.x()).unwrap();
        let proba = predictor.predict_proba(&RowMajor::new(&x, d)).unwrap();
        assert_close(&proba, want.as_slice(), 1e-5);
        let k = want.n_cols();
        for (row, want) in x.chunks(d).zip(want.as_slice().chunks(k)).take(25) {
            assert_close(
                &predictor.predict_proba(&RowMajor::row(row)).unwrap(),
                want,
                1e-5,
            );
        }
        let Prediction::Classes(classes) = predictor.predict(&RowMajor::new(&x, d)).unwrap() else {
            panic!("a classifier predicts classes")
        };
        let want: Vec<usize> = file
            .predict(data.x())
            .unwrap()
            .as_slice()
            .iter()
            .map(|&c| c as usize)
            .collect();
        assert_eq!(classes, want);
        assert_eq!(predictor.classes(), data.labels().map(|l| l.classes()));
    }
    // Fixed-size rows, one row, and a tensor on the device.
    let (_, bytes, _) = &classifiers[0];
    let predictor = Predictor::from_bytes(bytes).unwrap();
    let rows = [[5.1f32, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]];
    assert_eq!(
        predictor.predict(&rows[..]).unwrap(),
        Prediction::Classes(vec![0, 2])
    );
    assert_eq!(
        predictor.predict(&rows[1]).unwrap(),
        Prediction::Classes(vec![2])
    );
    let tensor = Tensor::<2>::from_data(
        TensorData::new(rows.as_flattened().to_vec(), [2, 4]),
        &device,
    );
    let out = predictor.predict_tensor(tensor).unwrap();
    assert_eq!(out.dims(), [2, 3]);
    let host = out
        .into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .unwrap();
    assert_eq!(host, predictor.predict_proba(&rows[..]).unwrap());
}

#[test]
fn one_predictor_serves_many_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Predictor>();
    let digits = ember::data::load("digits").unwrap();
    let (train, test) = stratified_train_test_split(&digits, 0.2, 0).unwrap();
    let (bytes, _) = saved(&train, |d| {
        let c = MlpClassifierConfig {
            hidden: vec![32],
            train: quick(),
            run: RunOptions::quiet(),
            ..Default::default()
        };
        c.fit_dataset(d, None, &Device::flex()).unwrap().into()
    });
    let predictor = Arc::new(Predictor::from_bytes(&bytes).unwrap());
    let x = f32s(test.x());
    let alone: Vec<Vec<f32>> = x
        .chunks(64)
        .map(|row| predictor.predict_proba(&RowMajor::row(row)).unwrap())
        .collect();
    let x = Arc::new(x);
    let alone = Arc::new(alone);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (predictor, x, alone) = (predictor.clone(), x.clone(), alone.clone());
            std::thread::spawn(move || {
                for (i, row) in x.chunks(64).enumerate().skip(t).step_by(3) {
                    let p = predictor.predict_proba(&RowMajor::row(row)).unwrap();
                    assert_eq!(p, alone[i], "thread {t}, row {i}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn bad_requests_are_errors() {
    let iris = ember::data::load("iris").unwrap();
    let (bytes, _) = saved(&iris, |d| {
        LogisticRegressionConfig::default()
            .fit_dataset(d, &Device::flex())
            .unwrap()
            .into()
    });
    let p = Predictor::from_bytes(&bytes).unwrap();
    let msg = |e: PredictError| e.to_string();
    assert_eq!(
        msg(p.predict(&[[1.0f32, 2.0]][..]).unwrap_err()),
        "rows have 2 features, but the model takes 4"
    );
    assert_eq!(
        msg(p.predict(&RowMajor::new(&[1.0; 6], 4)).unwrap_err()),
        "6 values do not make rows of 4"
    );
    assert_eq!(
        msg(p.predict(&[[1.0f32, 2.0, f32::NAN, 0.0]][..]).unwrap_err()),
        "row 0, feature 2 is NaN: features must be finite"
    );
    let diabetes = ember::data::load("diabetes").unwrap();
    let (bytes, _) = saved(&diabetes, |d| {
        LinearRegressionConfig::new()
            .fit_dataset(d, &Device::flex())
            .unwrap()
            .into()
    });
    let r = Predictor::from_bytes(&bytes).unwrap();
    assert_eq!(
        msg(r.predict_proba(&[[0.0f32; 10]][..]).unwrap_err()),
        "a linear_regression predicts values, not classes"
    );
}

/// A batch large enough to be copied and scaled across the thread pool (more than 65,536
/// values, and not a whole number of 16-value blocks) gives what the same rows give in small
/// requests, and a value that is not finite anywhere in it is found at its row and feature.
#[test]
fn a_large_batch_is_checked_and_scaled_like_small_ones() {
    let iris = ember::data::load("iris").unwrap();
    let (bytes, _) = saved(&iris, |d| {
        LogisticRegressionConfig::default()
            .fit_dataset(d, &Device::flex())
            .unwrap()
            .into()
    });
    let p = Predictor::from_bytes(&bytes).unwrap();
    let rows = 20_003;
    let x: Vec<f32> = (0..rows * 4)
        .map(|i| (i % 4) as f32 + ((i * 7919) % 1000) as f32 / 250.0)
        .collect();
    let whole = p.predict_proba(&RowMajor::new(&x, 4)).unwrap();
    let pieces: Vec<f32> = x
        .chunks(4 * 1000)
        .flat_map(|c| p.predict_proba(&RowMajor::new(c, 4)).unwrap())
        .collect();
    assert_eq!(whole.len(), rows * 3);
    let want: Vec<f64> = pieces.iter().map(|&v| f64::from(v)).collect();
    assert_close(&whole, &want, 1e-6);

    for (row, feature, value) in [
        (0, 0, f32::INFINITY),
        (17_000, 1, f32::NAN),
        (rows - 1, 3, f32::NEG_INFINITY),
    ] {
        let mut bad = x.clone();
        bad[row * 4 + feature] = value;
        match p.predict_proba(&RowMajor::new(&bad, 4)).unwrap_err() {
            PredictError::NotFinite {
                row: r, column: c, ..
            } => assert_eq!((r, c), (row, feature), "{value}"),
            other => panic!("{other}"),
        }
    }
}

#[test]
fn bad_files_are_errors() {
    let iris = ember::data::load("iris").unwrap();
    let (bytes, _) = saved(&iris, |d| {
        let c = MlpClassifierConfig {
            hidden: vec![4],
            train: quick(),
            run: RunOptions::quiet(),
            ..Default::default()
        };
        c.fit_dataset(d, None, &Device::flex()).unwrap().into()
    });
    let err = |b: &[u8]| Predictor::from_bytes(b).unwrap_err().to_string();
    assert_eq!(
        err(b"PK\x03\x04 a zip file"),
        "not an ember model file (it does not start with `EMBERMDL`)"
    );
    assert_eq!(
        err(b""),
        "not an ember model file (it does not start with `EMBERMDL`)"
    );
    assert_eq!(
        err(&bytes[..12]),
        "corrupt model file: 12 bytes, shorter than the 28 bytes of preamble and checksum"
    );
    let versioned = |v: u32| {
        let mut b = bytes.clone();
        b[8..12].copy_from_slice(&v.to_le_bytes());
        err(&b)
    };
    assert_eq!(
        versioned(3),
        "model file format 3 is newer than this ember reads (2); upgrade ember"
    );
    assert_eq!(
        versioned(1),
        "model file format 1 is older than this ember reads (2) and has no checksum; train the model again with this ember"
    );
    // The last 8 bytes are FNV-1a 64 of all before them; one flipped bit past the version
    // anywhere (header, weights, checksum) or a cut is found before anything is parsed.
    assert_eq!(resealed(bytes.clone()), bytes);
    let damaged = "corrupt model file: checksum mismatch: the file is damaged";
    for i in 12..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[i] ^= 0x10;
        assert_eq!(err(&flipped), damaged, "byte {i} flipped");
    }
    let header_len = u64::from_le_bytes(bytes[12..20].try_into().unwrap()) as usize;
    assert_eq!(err(&bytes[..20 + header_len / 2]), damaged);
    assert_eq!(err(&bytes[..bytes.len() - 1]), damaged);
    // Past a good checksum, a bad header is still an error.
    let mut long = bytes.clone();
    long[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(
        err(&resealed(long)).starts_with("corrupt model file: truncated: the header should be")
    );
    let mut garbled = bytes.clone();
    garbled[25] = b'=';
    assert!(err(&resealed(garbled)).starts_with("corrupt model file: header:"));
    // Every prefix of the file is an error, never a panic.
    for len in 0..bytes.len() {
        assert!(
            Predictor::from_bytes(&bytes[..len]).is_err(),
            "prefix of {len} bytes"
        );
    }
    let io = Predictor::load("/no/such/model.ember").unwrap_err();
    assert!(
        matches!(io, PredictError::ModelFile(ModelFileError::Io { .. })),
        "{io}"
    );
    // Read from a file, the error names it.
    let path = std::env::temp_dir().join(format!("ember-damaged-{}.ember", std::process::id()));
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    std::fs::write(&path, flipped).unwrap();
    let message = Predictor::load(&path).unwrap_err().to_string();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(message, format!("{}: {damaged}", path.display()));
}

/// `bytes` with their last 8 bytes replaced by the FNV-1a 64 checksum of the rest, as the
/// format documents it.
fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let n = bytes.len() - 8;
    let sum = bytes[..n].iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    bytes[n..].copy_from_slice(&sum.to_le_bytes());
    bytes
}

/// One tensor of a safetensors file: dtype, shape, bytes.
type Stored = (String, Vec<usize>, Vec<u8>);

/// A safetensors file's header and its tensors, read by the documented layout.
fn safetensors(bytes: &[u8]) -> (serde_json::Value, std::collections::HashMap<String, Stored>) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    assert_eq!(n % 8, 0, "the header is padded to 8 bytes");
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let data = &bytes[8 + n..];
    let tensors = header
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| *name != "__metadata__")
        .map(|(name, t)| {
            let shape = t["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            let [a, b] = [0, 1].map(|i| t["data_offsets"][i].as_u64().unwrap() as usize);
            (
                name.clone(),
                (
                    t["dtype"].as_str().unwrap().to_string(),
                    shape,
                    data[a..b].to_vec(),
                ),
            )
        })
        .collect();
    (header, tensors)
}

#[test]
fn safetensors_hold_the_weights_by_name() {
    let device = Device::flex();
    let iris = ember::data::load("iris").unwrap();
    let (_, file) = saved(&iris, |d| {
        let c = MlpClassifierConfig {
            hidden: vec![6],
            train: quick(),
            run: RunOptions::quiet(),
            ..Default::default()
        };
        c.fit_dataset(d, None, &device).unwrap().into()
    });
    let bytes = file.to_safetensors().unwrap();
    let (header, tensors) = safetensors(&bytes);
    let tensor = |name: &str| tensors[name].clone();
    assert_eq!(header["__metadata__"]["kind"], "mlp_classifier");
    assert_eq!(header["__metadata__"]["activation"], "relu");
    assert_eq!(
        header["__metadata__"]["classes"],
        "[\"setosa\",\"versicolor\",\"virginica\"]"
    );
    let f32s = |b: &[u8]| {
        b.chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect::<Vec<f32>>()
    };
    let f64s = |b: &[u8]| {
        b.chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect::<Vec<f64>>()
    };
    // A forward pass from the exported tensors alone equals the predictor's probabilities.
    let (_, s_shape, scale) = tensor("input.scale");
    let (_, _, offset) = tensor("input.offset");
    assert_eq!(s_shape, [4]);
    let (scale, offset) = (f64s(&scale), f64s(&offset));
    let (dtype, w0_shape, w0) = tensor("layers.0.weight");
    assert_eq!(
        (dtype.as_str(), w0_shape.as_slice()),
        ("F32", &[6usize, 4][..])
    );
    let (_, _, b0) = tensor("layers.0.bias");
    let (_, w1_shape, w1) = tensor("layers.1.weight");
    assert_eq!(w1_shape, [3, 6]);
    let (_, _, b1) = tensor("layers.1.bias");
    let (w0, b0, w1, b1) = (f32s(&w0), f32s(&b0), f32s(&w1), f32s(&b1));
    let row = [5.9f32, 3.0, 5.1, 1.8];
    let z: Vec<f32> = (0..4)
        .map(|j| (f64::from(row[j]) * scale[j] + offset[j]) as f32)
        .collect();
    let h: Vec<f32> = (0..6)
        .map(|o| (b0[o] + (0..4).map(|i| w0[o * 4 + i] * z[i]).sum::<f32>()).max(0.0))
        .collect();
    let logits: Vec<f32> = (0..3)
        .map(|o| b1[o] + (0..6).map(|i| w1[o * 6 + i] * h[i]).sum::<f32>())
        .collect();
    let m = logits.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let e: Vec<f32> = logits.iter().map(|l| (l - m).exp()).collect();
    let s: f32 = e.iter().sum();
    let predictor = Predictor::from_bytes(&file.to_bytes().unwrap()).unwrap();
    let want = predictor.predict_proba(&row).unwrap();
    for (a, b) in e.iter().map(|v| v / s).zip(want) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
}

#[test]
fn a_clustering_predicts_its_nearest_centres() {
    let device = Device::flex();
    let iris = ember::data::load("iris").unwrap();
    let (bytes, file) = saved(&iris, |d| {
        ember::models::kmeans::KMeansConfig {
            n_clusters: 3,
            n_init: Some(4),
            ..Default::default()
        }
        .fit_dataset(d, &device)
        .unwrap()
        .into()
    });
    let predictor = Predictor::from_bytes(&bytes).unwrap();
    assert!(!predictor.is_classifier());
    let want: Vec<usize> = file
        .predict(iris.x())
        .unwrap()
        .as_slice()
        .iter()
        .map(|&c| c as usize)
        .collect();
    let x = f32s(iris.x());
    let Prediction::Clusters(got) = predictor.predict(&RowMajor::new(&x, 4)).unwrap() else {
        panic!("a clustering predicts clusters")
    };
    assert_eq!(got, want);
    assert!(predictor.predict_proba(&RowMajor::new(&x, 4)).is_err());
    // The squared distances, as a tensor on the device.
    let out = predictor
        .predict_tensor(Tensor::from_data(TensorData::new(x, [150, 4]), &device))
        .unwrap();
    assert_eq!(out.dims(), [150, 3]);
}
