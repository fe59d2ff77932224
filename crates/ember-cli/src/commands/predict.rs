//! `ember predict`: predictions (and class probabilities) for new rows of a CSV file.

use std::path::Path;

use ember::DeviceChoice;
use ember::data::Matrix;
use ember::data::csv::read_features;

use super::{column_options, open_run};
use crate::error::RunError;
use crate::report::argmax_rows;

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

/// Predictions of the model in `run_dir` for the rows of `input` (a CSV file): its feature
/// columns are chosen as in training (target columns it has are left out; named columns are
/// matched by name, in any order).
pub fn predict(
    run_dir: &Path,
    input: &Path,
    device: Option<DeviceChoice>,
) -> Result<Predictions, RunError> {
    let (_, model) = open_run(run_dir, device)?;
    let options = column_options(&model);
    let (x, names) = read_features::<f64>(input, &options)?;
    let x = align(x, &names, &model.feature_names, input)?;
    if model.model.is_classifier() {
        let proba = model.predict_proba(&x)?;
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
                    .chain(p.iter().map(|v| v.to_string()))
                    .collect()
            })
            .collect();
        return Ok(Predictions { header, rows });
    }
    let pred = model.predict(&x)?;
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
        .map(|r| r.iter().map(|v| v.to_string()).collect())
        .collect();
    Ok(Predictions { header, rows })
}

/// The columns of `x` (named `names`) in the model's feature order.
fn align(
    x: Matrix,
    names: &[String],
    features: &[String],
    input: &Path,
) -> Result<Matrix, RunError> {
    if names == features || features.is_empty() {
        return check_width(x, names, features.len().max(names.len()), features, input);
    }
    let positions: Option<Vec<usize>> = features
        .iter()
        .map(|f| names.iter().position(|n| n == f))
        .collect();
    if let Some(positions) = positions {
        return Ok(Matrix::from_fn(x.n_rows(), positions.len(), |i, j| {
            x.get(i, positions[j])
        }));
    }
    let headerless = names.iter().enumerate().all(|(j, n)| *n == format!("x{j}"));
    if headerless {
        return check_width(x, names, features.len(), features, input);
    }
    let missing: Vec<&str> = features
        .iter()
        .filter(|f| !names.contains(f))
        .map(String::as_str)
        .collect();
    Err(RunError::Data(format!(
        "{}: the model's feature columns {} are missing (the file has {})",
        input.display(),
        missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", "),
        names.join(", ")
    )))
}

fn check_width(
    x: Matrix,
    names: &[String],
    expected: usize,
    features: &[String],
    input: &Path,
) -> Result<Matrix, RunError> {
    if x.n_cols() == expected {
        return Ok(x);
    }
    Err(RunError::Data(format!(
        "{}: {} feature columns ({}), but the model takes {expected}{}",
        input.display(),
        x.n_cols(),
        names.join(", "),
        if features.is_empty() {
            String::new()
        } else {
            format!(" ({})", features.join(", "))
        }
    )))
}
