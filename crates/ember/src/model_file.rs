//! One self-describing file for a trained model: the fitted state (config, coefficients or the
//! network's shape), the preprocessing it expects, feature and target names, and the weights as
//! burn's burnpack record.
//!
//! Layout (format 2): the 8 bytes `EMBERMDL`, the format version (`u32`, little-endian), the
//! header's length (`u64`, little-endian), the header (TOML, whose floats read back bit for
//! bit), the weights (burnpack; empty for linear models), then the checksum: FNV-1a 64 of every
//! byte before it (`u64`, little-endian). A file whose checksum does not match is refused
//! before anything past its magic and version is read, so a flipped byte or a cut-short file
//! never loads. Format 1 (no checksum) is refused with a message to train the model again.

use std::borrow::Cow;
use std::path::Path;

use burn::tensor::Device;
use ember_data::csv::CsvOptions;
use ember_data::preprocessing::{MinMaxScaler, StandardScaler};
use ember_data::{DataError, Matrix};
use ember_models::{FitError, FittedModel, ModelState};
use serde::{Deserialize, Serialize};
use thiserror::Error;

const MAGIC: &[u8; 8] = b"EMBERMDL";
/// Magic, format version and header length.
const PREAMBLE: usize = 20;
/// The trailing FNV-1a 64 checksum.
const CHECKSUM: usize = 8;
/// The format version this build writes and the only one it reads.
pub const FORMAT_VERSION: u32 = 2;
/// The burn version ember is built on.
pub const BURN_VERSION: &str = "0.22.1";

/// A feature scaler fitted on the training data, applied before the model.
///
/// ```
/// use ember::model_file::Scaler;
/// use ember::data::{Matrix, preprocessing::StandardScaler};
/// let x = Matrix::from_rows(&[[1.0], [3.0]])?;
/// let scaler = Scaler::Standard(StandardScaler::fit(&x)?);
/// assert_eq!(scaler.transform(&x)?.as_slice(), &[-1.0, 1.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaler {
    /// Zero mean, unit variance.
    Standard(StandardScaler),
    /// Each feature to `[min, max]`.
    MinMax(MinMaxScaler),
}

impl Scaler {
    /// Scales `x` (columns must match the data the scaler was fitted on).
    pub fn transform(&self, x: &Matrix) -> Result<Matrix, DataError> {
        match self {
            Self::Standard(s) => s.transform(x),
            Self::MinMax(s) => s.transform(x),
        }
    }

    /// The scaling of `d` features as `x ↦ x · scale + offset` per feature: `(scale, offset)`.
    ///
    /// ```
    /// use ember::model_file::Scaler;
    /// use ember::data::{Matrix, preprocessing::StandardScaler};
    /// let scaler = Scaler::Standard(StandardScaler::fit(&Matrix::from_rows(&[[1.0], [3.0]])?)?);
    /// assert_eq!(scaler.affine(1)?, (vec![1.0], vec![-2.0]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn affine(&self, d: usize) -> Result<(Vec<f64>, Vec<f64>), DataError> {
        // Every scaler is affine per feature: read it off the images of 0 and 1.
        let t = self.transform(&Matrix::from_fn(2, d, |i, _| i as f64))?;
        let offset: Vec<f64> = (0..d).map(|j| t.get(0, j)).collect();
        let scale = (0..d).map(|j| t.get(1, j) - offset[j]).collect();
        Ok((scale, offset))
    }
}

/// Everything but the weights: what the model is and how to feed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// ember's version that wrote the file.
    pub ember_version: String,
    /// burn's version that wrote the weights.
    pub burn_version: String,
    /// The fitted model's state.
    pub model: ModelState,
    /// Scaling applied to features before the model, if any.
    pub scaler: Option<Scaler>,
    /// Names of the features, in the order the model takes them.
    pub feature_names: Vec<String>,
    /// Names of the targets.
    pub target_names: Vec<String>,
    /// How the training CSV's columns were chosen, when the data came from a CSV file.
    pub csv_options: Option<CsvOptions>,
}

/// A trained model with its preprocessing and names, as stored in a model file.
///
/// ```
/// use burn::tensor::Device;
/// use ember::model_file::ModelFile;
/// use ember::models::linear::LinearRegressionConfig;
///
/// let device = Device::flex();
/// let data = ember::data::load("diabetes")?;
/// let model = LinearRegressionConfig::new().fit_dataset(&data, &device)?;
/// let file = ModelFile::new(model.into(), None, &data, None);
/// let bytes = file.to_bytes()?;
/// let back = ModelFile::from_bytes(&bytes, &device)?;
/// assert_eq!(back.predict(data.x())?, file.predict(data.x())?);
/// assert!(ModelFile::from_bytes(&bytes[..20], &device).is_err());
/// let mut damaged = bytes.clone();
/// damaged[30] ^= 1;
/// let err = ModelFile::from_bytes(&damaged, &device).unwrap_err();
/// assert_eq!(err.to_string(), "corrupt model file: checksum mismatch: the file is damaged");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ModelFile {
    /// The fitted model.
    pub model: FittedModel,
    /// Scaling applied to features first.
    pub scaler: Option<Scaler>,
    /// Feature names, in order.
    pub feature_names: Vec<String>,
    /// Target names.
    pub target_names: Vec<String>,
    /// How the training CSV's columns were chosen, if the data came from one.
    pub csv_options: Option<CsvOptions>,
}

/// Why a model file could not be read or written.
#[derive(Debug, Error)]
pub enum ModelFileError {
    /// The bytes are not an ember model file.
    #[error("not an ember model file (it does not start with `EMBERMDL`)")]
    NotAModel,
    /// Written by a newer ember.
    #[error(
        "model file format {found} is newer than this ember reads ({FORMAT_VERSION}); upgrade ember"
    )]
    NewerFormat {
        /// The file's format version.
        found: u32,
    },
    /// Written by an older ember, in a format without a checksum.
    #[error(
        "model file format {found} is older than this ember reads ({FORMAT_VERSION}) and has no checksum; train the model again with this ember"
    )]
    OlderFormat {
        /// The file's format version.
        found: u32,
    },
    /// The stored checksum does not match the bytes: they changed, or some were lost, since
    /// the file was written.
    #[error("corrupt model file: checksum mismatch: the file is damaged")]
    ChecksumMismatch,
    /// The file ends early or its header is malformed.
    #[error("corrupt model file: {0}")]
    Corrupt(String),
    /// The stored state does not make a model.
    #[error("corrupt model file: {0}")]
    Model(#[from] FitError),
    /// A model file that could not be read, with its path.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with it.
        source: Box<ModelFileError>,
    },
    /// Reading or writing the file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl ModelFile {
    /// A model file for `model` trained on data shaped like `data` (its names are kept).
    pub fn new(
        model: FittedModel,
        scaler: Option<Scaler>,
        data: &ember_data::Dataset,
        csv_options: Option<CsvOptions>,
    ) -> Self {
        Self {
            model,
            scaler,
            feature_names: data.feature_names().to_vec(),
            target_names: data.target_names().to_vec(),
            csv_options,
        }
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelFileError> {
        let (model, weights) = self.model.state()?;
        let header = Header {
            ember_version: env!("CARGO_PKG_VERSION").into(),
            burn_version: BURN_VERSION.into(),
            model,
            scaler: self.scaler.clone(),
            feature_names: self.feature_names.clone(),
            target_names: self.target_names.clone(),
            csv_options: self.csv_options.clone(),
        };
        let text = toml::to_string(&header)
            .map_err(|e| ModelFileError::Corrupt(format!("header: {e}")))?
            .into_bytes();
        let mut bytes = Vec::with_capacity(PREAMBLE + text.len() + weights.len() + CHECKSUM);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&text);
        bytes.extend_from_slice(&weights);
        let checksum = fnv1a64(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        Ok(bytes)
    }

    /// The header of a model file's bytes and its weights, without building the model; the
    /// checksum is verified first.
    pub fn read_header(bytes: &[u8]) -> Result<(Header, &[u8]), ModelFileError> {
        let body = verified(bytes)?;
        let corrupt = |m: String| ModelFileError::Corrupt(m);
        let mut len = [0u8; 8];
        len.copy_from_slice(&body[12..PREAMBLE]);
        let len = u64::from_le_bytes(len);
        let rest = &body[PREAMBLE..];
        let header_len = usize::try_from(len)
            .ok()
            .filter(|&n| n <= rest.len())
            .ok_or_else(|| {
                corrupt(format!(
                    "truncated: the header should be {len} bytes, {} remain",
                    rest.len()
                ))
            })?;
        let text = std::str::from_utf8(&rest[..header_len])
            .map_err(|e| corrupt(format!("header: {e}")))?;
        let mut value: toml::Table =
            toml::from_str(text).map_err(|e| corrupt(format!("header: {}", e.message())))?;
        drop_run_options(&mut value);
        let header =
            Header::deserialize(value).map_err(|e| corrupt(format!("header: {}", e.message())))?;
        Ok((header, &rest[header_len..]))
    }

    /// The model a file's bytes hold, on `device`.
    pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<Self, ModelFileError> {
        let (header, weights) = Self::read_header(bytes)?;
        let model = FittedModel::from_state(header.model, weights, device)?;
        let n = model.n_features();
        if !header.feature_names.is_empty() && header.feature_names.len() != n {
            return Err(ModelFileError::Corrupt(format!(
                "{} feature names for a model of {n} features",
                header.feature_names.len()
            )));
        }
        Ok(Self {
            model,
            scaler: header.scaler,
            feature_names: header.feature_names,
            target_names: header.target_names,
            csv_options: header.csv_options,
        })
    }

    /// Reads a model file.
    pub fn load(path: impl AsRef<Path>, device: &Device) -> Result<Self, ModelFileError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ModelFileError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes, device).map_err(|e| ModelFileError::File {
            path: path.to_path_buf(),
            source: Box::new(e),
        })
    }

    /// Writes the model file atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelFileError> {
        use std::io::Write;
        let path = path.as_ref();
        let bytes = self.to_bytes()?;
        ember_core::write_file_atomically(path, |f| f.write_all(&bytes)).map_err(|source| {
            ModelFileError::Io {
                path: path.to_path_buf(),
                source,
            }
        })
    }

    /// `x` (raw features) with the stored scaling applied: borrowed as it is when the model
    /// has no scaler.
    pub fn preprocess<'a>(&self, x: &'a Matrix) -> Result<Cow<'a, Matrix>, FitError> {
        let n = self.model.n_features();
        if x.n_cols() != n {
            return Err(FitError::FeatureCount {
                expected: n,
                got: x.n_cols(),
            });
        }
        Ok(match &self.scaler {
            Some(s) => Cow::Owned(s.transform(x)?),
            None => Cow::Borrowed(x),
        })
    }

    /// Predictions for raw features `x`: values (samples × targets) for a regressor, class
    /// indices (one column) for a classifier.
    pub fn predict(&self, x: &Matrix) -> Result<Matrix, FitError> {
        self.model.predict(&*self.preprocess(x)?)
    }

    /// Class probabilities for raw features `x`; an error for a regressor.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Matrix, FitError> {
        self.model.predict_proba(&*self.preprocess(x)?)
    }
}

/// `bytes` without their checksum, once the magic, the format version and the checksum are
/// found good.
fn verified(bytes: &[u8]) -> Result<&[u8], ModelFileError> {
    if !bytes.starts_with(MAGIC) {
        return Err(ModelFileError::NotAModel);
    }
    if bytes.len() < PREAMBLE + CHECKSUM {
        return Err(ModelFileError::Corrupt(format!(
            "{} bytes, shorter than the {} bytes of preamble and checksum",
            bytes.len(),
            PREAMBLE + CHECKSUM
        )));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    match version {
        0 => return Err(ModelFileError::Corrupt("format version 0".into())),
        v if v > FORMAT_VERSION => return Err(ModelFileError::NewerFormat { found: v }),
        v if v < FORMAT_VERSION => return Err(ModelFileError::OlderFormat { found: v }),
        _ => {}
    }
    let (body, stored) = bytes.split_at(bytes.len() - CHECKSUM);
    let mut sum = [0u8; CHECKSUM];
    sum.copy_from_slice(stored);
    if u64::from_le_bytes(sum) != fnv1a64(body) {
        return Err(ModelFileError::ChecksumMismatch);
    }
    Ok(body)
}

/// Removes the run options files written before they left the training settings
/// (`run_dir`, `resume`, `keep_checkpoints`, `progress` in `model.config.train`): where a run
/// wrote is not part of the model, and the loop's settings no longer take them.
fn drop_run_options(header: &mut toml::Table) {
    let train = header
        .get_mut("model")
        .and_then(|m| m.get_mut("config"))
        .and_then(|c| c.get_mut("train"))
        .and_then(toml::Value::as_table_mut);
    if let Some(train) = train {
        for key in ["run_dir", "resume", "keep_checkpoints", "progress"] {
            train.remove(key);
        }
    }
}

/// FNV-1a, 64 bits: every change confined to one byte changes it.
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
