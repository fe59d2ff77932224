//! `ember train`: an experiment from its config to a run directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ember::DeviceChoice;
use ember::burn::tensor::Device;
use ember::core::write_file_atomically;
use ember::data::Dataset;
use ember::data::csv::CsvOptions;
use ember::model_file::{BURN_VERSION, ModelFile};
use ember::models::FittedModel;
use ember::plot::LineChart;
use ember::train;
use serde::Serialize;

use crate::checks::{problems, resolve};
use crate::data::{Splits, load_splits};
use crate::error::RunError;
use crate::report::{Metrics, evaluate, plot};
use crate::source::read_with;
use crate::spec::{Experiment, ModelSpec, Task, Versions};

mod cached;
mod directory;
mod resume;
mod streamed;

pub(crate) use cached::evaluate_cached;
pub(crate) use directory::RunDir;
pub(crate) use streamed::{
    OLS_SUMMARY, columns_only, columns_read, evaluate_streamed, without_summary_if_too_few,
    write_ols_summary,
};

/// The resolved config in a run directory.
pub const CONFIG_FILE: &str = "config.toml";
/// The model file in a run directory.
pub const MODEL_FILE: &str = "model.ember";
/// The final metrics in a run directory.
pub const SUMMARY_FILE: &str = "summary.json";

/// An experiment file read and checked, with the folder its relative paths start from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The experiment, data paths made absolute.
    pub experiment: Experiment,
    /// The config's name (its file stem), for default run directories.
    pub name: String,
}

/// Reads and checks the experiment at `path` with `overrides` (`key.path=value`); every
/// problem is reported at once.
///
/// ```
/// let err = ember_cli::load_experiment("no/such.toml".as_ref(), &[]).unwrap_err();
/// assert!(err.to_string().starts_with("no/such.toml: "));
/// ```
pub fn load_experiment(path: &Path, overrides: &[String]) -> Result<Loaded, crate::ConfigErrors> {
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut experiment: Experiment = read_with(path, overrides, |e| problems(e, &base))?;
    absolutise(&mut experiment, &base);
    let name = path
        .file_stem()
        .map_or_else(|| "run".into(), |s| s.to_string_lossy().into_owned());
    Ok(Loaded { experiment, name })
}

/// Makes the data paths absolute, so the resolved config works from anywhere.
fn absolutise(e: &mut Experiment, base: &Path) {
    let fix = |p: &mut PathBuf| {
        let joined = resolve(base, p);
        *p = std::path::absolute(&joined).unwrap_or(joined);
    };
    let d = &mut e.data;
    d.csv.iter_mut().for_each(fix);
    d.test_csv.iter_mut().for_each(fix);
    d.cache.iter_mut().for_each(fix);
    if let Some(idx) = &mut d.idx {
        fix(&mut idx.images);
        fix(&mut idx.labels);
        idx.test_images.iter_mut().for_each(fix);
        idx.test_labels.iter_mut().for_each(fix);
    }
}

/// What a finished run reports (and writes to `summary.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// ember's version.
    pub ember_version: String,
    /// burn's version.
    pub burn_version: String,
    /// The model kind.
    pub kind: String,
    /// Regression or classification.
    pub task: Task,
    /// The backend asked for and the device it ran on (`auto (Device<Flex>)`).
    pub device: String,
    /// The run directory.
    pub run_dir: PathBuf,
    /// Features the model takes.
    pub n_features: usize,
    /// Fitted parameters.
    pub n_params: usize,
    /// Training samples.
    pub n_train: usize,
    /// Validation samples held out by `data.validation_fraction`.
    pub n_valid: usize,
    /// Test samples.
    pub n_test: usize,
    /// Epochs run, for models trained by epochs.
    pub epochs: Option<usize>,
    /// The epoch whose weights were kept.
    pub best_epoch: Option<usize>,
    /// Metrics on the training set.
    pub train: Metrics,
    /// Metrics on the validation set: `data.validation_fraction`'s, or the one the training
    /// loop held out (at the kept epoch, as the loop computed them).
    pub validation: Option<Metrics>,
    /// Metrics on the test set.
    pub test: Metrics,
    /// Seconds from start to finish.
    pub elapsed_s: f64,
}

/// Where and how to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The run directory (else the config's `out`, else `runs/<name>`).
    pub out: Option<PathBuf>,
    /// The backend, instead of the config's.
    pub device: Option<DeviceChoice>,
    /// Continue the run in `out` rather than refuse an existing directory.
    pub resume: bool,
}

/// Runs `loaded` into a run directory: the data is read and split first, then the directory
/// is claimed (one process at a time: a second gets [`RunError::Busy`]) and the resolved
/// config written, then training (with checkpoints for trained-by-epoch models), the model
/// file, metrics and plots. A new run that fails before it leaves a model or a checkpoint
/// takes its directory away again. A resumed run must have the settings that shape its model
/// and data as it started with them.
pub fn run(loaded: &Loaded, options: &RunOptions) -> Result<Summary, RunError> {
    let start = Instant::now();
    let (mut experiment, out) = resolved(loaded, options)?;
    if options.resume {
        resume::check_unchanged(&experiment, &out)?;
    }
    let device = experiment.device.device()?;
    if experiment.data.cache.is_none() && experiment.data.csv.is_some() {
        // Recorded either way, so that `ember eval` and `--resume` read the data as this run
        // did whatever the memory available then.
        experiment.data.streaming = Some(streams(&experiment)?);
    }
    let streaming = experiment.data.cache.is_some() || experiment.data.streaming == Some(true);
    let splits = if streaming {
        None
    } else {
        Some(load_splits(
            &experiment.data,
            experiment.model.task(),
            Path::new(""),
        )?)
    };
    let dir = RunDir::claim(&out, options.resume)?;
    let outcome = if options.resume {
        Ok(())
    } else {
        write_config(&experiment, &out.join(CONFIG_FILE))
            .and_then(|()| resume::record_start(&experiment, &out))
    }
    .and_then(|()| match &splits {
        Some(splits) => train(&experiment, splits, &device, dir.path(), start),
        None if experiment.data.cache.is_some() => {
            cached::train_cached(&experiment, &device, dir.path(), start)
        }
        None => streamed::train_streaming(&experiment, &device, dir.path(), start),
    });
    if outcome.is_err() {
        dir.discard_failed();
    }
    outcome
}

/// The experiment as it runs (the device asked for on the command line, the run directory,
/// the versions), and its run directory.
fn resolved(loaded: &Loaded, options: &RunOptions) -> Result<(Experiment, PathBuf), RunError> {
    let mut experiment = loaded.experiment.clone();
    if let Some(device) = options.device {
        if !device.is_compiled() {
            return Err(RunError::Usage(format!(
                "--device {device}: {}",
                ember::DeviceError::NotCompiled { choice: device }
            )));
        }
        experiment.device = device;
    }
    let out = options
        .out
        .clone()
        .or_else(|| experiment.out.clone())
        .unwrap_or_else(|| Path::new("runs").join(&loaded.name));
    experiment.out = Some(out.clone());
    experiment.versions = Some(Versions {
        ember: env!("CARGO_PKG_VERSION").into(),
        burn: BURN_VERSION.into(),
    });
    Ok((experiment, out))
}

/// Trains the model into `out` and writes the model file, metrics, plots and summary.
fn train(
    experiment: &Experiment,
    splits: &Splits,
    device: &Device,
    out: &Path,
    start: Instant,
) -> Result<Summary, RunError> {
    let train_set = splits.scaled(&splits.train)?;
    let valid_set = splits
        .valid
        .as_ref()
        .map(|v| splits.scaled(v))
        .transpose()?;
    let mut spec = experiment.model.clone();
    // Checkpoints, metrics.jsonl and the loss curve go into the run directory; the model file
    // and the config are the CLI's own (model.ember, config.toml).
    if let Some(run) = spec.run_mut() {
        *run = train::RunOptions {
            run_dir: Some(out.to_path_buf()),
            resume: true,
            write_model: false,
            tensorboard: experiment.tensorboard,
            ..train::RunOptions::default()
        };
    }
    let model = fit(&spec, &train_set, valid_set.as_deref(), device)?;
    let trainer_validation = validation_metrics(&model);
    let losses = model.loss_history();
    let epochs = model.history().map(|h| h.epochs.len());
    let best_epoch = model.best_epoch();
    let columns = trained_columns(experiment, splits);
    let file = ModelFile::new(model, splits.scaler.clone(), &splits.train, columns);
    file.save(out.join(MODEL_FILE))?;
    let summary = Summary {
        ember_version: env!("CARGO_PKG_VERSION").into(),
        burn_version: BURN_VERSION.into(),
        kind: spec.kind().into(),
        task: spec.task(),
        device: format!("{} ({device:?})", experiment.device),
        run_dir: out.to_path_buf(),
        n_features: file.model.n_features(),
        n_params: file.model.n_params(),
        n_train: splits.train.n_samples(),
        n_valid: splits.valid.as_ref().map_or(0, Dataset::n_samples),
        n_test: splits.test.n_samples(),
        epochs,
        best_epoch,
        train: evaluate(&file, &splits.train)?,
        validation: match &splits.valid {
            Some(v) => Some(evaluate(&file, v)?),
            None => trainer_validation,
        },
        test: evaluate(&file, &splits.test)?,
        elapsed_s: start.elapsed().as_secs_f64(),
    };
    plots(&file, splits, &losses, epochs.is_some(), out)?;
    write_results(&summary, out)?;
    Ok(summary)
}

/// How the training CSV's columns were chosen, naming the target the reader took (the last
/// column) when the config named none, so predict drops it.
fn trained_columns(experiment: &Experiment, splits: &Splits) -> Option<CsvOptions> {
    experiment
        .data
        .csv
        .as_ref()
        .map(|_| columns_read(&experiment.data.csv_options, &splits.train))
}

/// Whether the run streams its CSV file: as `data.streaming` says, or, when it says nothing,
/// for a closed-form least-squares model whose file is larger than half the memory available
/// (read whole, its `f64` matrix would take about as much memory as the file's text, and the
/// reader's blocks and the fit need room too).
pub(crate) fn streams(experiment: &Experiment) -> Result<bool, RunError> {
    if let Some(streaming) = experiment.data.streaming {
        return Ok(streaming);
    }
    let Some(csv) = &experiment.data.csv else {
        return Ok(false);
    };
    if !crate::checks::can_stream(experiment) {
        return Ok(false);
    }
    let size = std::fs::metadata(csv).map_err(RunError::io(csv))?.len();
    let Some(available) = available_memory() else {
        return Ok(false);
    };
    let stream = size > available / 2;
    if stream {
        eprintln!(
            "ember: note: {} is {:.1} GB, more than half the memory available ({:.1} GB): fitting by streaming it (set data.streaming = false to read it whole)",
            csv.display(),
            size as f64 / 1e9,
            available as f64 / 1e9
        );
    }
    Ok(stream)
}

/// `MemAvailable` of `/proc/meminfo`, in bytes (Linux), else `None`.
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `summary.json`, and for models not trained by epochs `metrics.jsonl` (the final metrics,
/// one line per split).
pub(crate) fn write_results(summary: &Summary, out: &Path) -> Result<(), RunError> {
    if summary.epochs.is_none() {
        let lines: String = [("train", &summary.train), ("test", &summary.test)]
            .iter()
            .map(|(split, m)| format!("{}\n", serde_json::json!({"split": split, "metrics": m})))
            .collect();
        write(&out.join("metrics.jsonl"), lines.as_bytes())?;
    }
    let json = serde_json::to_vec_pretty(summary).map_err(|e| RunError::Io {
        path: out.join(SUMMARY_FILE),
        message: e.to_string(),
    })?;
    write(&out.join(SUMMARY_FILE), &json)
}

/// Fits the model `spec` describes on `data`; networks watch `valid` every epoch (for early
/// stopping).
pub fn fit(
    spec: &ModelSpec,
    data: &Dataset,
    valid: Option<&Dataset>,
    device: &Device,
) -> Result<FittedModel, RunError> {
    Ok(spec.estimator().fit_model(data, valid, device)?)
}

/// The experiment with every default filled in, headed by the versions that ran it.
pub(crate) fn write_config(experiment: &Experiment, path: &Path) -> Result<(), RunError> {
    let body = toml::to_string_pretty(experiment).map_err(|e| RunError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let text = format!(
        "# Resolved by ember {} (burn {BURN_VERSION}): every default filled in.\n\
         # Continue a killed run with `ember train --resume {}`.\n\n{body}",
        env!("CARGO_PKG_VERSION"),
        path.parent().unwrap_or(Path::new(".")).display()
    );
    write(path, text.as_bytes())
}

/// Writes `bytes` to `path` atomically (a temporary file renamed into place).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    write_file_atomically(path, |f| f.write_all(bytes)).map_err(|e| RunError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The validation metrics at the kept epoch of a network trained with a validation set.
fn validation_metrics(model: &FittedModel) -> Option<Metrics> {
    let history = model.history()?;
    let epoch = model.best_epoch()?;
    history
        .epochs
        .iter()
        .find(|r| r.epoch == epoch)
        .and_then(|r| r.valid.clone())
}

fn plots(
    file: &ModelFile,
    splits: &Splits,
    losses: &[f64],
    trainer_plotted: bool,
    out: &Path,
) -> Result<(), RunError> {
    plot(file, &splits.test, out)?;
    if !trainer_plotted && losses.len() > 1 {
        let steps: Vec<f64> = (1..=losses.len()).map(|i| i as f64).collect();
        let chart = LineChart::new("Training loss")
            .with_axis_labels("iteration", "loss")
            .with_series("loss", &steps, losses);
        for ext in ["png", "svg"] {
            chart.save(&out.join(format!("loss.{ext}")))?;
        }
    }
    Ok(())
}
