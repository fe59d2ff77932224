//! `[data] cache`: a classifier trained from a binary row file that the CSV is converted into
//! once (and reused while the CSV and its options are unchanged), batches read from disk by
//! position, so the training set need not fit in memory. The test rows are chosen by a
//! seeded hash of the row number, the scaler is fitted on the training rows in one pass, and
//! both splits are scored a few thousand rows at a time.

use std::path::Path;
use std::time::Instant;

use ember::burn::tensor::Device;
use ember::data::split::hashed_test_row;
use ember::data::{Dataset, LabelEncoder, Matrix, RowFile, class_index};
use ember::metrics::{Average, ClassificationAccumulator};
use ember::model_file::{BURN_VERSION, ModelFile, Scaler};
use ember::models::FittedModel;
use ember::models::mlp::MlpClassifierConfig;
use ember::train::{self, FileData, Objective, Subset};

use super::{MODEL_FILE, Summary, write_results};
use crate::error::RunError;
use crate::report::{Metrics, plot};
use crate::spec::{DataSpec, Experiment, ModelSpec, Scaling, Task};

/// Rows read and scored at a time.
const SCORE_ROWS: usize = 4096;
/// Test rows kept in memory for the confusion-matrix plot.
const PLOTTED_ROWS: usize = 20_000;

/// Trains the classifier of `experiment` from the row-file cache of its CSV into `out`.
pub(super) fn train_cached(
    experiment: &Experiment,
    device: &Device,
    out: &Path,
    start: Instant,
) -> Result<Summary, RunError> {
    let data = &experiment.data;
    let (Some(csv), Some(cache)) = (&data.csv, &data.cache) else {
        return Err(RunError::Usage(
            "data.cache converts data.csv, which is not set".into(),
        ));
    };
    let ModelSpec::MlpClassifier(config) = &experiment.model else {
        return Err(RunError::Usage(format!(
            "data.cache trains mlp_classifier; not {}",
            experiment.model.kind()
        )));
    };
    let file = open_cache(csv, cache, data)?;
    let (n_classes, labels) = classes(&file)?;
    let (train_rows, test_rows) = split_rows(&file, data)?;
    let scaler = match data.scale {
        Scaling::None => None,
        Scaling::Standard => Some(file.column_moments_of(&train_rows)?.scaler()?),
        Scaling::MinMax => {
            return Err(RunError::Usage(
                "data.cache scales features with scale = \"standard\" or \"none\"".into(),
            ));
        }
    };
    let fit_error = |e: ember::train::TrainError| RunError::Fit(e.into());
    let mut source =
        FileData::new(Objective::CrossEntropy { n_classes }, &file).map_err(fit_error)?;
    if let Some(s) = &scaler {
        source = source.with_scaler(s).map_err(fit_error)?;
    }
    let training = Subset::new(&source, train_rows.clone());
    let run = train::RunOptions {
        run_dir: Some(out.to_path_buf()),
        resume: true,
        write_model: false,
        tensorboard: experiment.tensorboard,
        ..config.run.clone()
    };
    let config = MlpClassifierConfig {
        run,
        ..config.clone()
    };
    let model = config.fit_source(&training, file.n_features(), n_classes, labels, device)?;
    let names = names(&file, model.labels().cloned())?;
    let epochs = model.history().epochs.len();
    let best_epoch = model.best_epoch();
    let model_file = ModelFile::new(
        FittedModel::MlpClassifier(model),
        scaler.map(Scaler::Standard),
        &names,
        Some(super::streamed::columns_read(&data.csv_options, &names)),
    );
    let (train_metrics, _) = score(&model_file, &file, &train_rows, n_classes)?;
    let (test_metrics, plotted) = score(&model_file, &file, &test_rows, n_classes)?;
    let summary = Summary {
        ember_version: env!("CARGO_PKG_VERSION").into(),
        burn_version: BURN_VERSION.into(),
        kind: experiment.model.kind().into(),
        task: Task::Classification,
        device: format!("{} ({device:?})", experiment.device),
        run_dir: out.to_path_buf(),
        n_features: file.n_features(),
        n_params: model_file.model.n_params(),
        n_train: train_rows.len(),
        n_valid: 0,
        n_test: test_rows.len(),
        epochs: Some(epochs),
        best_epoch: Some(best_epoch),
        train: train_metrics,
        validation: None,
        test: test_metrics,
        elapsed_s: start.elapsed().as_secs_f64(),
    };
    plot(&model_file, &with_names(plotted, &names)?, out)?;
    // Last: a run that failed on the way leaves no model that looks finished.
    model_file.save(out.join(MODEL_FILE))?;
    write_results(&summary, out)?;
    Ok(summary)
}

/// The row file of `csv` at `cache`: reused while it matches, else (re)built, with a note.
fn open_cache(csv: &Path, cache: &Path, data: &DataSpec) -> Result<RowFile, RunError> {
    if cache.is_dir() {
        return Err(RunError::Usage(format!(
            "{}: data.cache names a directory; give the path of a file (e.g. {})",
            cache.display(),
            cache.join("data.rows").display()
        )));
    }
    let (file, note) = RowFile::cached(csv, &data.csv_options, cache)?;
    if let Some(note) = note {
        eprintln!("ember: note: {note}");
    }
    Ok(file)
}

/// The file's training and test rows: the test rows chosen by a seeded hash of the row
/// number; neither may be empty.
fn split_rows(file: &RowFile, data: &DataSpec) -> Result<(Vec<usize>, Vec<usize>), RunError> {
    let (train, test): (Vec<usize>, Vec<usize>) = (0..file.n_rows())
        .partition(|&r| !hashed_test_row(r as u64, data.test_fraction, data.split_seed));
    if train.is_empty() || test.is_empty() {
        return Err(RunError::Data(format!(
            "{}: test_fraction {} of {} rows leaves an empty split",
            data.csv.as_deref().unwrap_or(file.path()).display(),
            data.test_fraction,
            file.n_rows()
        )));
    }
    Ok((train, test))
}

/// The metrics of the model in `model` on the splits of a cached run, as `ember train`
/// scored them (for `ember eval`), from the row file (rebuilt if the CSV changed since).
pub(crate) fn evaluate_cached(
    experiment: &Experiment,
    model: &ModelFile,
) -> Result<Vec<(String, Metrics)>, RunError> {
    let data = &experiment.data;
    let (Some(csv), Some(cache)) = (&data.csv, &data.cache) else {
        return Err(RunError::Usage(
            "data.cache converts data.csv, which is not set".into(),
        ));
    };
    let file = open_cache(csv, cache, data)?;
    let (n_classes, labels) = classes(&file)?;
    let model_classes = model.model.labels().map(LabelEncoder::classes);
    if file.feature_names() != model.feature_names
        || file.target_names() != model.target_names
        || labels.as_ref().map(LabelEncoder::classes) != model_classes
        || n_classes != model.model.n_outputs()
    {
        return Err(RunError::Data(format!(
            "{}: its columns {:?} → {:?} ({n_classes} classes {:?}) are not the model's {:?} → {:?} ({} classes {:?}): the CSV changed since the run",
            csv.display(),
            file.feature_names(),
            file.target_names(),
            labels.as_ref().map(LabelEncoder::classes),
            model.feature_names,
            model.target_names,
            model.model.n_outputs(),
            model_classes
        )));
    }
    let (train_rows, test_rows) = split_rows(&file, data)?;
    Ok(vec![
        (
            "train".into(),
            score(model, &file, &train_rows, n_classes)?.0,
        ),
        ("test".into(), score(model, &file, &test_rows, n_classes)?.0),
    ])
}

/// The number of classes and their names: the file's text classes, or integer class codes
/// `0..k` in a numeric target column.
fn classes(file: &RowFile) -> Result<(usize, Option<LabelEncoder>), RunError> {
    if file.n_targets() != 1 {
        return Err(RunError::Data(format!(
            "{}: a classifier takes one target column, the file has {}",
            file.path().display(),
            file.n_targets()
        )));
    }
    if let Some(classes) = file.classes() {
        return Ok((classes.len(), Some(LabelEncoder::fit(classes.iter()))));
    }
    let y = file.y().as_slice();
    let k = y.iter().fold(0.0f32, |m, &v| m.max(v)) as usize + 1;
    if let Some(row) = y
        .iter()
        .position(|&v| class_index(f64::from(v), k).is_none())
    {
        return Err(RunError::Data(format!(
            "{}: data row {} has target {}, not a class code 0, 1, 2, …: with data.cache, numeric classes must be such codes (or text labels)",
            file.path().display(),
            row + 1,
            y[row]
        )));
    }
    Ok((k, None))
}

/// The file's column names (and class names) on a data set without rows, for the model file.
fn names(file: &RowFile, labels: Option<LabelEncoder>) -> Result<Dataset, RunError> {
    let data =
        super::streamed::columns_only(file.feature_names().to_vec(), file.target_names().to_vec())?;
    Ok(match labels {
        Some(l) => data.with_labels(l)?,
        None => data,
    })
}

/// `rows` of the file scored a few thousand at a time (accuracy, balanced accuracy, macro F1,
/// log loss), and the first of them as a data set for the plot.
fn score(
    model: &ModelFile,
    file: &RowFile,
    rows: &[usize],
    n_classes: usize,
) -> Result<(Metrics, Dataset), RunError> {
    let mut acc = ClassificationAccumulator::new(n_classes);
    let metric_error = |e: ember::metrics::MetricError| RunError::Data(format!("scoring: {e}"));
    let (d, y) = (file.n_features(), file.y().as_slice());
    let mut plotted = (Vec::new(), Vec::new());
    let mut values = Vec::new();
    for part in rows.chunks(SCORE_ROWS) {
        values.clear();
        file.read_rows(part, &mut values)?;
        let x = Matrix::new(
            part.len(),
            d,
            values.iter().map(|&v| f64::from(v)).collect(),
        )?;
        let truth: Vec<usize> = part.iter().map(|&r| y[r] as usize).collect();
        let proba = model.predict_proba(&x)?;
        acc.update_proba(&truth, proba.as_slice())
            .map_err(metric_error)?;
        let keep = PLOTTED_ROWS.saturating_sub(plotted.1.len()).min(part.len());
        plotted.0.extend_from_slice(&x.as_slice()[..keep * d]);
        plotted.1.extend(truth[..keep].iter().map(|&c| c as f64));
    }
    let cm = acc.confusion();
    let metrics = Metrics::from([
        ("accuracy".into(), cm.accuracy()),
        ("balanced_accuracy".into(), cm.balanced_accuracy()),
        (
            "f1_macro".into(),
            cm.f1(Average::Macro).map_err(metric_error)?,
        ),
        ("log_loss".into(), acc.log_loss().map_err(metric_error)?),
    ]);
    let n = plotted.1.len();
    let sample = Dataset::new(Matrix::new(n, d, plotted.0)?, Matrix::new(n, 1, plotted.1)?)?;
    Ok((metrics, sample))
}

/// `sample` with the training file's names and classes.
fn with_names(sample: Dataset, names: &Dataset) -> Result<Dataset, RunError> {
    let sample = sample
        .with_feature_names(names.feature_names().to_vec())?
        .with_target_names(names.target_names().to_vec())?;
    Ok(match names.labels() {
        Some(l) => sample.with_labels(l.clone())?,
        None => sample,
    })
}
