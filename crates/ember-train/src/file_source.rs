//! Batches read from a row file on disk ([`RowFile`]), for training sets larger than memory:
//! each batch's rows are read by position from the file (the kernel's page cache keeps what
//! fits), so the process holds one batch of features and the targets, however large the file.

use burn::tensor::{Device, Tensor, TensorData};
use ember_data::preprocessing::StandardScaler;
use ember_data::{DataError, RowFile};

use crate::{BatchSource, MatrixBatch, Objective, Targets, TrainError};

/// A row file's rows for `objective`, batched into [`MatrixBatch`]es as
/// [`MatrixData`](crate::MatrixData) batches a data set in memory (the same rows give the same
/// batches, bit for bit), optionally standardised on the way (`(x − offset) / scale`, computed
/// as [`StandardScaler::transform`] computes it).
///
/// ```
/// use burn::tensor::Device;
/// use ember_data::rowfile::{RowFileWriter, RowMeta};
/// use ember_train::{BatchSource, FileData, Objective};
///
/// let path = std::env::temp_dir().join(format!("ember-file-data-doc-{}.rows", std::process::id()));
/// let mut writer = RowFileWriter::create(&path, 1, 1)?;
/// writer.push(&[1.0, 2.0, 3.0], &[0.0, 1.0, 1.0])?;
/// let file = writer.finish(RowMeta::default())?;
/// let source = FileData::new(Objective::BinaryCrossEntropy, &file)?.with_scaling(vec![2.0], vec![0.5])?;
/// let batch = source.batch(&[2, 0], &Device::flex())?;
/// assert_eq!(batch.x.into_data().to_vec::<f32>().unwrap(), [2.0, -2.0]);
/// assert_eq!(source.strata(), Some(vec![0, 1, 1]));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FileData<'f> {
    file: &'f RowFile,
    targets: Targets,
    objective: Objective,
    scaling: Option<(Vec<f64>, Vec<f64>)>,
}

impl<'f> FileData<'f> {
    /// `file`'s rows for `objective`: an error names an empty file or a target the objective
    /// cannot take (the file's features are finite by construction).
    pub fn new(objective: Objective, file: &'f RowFile) -> Result<Self, TrainError> {
        if file.n_rows() == 0 {
            return Err(DataError::Empty("the training set").into());
        }
        Ok(Self {
            file,
            targets: objective.targets_of(file.y())?,
            objective,
            scaling: None,
        })
    }

    /// The same rows standardised column by column: `x' = (x − offset) / scale`, in `f64` and
    /// rounded to `f32` (as [`StandardScaler::transform`] does; a scaler fitted from
    /// [`RowFile::column_moments`] gives its mean and scale). One finite offset and one
    /// finite, non-zero scale per feature.
    pub fn with_scaling(mut self, offset: Vec<f64>, scale: Vec<f64>) -> Result<Self, TrainError> {
        let d = self.file.n_features();
        for (what, values) in [("offset", &offset), ("scale", &scale)] {
            if values.len() != d {
                return Err(DataError::Mismatch {
                    what: "scaling values vs features of the row file",
                    left: values.len(),
                    right: d,
                }
                .into());
            }
            let bad = |v: f64| !v.is_finite() || (what == "scale" && v == 0.0);
            if let Some(j) = values.iter().position(|&v| bad(v)) {
                return Err(DataError::InvalidParameter {
                    name: "scaling",
                    message: format!("{what} of feature {j} is {}", values[j]),
                }
                .into());
            }
        }
        self.scaling = Some((offset, scale));
        Ok(self)
    }

    /// The same rows transformed by `scaler` ([`with_scaling`](Self::with_scaling) with its
    /// mean and scale).
    pub fn with_scaler(self, scaler: &StandardScaler) -> Result<Self, TrainError> {
        self.with_scaling(scaler.mean().to_vec(), scaler.scale().to_vec())
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.file.n_features()
    }
}

impl BatchSource<MatrixBatch> for FileData<'_> {
    fn len(&self) -> usize {
        self.file.n_rows()
    }

    fn batch(&self, rows: &[usize], device: &Device) -> Result<MatrixBatch, TrainError> {
        let d = self.file.n_features();
        let mut values = Vec::with_capacity(rows.len() * d);
        self.file.read_rows(rows, &mut values)?;
        if let Some((offset, scale)) = &self.scaling {
            for row in values.chunks_exact_mut(d) {
                for ((v, m), s) in row.iter_mut().zip(offset).zip(scale) {
                    *v = ((f64::from(*v) - m) / s) as f32;
                }
            }
        }
        Ok(MatrixBatch {
            x: Tensor::from_data(TensorData::new(values, [rows.len(), d]), device),
            targets: self.objective.batch_targets(&self.targets, rows, device),
            objective: self.objective,
        })
    }

    fn strata(&self) -> Option<Vec<usize>> {
        match &self.targets {
            Targets::Classes(c) => Some(c.iter().map(|&c| c as usize).collect()),
            Targets::Real(_) => None,
        }
    }

    fn n_features(&self) -> Option<usize> {
        Some(self.file.n_features())
    }

    /// The file's shape and source (the CSV's path, size, modification time and options),
    /// FNV-1a over the targets and the scaling: hashing every feature of a file larger than
    /// memory on each start would cost a full read, the source stands for them.
    fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut add = |bits: u64| hash = (hash ^ bits).wrapping_mul(0x0100_0000_01b3);
        self.file
            .y()
            .as_slice()
            .iter()
            .for_each(|v| add(u64::from(v.to_bits())));
        if let Some((offset, scale)) = &self.scaling {
            offset.iter().chain(scale).for_each(|v| add(v.to_bits()));
        }
        let source = match self.file.source() {
            Some(s) => format!(
                "from {} ({} bytes, mtime {} ns, options {})",
                s.path, s.size, s.mtime_ns, s.options_fingerprint
            ),
            None => format!("{}", self.file.path().display()),
        };
        format!(
            "{} samples, {} features, {} targets, row file {source}, hash {hash:016x}",
            self.file.n_rows(),
            self.file.n_features(),
            self.file.n_targets()
        )
    }
}
