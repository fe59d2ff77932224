//! A program with a trained model inside it: the digits MLP of `configs/digits_mlp.toml`,
//! bundled with `include_bytes!`, answers one line per line of standard input — 64 pixel
//! values (0–16, separated by commas or spaces) in, the digit and its probability out:
//!
//! ```text
//! cargo run --release --example embed < digits.csv
//! ```
//!
//! Nothing is read from disk: copy the binary anywhere. A malformed line gets an error naming
//! it on standard error (and exit code 1 at the end); the others are still answered.
//! `EMBED_TIMING=1` prints the time from start to the first answer.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use ember::predictor::{Predictor, RowMajor};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `ember train configs/digits_mlp.toml`'s `model.ember` (see examples/models/README.md).
const MODEL: &[u8] = include_bytes!("models/digits_mlp.ember");

fn main() -> ExitCode {
    let start = Instant::now();
    let predictor = match Predictor::from_bytes(MODEL) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("embed: the bundled model: {e}");
            return ExitCode::FAILURE;
        }
    };
    let timing = std::env::var_os("EMBED_TIMING").is_some();
    let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
    let mut out = stdout.lock();
    let mut failed = false;
    for (i, line) in stdin.lock().lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("embed: standard input: {e}");
                return ExitCode::FAILURE;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        match answer(&predictor, &line) {
            Ok(text) => {
                if writeln!(out, "{text}").is_err() {
                    return ExitCode::FAILURE;
                }
                if timing && i == 0 {
                    eprintln!(
                        "embed: first answer {:.2} ms after start",
                        start.elapsed().as_secs_f64() * 1e3
                    );
                }
            }
            Err(e) => {
                eprintln!("embed: line {}: {e}", i + 1);
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The digit and its probability for one line of pixel values.
fn answer(predictor: &Predictor, line: &str) -> Result<String, String> {
    let row = line
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .enumerate()
        .map(|(j, s)| {
            s.parse::<f32>()
                .map_err(|_| format!("value {} is not a number: {s:?}", j + 1))
        })
        .collect::<Result<Vec<f32>, String>>()?;
    let proba = predictor
        .predict_proba(&RowMajor::row(&row))
        .map_err(|e| e.to_string())?;
    let (digit, p) =
        proba.iter().enumerate().fold(
            (0, f32::NEG_INFINITY),
            |b, (k, &v)| if v > b.1 { (k, v) } else { b },
        );
    let name = predictor
        .classes()
        .and_then(|c| c.get(digit).cloned())
        .unwrap_or_else(|| digit.to_string());
    Ok(format!("{name} {p:.4}"))
}
