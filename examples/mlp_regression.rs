//! Disease progression one year after baseline (diabetes: 442 patients, 10 standardised
//! features) predicted by a multilayer perceptron, side by side with ordinary least squares:
//!
//! ```text
//! cargo run --release --example mlp_regression
//! ```
//!
//! 80/20 split, Adam with weight decay, early stopping on a held-out fifth of the training
//! split. Prints test R², RMSE and MAE of both models (scikit-learn's `LinearRegression` gets
//! R² 0.4526 on its own 80/20 split of this data) and writes the run under
//! `out/mlp_regression`.

// glibc malloc hands every large tensor buffer back to the OS and faults it in again on the
// next allocation; mimalloc keeps them (training runs up to 2.8x faster).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;

use clap::Parser;
use ember::data::split::train_test_split;
use ember::metrics::{mean_absolute_error, r2_score, root_mean_squared_error};
use ember::models::mlp::MlpRegressorConfig;
use ember::prelude::*;
use ember::train::{EarlyStopping, RunOptions, TrainConfig};

/// Predict diabetes progression with an MLP and with least squares.
#[derive(Parser)]
struct Args {
    /// Backend: auto, flex, ndarray or wgpu.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Folder for the run.
    #[arg(long, default_value = "out/mlp_regression")]
    out: PathBuf,
    /// Seed of the split, the initialisation and the shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn report(name: &str, y: &[f64], predicted: &[f64]) -> anyhow::Result<()> {
    println!(
        "{name:<18} R² {:.4}   RMSE {:7.3}   MAE {:7.3}",
        r2_score(y, predicted)?,
        root_mean_squared_error(y, predicted)?,
        mean_absolute_error(y, predicted)?
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let device = args.device.device()?;
    let data = ember::data::load("diabetes")?;
    let (train, test) = train_test_split(&data, 0.2, args.seed)?;
    println!(
        "diabetes: {} training and {} test patients, 10 features; device {device:?}",
        train.n_samples(),
        test.n_samples()
    );
    let config = MlpRegressorConfig {
        hidden: vec![32, 16],
        train: TrainConfig {
            epochs: 500,
            batch_size: 16,
            learning_rate: 1e-3,
            weight_decay: 1e-3,
            validation_fraction: 0.2,
            early_stopping: Some(EarlyStopping {
                metric: "valid_loss".into(),
                patience: 30,
                ..Default::default()
            }),
            seed: args.seed,
            ..Default::default()
        },
        run: RunOptions {
            run_dir: Some(args.out.clone()),
            resume: false,
            ..RunOptions::default()
        },
        ..Default::default()
    };
    let mlp = config.fit_dataset(&train, None, &device)?;
    let ols = LinearRegressionConfig::new().fit_dataset(&train, &device)?;
    println!(
        "\nMLP 10-32-16-1: {} epochs, weights of epoch {}",
        mlp.n_iter(),
        mlp.best_epoch()
    );
    let y = test.y().as_slice();
    report("MLP", y, mlp.predict(test.x())?.as_slice())?;
    report("least squares", y, ols.predict(test.x())?.as_slice())?;
    println!("wrote {}", args.out.display());
    Ok(())
}
