//! IDX files, the format of MNIST: a big-endian header (magic number with the element type and
//! the number of dimensions, then each dimension's size) followed by the values. Plain or gzipped.

use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::{DataError, Dataset, LabelEncoder, Matrix, Scalar};

/// The values of an IDX file, converted to `T`, with the shape its header gives.
///
/// ```
/// // A 2×3 array of unsigned bytes: magic 0x00000803... is 3 dimensions; here 0x0802 is 2.
/// let mut bytes = vec![0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3];
/// bytes.extend([1, 2, 3, 4, 5, 6]);
/// let array = ember_data::idx::IdxArray::<f32>::from_bytes("tiny.idx", &bytes)?;
/// assert_eq!(array.shape(), &[2, 3]);
/// assert_eq!(array.values()[5], 6.0);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct IdxArray<T> {
    shape: Vec<usize>,
    values: Vec<T>,
}

impl<T: Scalar> IdxArray<T> {
    /// Reads an IDX file, gzipped or not.
    ///
    /// ```no_run
    /// let images = ember_data::idx::IdxArray::<f32>::read("train-images-idx3-ubyte.gz")?;
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn read(path: impl AsRef<Path>) -> Result<Self, DataError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| DataError::File {
            file: name.clone(),
            message: format!("cannot read: {e}"),
        })?;
        Self::from_bytes(&name, &bytes)
    }

    /// Parses the bytes of an IDX file (gunzipping them first if they are gzipped); `name`
    /// stands for the file in errors.
    ///
    /// ```
    /// let err = ember_data::idx::IdxArray::<f32>::from_bytes("x.idx", &[0, 0, 8, 1, 0, 0, 0, 5, 1, 2]).unwrap_err();
    /// assert_eq!(err.to_string(), "x.idx: truncated: the header gives shape [5] of u8 (5 bytes of data), the file has 2");
    /// ```
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Self, DataError> {
        let error = |message: String| DataError::File {
            file: name.into(),
            message,
        };
        let unzipped;
        let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            MultiGzDecoder::new(bytes)
                .read_to_end(&mut out)
                .map_err(|e| error(format!("cannot decompress (truncated gzip?): {e}")))?;
            unzipped = out;
            &unzipped[..]
        } else {
            bytes
        };
        if bytes.len() < 4 {
            return Err(error(format!(
                "not an IDX file: {} bytes, shorter than the 4-byte magic number",
                bytes.len()
            )));
        }
        if bytes[0] != 0 || bytes[1] != 0 {
            return Err(error(format!(
                "not an IDX file: the magic number starts with {:#04x} {:#04x}, expected 0x00 0x00",
                bytes[0], bytes[1]
            )));
        }
        let (kind, width) = match bytes[2] {
            0x08 => ("u8", 1),
            0x09 => ("i8", 1),
            0x0B => ("i16", 2),
            0x0C => ("i32", 4),
            0x0D => ("f32", 4),
            0x0E => ("f64", 8),
            other => {
                return Err(error(format!(
                    "not an IDX file: element type code {other:#04x} is none of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E"
                )));
            }
        };
        let ndim = usize::from(bytes[3]);
        if ndim == 0 {
            return Err(error("the header gives 0 dimensions".into()));
        }
        let header = 4 + 4 * ndim;
        if bytes.len() < header {
            return Err(error(format!(
                "truncated: the header of {ndim} dimensions needs {header} bytes, the file has {}",
                bytes.len()
            )));
        }
        let shape: Vec<usize> = bytes[4..header]
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
            .collect();
        let count = shape
            .iter()
            .try_fold(1usize, |acc, &s| acc.checked_mul(s))
            .and_then(|c| c.checked_mul(width))
            .ok_or_else(|| error(format!("the shape {shape:?} overflows")))?;
        let data = &bytes[header..];
        if data.len() < count {
            return Err(error(format!(
                "truncated: the header gives shape {shape:?} of {kind} ({count} bytes of data), the file has {}",
                data.len()
            )));
        }
        if data.len() > count {
            return Err(error(format!(
                "{} bytes after the data the header gives (shape {shape:?} of {kind}): not an IDX file, or a wrong header",
                data.len() - count
            )));
        }
        let values: Vec<T> = match bytes[2] {
            0x08 => data.iter().map(|&v| T::from_f64(f64::from(v))).collect(),
            0x09 => data
                .iter()
                .map(|&v| T::from_f64(f64::from(v as i8)))
                .collect(),
            0x0B => be::<T, 2>(data, |c| f64::from(i16::from_be_bytes([c[0], c[1]]))),
            0x0C => be::<T, 4>(data, |c| {
                f64::from(i32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            }),
            0x0D => be::<T, 4>(data, |c| {
                f64::from(f32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            }),
            _ => be::<T, 8>(data, |c| {
                f64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
            }),
        };
        Ok(Self { shape, values })
    }

    /// Size of each dimension.
    ///
    /// ```
    /// let a = ember_data::idx::IdxArray::<f64>::from_bytes("a", &[0, 0, 8, 1, 0, 0, 0, 1, 7])?;
    /// assert_eq!(a.shape(), &[1]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The values, row-major.
    ///
    /// ```
    /// let a = ember_data::idx::IdxArray::<f64>::from_bytes("a", &[0, 0, 8, 1, 0, 0, 0, 1, 7])?;
    /// assert_eq!(a.values(), &[7.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The array as a matrix: the first dimension is the rows, the others are flattened into
    /// the columns (a 60000×28×28 image file becomes 60000×784).
    ///
    /// ```
    /// let a = ember_data::idx::IdxArray::<f64>::from_bytes("a", &[0, 0, 8, 1, 0, 0, 0, 2, 7, 8])?;
    /// assert_eq!(a.into_matrix()?.shape(), (2, 1));
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn into_matrix(self) -> Result<Matrix<T>, DataError> {
        let rows = self.shape[0];
        let cols = self.shape[1..].iter().product();
        Matrix::new(rows, cols, self.values)
    }
}

fn be<T: Scalar, const N: usize>(data: &[u8], f: impl Fn(&[u8]) -> f64) -> Vec<T> {
    data.chunks_exact(N).map(|c| T::from_f64(f(c))).collect()
}

/// MNIST (or Fashion-MNIST) from an image file and a label file in IDX format, plain or gzipped:
/// pixels scaled to `[0, 1]` (divided by 255, as `torchvision`'s `ToTensor` does), one row per
/// image, labels `0..9` with class names `"0"…"9"`.
///
/// ```no_run
/// let train = ember_data::idx::mnist::<f32>("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")?;
/// assert_eq!(train.x().shape(), (60000, 784));
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn mnist<T: Scalar>(
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
) -> Result<Dataset<T>, DataError> {
    let image_name = images.as_ref().display().to_string();
    let label_name = labels.as_ref().display().to_string();
    mnist_from(
        IdxArray::read(images)?,
        &image_name,
        IdxArray::read(labels)?,
        &label_name,
    )
}

/// One of MNIST's sets from the folder that holds its IDX files: `"train"`
/// (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`) or `"t10k"` (the test set), each file
/// plain or ending in `.gz` (see [`mnist`]).
///
/// ```
/// let err = ember_data::idx::mnist_in::<f32>("no/such/folder", "train").unwrap_err();
/// assert_eq!(err.to_string(), "no/such/folder/train-images-idx3-ubyte: not found, nor with .gz (scripts/fetch_mnist.sh fetches MNIST)");
/// ```
pub fn mnist_in<T: Scalar>(dir: impl AsRef<Path>, set: &str) -> Result<Dataset<T>, DataError> {
    let find = |kind: &str| {
        let plain = dir.as_ref().join(format!("{set}-{kind}-ubyte"));
        let gz = dir.as_ref().join(format!("{set}-{kind}-ubyte.gz"));
        [plain.clone(), gz]
            .into_iter()
            .find(|p| p.exists())
            .ok_or_else(|| DataError::File {
                file: plain.display().to_string(),
                message: "not found, nor with .gz (scripts/fetch_mnist.sh fetches MNIST)".into(),
            })
    };
    mnist(find("images-idx3")?, find("labels-idx1")?)
}

/// [`mnist`] from arrays already read.
pub(crate) fn mnist_from<T: Scalar>(
    images: IdxArray<T>,
    image_name: &str,
    labels: IdxArray<T>,
    label_name: &str,
) -> Result<Dataset<T>, DataError> {
    if images.shape().len() != 3 {
        return Err(DataError::File {
            file: image_name.into(),
            message: format!(
                "expected images (3 dimensions), the header gives shape {:?}",
                images.shape()
            ),
        });
    }
    if labels.shape().len() != 1 || labels.shape()[0] != images.shape()[0] {
        return Err(DataError::File {
            file: label_name.into(),
            message: format!(
                "expected {} labels (one per image), the header gives shape {:?}",
                images.shape()[0],
                labels.shape()
            ),
        });
    }
    let (h, w) = (images.shape()[1], images.shape()[2]);
    let mut x = images.into_matrix()?;
    for v in x.as_mut_slice() {
        // Divided in f64 and rounded once: the same bits as dividing in T.
        *v = T::from_f64(v.to_f64() / 255.0);
    }
    if let Some(row) = labels
        .values()
        .iter()
        .position(|v| !(0.0..10.0).contains(&v.to_f64()))
    {
        return Err(DataError::File {
            file: label_name.into(),
            message: format!("label {row} is {}, not a digit 0..9", labels.values()[row]),
        });
    }
    let y = labels.into_matrix()?;
    let names = (0..h * w).map(|k| format!("pixel_{}_{}", k / w, k % w));
    Dataset::new(x, y)?
        .with_feature_names(names)?
        .with_target_names(["digit"])?
        .with_labels(LabelEncoder::from_classes((0..10).map(|d| d.to_string())))
}
