//! One epoch of linear regression by mini-batch SGD (batch 256, learning rate 0.01) on
//! 1,000,000 × 100 float32 through ember's training loop (`ember_train::train` on a burn
//! `Linear`), timed: the epoch, and the whole `train` call (the data copied in and hashed for
//! the resume fingerprint, the model made, the epoch); `python3 benches/compare.py linear_gd` runs it beside PyTorch's
//! `nn.Linear` loop and scikit-learn's `SGDRegressor` on the same data.

// glibc malloc hands every large tensor buffer back to the OS and faults it in again on the
// next allocation; mimalloc keeps them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common.rs"]
mod common;

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};
use ember::data::{Dataset, Matrix};
use ember::train::{Objective, OptimizerConfig, RunOptions, TrainConfig, Trainable, train};
use rand::{Rng, SeedableRng, rngs::StdRng};

const N: usize = 1_000_000;
const D: usize = 100;
const BATCH: usize = 256;
const LEARNING_RATE: f64 = 0.01;

/// `y = x·w + b`, from zero.
#[derive(Module, Debug)]
struct Affine {
    linear: Linear,
}

impl Trainable for Affine {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.linear.forward(x)
    }
}

fn main() -> anyhow::Result<()> {
    let out = common::out_dir()?;
    let mut rng = StdRng::seed_from_u64(0);
    let w: Vec<f32> = (0..D).map(|_| rng.random_range(-1.0..1.0f32)).collect();
    let x: Vec<f32> = (0..N * D).map(|_| rng.random_range(-1.0..1.0f32)).collect();
    let y: Vec<f32> = x
        .chunks(D)
        .map(|r| {
            0.5 + r.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>()
                + 0.1 * (rng.random::<f32>() - 0.5)
        })
        .collect();
    let bytes = |v: &[f32]| v.iter().flat_map(|f| f.to_le_bytes()).collect::<Vec<u8>>();
    std::fs::write(out.join("linear_gd_X.f32"), bytes(&x))?;
    std::fs::write(out.join("linear_gd_y.f32"), bytes(&y))?;
    let data = Dataset::new(Matrix::new(N, D, x)?, Matrix::new(N, 1, y)?)?;
    let config = TrainConfig {
        epochs: 1,
        batch_size: BATCH,
        learning_rate: LEARNING_RATE,
        optimizer: OptimizerConfig::sgd(0.0),
        ..Default::default()
    };
    let device = Device::flex();
    let call = std::time::Instant::now();
    let trained = train(
        |d| Affine {
            linear: LinearConfig::new(D, 1)
                .with_initializer(Initializer::Zeros)
                .init(d),
        },
        Objective::MeanSquaredError { n_outputs: 1 },
        &data,
        None,
        &config,
        &RunOptions::quiet(),
        &device,
    )?;
    let call_s = call.elapsed().as_secs_f64();
    let epoch = trained
        .history
        .last()
        .ok_or_else(|| anyhow::anyhow!("no epoch"))?;
    let report = serde_json::json!({
        "n": N, "d": D, "batch": BATCH, "learning_rate": LEARNING_RATE,
        "epoch_s": epoch.elapsed_s,
        "call_s": call_s,
        "samples_per_s": epoch.samples_per_s,
        "train_mse": epoch.train["loss"],
    });
    std::fs::write(out.join("ember_linear_gd.json"), report.to_string())?;
    println!("{report}");
    Ok(())
}
