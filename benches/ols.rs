//! ember's side of the OLS benchmark: 1,000,000 × 100 float32, closed form.
//!
//! Run through `python3 benches/compare.py`, which also times scikit-learn and numpy on the same
//! data and prints the table. On its own: `cargo bench -p ember --bench ols [-- OUT_DIR]`.
//! It writes the data (`X.f32`, `y.f32`, row-major) and `ember.json` (timings, R²) to OUT_DIR,
//! by default the workspace's `target/bench-data` (never inside the source tree).

#[path = "common.rs"]
mod common;

use std::io::Write;
use std::time::Instant;

use ember::data::{Dataset, Matrix};
use ember::prelude::*;
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;

const N: usize = 1_000_000;
const D: usize = 100;
const REPEATS: usize = 3;

fn main() -> anyhow::Result<()> {
    let out = common::out_dir()?;
    let device = DeviceChoice::Flex.device()?;

    // float32 data, as the peers get it: standard normal features, y = X·w + 3 + N(0, 1).
    let mut rng = StdRng::seed_from_u64(2026);
    let x32: Vec<f32> = (0..N * D)
        .map(|_| rng.sample::<f32, _>(StandardNormal))
        .collect();
    let w: Vec<f32> = (0..D).map(|_| rng.random_range(-2.0..2.0)).collect();
    let y32: Vec<f32> = x32
        .chunks_exact(D)
        .map(|row| {
            row.iter().zip(&w).map(|(a, b)| a * b).sum::<f32>()
                + 3.0
                + rng.sample::<f32, _>(StandardNormal)
        })
        .collect();
    write_f32(&out.join("X.f32"), &x32)?;
    write_f32(&out.join("y.f32"), &y32)?;
    let data = Dataset::new(
        Matrix::new(N, D, x32.iter().map(|&v| f64::from(v)).collect())?,
        Matrix::column(y32.iter().map(|&v| f64::from(v)).collect()),
    )?;
    drop(x32);

    let mut seconds = Vec::new();
    let mut r2 = 0.0;
    let mut solver = Solver::Auto;
    for _ in 0..REPEATS {
        let start = Instant::now();
        let model = LinearRegressionConfig::new().fit_dataset(&data, &device)?;
        seconds.push(start.elapsed().as_secs_f64());
        r2 = model.score(data.x(), data.y())?;
        solver = model.solver();
    }
    let best = seconds.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "ember LinearRegression ({solver:?}, flex): best of {REPEATS}: {best:.3} s, R² {r2:.12}"
    );
    let json = format!(
        "{{\"n\": {N}, \"d\": {D}, \"seconds\": {best}, \"all_seconds\": {seconds:?}, \"r2\": {r2}, \"solver\": \"{solver:?}\"}}\n"
    );
    std::fs::write(out.join("ember.json"), json)?;
    Ok(())
}

fn write_f32(path: &std::path::Path, values: &[f32]) -> anyhow::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for v in values {
        file.write_all(&v.to_le_bytes())?;
    }
    file.flush()?;
    Ok(())
}
