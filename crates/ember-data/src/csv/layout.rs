//! Which columns of a file are features and which are targets, resolved against its header.

use super::options::{Column, CsvOptions, Missing, TargetKind};
use super::records::Fields;
use crate::DataError;

/// The columns to read, by position, and how.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub file: String,
    /// Line whose width every record must have.
    pub width_line: usize,
    /// Whether the first record is a header.
    pub header: bool,
    pub names: Vec<String>,
    pub features: Vec<usize>,
    pub targets: Vec<usize>,
    pub labels: bool,
    pub missing: Missing,
}

/// Whether the text is a missing value: empty, `NA`, `N/A`, `NaN`, `nan`, `null`, `NULL`.
pub(crate) fn is_missing(field: &[u8]) -> bool {
    matches!(
        field,
        b"" | b"NA" | b"N/A" | b"NaN" | b"nan" | b"null" | b"NULL"
    )
}

/// Whether every field of a first record looks like a column name.
pub(crate) fn looks_like_header(fields: &Fields<'_>) -> bool {
    (0..fields.len()).all(|j| {
        let f = fields.get(j);
        !is_missing(f) && std::str::from_utf8(f).is_ok_and(|s| s.parse::<f64>().is_err())
    })
}

/// What a target column of the first data record says about the target kind.
fn first_target_is_text(fields: Option<&Fields<'_>>, column: usize) -> bool {
    fields.is_some_and(|f| {
        let v = f.get(column);
        !is_missing(v) && std::str::from_utf8(v).map_or(true, |s| s.parse::<f64>().is_err())
    })
}

impl Layout {
    /// Resolves `options` against the column `names`. `with_targets`: whether targets are read
    /// (for a training file) or only left out of the features (for a file to predict on, which
    /// need not have them).
    pub fn resolve(
        file: &str,
        line: usize,
        header: bool,
        names: Vec<String>,
        options: &CsvOptions,
        with_targets: bool,
        first_row: Option<&Fields<'_>>,
    ) -> Result<Self, DataError> {
        let column_error = |message: String| DataError::Column {
            file: file.into(),
            line,
            message,
        };
        if let Some(j) = (0..names.len()).find(|&j| names[..j].contains(&names[j])) {
            let first = names[..j].iter().position(|n| *n == names[j]).unwrap_or(0);
            return Err(DataError::Parse {
                file: file.into(),
                line,
                column: j + 1,
                message: format!(
                    "duplicate column name `{}` (also column {})",
                    names[j],
                    first + 1
                ),
            });
        }
        let find = |c: &Column| -> Result<usize, DataError> {
            find_column(&names, c).map_err(column_error)
        };
        let mut targets = Vec::new();
        if with_targets {
            if options.targets.is_empty() {
                targets.push(names.len() - 1);
            }
            for c in &options.targets {
                targets.push(find(c)?);
            }
        } else {
            // A file to predict on may or may not have the target columns: leave out those it has.
            for c in &options.targets {
                if let Ok(j) = find_column(&names, c) {
                    targets.push(j);
                }
            }
        }
        let excluded: Vec<usize> = options.exclude.iter().map(find).collect::<Result<_, _>>()?;
        let features: Vec<usize> = match &options.features {
            Some(list) => list.iter().map(find).collect::<Result<_, _>>()?,
            None => (0..names.len())
                .filter(|j| !targets.contains(j) && !excluded.contains(j))
                .collect(),
        };
        for (k, &j) in features.iter().enumerate() {
            if features[..k].contains(&j) {
                return Err(column_error(format!(
                    "column `{}` is listed twice as a feature",
                    names[j]
                )));
            }
            if with_targets && targets.contains(&j) {
                return Err(column_error(format!(
                    "column `{}` is both a feature and a target",
                    names[j]
                )));
            }
        }
        if features.is_empty() {
            return Err(column_error(format!(
                "no feature columns are left (columns: {})",
                names.join(", ")
            )));
        }
        let labels = with_targets
            && match options.target_kind {
                TargetKind::Numeric => false,
                TargetKind::Labels => true,
                TargetKind::Auto => targets.iter().any(|&j| first_target_is_text(first_row, j)),
            };
        if labels && targets.len() != 1 {
            return Err(column_error(format!(
                "class labels need exactly one target column, {} are given",
                targets.len()
            )));
        }
        Ok(Self {
            file: file.into(),
            width_line: line,
            header,
            names,
            features,
            targets: if with_targets { targets } else { Vec::new() },
            labels,
            missing: options.missing,
        })
    }
}

fn find_column(names: &[String], column: &Column) -> Result<usize, String> {
    let n = names.len();
    match column {
        Column::Index(i) => {
            let j = if *i < 0 { n as i64 + i } else { *i };
            usize::try_from(j).ok().filter(|&j| j < n).ok_or_else(|| {
                format!("column index {i} is out of range: the file has {n} columns")
            })
        }
        Column::Name(name) => names.iter().position(|c| c == name).ok_or_else(|| {
            let hint = crate::names::did_you_mean(name, names.iter().map(String::as_str))
                .map(|s| format!(", did you mean `{s}`?"))
                .unwrap_or_default();
            format!(
                "no column named `{name}`{hint} (columns: {})",
                names.join(", ")
            )
        }),
    }
}
