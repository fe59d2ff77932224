//! Records of a block turned into numbers (or class labels), with errors that name the place.

use std::collections::HashMap;

use super::blocks::Block;
use super::layout::{Layout, is_missing};
use super::options::Missing;
use super::records::{Dialect, Fields, for_each_record};
use crate::{DataError, Scalar};

/// The rows of one block: features and targets row-major; class labels as block-local codes.
#[derive(Debug, Default)]
pub(crate) struct Rows<T> {
    pub x: Vec<T>,
    pub y: Vec<T>,
    pub codes: Vec<u32>,
    pub label_names: Vec<String>,
    pub n_rows: usize,
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
    let drop = layout.missing == Missing::DropRows;
    if drop
        && layout
            .features
            .iter()
            .chain(&layout.targets)
            .any(|&j| is_missing(fields.get(j)))
    {
        return Ok(());
    }
    for &j in &layout.features {
        let field = fields.get(j);
        if is_missing(field) {
            if layout.missing == Missing::Keep {
                rows.x.push(T::nan());
                continue;
            }
            return Err(error(j, missing_message(layout, j, field)));
        }
        match number::<T>(field) {
            Some(v) => rows.x.push(v),
            None => {
                return Err(error(j, not_a_number(layout, j, field)));
            }
        }
    }
    for &j in &layout.targets {
        let field = fields.get(j);
        if is_missing(field) {
            return Err(error(j, missing_message(layout, j, field)));
        }
        if layout.labels {
            let next = label_codes.len() as u32;
            let code = *label_codes.entry(field.to_vec()).or_insert_with(|| {
                rows.label_names
                    .push(String::from_utf8_lossy(field).into_owned());
                next
            });
            rows.codes.push(code);
        } else {
            match number::<T>(field) {
                Some(v) => rows.y.push(v),
                None => {
                    return Err(error(
                        j,
                        format!(
                            "{} (a target with text in it is read as class labels with target_kind = \"labels\")",
                            not_a_number(layout, j, field)
                        ),
                    ));
                }
            }
        }
    }
    rows.n_rows += 1;
    Ok(())
}

fn number<T: Scalar>(field: &[u8]) -> Option<T> {
    T::parse_bytes(field).filter(|v| v.finite())
}

fn not_a_number(layout: &Layout, j: usize, field: &[u8]) -> String {
    format!(
        "expected a finite number in column `{}`, found {:?}",
        layout.names[j],
        String::from_utf8_lossy(field)
    )
}

fn missing_message(layout: &Layout, j: usize, field: &[u8]) -> String {
    let what = if field.is_empty() {
        "an empty field".to_string()
    } else {
        format!("{:?}", String::from_utf8_lossy(field))
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
