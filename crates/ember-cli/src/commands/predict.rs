//! `ember predict`: predictions (and class probabilities) for new rows of a CSV file.

use std::path::Path;

use ember::DeviceChoice;
use ember::data::Matrix;
use ember::data::csv::read_features;

use ember::model_file::ModelFile;

use super::input::{Input, align, reading_options};
use super::open_run;
use crate::error::RunError;
use ember::core::{argmax_rows, argmin_rows};
use ember::models::Task;

/// A table of predictions: a header and one row per input row.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// Column names: the targets for a regressor; `class` and `proba_<class>` for a classifier.
    pub header: Vec<String>,
    /// The cells, as they are written.
    pub rows: Vec<Vec<String>>,
}

impl Predictions {
    /// The table as CSV text.
    ///
    /// ```
    /// let p = ember_cli::commands::Predictions { header: vec!["y".into()], rows: vec![vec!["1.5".into()]] };
    /// assert_eq!(p.to_csv(), "y\n1.5\n");
    /// ```
    pub fn to_csv(&self) -> String {
        let line = |cells: &[String]| cells.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",");
        let mut out = line(&self.header);
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }
}

fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// Predictions of the model in `run_dir` for every row of `input` (a CSV file), in order: its
/// feature columns are matched to the model's by name, in any order (by position in a headerless
/// file; target columns it has are left out). A row the model cannot take (a missing value, a
/// non-number) is an error naming its line. The id column (`input.id`, else the training
/// file's when this file has it) is copied into the output first.
pub fn predict(
    run_dir: &Path,
    input: &Input<'_>,
    device: Option<DeviceChoice>,
) -> Result<Predictions, RunError> {
    let (_, model) = open_run(run_dir, device)?;
    let options = reading_options(&model, input, false)?;
    let rows = read_features::<f64>(input.path, &options)?;
    for note in &rows.notes {
        eprintln!("ember: note: {note}");
    }
    let x = align(rows.x, &rows.names, &model.feature_names, input.path)?;
    let mut table = match model.model.task() {
        Task::Classification => classes(&model, &x)?,
        Task::Clustering => clusters(&model, &x)?,
        Task::Regression => values(&model, &x)?,
    };
    if let (Some(ids), Some(column)) = (rows.ids, &options.id) {
        table
            .header
            .insert(0, column.to_string().trim_matches('`').to_string());
        for (row, id) in table.rows.iter_mut().zip(ids) {
            row.insert(0, id);
        }
    }
    Ok(table)
}

/// A number as a CSV cell: shortest round-trip digits, in exponent form when it is very small
/// or very large (`1e-220`, not 220 zeros).
fn cell(v: f64) -> String {
    if v != 0.0 && !(1e-5..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// The class and class probabilities of each row.
fn classes(model: &ModelFile, x: &Matrix) -> Result<Predictions, RunError> {
    let proba = model.predict_proba(x)?;
    let k = proba.n_cols();
    let classes: Vec<String> = match model.model.labels() {
        Some(l) => l.classes().to_vec(),
        None => (0..k).map(|c| c.to_string()).collect(),
    };
    let mut header = vec!["class".to_string()];
    header.extend(classes.iter().map(|c| format!("proba_{c}")));
    let rows = argmax_rows(proba.as_slice(), k)
        .into_iter()
        .zip(proba.as_slice().chunks(k))
        .map(|(c, p)| {
            std::iter::once(classes.get(c).cloned().unwrap_or_else(|| c.to_string()))
                .chain(p.iter().map(|&v| cell(v)))
                .collect()
        })
        .collect();
    Ok(Predictions { header, rows })
}

/// The nearest centre of each row, and its squared distance to every centre.
fn clusters(model: &ModelFile, x: &Matrix) -> Result<Predictions, RunError> {
    let distances = model.model.outputs(model.preprocess(x)?)?;
    let k = distances.n_cols();
    let mut header = vec!["cluster".to_string()];
    header.extend((0..k).map(|c| format!("distance2_{c}")));
    let rows = argmin_rows(distances.as_slice(), k)
        .into_iter()
        .zip(distances.rows())
        .map(|(c, d)| {
            std::iter::once(c.to_string())
                .chain(d.iter().map(|&v| cell(v)))
                .collect()
        })
        .collect();
    Ok(Predictions { header, rows })
}

/// The predicted values of each row, one column per target.
fn values(model: &ModelFile, x: &Matrix) -> Result<Predictions, RunError> {
    let pred = model.predict(x)?;
    let header = if model.target_names.len() == pred.n_cols() {
        model.target_names.clone()
    } else {
        (0..pred.n_cols())
            .map(|k| format!("prediction_{k}"))
            .collect()
    };
    let rows = pred
        .as_slice()
        .chunks(pred.n_cols())
        .map(|r| r.iter().map(|&v| cell(v)).collect())
        .collect();
    Ok(Predictions { header, rows })
}
