//! Training loops for ember on burn's autodiff and optimizers.
//!
//! [`train`] runs mini-batch training of any [`Trainable`] burn module: SGD (momentum,
//! Nesterov), Adam, AdamW or RMSProp; constant, step, cosine or reduce-on-plateau schedules
//! after an optional linear warm-up; gradient clipping and weight decay; a validation set
//! (given, or a seeded, stratified fraction of the training data); early stopping that can
//! restore the best weights; progress bars (or one line per epoch when output is not a
//! terminal); and, in a run directory, `metrics.jsonl`, the loss curve (PNG and SVG) and
//! checkpoints written atomically, from which a killed run resumes to exactly the weights it
//! would have reached.
//!
//! Why our own loop rather than burn-train's `Learner`: exact resume needs the data order,
//! the dropout stream and the schedule's state restored per epoch, checkpoints must be atomic
//! directories, and progress must be one line per epoch off a terminal; burn-train offers
//! none of these as such, and its `train` feature adds a second UI stack to a build that
//! already takes most of CI's time.
//!
//! ```no_run
//! # use ember_train::*;
//! let config = TrainConfig {
//!     epochs: 30,
//!     optimizer: OptimizerConfig::sgd(0.9),
//!     schedule: Schedule::Cosine { t_max: None, eta_min: 0.0 },
//!     early_stopping: Some(EarlyStopping::default()),
//!     validation_fraction: 0.1,
//!     run_dir: Some("out/run".into()),
//!     ..TrainConfig::default()
//! };
//! # let _ = config;
//! ```

mod checkpoint;
mod config;
mod error;
mod history;
mod monitor;
mod objective;
mod optimizer;
mod predict;
mod problems;
mod progress;
mod schedule;
mod trainer;

pub use checkpoint::write_file_atomically;
pub use config::{EarlyStopping, Progress, TrainConfig};
pub use error::TrainError;
pub use history::{EpochRecord, History};
pub use objective::{BatchTargets, Objective, Targets, probabilities};
pub use optimizer::{GradClip, OptimizerConfig};
pub use predict::outputs;
pub use problems::{Problem, Problems};
pub use schedule::Schedule;
pub use trainer::{Trainable, Trained, train};
