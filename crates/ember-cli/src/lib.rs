//! The `ember` command-line tool as a library: experiment configs (TOML files whose sections
//! are the library's own serde config structs), their validation with every problem located
//! by file, line and column, and the commands `train`, `eval`, `predict`, `inspect` and
//! `sweep`.
//!
//! ```no_run
//! use ember_cli::{RunOptions, load_experiment, run};
//! let loaded = load_experiment("configs/iris_softmax.toml".as_ref(), &["data.split_seed=1".into()])?;
//! let summary = run(&loaded, &RunOptions::default())?;
//! println!("test accuracy {}", summary.test["accuracy"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checks;
pub mod commands;
mod data;
mod error;
mod report;
mod run;
mod source;
mod spec;

pub use checks::problems;
pub use data::{Splits, load_splits};
pub use error::RunError;
pub use report::{Metrics, evaluate, metric_names, true_classes};
pub use run::{
    CONFIG_FILE, Loaded, MODEL_FILE, RunOptions, SUMMARY_FILE, Summary, fit, load_experiment, run,
    write as write_atomically,
};
pub use source::{ConfigErrors, Diagnostic, parse_with, read_with};
pub use spec::{
    DataSpec, Experiment, Generator, IdxSpec, ModelSpec, Scaling, SeedLine, Task, Versions,
};
