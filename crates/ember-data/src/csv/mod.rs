//! Reading CSV files (plain or gzipped) into data sets, fast and with errors that name the file,
//! line and column.
//!
//! Blocks of whole records are parsed in parallel, straight into the element type asked for
//! (`f32` halves the memory of `f64`), so reading needs little more memory than the result.
//!
//! ```
//! use ember_data::csv::{CsvOptions, read_csv_from};
//!
//! let text = "sepal length;species\n5.1;setosa\n7.0;versicolor\n6.3;virginica\n";
//! let data = read_csv_from::<f64>("flowers.csv", text.as_bytes(), &CsvOptions::default().target("species"))?;
//! assert_eq!(data.x().as_slice(), &[5.1, 7.0, 6.3]);
//! assert_eq!(data.y().as_slice(), &[0.0, 1.0, 2.0]);
//! assert_eq!(data.labels().map(|l| l.classes().to_vec()), Some(vec!["setosa".into(), "versicolor".into(), "virginica".into()]));
//!
//! let bad = "a,b,y\n1,2,0\n3,x,1\n";
//! let err = read_csv_from::<f64>("bad.csv", bad.as_bytes(), &CsvOptions::default()).unwrap_err();
//! assert!(err.to_string().starts_with("bad.csv:3:2: expected a finite number in column `b`"));
//!
//! // A target is numbers or labels as a whole: `?` among numbers is named, never a class.
//! let mixed = "a,y\n1,?\n2,7.5\n";
//! let err = read_csv_from::<f64>("m.csv", mixed.as_bytes(), &CsvOptions::default()).unwrap_err();
//! assert!(err.to_string().starts_with("m.csv:2:2: target column `y` has text (\"?\") and numbers (line 3: \"7.5\")"));
//! # Ok::<(), ember_data::DataError>(())
//! ```

mod blocks;
mod header;
mod layout;
mod options;
mod parse;
mod records;
mod stream;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

pub use options::{Column, CsvOptions, Decimal, Delimiter, Encoding, Header, Missing, TargetKind};
pub use stream::{Chunk, ChunkLabels, Streamed, stream_csv, stream_csv_from};

use crate::{DataError, Dataset, LabelEncoder, Matrix, Scalar};
use blocks::{Block, BlockReader};
use layout::Layout;
use parse::{Rows, Seen, parse_block};

use records::{Dialect, for_each_record, sniff};

/// Reads a CSV file (gzip-compressed files are detected and decompressed) into a data set of
/// `f64` or `f32`. The targets are the columns `options.targets` name, the last column when it
/// names none; text targets become class indices with the mapping in
/// [`Dataset::labels`].
///
/// ```no_run
/// use ember_data::csv::{read_csv, CsvOptions};
/// let data = read_csv::<f32>("houses.csv.gz", &CsvOptions::default().target("price").exclude("id"))?;
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn read_csv<T: Scalar>(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Dataset<T>, DataError> {
    read_dataset(BlockReader::open(path.as_ref())?, options).map(|(data, _)| data)
}

/// [`read_csv`] from any reader (bytes in memory, stdin, an embedded file); `name` stands for
/// the file in errors.
///
/// ```
/// use ember_data::csv::{read_csv_from, CsvOptions, Header};
/// let data = read_csv_from::<f64>("inline", &b"1 2 3\n4 5 6\n"[..], &CsvOptions::default())?;
/// assert_eq!((data.x().shape(), data.y().as_slice()), ((2, 2), &[3.0, 6.0][..]));
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn read_csv_from<T: Scalar>(
    name: &str,
    source: impl Read + Send + 'static,
    options: &CsvOptions,
) -> Result<Dataset<T>, DataError> {
    read_dataset(BlockReader::from_reader(name, source)?, options).map(|(data, _)| data)
}

/// [`read_csv`], with notes on what the reader guessed where the guess matters (columns
/// without a name left out, a header with numbers in it), one line each, for the user to see.
///
/// ```
/// use ember_data::csv::{read_csv_from_with_notes, CsvOptions};
/// let text = ",a,y\n0,1.5,3\n1,2.5,5\n"; // pandas' to_csv: the row index has no name
/// let (data, notes) = read_csv_from_with_notes::<f64>("df.csv", text.as_bytes(), &CsvOptions::default())?;
/// assert_eq!(data.feature_names(), ["a"]);
/// assert!(notes[0].starts_with("df.csv: column 1 has no name"), "{notes:?}");
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn read_csv_from_with_notes<T: Scalar>(
    name: &str,
    source: impl Read + Send + 'static,
    options: &CsvOptions,
) -> Result<(Dataset<T>, Vec<String>), DataError> {
    read_dataset(BlockReader::from_reader(name, source)?, options)
}

/// [`read_csv_from_with_notes`] a file (plain or gzipped).
///
/// ```no_run
/// use ember_data::csv::{read_csv_with_notes, CsvOptions};
/// let (data, notes) = read_csv_with_notes::<f64>("export.csv", &CsvOptions::default())?;
/// notes.iter().for_each(|n| eprintln!("note: {n}"));
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn read_csv_with_notes<T: Scalar>(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<(Dataset<T>, Vec<String>), DataError> {
    read_dataset(BlockReader::open(path.as_ref())?, options)
}

/// Rows to predict on: their features, the column names, the row ids (when `options.id`
/// names a column) and the reader's notes.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRows<T: Scalar> {
    /// The feature columns `options` selects, in file order (or `options.features`' order).
    pub x: Matrix<T>,
    /// Their names.
    pub names: Vec<String>,
    /// The id column's text, row by row.
    pub ids: Option<Vec<String>>,
    /// What the reader guessed, one line each.
    pub notes: Vec<String>,
}

/// Features without targets, e.g. new rows to predict on: the feature columns `options`
/// selects; the target columns it names are left out when the file has them.
///
/// ```
/// use ember_data::csv::{read_features_from, CsvOptions};
/// let options = CsvOptions::default().target("y").id("name");
/// let rows = read_features_from::<f32>("new.csv", &b"name,a,b\nann,1,2\n"[..], &options)?;
/// assert_eq!((rows.x.shape(), rows.names), ((1, 2), vec!["a".to_string(), "b".to_string()]));
/// assert_eq!(rows.ids, Some(vec!["ann".to_string()]));
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn read_features_from<T: Scalar>(
    name: &str,
    source: impl Read + Send + 'static,
    options: &CsvOptions,
) -> Result<FeatureRows<T>, DataError> {
    read_table::<T>(BlockReader::from_reader(name, source)?, options, false).map(Table::rows)
}

/// [`read_features_from`] a file (plain or gzipped).
///
/// ```no_run
/// use ember_data::csv::{read_features, CsvOptions};
/// let rows = read_features::<f32>("new_rows.csv", &CsvOptions::default())?;
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn read_features<T: Scalar>(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<FeatureRows<T>, DataError> {
    read_table::<T>(BlockReader::open(path.as_ref())?, options, false).map(Table::rows)
}

struct Table<T: Scalar> {
    x: Matrix<T>,
    y: Matrix<T>,
    feature_names: Vec<String>,
    target_names: Vec<String>,
    labels: Option<LabelEncoder>,
    ids: Option<Vec<String>>,
    notes: Vec<String>,
}

impl<T: Scalar> Table<T> {
    fn rows(self) -> FeatureRows<T> {
        FeatureRows {
            x: self.x,
            names: self.feature_names,
            ids: self.ids,
            notes: self.notes,
        }
    }
}

fn read_dataset<T: Scalar>(
    reader: BlockReader,
    options: &CsvOptions,
) -> Result<(Dataset<T>, Vec<String>), DataError> {
    let table = read_table::<T>(reader, options, true)?;
    let data = Dataset::new(table.x, table.y)?
        .with_feature_names(table.feature_names)?
        .with_target_names(table.target_names)?;
    let data = match table.labels {
        Some(labels) => data.with_labels(labels)?,
        None => data,
    };
    Ok((data, table.notes))
}

fn read_table<T: Scalar>(
    reader: BlockReader,
    options: &CsvOptions,
    with_targets: bool,
) -> Result<Table<T>, DataError> {
    let Opened {
        mut reader,
        first,
        layout,
        width,
        dialect,
        notes,
    } = open(reader, options, with_targets)?;
    let file = reader.file().to_string();
    let parsed = parse_all::<T>(&mut reader, first, &layout, width, dialect)?;
    assemble(parsed, layout, &file, notes)
}

/// Checks that a CSV file's columns fit `options` (the targets and features it names exist,
/// the header and first row are well formed) by reading only its first block.
///
/// ```
/// use ember_data::csv::{check_columns_from, CsvOptions};
/// let options = CsvOptions::default().target("pricee");
/// let err = check_columns_from("houses.csv", &b"rooms,price\n3,100\n"[..], &options).unwrap_err();
/// assert!(err.to_string().contains("pricee"), "{err}");
/// assert!(check_columns_from("houses.csv", &b"rooms,price\n3,100\n"[..], &CsvOptions::default().target("price")).is_ok());
/// ```
pub fn check_columns_from(
    name: &str,
    source: impl Read + Send + 'static,
    options: &CsvOptions,
) -> Result<(), DataError> {
    open(BlockReader::from_reader(name, source)?, options, true).map(|_| ())
}

/// [`check_columns_from`] a file (plain or gzipped).
///
/// ```no_run
/// use ember_data::csv::{check_columns, CsvOptions};
/// check_columns("houses.csv.gz", &CsvOptions::default().target("price"))?;
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn check_columns(path: impl AsRef<Path>, options: &CsvOptions) -> Result<(), DataError> {
    open(BlockReader::open(path.as_ref())?, options, true).map(|_| ())
}

/// The column names of a CSV file as `options` reads them (the header's, or `x0, x1, …`), from
/// its first block, like pandas' `read_csv(nrows=0).columns`.
///
/// ```
/// use ember_data::csv::{column_names_from, CsvOptions};
/// let names = column_names_from("a.csv", &b",a,b\n0,1,2\n"[..], &CsvOptions::default())?;
/// assert_eq!(names, ["Unnamed: 0", "a", "b"]);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn column_names_from(
    name: &str,
    source: impl Read + Send + 'static,
    options: &CsvOptions,
) -> Result<Vec<String>, DataError> {
    names_of(BlockReader::from_reader(name, source)?, options)
}

/// [`column_names_from`] a file (plain or gzipped).
///
/// ```no_run
/// let names = ember_data::csv::column_names("export.csv", &Default::default())?;
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn column_names(
    path: impl AsRef<Path>,
    options: &CsvOptions,
) -> Result<Vec<String>, DataError> {
    names_of(BlockReader::open(path.as_ref())?, options)
}

fn names_of(reader: BlockReader, options: &CsvOptions) -> Result<Vec<String>, DataError> {
    let options = CsvOptions {
        id: None,
        ..options.clone()
    };
    open(reader, &options, false).map(|o| o.layout.names)
}

/// A file with its first block read and its columns resolved.
struct Opened {
    reader: BlockReader,
    first: Block,
    layout: Layout,
    width: usize,
    dialect: Dialect,
    notes: Vec<String>,
}

/// Records looked at to decide whether the first line is a header.
const HEADER_SAMPLE: usize = 100;

fn open(
    mut reader: BlockReader,
    options: &CsvOptions,
    with_targets: bool,
) -> Result<Opened, DataError> {
    let file = reader.file().to_string();
    let file_error = |message: String| DataError::File {
        file: file.clone(),
        message,
    };
    let mut first = reader
        .next_block()?
        .ok_or_else(|| file_error("the file is empty".into()))?;
    if first.bytes.starts_with(b"\xEF\xBB\xBF") {
        first.bytes.drain(..3);
    }
    // The skipped lines, the first line and a data row must be in the first block, however
    // long they are.
    while first.bytes.iter().filter(|&&b| b == b'\n').count() < options.skip_lines + 2 {
        match reader.next_block()? {
            Some(next) => first.bytes.extend_from_slice(&next.bytes),
            None => break,
        }
    }
    skip_lines(&mut first, options.skip_lines).map_err(file_error)?;
    let excel_sep = excel_separator(&first.bytes);
    if excel_sep.is_some() {
        skip_lines(&mut first, 1).map_err(file_error)?;
    }
    let dialect = match (options.delimiter, options.delimiter.byte(), excel_sep) {
        (_, Some(b), _) => Dialect::Delimited(b),
        (options::Delimiter::Whitespace, None, _) => Dialect::Whitespace,
        (_, None, Some(b)) => Dialect::Delimited(b),
        _ => sniff(&first.bytes[..first.bytes.len().min(1 << 16)]),
    };
    reader.set_quoting(dialect != Dialect::Whitespace);

    let head = first_records(&file, &first, dialect, HEADER_SAMPLE + 1)?;
    let Some((first_line, first_fields)) = head.first() else {
        return Err(file_error("the file has no rows".into()));
    };
    let sample: Vec<Vec<&[u8]>> = head[1..].iter().map(|(_, f)| borrowed(f)).collect();
    let (columns, notes) = header::columns(
        &file,
        *first_line,
        &borrowed(first_fields),
        &sample,
        options,
    )?;
    if columns.header && head.len() < 2 {
        return Err(file_error(format!(
            "no data rows after the header on line {first_line}"
        )));
    }
    let width = columns.names.len();
    let layout = Layout::resolve(&file, *first_line, &columns, options, with_targets)?;
    Ok(Opened {
        reader,
        first,
        layout,
        width,
        dialect,
        notes,
    })
}

/// The error for a cell that is not text in `encoding`: the line, column and byte, and the
/// encoding to try.
pub(crate) fn not_text(
    file: &str,
    line: usize,
    j: usize,
    field: &[u8],
    at: usize,
    encoding: Encoding,
) -> DataError {
    let byte = field.get(at).copied().unwrap_or_default();
    DataError::Parse {
        file: file.into(),
        line,
        column: j + 1,
        message: format!(
            "{} is not valid {encoding:?} (byte 0x{byte:02X} after {:?}): the file looks like Latin-1 or Windows-1252 (Excel's \"CSV\"); set encoding = \"windows1252\" or \"latin1\"",
            parse::shown(field),
            String::from_utf8_lossy(&field[..at.min(field.len())])
        ),
    }
}

/// The fields as slices.
fn borrowed(fields: &[Vec<u8>]) -> Vec<&[u8]> {
    fields.iter().map(Vec::as_slice).collect()
}

/// The delimiter an Excel `sep=;` first line names (Excel writes and reads it), if the file
/// starts with one.
fn excel_separator(bytes: &[u8]) -> Option<u8> {
    let line = bytes.split(|&b| b == b'\n').next()?.trim_ascii();
    match line {
        [b's', b'e', b'p', b'=', d] if !d.is_ascii_alphanumeric() => Some(*d),
        _ => None,
    }
}

/// Drops the first `n` lines of the first block.
fn skip_lines(block: &mut Block, n: usize) -> Result<(), String> {
    if n == 0 {
        return Ok(());
    }
    let cut = block
        .bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(n - 1)
        .map(|(k, _)| k + 1)
        .ok_or_else(|| format!("skip_lines = {n}, but the file is shorter"))?;
    block.bytes.drain(..cut);
    block.first_line += n;
    Ok(())
}

/// A record's line and its fields.
type Record = (usize, Vec<Vec<u8>>);

/// The first `n` records of the first block (the header or first data row, and a sample).
fn first_records(
    file: &str,
    block: &Block,
    dialect: Dialect,
    n: usize,
) -> Result<Vec<Record>, DataError> {
    let mut head = Vec::new();
    for_each_record(
        file,
        &block.bytes,
        block.first_line,
        dialect,
        |line, fields| {
            head.push((
                line,
                (0..fields.len()).map(|j| fields.get(j).to_vec()).collect(),
            ));
            Ok(head.len() < n)
        },
    )?;
    Ok(head)
}

/// Everything parsed so far: blocks are appended as they are parsed, so the memory is the result
/// plus a few blocks.
struct Parsed<T> {
    x: Vec<T>,
    y: Vec<T>,
    /// Per block: each row's block-local label code, and the labels in code order.
    labels: Vec<(Vec<u32>, Vec<String>)>,
    ids: Vec<String>,
    n_rows: usize,
    /// With `TargetKind::Auto`: the first number and the first text seen in the target.
    first_number: Option<Seen>,
    first_text: Option<Seen>,
}

/// Parses the first block and the rest of the file, handing each block's rows to `sink` in
/// file order with the block's size in bytes: this thread reads blocks and runs the sink
/// while rayon's threads parse the blocks in between (when this thread is one of them, it
/// parses too while nothing is ready), so reading, parsing and consuming overlap, and at most
/// a few blocks are in memory at once.
pub(crate) fn parse_blocks<T: Scalar, E: From<DataError>>(
    reader: &mut BlockReader,
    first: Block,
    layout: &Layout,
    width: usize,
    dialect: Dialect,
    mut sink: impl FnMut(Rows<T>, usize) -> Result<(), E>,
) -> Result<(), E> {
    let max_in_flight = rayon::current_num_threads() * 2;
    let (sender, receiver) =
        std::sync::mpsc::channel::<(usize, usize, Result<Rows<T>, DataError>)>();
    // Dropped once every block is handed out, so that a parser that panicked (and dropped its
    // copy) ends the wait as an error, which the scope then turns back into the panic.
    let mut sender = Some(sender);
    rayon::in_place_scope(|scope| {
        let mut next_block = Some(first);
        let mut spawned = 0;
        let mut appended = 0;
        let mut done: std::collections::BTreeMap<usize, (usize, Result<Rows<T>, DataError>)> =
            std::collections::BTreeMap::new();
        loop {
            // Keep up to `max_in_flight` blocks being parsed.
            while spawned - appended < max_in_flight {
                let (Some(block), Some(to_us)) = (next_block.take(), sender.clone()) else {
                    break;
                };
                let index = spawned;
                scope.spawn(move |_| {
                    let skip_header = index == 0 && layout.header;
                    let rows = parse_block(layout, width, dialect, &block, skip_header);
                    // The receiver lives until every block is consumed or an error ends the read.
                    let _ = to_us.send((index, block.bytes.len(), rows));
                });
                spawned += 1;
                next_block = reader.next_block()?;
                if next_block.is_none() {
                    sender = None;
                }
            }
            if appended == spawned {
                return Ok(());
            }
            // Consume, in file order, every block that is ready.
            while let Some(entry) = done.first_entry() {
                if *entry.key() != appended {
                    break;
                }
                let (bytes, rows) = entry.remove();
                sink(rows?, bytes)?;
                appended += 1;
            }
            if appended < spawned && !done.contains_key(&appended) {
                let (index, bytes, rows) = receive(&receiver).ok_or_else(|| DataError::File {
                    file: layout.file.clone(),
                    message: "a parsing thread stopped".into(),
                })?;
                done.insert(index, (bytes, rows));
            }
        }
    })
}

/// The next parsed block. On a rayon pool thread the blocks spawned from it wait in its own
/// queue (always so in a one-thread pool), so it parses them itself while none is ready; once
/// its queue is empty the rest are being parsed elsewhere, and it waits.
fn receive<M>(receiver: &std::sync::mpsc::Receiver<M>) -> Option<M> {
    loop {
        match receiver.try_recv() {
            Ok(message) => return Some(message),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
            Err(std::sync::mpsc::TryRecvError::Empty) => match rayon::yield_local() {
                Some(rayon::Yield::Executed) => {}
                _ => return receiver.recv().ok(),
            },
        }
    }
}

/// Every block's rows appended, in file order.
fn parse_all<T: Scalar>(
    reader: &mut BlockReader,
    first: Block,
    layout: &Layout,
    width: usize,
    dialect: Dialect,
) -> Result<Parsed<T>, DataError> {
    let mut out = Parsed {
        x: Vec::new(),
        y: Vec::new(),
        labels: Vec::new(),
        ids: Vec::new(),
        n_rows: 0,
        first_number: None,
        first_text: None,
    };
    let size = reader.size;
    parse_blocks(reader, first, layout, width, dialect, |rows, bytes| {
        append(&mut out, rows, bytes, size, layout);
        Ok::<(), DataError>(())
    })?;
    Ok(out)
}

/// Appends a block's rows; the first block's density sizes the whole result at once.
fn append<T: Scalar>(
    out: &mut Parsed<T>,
    rows: Rows<T>,
    bytes: usize,
    size: Option<u64>,
    layout: &Layout,
) {
    if out.n_rows == 0
        && let Some(size) = size
    {
        // Capacity that is never written is never touched, so overestimating costs no memory.
        let per_row = bytes as f64 / rows.n_rows.max(1) as f64;
        let rows_estimate = (size as f64 / per_row * 1.05) as usize + 16;
        out.x.reserve(rows_estimate * layout.features.len());
        out.y.reserve(rows_estimate * layout.targets.len());
    }
    out.x.extend_from_slice(&rows.x);
    out.y.extend_from_slice(&rows.y);
    out.ids.extend(rows.ids);
    out.n_rows += rows.n_rows;
    if let Some((labels, seen)) = rows.auto {
        let first = if labels {
            &mut out.first_text
        } else {
            &mut out.first_number
        };
        first.get_or_insert(seen);
    }
    if !rows.codes.is_empty() {
        out.labels.push((rows.codes, rows.label_names));
    }
}

/// The matrices, with class labels mapped to sorted indices.
fn assemble<T: Scalar>(
    parsed: Parsed<T>,
    layout: Layout,
    file: &str,
    notes: Vec<String>,
) -> Result<Table<T>, DataError> {
    let n = parsed.n_rows;
    if n == 0 {
        return Err(DataError::File {
            file: file.into(),
            message: "no data rows (every row was dropped or the file has only a header)".into(),
        });
    }
    if let (Some(number), Some(text)) = (&parsed.first_number, &parsed.first_text) {
        return Err(parse::mixed_column(
            &layout,
            layout.targets[0],
            number,
            text,
        ));
    }
    let is_labels = !layout.targets.is_empty()
        && match layout.target_kind {
            TargetKind::Labels => true,
            TargetKind::Numeric => false,
            TargetKind::Auto => parsed.first_text.is_some(),
        };
    let mut y = parsed.y;
    let labels = is_labels
        .then(|| LabelEncoder::fit(parsed.labels.iter().flat_map(|(_, names)| names.iter())));
    if let Some(labels) = &labels {
        let index: HashMap<&str, usize> = labels
            .classes()
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        y = Vec::with_capacity(n);
        for (codes, names) in &parsed.labels {
            let global: Vec<T> = names
                .iter()
                .map(|name| T::from_f64(index[name.as_str()] as f64))
                .collect();
            y.extend(codes.iter().map(|&c| global[c as usize]));
        }
    }
    let mut x = parsed.x;
    x.shrink_to_fit();
    let name = |j: &usize| layout.names[*j].clone();
    Ok(Table {
        x: Matrix::new(n, layout.features.len(), x)?,
        y: Matrix::new(
            n,
            if labels.is_some() {
                1
            } else {
                layout.targets.len()
            },
            y,
        )?,
        feature_names: layout.features.iter().map(name).collect(),
        target_names: layout.targets.iter().map(name).collect(),
        labels,
        ids: layout.id.map(|_| parsed.ids),
        notes,
    })
}
