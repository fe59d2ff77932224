//! Your own burn module through ember's loop: a small ConvNet (two convolutions, max pooling,
//! dropout, two linear layers) on MNIST as 4-D image tensors `[batch, 1, 28, 28]`, with burn's
//! own `InMemDataset` + a `Batcher`, validation after every epoch, early stopping on the
//! validation accuracy (restoring the best weights), and a run directory with checkpoints,
//! `metrics.jsonl` and the loss curve. A run killed part-way continues where it stopped when
//! started again (`--fresh` starts over), to the same weights.
//!
//! ```text
//! cargo run --release --example convnet -- --bundled          # the bundled 1,000 test images
//! scripts/fetch_mnist.sh && cargo run --release --example convnet   # full MNIST, 60,000 + 10,000
//! cargo run --release --example convnet -- --device wgpu      # on the GPU
//! ```

// glibc malloc hands every large tensor buffer back to the OS and faults it in again on the
// next allocation; mimalloc keeps them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use ember::burn::data::dataloader::batcher::Batcher;
use ember::burn::data::dataset::InMemDataset;
use ember::burn::module::{Module, ModuleVisitor, Param};
use ember::burn::nn::conv::{Conv2d, Conv2dConfig};
use ember::burn::nn::loss::CrossEntropyLossConfig;
use ember::burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use ember::burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use ember::burn::tensor::activation::relu;
use ember::burn::tensor::{Int, TensorData};
use ember::data::idx::mnist_in;
use ember::prelude::*;
use ember::train::{
    BatchTargets, Classification, DatasetSource, EarlyStopping, RunOptions, StepOutput,
    TrainConfig, TrainError, TrainStep, Trainer,
};

/// One image and its digit: the item type of the data set.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    pub pixels: Vec<f32>,
    pub digit: i64,
}

/// A batch of images `[n, 1, 28, 28]` and their digits.
pub(crate) struct Digits {
    images: Tensor<4>,
    digits: Tensor<1, Int>,
}

/// Stacks images into one 4-D tensor.
pub(crate) struct Stack;

impl Batcher<Image, Digits> for Stack {
    fn batch(&self, items: Vec<Image>, device: &Device) -> Digits {
        let n = items.len();
        let pixels = items
            .iter()
            .flat_map(|i| i.pixels.iter().copied())
            .collect();
        let digits = items.iter().map(|i| i.digit).collect();
        Digits {
            images: Tensor::from_data(TensorData::new(pixels, [n, 1, 28, 28]), device),
            digits: Tensor::from_data(TensorData::new(digits, [n]), device),
        }
    }
}

/// 28×28 → conv 3×3 (8) → pool → conv 3×3 (16) → pool → 400 → 64 → 10 logits.
#[derive(Module, Debug)]
pub(crate) struct ConvNet {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    dropout: Dropout,
    hidden: Linear,
    out: Linear,
}

impl ConvNet {
    pub(crate) fn new(device: &Device) -> Self {
        Self {
            conv1: Conv2dConfig::new([1, 8], [3, 3]).init(device),
            conv2: Conv2dConfig::new([8, 16], [3, 3]).init(device),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            dropout: DropoutConfig::new(0.25).init(),
            hidden: LinearConfig::new(16 * 5 * 5, 64).init(device),
            out: LinearConfig::new(64, 10).init(device),
        }
    }

    pub(crate) fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let x = self.pool.forward(relu(self.conv1.forward(images)));
        let x = self.pool.forward(relu(self.conv2.forward(x)));
        let x = self.dropout.forward(x.flatten::<2>(1, 3));
        self.out.forward(relu(self.hidden.forward(x)))
    }
}

impl TrainStep<Digits> for ConvNet {
    fn step(&self, batch: Digits) -> Result<StepOutput, TrainError> {
        let logits = self.forward(batch.images);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.digits.clone());
        Ok(StepOutput::new(loss).with_outputs(logits, BatchTargets::Classes(batch.digits)))
    }
}

/// Train a ConvNet on MNIST with ember's loop.
#[derive(Parser)]
struct Args {
    /// Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
    /// t10k-labels-idx1-ubyte (each possibly ending in .gz).
    #[arg(long, default_value = "data/mnist")]
    data: PathBuf,
    /// Use the bundled 1,000 MNIST test images instead (800 to train, 200 to validate).
    #[arg(long)]
    bundled: bool,
    /// Backend: auto, flex, ndarray or wgpu.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Folder for the run (checkpoints, metrics.jsonl, loss curve, weights).
    #[arg(long, default_value = "out/convnet")]
    out: PathBuf,
    /// Epochs (an upper bound: early stopping may end the run sooner).
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Samples per batch.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Seed of the initialisation, the shuffling and dropout.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Start over instead of resuming from the newest checkpoint.
    #[arg(long)]
    fresh: bool,
}

pub(crate) fn images(data: &Dataset<f32>) -> Vec<Image> {
    let d = data.x().n_cols();
    data.x()
        .as_slice()
        .chunks(d)
        .zip(data.y().as_slice())
        .map(|(pixels, &digit)| Image {
            pixels: pixels.to_vec(),
            digit: digit as i64,
        })
        .collect()
}

/// Training and validation images.
fn load(args: &Args) -> anyhow::Result<(Vec<Image>, Vec<Image>)> {
    if args.bundled {
        let all = images(&ember::data::load("mnist_1000")?.cast::<f32>());
        let (train, valid) = all.split_at(800);
        return Ok((train.to_vec(), valid.to_vec()));
    }
    let read = |set| -> anyhow::Result<Vec<Image>> {
        let data = mnist_in::<f32>(&args.data, set)
            .context("pass --bundled for the 1,000 bundled images")?;
        Ok(images(&data))
    };
    Ok((read("train")?, read("t10k")?))
}

/// The fraction of `images` whose most likely digit is theirs (`model` without autodiff).
pub(crate) fn accuracy(model: &ConvNet, images: &[Image], device: &Device) -> f64 {
    let mut right = 0;
    for chunk in images.chunks(500) {
        let batch = Stack.batch(chunk.to_vec(), device);
        let predicted = model.forward(batch.images).argmax(1).flatten::<1>(0, 1);
        let same = predicted
            .equal(batch.digits)
            .int()
            .sum()
            .into_scalar::<i64>();
        right += same as usize;
    }
    right as f64 / images.len().max(1) as f64
}

/// FNV-1a over the bits of every parameter, in the module's order: equal digests, equal
/// weights (the resume test compares them).
#[derive(Default)]
struct Digest(u64);

impl ModuleVisitor for Digest {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let values = param.val().into_data().convert::<f32>();
        for v in values.iter::<f32>() {
            self.0 = (self.0 ^ u64::from(v.to_bits())).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let device = args.device.device()?;
    let (train, valid) = load(&args)?;
    println!(
        "MNIST: {} training and {} validation images as [n, 1, 28, 28]; device {device:?}",
        train.len(),
        valid.len()
    );
    let valid_images = valid.clone();
    let train = DatasetSource::new(InMemDataset::new(train), Stack);
    let valid = DatasetSource::new(InMemDataset::new(valid), Stack);
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        learning_rate: 1e-3,
        early_stopping: Some(EarlyStopping {
            metric: "valid_accuracy".into(),
            patience: 3,
            ..Default::default()
        }),
        seed: args.seed,
        ..Default::default()
    };
    let run = RunOptions {
        run_dir: Some(args.out.clone()),
        resume: !args.fresh,
        ..RunOptions::default()
    };
    let trained = Trainer::new(&config)
        .run_options(run)
        .metric(Classification::accuracy(10))
        .eval_batch_size(500)
        .fit(ConvNet::new, &train, Some(&valid), &device)?;
    let epochs = trained.history.epochs.len();
    let best = accuracy(&trained.model, &valid_images, &device);
    let mut digest = Digest(0xcbf2_9ce4_8422_2325);
    trained.model.visit(&mut digest);
    println!(
        "\nvalidation accuracy {best:.4} at epoch {} of {epochs}{}; {:.2} s per epoch",
        trained.epoch,
        if trained.stopped_early {
            " (stopped early)"
        } else {
            ""
        },
        trained.history.last().map_or(0.0, |e| e.elapsed_s) / epochs.max(1) as f64
    );
    println!("weights fnv1a {:016x}", digest.0);
    println!("run directory: {}", args.out.display());
    Ok(())
}
