//! Row files: a data set on disk as `f32` rows, for data larger than memory. A CSV file is
//! converted once ([`RowFile::convert_csv`], or [`RowFile::cached`] beside a training run),
//! then any rows are read back by position ([`RowFile::read_rows`]), a mini-batch at a time.
//!
//! Layout, little-endian throughout:
//!
//! ```text
//! [header: b"EMBERROW", version u32, 0u32, file length u64, 0u64]   32 bytes
//! [X: n × d f32, row-major]
//! [Y: n × k f32, row-major]
//! [footer: JSON (shape, names, classes, the CSV it came from)]
//! [footer length u64][b"EMBERROW"]
//! ```
//!
//! The footer is at the end so that the file is written in one streaming pass (the number of
//! rows is known only at the end of the CSV); the header's file length is written last, so a
//! file cut short is named as such, with the bytes expected and found, and its leading magic
//! still marks it as a row file (a stale or damaged cache is rebuilt; anything else at the
//! path is never overwritten). Y is written after X because text labels are only numbered
//! once the whole file has been read (classes are sorted, as [`LabelEncoder::fit`] sorts them).
//!
//! Rows are read with positional reads (`pread`) rather than a memory map: a map needs
//! `unsafe` (which this workspace forbids) and a dependency; the kernel's page cache keeps
//! the hot parts of the file in memory anyway, shared and evictable, so the process's own
//! memory stays at one batch however large the file is.
//!
//! ```
//! use ember_data::rowfile::{RowFile, RowFileWriter, RowMeta};
//!
//! let path = std::env::temp_dir().join(format!("ember-rowfile-doc-{}.rows", std::process::id()));
//! let mut writer = RowFileWriter::create(&path, 2, 1)?;
//! writer.push(&[1.0, 2.0, 3.0, 4.0], &[0.5, 1.5])?;
//! writer.push(&[5.0, 6.0], &[2.5])?;
//! let file = writer.finish(RowMeta::default())?;
//! assert_eq!((file.n_rows(), file.n_features(), file.n_targets()), (3, 2, 1));
//! let mut rows = Vec::new();
//! file.read_rows(&[2, 0], &mut rows)?;
//! assert_eq!(rows, [5.0, 6.0, 1.0, 2.0]);
//! assert_eq!(file.y().as_slice(), &[0.5, 1.5, 2.5]);
//! assert!(file.read_rows(&[3], &mut rows).is_err());
//! # std::fs::remove_file(&path).ok();
//! # Ok::<(), ember_data::DataError>(())
//! ```

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::csv::{ChunkLabels, CsvOptions, stream_csv};
use crate::preprocessing::StandardScaler;
use crate::{DataError, Dataset, LabelEncoder, Matrix};

/// The first and last 8 bytes of every row file.
const MAGIC: &[u8; 8] = b"EMBERROW";
/// The layout version this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the first row.
const HEADER: u64 = 32;
/// Bytes after the footer: its length and the magic.
const TRAILER: u64 = 16;
/// Bytes of the features read at a time by a pass over the whole file.
const PASS_BYTES: usize = 4 << 20;

/// Where a row file's data came from: a CSV file as it was when converted, and the options it
/// was read with. A cache whose source differs from the CSV's present state is stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The CSV file's canonical path.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, in nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
    /// A hash of the [`CsvOptions`] it was read with (see [`options_fingerprint`]).
    pub options_fingerprint: String,
}

impl Source {
    /// The CSV file at `csv` as it is now, read with `options`.
    pub fn of(csv: &Path, options: &CsvOptions) -> Result<Self, DataError> {
        let io = |e: std::io::Error| DataError::File {
            file: csv.display().to_string(),
            message: format!("cannot read: {e}"),
        };
        let meta = fs::metadata(csv).map_err(io)?;
        let mtime = meta.modified().map_err(io)?;
        let mtime_ns = mtime
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let path = fs::canonicalize(csv).map_err(io)?;
        Ok(Self {
            path: path.display().to_string(),
            size: meta.len(),
            mtime_ns,
            options_fingerprint: options_fingerprint(options)?,
        })
    }

    /// Why a file converted from `self` is stale for `now`, or `None` when they match.
    fn change(&self, now: &Source) -> Option<String> {
        if self.path != now.path {
            Some(format!("it was converted from {}", self.path))
        } else if self.size != now.size {
            Some(format!(
                "the CSV file is {} bytes now, {} when converted",
                now.size, self.size
            ))
        } else if self.mtime_ns != now.mtime_ns {
            Some("the CSV file was modified since it was converted".into())
        } else if self.options_fingerprint != now.options_fingerprint {
            Some("the CSV options changed since it was converted".into())
        } else {
            None
        }
    }
}

/// A hash (FNV-1a, 64 bits) of `options` as JSON: two option sets that read a file the same
/// way in every field have the same fingerprint.
///
/// ```
/// use ember_data::{csv::CsvOptions, rowfile::options_fingerprint};
/// let a = options_fingerprint(&CsvOptions::default())?;
/// assert_eq!(a, options_fingerprint(&CsvOptions::default())?);
/// assert_ne!(a, options_fingerprint(&CsvOptions::default().target("y"))?);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn options_fingerprint(options: &CsvOptions) -> Result<String, DataError> {
    let json = serde_json::to_string(options).map_err(|e| DataError::InvalidParameter {
        name: "options",
        message: format!("cannot be written as JSON: {e}"),
    })?;
    Ok(format!("fnv1a64:{:016x}", fnv1a(json.as_bytes())))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a row file's footer says about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Footer {
    /// Layout version ([`FORMAT_VERSION`]).
    pub version: u32,
    /// Rows (samples).
    pub n_rows: usize,
    /// Features per row.
    pub n_features: usize,
    /// Targets per row (1 for class labels, 0 for features only).
    pub n_targets: usize,
    /// One name per feature.
    pub feature_names: Vec<String>,
    /// One name per target.
    pub target_names: Vec<String>,
    /// With class labels: the classes in index order (Y then holds class indices).
    pub classes: Option<Vec<String>>,
    /// The CSV file the rows came from, when they came from one.
    pub source: Option<Source>,
}

/// Names, classes and source of a row file being written ([`RowFileWriter::finish`]); empty
/// names default to `x0, x1, …` and `y` (or `y0, y1, …`), as [`Dataset::new`] names them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowMeta {
    /// One name per feature, or none.
    pub feature_names: Vec<String>,
    /// One name per target, or none.
    pub target_names: Vec<String>,
    /// Class names in index order, when Y holds class indices (one target column).
    pub classes: Option<Vec<String>>,
    /// The CSV file the rows came from.
    pub source: Option<Source>,
}

fn io_error(path: &Path, what: &str, e: &std::io::Error) -> DataError {
    DataError::File {
        file: path.display().to_string(),
        message: format!("{what}: {e}"),
    }
}

fn file_error(path: &Path, message: impl Into<String>) -> DataError {
    DataError::File {
        file: path.display().to_string(),
        message: message.into(),
    }
}

/// Whether something is at `path` that is not a row file (not even a damaged one): such a
/// file is never replaced.
fn is_foreign(path: &Path) -> Result<bool, DataError> {
    match File::open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(io_error(path, "cannot read", &e)),
        Ok(file) => {
            let mut magic = [0u8; 8];
            Ok(file.read_exact_at(&mut magic, 0).is_err() || &magic != MAGIC)
        }
    }
}

fn refuse_foreign(path: &Path) -> DataError {
    file_error(
        path,
        "exists and is not an ember row file; refusing to overwrite it (remove it or choose \
         another path)",
    )
}

/// Writes a row file in one pass: rows are pushed in order (features to a temporary file
/// beside the target, targets kept in memory, `n × k` values), and [`finish`](Self::finish)
/// appends the targets and the footer, syncs the file and renames it over the target
/// atomically (ember-core's writer: file synced, renamed, directory synced). A writer dropped
/// unfinished (an error mid-stream) removes its temporary: neither a partial file nor a
/// temporary is left.
#[derive(Debug)]
pub struct RowFileWriter {
    path: PathBuf,
    temp: PathBuf,
    out: Option<BufWriter<File>>,
    n_features: usize,
    n_targets: usize,
    n_rows: usize,
    y: Vec<f32>,
    bytes: Vec<u8>,
}

impl RowFileWriter {
    /// A writer of rows of `n_features` features and `n_targets` targets, to become `path`.
    /// Refuses a `path` that holds something other than a row file.
    pub fn create(
        path: impl AsRef<Path>,
        n_features: usize,
        n_targets: usize,
    ) -> Result<Self, DataError> {
        let path = path.as_ref();
        if n_features == 0 {
            return Err(DataError::Empty("the features of a row file"));
        }
        if is_foreign(path)? {
            return Err(refuse_foreign(path));
        }
        static CALLS: AtomicU64 = AtomicU64::new(0);
        let name = path
            .file_name()
            .ok_or_else(|| file_error(path, "is not a file path"))?;
        let temp = path.with_file_name(format!(
            ".part-{}-{}-{}",
            std::process::id(),
            CALLS.fetch_add(1, Ordering::Relaxed),
            name.to_string_lossy()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| io_error(&temp, "cannot create", &e))?;
        let mut writer = Self {
            path: path.to_path_buf(),
            temp,
            out: Some(BufWriter::with_capacity(1 << 20, file)),
            n_features,
            n_targets,
            n_rows: 0,
            y: Vec::new(),
            bytes: Vec::new(),
        };
        writer.write(&header(0))?;
        Ok(writer)
    }

    /// Rows pushed so far.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), DataError> {
        let Some(out) = self.out.as_mut() else {
            return Err(file_error(&self.temp, "the writer is closed"));
        };
        out.write_all(bytes)
            .map_err(|e| io_error(&self.temp, "cannot write", &e))
    }

    /// Appends whole rows of features and their targets (`rows × n_features` and
    /// `rows × n_targets` values, row-major).
    pub fn push(&mut self, x: &[f32], y: &[f32]) -> Result<(), DataError> {
        let rows = x.len() / self.n_features;
        if self.n_targets * rows != y.len() {
            return Err(DataError::Mismatch {
                what: "target values vs rows × targets",
                left: y.len(),
                right: self.n_targets * rows,
            });
        }
        let first = self.y.len();
        self.push_y(y)?;
        self.push_x(x).inspect_err(|_| self.y.truncate(first))
    }

    /// Appends whole rows of features only; their targets come through
    /// [`push_y`](Self::push_y), before [`finish`](Self::finish) (for targets known only at
    /// the end, like class labels numbered once every label has been seen). A non-finite
    /// value is an error naming its row (0-based, in the file) and column.
    pub fn push_x(&mut self, x: &[f32]) -> Result<(), DataError> {
        let d = self.n_features;
        if !x.len().is_multiple_of(d) {
            return Err(DataError::Shape {
                what: "row file features",
                rows: x.len() / d,
                cols: d,
                expected: x.len() / d * d,
                got: x.len(),
            });
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(DataError::NonFinite {
                what: "X",
                row: self.n_rows + i / d,
                column: i % d,
                value: f64::from(x[i]),
            });
        }
        let mut bytes = std::mem::take(&mut self.bytes);
        bytes.clear();
        bytes.extend(x.iter().flat_map(|v| v.to_le_bytes()));
        let written = self.write(&bytes);
        self.bytes = bytes;
        written?;
        self.n_rows += x.len() / d;
        Ok(())
    }

    /// Appends targets, `n_targets` per row, in row order (see [`push_x`](Self::push_x)).
    pub fn push_y(&mut self, y: &[f32]) -> Result<(), DataError> {
        let k = self.n_targets.max(1);
        if self.n_targets == 0 && !y.is_empty() || !y.len().is_multiple_of(k) {
            return Err(DataError::Shape {
                what: "row file targets",
                rows: y.len() / k,
                cols: self.n_targets,
                expected: y.len() / k * self.n_targets,
                got: y.len(),
            });
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(DataError::NonFinite {
                what: "y",
                row: (self.y.len() + i) / k,
                column: i % k,
                value: f64::from(y[i]),
            });
        }
        self.y.extend_from_slice(y);
        Ok(())
    }

    /// Writes the targets and the footer, syncs the file and renames it over the target path;
    /// the finished file, opened. An error names a count of targets that does not match the
    /// rows, names that do not match the columns, or a class index out of range.
    pub fn finish(mut self, meta: RowMeta) -> Result<RowFile, DataError> {
        let footer = self.footer(meta)?;
        let json = serde_json::to_vec(&footer)
            .map_err(|e| file_error(&self.path, format!("cannot write the footer: {e}")))?;
        let mut tail = std::mem::take(&mut self.y)
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>();
        tail.extend_from_slice(&json);
        tail.extend_from_slice(&(json.len() as u64).to_le_bytes());
        tail.extend_from_slice(MAGIC);
        self.write(&tail)?;
        let out = self.out.take().map(BufWriter::into_inner);
        let file = match out {
            Some(Ok(file)) => file,
            Some(Err(e)) => return Err(io_error(&self.temp, "cannot write", e.error())),
            None => return Err(file_error(&self.temp, "the writer is closed")),
        };
        let length = file
            .metadata()
            .map_err(|e| io_error(&self.temp, "cannot read", &e))?
            .len();
        file.write_all_at(&header(length), 0)
            .map_err(|e| io_error(&self.temp, "cannot write", &e))?;
        drop(file);
        let temp = self.temp.clone();
        ember_core::replace_atomically(&self.path, |tmp| fs::rename(&temp, tmp), |e| e)
            .map_err(|e| io_error(&self.path, "cannot write", &e))?;
        RowFile::open(&self.path)
    }

    /// The footer for the rows pushed, checked.
    fn footer(&self, meta: RowMeta) -> Result<Footer, DataError> {
        let (n, d, k) = (self.n_rows, self.n_features, self.n_targets);
        if self.y.len() != n * k {
            return Err(DataError::Mismatch {
                what: "target values vs rows × targets of a row file",
                left: self.y.len(),
                right: n * k,
            });
        }
        let y = Matrix::new(n, k, self.y.clone())?;
        let data = Dataset::new(Matrix::<f32>::zeros(0, d), Matrix::<f32>::zeros(0, k))?;
        let feature_names = if meta.feature_names.is_empty() {
            data.feature_names().to_vec()
        } else {
            meta.feature_names
        };
        let target_names = if meta.target_names.is_empty() {
            data.target_names().to_vec()
        } else {
            meta.target_names
        };
        let footer = Footer {
            version: FORMAT_VERSION,
            n_rows: n,
            n_features: d,
            n_targets: k,
            feature_names,
            target_names,
            classes: meta.classes,
            source: meta.source,
        };
        check_footer(&footer, &y).map_err(|m| file_error(&self.path, m))?;
        Ok(footer)
    }
}

impl Drop for RowFileWriter {
    fn drop(&mut self) {
        // Unfinished (or its rename failed): the temporary goes; `finish` renamed it otherwise.
        drop(self.out.take());
        let _ = fs::remove_file(&self.temp);
    }
}

/// The 32 bytes before the rows: the magic, the version, and the file's length (0 while it is
/// being written).
fn header(length: u64) -> [u8; 32] {
    let mut h = [0u8; 32];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[16..24].copy_from_slice(&length.to_le_bytes());
    h
}

/// Names that match the shape, and targets that are class indices when there are classes.
fn check_footer(footer: &Footer, y: &Matrix<f32>) -> Result<(), String> {
    if footer.feature_names.len() != footer.n_features {
        return Err(format!(
            "{} feature names for {} features",
            footer.feature_names.len(),
            footer.n_features
        ));
    }
    if footer.target_names.len() != footer.n_targets {
        return Err(format!(
            "{} target names for {} targets",
            footer.target_names.len(),
            footer.n_targets
        ));
    }
    if let Some(classes) = &footer.classes {
        if footer.n_targets != 1 {
            return Err(format!(
                "classes need one target column, there are {}",
                footer.n_targets
            ));
        }
        if let Some((row, v)) = crate::first_non_class(y.as_slice(), classes.len()) {
            return Err(format!(
                "the target of row {row} is {v}, not a class index in 0..{}",
                classes.len()
            ));
        }
    }
    Ok(())
}

/// Why a file could not be opened as a row file.
enum Unusable {
    /// It is not a row file at all (no magic at its start).
    Foreign(DataError),
    /// It is a row file, but truncated, unfinished, of another version or inconsistent.
    Damaged(DataError),
    /// It could not be read.
    Failed(DataError),
}

impl Unusable {
    fn into_error(self) -> DataError {
        match self {
            Self::Foreign(e) | Self::Damaged(e) | Self::Failed(e) => e,
        }
    }
}

/// Column means and population standard deviations of a row file's features, in `f64`
/// ([`RowFile::column_moments`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnMoments {
    /// Rows the moments are over.
    pub n_rows: usize,
    /// Each column's mean.
    pub mean: Vec<f64>,
    /// Each column's population standard deviation (`ddof = 0`, as scikit-learn's
    /// `StandardScaler`); 0 for a constant column.
    pub std: Vec<f64>,
}

impl ColumnMoments {
    /// The scale [`StandardScaler`] divides by: the standard deviation, or 1 for a column
    /// whose variance is within rounding of zero (scikit-learn's `_is_constant_feature`).
    pub fn scale(&self) -> Vec<f64> {
        let n = self.n_rows as f64;
        self.std
            .iter()
            .zip(&self.mean)
            .map(|(s, m)| {
                let var = s * s;
                let bound = n * f64::EPSILON * var + (n * m * f64::EPSILON).powi(2);
                if var <= bound { 1.0 } else { *s }
            })
            .collect()
    }

    /// The [`StandardScaler`] these moments make: `(x − mean) / scale`.
    pub fn scaler(&self) -> Result<StandardScaler, DataError> {
        let parts = serde_json::json!({ "mean": self.mean, "scale": self.scale() });
        serde_json::from_value(parts).map_err(|e| DataError::InvalidParameter {
            name: "moments",
            message: format!("not a standard scaler: {e}"),
        })
    }
}

/// A row file opened for reading: its shape, names and targets in memory, its features read
/// on demand by position (see the [module documentation](self) for why `pread` and not a map).
#[derive(Debug)]
pub struct RowFile {
    path: PathBuf,
    file: File,
    footer: Footer,
    y: Matrix<f32>,
}

impl RowFile {
    /// Opens the row file at `path`, checking its magic, its footer and that its length is
    /// exactly what the footer's shape implies; loads its targets. A truncated file is an
    /// error naming the bytes expected and found.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DataError> {
        Self::open_checked(path.as_ref()).map_err(Unusable::into_error)
    }

    fn open_checked(path: &Path) -> Result<Self, Unusable> {
        let failed = |what: &str, e: std::io::Error| Unusable::Failed(io_error(path, what, &e));
        let damaged = |m: String| Unusable::Damaged(file_error(path, m));
        let file = File::open(path).map_err(|e| failed("cannot open", e))?;
        let length = file.metadata().map_err(|e| failed("cannot read", e))?.len();
        let mut head = [0u8; HEADER as usize];
        let got = file
            .read_at(&mut head, 0)
            .map_err(|e| failed("cannot read", e))?;
        if got < 8 || &head[..8] != MAGIC {
            return Err(Unusable::Foreign(file_error(
                path,
                "is not an ember row file",
            )));
        }
        if length < HEADER + TRAILER {
            return Err(damaged(format!(
                "truncated: {length} bytes, shorter than any row file"
            )));
        }
        let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
        if version != FORMAT_VERSION {
            return Err(damaged(format!(
                "row file format version {version}; this ember reads version {FORMAT_VERSION}"
            )));
        }
        let mut total = [0u8; 8];
        total.copy_from_slice(&head[16..24]);
        match u64::from_le_bytes(total) {
            0 => {
                return Err(damaged(
                    "unfinished: its writer stopped before the end".into(),
                ));
            }
            t if t != length => {
                return Err(damaged(format!(
                    "truncated or damaged: expected {t} bytes, found {length}"
                )));
            }
            _ => {}
        }
        let footer = read_footer(&file, length).map_err(&damaged)?;
        let y = read_targets(&file, &footer).map_err(|e| failed("cannot read", e))?;
        check_footer(&footer, &y).map_err(|m| damaged(format!("damaged: {m}")))?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            footer,
            y,
        })
    }

    /// Converts the CSV file `csv`, read as `options` say, into the row file `out` in one
    /// streaming pass (memory: a few CSV blocks, the targets, and for text labels one code
    /// per row); the file opened. Text labels become class indices exactly as
    /// [`read_csv`](crate::csv::read_csv) numbers them. A bad cell is an error naming
    /// `file:line:column`, a missing or non-finite feature (with `missing = "keep"`) one naming
    /// the data row and column; either way no file or temporary is left at `out`. An existing
    /// `out` that is not a row file is refused, never overwritten.
    pub fn convert_csv(
        csv: impl AsRef<Path>,
        options: &CsvOptions,
        out: impl AsRef<Path>,
    ) -> Result<Self, DataError> {
        let csv = csv.as_ref();
        let source = Source::of(csv, options)?;
        convert(csv, options, out.as_ref(), source)
    }

    /// The row file at `cache` for the CSV file `csv` read with `options`: reused when it was
    /// converted from that file, unchanged since (size and modification time) and read with
    /// the same options; otherwise (absent, stale, damaged or truncated) converted again, with
    /// a note saying why. Something at `cache` that is not a row file is refused, never
    /// overwritten.
    pub fn cached(
        csv: impl AsRef<Path>,
        options: &CsvOptions,
        cache: impl AsRef<Path>,
    ) -> Result<(Self, Option<String>), DataError> {
        let (csv, cache) = (csv.as_ref(), cache.as_ref());
        let source = Source::of(csv, options)?;
        let why = match fs::symlink_metadata(cache) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "there was none".to_string(),
            Err(e) => return Err(io_error(cache, "cannot read", &e)),
            Ok(_) => match Self::open_checked(cache) {
                Ok(file) => match &file.footer.source {
                    None => "it was not converted from a CSV file".into(),
                    Some(was) => match was.change(&source) {
                        None => return Ok((file, None)),
                        Some(why) => why,
                    },
                },
                Err(Unusable::Damaged(e)) => e.to_string(),
                Err(Unusable::Foreign(_)) => return Err(refuse_foreign(cache)),
                Err(Unusable::Failed(e)) => return Err(e),
            },
        };
        let file = convert(csv, options, cache, source)?;
        let note = format!(
            "{}: converted {} into this row file ({} rows × {} features): {why}",
            cache.display(),
            csv.display(),
            file.n_rows(),
            file.n_features()
        );
        Ok((file, Some(note)))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the footer says: shape, names, classes, source.
    pub fn footer(&self) -> &Footer {
        &self.footer
    }

    /// Rows (samples).
    pub fn n_rows(&self) -> usize {
        self.footer.n_rows
    }

    /// Features per row.
    pub fn n_features(&self) -> usize {
        self.footer.n_features
    }

    /// Targets per row.
    pub fn n_targets(&self) -> usize {
        self.footer.n_targets
    }

    /// The features' names.
    pub fn feature_names(&self) -> &[String] {
        &self.footer.feature_names
    }

    /// The targets' names.
    pub fn target_names(&self) -> &[String] {
        &self.footer.target_names
    }

    /// With class labels, the classes in index order.
    pub fn classes(&self) -> Option<&[String]> {
        self.footer.classes.as_deref()
    }

    /// The CSV file the rows came from, as it was when converted.
    pub fn source(&self) -> Option<&Source> {
        self.footer.source.as_ref()
    }

    /// Every row's targets (`n × k`; class indices when there are classes), held in memory.
    pub fn y(&self) -> &Matrix<f32> {
        &self.y
    }

    /// Appends the features of `rows` (any order, repeats allowed) to `out`, row after row;
    /// runs of consecutive rows are read at once. A row out of range is an error naming the
    /// file, and `out` is then left as it was.
    pub fn read_rows(&self, rows: &[usize], out: &mut Vec<f32>) -> Result<(), DataError> {
        let n = self.n_rows();
        if let Some(&r) = rows.iter().find(|&&r| r >= n) {
            return Err(file_error(
                &self.path,
                format!("row {r} is out of range (the file has {n} rows)"),
            ));
        }
        let start = out.len();
        out.reserve(rows.len() * self.n_features());
        let mut bytes = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let first = rows[i];
            let mut run = 1;
            while i + run < rows.len() && rows[i + run] == first + run {
                run += 1;
            }
            if let Err(e) = self.read_range(first, run, &mut bytes, out) {
                out.truncate(start);
                return Err(e);
            }
            i += run;
        }
        Ok(())
    }

    /// Appends the features of rows `first..first + count` to `out` (`bytes`: scratch).
    fn read_range(
        &self,
        first: usize,
        count: usize,
        bytes: &mut Vec<u8>,
        out: &mut Vec<f32>,
    ) -> Result<(), DataError> {
        let row_bytes = self.n_features() * 4;
        bytes.resize(count * row_bytes, 0);
        let offset = HEADER + (first * row_bytes) as u64;
        self.file
            .read_exact_at(bytes, offset)
            .map_err(|e| io_error(&self.path, "cannot read rows", &e))?;
        out.extend(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        Ok(())
    }

    /// Each feature column's mean and population standard deviation, in `f64`, in one pass
    /// over the file a few MiB at a time (each block's moments computed in two passes in
    /// memory and merged with Chan et al.'s formula, so a large mean does not cost the
    /// variance its precision). [`ColumnMoments::scaler`] makes the [`StandardScaler`]
    /// scikit-learn's `StandardScaler.fit` would make.
    pub fn column_moments(&self) -> Result<ColumnMoments, DataError> {
        self.moments_by_block(self.n_rows(), |first, count, bytes, block| {
            self.read_range(first, count, bytes, block)
        })
    }

    /// [`column_moments`](Self::column_moments) of the rows `rows` only (a training split),
    /// read a few MiB at a time.
    pub fn column_moments_of(&self, rows: &[usize]) -> Result<ColumnMoments, DataError> {
        self.moments_by_block(rows.len(), |first, count, _, block| {
            self.read_rows(&rows[first..first + count], block)
        })
    }

    /// The moments of `n` rows read by `read(first, count, scratch, out)` a block at a time.
    fn moments_by_block(
        &self,
        n: usize,
        mut read: impl FnMut(usize, usize, &mut Vec<u8>, &mut Vec<f32>) -> Result<(), DataError>,
    ) -> Result<ColumnMoments, DataError> {
        let d = self.n_features();
        let per_block = (PASS_BYTES / (d * 4).max(1)).max(1);
        let mut mean = vec![0.0f64; d];
        let mut m2 = vec![0.0f64; d];
        let (mut seen, mut bytes, mut block) = (0usize, Vec::new(), Vec::new());
        while seen < n {
            let count = per_block.min(n - seen);
            block.clear();
            read(seen, count, &mut bytes, &mut block)?;
            let (block_mean, block_m2) = block_moments(&block, d, count);
            let (na, nb) = (seen as f64, count as f64);
            let total = na + nb;
            for j in 0..d {
                let delta = block_mean[j] - mean[j];
                mean[j] += delta * nb / total;
                m2[j] += block_m2[j] + delta * delta * na * nb / total;
            }
            seen += count;
        }
        let std = m2.iter().map(|s| (s / n as f64).sqrt()).collect();
        Ok(ColumnMoments {
            n_rows: n,
            mean,
            std,
        })
    }

    /// The whole file in memory, as [`read_csv`](crate::csv::read_csv) would have read its
    /// CSV (for small files and tests).
    pub fn to_dataset(&self) -> Result<Dataset<f32>, DataError> {
        let (n, d) = (self.n_rows(), self.n_features());
        let mut x = Vec::with_capacity(n * d);
        self.read_range(0, n, &mut Vec::new(), &mut x)?;
        let data = Dataset::new(Matrix::new(n, d, x)?, self.y.clone())?
            .with_feature_names(self.feature_names().iter().cloned())?
            .with_target_names(self.target_names().iter().cloned())?;
        match self.classes() {
            Some(classes) => data.with_labels(LabelEncoder::from_classes(classes.iter().cloned())),
            None => Ok(data),
        }
    }
}

/// A block's column means and sums of squared deviations from them.
fn block_moments(block: &[f32], d: usize, count: usize) -> (Vec<f64>, Vec<f64>) {
    let mut mean = vec![0.0f64; d];
    for row in block.chunks_exact(d) {
        mean.iter_mut()
            .zip(row)
            .for_each(|(m, &v)| *m += f64::from(v));
    }
    mean.iter_mut().for_each(|m| *m /= count as f64);
    let mut m2 = vec![0.0f64; d];
    for row in block.chunks_exact(d) {
        for ((s, &v), m) in m2.iter_mut().zip(row).zip(&mean) {
            let dev = f64::from(v) - m;
            *s += dev * dev;
        }
    }
    (mean, m2)
}

/// The footer of a file of `length` bytes whose header has been checked.
fn read_footer(file: &File, length: u64) -> Result<Footer, String> {
    let mut trailer = [0u8; TRAILER as usize];
    file.read_exact_at(&mut trailer, length - TRAILER)
        .map_err(|e| format!("cannot read its end: {e}"))?;
    if &trailer[8..] != MAGIC {
        return Err("damaged: no end marker".into());
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&trailer[..8]);
    let footer_len = u64::from_le_bytes(len);
    if footer_len > length - HEADER - TRAILER {
        return Err(format!(
            "damaged: a footer of {footer_len} bytes in a file of {length}"
        ));
    }
    let mut json = vec![0u8; footer_len as usize];
    file.read_exact_at(&mut json, length - TRAILER - footer_len)
        .map_err(|e| format!("cannot read its footer: {e}"))?;
    let footer: Footer =
        serde_json::from_slice(&json).map_err(|e| format!("damaged footer: {e}"))?;
    if footer.version != FORMAT_VERSION {
        return Err(format!(
            "row file format version {}; this ember reads version {FORMAT_VERSION}",
            footer.version
        ));
    }
    let values = footer
        .n_rows
        .checked_mul(footer.n_features + footer.n_targets)
        .and_then(|v| v.checked_mul(4));
    let expected = values.map(|v| HEADER + v as u64 + footer_len + TRAILER);
    if expected != Some(length) || footer.n_features == 0 {
        return Err(format!(
            "truncated or damaged: its footer's shape ({} rows × ({} features + {} targets)) \
             implies {} bytes, found {length}",
            footer.n_rows,
            footer.n_features,
            footer.n_targets,
            expected.map_or_else(|| "more than 2^64".to_string(), |e| e.to_string())
        ));
    }
    Ok(footer)
}

/// The targets block, after the features.
fn read_targets(file: &File, footer: &Footer) -> std::io::Result<Matrix<f32>> {
    let (n, d, k) = (footer.n_rows, footer.n_features, footer.n_targets);
    let mut bytes = vec![0u8; n * k * 4];
    file.read_exact_at(&mut bytes, HEADER + (n * d * 4) as u64)?;
    let y = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Matrix::new(n, k, y).map_err(std::io::Error::other)
}

/// [`RowFile::convert_csv`] with the source already taken (before the read, so that a CSV
/// file changed during the conversion makes a stale cache, not a wrong one).
fn convert(
    csv: &Path,
    options: &CsvOptions,
    out: &Path,
    source: Source,
) -> Result<RowFile, DataError> {
    if is_foreign(out)? {
        return Err(refuse_foreign(out));
    }
    let mut writer: Option<RowFileWriter> = None;
    let mut labels: Vec<ChunkLabels> = Vec::new();
    let streamed = stream_csv::<f32, DataError>(csv, options, |chunk| {
        let w = match &mut writer {
            Some(w) => w,
            None => {
                let k = if chunk.labels.is_some() {
                    1
                } else {
                    chunk.y.n_cols()
                };
                writer.insert(RowFileWriter::create(out, chunk.x.n_cols(), k)?)
            }
        };
        w.push_x(chunk.x.as_slice()).map_err(|e| bad_row(csv, e))?;
        match chunk.labels {
            Some(l) => labels.push(l),
            None => w.push_y(chunk.y.as_slice()).map_err(|e| bad_row(csv, e))?,
        }
        Ok(())
    })?;
    let mut writer = writer.ok_or_else(|| file_error(csv, "no data rows"))?;
    if let Some(classes) = &streamed.classes {
        writer.push_y(&class_indices(&labels, classes, csv)?)?;
    }
    writer.finish(RowMeta {
        feature_names: streamed.feature_names,
        target_names: streamed.target_names,
        classes: streamed.classes,
        source: Some(source),
    })
}

/// A non-finite value, named in the CSV file's terms.
fn bad_row(csv: &Path, e: DataError) -> DataError {
    match e {
        DataError::NonFinite {
            what,
            row,
            column,
            value,
        } => file_error(
            csv,
            format!(
                "data row {} (1-based, the header not counted), {} {} (1-based): {value}; a row \
                 file holds finite values only: drop such rows (missing = \"drop_rows\") or fill \
                 them before converting",
                row + 1,
                if what == "X" { "feature" } else { "target" },
                column + 1
            ),
        ),
        other => other,
    }
}

/// Every row's class index in `classes`, from the chunks' local codes.
fn class_indices(
    labels: &[ChunkLabels],
    classes: &[String],
    csv: &Path,
) -> Result<Vec<f32>, DataError> {
    let index: HashMap<&str, f32> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as f32))
        .collect();
    let mut y = Vec::with_capacity(labels.iter().map(|l| l.codes.len()).sum());
    for chunk in labels {
        let global = chunk
            .names
            .iter()
            .map(|name| index.get(name.as_str()).copied())
            .collect::<Option<Vec<f32>>>()
            .ok_or_else(|| file_error(csv, "a label missing from the classes"))?;
        for &code in &chunk.codes {
            let c = global
                .get(code as usize)
                .ok_or_else(|| file_error(csv, "a label code out of range"))?;
            y.push(*c);
        }
    }
    Ok(y)
}
