//! ember's side of the CSV benchmark: reading 1,000,000 rows × 100 feature columns (+ a target)
//! of CSV into an `f32` data set.
//!
//! Run through `python3 benches/compare.py csv`, which also times `pandas.read_csv` on the same
//! file and prints the table. On its own: `cargo bench -p ember --bench csv [-- OUT_DIR]`.
//! It writes the file (`table.csv`, ~1.1 GB, once) and `ember_csv.json` (timings, peak memory) to
//! OUT_DIR, by default the workspace's `target/bench-data` (never inside the source tree).

#[path = "common.rs"]
mod common;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use ember::data::csv::{CsvOptions, read_csv};
use rand::{Rng, SeedableRng, rngs::StdRng};
use rand_distr::StandardNormal;

const N: usize = 1_000_000;
const D: usize = 100;
const REPEATS: usize = 3;

fn main() -> anyhow::Result<()> {
    let out = common::out_dir()?;
    let path = out.join("table.csv");
    if !path.exists() {
        write_table(&path)?;
    }
    let bytes = std::fs::metadata(&path)?.len();
    let options = CsvOptions::default().target("y");

    let mut seconds = Vec::new();
    let mut peak_mb = 0.0;
    for run in 0..REPEATS {
        let start = Instant::now();
        let data = read_csv::<f32>(&path, &options)?;
        seconds.push(start.elapsed().as_secs_f64());
        anyhow::ensure!(data.x().shape() == (N, D), "read {:?}", data.x().shape());
        if run == 0 {
            peak_mb = common::peak_rss_mb()?;
        }
    }
    let best = seconds.iter().copied().fold(f64::INFINITY, f64::min);
    let matrix_mb = (N * (D + 1) * 4) as f64 / 1e6;
    println!(
        "ember read_csv::<f32>: {:.0} MB file, best of {REPEATS}: {best:.3} s ({:.0} MB/s), peak memory {peak_mb:.0} MB for a {matrix_mb:.0} MB result",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / best
    );
    let json = format!(
        "{{\"n\": {N}, \"d\": {D}, \"bytes\": {bytes}, \"seconds\": {best}, \"all_seconds\": {seconds:?}, \"peak_mb\": {peak_mb}, \"matrix_mb\": {matrix_mb}}}\n"
    );
    std::fs::write(out.join("ember_csv.json"), json)?;
    Ok(())
}

/// Standard normal features and `y = Σx + N(0, 1)`, each value printed as the shortest decimal
/// that reads back to the same `f32` (what most writers produce).
fn write_table(path: &Path) -> anyhow::Result<()> {
    let tmp = path.with_extension("csv.tmp");
    let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
    let header: Vec<String> = (0..D)
        .map(|j| format!("x{j}"))
        .chain(["y".into()])
        .collect();
    writeln!(file, "{}", header.join(","))?;
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..N {
        let mut sum = 0.0f32;
        for _ in 0..D {
            let v: f32 = rng.sample(StandardNormal);
            sum += v;
            write!(file, "{v},")?;
        }
        writeln!(file, "{}", sum + rng.sample::<f32, _>(StandardNormal))?;
    }
    file.flush()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    Ok(())
}
