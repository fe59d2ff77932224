//! `[data] streaming`: least squares (or ridge) on a CSV file of any size, in two passes that
//! each hold a few blocks of the file in memory. The first folds the training rows into a
//! [`LeastSquaresState`]; the second scores both splits and runs the summary's residual pass.
//! The test rows are chosen by a seeded hash of the row number, so no split needs the file.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ember::burn::tensor::Device;
use ember::data::csv::{Chunk, CsvOptions, Streamed, stream_csv};
use ember::data::split::hashed_test_row;
use ember::data::{Dataset, Matrix};
use ember::metrics::RegressionAccumulator;
use ember::model_file::{BURN_VERSION, ModelFile};
use ember::models::inference::InferenceOptions;
use ember::models::linear::{LeastSquaresState, LinearRegressionConfig, OlsSummary, ResidualPass};
use ember::models::{FitError, FittedModel};

use super::{MODEL_FILE, Summary, write, write_results};
use crate::data::options_for_task;
use crate::error::RunError;
use crate::report::{Metrics, plot};
use crate::spec::{DataSpec, Experiment, ModelSpec, Task};

/// The OLS summary of a streamed run (statsmodels' numbers, JSON and text).
pub const OLS_SUMMARY: &str = "ols_summary";
/// Test rows kept in memory for the plot of a streamed run.
const PLOTTED_ROWS: usize = 5_000;

/// Which rows are test rows: those of `data.test_csv`, else a seeded hash of the row number.
struct Split {
    test_fraction: Option<f64>,
    seed: u64,
}

impl Split {
    /// The split `data` asks for.
    fn of(data: &DataSpec) -> Self {
        Self {
            test_fraction: data.test_csv.is_none().then_some(data.test_fraction),
            seed: data.split_seed,
        }
    }

    fn is_test(&self, row: usize) -> bool {
        self.test_fraction
            .is_some_and(|f| hashed_test_row(row as u64, f, self.seed))
    }

    /// The chunk's rows by split: `(train, test)` row indices within the chunk.
    fn rows(&self, chunk: &Chunk<f64>) -> (Vec<usize>, Vec<usize>) {
        (0..chunk.x.n_rows()).partition(|&i| !self.is_test(chunk.first_row + i))
    }
}

/// Trains the least-squares model of `experiment` by streaming its CSV file into `out`.
pub(super) fn train_streaming(
    experiment: &Experiment,
    device: &Device,
    out: &Path,
    start: Instant,
) -> Result<Summary, RunError> {
    let config = linear_config(&experiment.model)?;
    let data = &experiment.data;
    let csv = data
        .csv
        .as_deref()
        .ok_or_else(|| RunError::Usage("data.streaming reads data.csv, which is not set".into()))?;
    let options = options_for_task(&data.csv_options, Task::Regression);
    let (state, names) = fold(csv, &options, config.fit_intercept, &Split::of(data))?;
    let model = state.fit(config, device)?;
    let file = ModelFile::new(
        FittedModel::LinearRegression(model),
        None,
        &names,
        Some(columns_read(&options, &names)),
    );
    let scored = score(&file, data, &options, summary_pass(&state, config)?)?;
    let test = scored.test;
    if let Some(pass) = scored.residuals {
        write_ols_summary(&pass.finish()?, out)?;
    }
    let summary = Summary {
        ember_version: env!("CARGO_PKG_VERSION").into(),
        burn_version: BURN_VERSION.into(),
        kind: experiment.model.kind().into(),
        task: Task::Regression,
        device: format!("{} ({device:?})", experiment.device),
        run_dir: out.to_path_buf(),
        n_features: file.model.n_features(),
        n_params: file.model.n_params(),
        n_train: scored.train.rows,
        n_valid: 0,
        n_test: test.rows,
        epochs: None,
        best_epoch: None,
        train: scored.train.metrics()?,
        validation: None,
        test: test.metrics()?,
        elapsed_s: start.elapsed().as_secs_f64(),
    };
    plot(&file, &test.plotted(&names)?, out)?;
    // Last: a run that failed on the way leaves no model that looks finished.
    file.save(out.join(MODEL_FILE))?;
    write_results(&summary, out)?;
    Ok(summary)
}

/// The closed-form linear model a streamed run fits (the config checks guarantee one).
fn linear_config(model: &ModelSpec) -> Result<&LinearRegressionConfig, RunError> {
    match model {
        ModelSpec::LinearRegression(c) | ModelSpec::Ridge(c) => Ok(c),
        other => Err(RunError::Usage(format!(
            "data.streaming fits least squares; {} is not",
            other.kind()
        ))),
    }
}

/// The first pass: the training rows folded into a state, and the file's column names (as a
/// data set without rows).
fn fold(
    csv: &Path,
    options: &CsvOptions,
    fit_intercept: bool,
    split: &Split,
) -> Result<(LeastSquaresState, Dataset), RunError> {
    let mut state: Option<LeastSquaresState> = None;
    let streamed = stream_csv::<f64, RunError>(csv, options, |chunk| {
        let (train, _) = split.rows(&chunk);
        let s = state.get_or_insert_with(|| {
            LeastSquaresState::new(chunk.x.n_cols(), chunk.y.n_cols(), fit_intercept)
        });
        s.update(&chunk.x.select_rows(&train), &chunk.y.select_rows(&train))
            .map_err(|e| located(csv, chunk.first_row, e))
    })?;
    for note in &streamed.notes {
        eprintln!("ember: note: {note}");
    }
    let state = state
        .ok_or_else(|| RunError::Data(format!("{}: no data rows", csv.display())))?
        .with_names(
            streamed.feature_names.clone(),
            streamed.target_names.clone(),
        );
    if state.n_rows() == 0 {
        return Err(RunError::Data(format!(
            "{}: the split left no training rows ({} rows in all)",
            csv.display(),
            streamed.n_rows
        )));
    }
    let names = columns_only(streamed.feature_names, streamed.target_names)?;
    Ok((state, names))
}

/// A data set without rows that carries column names (what a model file records of the data).
pub(crate) fn columns_only(
    features: Vec<String>,
    targets: Vec<String>,
) -> Result<Dataset, RunError> {
    let (d, k) = (features.len(), targets.len());
    Ok(Dataset::new(Matrix::zeros(0, d), Matrix::zeros(0, k))?
        .with_feature_names(features)?
        .with_target_names(targets)?)
}

/// An error of a chunk, with the file and the chunk's first data row.
fn located(csv: &Path, first_row: usize, e: impl std::fmt::Display) -> RunError {
    RunError::Data(format!(
        "{}: in the chunk from data row {}: {e}",
        csv.display(),
        first_row + 1
    ))
}

/// The columns read, naming the targets so that predict drops them.
pub(crate) fn columns_read(options: &CsvOptions, names: &Dataset) -> CsvOptions {
    let mut options = options.clone();
    if options.targets.is_empty() {
        options.targets = names
            .target_names()
            .iter()
            .map(|n| n.as_str().into())
            .collect();
    }
    options
}

/// A split's metrics, accumulated chunk by chunk, and its first rows for the plot.
struct Scores {
    acc: RegressionAccumulator,
    rows: usize,
    sample: Vec<(Vec<f64>, Vec<f64>)>,
}

impl Scores {
    fn new(k: usize) -> Self {
        Self {
            acc: RegressionAccumulator::new(k),
            rows: 0,
            sample: Vec::new(),
        }
    }

    /// Adds the rows `rows` of a chunk with their predictions.
    fn add(&mut self, chunk: &Chunk<f64>, pred: &Matrix, rows: &[usize]) -> Result<(), RunError> {
        if rows.is_empty() {
            return Ok(());
        }
        let truth = chunk.y.select_rows(rows);
        let predicted = pred.select_rows(rows);
        self.acc
            .update(truth.as_slice(), predicted.as_slice())
            .map_err(|e| RunError::Data(e.to_string()))?;
        self.rows += rows.len();
        for &i in rows
            .iter()
            .take(PLOTTED_ROWS.saturating_sub(self.sample.len()))
        {
            self.sample
                .push((chunk.x.row(i).to_vec(), chunk.y.row(i).to_vec()));
        }
        Ok(())
    }

    fn metrics(&self) -> Result<Metrics, RunError> {
        let a = &self.acc;
        let m = |v: Result<f64, ember::metrics::MetricError>| {
            v.map_err(|e| RunError::Data(format!("scoring: {e}")))
        };
        Ok(Metrics::from([
            ("r2".into(), m(a.r2())?),
            ("mse".into(), m(a.mse())?),
            ("rmse".into(), m(a.rmse())?),
            ("mae".into(), m(a.mae())?),
            ("explained_variance".into(), m(a.explained_variance())?),
        ]))
    }

    /// The first rows as a data set with the training columns' names.
    fn plotted(&self, names: &Dataset) -> Result<Dataset, RunError> {
        let x: Vec<&[f64]> = self.sample.iter().map(|(x, _)| x.as_slice()).collect();
        let y: Vec<&[f64]> = self.sample.iter().map(|(_, y)| y.as_slice()).collect();
        let (d, k) = (names.feature_names().len(), names.target_names().len());
        let matrix = |rows: &[&[f64]], w: usize| {
            Matrix::new(
                rows.len(),
                w,
                rows.iter().flat_map(|r| r.iter().copied()).collect(),
            )
        };
        Ok(Dataset::new(matrix(&x, d)?, matrix(&y, k)?)?
            .with_feature_names(names.feature_names().to_vec())?
            .with_target_names(names.target_names().to_vec())?)
    }
}

/// What the second pass over the training file gives.
struct Scored {
    train: Scores,
    test: Scores,
    residuals: Option<ResidualPass>,
}

/// The residual pass of the OLS summary, for an unpenalised fit of one target with enough
/// rows for one.
fn summary_pass(
    state: &LeastSquaresState,
    config: &LinearRegressionConfig,
) -> Result<Option<ResidualPass>, RunError> {
    if config.alpha != 0.0 || state.n_targets() != 1 {
        return Ok(None);
    }
    let inference = InferenceOptions {
        target_name: state.target_names().first().cloned().unwrap_or_default(),
        ..InferenceOptions::default()
    };
    without_summary_if_too_few(state.residual_pass(&inference))
}

/// The second pass: both splits of `data` scored (the test split from `data.test_csv` when
/// it names one, else the hashed rows of `data.csv`), and `residuals` run over the training
/// rows.
fn score(
    file: &ModelFile,
    data: &DataSpec,
    options: &CsvOptions,
    mut residuals: Option<ResidualPass>,
) -> Result<Scored, RunError> {
    let csv = data
        .csv
        .as_deref()
        .ok_or_else(|| RunError::Usage("data.streaming reads data.csv, which is not set".into()))?;
    let split = Split::of(data);
    let k = file.target_names.len();
    let (mut train, mut test) = (Scores::new(k), Scores::new(k));
    let streamed = stream_csv::<f64, RunError>(csv, options, |chunk| {
        let pred = file.predict(&chunk.x)?;
        let (train_rows, test_rows) = split.rows(&chunk);
        train.add(&chunk, &pred, &train_rows)?;
        test.add(&chunk, &pred, &test_rows)?;
        if let Some(pass) = &mut residuals {
            let x = chunk.x.select_rows(&train_rows);
            pass.update(&x, &chunk.y.select_rows(&train_rows))?;
        }
        Ok(())
    })?;
    same_columns(csv, &streamed, file)?;
    if let Some(test_csv) = &data.test_csv {
        test = score_test_file(file, test_csv, options)?;
    }
    Ok(Scored {
        train,
        test,
        residuals,
    })
}

/// The metrics of the model in `file` on the splits of a streamed run, as `ember train`
/// scored them (for `ember eval`), reading the data again by streaming it.
pub(crate) fn evaluate_streamed(
    experiment: &Experiment,
    file: &ModelFile,
) -> Result<Vec<(String, Metrics)>, RunError> {
    let options = options_for_task(&experiment.data.csv_options, Task::Regression);
    let scored = score(file, &experiment.data, &options, None)?;
    Ok(vec![
        ("train".into(), scored.train.metrics()?),
        ("test".into(), scored.test.metrics()?),
    ])
}

/// The rows of `data.test_csv`, scored in one pass; its columns must be the training file's.
fn score_test_file(
    file: &ModelFile,
    test_csv: &Path,
    options: &CsvOptions,
) -> Result<Scores, RunError> {
    let mut test = Scores::new(file.target_names.len());
    let streamed = stream_csv::<f64, RunError>(test_csv, options, |chunk| {
        let pred = file.predict(&chunk.x)?;
        let all: Vec<usize> = (0..chunk.x.n_rows()).collect();
        test.add(&chunk, &pred, &all)
    })?;
    same_columns(test_csv, &streamed, file)?;
    Ok(test)
}

/// Refuses a streamed file whose columns are not the model's, in order (streaming matches
/// columns by position; the file may have changed since the model was fitted).
fn same_columns(csv: &Path, streamed: &Streamed, file: &ModelFile) -> Result<(), RunError> {
    if streamed.feature_names != file.feature_names || streamed.target_names != file.target_names {
        return Err(RunError::Data(format!(
            "{}: its columns {:?} → {:?} are not the model's {:?} → {:?} (in that order), which streaming needs",
            csv.display(),
            streamed.feature_names,
            streamed.target_names,
            file.feature_names,
            file.target_names
        )));
    }
    Ok(())
}

/// `result`, or `None` with a note when the fit has too few rows for the OLS summary (which
/// needs a residual degree of freedom; the model itself is still fitted).
pub(crate) fn without_summary_if_too_few<T>(
    result: Result<T, FitError>,
) -> Result<Option<T>, RunError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e @ FitError::NoResidualDof { .. }) => {
            eprintln!("ember: note: no OLS summary: {e}");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// `ols_summary.json` and `ols_summary.txt` in the run directory.
pub(crate) fn write_ols_summary(summary: &OlsSummary, out: &Path) -> Result<(), RunError> {
    let path = |ext: &str| -> PathBuf { out.join(format!("{OLS_SUMMARY}.{ext}")) };
    let json = serde_json::to_vec_pretty(summary).map_err(|e| RunError::Io {
        path: path("json"),
        message: e.to_string(),
    })?;
    write(&path("json"), &json)?;
    write(&path("txt"), format!("{summary}\n").as_bytes())
}
