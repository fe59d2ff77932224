//! Fuzzing `Predictor::from_bytes` (and so `ModelFile::from_bytes`): seeded random mutations of
//! valid model files — bit flips, overwritten bytes, cut or spliced ranges, edited lengths and
//! versions, garbage — must give an error, never a panic: the checksum refuses every mutant
//! that differs from the file (one that happens to equal it loads and answers).
//!
//! `EMBER_FUZZ_ITERATIONS` sets the number of mutants per model file (default 3,000, a few
//! seconds; run it for a while with e.g. 1000000). A failure prints the seed that reproduces it.
//!
//! cargo-fuzz needs a nightly compiler and proptest would add a dependency whose features change
//! crates burn shares (a full rebuild of burn); a seeded mutator over real files finds the same
//! class of bugs here.

#![allow(clippy::unwrap_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};

use burn::tensor::Device;
use ember::model_file::ModelFile;
use ember::models::linear::LinearRegressionConfig;
use ember::models::mlp::MlpClassifierConfig;
use ember::predictor::{Predictor, RowMajor};
use ember::train::{RunOptions, TrainConfig};
use rand::{Rng, SeedableRng, rngs::StdRng};

fn valid_files() -> Vec<Vec<u8>> {
    let device = Device::flex();
    let iris = ember::data::load("iris").unwrap();
    let mlp = MlpClassifierConfig {
        hidden: vec![5],
        train: TrainConfig {
            epochs: 2,
            ..Default::default()
        },
        run: RunOptions::quiet(),
        ..Default::default()
    }
    .fit_dataset(&iris, None, &device)
    .unwrap();
    let diabetes = ember::data::load("diabetes").unwrap();
    let ols = LinearRegressionConfig::new()
        .fit_dataset(&diabetes, &device)
        .unwrap();
    vec![
        ModelFile::new(mlp.into(), None, &iris, None)
            .to_bytes()
            .unwrap(),
        ModelFile::new(ols.into(), None, &diabetes, None)
            .to_bytes()
            .unwrap(),
    ]
}

/// One random mutation of `bytes`.
fn mutate(bytes: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let mut b = bytes.to_vec();
    let n = b.len();
    match rng.random_range(0..8) {
        0 => {
            for _ in 0..rng.random_range(1..8) {
                let i = rng.random_range(0..n);
                b[i] ^= 1 << rng.random_range(0..8);
            }
        }
        1 => {
            let i = rng.random_range(0..n);
            b[i] = rng.random();
        }
        2 => b.truncate(rng.random_range(0..n)),
        3 => {
            let (a, c) = (rng.random_range(0..n), rng.random_range(0..n));
            let (lo, hi) = (a.min(c), a.max(c));
            b.drain(lo..hi);
        }
        4 => {
            let i = rng.random_range(0..n);
            let junk: Vec<u8> = (0..rng.random_range(1..64)).map(|_| rng.random()).collect();
            b.splice(i..i, junk);
        }
        5 => {
            // The header length: anything, including huge and zero.
            let len: u64 = match rng.random_range(0..3) {
                0 => rng.random(),
                1 => 0,
                _ => rng.random_range(0..n as u64 + 16),
            };
            b[12..20].copy_from_slice(&len.to_le_bytes());
        }
        6 => {
            let version: u32 = rng.random_range(0..4);
            b[8..12].copy_from_slice(&version.to_le_bytes());
        }
        _ => {
            // Garbage after a valid preamble and header.
            let keep = rng.random_range(20..n);
            b.truncate(keep);
            b.extend((0..rng.random_range(0..256)).map(|_| rng.random::<u8>()));
        }
    }
    b
}

#[test]
fn mutated_model_files_never_panic() {
    let iterations: usize = std::env::var("EMBER_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let files = valid_files();
    let mut unchanged = 0;
    for (f, file) in files.iter().enumerate() {
        for seed in 0..iterations as u64 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mutant = mutate(file, &mut rng);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                if let Ok(p) = Predictor::from_bytes(&mutant) {
                    // A mutant that loads must also answer (or refuse) a request.
                    let row = vec![0.5f32; p.n_features()];
                    let _ = p.predict(&RowMajor::row(&row));
                    return true;
                }
                false
            }));
            match outcome {
                Ok(true) => {
                    assert!(
                        mutant == *file,
                        "file {f}, mutation seed {seed}: a changed file loaded"
                    );
                    unchanged += 1;
                }
                Ok(false) => {}
                Err(_) => panic!("file {f}, mutation seed {seed}: from_bytes panicked"),
            }
        }
    }
    // A few mutations leave the bytes as they were (the same version written back, say).
    assert!(
        unchanged < 2 * iterations / 10,
        "{unchanged} of {} mutants were the file itself",
        2 * iterations
    );
}
