//! The settings of a training run: serialisable, with defaults, validated before training.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use ember_core::Problems;

use crate::{GradClip, OptimizerConfig, Schedule, TrainError};

/// Stop when a monitored metric stops improving.
///
/// ```
/// use ember_train::EarlyStopping;
/// let es: EarlyStopping = serde_json::from_str(r#"{"metric": "valid_accuracy", "patience": 5}"#)?;
/// assert!(es.restore_best && es.min_delta == 0.0);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EarlyStopping {
    /// `split_metric`: `valid_loss`, `valid_accuracy`, `train_loss`, `valid_r2`, … Losses and
    /// errors are minimised, scores (accuracy, R², F1) maximised.
    pub metric: String,
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// The least change that counts as an improvement.
    pub min_delta: f64,
    /// The least change, relative to the best value so far, that counts as an improvement
    /// (scikit-learn's `tol` of gradient descent); the larger of the two applies.
    pub min_relative_delta: f64,
    /// Hand back the weights of the best epoch rather than the last.
    pub restore_best: bool,
}

impl Default for EarlyStopping {
    /// Validation loss, patience 10, restoring the best weights.
    fn default() -> Self {
        Self {
            metric: "valid_loss".into(),
            patience: 10,
            min_delta: 0.0,
            min_relative_delta: 0.0,
            restore_best: true,
        }
    }
}

/// How progress is shown.
///
/// ```
/// let p: ember_train::Progress = serde_json::from_str(r#""lines""#)?;
/// assert_eq!(p, ember_train::Progress::Lines);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// Bars when standard output is a terminal, else one line per epoch.
    #[default]
    Auto,
    /// An epoch bar and a batch bar (loss, metric, samples/s, ETA).
    Bars,
    /// One tidy line per epoch.
    Lines,
    /// Nothing.
    Off,
}

/// Where a run writes and how it shows progress: everything about a run that is not a
/// hyper-parameter, so a saved model keeps only its [`TrainConfig`].
///
/// ```
/// use ember_train::{Progress, RunOptions};
/// let run = RunOptions { run_dir: Some("out/run".into()), ..RunOptions::quiet() };
/// assert!(run.resume && run.write_model && run.progress == Progress::Off);
/// assert!(run.validate().is_ok());
/// assert!(RunOptions { keep_checkpoints: 0, ..run }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Directory for checkpoints, `metrics.jsonl`, the loss curve and (with `write_model`) the
    /// final weights. `None`: nothing is written.
    pub run_dir: Option<PathBuf>,
    /// Continue from the newest checkpoint in `run_dir` when there is one.
    pub resume: bool,
    /// Checkpoints kept (the newest); each also holds the best weights so far.
    pub keep_checkpoints: usize,
    /// How progress is shown.
    pub progress: Progress,
    /// Write the final weights (`model.bpk`) and the hyper-parameters (`config.json`) into
    /// `run_dir`; off where the caller writes its own model file (the CLI's `model.ember`).
    pub write_model: bool,
    /// Write TensorBoard's event file (`events.out.tfevents.ember`) into `run_dir` beside
    /// `metrics.jsonl`.
    pub tensorboard: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            run_dir: None,
            resume: true,
            keep_checkpoints: 2,
            progress: Progress::Auto,
            write_model: true,
            tensorboard: true,
        }
    }
}

impl RunOptions {
    /// The defaults without progress output.
    pub fn quiet() -> Self {
        Self {
            progress: Progress::Off,
            ..Self::default()
        }
    }

    /// The defaults, writing into `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            run_dir: Some(dir.into()),
            ..Self::default()
        }
    }

    /// Checks the options; the error names the field.
    pub fn validate(&self) -> Result<(), TrainError> {
        if self.keep_checkpoints == 0 {
            return Err(TrainError::config(
                "keep_checkpoints",
                "must be at least 1 (the newest checkpoint is what a run resumes from)",
            ));
        }
        Ok(())
    }
}

/// The hyper-parameters of a training run: everything it needs besides the model, the data
/// and the [`RunOptions`].
///
/// Build one with struct-update syntax, or read one from a config file:
///
/// ```
/// use ember_train::{EarlyStopping, OptimizerConfig, TrainConfig};
///
/// let config = TrainConfig {
///     epochs: 50,
///     batch_size: 64,
///     optimizer: OptimizerConfig::sgd(0.9),
///     early_stopping: Some(EarlyStopping::default()),
///     validation_fraction: 0.1,
///     ..TrainConfig::default()
/// };
/// config.validate()?;
/// let from_json: TrainConfig = serde_json::from_str(r#"{"epochs": 50, "batch_size": 64}"#).unwrap();
/// assert_eq!(from_json.learning_rate, 1e-3);
/// # Ok::<(), ember_train::TrainError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Passes over the training data (an upper bound with early stopping).
    pub epochs: usize,
    /// Samples per mini-batch (the last batch of an epoch may be smaller).
    pub batch_size: usize,
    /// Reshuffle the training samples every epoch (seeded by `seed` and the epoch).
    pub shuffle: bool,
    /// The base learning rate.
    pub learning_rate: f64,
    /// The optimizer.
    pub optimizer: OptimizerConfig,
    /// L2 weight decay (added to the gradient; decoupled for AdamW). 0: none.
    pub weight_decay: f64,
    /// Gradient clipping.
    pub grad_clip: Option<GradClip>,
    /// The learning-rate schedule.
    pub schedule: Schedule,
    /// Epochs of linear warm-up before the schedule starts.
    pub warmup_epochs: usize,
    /// Fraction of the training data held out for validation when no validation set is given
    /// (stratified for classification). 0: no validation.
    pub validation_fraction: f64,
    /// Early stopping; `None` runs every epoch.
    pub early_stopping: Option<EarlyStopping>,
    /// Seed of initialisation, shuffling, dropout and the validation split.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 200,
            batch_size: 32,
            shuffle: true,
            learning_rate: 1e-3,
            optimizer: OptimizerConfig::default(),
            weight_decay: 0.0,
            grad_clip: None,
            schedule: Schedule::Constant,
            warmup_epochs: 0,
            validation_fraction: 0.0,
            early_stopping: None,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// Checks every setting; the error names the first invalid field.
    ///
    /// ```
    /// let config = ember_train::TrainConfig { learning_rate: -1.0, ..Default::default() };
    /// assert_eq!(config.validate().unwrap_err().to_string(), "invalid config `learning_rate`: must be positive and finite, got -1");
    /// ```
    pub fn validate(&self) -> Result<(), TrainError> {
        match self.problems().first() {
            Some(p) => Err(TrainError::config(p.field, p.message)),
            None => Ok(()),
        }
    }

    /// Every invalid setting, each naming its field (`optimizer.beta1`).
    ///
    /// ```
    /// let config = ember_train::TrainConfig { epochs: 0, batch_size: 0, ..Default::default() };
    /// let fields: Vec<_> = config.problems().into_vec().into_iter().map(|p| p.field).collect();
    /// assert_eq!(fields, ["epochs", "batch_size"]);
    /// ```
    pub fn problems(&self) -> Problems {
        let mut p = Problems::default();
        p.at_least_one("epochs", self.epochs);
        p.at_least_one("batch_size", self.batch_size);
        p.positive("learning_rate", self.learning_rate);
        p.non_negative("weight_decay", self.weight_decay);
        if let Some(clip) = self.grad_clip {
            let (GradClip::Norm(v) | GradClip::Value(v)) = clip;
            p.positive("grad_clip", v);
        }
        p.unit_interval("validation_fraction", self.validation_fraction);
        if let Some(es) = &self.early_stopping {
            if let Err(TrainError::InvalidConfig { field, message }) =
                crate::monitor::Monitor::split_of(&es.metric)
            {
                p.push(field, message);
            }
            p.at_least_one("early_stopping.patience", es.patience);
            p.non_negative("early_stopping.min_delta", es.min_delta);
            p.non_negative("early_stopping.min_relative_delta", es.min_relative_delta);
        }
        p.nest("optimizer", self.optimizer.problems());
        p.nest("schedule", self.schedule.problems());
        p
    }
}
