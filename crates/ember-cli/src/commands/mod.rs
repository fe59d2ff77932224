//! The subcommands other than `train` (which is [`crate::run`]): each reads a run directory.

mod eval;
mod folds;
mod input;
mod inspect;
mod predict;
mod shards;
mod sweep;

pub use eval::{Evaluation, eval};
pub use input::Input;

/// A run's weights as safetensors bytes (see `ModelFile::to_safetensors` for the names).
pub fn export(run_dir: &Path) -> Result<Vec<u8>, RunError> {
    let (_, model) = open_run(run_dir, Some(DeviceChoice::Flex))?;
    Ok(model.to_safetensors()?)
}

/// A run's model as ONNX bytes (see `ember::onnx`).
pub fn export_onnx(run_dir: &Path) -> Result<Vec<u8>, RunError> {
    let (_, model) = open_run(run_dir, Some(DeviceChoice::Flex))?;
    Ok(model.to_onnx()?)
}
/// Refuses an output file that would overwrite one of the run's own files (a file that exists
/// in `run_dir`) or the `input` it is made from.
///
/// ```
/// use ember_cli::commands::check_output;
/// let run = std::env::temp_dir().join("ember-doc-check-output");
/// std::fs::create_dir_all(&run)?;
/// std::fs::write(run.join("model.ember"), b"")?;
/// let err = check_output(&run.join("model.ember"), &run, None).unwrap_err();
/// assert!(err.to_string().contains("is one of the run's files"), "{err}");
/// assert!(check_output(&run.join("predictions.csv"), &run, None).is_ok());
/// let err = check_output("rows.csv".as_ref(), &run, Some("./rows.csv".as_ref())).unwrap_err();
/// assert!(err.to_string().contains("is the input file"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_output(output: &Path, run_dir: &Path, input: Option<&Path>) -> Result<(), RunError> {
    let full = |p: &Path| {
        let absolute = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        match (absolute.parent(), absolute.file_name()) {
            (Some(dir), Some(name)) => dir
                .canonicalize()
                .map_or(absolute.clone(), |dir| dir.join(name)),
            _ => absolute,
        }
    };
    let (out, run) = (full(output), full(run_dir));
    if out.starts_with(&run) && out.exists() {
        return Err(RunError::Usage(format!(
            "{}: is one of the run's files in {}; write the output elsewhere (a run's files are never overwritten)",
            output.display(),
            run_dir.display()
        )));
    }
    if input.is_some_and(|i| full(i) == out) {
        return Err(RunError::Usage(format!(
            "{}: is the input file; write the output to another file",
            output.display()
        )));
    }
    Ok(())
}

pub use inspect::{describe, inspect};
pub use predict::{Predictions, predict};
pub use shards::{SOLVED_STATE, fit_shard, merge, solve};
pub use sweep::{SweepPoint, grid_points, sweep};

use std::path::Path;

use ember::DeviceChoice;
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
