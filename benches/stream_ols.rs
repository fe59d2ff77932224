//! Least squares on a CSV file larger than memory: 20,000,000 rows × 100 features (+ a target),
//! about 20 GB, streamed into a [`LeastSquaresState`] beside the time it takes only to read the
//! file, with the peak resident memory of each; then the streamed fit of a 1,000,000-row
//! prefix against the in-memory fit of the same rows.
//!
//! `cargo bench -p ember --bench stream_ols [-- OUT_DIR] [--rows=N] [--keep]`: writes
//! `stream_ols.csv` into OUT_DIR (by default the workspace's `target/bench-data`), deletes it at
//! the end unless `--keep`, and writes `ember_stream_ols.json` with the figures.

#[path = "common.rs"]
mod common;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use ember::burn::tensor::Device;
use ember::data::Matrix;
use ember::data::csv::{CsvOptions, stream_csv};
use ember::models::linear::{LeastSquaresState, LinearRegressionConfig, Solver};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;
use rayon::prelude::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const D: usize = 100;
const PREFIX: usize = 1_000_000;
const REPEATS: usize = 2;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let rows = args
        .iter()
        .find_map(|a| a.strip_prefix("--rows="))
        .map_or(Ok(20_000_000), str::parse)
        .context("--rows=N")?;
    let out = common::out_dir()?;
    let path = out.join("stream_ols.csv");
    let start = Instant::now();
    write_table(&path, rows)?;
    let bytes = std::fs::metadata(&path)?.len();
    println!(
        "wrote {} ({:.1} GB, {rows} rows) in {:.0} s",
        path.display(),
        bytes as f64 / 1e9,
        start.elapsed().as_secs_f64()
    );
    let options = CsvOptions::default().target("y");
    let (mut read_s, mut fit_s, mut read_mb, mut fit_mb) = (vec![], vec![], 0f64, 0f64);
    let mut state = None;
    for _ in 0..REPEATS {
        reset_peak()?;
        let t = Instant::now();
        read_only(&path, &options)?;
        read_s.push(t.elapsed().as_secs_f64());
        read_mb = read_mb.max(common::peak_rss_mb()?);
        reset_peak()?;
        let t = Instant::now();
        state = Some(fit(&path, &options)?);
        fit_s.push(t.elapsed().as_secs_f64());
        fit_mb = fit_mb.max(common::peak_rss_mb()?);
    }
    let state = state.context("no fit")?;
    anyhow::ensure!(
        state.n_rows() == rows as u64,
        "fitted {} rows",
        state.n_rows()
    );
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let ratio = best(&fit_s) / best(&read_s);
    println!(
        "read only: {read_s:.1?} s (peak {read_mb:.0} MB); streamed least squares: {fit_s:.1?} s (peak {fit_mb:.0} MB); best fit / best read = {ratio:.3}"
    );
    let prefix_rel = prefix_check(&path, &options)?;
    println!(
        "1,000,000-row prefix: streamed vs in-memory lstsq, max relative difference {prefix_rel:.2e}"
    );
    if !args.iter().any(|a| a == "--keep") {
        std::fs::remove_file(&path)?;
        println!("deleted {}", path.display());
    }
    let json = format!(
        "{{\"rows\": {rows}, \"d\": {D}, \"bytes\": {bytes}, \"read_s\": {read_s:?}, \"fit_s\": {fit_s:?}, \"ratio\": {ratio}, \"read_peak_mb\": {read_mb}, \"fit_peak_mb\": {fit_mb}, \"prefix_max_rel\": {prefix_rel}}}\n"
    );
    std::fs::write(out.join("ember_stream_ols.json"), json)?;
    Ok(())
}

/// Reads every row and touches every value, keeping nothing.
fn read_only(path: &Path, options: &CsvOptions) -> anyhow::Result<f64> {
    let mut sum = 0.0;
    stream_csv::<f64, anyhow::Error>(path, options, |chunk| {
        sum += chunk.x.as_slice().iter().sum::<f64>() + chunk.y.as_slice().iter().sum::<f64>();
        Ok(())
    })?;
    Ok(sum)
}

/// The one-pass least-squares state of the whole file (what `ember train` with
/// `data.streaming` does in its first pass).
fn fit(path: &Path, options: &CsvOptions) -> anyhow::Result<LeastSquaresState> {
    let mut state = LeastSquaresState::new(D, 1, true);
    let mut folding = 0.0;
    stream_csv::<f64, anyhow::Error>(path, options, |chunk| {
        let t = Instant::now();
        state.update(&chunk.x, &chunk.y)?;
        folding += t.elapsed().as_secs_f64();
        Ok(())
    })?;
    println!("  of which folding the chunks in (on the thread that reads): {folding:.2} s");
    Ok(state)
}

/// The first rows of the file, streamed into a state and kept in memory for the in-memory
/// fit: the largest relative difference of their coefficients and intercept.
fn prefix_check(path: &Path, options: &CsvOptions) -> anyhow::Result<f64> {
    let mut state = LeastSquaresState::new(D, 1, true);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let stop = "prefix read";
    let read = stream_csv::<f64, anyhow::Error>(path, options, |chunk| {
        let take = (PREFIX - y.len()).min(chunk.x.n_rows());
        let rows: Vec<usize> = (0..take).collect();
        let (cx, cy) = (chunk.x.select_rows(&rows), chunk.y.select_rows(&rows));
        state.update(&cx, &cy)?;
        x.extend_from_slice(cx.as_slice());
        y.extend_from_slice(cy.as_slice());
        anyhow::ensure!(y.len() < PREFIX, "{stop}");
        Ok(())
    });
    if let Err(e) = read
        && e.to_string() != stop
    {
        return Err(e);
    }
    let n = y.len();
    let device = Device::flex();
    let config = LinearRegressionConfig::new().with_solver(Solver::Lstsq);
    let memory = config.fit(&Matrix::new(n, D, x)?, &Matrix::new(n, 1, y)?, &device)?;
    let streamed = state.fit(&config, &device)?;
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-300);
    let coef = streamed
        .coef()
        .as_slice()
        .iter()
        .zip(memory.coef().as_slice())
        .map(|(a, b)| rel(*a, *b))
        .fold(0.0, f64::max);
    Ok(coef.max(rel(streamed.intercept()[0], memory.intercept()[0])))
}

/// `rows` rows of standard normal features and `y = 2 + Σ (j+1)/D · x_j + N(0, 1)`, each value
/// the shortest decimal of its `f32`; blocks of rows are generated in parallel and written in
/// order, into a temporary file renamed at the end.
fn write_table(path: &Path, rows: usize) -> anyhow::Result<()> {
    let tmp = path.with_extension("csv.tmp");
    let mut file = std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(&tmp)?);
    let header: Vec<String> = (0..D)
        .map(|j| format!("x{j}"))
        .chain(["y".into()])
        .collect();
    writeln!(file, "{}", header.join(","))?;
    const BLOCK: usize = 20_000;
    let blocks = rows.div_ceil(BLOCK);
    for group in (0..blocks).collect::<Vec<_>>().chunks(8) {
        let texts: Vec<Vec<u8>> = group
            .par_iter()
            .map(|&b| block_text(b as u64, BLOCK.min(rows - b * BLOCK)))
            .collect();
        for text in texts {
            file.write_all(&text)?;
        }
    }
    file.flush()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn block_text(block: u64, rows: usize) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(block);
    let mut text = Vec::with_capacity(rows * 1100);
    for _ in 0..rows {
        let mut y = 2.0f32;
        for j in 0..D {
            let v: f32 = rng.sample(StandardNormal);
            y += (j + 1) as f32 / D as f32 * v;
            let _ = write!(text, "{v},");
        }
        let _ = writeln!(text, "{}", y + rng.sample::<f32, _>(StandardNormal));
    }
    text
}

/// Resets the peak resident memory (`VmHWM`) of this process (Linux `clear_refs`).
fn reset_peak() -> anyhow::Result<()> {
    std::fs::write("/proc/self/clear_refs", "5").context("resetting VmHWM")
}
