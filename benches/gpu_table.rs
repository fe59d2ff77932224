//! The table of `scripts/gpu_check.sh`: ember on one device — MLP 784→256→128→10 training
//! samples/s at batch 128 and 1,024 through ember's loop, OLS through the device Gram path
//! (`Solver::NormalEquations`), and Predictor throughput at batch 1,024. Shared by the
//! `gpu_check` benchmark (full sizes on a GPU) and a test that runs it small on whatever
//! adapter wgpu finds (Mesa's lavapipe in CI), so the script's table is tested.

use std::time::Instant;

#[path = "serving_model.rs"]
mod serving_model;

use burn::tensor::Device;
use ember::data::{Dataset, Matrix};
use ember::models::linear::{LinearRegressionConfig, Solver};
use ember::models::mlp::MlpConfig;
use ember::predictor::{Predictor, RowMajor};
use ember::train::{Objective, RunOptions, TrainConfig, train};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;

const D: usize = 784;
const CLASSES: usize = 10;
const OLS_D: usize = 100;

/// How big each case is.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Training rows of the MLP (one epoch each, the fastest of `epochs` kept).
    pub mlp_rows: usize,
    /// Epochs of the MLP; the first two pay for compiling kernels (on lavapipe at batch 1,024
    /// the second epoch still takes 10 s, the third 0.1 s), the fastest is kept.
    pub epochs: usize,
    /// Rows of the OLS design (`× 100`).
    pub ols_rows: usize,
    /// Predictor calls of 1,024 rows.
    pub predict_calls: usize,
}

impl Sizes {
    /// The sizes: 60,000 training rows, OLS 1,000,000 × 100.
    #[allow(dead_code)] // the test runs the small sizes only
    pub const FULL: Self = Self {
        mlp_rows: 60_000,
        epochs: 3,
        ols_rows: 1_000_000,
        predict_calls: 50,
    };
    /// Small enough for a software rasteriser in CI.
    pub const SMALL: Self = Self {
        mlp_rows: 1_024,
        epochs: 3,
        ols_rows: 4_096,
        predict_calls: 1,
    };
}

/// One line of the table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    /// What was run.
    pub case: String,
    /// The figure.
    pub value: f64,
    /// Its unit.
    pub unit: &'static str,
    /// A check of the result (final loss, R²).
    pub check: String,
}

/// Every case of the table on `device`.
pub fn table(device: &Device, sizes: Sizes) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for batch in [128, 1024] {
        rows.push(mlp(device, sizes, batch)?);
    }
    rows.push(ols(device, sizes.ols_rows)?.0);
    rows.push(predictor(device, sizes.predict_calls)?);
    Ok(rows)
}

/// MLP training samples/s at `batch` (the fastest epoch).
fn mlp(device: &Device, sizes: Sizes, batch: usize) -> anyhow::Result<Row> {
    let n = sizes.mlp_rows;
    let mut rng = StdRng::seed_from_u64(0);
    let x: Vec<f32> = (0..n * D).map(|_| rng.random::<f32>()).collect();
    let y: Vec<f32> = (0..n)
        .map(|_| rng.random_range(0..CLASSES) as f32)
        .collect();
    let data = Dataset::new(Matrix::new(n, D, x)?, Matrix::new(n, 1, y)?)?;
    let shape = MlpConfig::new(D, vec![256, 128], CLASSES);
    let config = TrainConfig {
        epochs: sizes.epochs,
        batch_size: batch,
        learning_rate: 1e-3,
        ..Default::default()
    };
    let trained = train(
        |d| shape.init(d),
        Objective::CrossEntropy { n_classes: CLASSES },
        &data,
        None,
        &config,
        &RunOptions::quiet(),
        device,
    )?;
    let epochs = &trained.history.epochs;
    let best = epochs.iter().map(|e| e.samples_per_s).fold(0.0, f64::max);
    let loss = epochs.last().map_or(f64::NAN, |e| e.train["loss"]);
    Ok(Row {
        case: format!("MLP 784-256-128-10 Adam, batch {batch}, {n} rows"),
        value: best,
        unit: "samples/s",
        check: format!("final loss {loss:.4}"),
    })
}

/// OLS `n × 100` through the device Gram path: its best time of three and R².
pub fn ols(device: &Device, n: usize) -> anyhow::Result<(Row, f64)> {
    let mut rng = StdRng::seed_from_u64(2026);
    let x: Vec<f64> = (0..n * OLS_D)
        .map(|_| f64::from(rng.sample::<f32, _>(StandardNormal)))
        .collect();
    let w: Vec<f64> = (0..OLS_D).map(|_| rng.random_range(-2.0..2.0)).collect();
    let y: Vec<f64> = x
        .chunks_exact(OLS_D)
        .map(|r| {
            r.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()
                + 3.0
                + f64::from(rng.sample::<f32, _>(StandardNormal))
        })
        .collect();
    let (x, y) = (Matrix::new(n, OLS_D, x)?, Matrix::column(y));
    let config = LinearRegressionConfig::new().with_solver(Solver::NormalEquations);
    let mut best = f64::INFINITY;
    let mut r2 = f64::NAN;
    for _ in 0..3 {
        let start = Instant::now();
        let model = config.fit(&x, &y, device)?;
        best = best.min(start.elapsed().as_secs_f64());
        r2 = model.score(&x, &y)?;
    }
    let row = Row {
        case: format!("OLS {n} x {OLS_D}, device Gram (normal equations), best of 3"),
        value: best * 1e3,
        unit: "ms",
        check: format!("R2 {r2:.12}"),
    };
    Ok((row, r2))
}

/// Predictor class probabilities for batches of 1,024 rows: rows/s over `calls` calls after
/// one warm-up call.
fn predictor(device: &Device, calls: usize) -> anyhow::Result<Row> {
    const BATCH: usize = 1024;
    let file = serving_model::mlp_784_file(device)?;
    let predictor = Predictor::from_bytes_on(&file.to_bytes()?, device)?;
    let mut rng = StdRng::seed_from_u64(1);
    let x: Vec<f32> = (0..BATCH * D).map(|_| rng.random::<f32>()).collect();
    let rows = RowMajor::new(&x, D);
    let first = predictor.predict_proba(&rows)?;
    let start = Instant::now();
    for _ in 0..calls {
        predictor.predict_proba(&rows)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let row_sum: f32 = first[..CLASSES].iter().sum();
    Ok(Row {
        case: format!("Predictor, batch {BATCH}, {calls} calls"),
        value: (calls * BATCH) as f64 / seconds,
        unit: "rows/s",
        check: format!("first row's probabilities sum to {row_sum:.6}"),
    })
}

/// The table as text, one line a case.
pub fn render(device: &str, rows: &[Row]) -> String {
    let mut text = format!("ember on {device}\n");
    for r in rows {
        text.push_str(&format!(
            "  {:<60} {:>14.1} {:<10} {}\n",
            r.case, r.value, r.unit, r.check
        ));
    }
    text
}
