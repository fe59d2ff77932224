//! `ember sweep`: one run per point of a grid of settings, and a table ranked by a metric.

use std::path::{Path, PathBuf};

use ember::DeviceChoice;

use ember::models::selection::CrossValidation;

use super::folds::sweep_folds;
use crate::error::RunError;
use crate::report::metric_names;
use crate::run::{RunOptions, Summary, load_experiment, run, write};
use crate::source::ConfigErrors;
use crate::spec::Task;

/// One point of a sweep and how its run went.
#[derive(Debug, Clone)]
pub struct SweepPoint {
    /// The settings of this point (`key.path`, value).
    pub settings: Vec<(String, String)>,
    /// Its run directory.
    pub run_dir: PathBuf,
    /// The run's summary, or why it failed.
    pub outcome: Result<Summary, String>,
}

/// Every combination of the `--grid key=v1,v2,...` values, first key slowest. Commas inside
/// brackets or quotes do not split (`model.mlp_classifier.hidden=[64,32],[128]`).
///
/// ```
/// let points = ember_cli::commands::grid_points(&["a=1,2".into(), "b=[3,4],[5]".into()])?;
/// assert_eq!(points.len(), 4);
/// assert_eq!(points[1], vec![("a".to_string(), "1".to_string()), ("b".to_string(), "[5]".to_string())]);
/// # Ok::<(), ember_cli::RunError>(())
/// ```
pub fn grid_points(grid: &[String]) -> Result<Vec<Vec<(String, String)>>, RunError> {
    let mut points: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for arg in grid {
        let (key, values) = arg
            .split_once('=')
            .ok_or_else(|| RunError::Usage(format!("--grid {arg}: expected key.path=v1,v2,...")))?;
        let values = split_values(values);
        if key.trim().is_empty() || values.iter().any(|v| v.is_empty()) {
            return Err(RunError::Usage(format!(
                "--grid {arg}: expected key.path=v1,v2,... with no empty value"
            )));
        }
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut next = p.clone();
                    next.push((key.trim().to_string(), v.clone()));
                    next
                })
            })
            .collect();
    }
    Ok(points)
}

fn split_values(values: &str) -> Vec<String> {
    let (mut out, mut current, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for c in values.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if depth == 0 && !quoted => {
                out.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current.trim().to_string());
    out
}

/// Runs `config` (with `sets`) at every point of `grid` into `out` (else
/// `runs/<config name>-sweep`), after checking every point's config; returns the points and the
/// ranked table (also written to `sweep.md` in the sweep folder). `metric` ranks the runs
/// (default: accuracy for classifiers, R² for regressors), on the validation set where every
/// run has one, else on the test set. `device` overrides the config's backend.
///
/// With `folds`, every point is scored by cross-validation of its training split instead
/// (mean ± standard deviation over the folds, as scikit-learn's `GridSearchCV`), and only the
/// best point is trained into a run directory (`best/`).
#[allow(clippy::too_many_arguments)]
pub fn sweep(
    config: &Path,
    sets: &[String],
    grid: &[String],
    out: Option<&Path>,
    metric: Option<&str>,
    device: Option<DeviceChoice>,
    folds: Option<CrossValidation>,
    mut announce: impl FnMut(&str),
) -> Result<(Vec<SweepPoint>, String), RunError> {
    let points = grid_points(grid)?;
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for point in &points {
        let mut overrides = sets.to_vec();
        overrides.extend(point.iter().map(|(k, v)| format!("{k}={v}")));
        match load_experiment(config, &overrides) {
            Ok(l) => loaded.push(l),
            Err(e) => errors.extend(
                e.0.into_iter()
                    .filter(|d| !errors.contains(d))
                    .collect::<Vec<_>>(),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(ConfigErrors(errors).into());
    }
    let name = loaded
        .first()
        .map_or_else(|| "sweep".into(), |l| l.name.clone());
    let dir = out.map_or_else(
        || Path::new("runs").join(format!("{name}-sweep")),
        Path::to_path_buf,
    );
    if std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(RunError::RunExists(dir));
    }
    let task = loaded
        .first()
        .map_or(Task::Regression, |l| l.experiment.model.task());
    if let Some(cv) = folds {
        if cv.n_splits < 2 {
            return Err(RunError::Usage(format!(
                "--folds {}: cross-validation needs at least 2 folds",
                cv.n_splits
            )));
        }
        let metric = metric.unwrap_or(default_metric(task));
        if !metric_names(task).contains(&metric) {
            return Err(RunError::Usage(format!(
                "--metric {metric}: a {} reports {}",
                loaded
                    .first()
                    .map_or("model", |l| l.experiment.model.kind()),
                metric_names(task).join(", ")
            )));
        }
        let (refit, table) =
            sweep_folds(points, &loaded, &dir, &cv, metric, device, &mut announce)?;
        write(&dir.join("sweep.md"), table.as_bytes())?;
        return Ok((refit, table));
    }
    let mut results = Vec::new();
    for (i, (point, l)) in points.into_iter().zip(&loaded).enumerate() {
        let label: Vec<String> = point
            .iter()
            .map(|(k, v)| format!("{}={v}", last_key(k)))
            .collect();
        let run_dir = dir.join(format!("{:03}-{}", i + 1, sanitize(&label.join("-"))));
        announce(&format!("sweep point {}: {}", i + 1, label.join(" ")));
        let options = RunOptions {
            out: Some(run_dir.clone()),
            device,
            resume: false,
        };
        let outcome = run(l, &options).map_err(|e| e.to_string());
        results.push(SweepPoint {
            settings: point,
            run_dir,
            outcome,
        });
    }
    let table = table(&mut results, task, metric);
    write(&dir.join("sweep.md"), table.as_bytes())?;
    Ok((results, table))
}

fn last_key(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "=-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// What ranks a sweep unless `--metric` says: accuracy, R² or the silhouette.
fn default_metric(task: Task) -> &'static str {
    match task {
        Task::Classification => "accuracy",
        Task::Regression => "r2",
        Task::Clustering => "silhouette",
    }
}

/// Whether a larger value of `metric` is better.
pub(super) fn larger_is_better(metric: &str) -> bool {
    !(metric.contains("loss") || ["mse", "rmse", "mae", "inertia"].contains(&metric))
}

/// Sorts `results` best first and renders them as a Markdown table.
fn table(results: &mut [SweepPoint], task: Task, metric: Option<&str>) -> String {
    let metric = metric.unwrap_or(default_metric(task));
    let on_validation = results.iter().all(|p| {
        p.outcome.as_ref().is_ok_and(|s| {
            s.validation
                .as_ref()
                .is_some_and(|v| v.contains_key(metric))
        })
    });
    let split = if on_validation { "validation" } else { "test" };
    let value = |p: &SweepPoint| {
        p.outcome.as_ref().ok().and_then(|s| {
            let m = if on_validation {
                s.validation.as_ref()?
            } else {
                &s.test
            };
            m.get(metric).copied().filter(|v| v.is_finite())
        })
    };
    let better = larger_is_better(metric);
    results.sort_by(|a, b| {
        let (x, y) = (value(a), value(b));
        match (x, y) {
            (Some(x), Some(y)) if better => y.total_cmp(&x),
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
    let keys: Vec<String> = results
        .first()
        .map(|p| p.settings.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let mut out = format!(
        "Ranked by {split} {metric} ({} is better){}\n\n| rank | {} | validation {metric} | test {metric} | run |\n|---|{}---|---|---|\n",
        if better { "larger" } else { "smaller" },
        if on_validation {
            ""
        } else {
            "; not every run has a validation set (data.validation_fraction), so the test set ranks them"
        },
        keys.join(" | "),
        "---|".repeat(keys.len()),
    );
    for (rank, p) in results.iter().enumerate() {
        let cell = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.6}"));
        let summary = p.outcome.as_ref().ok();
        let valid = summary.and_then(|s| s.validation.as_ref()?.get(metric).copied());
        let test = summary.and_then(|s| s.test.get(metric).copied());
        let settings: Vec<&str> = p.settings.iter().map(|(_, v)| v.as_str()).collect();
        let run = match &p.outcome {
            Ok(_) => p.run_dir.display().to_string(),
            Err(e) => format!("{} (failed: {e})", p.run_dir.display()),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {run} |\n",
            rank + 1,
            settings.join(" | "),
            cell(valid),
            cell(test),
        ));
    }
    out
}
