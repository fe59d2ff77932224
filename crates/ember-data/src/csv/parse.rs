//! Records of a block turned into numbers (or class labels), with errors that name the place.

use std::collections::HashMap;

use super::blocks::Block;
use super::layout::Layout;
use super::options::{Decimal, Missing, TargetKind};
use super::records::{Dialect, Fields, for_each_record};
use crate::{DataError, Scalar};

/// A target value's place and text: the evidence for what a column holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seen {
    pub line: usize,
    pub column: usize,
    pub text: String,
}

/// The rows of one block: features and targets row-major; class labels as block-local codes.
#[derive(Debug, Default)]
pub(crate) struct Rows<T> {
    pub x: Vec<T>,
    pub y: Vec<T>,
    pub codes: Vec<u32>,
    pub label_names: Vec<String>,
    /// Row ids, when the layout has an id column.
    pub ids: Vec<String>,
    pub n_rows: usize,
    /// With `TargetKind::Auto`: whether this block's targets are labels, and its first target.
    pub auto: Option<(bool, Seen)>,
}

impl<T> Rows<T> {
    /// Whether this block reads its targets as labels.
    fn labels(&self, layout: &Layout) -> bool {
        match layout.target_kind {
            TargetKind::Labels => true,
            TargetKind::Numeric => false,
            TargetKind::Auto => self.auto.as_ref().is_some_and(|(labels, _)| *labels),
        }
    }
}

/// Parses every record of `block` (its width must be `width`); `skip_first` skips the header.
pub(crate) fn parse_block<T: Scalar>(
    layout: &Layout,
    width: usize,
    dialect: Dialect,
    block: &Block,
    skip_first: bool,
) -> Result<Rows<T>, DataError> {
    let mut rows = Rows::<T> {
        x: Vec::with_capacity(block.bytes.len() / 8),
        ..Rows::default()
    };
    let mut label_codes: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut skip = skip_first;
    for_each_record(
        &layout.file,
        &block.bytes,
        block.first_line,
        dialect,
        |line, fields| {
            if std::mem::take(&mut skip) {
                return Ok(true);
            }
            parse_record(layout, width, line, fields, &mut rows, &mut label_codes)?;
            Ok(true)
        },
    )?;
    Ok(rows)
}

fn parse_record<T: Scalar>(
    layout: &Layout,
    width: usize,
    line: usize,
    fields: &Fields<'_>,
    rows: &mut Rows<T>,
    label_codes: &mut HashMap<Vec<u8>, u32>,
) -> Result<(), DataError> {
    let error = |column: usize, message: String| DataError::Parse {
        file: layout.file.clone(),
        line,
        column: column + 1,
        message,
    };
    if fields.len() != width {
        return Err(error(
            fields.len().min(width),
            format!(
                "expected {width} fields (as on line {}), found {}",
                layout.width_line,
                fields.len()
            ),
        ));
    }
    if let Some(j) = layout.trailing
        && !fields.get(j).is_empty()
    {
        return Err(error(
            j,
            format!(
                "{} in the last column, which the first lines leave empty (they end with a delimiter): end every line with one, or none",
                shown(fields.get(j))
            ),
        ));
    }
    if layout.missing == Missing::DropRows
        && layout
            .features
            .iter()
            .chain(&layout.targets)
            .any(|&j| layout.is_missing(fields.get(j)))
    {
        return Ok(());
    }
    push_features(layout, fields, &mut rows.x, &error)?;
    for &j in &layout.targets {
        let field = fields.get(j);
        if layout.is_missing(field) {
            return Err(error(j, missing_message(layout, j, field)));
        }
        target(layout, line, j, field, rows, label_codes)?;
    }
    if let Some(j) = layout.id {
        let field = fields.get(j);
        let id = layout
            .encoding
            .decode(field)
            .map_err(|at| super::not_text(&layout.file, line, j, field, at, layout.encoding))?;
        rows.ids.push(id);
    }
    rows.n_rows += 1;
    Ok(())
}

/// Appends a record's feature values to `x`; `error(column, message)` locates a bad one.
fn push_features<T: Scalar>(
    layout: &Layout,
    fields: &Fields<'_>,
    x: &mut Vec<T>,
    error: &impl Fn(usize, String) -> DataError,
) -> Result<(), DataError> {
    // No built-in marker of a missing value reads as a finite number, so without markers of the
    // user's own a field that parses is a value: the markers are looked at only when it fails.
    let parse_first = layout.missing_values.is_empty();
    for &j in &layout.features {
        let field = fields.get(j);
        if parse_first && let Some(v) = number::<T>(field, layout.decimal) {
            x.push(v);
            continue;
        }
        if layout.is_missing(field) {
            if layout.missing == Missing::Keep {
                x.push(T::nan());
                continue;
            }
            return Err(error(j, missing_message(layout, j, field)));
        }
        match number::<T>(field, layout.decimal) {
            Some(v) => x.push(v),
            None => return Err(error(j, not_a_number(layout, j, field))),
        }
    }
    Ok(())
}

/// Reads one target value: a number, or a class label (interned as a block-local code).
fn target<T: Scalar>(
    layout: &Layout,
    line: usize,
    j: usize,
    field: &[u8],
    rows: &mut Rows<T>,
    label_codes: &mut HashMap<Vec<u8>, u32>,
) -> Result<(), DataError> {
    // Declared labels are never numbers: no parse for them.
    let parsed = match layout.target_kind {
        TargetKind::Labels => None,
        _ => parse_number::<T>(field, layout.decimal),
    };
    if layout.target_kind == TargetKind::Auto {
        let seen = || Seen {
            line,
            column: j + 1,
            text: shown(field),
        };
        match &rows.auto {
            None => rows.auto = Some((parsed.is_none(), seen())),
            Some((labels, first)) if *labels == parsed.is_some() => {
                let (numbers, text) = if *labels {
                    (&seen(), first)
                } else {
                    (first, &seen())
                };
                return Err(mixed_column(layout, j, numbers, text));
            }
            Some(_) => {}
        }
    }
    if rows.labels(layout) {
        let code = match label_codes.get(field) {
            Some(&code) => code,
            None => {
                let name = layout.encoding.decode(field).map_err(|at| {
                    super::not_text(&layout.file, line, j, field, at, layout.encoding)
                })?;
                let code = label_codes.len() as u32;
                rows.label_names.push(name);
                label_codes.insert(field.to_vec(), code);
                code
            }
        };
        rows.codes.push(code);
        return Ok(());
    }
    match parsed.filter(|v| v.finite()) {
        Some(v) => rows.y.push(v),
        None => {
            return Err(DataError::Parse {
                file: layout.file.clone(),
                line,
                column: j + 1,
                message: format!(
                    "{}: the target must be a number (a marker of missing values goes in missing_values; a classifier reads text as class labels)",
                    not_a_number(layout, j, field)
                ),
            });
        }
    }
    Ok(())
}

/// The error for a target column that holds both numbers and text.
pub(crate) fn mixed_column(layout: &Layout, j: usize, number: &Seen, text: &Seen) -> DataError {
    DataError::Parse {
        file: layout.file.clone(),
        line: text.line,
        column: text.column,
        message: format!(
            "target column `{}` has text ({}) and numbers (line {}: {}); if {} marks a missing value, add it to missing_values, else set target_kind = \"labels\" or \"numeric\"",
            layout.names[j], text.text, number.line, number.text, text.text
        ),
    }
}

fn number<T: Scalar>(field: &[u8], decimal: Decimal) -> Option<T> {
    parse_number::<T>(field, decimal).filter(|v| v.finite())
}

/// A number with `decimal` as its decimal mark (finite or not).
pub(crate) fn parse_number<T: Scalar>(field: &[u8], decimal: Decimal) -> Option<T> {
    if decimal == Decimal::Point || !field.contains(&b',') {
        return match decimal {
            Decimal::Comma if field.contains(&b'.') => None,
            _ => T::parse_bytes(field),
        };
    }
    if field.contains(&b'.') {
        return None;
    }
    let mut buffer = [0u8; 64];
    let point = |b: &u8| if *b == b',' { b'.' } else { *b };
    match buffer.get_mut(..field.len()) {
        Some(text) => {
            for (t, b) in text.iter_mut().zip(field) {
                *t = point(b);
            }
            T::parse_bytes(text)
        }
        None => T::parse_bytes(&field.iter().map(point).collect::<Vec<_>>()),
    }
}

/// A field as it is quoted in messages: at most 40 characters.
pub(crate) fn shown(field: &[u8]) -> String {
    const MAX: usize = 40;
    let text = String::from_utf8_lossy(field);
    if text.chars().count() <= MAX {
        return format!("{text:?}");
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{:?}… ({} bytes)", cut, field.len())
}

fn not_a_number(layout: &Layout, j: usize, field: &[u8]) -> String {
    let hint = match layout.decimal {
        Decimal::Point
            if field.contains(&b',') && parse_number::<f64>(field, Decimal::Comma).is_some() =>
        {
            " (a decimal comma? set decimal = \",\")"
        }
        Decimal::Comma if field.contains(&b'.') => {
            " (decimal = \",\": a `.` may be a thousands separator; remove them)"
        }
        _ => "",
    };
    format!(
        "expected a finite number in column `{}`, found {}{hint}",
        layout.names[j],
        shown(field)
    )
}

fn missing_message(layout: &Layout, j: usize, field: &[u8]) -> String {
    let what = if field.is_empty() {
        "an empty field".to_string()
    } else {
        shown(field)
    };
    let policy = if layout.targets.contains(&j) {
        "a missing target is an error unless missing = \"drop_rows\""
    } else {
        "set missing = \"drop_rows\" to drop such rows, or \"keep\" to impute them"
    };
    format!(
        "missing value ({what}) in column `{}`; {policy}",
        layout.names[j]
    )
}

#[cfg(test)]
mod tests {
    use super::super::layout::{BUILTIN_MISSING, is_builtin_missing};
    use super::*;

    /// `parse_record` parses a field before it looks at the built-in markers: that is right only
    /// if no marker reads as a finite number, with either decimal mark.
    #[test]
    fn no_builtin_missing_marker_is_a_finite_number() {
        for marker in BUILTIN_MISSING {
            assert!(
                is_builtin_missing(marker) && marker.len() <= 8,
                "{marker:?}"
            );
            for decimal in [Decimal::Point, Decimal::Comma] {
                assert_eq!(number::<f64>(marker, decimal), None, "{marker:?}");
                assert_eq!(number::<f32>(marker, decimal), None, "{marker:?}");
            }
        }
    }
}
