//! A CSV file read block by block into a consumer, never whole: for data larger than memory.

use std::io::Read;
use std::path::Path;

use super::CsvOptions;
use super::blocks::BlockReader;
use super::options::TargetKind;
use super::parse::{Rows, Seen, mixed_column};
use super::{Opened, open, parse_blocks};
use crate::{DataError, LabelEncoder, Matrix, Scalar};

/// A run of consecutive data rows of a streamed CSV file (one parsed block, a few MiB).
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk<T: Scalar> {
    /// Features, one row per data row.
    pub x: Matrix<T>,
    /// Numeric targets (`rows × targets`); `rows × 0` when the targets are labels.
    pub y: Matrix<T>,
    /// Text targets, coded within this chunk.
    pub labels: Option<ChunkLabels>,
    /// Data rows of the file before this chunk (its first row's 0-based index).
    pub first_row: usize,
}

/// A chunk's text targets: each row's code, and the labels in code order (codes are local to
/// the chunk: [`Streamed::classes`] gives the file's classes once the whole file is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkLabels {
    /// One code per row, an index into `names`.
    pub codes: Vec<u32>,
    /// The labels of this chunk, in code order.
    pub names: Vec<String>,
}

/// What a streamed file held, known once it is read to the end.
#[derive(Debug, Clone, PartialEq)]
pub struct Streamed {
    /// Data rows read.
    pub n_rows: usize,
    /// The feature columns' names.
    pub feature_names: Vec<String>,
    /// The target columns' names.
    pub target_names: Vec<String>,
    /// With text targets: every class, sorted (as [`LabelEncoder::fit`] orders them).
    pub classes: Option<Vec<String>>,
    /// What the reader guessed where the guess matters, one line each.
    pub notes: Vec<String>,
}

/// Reads the CSV file at `path` (plain or gzipped) as [`read_csv`](super::read_csv) would, but
/// hands it to `consume` a chunk at a time, in file order, while the next blocks are parsed in
/// parallel: memory stays at a few blocks however large the file. An error from `consume`
/// stops the read and is returned; a bad cell anywhere is an error naming its line and column
/// (possibly after earlier chunks were consumed).
///
/// ```
/// use ember_data::csv::{stream_csv_from, CsvOptions};
/// let text = "a,b,y\n1,2,3\n4,5,6\n";
/// let mut sum = 0.0;
/// let done = stream_csv_from::<f64, ember_data::DataError>("t.csv", text.as_bytes(), &CsvOptions::default(), |chunk| {
///     sum += chunk.y.as_slice().iter().sum::<f64>();
///     Ok(())
/// })?;
/// assert_eq!((done.n_rows, sum), (2, 9.0));
/// assert_eq!(done.feature_names, ["a", "b"]);
///
/// let bad = "a,y\n1,2\n1,x\n";
/// let err = stream_csv_from::<f64, ember_data::DataError>("bad.csv", bad.as_bytes(), &CsvOptions::default().target_kind(ember_data::csv::TargetKind::Numeric), |_| Ok(())).unwrap_err();
/// assert!(err.to_string().starts_with("bad.csv:3:2: "), "{err}");
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn stream_csv<T: Scalar, E: From<DataError>>(
    path: impl AsRef<Path>,
    options: &CsvOptions,
    consume: impl FnMut(Chunk<T>) -> Result<(), E>,
) -> Result<Streamed, E> {
    stream(BlockReader::open(path.as_ref())?, options, consume)
}

/// [`stream_csv`] from any reader; `name` stands for the file in errors.
pub fn stream_csv_from<T: Scalar, E: From<DataError>>(
    name: &str,
    source: impl Read + Send + 'static,
    options: &CsvOptions,
    consume: impl FnMut(Chunk<T>) -> Result<(), E>,
) -> Result<Streamed, E> {
    stream(BlockReader::from_reader(name, source)?, options, consume)
}

fn stream<T: Scalar, E: From<DataError>>(
    reader: BlockReader,
    options: &CsvOptions,
    mut consume: impl FnMut(Chunk<T>) -> Result<(), E>,
) -> Result<Streamed, E> {
    let Opened {
        mut reader,
        first,
        layout,
        width,
        dialect,
        notes,
    } = open(reader, options, true)?;
    let (d, k) = (layout.features.len(), layout.targets.len());
    let mut n_rows = 0;
    let mut seen = Kinds::default();
    let mut classes: Option<std::collections::BTreeSet<String>> = None;
    parse_blocks(
        &mut reader,
        first,
        &layout,
        width,
        dialect,
        |rows: Rows<T>, _| {
            seen.record(&rows, &layout)?;
            let first_row = n_rows;
            n_rows += rows.n_rows;
            let labels = (!rows.codes.is_empty()).then_some(ChunkLabels {
                codes: rows.codes,
                names: rows.label_names,
            });
            if let Some(l) = &labels {
                classes
                    .get_or_insert_default()
                    .extend(l.names.iter().cloned());
            }
            let width_y = if labels.is_some() { 0 } else { k };
            consume(Chunk {
                x: Matrix::new(rows.n_rows, d, rows.x)?,
                y: Matrix::new(rows.n_rows, width_y, rows.y)?,
                labels,
                first_row,
            })
        },
    )?;
    if n_rows == 0 {
        return Err(DataError::File {
            file: layout.file.clone(),
            message: "no data rows (every row was dropped or the file has only a header)".into(),
        }
        .into());
    }
    let name = |j: &usize| layout.names[*j].clone();
    Ok(Streamed {
        n_rows,
        feature_names: layout.features.iter().map(name).collect(),
        target_names: layout.targets.iter().map(name).collect(),
        classes: classes.map(|c| LabelEncoder::fit(c.iter()).classes().to_vec()),
        notes,
    })
}

/// With `TargetKind::Auto`, the first number and the first text seen in the target so far: a
/// file whose target has both is an error as soon as the second kind appears.
#[derive(Default)]
struct Kinds {
    number: Option<Seen>,
    text: Option<Seen>,
}

impl Kinds {
    fn record<T>(
        &mut self,
        rows: &Rows<T>,
        layout: &super::layout::Layout,
    ) -> Result<(), DataError> {
        if layout.target_kind != TargetKind::Auto {
            return Ok(());
        }
        if let Some((labels, seen)) = &rows.auto {
            let slot = if *labels {
                &mut self.text
            } else {
                &mut self.number
            };
            slot.get_or_insert_with(|| seen.clone());
        }
        match (&self.number, &self.text) {
            (Some(number), Some(text)) => {
                Err(mixed_column(layout, layout.targets[0], number, text))
            }
            _ => Ok(()),
        }
    }
}
