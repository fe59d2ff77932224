//! What `--resume` must find unchanged: every setting that shapes the model and the data, as
//! the run started with them (a hidden copy of the resolved experiment beside `config.toml`).
//! The model's `train` table is left to the training loop, which refuses a checkpoint written
//! with other training settings and allows more epochs. A run made by `ember solve` has no
//! training to resume.

use std::path::Path;

use toml::Value;

use super::{CONFIG_FILE, absolutise, write};
use crate::commands::SOLVED_STATE;
use crate::error::RunError;
use crate::source::{ConfigErrors, Diagnostic, field_origin};
use crate::spec::Experiment;

/// The resolved experiment as the run started, in the run directory.
pub(crate) const STARTED_FILE: &str = ".started.toml";

/// A setting that differs: its path, the value the run started with and the one now (`None`
/// when unset).
type Difference = (String, Option<Value>, Option<Value>);

/// Keeps `experiment` as the run starts, for [`check_unchanged`].
pub(crate) fn record_start(experiment: &Experiment, dir: &Path) -> Result<(), RunError> {
    let path = dir.join(STARTED_FILE);
    let text = toml::to_string_pretty(experiment).map_err(|e| RunError::Io {
        path: path.clone(),
        message: e.to_string(),
    })?;
    write(&path, text.as_bytes())
}

/// Refuses to resume the run in `dir` with `experiment` (its `config.toml` now) when a
/// setting that shapes the model or the data differs from the start, naming the first one at
/// its place in `config.toml`. Runs made before the copy was kept are not checked.
pub(crate) fn check_unchanged(experiment: &Experiment, dir: &Path) -> Result<(), RunError> {
    if dir.join(SOLVED_STATE).exists() {
        return Err(RunError::Usage(format!(
            "{}: was made by `ember solve` from a least-squares state, not trained: there is nothing to resume (solve again into a new directory, or train a new run with --out)",
            dir.display()
        )));
    }
    let path = dir.join(STARTED_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let mut started: Experiment = toml::from_str(&text).map_err(|e| RunError::Io {
        path: path.clone(),
        message: e.message().to_string(),
    })?;
    absolutise(&mut started, dir);
    let Some((field, was, now)) = first_change(&started, experiment, &path)? else {
        return Ok(());
    };
    let config = dir.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&config).map_err(RunError::io(&config))?;
    let now = match now {
        Some(v) => format!("says {v}"),
        None => "leaves it unset".into(),
    };
    let was = was.map_or_else(|| "unset".into(), |v| v.to_string());
    Err(RunError::Config(ConfigErrors(vec![Diagnostic {
        origin: field_origin(&config.display().to_string(), &text, &field),
        field: Some(field),
        message: format!(
            "was {was} when the run started, the config now {now}; put it back to resume, or train a new run with --out"
        ),
    }])))
}

/// The first setting that shapes the model or the data and differs between `started` and
/// `now`.
fn first_change(
    started: &Experiment,
    now: &Experiment,
    path: &Path,
) -> Result<Option<Difference>, RunError> {
    let (a, b) = (started.model.kind(), now.model.kind());
    if a != b {
        let kind = |k: &str| Some(Value::String(k.into()));
        return Ok(Some(("model".into(), kind(a), kind(b))));
    }
    let (a, b) = (shape(started, path)?, shape(now, path)?);
    Ok(first_difference("", Some(&a), Some(&b)))
}

/// `data` and the model's config but its `train` table.
fn shape(experiment: &Experiment, path: &Path) -> Result<Value, RunError> {
    let value = |v: Result<Value, toml::ser::Error>| {
        v.map_err(|e| RunError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    };
    let mut model = value(Value::try_from(&experiment.model))?;
    if let Value::Table(kinds) = &mut model {
        for (_, config) in kinds.iter_mut() {
            if let Value::Table(config) = config {
                config.remove("train");
            }
        }
    }
    let mut table = toml::Table::new();
    table.insert("data".into(), value(Value::try_from(&experiment.data))?);
    table.insert("model".into(), model);
    Ok(Value::Table(table))
}

/// The first place, in `a`'s order, where `a` and `b` differ.
fn first_difference(path: &str, a: Option<&Value>, b: Option<&Value>) -> Option<Difference> {
    if a == b {
        return None;
    }
    if let (Some(Value::Table(x)), Some(Value::Table(y))) = (a, b) {
        let mut keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
        return keys.find_map(|k| {
            let path = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            first_difference(&path, x.get(k), y.get(k))
        });
    }
    Some((path.to_string(), a.cloned(), b.cloned()))
}
