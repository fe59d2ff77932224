//! `ember sweep --folds K`: every point of the grid scored by K-fold cross-validation of its
//! training split, ranked by the mean as scikit-learn's `GridSearchCV` ranks
//! (`mean_test_score`, `std_test_score`), and the best point refitted on the whole split.

use std::path::Path;

use ember::DeviceChoice;
use ember::data::Dataset;
use ember::model_file::ModelFile;
use ember::models::selection::{CrossValidation, CvScores};

use super::sweep::{SweepPoint, larger_is_better};
use crate::data::{fit_scaler, load_splits};
use crate::error::RunError;
use crate::report::evaluate;
use crate::run::{Loaded, RunOptions, run};

/// The cross-validated `metric` of one experiment: its training split cut into folds
/// (stratified for a classifier), the scaler and the model fitted on each fold's training rows
/// (watching the validation split, if the data holds one out) and scored on its other rows.
pub fn cross_validate(
    loaded: &Loaded,
    cv: &CrossValidation,
    metric: &str,
    device: Option<DeviceChoice>,
) -> Result<CvScores, RunError> {
    let e = &loaded.experiment;
    let device = device.unwrap_or(e.device).device()?;
    let splits = load_splits(&e.data, e.model.task(), Path::new(""))?;
    let mut spec = e.model.clone();
    if let Some(run) = spec.run_mut() {
        *run = ember::train::RunOptions::quiet();
    }
    let estimator = spec.estimator();
    let mut scores = Vec::with_capacity(cv.n_splits);
    for (train, test) in cv.folds(&splits.train, estimator.task())? {
        let (train, test) = (splits.train.select(&train), splits.train.select(&test));
        let scaler = fit_scaler(e.data.scale, train.x())?;
        let scale = |d: &Dataset| match &scaler {
            Some(s) => d.clone().with_x(s.transform(d.x())?),
            None => Ok(d.clone()),
        };
        // The validation split (data.validation_fraction) is apart from every fold: networks
        // watch it for early stopping as in a plain run.
        let valid = splits.valid.as_ref().map(&scale).transpose()?;
        let model = estimator.fit_model(&scale(&train)?, valid.as_ref(), &device)?;
        let metrics = evaluate(&ModelFile::new(model, scaler, &train, None), &test)?;
        let value = metrics.get(metric).copied().ok_or_else(|| {
            let known: Vec<&str> = metrics.keys().map(String::as_str).collect();
            RunError::Usage(format!(
                "--metric {metric}: a {} reports {}",
                spec.kind(),
                known.join(", ")
            ))
        })?;
        scores.push(value);
    }
    Ok(CvScores { scores })
}

/// A grid point's settings and its cross-validated scores (or why they failed).
pub struct CvPoint {
    /// The settings (`key.path`, value).
    pub settings: Vec<(String, String)>,
    /// The scores, or the error.
    pub scores: Result<CvScores, String>,
}

/// Cross-validates every point, ranks them best first, refits the best on its whole training
/// split into `dir/best`; returns that run and the table.
pub fn sweep_folds(
    points: Vec<Vec<(String, String)>>,
    loaded: &[Loaded],
    dir: &Path,
    cv: &CrossValidation,
    metric: &str,
    device: Option<DeviceChoice>,
    announce: &mut impl FnMut(&str),
) -> Result<(Vec<SweepPoint>, String), RunError> {
    let mut results: Vec<(CvPoint, &Loaded)> = Vec::new();
    for (i, (settings, l)) in points.into_iter().zip(loaded).enumerate() {
        let label: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
        announce(&format!(
            "sweep point {} ({} folds): {}",
            i + 1,
            cv.n_splits,
            label.join(" ")
        ));
        let scores = cross_validate(l, cv, metric, device).map_err(|e| e.to_string());
        results.push((CvPoint { settings, scores }, l));
    }
    let better = larger_is_better(metric);
    // A point whose mean is not finite (a diverged fold) ranks with the failures.
    let mean = |p: &CvPoint| {
        p.scores
            .as_ref()
            .ok()
            .map(CvScores::mean)
            .filter(|m| m.is_finite())
    };
    results.sort_by(|(a, _), (b, _)| match (mean(a), mean(b)) {
        (Some(x), Some(y)) if better => y.total_cmp(&x),
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut table = cv_table(&results, cv, metric, better);
    let mut refit = Vec::new();
    if let Some((best, l)) = results.first().filter(|(p, _)| p.scores.is_ok()) {
        let run_dir = dir.join("best");
        announce(&format!(
            "refitting the best point on the whole training split into {}",
            run_dir.display()
        ));
        let options = RunOptions {
            out: Some(run_dir.clone()),
            device,
            resume: false,
        };
        let outcome = run(l, &options).map_err(|e| e.to_string());
        if let Err(e) = &outcome {
            table.push_str(&format!("\nrefitting the best point failed: {e}\n"));
        }
        refit.push(SweepPoint {
            settings: best.settings.clone(),
            run_dir,
            outcome,
        });
    }
    Ok((refit, table))
}

/// The ranked Markdown table: mean ± standard deviation over folds per point.
fn cv_table(
    results: &[(CvPoint, &Loaded)],
    cv: &CrossValidation,
    metric: &str,
    better: bool,
) -> String {
    let keys: Vec<&str> = results
        .first()
        .map(|(p, _)| p.settings.iter().map(|(k, _)| k.as_str()).collect())
        .unwrap_or_default();
    let mut out = format!(
        "Ranked by mean {metric} over {} folds of the training split ({} is better); the best point is refitted into best/\n\n| rank | {} | mean {metric} | std {metric} | folds |\n|---|{}---|---|---|\n",
        cv.n_splits,
        if better { "larger" } else { "smaller" },
        keys.join(" | "),
        "---|".repeat(keys.len()),
    );
    for (rank, (p, _)) in results.iter().enumerate() {
        let settings: Vec<&str> = p.settings.iter().map(|(_, v)| v.as_str()).collect();
        let (mean, std, folds) = match &p.scores {
            Ok(s) => (
                format!("{:.6}", s.mean()),
                format!("{:.6}", s.std()),
                s.scores
                    .iter()
                    .map(|v| format!("{v:.6}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Err(e) => ("-".into(), "-".into(), format!("failed: {e}")),
        };
        out.push_str(&format!(
            "| {} | {} | {mean} | {std} | {folds} |\n",
            rank + 1,
            settings.join(" | "),
        ));
    }
    out
}
