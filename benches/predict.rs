//! Serving predictions from a model file: an MLP 784→256→128→10 loaded through
//! `Predictor::from_bytes`, class probabilities for one row at a time (latency) and for
//! batches of 1,024 rows (throughput), on the CPU backend. The weights are also written as
//! safetensors, which `python3 benches/compare.py predict` loads into PyTorch to time the
//! same network and check that both give the same probabilities.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common.rs"]
mod common;
#[path = "serving_model.rs"]
mod serving_model;

use std::time::Instant;

use burn::tensor::{Device, Tensor, TensorData};
use ember::models::FittedModel;
use ember::predictor::{Predictor, RowMajor};
use rand::{Rng, SeedableRng, rngs::StdRng};

const D: usize = 784;
const BATCH: usize = 1024;
const SINGLE_CALLS: usize = 20_000;
const BATCH_CALLS: usize = 100;

fn main() -> anyhow::Result<()> {
    let out = common::out_dir()?;
    let device = Device::flex();
    let file = serving_model::mlp_784_file(&device)?;
    std::fs::write(
        out.join("predict_model.safetensors"),
        file.to_safetensors()?,
    )?;
    let bytes = file.to_bytes()?;

    let start = Instant::now();
    let predictor = Predictor::from_bytes(&bytes)?;
    let load_s = start.elapsed().as_secs_f64();

    let mut rng = StdRng::seed_from_u64(1);
    let x: Vec<f32> = (0..BATCH * D).map(|_| rng.random::<f32>()).collect();
    std::fs::write(
        out.join("predict_X.f32"),
        x.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>(),
    )?;
    let batch = RowMajor::new(&x, D);
    let proba = predictor.predict_proba(&batch)?;
    std::fs::write(
        out.join("predict_proba.f32"),
        proba
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>(),
    )?;

    // One row at a time: the median call, after a warm-up.
    let mut single = Vec::with_capacity(SINGLE_CALLS);
    for i in 0..SINGLE_CALLS + 1000 {
        let row = RowMajor::row(&x[(i % BATCH) * D..(i % BATCH + 1) * D]);
        let start = Instant::now();
        let p = predictor.predict_proba(&row)?;
        let took = start.elapsed().as_secs_f64();
        std::hint::black_box(p);
        if i >= 1000 {
            single.push(took);
        }
    }
    single.sort_by(f64::total_cmp);
    let median_us = single[single.len() / 2] * 1e6;

    // Batches of 1,024: the best of several rounds of calls.
    for _ in 0..5 {
        std::hint::black_box(predictor.predict_proba(&batch)?);
    }
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..BATCH_CALLS / 5 {
            std::hint::black_box(predictor.predict_proba(&batch)?);
        }
        best = best.min(start.elapsed().as_secs_f64() / (BATCH_CALLS / 5) as f64);
    }
    let rows_per_s = BATCH as f64 / best;

    // What the predictor adds: burn's forward alone on a tensor already on the device.
    let FittedModel::MlpClassifier(mlp) = &predictor.model_file().model else {
        anyhow::bail!("the benchmark model is an MLP classifier")
    };
    let input = Tensor::<2>::from_data(TensorData::new(x.clone(), [BATCH, D]), &device);
    let one = Tensor::<2>::from_data(TensorData::new(x[..D].to_vec(), [1, D]), &device);
    let mut bare_batch = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..BATCH_CALLS / 5 {
            std::hint::black_box(mlp.module().forward(input.clone()).into_data());
        }
        bare_batch = bare_batch.min(start.elapsed().as_secs_f64() / (BATCH_CALLS / 5) as f64);
    }
    let mut bare_single = Vec::with_capacity(SINGLE_CALLS);
    for i in 0..SINGLE_CALLS + 1000 {
        let start = Instant::now();
        std::hint::black_box(mlp.module().forward(one.clone()).into_data());
        if i >= 1000 {
            bare_single.push(start.elapsed().as_secs_f64());
        }
    }
    bare_single.sort_by(f64::total_cmp);
    let report = serde_json::json!({
        "load_s": load_s,
        "single_median_us": median_us,
        "batch_ms": best * 1e3,
        "batch_rows_per_s": rows_per_s,
        "bare_forward_single_median_us": bare_single[bare_single.len() / 2] * 1e6,
        "bare_forward_batch_ms": bare_batch * 1e3,
    });
    println!("{report}");
    std::fs::write(out.join("ember_predict.json"), report.to_string())?;
    Ok(())
}
