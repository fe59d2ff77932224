//! The training loop.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use ember_data::split::{stratified_train_test_indices, train_test_indices};
use ember_data::{DataError, Dataset};
use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};

use crate::checkpoint::{self, RunState, write_file_atomically};
use crate::monitor::{Monitor, Split};
use crate::objective::{Accumulator, Targets};
use crate::progress::Reporter;
use crate::{EpochRecord, History, Objective, TrainConfig, TrainError};

/// A burn module the loop can train: a forward pass from a batch of features to outputs, and
/// optionally a penalty added to the loss (e.g. an L2 term that spares the intercept).
///
/// ```
/// use burn::module::Module;
/// use burn::nn::{Linear, LinearConfig};
/// use burn::tensor::{Device, Tensor};
/// use ember_train::Trainable;
///
/// #[derive(Module, Debug)]
/// struct Affine { linear: Linear }
///
/// impl Trainable for Affine {
///     fn forward(&self, x: Tensor<2>) -> Tensor<2> { self.linear.forward(x) }
/// }
/// let model = Affine { linear: LinearConfig::new(3, 1).init(&Device::flex()) };
/// assert_eq!(model.forward(Tensor::zeros([2, 3], &Device::flex())).dims(), [2, 1]);
/// ```
pub trait Trainable: Module + Clone {
    /// Outputs (`n × n_outputs`) for features (`n × n_features`).
    fn forward(&self, x: Tensor<2>) -> Tensor<2>;
    /// A term added to each batch's loss (shape `[1]`), or `None`.
    fn penalty(&self) -> Option<Tensor<1>> {
        None
    }
}

/// A trained model and how it got there.
#[derive(Debug)]
pub struct Trained<M> {
    /// The weights handed back: the best epoch's with `restore_best`, else the last, on the
    /// device (without autodiff).
    pub model: M,
    /// Every epoch's metrics.
    pub history: History,
    /// The epoch whose weights are in `model`.
    pub epoch: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
}

/// Trains the model that `init` builds (on the autodiff form of `device`, after seeding it
/// with `config.seed`) to minimise `objective` on `train`, scoring `valid` (or a held-out
/// `validation_fraction` of `train`) after every epoch.
///
/// With `config.run_dir`, each epoch writes a checkpoint, `metrics.jsonl` and the loss curve;
/// a run started again with the same config and data continues from its newest checkpoint
/// and ends, on the CPU backends, with exactly the weights of a run never interrupted.
///
/// burn's CPU backends keep one random generator per process (initialisation and dropout draw
/// from it), so that a seeded run is reproducible whatever else the process does, runs in one
/// process take turns: a second `train` call waits for the first to finish.
///
/// ```
/// use burn::module::Module;
/// use burn::nn::{Linear, LinearConfig};
/// use burn::tensor::{Device, Tensor};
/// use ember_data::generators::seed_line;
/// use ember_train::{train, Objective, Progress, TrainConfig, Trainable};
///
/// #[derive(Module, Debug)]
/// struct Affine { linear: Linear }
/// impl Trainable for Affine {
///     fn forward(&self, x: Tensor<2>) -> Tensor<2> { self.linear.forward(x) }
/// }
///
/// let data = seed_line(200, 42).cast::<f32>();
/// let config = TrainConfig { epochs: 300, batch_size: 50, learning_rate: 0.05, progress: Progress::Off, ..Default::default() };
/// let trained = train(
///     |device| Affine { linear: LinearConfig::new(1, 1).init(device) },
///     Objective::MeanSquaredError { n_outputs: 1 },
///     &data, None, &config, &Device::flex(),
/// )?;
/// let first = trained.history.epochs[0].train["loss"];
/// let last = trained.history.last().unwrap().train["loss"];
/// assert!(last < first / 10.0);
/// # Ok::<(), ember_train::TrainError>(())
/// ```
pub fn train<M: Trainable>(
    init: impl Fn(&Device) -> M,
    objective: Objective,
    train: &Dataset<f32>,
    valid: Option<&Dataset<f32>>,
    config: &TrainConfig,
    device: &Device,
) -> Result<Trained<M>, TrainError> {
    config.validate()?;
    check_features(train, "training")?;
    // One run at a time holds the backend's process-wide random generator (see above).
    static RANDOM_STREAM: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = RANDOM_STREAM
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let held_out = split_validation(objective, train, valid, config)?;
    let train_data = Prepared::new(objective, held_out.as_ref().map_or(train, |(t, _)| t))?;
    let valid_set = held_out.as_ref().map(|(_, v)| v);
    let valid_data = match (valid, valid_set) {
        (Some(v), _) => {
            check_features(v, "validation")?;
            if v.x().n_cols() != train.x().n_cols() {
                return Err(DataError::Mismatch {
                    what: "validation features vs training features",
                    left: v.x().n_cols(),
                    right: train.x().n_cols(),
                }
                .into());
            }
            Some(Prepared::new(objective, v)?)
        }
        (None, Some(v)) => Some(Prepared::new(objective, v)?),
        (None, None) => None,
    };
    let monitor = monitor(config, objective, valid_data.is_some())?;
    Loop {
        objective,
        config,
        device: device.clone().autodiff(),
        train: train_data,
        valid: valid_data,
        monitor,
        fingerprint: fingerprint(config, train)?,
    }
    .run(init)
}

/// Features and targets of a data set, in the form batches are cut from.
struct Prepared<'d> {
    /// The data set's features, borrowed (a copy of a large training set would double its
    /// memory).
    x: &'d [f32],
    n_features: usize,
    targets: Targets,
    n: usize,
}

impl<'d> Prepared<'d> {
    fn new(objective: Objective, data: &'d Dataset<f32>) -> Result<Self, TrainError> {
        Ok(Self {
            x: data.x().as_slice(),
            n_features: data.x().n_cols(),
            targets: objective.targets(data)?,
            n: data.n_samples(),
        })
    }

    fn features(&self, rows: &[usize], device: &Device) -> Tensor<2> {
        let d = self.n_features;
        let mut values = Vec::with_capacity(rows.len() * d);
        for &r in rows {
            values.extend_from_slice(&self.x[r * d..(r + 1) * d]);
        }
        Tensor::from_data(TensorData::new(values, [rows.len(), d]), device)
    }
}

fn check_features(data: &Dataset<f32>, what: &'static str) -> Result<(), TrainError> {
    if data.n_samples() == 0 {
        return Err(DataError::Empty(what).into());
    }
    let d = data.x().n_cols();
    if let Some(i) = data.x().as_slice().iter().position(|v| !v.is_finite()) {
        return Err(DataError::NonFinite {
            what: "X",
            row: i / d,
            column: i % d,
            value: f64::from(data.x().as_slice()[i]),
        }
        .into());
    }
    Ok(())
}

/// The part of the training data trained on, and the part held out for validation.
type HeldOut = (Dataset<f32>, Dataset<f32>);

/// The training and validation sets when a fraction of `train` is held out.
fn split_validation(
    objective: Objective,
    train: &Dataset<f32>,
    valid: Option<&Dataset<f32>>,
    config: &TrainConfig,
) -> Result<Option<HeldOut>, TrainError> {
    if valid.is_some() || config.validation_fraction == 0.0 {
        return Ok(None);
    }
    let fraction = config.validation_fraction;
    let (fit, held) = if objective.is_classification() {
        let classes: Vec<usize> = train.y().as_slice().iter().map(|&v| v as usize).collect();
        stratified_train_test_indices(&classes, fraction, config.seed)?
    } else {
        train_test_indices(train.n_samples(), fraction, config.seed)?
    };
    Ok(Some((train.select(&fit), train.select(&held))))
}

/// The metric early stopping and reduce-on-plateau watch: one this run produces, else an
/// error before the first epoch naming those it does.
fn monitor(
    config: &TrainConfig,
    objective: Objective,
    has_valid: bool,
) -> Result<Monitor, TrainError> {
    let name = match &config.early_stopping {
        Some(es) => es.metric.as_str(),
        None if has_valid => "valid_loss",
        None => "train_loss",
    };
    let monitor = Monitor::parse(name)?;
    if monitor.split == Split::Valid && !has_valid {
        return Err(TrainError::config(
            "early_stopping.metric",
            format!("`{name}` needs a validation set: give one or set validation_fraction"),
        ));
    }
    let produced = objective.metric_names(has_valid);
    if !produced.iter().any(|m| m == name) {
        return Err(TrainError::config(
            "early_stopping.metric",
            format!(
                "`{name}` is not a metric this run produces; it produces {}",
                produced.join(", ")
            ),
        ));
    }
    Ok(monitor)
}

/// What a checkpoint must match to be resumed: the config (but the number of epochs and how
/// progress is shown) and the training data.
fn fingerprint(
    config: &TrainConfig,
    train: &Dataset<f32>,
) -> Result<serde_json::Value, TrainError> {
    let mut value =
        serde_json::to_value(config).map_err(|e| TrainError::config("", e.to_string()))?;
    if let Some(map) = value.as_object_mut() {
        for volatile in [
            "epochs",
            "progress",
            "resume",
            "run_dir",
            "keep_checkpoints",
        ] {
            map.remove(volatile);
        }
        // FNV-1a over the bits of X and y: a different data set is not resumed.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for v in train.x().as_slice().iter().chain(train.y().as_slice()) {
            hash = (hash ^ u64::from(v.to_bits())).wrapping_mul(0x0100_0000_01b3);
        }
        map.insert(
            "data".into(),
            serde_json::json!({
                "rows": train.n_samples(),
                "features": train.x().n_cols(),
                "hash": format!("{hash:016x}"),
            }),
        );
    }
    Ok(value)
}

/// A seed for epoch `epoch` of a run seeded `seed` (SplitMix64 of both).
fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    let mut z = seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Loop<'a> {
    objective: Objective,
    config: &'a TrainConfig,
    device: Device,
    train: Prepared<'a>,
    valid: Option<Prepared<'a>>,
    monitor: Monitor,
    fingerprint: serde_json::Value,
}

fn record_bytes<M: Module>(model: &M) -> Result<Bytes, TrainError> {
    model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| TrainError::Device(format!("saving weights: {e}")))
}

fn load_bytes<M: Module>(model: M, bytes: Bytes, path: &Path) -> Result<M, TrainError> {
    let record = ModuleRecord::from_bytes(bytes).map_err(|e| TrainError::Checkpoint {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    model
        .try_load_record(record)
        .map_err(|e| TrainError::Checkpoint {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

impl Loop<'_> {
    fn run<M: Trainable>(self, init: impl Fn(&Device) -> M) -> Result<Trained<M>, TrainError> {
        let config = self.config;
        self.device.seed(config.seed);
        let mut model = init(&self.device);
        let mut optimizer: ModuleOptimizer = config
            .optimizer
            .build(config.weight_decay, config.grad_clip);
        let mut state = RunState {
            fingerprint: self.fingerprint.clone(),
            epoch: 0,
            history: History::default(),
            schedule: Default::default(),
            best: None,
            stale: 0,
            stopped: false,
        };
        let mut best: Option<Bytes> = None;
        let checkpoints = config.run_dir.as_ref().map(|d| d.join("checkpoints"));
        let mut kept: Option<PathBuf> = None;
        if let (Some(run_dir), Some(root)) = (&config.run_dir, &checkpoints) {
            fs::create_dir_all(run_dir).map_err(TrainError::io(run_dir))?;
            let resumed = if config.resume {
                checkpoint::latest(root)?
            } else {
                if root.exists() {
                    fs::remove_dir_all(root).map_err(TrainError::io(root))?;
                }
                None
            };
            if let Some(ckpt) = resumed {
                check_fingerprint(&ckpt.state.fingerprint, &self.fingerprint, &ckpt.dir)?;
                model = model
                    .try_load_record(ckpt.model)
                    .map_err(|e| TrainError::Checkpoint {
                        path: ckpt.dir.clone(),
                        message: e.to_string(),
                    })?;
                optimizer =
                    optimizer
                        .load(&ckpt.optimizer)
                        .map_err(|e| TrainError::Checkpoint {
                            path: ckpt.optimizer.clone(),
                            message: e.to_string(),
                        })?;
                best = ckpt.best;
                state = ckpt.state;
                kept = Some(ckpt.dir);
            }
            let json = serde_json::to_vec_pretty(config)
                .map_err(|e| TrainError::config("", e.to_string()))?;
            write_file_atomically(&run_dir.join("config.json"), |f| f.write_all(&json))?;
        }

        let mut reporter = Reporter::new(config.progress, config.epochs, state.epoch);
        let elapsed_before = state.history.last().map_or(0.0, |e| e.elapsed_s);
        let started = Instant::now();
        while state.epoch < config.epochs && !state.stopped {
            let epoch = state.epoch;
            let lr = config.schedule.rate(
                config.learning_rate,
                epoch,
                config.warmup_epochs,
                config.epochs,
                &state.schedule,
            );
            let epoch_start = Instant::now();
            let (next, train_metrics) =
                self.train_epoch(model, &mut optimizer, epoch, lr, &mut reporter, &kept)?;
            model = next;
            let samples_per_s = self.train.n as f64 / epoch_start.elapsed().as_secs_f64().max(1e-9);
            let valid_metrics = match &self.valid {
                Some(v) => Some(self.evaluate(&model.valid(), v)?),
                None => None,
            };
            let record = EpochRecord {
                epoch: epoch + 1,
                learning_rate: lr,
                elapsed_s: elapsed_before + started.elapsed().as_secs_f64(),
                train: train_metrics,
                valid: valid_metrics,
            };
            let watched = record.metric(&format!(
                "{}_{}",
                if self.monitor.split == Split::Valid {
                    "valid"
                } else {
                    "train"
                },
                self.monitor.metric
            ));
            if let Some(value) = watched.map(|v| self.monitor.minimised(v)) {
                config.schedule.observe(&mut state.schedule, value);
                let min_delta = config.early_stopping.as_ref().map_or(0.0, |e| e.min_delta);
                let improved = state.best.is_none_or(|(b, _)| value < b - min_delta);
                if improved {
                    state.best = Some((value, epoch + 1));
                    state.stale = 0;
                    if config
                        .early_stopping
                        .as_ref()
                        .is_some_and(|e| e.restore_best)
                    {
                        best = Some(record_bytes(&model)?);
                    }
                } else {
                    state.stale += 1;
                }
            }
            if let Some(es) = &config.early_stopping
                && state.stale >= es.patience
            {
                state.stopped = true;
            }
            reporter.end_epoch(&record, samples_per_s);
            state.history.epochs.push(record);
            state.epoch = epoch + 1;
            if let (Some(run_dir), Some(root)) = (&config.run_dir, &checkpoints) {
                kept = Some(checkpoint::save(
                    root,
                    &state,
                    model.clone().into_record(),
                    &optimizer,
                    best.as_ref(),
                    config.keep_checkpoints,
                )?);
                state.history.write(run_dir)?;
            }
        }
        reporter.finish();

        let restore = config
            .early_stopping
            .as_ref()
            .is_some_and(|e| e.restore_best);
        let (final_model, final_epoch) = match (restore, best, state.best) {
            (true, Some(bytes), Some((_, epoch))) => {
                let path = kept.clone().unwrap_or_default();
                (load_bytes(model, bytes, &path)?.valid(), epoch)
            }
            _ => (model.valid(), state.epoch),
        };
        if let Some(run_dir) = &config.run_dir {
            let bytes = record_bytes(&final_model)?;
            write_file_atomically(&run_dir.join("model.bpk"), |f| f.write_all(&bytes))?;
        }
        Ok(Trained {
            model: final_model,
            history: state.history,
            epoch: final_epoch,
            stopped_early: state.stopped,
        })
    }

    fn train_epoch<M: Trainable>(
        &self,
        mut model: M,
        optimizer: &mut ModuleOptimizer,
        epoch: usize,
        lr: f64,
        reporter: &mut Reporter,
        kept: &Option<PathBuf>,
    ) -> Result<(M, std::collections::BTreeMap<String, f64>), TrainError> {
        let config = self.config;
        let seed = epoch_seed(config.seed, epoch);
        // Dropout draws from the device's generator: seeding it per epoch makes a resumed
        // epoch draw exactly what the uninterrupted one drew.
        self.device.seed(seed);
        let mut order: Vec<usize> = (0..self.train.n).collect();
        if config.shuffle {
            order.shuffle(&mut StdRng::seed_from_u64(seed));
        }
        let n_batches = self.train.n.div_ceil(config.batch_size);
        reporter.start_epoch(n_batches);
        let mut stats = BatchStats::default();
        for (b, rows) in order.chunks(config.batch_size).enumerate() {
            let x = self.train.features(rows, &self.device);
            let targets = self
                .objective
                .batch_targets(&self.train.targets, rows, &self.device);
            let output = model.forward(x);
            let [_, width] = output.dims();
            if width != self.objective.n_outputs() {
                return Err(DataError::Mismatch {
                    what: "model outputs vs the objective's outputs",
                    left: width,
                    right: self.objective.n_outputs(),
                }
                .into());
            }
            let (mut loss, correct) = self.objective.loss(output, &targets);
            if let Some(penalty) = model.penalty() {
                loss = loss + penalty;
            }
            let mut values = vec![loss.clone().detach()];
            values.extend(correct);
            stats.pending.push((Tensor::cat(values, 0), rows.len()));
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(lr, model, grads);
            // Reading a loss back waits for the device: do it only when the progress bar is
            // due for a redraw, every 64 batches (so a divergence is caught soon), and at the
            // end of the epoch.
            if reporter.wants_update() || stats.pending.len() >= 64 || b + 1 == n_batches {
                stats
                    .flush()
                    .map_err(|(batch, loss)| TrainError::Diverged {
                        epoch: epoch + 1,
                        batch,
                        loss,
                        learning_rate: lr,
                        kept: kept.clone(),
                    })?;
                reporter.batch(b + 1, stats.seen, stats.mean_loss(), stats.accuracy());
            }
        }
        let mut metrics = std::collections::BTreeMap::new();
        metrics.insert("loss".to_string(), stats.mean_loss());
        if self.objective.is_classification() {
            metrics.insert("accuracy".to_string(), stats.accuracy().unwrap_or(0.0));
        }
        Ok((model, metrics))
    }

    fn evaluate<M: Trainable>(
        &self,
        model: &M,
        data: &Prepared<'_>,
    ) -> Result<std::collections::BTreeMap<String, f64>, TrainError> {
        let mut acc: Accumulator = self.objective.accumulator();
        let device = model_device(&self.device);
        let rows: Vec<usize> = (0..data.n).collect();
        for chunk in rows.chunks(EVAL_BATCH) {
            let output = model.forward(data.features(chunk, &device));
            let values = crate::predict::read(output)?;
            acc.update(&data.targets, chunk, &values)?;
        }
        acc.metrics()
    }
}

/// Each batch's loss (and, for classification, its count of correct predictions), kept on the
/// device until read back in one go.
#[derive(Default)]
struct BatchStats {
    pending: Vec<(Tensor<1>, usize)>,
    batches: usize,
    seen: usize,
    loss_sum: f64,
    correct_sum: Option<f64>,
}

impl BatchStats {
    /// Reads the pending batches; the first non-finite loss is an error `(batch, loss)`
    /// (1-based batch within the epoch).
    fn flush(&mut self) -> Result<(), (usize, f64)> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let width = self.pending[0].0.dims()[0];
        let rows: Vec<usize> = self.pending.iter().map(|p| p.1).collect();
        let tensors = self.pending.drain(..).map(|p| p.0).collect();
        let values = crate::predict::read(Tensor::cat(tensors, 0))
            .map_err(|_| (self.batches + 1, f64::NAN))?;
        for (chunk, rows) in values.chunks(width).zip(rows) {
            self.batches += 1;
            let loss = f64::from(chunk[0]);
            if !loss.is_finite() {
                return Err((self.batches, loss));
            }
            self.seen += rows;
            self.loss_sum += loss * rows as f64;
            if let Some(&correct) = chunk.get(1) {
                *self.correct_sum.get_or_insert(0.0) += f64::from(correct);
            }
        }
        Ok(())
    }

    fn mean_loss(&self) -> f64 {
        self.loss_sum / self.seen.max(1) as f64
    }

    fn accuracy(&self) -> Option<f64> {
        self.correct_sum.map(|c| c / self.seen.max(1) as f64)
    }
}

/// Rows per forward pass when scoring or predicting.
pub(crate) const EVAL_BATCH: usize = 4096;

/// The device without autodiff, where a `valid()` model lives.
fn model_device(device: &Device) -> Device {
    device.clone().inner()
}

fn check_fingerprint(
    saved: &serde_json::Value,
    now: &serde_json::Value,
    dir: &Path,
) -> Result<(), TrainError> {
    if saved == now {
        return Ok(());
    }
    let field = match (saved.as_object(), now.as_object()) {
        (Some(a), Some(b)) => a
            .iter()
            .find(|(k, v)| b.get(*k) != Some(v))
            .map(|(k, _)| k.clone())
            .or_else(|| b.keys().find(|k| !a.contains_key(*k)).cloned())
            .unwrap_or_default(),
        _ => String::new(),
    };
    Err(TrainError::Checkpoint {
        path: dir.to_path_buf(),
        message: format!(
            "was written by a run with a different `{field}`; resume with the same config and data, or set resume = false to start over"
        ),
    })
}
