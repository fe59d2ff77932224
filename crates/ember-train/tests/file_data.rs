//! Training from a row file on disk is training from the same data in memory, bit for bit.

mod common;

use burn::tensor::Device;
use common::{Net, classification, temp_dir, weights};
use ember_data::Dataset;
use ember_data::preprocessing::StandardScaler;
use ember_data::rowfile::{RowFile, RowFileWriter, RowMeta};
use ember_train::{
    BatchSource, FileData, History, Objective, OptimizerConfig, RunOptions, TrainConfig,
    TrainError, train, train_on,
};

/// `data` written to a row file at `path`.
fn row_file(data: &Dataset<f32>, path: &std::path::Path) -> RowFile {
    let (d, k) = (data.x().n_cols(), data.y().n_cols());
    let mut writer = RowFileWriter::create(path, d, k).expect("create");
    // In pieces, as a conversion would push them.
    for rows in (0..data.n_samples()).collect::<Vec<_>>().chunks(97) {
        let part = data.select(rows);
        writer
            .push(part.x().as_slice(), part.y().as_slice())
            .expect("push");
    }
    let classes = data.labels().map(|l| l.classes().to_vec());
    let meta = RowMeta {
        feature_names: data.feature_names().to_vec(),
        target_names: data.target_names().to_vec(),
        classes,
        source: None,
    };
    writer.finish(meta).expect("finish")
}

fn losses(history: &History) -> Vec<(u64, Option<u64>)> {
    history
        .epochs
        .iter()
        .map(|e| {
            (
                e.train["loss"].to_bits(),
                e.valid
                    .as_ref()
                    .and_then(|v| v.get("loss"))
                    .map(|v| v.to_bits()),
            )
        })
        .collect()
}

fn config() -> TrainConfig {
    TrainConfig {
        epochs: 4,
        batch_size: 32,
        learning_rate: 1e-2,
        optimizer: OptimizerConfig::adam(),
        validation_fraction: 0.2,
        seed: 5,
        ..Default::default()
    }
}

#[test]
fn training_from_a_row_file_equals_training_in_memory() {
    let dir = temp_dir("file-data");
    let data = classification(600);
    let file = row_file(&data, &dir.join("train.rows"));
    let objective = Objective::CrossEntropy { n_classes: 3 };
    let device = Device::flex();
    let init = |d: &Device| Net::new(20, 3, d);
    let run = RunOptions::quiet();
    let in_memory = train(init, objective, &data, None, &config(), &run, &device).expect("train");
    let source = FileData::new(objective, &file).expect("file data");
    assert_eq!(source.len(), 600);
    let from_file =
        train_on(init, objective, &source, None, &config(), &run, &device).expect("train_on");
    assert_eq!(losses(&from_file.history), losses(&in_memory.history));
    assert!(losses(&in_memory.history).iter().all(|(_, v)| v.is_some()));
    assert_eq!(weights(&from_file.model), weights(&in_memory.model));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_scaled_row_file_equals_the_scaled_data_in_memory() {
    let dir = temp_dir("file-data-scaled");
    let data = classification(400);
    // Shift and stretch the features so the scaling matters.
    let x = ember_data::Matrix::from_fn(400, 20, |i, j| {
        data.x().get(i, j) * (j as f32 + 1.0) + 100.0
    });
    let data = data.with_x(x).expect("same shape");
    let file = row_file(&data, &dir.join("train.rows"));
    let scaler = file
        .column_moments()
        .expect("moments")
        .scaler()
        .expect("scaler");
    let reference = StandardScaler::fit(data.x()).expect("fit");
    for (a, b) in scaler.mean().iter().zip(reference.mean()) {
        assert!((a - b).abs() <= 1e-12 * b.abs());
    }
    let scaled = data
        .clone()
        .with_x(scaler.transform(data.x()).expect("transform"))
        .expect("x");
    let objective = Objective::CrossEntropy { n_classes: 3 };
    let device = Device::flex();
    let init = |d: &Device| Net::new(20, 3, d);
    let run = RunOptions::quiet();
    let in_memory = train(init, objective, &scaled, None, &config(), &run, &device).expect("train");
    let source = FileData::new(objective, &file)
        .expect("file data")
        .with_scaler(&scaler)
        .expect("scaler");
    let from_file =
        train_on(init, objective, &source, None, &config(), &run, &device).expect("train_on");
    assert_eq!(losses(&from_file.history), losses(&in_memory.history));
    assert_eq!(weights(&from_file.model), weights(&in_memory.model));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_sources_are_named() {
    let dir = temp_dir("file-data-bad");
    let data = classification(100);
    let file = row_file(&data, &dir.join("train.rows"));
    // Three classes, but the objective is binary.
    let err = FileData::new(Objective::BinaryCrossEntropy, &file)
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("not a class index in 0..2"),
        "{err}"
    );
    let source = FileData::new(Objective::CrossEntropy { n_classes: 3 }, &file).expect("ok");
    assert!(source.batch(&[100], &Device::flex()).is_err());
    assert!(matches!(
        FileData::new(Objective::CrossEntropy { n_classes: 3 }, &file)
            .expect("ok")
            .with_scaling(vec![0.0; 20], vec![0.0; 20]),
        Err(TrainError::Data(_))
    ));
    assert!(
        FileData::new(Objective::CrossEntropy { n_classes: 3 }, &file)
            .expect("ok")
            .with_scaling(vec![0.0; 3], vec![1.0; 3])
            .is_err()
    );
    // A validation file of another width.
    let narrow = data.select_features(&["x0", "x1"]).expect("two features");
    let narrow_file = row_file(&narrow, &dir.join("narrow.rows"));
    let valid = FileData::new(Objective::CrossEntropy { n_classes: 3 }, &narrow_file).expect("ok");
    let err = train_on(
        |d: &Device| Net::new(20, 3, d),
        Objective::CrossEntropy { n_classes: 3 },
        &source,
        Some(&valid),
        &config(),
        &RunOptions::quiet(),
        &Device::flex(),
    )
    .expect_err("refused");
    assert!(
        err.to_string()
            .contains("validation features vs training features"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
