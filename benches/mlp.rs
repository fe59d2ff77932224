//! Three epochs of an MLP 784→256→128→10 (ReLU, Adam, batches of 128, cross-entropy) on
//! 60,000 × 784 float32, each epoch timed, three ways on the CPU backend: ember's training loop
//! (`ember_train::train`, with its per-batch loss read-back and per-epoch scoring, the rows of a
//! batch gathered from one buffer), the same loop fed by burn's `InMemDataset` + a `Batcher`
//! (one `Vec` per sample, what any user type goes through), and a bare burn loop (forward,
//! backward, burn's own Adam step, nothing else), to show what the loop and each data path
//! cost. The bare loop's later epochs also show what ember's Adam avoids: moments decaying
//! through subnormal floats (`crates/ember-train/src/subnormal.rs`).
//! `python3 benches/compare.py mlp` runs it beside PyTorch on the same data.

// glibc malloc hands every large tensor buffer back to the OS and faults it in again on the
// next allocation; mimalloc keeps them (2.8x faster epochs here).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common.rs"]
mod common;

use std::time::Instant;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};
use ember::data::{Dataset, Matrix};
use ember::models::mlp::MlpConfig;
use ember::train::{
    BatchTargets, DatasetSource, History, MatrixBatch, Objective, RunOptions, TrainConfig, Trainer,
    train,
};
use rand::{Rng, SeedableRng, rngs::StdRng};

const N: usize = 60_000;
const D: usize = 784;
const BATCH: usize = 128;
const EPOCHS: usize = 3;

/// Rows of pixels and their class, stacked into ember's matrix batches.
struct Rows;

impl Batcher<(Vec<f32>, i64), MatrixBatch> for Rows {
    fn batch(&self, items: Vec<(Vec<f32>, i64)>, device: &Device) -> MatrixBatch {
        let n = items.len();
        let classes = items.iter().map(|r| r.1).collect();
        let x = items.into_iter().flat_map(|r| r.0).collect();
        MatrixBatch {
            x: Tensor::from_data(TensorData::new(x, [n, D]), device),
            targets: BatchTargets::Classes(Tensor::from_data(
                TensorData::new(classes, [n]),
                device,
            )),
            objective: Objective::CrossEntropy { n_classes: 10 },
        }
    }
}

/// Each epoch's seconds, from the history's running clock.
fn epoch_times(history: &History) -> Vec<f64> {
    let mut previous = 0.0;
    history
        .epochs
        .iter()
        .map(|e| {
            let took = e.elapsed_s - previous;
            previous = e.elapsed_s;
            took
        })
        .collect()
}

/// A bare burn loop on the same model, data and batches (forward, backward, burn's own Adam step):
/// each epoch's seconds.
fn bare_loop(shape: &MlpConfig, x: &[f32], labels: &[u8], device: &Device) -> Vec<f64> {
    let ad = device.clone().autodiff();
    ad.seed(0);
    let mut model = shape.init(&ad);
    let mut optimizer = AdamConfig::new().with_epsilon(1e-8).init();
    let targets: Vec<i64> = labels.iter().map(|&c| i64::from(c)).collect();
    let mut epochs = Vec::with_capacity(EPOCHS);
    for _ in 0..EPOCHS {
        let start = Instant::now();
        let mut last = None;
        for b in 0..N.div_ceil(BATCH) {
            let rows = BATCH.min(N - b * BATCH);
            let xb = x[b * BATCH * D..(b * BATCH + rows) * D].to_vec();
            let xb = Tensor::<2>::from_data(TensorData::new(xb, [rows, D]), &ad);
            let yb = targets[b * BATCH..b * BATCH + rows].to_vec();
            let yb = Tensor::<1, Int>::from_data(TensorData::new(yb, [rows]), &ad);
            let logits = model.forward(xb);
            let loss = log_softmax(logits, 1)
                .gather(1, yb.unsqueeze_dim::<2>(1))
                .mean()
                .neg();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(1e-3, model, grads);
            last = Some(loss);
        }
        // One read at the end, so that every queued operation has run.
        let _ = last.map(|l| l.into_scalar::<f32>());
        epochs.push(start.elapsed().as_secs_f64());
    }
    epochs
}

fn main() -> anyhow::Result<()> {
    let out = common::out_dir()?;
    let mut rng = StdRng::seed_from_u64(0);
    let x: Vec<f32> = (0..N * D).map(|_| rng.random::<f32>()).collect();
    let labels: Vec<u8> = (0..N).map(|_| rng.random_range(0..10u8)).collect();
    std::fs::write(
        out.join("mlp_X.f32"),
        x.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>(),
    )?;
    std::fs::write(out.join("mlp_y.u8"), &labels)?;
    let device = Device::flex();
    let shape = MlpConfig::new(D, vec![256, 128], 10);

    // ember's loop.
    let y = Matrix::new(N, 1, labels.iter().map(|&c| f32::from(c)).collect())?;
    let data = Dataset::new(Matrix::new(N, D, x.clone())?, y)?;
    let config = TrainConfig {
        epochs: EPOCHS,
        batch_size: BATCH,
        learning_rate: 1e-3,
        ..Default::default()
    };
    let trained = train(
        |d| shape.init(d),
        Objective::CrossEntropy { n_classes: 10 },
        &data,
        None,
        &config,
        &RunOptions::quiet(),
        &device,
    )?;
    let ember_epochs = epoch_times(&trained.history);

    // The same loop through burn's per-sample path: an InMemDataset of rows and a Batcher.
    let rows: Vec<(Vec<f32>, i64)> = x
        .chunks(D)
        .zip(&labels)
        .map(|(r, &c)| (r.to_vec(), i64::from(c)))
        .collect();
    let source = DatasetSource::new(InMemDataset::new(rows), Rows);
    let per_sample = Trainer::new(&config).run_options(RunOptions::quiet()).fit(
        |d| shape.init(d),
        &source,
        None,
        &device,
    )?;
    let dataset_epochs = epoch_times(&per_sample.history);

    let bare_epochs = bare_loop(&shape, &x, &labels, &device);

    let report = serde_json::json!({
        "n": N, "d": D, "batch": BATCH, "epochs": EPOCHS,
        "ember_epochs_s": ember_epochs,
        "bare_epochs_s": bare_epochs,
        "dataset_epochs_s": dataset_epochs,
        "final_loss": trained.history.last().map(|e| e.train["loss"]),
    });
    std::fs::write(out.join("ember_mlp.json"), report.to_string())?;
    println!("{report}");
    Ok(())
}
