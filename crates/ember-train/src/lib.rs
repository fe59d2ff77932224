//! The training loop of ember on burn's autodiff and optimizers, for any burn module.
//!
//! A module implements [`TrainStep`] for batches of its own type (a loss and the outputs
//! metrics read), the data comes from any burn `Dataset` + `Batcher` ([`DatasetSource`]) or
//! from ember's in-memory matrices ([`MatrixData`], the fast path ember's estimators use), and
//! a [`Trainer`] runs it: SGD (momentum, Nesterov), Adam, AdamW or RMSProp; constant, step,
//! cosine or reduce-on-plateau schedules after an optional linear warm-up; gradient clipping
//! and weight decay; a validation set (given, or a seeded, stratified fraction of the
//! training data); typed metrics (scikit-learn's, or a user's own [`Metric`]); early stopping
//! that can restore the best weights; progress bars (or one line per epoch when output is not
//! a terminal); and, in a run directory ([`RunOptions`]), `metrics.jsonl`, the loss curve
//! (PNG and SVG) and checkpoints written atomically, from which a killed run resumes to
//! exactly the weights it would have reached.
//!
//! Why our own loop rather than burn-train's `Learner`: exact resume needs the data order,
//! the dropout stream and the schedule's state restored per epoch, checkpoints must be atomic
//! directories, and progress must be one line per epoch off a terminal; burn-train offers
//! none of these as such, and its `train` feature adds a second UI stack to a build that
//! already takes most of CI's time. Its `TrainStep` is the model for ours.
//!
//! ```no_run
//! # use ember_train::*;
//! let config = TrainConfig {
//!     epochs: 30,
//!     optimizer: OptimizerConfig::sgd(0.9),
//!     schedule: Schedule::Cosine { t_max: None, eta_min: 0.0 },
//!     early_stopping: Some(EarlyStopping::default()),
//!     validation_fraction: 0.1,
//!     ..TrainConfig::default()
//! };
//! let run = RunOptions::in_dir("out/run");
//! # let _ = (config, run);
//! ```

mod adam;
mod checkpoint;
mod config;
mod epoch;
mod error;
mod file_source;
#[cfg(feature = "flex")]
mod flex_adam;
mod history;
mod metric;
mod monitor;
mod objective;
mod optimizer;
mod predict;
mod progress;
mod schedule;
mod source;
mod step;
mod subnormal;
mod tensorboard;
mod trainer;

pub use config::{EarlyStopping, Progress, RunOptions, TrainConfig};
pub use error::TrainError;
pub use file_source::FileData;
pub use history::{EpochRecord, History};
pub use metric::{Classification, Metric, MetricInput, Regression, TargetValues};
pub use objective::{BatchTargets, Objective, Targets};
pub use optimizer::{GradClip, OptimizerConfig};
pub use predict::outputs;
pub use schedule::Schedule;
pub use source::{BatchSource, DatasetSource, MatrixData, Subset};
pub use step::{MatrixBatch, StepOutput, TrainStep, Trainable};
pub use tensorboard::event_files;
pub use trainer::{EVAL_BATCH, Trained, Trainer, train, train_on};
