//! Which columns of a file are features and which are targets, resolved against its header.

use super::options::{Column, CsvOptions, Decimal, Encoding, Missing, TargetKind};
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
    /// The column of row ids, when one is read.
    pub id: Option<usize>,
    /// A column that must be empty on every line (after a trailing delimiter).
    pub trailing: Option<usize>,
    /// `Numeric`, `Labels`, or `Auto` (one target, decided from the whole column).
    pub target_kind: TargetKind,
    pub missing: Missing,
    /// Markers of missing values besides the built-in ones.
    pub missing_values: Vec<Vec<u8>>,
    pub encoding: Encoding,
    pub decimal: Decimal,
}

/// The built-in missing values, pandas' default `na_values`.
pub(crate) const BUILTIN_MISSING: [&[u8]; 19] = [
    b"",
    b"NA",
    b"N/A",
    b"n/a",
    b"NaN",
    b"nan",
    b"-NaN",
    b"-nan",
    b"null",
    b"NULL",
    b"None",
    b"<NA>",
    b"#N/A",
    b"#N/A N/A",
    b"#NA",
    b"-1.#IND",
    b"-1.#QNAN",
    b"1.#IND",
    b"1.#QNAN",
];

/// Whether the text is one of the [`BUILTIN_MISSING`] values (none is longer than 8 bytes:
/// most numbers are, and are told apart at once).
pub(crate) fn is_builtin_missing(field: &[u8]) -> bool {
    field.len() <= 8 && BUILTIN_MISSING.contains(&field)
}

/// A file's column names and what was decided about its first line.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    pub names: Vec<String>,
    /// Columns without a name (an empty header cell, or a headerless file's empty last
    /// column): never features or default targets.
    pub unnamed: Vec<usize>,
    /// The empty last column of lines that end with a delimiter: it must stay empty.
    pub trailing: Option<usize>,
    pub header: bool,
    /// Why the first line was read as data though it has text, when that was a guess.
    pub not_a_header: Option<String>,
}

impl Layout {
    /// Resolves `options` against the `columns`. `with_targets`: whether targets are read
    /// (for a training file) or only left out of the features (for a file to predict on, which
    /// need not have them).
    pub fn resolve(
        file: &str,
        line: usize,
        columns: &Columns,
        options: &CsvOptions,
        with_targets: bool,
    ) -> Result<Self, DataError> {
        let names = &columns.names;
        check_unique(file, line, names)?;
        let column_error = |message: String| DataError::Column {
            file: file.into(),
            line,
            message,
        };
        let find = |c: &Column| -> Result<usize, DataError> {
            find_column(columns, c).map_err(column_error)
        };
        let targets = target_columns(columns, options, with_targets, find)?;
        let id = options.id.as_ref().map(find).transpose()?;
        let mut excluded: Vec<usize> =
            options.exclude.iter().map(find).collect::<Result<_, _>>()?;
        excluded.extend(id);
        let features: Vec<usize> = match &options.features {
            Some(list) => list.iter().map(find).collect::<Result<_, _>>()?,
            None => (0..names.len())
                .filter(|j| {
                    !targets.contains(j) && !excluded.contains(j) && !columns.unnamed.contains(j)
                })
                .collect(),
        };
        check_features(&features, &targets, id, names, with_targets).map_err(column_error)?;
        let target_kind = match options.target_kind {
            TargetKind::Auto if targets.len() != 1 => TargetKind::Numeric,
            kind => kind,
        };
        if with_targets && target_kind == TargetKind::Labels && targets.len() != 1 {
            return Err(column_error(format!(
                "class labels need exactly one target column, {} are given",
                targets.len()
            )));
        }
        Ok(Self {
            file: file.into(),
            width_line: line,
            header: columns.header,
            names: names.clone(),
            features,
            targets: if with_targets { targets } else { Vec::new() },
            id,
            trailing: columns.trailing,
            target_kind,
            missing: options.missing,
            missing_values: options
                .missing_values
                .iter()
                .map(|m| m.trim().as_bytes().to_vec())
                .collect(),
            encoding: options.encoding,
            decimal: options.decimal,
        })
    }

    /// Whether `field` marks a missing value.
    pub fn is_missing(&self, field: &[u8]) -> bool {
        is_builtin_missing(field) || self.missing_values.iter().any(|m| m == field)
    }
}

fn check_unique(file: &str, line: usize, names: &[String]) -> Result<(), DataError> {
    let Some(j) = (0..names.len()).find(|&j| names[..j].contains(&names[j])) else {
        return Ok(());
    };
    let first = names[..j].iter().position(|n| *n == names[j]).unwrap_or(0);
    Err(DataError::Parse {
        file: file.into(),
        line,
        column: j + 1,
        message: format!(
            "duplicate column name `{}` (also column {})",
            names[j],
            first + 1
        ),
    })
}

/// The target columns: those named (a file to predict on leaves out those it has), else the
/// last named column.
fn target_columns(
    columns: &Columns,
    options: &CsvOptions,
    with_targets: bool,
    find: impl Fn(&Column) -> Result<usize, DataError>,
) -> Result<Vec<usize>, DataError> {
    if !with_targets {
        return Ok(options
            .targets
            .iter()
            .filter_map(|c| find_column(columns, c).ok())
            .collect());
    }
    if options.targets.is_empty() {
        let last = (0..columns.names.len())
            .rev()
            .find(|j| !columns.unnamed.contains(j));
        return Ok(last.into_iter().collect());
    }
    options.targets.iter().map(find).collect()
}

fn check_features(
    features: &[usize],
    targets: &[usize],
    id: Option<usize>,
    names: &[String],
    with_targets: bool,
) -> Result<(), String> {
    for (k, &j) in features.iter().enumerate() {
        if features[..k].contains(&j) {
            return Err(format!(
                "column `{}` is listed twice as a feature",
                names[j]
            ));
        }
        if with_targets && targets.contains(&j) {
            return Err(format!(
                "column `{}` is both a feature and a target",
                names[j]
            ));
        }
        if id == Some(j) {
            return Err(format!(
                "column `{}` is both a feature and the id",
                names[j]
            ));
        }
    }
    if features.is_empty() {
        return Err(format!(
            "no feature columns are left (columns: {})",
            names.join(", ")
        ));
    }
    Ok(())
}

fn find_column(columns: &Columns, column: &Column) -> Result<usize, String> {
    let names = &columns.names;
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
            let header = match &columns.not_a_header {
                Some(why) => format!(
                    "; the first line was not taken as a header ({why}): set header = \"present\" if it names the columns"
                ),
                None if !columns.header => {
                    "; the file's first line is data (it has no names), so its columns are x0, x1, …: address them by index, or set header = \"present\" if it is a header".into()
                }
                None => String::new(),
            };
            format!(
                "no column named `{name}`{hint} (columns: {}){header}",
                names.join(", ")
            )
        }),
    }
}
