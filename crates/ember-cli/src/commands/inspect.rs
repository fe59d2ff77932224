//! `ember inspect`: what a run holds — the model, its size, its preprocessing, the summary.

use std::path::Path;

use ember::model_file::{ModelFile, Scaler};
use ember::models::FittedModel;
use ember::models::inference::InferenceOptions;
use serde_json::{Value, json};

use super::open_run;
use crate::data::load_splits;
use crate::error::RunError;
use crate::report::true_classes;
use crate::run::{MODEL_FILE, SUMMARY_FILE};
use crate::spec::Experiment;

/// A description of the run in `run_dir` as JSON: the model file's header facts, the training
/// summary and, for least squares and binary logistic regression, the statsmodels-style
/// statistics on the training split (`statistics`; its text table is returned beside).
pub fn inspect(run_dir: &Path) -> Result<(Value, Option<String>), RunError> {
    let (loaded, model) = open_run(run_dir, Some(ember::DeviceChoice::Flex))?;
    let saved = saved_statistics(run_dir);
    let computed = || statistics(&loaded.experiment, &model);
    let (statistics, table) = match saved.map_or_else(computed, |s| Ok(Some(s))) {
        Ok(Some((json, text))) => (json, Some(text)),
        Ok(None) => (Value::Null, None),
        Err(e) => (json!({ "error": e.to_string() }), None),
    };
    let bytes =
        std::fs::read(run_dir.join(MODEL_FILE)).map_err(RunError::io(run_dir.join(MODEL_FILE)))?;
    let (header, weights) = ModelFile::read_header(&bytes)?;
    let summary: Value = std::fs::read(run_dir.join(SUMMARY_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let scaler = match &model.scaler {
        None => "none",
        Some(Scaler::Standard(_)) => "standard",
        Some(Scaler::MinMax(_)) => "min_max",
    };
    let info = json!({
        "run_dir": run_dir,
        "description": loaded.experiment.description,
        "kind": model.model.kind(),
        "classifier": model.model.is_classifier(),
        "task": format!("{:?}", model.model.task()).to_lowercase(),
        "n_features": model.model.n_features(),
        "n_outputs": model.model.n_outputs(),
        "n_params": model.model.n_params(),
        "classes": model.model.labels().map(|l| l.classes().to_vec()),
        "feature_names": model.feature_names,
        "target_names": model.target_names,
        "scaler": scaler,
        "model_file_bytes": bytes.len(),
        "weight_bytes": weights.len(),
        "ember_version": header.ember_version,
        "burn_version": header.burn_version,
        "model": header.model,
        "summary": summary,
        "statistics": statistics,
    });
    Ok((info, table))
}

/// The OLS summary a streamed run wrote (its data may be larger than memory: it is not read
/// again), when there is one.
fn saved_statistics(run_dir: &Path) -> Option<(Value, String)> {
    let path = |ext: &str| run_dir.join(format!("{}.{ext}", crate::run::OLS_SUMMARY));
    let json = std::fs::read(path("json")).ok()?;
    let text = std::fs::read_to_string(path("txt")).ok()?;
    let value = serde_json::from_slice(&json).ok()?;
    Some((value, text.trim_end().to_string()))
}

/// The inference summary of an OLS or binary logistic model on its training split (the
/// features scaled as in training), as JSON and as text; `None` for other models.
fn statistics(
    experiment: &Experiment,
    model: &ModelFile,
) -> Result<Option<(Value, String)>, RunError> {
    let binary_logistic =
        matches!(&model.model, FittedModel::LogisticRegression(m) if m.n_classes() == 2);
    let ols = matches!(&model.model, FittedModel::LinearRegression(m) if m.config().alpha == 0.0 && m.n_targets() == 1);
    if !(ols || binary_logistic) {
        return Ok(None);
    }
    let splits = load_splits(&experiment.data, experiment.model.task(), Path::new(""))?;
    let train = splits.scaled(&splits.train)?;
    let options = InferenceOptions {
        feature_names: model.feature_names.clone(),
        target_name: model.target_names.first().cloned().unwrap_or_default(),
        ..InferenceOptions::default()
    };
    let as_json = |v: Result<Value, serde_json::Error>| v.unwrap_or(Value::Null);
    Ok(match &model.model {
        FittedModel::LinearRegression(m) => {
            let s = m.summary(train.x(), train.y(), &options)?;
            Some((as_json(serde_json::to_value(&s)), s.to_string()))
        }
        FittedModel::LogisticRegression(m) => {
            let y = true_classes(&model.model, &train)?;
            let s = m.summary(train.x(), &y, &options)?;
            Some((as_json(serde_json::to_value(&s)), s.to_string()))
        }
        _ => None,
    })
}

/// The text `ember inspect` prints.
pub fn describe(info: &Value) -> String {
    let get = |k: &str| info.get(k).cloned().unwrap_or(Value::Null);
    let plain = |v: Value| match v {
        Value::String(s) => s,
        Value::Null => "-".into(),
        other => other.to_string(),
    };
    let mut out = format!(
        "run        {}\nmodel      {} ({} parameters)\nfeatures   {}\noutputs    {}\nscaler     {}\nfile       {} bytes (weights {} bytes), ember {}, burn {}\n",
        plain(get("run_dir")),
        plain(get("kind")),
        plain(get("n_params")),
        plain(get("n_features")),
        plain(get("n_outputs")),
        plain(get("scaler")),
        plain(get("model_file_bytes")),
        plain(get("weight_bytes")),
        plain(get("ember_version")),
        plain(get("burn_version")),
    );
    if let Some(d) = info.get("description").and_then(Value::as_str) {
        out.push_str(&format!("about      {d}\n"));
    }
    if let Some(summary) = info.get("summary").filter(|s| !s.is_null()) {
        for split in ["train", "validation", "test"] {
            if let Some(m) = summary.get(split).and_then(Value::as_object) {
                let line: Vec<String> = m
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k} {}",
                            v.as_f64()
                                .map_or_else(|| v.to_string(), |x| format!("{x:.6}"))
                        )
                    })
                    .collect();
                out.push_str(&format!("{split:<10} {}\n", line.join(", ")));
            }
        }
        if let Some(e) = summary.get("epochs").and_then(Value::as_u64) {
            out.push_str(&format!(
                "epochs     {e}, best {}\n",
                plain(summary.get("best_epoch").cloned().unwrap_or(Value::Null))
            ));
        }
    }
    out
}
