//! Reading a file other than the training file for a trained model (`eval --data`, `predict
//! --input`): its columns matched to the model's by name, none of the training file's
//! one-off settings applied.

use std::path::Path;

use ember::data::Matrix;
use ember::data::csv::{Column, CsvOptions, Missing, column_names};
use ember::model_file::ModelFile;

use crate::error::RunError;

/// A CSV file of rows for a trained model, and how to read it.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The file.
    pub path: &'a Path,
    /// A column to copy into `predict`'s output (default: the training file's `id` column,
    /// when this file has it).
    pub id: Option<&'a str>,
    /// Lines to skip at the top (the training file's `skip_lines` is about that file alone).
    pub skip_lines: usize,
}

impl<'a> Input<'a> {
    /// The file at `path`, read as it is.
    ///
    /// ```
    /// let input = ember_cli::commands::Input::new("rows.csv".as_ref());
    /// assert_eq!((input.id, input.skip_lines), (None, 0));
    /// ```
    pub fn new(path: &'a Path) -> Self {
        Self {
            path,
            id: None,
            skip_lines: 0,
        }
    }
}

/// How to read `input` for `model`: the training file's delimiter, header, encoding and
/// missing-value markers; the model's targets by name (read when `with_targets`, else left
/// out where the file has them); the model's features by name when the file's first line has
/// them all (in any order, whatever else it has), else every other column by position for a
/// headerless file. A missing value is an error naming its line, never a dropped row.
pub(crate) fn reading_options(
    model: &ModelFile,
    input: &Input<'_>,
    with_targets: bool,
) -> Result<CsvOptions, RunError> {
    let mut options = model.csv_options.clone().unwrap_or_default();
    options.skip_lines = input.skip_lines;
    options.missing = Missing::Error;
    options.targets = model
        .target_names
        .iter()
        .map(|n| n.as_str().into())
        .collect();
    options.exclude.retain(|c| matches!(c, Column::Index(_)));
    options.features = None;
    options.id = match input.id {
        Some(id) => Some(id.into()),
        None => training_id(options.id.take(), input.path, &options)?,
    };
    let named = model
        .feature_names
        .iter()
        .enumerate()
        .any(|(j, n)| *n != format!("x{j}"));
    if named {
        let mut by_name = options.clone();
        by_name.features = Some(
            model
                .feature_names
                .iter()
                .map(|n| n.as_str().into())
                .collect(),
        );
        if !with_targets {
            by_name.targets.clear();
        }
        if column_names(input.path, &by_name).is_ok() {
            return Ok(by_name);
        }
    }
    Ok(options)
}

/// The training file's id column, when `path` has it too.
fn training_id(
    id: Option<Column>,
    path: &Path,
    options: &CsvOptions,
) -> Result<Option<Column>, RunError> {
    let Some(Column::Name(name)) = id else {
        return Ok(None);
    };
    let names = column_names(path, options)?;
    Ok(names.contains(&name).then_some(Column::Name(name)))
}

/// The columns of `x` (named `names`, read from `input`) in the model's feature order: by
/// name, or by position when the file has no header.
pub(crate) fn align(
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
    let missing: Vec<String> = features
        .iter()
        .filter(|f| !names.contains(f))
        .map(|m| format!("`{m}`"))
        .collect();
    Err(RunError::Data(format!(
        "{}: the model's feature columns {} are missing (the file has {})",
        input.display(),
        missing.join(", "),
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
