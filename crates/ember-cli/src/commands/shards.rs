//! Least squares over shards, for scripts and map-reduce engines: `ember fit-shard` folds one
//! CSV file into a least-squares state file, `ember merge` adds state files up (in any order
//! and grouping), `ember solve` turns a state into a run directory with the model and its
//! OLS summary. A state is a few kilobytes of TOML whatever the shard's size.

use std::io::Write;
use std::path::{Path, PathBuf};

use ember::core::write_file_atomically;
use ember::data::csv::{Column, CsvOptions, stream_csv};
use ember::data::{Dataset, Matrix};
use ember::model_file::ModelFile;
use ember::models::FittedModel;
use ember::models::inference::InferenceOptions;
use ember::models::linear::{LeastSquaresState, LinearRegressionConfig, Solver};

use crate::data::options_for_task;
use crate::error::RunError;
use crate::run::{
    Loaded, MODEL_FILE, RunDir, columns_only, columns_read, without_summary_if_too_few,
    write_config, write_ols_summary,
};
use crate::spec::{ModelSpec, Task};

/// The state a run directory made by `ember solve` was solved from (which marks it as such:
/// it has no training rows, so nothing to resume and no held-out test split).
pub const SOLVED_STATE: &str = "solved_state.toml";

/// The least-squares config of an experiment meant for shards.
fn linear(loaded: &Loaded) -> Result<&LinearRegressionConfig, RunError> {
    match &loaded.experiment.model {
        ModelSpec::LinearRegression(c) | ModelSpec::Ridge(c)
            if c.solver == Solver::GradientDescent =>
        {
            Err(RunError::Usage(format!(
                "shards fit least squares in closed form; the config's {} has solver gradient_descent: give solver \"auto\" or \"lstsq\"",
                loaded.experiment.model.kind()
            )))
        }
        ModelSpec::LinearRegression(c) | ModelSpec::Ridge(c) => Ok(c),
        other => Err(RunError::Usage(format!(
            "shards fit least squares (linear_regression or ridge); the config's model is {}",
            other.kind()
        ))),
    }
}

/// Folds every row of the CSV file `data` (read with the experiment's `csv_options`) into a
/// state written to `out`, which must not exist; returns the state.
pub fn fit_shard(loaded: &Loaded, data: &Path, out: &Path) -> Result<LeastSquaresState, RunError> {
    let config = linear(loaded)?;
    refuse_existing(out)?;
    let options = options_for_task(&loaded.experiment.data.csv_options, Task::Regression);
    let mut state: Option<LeastSquaresState> = None;
    let streamed = stream_csv::<f64, RunError>(data, &options, |chunk| {
        let s = state.get_or_insert_with(|| {
            LeastSquaresState::new(chunk.x.n_cols(), chunk.y.n_cols(), config.fit_intercept)
        });
        s.update(&chunk.x, &chunk.y).map_err(|e| {
            RunError::Data(format!(
                "{}: in the chunk from data row {}: {e}",
                data.display(),
                chunk.first_row + 1
            ))
        })
    })?;
    for note in &streamed.notes {
        eprintln!("ember: note: {note}");
    }
    let state = state
        .ok_or_else(|| RunError::Data(format!("{}: no data rows", data.display())))?
        .with_names(streamed.feature_names, streamed.target_names);
    save_state(&state, out, &format!("fitted on {}", data.display()))?;
    Ok(state)
}

/// The states in `inputs` merged into one written to `out`, which must not exist.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<LeastSquaresState, RunError> {
    refuse_existing(out)?;
    let Some((first, rest)) = inputs.split_first() else {
        return Err(RunError::Usage(
            "merge takes at least one state file".into(),
        ));
    };
    let mut merged = load_state(first)?;
    let mut seen = vec![(first, merged.clone())];
    for path in rest {
        let state = load_state(path)?;
        // Shards are disjoint: the same rows twice would count every row twice.
        if let Some((twin, _)) = seen.iter().find(|(p, s)| same_file(p, path) || *s == state) {
            return Err(RunError::Usage(format!(
                "{} holds the same rows as {}: merge each shard once",
                path.display(),
                twin.display()
            )));
        }
        merged
            .merge(&state)
            .map_err(|e| RunError::Data(format!("{}: {e}", path.display())))?;
        seen.push((path, state));
    }
    save_state(
        &merged,
        out,
        &match inputs.len() {
            1 => "copied from 1 state".to_string(),
            n => format!("merged from {n} states"),
        },
    )?;
    Ok(merged)
}

/// A run directory `out` (claimed as `ember train` claims one) with the experiment's model
/// solved from the state at `state_path`, and the OLS summary the state determines (the
/// residual diagnostics need the rows, and say they were skipped).
pub fn solve(
    loaded: &Loaded,
    state_path: &Path,
    out: &Path,
) -> Result<LeastSquaresState, RunError> {
    let config = linear(loaded)?;
    let state = load_state(state_path)?;
    check_columns(&loaded.experiment.data.csv_options, &state, state_path)?;
    let device = loaded.experiment.device.device()?;
    let model = state
        .fit(config, &device)
        .map_err(|e| RunError::Data(format!("{}: {e}", state_path.display())))?;
    let names = if state.feature_names().is_empty() {
        Dataset::new(
            Matrix::zeros(0, state.n_features()),
            Matrix::zeros(0, state.n_targets()),
        )?
    } else {
        columns_only(
            state.feature_names().to_vec(),
            state.target_names().to_vec(),
        )?
    };
    let options = columns_read(&loaded.experiment.data.csv_options, &names);
    let file = ModelFile::new(
        FittedModel::LinearRegression(model),
        None,
        &names,
        Some(options),
    );
    if out.exists() && std::fs::read_dir(out).map_or(true, |mut d| d.next().is_some()) {
        return Err(RunError::Usage(format!(
            "{}: exists; solve into a new directory (a run is never overwritten)",
            out.display()
        )));
    }
    let dir = RunDir::claim(out, false)?;
    let mut experiment = loaded.experiment.clone();
    experiment.out = Some(out.to_path_buf());
    // The model last: a solve that failed on the way leaves no run that looks finished.
    let written = write_config(&experiment, &out.join(crate::run::CONFIG_FILE))
        .and_then(|()| save_state(&state, &out.join(SOLVED_STATE), "solved into this run"))
        .and_then(|()| write_summary(&state, config, out))
        .and_then(|()| Ok(file.save(out.join(MODEL_FILE))?));
    if written.is_err() {
        dir.discard_failed();
    }
    written.map(|()| state)
}

/// Refuses a state whose columns are not the ones the config names (its targets, its
/// features, the columns it excludes): the model file records the config's columns, and
/// `predict` would read other columns than the model was fitted on. A state without names
/// (from a file without a header) is not checked.
fn check_columns(
    options: &CsvOptions,
    state: &LeastSquaresState,
    state_path: &Path,
) -> Result<(), RunError> {
    if state.feature_names().is_empty() {
        return Ok(());
    }
    let named = |columns: &[Column]| -> Option<Vec<String>> {
        columns
            .iter()
            .map(|c| match c {
                Column::Name(n) => Some(n.clone()),
                Column::Index(_) => None,
            })
            .collect()
    };
    let refuse = |what: &str, config: &[String], state: &[String]| {
        Err(RunError::Usage(format!(
            "{}: its {what} are {state:?}, the config's csv_options name {config:?}: solve with the config the shards were fitted with",
            state_path.display()
        )))
    };
    if let Some(targets) = named(&options.targets).filter(|t| !t.is_empty())
        && targets != state.target_names()
    {
        return refuse("targets", &targets, state.target_names());
    }
    if let Some(features) = options.features.as_deref().and_then(named)
        && features != state.feature_names()
    {
        return refuse("features", &features, state.feature_names());
    }
    if let Some(excluded) = named(&options.exclude)
        && let Some(hit) = excluded.iter().find(|e| state.feature_names().contains(e))
    {
        return refuse(
            &format!("features (with {hit:?}, which the config excludes)"),
            &excluded,
            state.feature_names(),
        );
    }
    Ok(())
}

/// `ols_summary.{json,txt}` for an unpenalised fit of one target.
fn write_summary(
    state: &LeastSquaresState,
    config: &LinearRegressionConfig,
    out: &Path,
) -> Result<(), RunError> {
    if config.alpha != 0.0 || state.n_targets() != 1 {
        return Ok(());
    }
    let options = InferenceOptions {
        target_name: state.target_names().first().cloned().unwrap_or_default(),
        ..InferenceOptions::default()
    };
    match without_summary_if_too_few(state.summary(&options))? {
        Some(summary) => write_ols_summary(&summary, out),
        None => Ok(()),
    }
}

/// Whether two paths name one file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn refuse_existing(out: &Path) -> Result<(), RunError> {
    if out.exists() {
        return Err(RunError::Usage(format!(
            "{}: exists; give a new file (a state is never overwritten)",
            out.display()
        )));
    }
    Ok(())
}

/// A state file: TOML (every number round-trips exactly), checked when read.
fn load_state(path: &Path) -> Result<LeastSquaresState, RunError> {
    let text = std::fs::read_to_string(path).map_err(RunError::io(path))?;
    let state: LeastSquaresState = toml::from_str(&text).map_err(|e| {
        RunError::Data(format!(
            "{}: not a least-squares state file: {}",
            path.display(),
            e.message()
        ))
    })?;
    state
        .check()
        .map_err(|e| RunError::Data(format!("{}: {e}", path.display())))?;
    Ok(state)
}

fn save_state(state: &LeastSquaresState, out: &Path, origin: &str) -> Result<(), RunError> {
    let body = toml::to_string(state).map_err(|e| RunError::Io {
        path: out.to_path_buf(),
        message: e.to_string(),
    })?;
    let text = format!(
        "# A least-squares state of {} rows ({origin}) by ember {}: merge with `ember merge`,\n# solve with `ember solve`.\n{body}",
        state.n_rows(),
        env!("CARGO_PKG_VERSION")
    );
    write_file_atomically(out, |f| f.write_all(text.as_bytes())).map_err(|e| RunError::Io {
        path: out.to_path_buf(),
        message: e.to_string(),
    })
}
