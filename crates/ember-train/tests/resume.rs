//! The kill-and-resume guarantee: a run killed with SIGKILL and started again from its run
//! directory ends with exactly the weights of a run that was never interrupted (CPU backend).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use burn::tensor::Device;
use common::{Net, classification, temp_dir, weights};
use ember_train::{
    EarlyStopping, Objective, OptimizerConfig, RunOptions, Schedule, TrainConfig, TrainError, train,
};

const EPOCHS: usize = 12;
const CHILD_DIR: &str = "EMBER_RESUME_CHILD_DIR";

fn config() -> TrainConfig {
    TrainConfig {
        epochs: EPOCHS,
        batch_size: 16,
        learning_rate: 3e-3,
        optimizer: OptimizerConfig::adam(),
        weight_decay: 1e-4,
        schedule: Schedule::Cosine {
            t_max: None,
            eta_min: 1e-4,
        },
        warmup_epochs: 2,
        validation_fraction: 0.2,
        early_stopping: Some(EarlyStopping {
            metric: "valid_accuracy".into(),
            patience: 100,
            ..Default::default()
        }),
        seed: 11,
        ..Default::default()
    }
}

fn options(run_dir: Option<PathBuf>) -> RunOptions {
    RunOptions {
        run_dir,
        keep_checkpoints: 2,
        ..RunOptions::quiet()
    }
}

fn run(run_dir: Option<PathBuf>) -> Result<ember_train::Trained<Net>, TrainError> {
    let data = classification(3000);
    train(
        |d| Net::new(20, 3, d),
        Objective::CrossEntropy { n_classes: 3 },
        &data,
        None,
        &config(),
        &options(run_dir),
        &Device::flex(),
    )
}

/// Not a test of its own: the process `resume_after_kill_gives_identical_weights` starts and
/// kills.
#[test]
#[ignore = "helper process of resume_after_kill_gives_identical_weights"]
fn child_training_run() {
    let dir = std::env::var(CHILD_DIR).expect("run by the resume test");
    run(Some(dir.into())).expect("the child run trains");
}

fn checkpoint_exists(dir: &Path, epoch: usize) -> bool {
    dir.join("checkpoints")
        .join(format!("epoch-{epoch:06}"))
        .exists()
}

#[test]
fn resume_after_kill_gives_identical_weights() -> Result<(), TrainError> {
    let reference = run(None)?;

    let dir = temp_dir("resume");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "child_training_run", "--ignored", "--nocapture"])
        .env(CHILD_DIR, &dir)
        .spawn()
        .expect("start the child run");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !checkpoint_exists(&dir, 3) {
        assert!(Instant::now() < deadline, "the child wrote no checkpoint");
        assert!(
            child.try_wait().expect("child status").is_none(),
            "the child ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL the child"); // SIGKILL on Unix: no clean-up runs.
    child.wait().expect("reap the child");
    assert!(
        !checkpoint_exists(&dir, EPOCHS),
        "the child finished before it was killed; the test proves nothing"
    );

    let resumed = run(Some(dir.clone()))?;
    assert!(
        weights(&resumed.model) == weights(&reference.model),
        "resumed weights differ from the uninterrupted run's"
    );
    assert_eq!(resumed.epoch, reference.epoch);
    assert_eq!(resumed.history.epochs.len(), EPOCHS);
    for (a, b) in resumed.history.epochs.iter().zip(&reference.history.epochs) {
        assert_eq!((a.epoch, a.learning_rate), (b.epoch, b.learning_rate));
        assert_eq!(a.train, b.train, "epoch {}", a.epoch);
        assert_eq!(a.valid, b.valid, "epoch {}", a.epoch);
    }
    // The log on disk covers every epoch once, and only the newest checkpoints are kept.
    let log = std::fs::read_to_string(dir.join("metrics.jsonl")).expect("metrics log");
    assert_eq!(log.lines().count(), 2 * EPOCHS);
    let kept: Vec<_> = std::fs::read_dir(dir.join("checkpoints"))
        .expect("checkpoints")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(dir.join("model.bpk").exists() && dir.join("loss.png").exists());

    // Starting the finished run again changes nothing.
    let again = run(Some(dir.clone()))?;
    assert!(weights(&again.model) == weights(&reference.model));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn resuming_with_another_config_is_refused() -> Result<(), TrainError> {
    let dir = temp_dir("fingerprint");
    let data = classification(300);
    let mut config = config();
    config.epochs = 2;
    let mut run = options(Some(dir.clone()));
    let fit = |config: &TrainConfig, run: &RunOptions| {
        train(
            |d| Net::new(20, 3, d),
            Objective::CrossEntropy { n_classes: 3 },
            &data,
            None,
            config,
            run,
            &Device::flex(),
        )
    };
    fit(&config, &run)?;
    config.learning_rate = 0.1;
    let err = fit(&config, &run).unwrap_err();
    assert!(
        err.to_string().contains("different `learning_rate`"),
        "{err}"
    );
    run.resume = false;
    fit(&config, &run)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
