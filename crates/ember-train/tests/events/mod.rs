//! TensorBoard's event file, read back by TensorBoard's own reader (`EventAccumulator`, PyPI
//! `tensorboard`): the scalars of every epoch equal `metrics.jsonl`'s, the config is there as
//! text, and a resumed run holds each epoch once. Skipped, saying so, where `python3` with
//! `tensorboard` is missing (`.ci/run` installs it when it can).

use std::process::Command;

use burn::tensor::Device;
use ember_train::{Objective, RunOptions, TrainConfig, event_files, train};
use serde_json::Value;

use crate::common::{Net, classification, temp_dir};

const READ_EVENTS: &str = r#"
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
events = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "tensors": 0})
events.Reload()
tags = events.Tags()
print(json.dumps({
    "scalars": {t: [[e.step, e.value] for e in events.Scalars(t)] for t in tags["scalars"]},
    "text": {t: [e.tensor_proto.string_val[0].decode() for e in events.Tensors(t)] for t in tags["tensors"]},
}))
"#;

fn python_has_tensorboard() -> bool {
    Command::new("python3")
        .args([
            "-c",
            "import tensorboard.backend.event_processing.event_accumulator",
        ])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The one event file of the run in `dir`.
fn the_event_file(dir: &std::path::Path) -> std::path::PathBuf {
    let files = event_files(dir);
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

fn read_events(dir: &std::path::Path) -> Value {
    let out = Command::new("python3")
        .args(["-c", READ_EVENTS])
        .arg(the_event_file(dir))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn fit(dir: &std::path::Path, epochs: usize, tensorboard: bool) {
    let data = classification(120);
    let (valid, train_set) = (
        data.select(&(0..30).collect::<Vec<_>>()),
        data.select(&(30..120).collect::<Vec<_>>()),
    );
    let config = TrainConfig {
        epochs,
        batch_size: 32,
        ..Default::default()
    };
    let run = RunOptions {
        run_dir: Some(dir.to_path_buf()),
        tensorboard,
        ..RunOptions::quiet()
    };
    train(
        |d| Net::new(20, 3, d),
        Objective::CrossEntropy { n_classes: 3 },
        &train_set,
        Some(&valid),
        &config,
        &run,
        &Device::flex(),
    )
    .expect("trains");
}

/// `metrics.jsonl`'s values of `metric` in `split`, by epoch.
fn jsonl(dir: &std::path::Path, split: &str, metric: &str) -> Vec<(u64, f64)> {
    std::fs::read_to_string(dir.join("metrics.jsonl"))
        .expect("metrics.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .filter(|l| l["split"] == split)
        .map(|l| {
            (
                l["epoch"].as_u64().expect("epoch"),
                l[metric].as_f64().expect("value"),
            )
        })
        .collect()
}

#[test]
fn tensorboard_reads_every_epoch_once_even_after_a_resume() {
    if !python_has_tensorboard() {
        eprintln!("skipped: python3 with tensorboard is not available");
        return;
    }
    let dir = temp_dir("tensorboard");
    fit(&dir, 2, true);
    // Resumed from its last checkpoint and trained on to 4 epochs: the file is rewritten
    // from the checkpoint's history, then appended.
    fit(&dir, 4, true);
    let events = read_events(&dir);
    for (split, metric) in [("train", "loss"), ("valid", "loss"), ("valid", "accuracy")] {
        let tag = format!("{split}/{metric}");
        let scalars = events["scalars"][&tag]
            .as_array()
            .unwrap_or_else(|| panic!("no {tag}: {events}"));
        let expected = jsonl(&dir, split, metric);
        assert_eq!(scalars.len(), 4, "{tag}: {scalars:?}");
        for (s, (epoch, value)) in scalars.iter().zip(expected) {
            assert_eq!(s[0].as_u64(), Some(epoch), "{tag}");
            let got = s[1].as_f64().expect("a value");
            assert_eq!(got, f64::from(value as f32), "{tag}, epoch {epoch}");
        }
    }
    let rates = events["scalars"]["learning_rate"]
        .as_array()
        .expect("learning_rate");
    assert_eq!(rates.len(), 4);
    let rates = events["scalars"]["samples_per_s"]
        .as_array()
        .expect("samples_per_s");
    assert_eq!(rates.len(), 4, "{events}");
    assert!(
        rates.iter().all(|r| r[1].as_f64().is_some_and(|v| v > 0.0)),
        "{rates:?}"
    );
    let config = events["text"]["config"][0]
        .as_str()
        .expect("the config as text");
    assert!(config.contains("\"batch_size\": 32"), "{config}");
}

#[test]
fn the_event_file_is_left_out_when_switched_off() {
    let dir = temp_dir("tensorboard-off");
    fit(&dir, 1, false);
    assert!(dir.join("metrics.jsonl").is_file());
    assert!(event_files(&dir).is_empty());
    let on = temp_dir("tensorboard-on");
    fit(&on, 1, true);
    assert!(std::fs::metadata(the_event_file(&on)).is_ok_and(|m| m.len() > 100));
    // Resumed with the switch off: the earlier session's file goes, not left to be shown as
    // this run's.
    fit(&on, 2, false);
    assert!(event_files(&on).is_empty());
}
