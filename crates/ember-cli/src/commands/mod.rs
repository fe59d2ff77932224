//! The subcommands other than `train` (which is [`crate::run`]): each reads a run directory.

mod eval;
mod inspect;
mod predict;
mod sweep;

pub use eval::{Evaluation, eval};

/// A run's weights as safetensors bytes (see `ModelFile::to_safetensors` for the names).
pub fn export(run_dir: &Path) -> Result<Vec<u8>, RunError> {
    let (_, model) = open_run(run_dir, Some(DeviceChoice::Flex))?;
    Ok(model.to_safetensors()?)
}
pub use inspect::{describe, inspect};
pub use predict::{Predictions, predict};
pub use sweep::{SweepPoint, grid_points, sweep};

use std::path::Path;

use ember::DeviceChoice;
use ember::data::Matrix;
use ember::data::csv::{CsvOptions, Missing};
use ember::model_file::ModelFile;

use crate::error::RunError;
use crate::run::{CONFIG_FILE, Loaded, MODEL_FILE, load_experiment};

/// A run directory's experiment and model, the model on `device` (else the run's device).
pub(crate) fn open_run(
    run_dir: &Path,
    device: Option<DeviceChoice>,
) -> Result<(Loaded, ModelFile), RunError> {
    let config = run_dir.join(CONFIG_FILE);
    if !config.is_file() {
        return Err(RunError::Usage(format!(
            "{}: not a run directory (it has no {CONFIG_FILE}); `ember train` makes one",
            run_dir.display()
        )));
    }
    let loaded = load_experiment(&config, &[])?;
    let choice = device.unwrap_or(loaded.experiment.device);
    let model_path = run_dir.join(MODEL_FILE);
    if !model_path.is_file() {
        return Err(RunError::Usage(format!(
            "{}: the run has no {MODEL_FILE} yet (it did not finish; `ember train --resume {}` continues it)",
            run_dir.display(),
            run_dir.display()
        )));
    }
    let model = ModelFile::load(&model_path, &choice.device()?)?;
    Ok((loaded, model))
}

/// How to read a file other than the training file for `model`: the training CSV's column
/// choices (else every column but the model's targets, left out when the file has them),
/// without what applied to the training file alone: no lines are skipped and a missing value
/// is an error naming its line (never a dropped row).
pub(crate) fn column_options(model: &ModelFile) -> CsvOptions {
    let mut options = model.csv_options.clone().unwrap_or_else(|| CsvOptions {
        targets: model
            .target_names
            .iter()
            .map(|n| n.as_str().into())
            .collect(),
        ..CsvOptions::default()
    });
    options.skip_lines = 0;
    options.missing = Missing::Error;
    options
}

/// The columns of `x` (named `names`, read from `input`) in the model's feature order: by
/// name, or by position when the file has no header.
pub(crate) fn align(
    x: Matrix,
    names: &[String],
    features: &[String],
    input: &Path,
) -> Result<Matrix, RunError> {
    if names == features || features.is_empty() {
        return check_width(x, names, features.len().max(names.len()), features, input);
    }
    let positions: Option<Vec<usize>> = features
        .iter()
        .map(|f| names.iter().position(|n| n == f))
        .collect();
    if let Some(positions) = positions {
        return Ok(Matrix::from_fn(x.n_rows(), positions.len(), |i, j| {
            x.get(i, positions[j])
        }));
    }
    let headerless = names.iter().enumerate().all(|(j, n)| *n == format!("x{j}"));
    if headerless {
        return check_width(x, names, features.len(), features, input);
    }
    let missing: Vec<String> = features
        .iter()
        .filter(|f| !names.contains(f))
        .map(|m| format!("`{m}`"))
        .collect();
    Err(RunError::Data(format!(
        "{}: the model's feature columns {} are missing (the file has {})",
        input.display(),
        missing.join(", "),
        names.join(", ")
    )))
}

fn check_width(
    x: Matrix,
    names: &[String],
    expected: usize,
    features: &[String],
    input: &Path,
) -> Result<Matrix, RunError> {
    if x.n_cols() == expected {
        return Ok(x);
    }
    Err(RunError::Data(format!(
        "{}: {} feature columns ({}), but the model takes {expected}{}",
        input.display(),
        x.n_cols(),
        names.join(", "),
        if features.is_empty() {
            String::new()
        } else {
            format!(" ({})", features.join(", "))
        }
    )))
}
