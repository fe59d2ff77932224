//! The examples a user copies, run as the user runs them (their release binaries, built by
//! `cargo test`): a user's own ConvNet learns the bundled MNIST slice and resumes after
//! SIGKILL to identical weights; a user's own loss and metric train and stop early.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// An example's binary, beside the test binaries (`target/release/examples/NAME`).
fn example(name: &str) -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let path = deps
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "{} is not built: run the tests with `cargo test --release --workspace --all-features`, which builds the examples",
        path.display()
    );
    path
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-example-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn run(name: &str, args: &[&str]) -> String {
    let out: Output = Command::new(example(name)).args(args).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The number after `key` in `text`.
fn number_after(text: &str, key: &str) -> f64 {
    let at = text
        .find(key)
        .unwrap_or_else(|| panic!("no `{key}` in {text}"))
        + key.len();
    text[at..]
        .split_whitespace()
        .next()
        .and_then(|w| w.trim_end_matches([',', ';']).parse().ok())
        .unwrap_or_else(|| panic!("no number after `{key}` in {text}"))
}

fn digest(text: &str) -> String {
    let at = text.find("weights fnv1a ").unwrap() + "weights fnv1a ".len();
    text[at..at + 16].to_string()
}

fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn convnet_args<'a>(out: &'a str, epochs: &'a str) -> Vec<&'a str> {
    vec![
        "--bundled",
        "--device",
        "flex",
        "--epochs",
        epochs,
        "--out",
        out,
    ]
}

#[test]
fn the_convnet_learns_the_bundled_mnist_slice() {
    let dir = temp_dir("convnet");
    let text = run("convnet", &convnet_args(dir.to_str().unwrap(), "8"));
    // 800 images, 8 epochs of Adam at 1e-3 in batches of 64: 0.91 on the 200 held out
    // (seed 0); chance is 0.1.
    let accuracy = number_after(&text, "validation accuracy");
    assert!(accuracy >= 0.85, "{text}");
    let log = jsonl(&dir.join("metrics.jsonl"));
    let epochs = log.len() / 2;
    assert!(epochs >= 4 && log.len() == 2 * epochs, "{log:?}");
    assert_eq!(log[1]["split"], "valid");
    assert!(log[1]["accuracy"].is_number() && log[0]["accuracy"].is_number());
    for file in ["model.bpk", "config.json", "loss.png", "loss.svg"] {
        assert!(dir.join(file).exists(), "{file}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_convnet_run_resumes_to_identical_weights() {
    let reference = temp_dir("convnet-reference");
    let dir = temp_dir("convnet-killed");
    let epochs = "6";
    let uninterrupted = run(
        "convnet",
        &convnet_args(reference.to_str().unwrap(), epochs),
    );
    let mut child = Command::new(example("convnet"))
        .args(convnet_args(dir.to_str().unwrap(), epochs))
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let first = dir.join("checkpoints").join("epoch-000001");
    let start = Instant::now();
    while !first.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        assert!(start.elapsed() < Duration::from_secs(120), "no checkpoint");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!dir.join("model.bpk").exists(), "killed after the end");
    let resumed = run("convnet", &convnet_args(dir.to_str().unwrap(), epochs));
    assert_eq!(digest(&resumed), digest(&uninterrupted));
    // One line per split and epoch, each epoch once.
    let log = jsonl(&dir.join("metrics.jsonl"));
    let reference_log = jsonl(&reference.join("metrics.jsonl"));
    let epochs_of = |log: &[serde_json::Value]| -> Vec<u64> {
        log.iter().map(|l| l["epoch"].as_u64().unwrap()).collect()
    };
    assert_eq!(epochs_of(&log), epochs_of(&reference_log));
    for (a, b) in log.iter().zip(&reference_log) {
        assert_eq!(a["loss"], b["loss"]);
        assert_eq!(a["accuracy"], b["accuracy"]);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&reference);
}

#[test]
fn a_user_loss_and_metric_train_and_stop_early() {
    let dir = temp_dir("custom-loss");
    let text = run(
        "custom_loss",
        &["--device", "flex", "--out", dir.to_str().unwrap()],
    );
    let summary = text
        .lines()
        .find(|l| l.starts_with("kept epoch"))
        .unwrap_or_else(|| panic!("no summary line in {text}"));
    assert!(summary.contains("stopped early on valid_pinball"), "{text}");
    // The 90th percentile: about nine targets in ten at or below it on held-out data.
    let coverage = number_after(summary, "coverage");
    assert!((0.8..=0.97).contains(&coverage), "{text}");
    let log = jsonl(&dir.join("metrics.jsonl"));
    for line in &log {
        assert!(
            line["pinball"].is_number() && line["coverage"].is_number(),
            "{line}"
        );
    }
    // Early stopping watched the user's metric: the kept epoch has the lowest valid_pinball.
    let kept = number_after(summary, "kept epoch") as u64;
    let valid: Vec<&serde_json::Value> = log.iter().filter(|l| l["split"] == "valid").collect();
    let best = valid
        .iter()
        .min_by(|a, b| {
            a["pinball"]
                .as_f64()
                .unwrap()
                .total_cmp(&b["pinball"].as_f64().unwrap())
        })
        .unwrap();
    assert_eq!(best["epoch"].as_u64().unwrap(), kept, "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
