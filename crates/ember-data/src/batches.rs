//! Data sets as burn datasets, batched into tensors on a device by burn's `DataLoader`, with
//! seeded shuffling.
//!
//! ```
//! use std::sync::Arc;
//! use burn::tensor::Device;
//! use ember_data::batches::{ClassificationBatcher, LoaderConfig, data_loader};
//!
//! let iris = Arc::new(ember_data::load("iris")?);
//! let device = Device::flex();
//! let loader = data_loader(iris, ClassificationBatcher, &LoaderConfig { batch_size: 32, seed: Some(0) }, &device)?;
//! let batch = loader.iter().next().expect("150 samples make 5 batches").expect("in memory: no read error");
//! assert_eq!(batch.features.dims(), [32, 4]);
//! assert_eq!(batch.targets.dims(), [32]);
//! # Ok::<(), ember_data::DataError>(())
//! ```

use std::sync::Arc;

use burn::data::dataloader::{DataLoader, DataLoaderBuilder, batcher::Batcher};
use burn::data::dataset::{Dataset as BurnDataset, DatasetError};
use burn::tensor::{Device, Int, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::{DataError, Dataset, Scalar};

/// One sample as burn's data loader passes it to a batcher.
///
/// ```
/// use burn::data::dataset::Dataset as _;
/// let data = ember_data::generators::seed_line(3, 0);
/// let sample = data.get(1).expect("in range");
/// assert_eq!(sample.features.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The features, as `f32`.
    pub features: Vec<f32>,
    /// The targets (a class index for classification), as `f32`.
    pub targets: Vec<f32>,
}

impl<T: Scalar> BurnDataset<Sample> for Dataset<T> {
    fn get(&self, index: usize) -> Result<Sample, DatasetError> {
        let f32s = |row: &[T]| row.iter().map(|v| v.to_f64() as f32).collect();
        Ok(Sample {
            features: f32s(self.x().row(index)),
            targets: f32s(self.y().row(index)),
        })
    }

    fn len(&self) -> usize {
        self.n_samples()
    }
}

/// Batches for regression: features and targets as float tensors.
#[derive(Debug, Clone)]
pub struct RegressionBatch {
    /// `batch × features`.
    pub features: Tensor<2>,
    /// `batch × targets`.
    pub targets: Tensor<2>,
}

/// Batches for classification: features as floats, targets as class indices.
#[derive(Debug, Clone)]
pub struct ClassificationBatch {
    /// `batch × features`.
    pub features: Tensor<2>,
    /// `batch` class indices.
    pub targets: Tensor<1, Int>,
}

/// Makes [`RegressionBatch`]es.
///
/// ```
/// use burn::data::dataloader::batcher::Batcher;
/// use ember_data::batches::{RegressionBatcher, Sample};
/// let items = vec![Sample { features: vec![1.0, 2.0], targets: vec![3.0] }; 4];
/// let batch = RegressionBatcher.batch(items, &burn::tensor::Device::flex());
/// assert_eq!(batch.features.dims(), [4, 2]);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RegressionBatcher;

/// Makes [`ClassificationBatch`]es; each sample's single target is its class index.
///
/// ```
/// use burn::data::dataloader::batcher::Batcher;
/// use ember_data::batches::{ClassificationBatcher, Sample};
/// let items = vec![Sample { features: vec![1.0], targets: vec![2.0] }; 3];
/// let batch = ClassificationBatcher.batch(items, &burn::tensor::Device::flex());
/// assert_eq!(batch.targets.into_data().convert::<i64>().try_to_vec::<i64>().ok(), Some(vec![2, 2, 2]));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ClassificationBatcher;

impl Batcher<Sample, RegressionBatch> for RegressionBatcher {
    fn batch(&self, items: Vec<Sample>, device: &Device) -> RegressionBatch {
        let n = items.len();
        let (d, k) = items
            .first()
            .map_or((0, 0), |s| (s.features.len(), s.targets.len()));
        let mut x = Vec::with_capacity(n * d);
        let mut y = Vec::with_capacity(n * k);
        for s in items {
            x.extend_from_slice(&s.features);
            y.extend_from_slice(&s.targets);
        }
        RegressionBatch {
            features: Tensor::from_data(TensorData::new(x, [n, d]), device),
            targets: Tensor::from_data(TensorData::new(y, [n, k]), device),
        }
    }
}

impl Batcher<Sample, ClassificationBatch> for ClassificationBatcher {
    fn batch(&self, items: Vec<Sample>, device: &Device) -> ClassificationBatch {
        let n = items.len();
        let d = items.first().map_or(0, |s| s.features.len());
        let mut x = Vec::with_capacity(n * d);
        let mut y = Vec::with_capacity(n);
        for s in items {
            x.extend_from_slice(&s.features);
            y.push(s.targets.first().copied().unwrap_or(0.0) as i64);
        }
        ClassificationBatch {
            features: Tensor::from_data(TensorData::new(x, [n, d]), device),
            targets: Tensor::from_data(TensorData::new(y, [n]), device),
        }
    }
}

/// How a data loader batches: batch size and the shuffling seed.
///
/// ```
/// let config: ember_data::batches::LoaderConfig = serde_json::from_str(r#"{"batch_size": 64}"#)?;
/// assert_eq!(config.seed, None);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoaderConfig {
    /// Samples per batch (the last batch may be smaller).
    pub batch_size: usize,
    /// Shuffle with this seed (a new permutation each pass, the same sequence of permutations
    /// for the same seed); `None` keeps the data's order.
    #[serde(default)]
    pub seed: Option<u64>,
}

/// burn's `DataLoader` over `data`, making batches with `batcher` on `device` (always the
/// device given, never burn's default). The data set is shared, not copied: build a loader per
/// epoch or per split at no cost.
///
/// ```
/// use std::sync::Arc;
/// use ember_data::batches::{LoaderConfig, RegressionBatcher, data_loader};
/// let data = Arc::new(ember_data::generators::seed_line(10, 0));
/// let config = LoaderConfig { batch_size: 0, seed: None };
/// assert!(data_loader(data, RegressionBatcher, &config, &burn::tensor::Device::flex()).is_err());
/// ```
pub fn data_loader<T, B, O>(
    data: Arc<Dataset<T>>,
    batcher: B,
    config: &LoaderConfig,
    device: &Device,
) -> Result<Arc<dyn DataLoader<O>>, DataError>
where
    T: Scalar,
    B: Batcher<Sample, O> + 'static,
    O: Send + Clone + std::fmt::Debug + 'static,
{
    if config.batch_size == 0 {
        return Err(DataError::InvalidParameter {
            name: "batch_size",
            message: "must be at least 1".into(),
        });
    }
    if data.n_samples() == 0 {
        return Err(DataError::Empty("data set"));
    }
    let mut builder = DataLoaderBuilder::new(batcher)
        .batch_size(config.batch_size)
        .set_device(device.clone());
    if let Some(seed) = config.seed {
        builder = builder.shuffle(seed);
    }
    Ok(builder.build(data))
}
