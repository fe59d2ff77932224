//! The MLP of `benches/mlp.rs` (784→256→128→10, ReLU, Adam, batches of 128, cross-entropy) on
//! 60,000 × 784 float32, one epoch trained from memory (`ember_train::train`) and one from a
//! row file on disk (`FileData` + `train_on`, the file in the page cache), in turn, three
//! times: the cost of reading each batch's rows by position instead of from a buffer.
//! `python3 benches/compare.py mlp_file` prints samples/s of both and their ratio.
//!
//! With `--rss-gb=G` it measures memory instead: it writes a row file of about G GB of
//! generated rows (784 features, 10 classes) straight through `RowFileWriter`, trains on it
//! (one epoch, or `--max-batches=B` batches of rows drawn from the whole file), prints the
//! timings, and deletes the file; run it under `/usr/bin/time -v` for the peak resident set.

// As in benches/mlp.rs: glibc malloc hands large buffers back to the OS on every batch.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common.rs"]
mod common;

use std::path::Path;
use std::time::Instant;

use burn::tensor::Device;
use ember::data::rowfile::{RowFile, RowFileWriter, RowMeta};
use ember::models::mlp::MlpConfig;
use ember::train::{
    BatchSource, FileData, History, MatrixBatch, Objective, RunOptions, TrainConfig, TrainError,
    train, train_on,
};
use rand::{Rng, SeedableRng, rngs::StdRng};

const N: usize = 60_000;
const D: usize = 784;
const BATCH: usize = 128;
const ROUNDS: usize = 3;
const OBJECTIVE: Objective = Objective::CrossEntropy { n_classes: 10 };

/// The second epoch of a two-epoch run (seconds): a steady epoch, without the run's set-up.
fn second_epoch(history: &History) -> f64 {
    history.epochs[1].elapsed_s - history.epochs[0].elapsed_s
}

fn config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: BATCH,
        learning_rate: 1e-3,
        ..Default::default()
    }
}

/// `rows` rows of generated pixels and classes written to `path` a block at a time.
fn write_rows(path: &Path, rows: usize, rng: &mut StdRng) -> anyhow::Result<RowFile> {
    let mut writer = RowFileWriter::create(path, D, 1)?;
    let block = 16_384;
    let mut x = Vec::with_capacity(block * D);
    let mut y = Vec::with_capacity(block);
    let mut done = 0;
    while done < rows {
        let n = block.min(rows - done);
        x.clear();
        y.clear();
        x.extend((0..n * D).map(|_| rng.random::<f32>()));
        y.extend((0..n).map(|_| f32::from(rng.random_range(0..10u8))));
        writer.push(&x, &y)?;
        done += n;
    }
    let classes = (0..10).map(|c| c.to_string()).collect();
    Ok(writer.finish(RowMeta {
        classes: Some(classes),
        ..RowMeta::default()
    })?)
}

/// Some rows of a source, spread over all of it (a capped epoch that still reads the whole
/// file's range).
struct Spread<'a> {
    source: &'a dyn BatchSource<MatrixBatch>,
    rows: usize,
}

impl BatchSource<MatrixBatch> for Spread<'_> {
    fn len(&self) -> usize {
        self.rows
    }

    fn batch(&self, rows: &[usize], device: &Device) -> Result<MatrixBatch, TrainError> {
        let stride = self.source.len() / self.rows;
        let mapped: Vec<usize> = rows.iter().map(|&r| r * stride).collect();
        self.source.batch(&mapped, device)
    }
}

/// Trains from a row file of about `gb` GB; its timings as JSON.
fn rss_run(out: &Path, gb: f64, max_batches: usize) -> anyhow::Result<serde_json::Value> {
    let rows = (gb * 1e9 / (4.0 * (D + 1) as f64)) as usize;
    let path = out.join("mlp_file_rss.rows");
    let start = Instant::now();
    let file = write_rows(&path, rows, &mut StdRng::seed_from_u64(1))?;
    let write_s = start.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path)?.len();
    let result = (|| -> anyhow::Result<serde_json::Value> {
        let source = FileData::new(OBJECTIVE, &file)?;
        let capped = Spread {
            source: &source,
            rows: (max_batches * BATCH).min(rows),
        };
        let train_source: &dyn BatchSource<MatrixBatch> =
            if max_batches == 0 { &source } else { &capped };
        let shape = MlpConfig::new(D, vec![256, 128], 10);
        let start = Instant::now();
        let trained = train_on(
            |d| shape.init(d),
            OBJECTIVE,
            train_source,
            None,
            &config(1),
            &RunOptions::quiet(),
            &Device::flex(),
        )?;
        let train_s = start.elapsed().as_secs_f64();
        Ok(serde_json::json!({
            "file_bytes": bytes, "rows": rows, "write_s": write_s,
            "trained_rows": train_source.len(), "train_s": train_s,
            "samples_per_s": train_source.len() as f64 / train_s,
            "final_loss": trained.history.last().map(|e| e.train["loss"]),
        }))
    })();
    drop(file);
    std::fs::remove_file(&path)?;
    result
}

fn main() -> anyhow::Result<()> {
    let out = common::out_dir()?;
    let flag = |name: &str| std::env::args().find_map(|a| a.strip_prefix(name).map(str::to_string));
    if let Some(gb) = flag("--rss-gb=") {
        let max_batches = flag("--max-batches=").map_or(Ok(0), |b| b.parse())?;
        let report = rss_run(&out, gb.parse()?, max_batches)?;
        println!("{report}");
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(0);
    let path = out.join("mlp_file.rows");
    let file = write_rows(&path, N, &mut rng)?;
    let data = file.to_dataset()?; // the same rows in memory (and the file now in the page cache)
    let shape = MlpConfig::new(D, vec![256, 128], 10);
    let device = Device::flex();
    let source = FileData::new(OBJECTIVE, &file)?;
    let (mut memory, mut from_file) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let run = RunOptions::quiet();
        let trained = train(
            |d| shape.init(d),
            OBJECTIVE,
            &data,
            None,
            &config(2),
            &run,
            &device,
        )?;
        memory.push(second_epoch(&trained.history));
        let trained = train_on(
            |d| shape.init(d),
            OBJECTIVE,
            &source,
            None,
            &config(2),
            &run,
            &device,
        )?;
        from_file.push(second_epoch(&trained.history));
    }
    let report = serde_json::json!({
        "n": N, "d": D, "batch": BATCH, "rounds": ROUNDS,
        "memory_epoch_s": memory, "file_epoch_s": from_file,
        "file_bytes": std::fs::metadata(&path)?.len(),
    });
    drop(source);
    drop(file);
    std::fs::remove_file(&path)?;
    std::fs::write(out.join("ember_mlp_file.json"), report.to_string())?;
    println!("{report}");
    Ok(())
}
