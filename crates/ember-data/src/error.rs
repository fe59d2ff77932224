//! Errors of the data layer.

use thiserror::Error;

/// Why data could not be built, read or transformed. Messages name the place.
///
/// ```
/// use ember_data::{DataError, Matrix};
///
/// let err = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).unwrap_err();
/// assert_eq!(err.to_string(), "row 1 has 1 values, expected 2");
/// ```
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DataError {
    /// A buffer does not have `rows × cols` values.
    #[error("{what}: expected {expected} values for shape {rows}×{cols}, got {got}")]
    Shape {
        /// What was being built.
        what: &'static str,
        /// Rows asked for.
        rows: usize,
        /// Columns asked for.
        cols: usize,
        /// `rows × cols`.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// A row is shorter or longer than the first one.
    #[error("row {row} has {got} values, expected {expected}")]
    Ragged {
        /// Row index (0-based).
        row: usize,
        /// Values in the first row.
        expected: usize,
        /// Values in this row.
        got: usize,
    },
    /// There are no rows (or no columns) where some are needed.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// Two things that must agree in size do not.
    #[error("{what}: {left} vs {right}")]
    Mismatch {
        /// What disagrees, e.g. "X rows vs y rows".
        what: &'static str,
        /// The left-hand size.
        left: usize,
        /// The right-hand size.
        right: usize,
    },
    /// A value is NaN or infinite.
    #[error("{what} has a non-finite value ({value}) at row {row}, column {column}")]
    NonFinite {
        /// Which matrix, e.g. "X".
        what: &'static str,
        /// Row index (0-based).
        row: usize,
        /// Column index (0-based).
        column: usize,
        /// The value.
        value: f64,
    },
    /// A text file could not be parsed.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// File name.
        file: String,
        /// Line number (1-based).
        line: usize,
        /// Column number (1-based, in fields).
        column: usize,
        /// What was expected.
        message: String,
    },
    /// A file could not be read, or its content as a whole is wrong (empty, truncated, not the
    /// format it claims).
    #[error("{file}: {message}")]
    File {
        /// File name.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A column asked for by name or index is not in the file (or is asked for twice).
    #[error("{file}:{line}: {message}")]
    Column {
        /// File name.
        file: String,
        /// Line of the header (1-based), or of the first row when there is no header.
        line: usize,
        /// Which column and what the file has.
        message: String,
    },
    /// No bundled data set has this name.
    #[error("no bundled data set named `{name}`{suggestion}; available: {available}")]
    UnknownDataset {
        /// The name asked for.
        name: String,
        /// ", did you mean `…`?" for a near miss, else empty.
        suggestion: String,
        /// The names there are, comma-separated.
        available: String,
    },
    /// A parameter is out of its range.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Why it is invalid.
        message: String,
    },
}
