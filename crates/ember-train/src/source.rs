//! Where batches come from: burn's `Dataset` + `Batcher` for any item type, or ember's fast
//! path for an in-memory feature matrix (rows gathered from one contiguous buffer into one
//! tensor per batch, without a `Vec` per sample).

use std::marker::PhantomData;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::{Dataset as BurnDataset, DatasetError};
use burn::tensor::{Device, Tensor, TensorData};
use ember_data::{DataError, Dataset, Scalar};

use crate::objective::to_f32;
use crate::{MatrixBatch, Objective, Targets, TrainError};

/// A data set the loop can cut batches from, by row: the rows of each batch are chosen by the
/// loop (seeded, reshuffled per epoch), the batch is built by the source.
pub trait BatchSource<B>: Sync {
    /// Number of samples.
    fn len(&self) -> usize;

    /// Whether there are no samples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The batch of rows `rows` (indices below [`len`](Self::len)) on `device`.
    fn batch(&self, rows: &[usize], device: &Device) -> Result<B, TrainError>;

    /// Each sample's class, when a held-out validation split should be stratified.
    fn strata(&self) -> Option<Vec<usize>> {
        None
    }

    /// What a resumed run must find unchanged about the data (a hash of its contents where
    /// the source can afford one; by default the number of samples).
    fn fingerprint(&self) -> String {
        format!("{} samples", self.len())
    }

    /// Features per sample, where the source knows it (matrix data and row files), so that a
    /// validation set of another width is an error before training rather than inside it.
    fn n_features(&self) -> Option<usize> {
        None
    }
}

/// Any burn [`Dataset`](burn::data::dataset::Dataset) batched by a burn
/// [`Batcher`]: `InMemDataset`, `SqliteDataset`, burn's vision data sets, a user's own.
///
/// ```
/// use burn::data::dataloader::batcher::Batcher;
/// use burn::data::dataset::InMemDataset;
/// use burn::tensor::{Device, Tensor, TensorData};
/// use ember_train::{BatchSource, DatasetSource};
///
/// struct Stack;
/// impl Batcher<[f32; 2], Tensor<2>> for Stack {
///     fn batch(&self, items: Vec<[f32; 2]>, device: &Device) -> Tensor<2> {
///         let n = items.len();
///         Tensor::from_data(TensorData::new(items.concat(), [n, 2]), device)
///     }
/// }
/// let source = DatasetSource::new(InMemDataset::new(vec![[1.0, 2.0], [3.0, 4.0]]), Stack);
/// let batch = source.batch(&[1], &Device::flex())?;
/// assert_eq!(batch.into_data().to_vec::<f32>().unwrap(), [3.0, 4.0]);
/// assert!(source.batch(&[2], &Device::flex()).is_err());
/// # Ok::<(), ember_train::TrainError>(())
/// ```
pub struct DatasetSource<D, T, I, E = DatasetError> {
    dataset: D,
    batcher: T,
    fingerprint: Option<String>,
    classes: Option<Vec<usize>>,
    item: PhantomData<fn() -> (I, E)>,
}

impl<D, T, I, E> DatasetSource<D, T, I, E> {
    /// `dataset`'s items, batched by `batcher`.
    pub fn new(dataset: D, batcher: T) -> Self {
        Self {
            dataset,
            batcher,
            fingerprint: None,
            classes: None,
            item: PhantomData,
        }
    }

    /// What a resumed run must find unchanged about the data besides the number of items (a
    /// hash of the files, a version): without it, a run directory's checkpoints are resumed
    /// with any data set of the same length.
    ///
    /// ```
    /// # use burn::data::dataset::InMemDataset;
    /// # use ember_train::{BatchSource, DatasetSource};
    /// # struct Stack;
    /// # impl burn::data::dataloader::batcher::Batcher<u8, Vec<u8>> for Stack {
    /// #     fn batch(&self, items: Vec<u8>, _: &burn::tensor::Device) -> Vec<u8> { items }
    /// # }
    /// let source = DatasetSource::new(InMemDataset::new(vec![1u8, 2]), Stack).with_fingerprint("mnist sha256 0fa789…");
    /// assert_eq!(BatchSource::<Vec<u8>>::fingerprint(&source), "2 items, mnist sha256 0fa789…");
    /// ```
    pub fn with_fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// Each item's class, so that a held-out `validation_fraction` is stratified (as ember's
    /// matrix data is for classifiers); one per item, in the data set's order.
    pub fn with_classes(mut self, classes: Vec<usize>) -> Self {
        self.classes = Some(classes);
        self
    }
}

impl<B, D, T, I, E> BatchSource<B> for DatasetSource<D, T, I, E>
where
    D: BurnDataset<I, E>,
    T: Batcher<I, B>,
    E: std::error::Error + Send + Sync + 'static,
{
    fn len(&self) -> usize {
        self.dataset.len()
    }

    fn batch(&self, rows: &[usize], device: &Device) -> Result<B, TrainError> {
        let items = rows
            .iter()
            .map(|&r| {
                let missing = |why: String| {
                    TrainError::Data(DataError::InvalidParameter {
                        name: "dataset",
                        message: format!("item {r}: {why}"),
                    })
                };
                if r >= self.dataset.len() {
                    return Err(missing(format!(
                        "out of range (the data set has {} items)",
                        self.dataset.len()
                    )));
                }
                self.dataset.get(r).map_err(|e| missing(e.to_string()))
            })
            .collect::<Result<Vec<I>, _>>()?;
        Ok(self.batcher.batch(items, device))
    }

    fn strata(&self) -> Option<Vec<usize>> {
        self.classes.clone()
    }

    fn fingerprint(&self) -> String {
        match &self.fingerprint {
            Some(f) => format!("{} items, {f}", self.dataset.len()),
            None => format!("{} items", self.dataset.len()),
        }
    }
}

/// Some rows of another source (a held-out split, a test split of a file), without copying
/// them: row `i` of the subset is row `rows[i]` of the source.
///
/// ```
/// use burn::tensor::Device;
/// use ember_data::{Dataset, Matrix};
/// use ember_train::{BatchSource, MatrixData, Objective, Subset};
///
/// let data = Dataset::new(Matrix::new(3, 1, vec![1.0f32, 2.0, 3.0])?, Matrix::new(3, 1, vec![0.0, 1.0, 1.0])?)?;
/// let all = MatrixData::new(Objective::BinaryCrossEntropy, &data)?;
/// let odd = Subset::new(&all, vec![2, 0]);
/// assert_eq!(odd.batch(&[0], &Device::flex())?.x.into_data().to_vec::<f32>().unwrap(), [3.0]);
/// assert_eq!(odd.strata(), Some(vec![1, 0]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Subset<'a, B> {
    /// The source the rows are taken from.
    pub source: &'a dyn BatchSource<B>,
    /// The source's rows, in the subset's order.
    pub rows: Vec<usize>,
}

impl<'a, B> Subset<'a, B> {
    /// The rows `rows` of `source`.
    pub fn new(source: &'a dyn BatchSource<B>, rows: Vec<usize>) -> Self {
        Self { source, rows }
    }
}

impl<B> BatchSource<B> for Subset<'_, B> {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn batch(&self, rows: &[usize], device: &Device) -> Result<B, TrainError> {
        let n = self.rows.len();
        let mapped = rows
            .iter()
            .map(|&r| {
                self.rows.get(r).copied().ok_or_else(|| {
                    TrainError::Data(DataError::InvalidParameter {
                        name: "rows",
                        message: format!("row {r} is out of range (the subset has {n})"),
                    })
                })
            })
            .collect::<Result<Vec<usize>, _>>()?;
        self.source.batch(&mapped, device)
    }

    fn strata(&self) -> Option<Vec<usize>> {
        let all = self.source.strata()?;
        self.rows.iter().map(|&r| all.get(r).copied()).collect()
    }

    fn n_features(&self) -> Option<usize> {
        self.source.n_features()
    }

    /// The source's fingerprint and a hash of the rows taken.
    fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &r in &self.rows {
            hash = (hash ^ r as u64).wrapping_mul(0x0100_0000_01b3);
        }
        format!(
            "{} rows (hash {hash:016x}) of {}",
            self.rows.len(),
            self.source.fingerprint()
        )
    }
}

/// An in-memory data set of features and targets, checked against an objective, batched into
/// [`MatrixBatch`]es: the features of a batch are copied straight from the data set's buffer
/// into one tensor.
///
/// ```
/// use burn::tensor::Device;
/// use ember_data::{Dataset, Matrix};
/// use ember_train::{BatchSource, MatrixData, Objective};
///
/// let data = Dataset::new(Matrix::new(3, 1, vec![1.0f32, 2.0, 3.0])?, Matrix::new(3, 1, vec![0.0, 1.0, 1.0])?)?;
/// let source = MatrixData::new(Objective::BinaryCrossEntropy, &data)?;
/// let batch = source.batch(&[2, 0], &Device::flex())?;
/// assert_eq!(batch.x.into_data().to_vec::<f32>().unwrap(), [3.0, 1.0]);
/// assert_eq!(source.strata(), Some(vec![0, 1, 1]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MatrixData<'d, T: Scalar = f32> {
    /// The data set's features, borrowed (a copy of a large training set would double its
    /// memory) and rounded to `f32` a batch at a time.
    x: &'d [T],
    y: &'d [T],
    n: usize,
    n_features: usize,
    targets: Targets,
    objective: Objective,
}

impl<'d, T: Scalar> MatrixData<'d, T> {
    /// `data` for `objective`, in `f32` or `f64` (rounded to `f32` as each batch is made, so
    /// `f64` data is trained on as its [`Dataset::cast`] would be, without a second copy): an
    /// error names an empty data set, a feature that is not finite in `f32` (row and column)
    /// or a target the objective cannot take.
    pub fn new(objective: Objective, data: &'d Dataset<T>) -> Result<Self, TrainError> {
        if data.n_samples() == 0 {
            return Err(DataError::Empty("the training set").into());
        }
        let d = data.x().n_cols();
        let x = data.x().as_slice();
        if let Some(i) = x.iter().position(|&v| !to_f32(v).is_finite()) {
            return Err(not_trainable(x[i], i / d, i % d).into());
        }
        Ok(Self {
            x,
            y: data.y().as_slice(),
            n: data.n_samples(),
            n_features: d,
            targets: objective.targets(data)?,
            objective,
        })
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }
}

/// The error for a feature the loop cannot train on: NaN or infinite, or a finite `f64` out
/// of `f32`'s range.
fn not_trainable<T: Scalar>(value: T, row: usize, column: usize) -> DataError {
    if value.finite() {
        return DataError::InvalidParameter {
            name: "X",
            message: format!(
                "{:e} at row {row}, column {column} is beyond f32's range (±3.4e38), the precision networks train in: rescale the feature",
                value.to_f64()
            ),
        };
    }
    DataError::NonFinite {
        what: "X",
        row,
        column,
        value: value.to_f64(),
    }
}

impl<T: Scalar> BatchSource<MatrixBatch> for MatrixData<'_, T> {
    fn len(&self) -> usize {
        self.n
    }

    fn batch(&self, rows: &[usize], device: &Device) -> Result<MatrixBatch, TrainError> {
        if let Some(&r) = rows.iter().find(|&&r| r >= self.n) {
            return Err(DataError::InvalidParameter {
                name: "rows",
                message: format!("row {r} is out of range (the data set has {})", self.n),
            }
            .into());
        }
        let d = self.n_features;
        let mut values = Vec::with_capacity(rows.len() * d);
        for &r in rows {
            values.extend(self.x[r * d..(r + 1) * d].iter().map(|&v| to_f32(v)));
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
        Some(self.n_features)
    }

    /// FNV-1a over the bits of X and y in `f32`: a different data set is not resumed.
    fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &v in self.x.iter().chain(self.y) {
            hash = (hash ^ u64::from(to_f32(v).to_bits())).wrapping_mul(0x0100_0000_01b3);
        }
        format!(
            "{} samples, {} features, hash {hash:016x}",
            self.len(),
            self.n_features
        )
    }
}
