//! Lloyd's iterations: the assignment on the device, the centres and the inertia on the host.

use burn::tensor::{DType, Device, Int, Tensor, TensorData};
use ember_data::Matrix;

use super::init::squared_distance;
use crate::FitError;

/// Distances computed on the device at a time (`rows × k`, at most this many values).
const CHUNK_VALUES: usize = 1 << 24;

/// The data, centred on its column means, on the host and on the device.
pub(super) struct Centred {
    /// The centred rows, in `f64`.
    pub x: Matrix,
    mean: Vec<f64>,
    /// The absolute tolerance: `tol` times the mean variance of the features.
    tol: f64,
    on_device: Tensor<2>,
    dtype: DType,
    device: Device,
}

/// One run from one set of initial centres.
pub(super) struct Run {
    pub centres: Matrix,
    pub inertia: f64,
    pub n_iter: usize,
    pub labels: Vec<usize>,
}

impl Centred {
    /// `x` centred and sent to `device` (in `f64` where the device has it).
    pub fn new(x: &Matrix, tol: f64, device: &Device) -> Self {
        let (n, d) = x.shape();
        let mean = x.column_means();
        let centred = Matrix::from_fn(n, d, |i, j| x.get(i, j) - mean[j]);
        let variance = (0..d)
            .map(|j| centred.column_values(j).iter().map(|v| v * v).sum::<f64>() / n as f64)
            .sum::<f64>()
            / d as f64;
        let dtype = if device.supports_dtype(DType::F64) {
            DType::F64
        } else {
            DType::F32
        };
        let data = TensorData::new(centred.as_slice().to_vec(), [n, d]);
        Self {
            on_device: Tensor::from_data(data, (device, dtype)),
            x: centred,
            mean,
            tol: tol * variance,
            dtype,
            device: device.clone(),
        }
    }

    /// Centres in the data's units, centred like the data.
    pub fn centre(&self, c: &Matrix) -> Matrix {
        Matrix::from_fn(c.n_rows(), c.n_cols(), |i, j| c.get(i, j) - self.mean[j])
    }

    /// Centres back in the data's units.
    pub fn uncentre(&self, c: &Matrix) -> Matrix {
        Matrix::from_fn(c.n_rows(), c.n_cols(), |i, j| c.get(i, j) + self.mean[j])
    }

    /// Lloyd's iterations from `centres` (scikit-learn's `_kmeans_single_lloyd`): stop when the
    /// labels repeat or the centres move by at most the tolerance.
    pub fn lloyd(&self, mut centres: Matrix, max_iter: usize) -> Result<Run, FitError> {
        let mut previous: Option<Vec<usize>> = None;
        let mut labels = Vec::new();
        let mut strict = false;
        let mut n_iter = 0;
        for i in 0..max_iter {
            labels = self.assign(&centres)?;
            let moved = self.update(&centres, &labels);
            let shift: f64 = moved
                .rows()
                .zip(centres.rows())
                .map(|(a, b)| squared_distance(a, b))
                .sum();
            centres = moved;
            n_iter = i + 1;
            if previous.as_ref() == Some(&labels) {
                strict = true;
                break;
            }
            if shift <= self.tol {
                break;
            }
            previous = Some(labels.clone());
        }
        if !strict {
            labels = self.assign(&centres)?;
        }
        let inertia = self
            .x
            .rows()
            .zip(&labels)
            .map(|(r, &l)| squared_distance(r, centres.row(l)))
            .sum();
        Ok(Run {
            centres,
            inertia,
            n_iter,
            labels,
        })
    }

    /// The nearest centre of every row: the argmin of `‖c‖² − 2·x·c` on the device.
    pub fn assign(&self, centres: &Matrix) -> Result<Vec<usize>, FitError> {
        let (k, d) = centres.shape();
        let c = Tensor::<2>::from_data(
            TensorData::new(centres.as_slice().to_vec(), [k, d]),
            (&self.device, self.dtype),
        );
        let norms = c.clone().powi_scalar(2).sum_dim(1).reshape([1, k]);
        let ct = c.transpose();
        let n = self.x.n_rows();
        let chunk = (CHUNK_VALUES / k.max(1)).max(1);
        let mut labels = Vec::with_capacity(n);
        for start in (0..n).step_by(chunk) {
            let rows = chunk.min(n - start);
            let x = self.on_device.clone().narrow(0, start, rows);
            let scores = norms.clone() - x.matmul(ct.clone()).mul_scalar(2.0);
            let nearest: Tensor<1, Int> = scores.argmin(1).reshape([rows]);
            for l in ember_core::read_back::<i64, 1, _>(nearest)? {
                // A value the device's precision cannot hold gives NaN distances and any index.
                match usize::try_from(l).ok().filter(|&l| l < k) {
                    Some(l) => labels.push(l),
                    None => {
                        return Err(FitError::Device(format!(
                            "the nearest of {k} centres came back as {l}: the data's magnitudes overflow the device's {:?}",
                            self.dtype
                        )));
                    }
                }
            }
        }
        Ok(labels)
    }

    /// The mean of each cluster's rows; an empty cluster takes the row farthest from its
    /// centre, as scikit-learn relocates it.
    fn update(&self, centres: &Matrix, labels: &[usize]) -> Matrix {
        let (k, d) = centres.shape();
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0usize; k];
        for (row, &l) in self.x.rows().zip(labels) {
            counts[l] += 1;
            for (s, v) in sums[l * d..(l + 1) * d].iter_mut().zip(row) {
                *s += v;
            }
        }
        let empty: Vec<usize> = (0..k).filter(|&c| counts[c] == 0).collect();
        if !empty.is_empty() {
            let mut far: Vec<(f64, usize)> = self
                .x
                .rows()
                .zip(labels)
                .enumerate()
                .map(|(i, (r, &l))| (squared_distance(r, centres.row(l)), i))
                .collect();
            far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (&cluster, &(_, i)) in empty.iter().zip(&far) {
                let old = labels[i];
                let row = self.x.row(i);
                for j in 0..d {
                    sums[old * d + j] -= row[j];
                    sums[cluster * d + j] = row[j];
                }
                counts[old] -= 1;
                counts[cluster] = 1;
            }
        }
        // A cluster emptied by giving its row away keeps its (zeroed) sum, as scikit-learn does.
        Matrix::from_fn(k, d, |c, j| sums[c * d + j] / counts[c].max(1) as f64)
    }
}
