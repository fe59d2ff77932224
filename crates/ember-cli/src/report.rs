//! Metrics of a trained model on a data set, and the plots of a run.

use std::collections::BTreeMap;
use std::path::Path;

use ember::core::{argmax_rows, argmin_rows};
use ember::data::{Dataset, class_index};
use ember::metrics::{
    Average, ConfusionMatrix, Multioutput, RegressionMetric, accuracy_score, adjusted_rand_score,
    balanced_accuracy_score, f1_score, log_loss, silhouette_score,
};
use ember::model_file::ModelFile;
use ember::models::{FitError, FittedModel, Task};
use ember::plot::{Heatmap, ScatterLine};

use crate::error::RunError;
use crate::spec::Task as CliTask;

/// Metric name → value.
pub type Metrics = BTreeMap<String, f64>;

/// The class index (in the model's numbering) of each sample of `data`; class names are
/// matched by name when both the model and the data have them.
pub fn true_classes(model: &FittedModel, data: &Dataset) -> Result<Vec<usize>, RunError> {
    let y = data.y().as_slice();
    let k = model.n_outputs();
    let as_index = |i: usize, v: f64| {
        class_index(v, k).ok_or_else(|| {
            RunError::Data(format!(
                "row {i}: target {v} is not a class of the model (0..{k})"
            ))
        })
    };
    match (model.labels(), data.labels()) {
        (Some(model_labels), Some(data_labels)) => y
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let name = data_labels.decode(v as usize).unwrap_or_default();
                model_labels.encode(name).ok_or_else(|| {
                    RunError::Data(format!(
                        "row {i}: class `{name}` was not among the training classes ({})",
                        model_labels.classes().join(", ")
                    ))
                })
            })
            .collect(),
        _ => y.iter().enumerate().map(|(i, &v)| as_index(i, v)).collect(),
    }
}

/// The metrics [`evaluate`] reports for a model of `task` (`adjusted_rand` only where the data
/// has classes).
///
/// ```
/// use ember_cli::Task;
/// assert!(ember_cli::metric_names(Task::Clustering).contains(&"silhouette"));
/// ```
pub fn metric_names(task: CliTask) -> &'static [&'static str] {
    match task {
        CliTask::Regression => &["r2", "mse", "rmse", "mae", "explained_variance"],
        CliTask::Classification => &["accuracy", "balanced_accuracy", "f1_macro", "log_loss"],
        CliTask::Clustering => &["inertia", "silhouette", "adjusted_rand"],
    }
}

/// scikit-learn's metrics of `model` on `data`: R², MSE, RMSE, MAE and explained variance for
/// a regressor; accuracy, balanced accuracy, macro F1 and log loss for a classifier; inertia,
/// silhouette and adjusted Rand index for a clustering.
pub fn evaluate(model: &ModelFile, data: &Dataset) -> Result<Metrics, RunError> {
    let mut m = Metrics::new();
    if model.model.task() == Task::Clustering {
        return clustering(model, data);
    }
    if model.model.is_classifier() {
        let truth = true_classes(&model.model, data)?;
        let proba = model.predict_proba(data.x())?;
        let pred = argmax_rows(proba.as_slice(), proba.n_cols());
        m.insert("accuracy".into(), accuracy_score(&truth, &pred)?);
        m.insert(
            "balanced_accuracy".into(),
            balanced_accuracy_score(&truth, &pred)?,
        );
        m.insert("f1_macro".into(), f1_score(&truth, &pred, Average::Macro)?);
        m.insert(
            "log_loss".into(),
            log_loss(&truth, proba.as_slice(), proba.n_cols())?,
        );
    } else {
        let pred = model.predict(data.x())?;
        let k = pred.n_cols();
        if data.y().n_cols() != k {
            return Err(FitError::TargetCount {
                expected: k,
                got: data.y().n_cols(),
            }
            .into());
        }
        let (t, p) = (data.y().as_slice(), pred.as_slice());
        for (name, metric) in [
            ("r2", RegressionMetric::R2),
            ("mse", RegressionMetric::MeanSquaredError),
            ("rmse", RegressionMetric::RootMeanSquaredError),
            ("mae", RegressionMetric::MeanAbsoluteError),
            ("explained_variance", RegressionMetric::ExplainedVariance),
        ] {
            m.insert(
                name.into(),
                metric.score(t, p, k, Multioutput::UniformAverage)?,
            );
        }
    }
    Ok(m)
}

/// Rows the silhouette is computed on at most (it costs `n²` distances): a larger split is
/// scored on this many rows evenly spaced through it (scikit-learn's `sample_size` samples
/// at random).
const SILHOUETTE_ROWS: usize = 10_000;

/// The metrics of a clustering on `data`: its inertia (the sum of squared distances of the
/// rows to their centres), the silhouette score, and the adjusted Rand index against the
/// data's classes when it has them.
fn clustering(model: &ModelFile, data: &Dataset) -> Result<Metrics, RunError> {
    let x = model.preprocess(data.x())?;
    let distances = model.model.outputs(&*x)?;
    let k = distances.n_cols();
    let clusters = argmin_rows(distances.as_slice(), k);
    let inertia = distances
        .rows()
        .zip(&clusters)
        .map(|(r, &c)| r[c])
        .sum::<f64>();
    let mut m = Metrics::from([("inertia".to_string(), inertia)]);
    let n = x.n_rows();
    let rows: Vec<usize> = if n > SILHOUETTE_ROWS {
        (0..SILHOUETTE_ROWS)
            .map(|i| i * n / SILHOUETTE_ROWS)
            .collect()
    } else {
        (0..n).collect()
    };
    let sample = x.select_rows(&rows);
    let labels: Vec<usize> = rows.iter().map(|&i| clusters[i]).collect();
    // Undefined for one cluster or one row per cluster (scikit-learn raises): left out.
    if let Ok(s) = silhouette_score(sample.as_slice(), sample.n_cols(), &labels) {
        m.insert("silhouette".into(), s);
    }
    if let Some(truth) = data.classes() {
        m.insert(
            "adjusted_rand".into(),
            adjusted_rand_score(&truth, &clusters)?,
        );
    }
    Ok(m)
}

/// Plots of `model` on the test set into `dir`: the confusion matrix of a classifier; the
/// fitted line of a linear model on one feature, else predicted against actual values.
/// Returns the files written.
pub fn plot(model: &ModelFile, test: &Dataset, dir: &Path) -> Result<Vec<String>, RunError> {
    let mut written = Vec::new();
    if model.model.task() == Task::Clustering {
        return Ok(written);
    }
    if model.model.is_classifier() {
        let truth = true_classes(&model.model, test)?;
        let pred = model.predict(test.x())?;
        let pred: Vec<usize> = pred.as_slice().iter().map(|&v| v as usize).collect();
        let k = model.model.n_outputs();
        let cm = ConfusionMatrix::from_predictions(&truth, &pred, k)?;
        let counts: Vec<f64> = cm.counts().iter().map(|&c| c as f64).collect();
        let names: Vec<String> = match model.model.labels() {
            Some(l) => l.classes().to_vec(),
            None => (0..k).map(|c| c.to_string()).collect(),
        };
        let map = Heatmap::new("Confusion matrix (test set)", &counts, k, k)?
            .with_names(&names, &names)
            .with_axis_labels("predicted class", "true class");
        for ext in ["png", "svg"] {
            let file = format!("confusion_matrix.{ext}");
            map.save(&dir.join(&file))?;
            written.push(file);
        }
        return Ok(written);
    }
    let pred = model.predict(test.x())?;
    let actual: Vec<f64> = column(test.y().as_slice(), test.y().n_cols());
    let predicted: Vec<f64> = column(pred.as_slice(), pred.n_cols());
    let linear = matches!(model.model, FittedModel::LinearRegression(_));
    if linear && test.x().n_cols() == 1 {
        let x = test.x().as_slice();
        let (lo, hi) = x
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let ends = ember::data::Matrix::column(vec![lo, hi]);
        let line = model.predict(&ends)?;
        let plot = ScatterLine::new(
            "Fitted line (test set)",
            x,
            &actual,
            [(lo, line.get(0, 0)), (hi, line.get(1, 0))],
        )
        .with_axis_labels(
            name_or(test.feature_names(), "x"),
            name_or(test.target_names(), "y"),
        );
        for ext in ["png", "svg"] {
            let file = format!("fitted_line.{ext}");
            plot.save(&dir.join(&file))?;
            written.push(file);
        }
    } else {
        let (lo, hi) = actual
            .iter()
            .chain(&predicted)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let plot = ScatterLine::new(
            "Predicted against actual (test set)",
            &actual,
            &predicted,
            [(lo, lo), (hi, hi)],
        )
        .with_axis_labels("actual", "predicted")
        .with_legend("test samples", "predicted = actual");
        for ext in ["png", "svg"] {
            let file = format!("predicted_vs_actual.{ext}");
            plot.save(&dir.join(&file))?;
            written.push(file);
        }
    }
    Ok(written)
}

/// The first column of a row-major matrix of `width` columns.
fn column(values: &[f64], width: usize) -> Vec<f64> {
    values.iter().step_by(width.max(1)).copied().collect()
}

fn name_or(names: &[String], default: &str) -> String {
    names.first().cloned().unwrap_or_else(|| default.into())
}
