//! The ConvNet of `examples/convnet.rs` (its very module, included below) trained by ember's
//! loop through burn's `InMemDataset` + `Batcher`, for `benches/compare.py convnet`: seconds per
//! epoch on MNIST (`data/mnist`, from `scripts/fetch_mnist.sh`; random images of the same shape
//! when it is absent) and the test accuracy after the epochs. Writes the data for the PyTorch
//! side and `ember_convnet.json` into the folder given.
//!
//! ```text
//! EMBER_CONVNET_EPOCHS=2 cargo bench -p ember --bench convnet -- target/bench-data
//! ```

mod common;
#[path = "../examples/convnet.rs"]
#[allow(dead_code)]
mod convnet;

use std::io::Write;
use std::path::Path;

use convnet::{ConvNet, Image, Stack, accuracy, images};
use ember::burn::data::dataset::InMemDataset;
use ember::data::idx::mnist_in;
use ember::prelude::*;
use ember::train::{DatasetSource, RunOptions, TrainConfig, Trainer};
use rand::{Rng, SeedableRng, rngs::StdRng};

/// MNIST's training and test images, or random ones of the same shape (timing only).
fn data() -> anyhow::Result<(Vec<Image>, Vec<Image>, bool)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist");
    if let (Ok(train), Ok(test)) = (
        mnist_in::<f32>(&dir, "train"),
        mnist_in::<f32>(&dir, "t10k"),
    ) {
        return Ok((images(&train), images(&test), true));
    }
    let mut rng = StdRng::seed_from_u64(0);
    let mut random = |n: usize| -> Vec<Image> {
        (0..n)
            .map(|_| Image {
                pixels: (0..784).map(|_| rng.random::<f32>()).collect(),
                digit: rng.random_range(0..10),
            })
            .collect()
    };
    Ok((random(60_000), random(10_000), false))
}

/// The images as raw little-endian f32 pixels and u8 digits, for the PyTorch side.
fn write(out: &Path, name: &str, images: &[Image]) -> anyhow::Result<()> {
    let mut x = std::io::BufWriter::new(std::fs::File::create(out.join(format!("{name}_x.f32")))?);
    for image in images {
        for p in &image.pixels {
            x.write_all(&p.to_le_bytes())?;
        }
    }
    x.flush()?;
    let y: Vec<u8> = images.iter().map(|i| i.digit as u8).collect();
    std::fs::write(out.join(format!("{name}_y.u8")), y)?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let out = common::out_dir()?;
    let epochs: usize = std::env::var("EMBER_CONVNET_EPOCHS").map_or(Ok(2), |e| e.parse())?;
    let (train, test, real) = data()?;
    write(&out, "convnet_train", &train)?;
    write(&out, "convnet_test", &test)?;
    let device = Device::flex();
    let config = TrainConfig {
        epochs,
        batch_size: 64,
        learning_rate: 1e-3,
        ..Default::default()
    };
    let n = train.len();
    let source = DatasetSource::new(InMemDataset::new(train), Stack);
    let trained = Trainer::new(&config).run_options(RunOptions::quiet()).fit(
        ConvNet::new,
        &source,
        None,
        &device,
    )?;
    let mut previous = 0.0;
    let mut epoch_s = f64::INFINITY;
    for e in &trained.history.epochs {
        epoch_s = epoch_s.min(e.elapsed_s - previous);
        previous = e.elapsed_s;
    }
    let report = serde_json::json!({
        "n": n, "epochs": epochs, "batch": 64, "real_mnist": real,
        "epoch_s": epoch_s,
        "test_accuracy": accuracy(&trained.model, &test, &device),
    });
    std::fs::write(out.join("ember_convnet.json"), report.to_string())?;
    println!("{report}");
    Ok(())
}
