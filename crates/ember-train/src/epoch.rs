//! One epoch of training, and the scoring of a split: steps on batches, their losses and
//! outputs kept on the device and read back in one go, then fed to the metrics.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor};
use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};

use crate::metric::{Metric, MetricFactory, MetricInput, TargetValues};
use crate::predict::read;
use crate::progress::Reporter;
use crate::{BatchSource, BatchTargets, StepOutput, TrainConfig, TrainError, TrainStep};

/// A split's metrics by name (`loss`, `accuracy`, …).
pub(crate) type Scores = BTreeMap<String, f64>;

/// Batches read back at most this many at a time (a divergence is caught within them).
const PENDING: usize = 64;

/// A seed for epoch `epoch` of a run seeded `seed` (SplitMix64 of both).
fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    let mut z = seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What one training epoch needs.
pub(crate) struct EpochRun<'a, B> {
    pub config: &'a TrainConfig,
    pub device: &'a Device,
    pub source: &'a dyn BatchSource<B>,
    pub metrics: &'a [Arc<dyn MetricFactory>],
    pub epoch: usize,
    pub lr: f64,
    pub kept: &'a Option<PathBuf>,
}

impl<B> EpochRun<'_, B> {
    /// Trains `model` for an epoch; the model after it and the epoch's training metrics.
    pub fn train<M: TrainStep<B>>(
        &self,
        mut model: M,
        optimizer: &mut ModuleOptimizer,
        reporter: &mut Reporter,
    ) -> Result<(M, Scores), TrainError> {
        let config = self.config;
        let seed = epoch_seed(config.seed, self.epoch);
        // Dropout draws from the device's generator: seeding it per epoch makes a resumed
        // epoch draw exactly what the uninterrupted one drew.
        self.device.seed(seed);
        let n = self.source.len();
        let mut order: Vec<usize> = (0..n).collect();
        if config.shuffle {
            order.shuffle(&mut StdRng::seed_from_u64(seed));
        }
        let n_batches = n.div_ceil(config.batch_size);
        reporter.start_epoch(n_batches);
        let mut tally = Tally::new(self.metrics);
        // On the CPU backends the batches run on a thread of their pool (rayon's), so that
        // their parallel kernels (every matmul) are shared out from there rather than handed
        // to the pool while this thread sleeps until each is done: 5-15 % off an MLP epoch on
        // 2 cores. They go there a stretch at a time, up to the next report, which is made
        // from this, the caller's, thread (so it never waits on a lock the caller holds, such
        // as stdout's). Not with one thread: nothing to share, and a batch's own work that
        // waited on the pool would wait on itself.
        let on_pool = ember_core::is_cpu(self.device) && rayon::current_num_threads() > 1;
        let batches: Vec<&[usize]> = order.chunks(config.batch_size).collect();
        let mut done = 0;
        while done < n_batches {
            let stretch = || self.stretch(model, &batches[done..], optimizer, &mut tally, reporter);
            let ran;
            (model, ran) = if on_pool {
                rayon::scope(|_| stretch())
            } else {
                stretch()
            }?;
            done += ran;
            tally.flush(true).map_err(|e| self.diverged(e))?;
            reporter.batch(done, tally.seen, tally.mean_loss(), tally.shown());
        }
        Ok((model, tally.scores()?))
    }

    /// Training batches from the start of `batches` up to the next report: when the progress
    /// bar is due for a redraw, every [`PENDING`] batches (reading a loss back waits for the
    /// device: this catches a divergence soon without a wait per batch), or at the end. The
    /// model after them, and how many ran.
    fn stretch<M: TrainStep<B>>(
        &self,
        mut model: M,
        batches: &[&[usize]],
        optimizer: &mut ModuleOptimizer,
        tally: &mut Tally,
        reporter: &Reporter,
    ) -> Result<(M, usize), TrainError> {
        for (ran, rows) in batches.iter().enumerate() {
            model = self.batch(model, rows, optimizer, tally)?;
            if reporter.wants_update() || tally.pending.len() >= PENDING {
                return Ok((model, ran + 1));
            }
        }
        Ok((model, batches.len()))
    }

    /// One training batch of `rows`: its step, tallied, and the optimizer's update.
    fn batch<M: TrainStep<B>>(
        &self,
        model: M,
        rows: &[usize],
        optimizer: &mut ModuleOptimizer,
        tally: &mut Tally,
    ) -> Result<M, TrainError> {
        let out = model.step(self.source.batch(rows, self.device)?)?;
        check_loss(&out)?;
        let loss = out.loss.clone();
        tally.push(out, rows.len())?;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        Ok(optimizer.step(self.lr, model, grads))
    }

    fn diverged(&self, e: Unread) -> TrainError {
        match e {
            Unread::Diverged { batch, loss } => TrainError::Diverged {
                epoch: self.epoch + 1,
                batch,
                loss,
                learning_rate: self.lr,
                kept: self.kept.clone(),
            },
            Unread::Error(e) => e,
        }
    }
}

/// The metrics of `model` (without autodiff) on `source`, in batches of `batch_size`.
pub(crate) fn evaluate<M: TrainStep<B>, B>(
    model: &M,
    source: &dyn BatchSource<B>,
    metrics: &[Arc<dyn MetricFactory>],
    batch_size: usize,
    device: &Device,
) -> Result<Scores, TrainError> {
    let mut tally = Tally::new(metrics);
    let rows: Vec<usize> = (0..source.len()).collect();
    for chunk in rows.chunks(batch_size) {
        let out = model.valid_step(source.batch(chunk, device)?)?;
        check_loss(&out)?;
        tally.push(out, chunk.len())?;
        tally.flush(false).map_err(|e| match e {
            Unread::Error(e) => e,
            // Not raised without the guard; named all the same.
            Unread::Diverged { loss, .. } => {
                TrainError::Step(format!("a validation batch has the loss {loss}"))
            }
        })?;
    }
    tally.scores()
}

fn check_loss(out: &StepOutput) -> Result<(), TrainError> {
    let dims = out.loss.dims();
    if dims != [1] {
        return Err(TrainError::Step(format!(
            "the loss must be one value (shape [1], e.g. the batch's `.mean()`), got shape {dims:?}"
        )));
    }
    Ok(())
}

/// Why pending batches could not be tallied.
enum Unread {
    /// A non-finite loss, at this batch of the epoch (1-based).
    Diverged {
        batch: usize,
        loss: f64,
    },
    Error(TrainError),
}

impl From<TrainError> for Unread {
    fn from(e: TrainError) -> Self {
        Self::Error(e)
    }
}

/// One batch's step, waiting on the device to be read.
struct Pending {
    loss: Tensor<1>,
    output: Option<Tensor<2>>,
    targets: Option<BatchTargets>,
    /// Samples in the batch (what its loss is weighted by).
    rows: usize,
    /// Rows of outputs the metrics score (the samples, or a sequence model's tokens).
    scored: usize,
}

/// The rows of outputs a step gives the metrics, checked against its targets.
fn scored_rows(out: &StepOutput) -> Result<usize, TrainError> {
    let (Some(output), Some(targets)) = (&out.output, &out.targets) else {
        return Err(TrainError::Step(
            "the metrics need the step's outputs and targets: return `StepOutput::new(loss).with_outputs(output, targets)`".into(),
        ));
    };
    let [rows, _] = output.dims();
    let target_rows = match targets {
        BatchTargets::Real(y) => y.dims()[0],
        BatchTargets::Classes(c) => c.dims()[0],
    };
    if rows != target_rows {
        return Err(TrainError::Step(format!(
            "the step gave {rows} rows of outputs but {target_rows} of targets"
        )));
    }
    Ok(rows)
}

/// The running loss and metrics of a split.
struct Tally {
    metrics: Vec<Box<dyn Metric>>,
    pending: Vec<Pending>,
    batches: usize,
    seen: usize,
    loss_sum: f64,
}

impl Tally {
    fn new(metrics: &[Arc<dyn MetricFactory>]) -> Self {
        Self {
            metrics: metrics.iter().map(|m| m.fresh()).collect(),
            pending: Vec::new(),
            batches: 0,
            seen: 0,
            loss_sum: 0.0,
        }
    }

    /// Keeps a step's values (detached: no graph is held) until the next flush; outputs
    /// only when a metric reads them.
    fn push(&mut self, out: StepOutput, rows: usize) -> Result<(), TrainError> {
        let wanted = !self.metrics.is_empty();
        let scored = if wanted { scored_rows(&out)? } else { 0 };
        self.pending.push(Pending {
            loss: out.loss.detach(),
            output: out.output.filter(|_| wanted).map(Tensor::detach),
            targets: out.targets.filter(|_| wanted).map(|t| match t {
                BatchTargets::Real(y) => BatchTargets::Real(y.detach()),
                classes => classes,
            }),
            rows,
            scored,
        });
        Ok(())
    }

    /// Reads the pending batches and feeds them to the metrics; with `guard`, the first
    /// non-finite loss is an error.
    fn flush(&mut self, guard: bool) -> Result<(), Unread> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let losses = read(Tensor::cat(
            pending.iter().map(|p| p.loss.clone()).collect(),
            0,
        ))?;
        let outputs = read_outputs(&pending)?;
        let mut offset = 0;
        for (i, p) in pending.iter().enumerate() {
            self.batches += 1;
            let loss = f64::from(losses[i]);
            if guard && !loss.is_finite() {
                return Err(Unread::Diverged {
                    batch: self.batches,
                    loss,
                });
            }
            self.seen += p.rows;
            self.loss_sum += loss * p.rows as f64;
            if let Some((values, width, targets)) = &outputs {
                let input = MetricInput {
                    loss,
                    n: p.scored,
                    output: &values[offset * width..(offset + p.scored) * width],
                    width: *width,
                    targets: targets.rows(offset, p.scored),
                };
                for metric in &mut self.metrics {
                    metric.update(&input)?;
                }
            }
            offset += p.scored;
        }
        Ok(())
    }

    fn mean_loss(&self) -> f64 {
        self.loss_sum / self.seen.max(1) as f64
    }

    /// The metric the progress bar shows beside the loss (accuracy, where there is one).
    fn shown(&self) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.name() == "accuracy")
            .and_then(|m| m.value().ok().flatten())
    }

    fn scores(&self) -> Result<Scores, TrainError> {
        let mut scores = Scores::new();
        scores.insert("loss".into(), self.mean_loss());
        for metric in &self.metrics {
            if let Some(v) = metric.value()? {
                scores.insert(metric.name().to_string(), v);
            }
        }
        Ok(scores)
    }
}

/// Targets of the pending batches on the host.
enum HostTargets {
    Real(Vec<f32>, usize),
    Classes(Vec<i64>),
    None,
}

impl HostTargets {
    fn rows(&self, start: usize, n: usize) -> TargetValues<'_> {
        match self {
            Self::Real(v, k) => TargetValues::Real(&v[start * k..(start + n) * k]),
            Self::Classes(c) => TargetValues::Classes(&c[start..start + n]),
            Self::None => TargetValues::None,
        }
    }
}

/// The outputs (row-major, with their width) and targets of every pending batch, when each
/// has them.
fn read_outputs(pending: &[Pending]) -> Result<Option<(Vec<f32>, usize, HostTargets)>, TrainError> {
    let Some(outputs) = pending
        .iter()
        .map(|p| p.output.clone())
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    let width = outputs[0].dims()[1];
    if let Some(p) = pending
        .iter()
        .find(|p| p.output.as_ref().is_some_and(|o| o.dims()[1] != width))
    {
        return Err(TrainError::Step(format!(
            "the outputs of one batch are {} wide, of another {width}",
            p.output.as_ref().map_or(0, |o| o.dims()[1])
        )));
    }
    let values = read(Tensor::cat(outputs, 0))?;
    let targets = match pending
        .iter()
        .map(|p| p.targets.clone())
        .collect::<Option<Vec<_>>>()
    {
        None => HostTargets::None,
        Some(all) => host_targets(all)?,
    };
    Ok(Some((values, width, targets)))
}

fn host_targets(all: Vec<BatchTargets>) -> Result<HostTargets, TrainError> {
    let mut real = Vec::new();
    let mut classes: Vec<Tensor<1, Int>> = Vec::new();
    for t in all {
        match t {
            BatchTargets::Real(y) => real.push(y),
            BatchTargets::Classes(c) => classes.push(c),
        }
    }
    match (real.is_empty(), classes.is_empty()) {
        (false, true) => {
            let k = real[0].dims()[1];
            if let Some(other) = real.iter().map(|y| y.dims()[1]).find(|&w| w != k) {
                return Err(TrainError::Step(format!(
                    "the targets of one batch are {k} wide, of another {other}"
                )));
            }
            Ok(HostTargets::Real(read(Tensor::cat(real, 0))?, k))
        }
        (true, false) => {
            let c = ember_core::read_back::<i64, 1, _>(Tensor::cat(classes, 0))?;
            Ok(HostTargets::Classes(c))
        }
        _ => Err(TrainError::Step(
            "some batches gave real targets, others class indices".into(),
        )),
    }
}
