//! The training loop: [`Trainer`] for any [`TrainStep`] module on any [`BatchSource`], and
//! [`train`], its form for ember's matrix data and [`Objective`]s.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};
use ember_data::split::{stratified_train_test_indices, train_test_indices};
use ember_data::{DataError, Dataset, Scalar};

use crate::checkpoint::{Checkpointer, RunState, lock_run_dir, write_file_atomically};
use crate::epoch::{EpochRun, evaluate};
use crate::history::RunLog;
use crate::metric::{Metric, MetricFactory};
use crate::monitor::{Monitor, Split, Watch};
use crate::progress::Reporter;
use crate::source::Subset;
use crate::tensorboard::{EventLog, remove_event_files};
use crate::{
    BatchSource, EpochRecord, MatrixBatch, MatrixData, Objective, RunOptions, TrainConfig,
    TrainError, TrainStep, Trainable,
};

/// A trained model and how it got there.
#[derive(Debug)]
pub struct Trained<M> {
    /// The weights handed back: the best epoch's with `restore_best`, else the last, on the
    /// device (without autodiff).
    pub model: M,
    /// Every epoch's metrics.
    pub history: crate::History,
    /// The epoch whose weights are in `model`.
    pub epoch: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
}

/// Rows per forward pass when scoring, unless [`Trainer::eval_batch_size`] says otherwise.
pub const EVAL_BATCH: usize = 4096;

/// The loop, with its hyper-parameters, run options and metrics: trains any module that
/// implements [`TrainStep`] for the batches a [`BatchSource`] builds.
///
/// Every epoch trains on the source's samples in a seeded order (reshuffled per epoch), then
/// scores the validation set (given, or a seeded fraction held out of the training data,
/// stratified where the source names classes). Metrics are the step's loss plus those
/// added, per split; early stopping and reduce-on-plateau may watch only those. In a run
/// directory each epoch writes an atomic checkpoint, a line per split to `metrics.jsonl` and
/// the loss curve; a killed run started again continues from its newest checkpoint to
/// exactly the weights of an uninterrupted run on the CPU backends.
///
/// burn's CPU backends keep one random generator per process (initialisation and dropout
/// draw from it), so that a seeded run is reproducible whatever else the process does, runs
/// in one process take turns: a second `fit` waits for the first to finish.
///
/// ```
/// use burn::data::dataloader::batcher::Batcher;
/// use burn::data::dataset::InMemDataset;
/// use burn::module::Module;
/// use burn::nn::{Linear, LinearConfig};
/// use burn::tensor::{Device, Tensor, TensorData};
/// use ember_train::*;
///
/// #[derive(Clone)]
/// struct Point { x: f32, y: f32 }
/// struct Points;
/// impl Batcher<Point, (Tensor<2>, Tensor<2>)> for Points {
///     fn batch(&self, items: Vec<Point>, device: &Device) -> (Tensor<2>, Tensor<2>) {
///         let n = items.len();
///         let col = |f: fn(&Point) -> f32| Tensor::from_data(TensorData::new(items.iter().map(f).collect(), [n, 1]), device);
///         (col(|p| p.x), col(|p| p.y))
///     }
/// }
/// #[derive(Module, Debug)]
/// struct Line { linear: Linear }
/// impl TrainStep<(Tensor<2>, Tensor<2>)> for Line {
///     fn step(&self, (x, y): (Tensor<2>, Tensor<2>)) -> Result<StepOutput, TrainError> {
///         let out = self.linear.forward(x);
///         let loss = (out.clone() - y.clone()).square().mean();
///         Ok(StepOutput::new(loss).with_outputs(out, BatchTargets::Real(y)))
///     }
/// }
/// let points: Vec<Point> = (0..64).map(|i| Point { x: i as f32 / 64.0, y: 2.0 * i as f32 / 64.0 + 1.0 }).collect();
/// let data = DatasetSource::new(InMemDataset::new(points), Points);
/// let config = TrainConfig { epochs: 200, batch_size: 16, learning_rate: 0.05, ..Default::default() };
/// let trained = Trainer::new(&config)
///     .run_options(RunOptions::quiet())
///     .metric(Regression::r2(1))
///     .fit(|d| Line { linear: LinearConfig::new(1, 1).init(d) }, &data, None, &Device::flex())?;
/// assert!(trained.history.last().unwrap().train["r2"] > 0.99);
/// # Ok::<(), TrainError>(())
/// ```
pub struct Trainer<'c> {
    config: &'c TrainConfig,
    run: RunOptions,
    train_metrics: Vec<Arc<dyn MetricFactory>>,
    valid_metrics: Vec<Arc<dyn MetricFactory>>,
    eval_batch_size: usize,
}

impl<'c> Trainer<'c> {
    /// A loop with `config`'s hyper-parameters, the default [`RunOptions`] and the loss as its
    /// only metric.
    pub fn new(config: &'c TrainConfig) -> Self {
        Self {
            config,
            run: RunOptions::default(),
            train_metrics: Vec::new(),
            valid_metrics: Vec::new(),
            eval_batch_size: EVAL_BATCH,
        }
    }

    /// Where the run writes and how it shows progress.
    pub fn run_options(mut self, run: RunOptions) -> Self {
        self.run = run;
        self
    }

    /// A metric computed on both splits (on the training split, from the outputs as they
    /// were trained, like Keras).
    pub fn metric<M: Metric + Clone + Sync + 'static>(mut self, metric: M) -> Self {
        self.train_metrics.push(Arc::new(metric.clone()));
        self.valid_metrics.push(Arc::new(metric));
        self
    }

    /// A metric computed on the validation split only.
    pub fn valid_metric<M: Metric + Clone + Sync + 'static>(mut self, metric: M) -> Self {
        self.valid_metrics.push(Arc::new(metric));
        self
    }

    /// Samples per forward pass when scoring the validation set (4096 by default; smaller
    /// for models with large activations, such as convolutions on images).
    pub fn eval_batch_size(mut self, rows: usize) -> Self {
        self.eval_batch_size = rows.max(1);
        self
    }

    pub(crate) fn with_objective(mut self, objective: Objective) -> Self {
        self.train_metrics.extend(objective.train_metrics());
        self.valid_metrics.extend(objective.valid_metrics());
        self
    }

    /// Trains the module `init` builds (on the autodiff form of `device`, after seeding it
    /// with the config's seed) on `train`, scoring `valid` (or a held-out
    /// `validation_fraction` of `train`) after every epoch. To fine-tune a module you have,
    /// return it from `init`: `|device| pretrained.clone().fork(device)`. On the CPU backends
    /// (with more than one thread) the batches' steps run on a thread of rayon's pool, where
    /// their kernels run: a step's stack is that thread's (2 MiB unless set).
    pub fn fit<M: TrainStep<B>, B>(
        self,
        init: impl Fn(&Device) -> M,
        train: &dyn BatchSource<B>,
        valid: Option<&dyn BatchSource<B>>,
        device: &Device,
    ) -> Result<Trained<M>, TrainError> {
        self.config.validate()?;
        self.run.validate()?;
        if train.is_empty() {
            return Err(DataError::Empty("the training set").into());
        }
        if valid.is_some_and(|v| v.is_empty()) {
            return Err(DataError::Empty("the validation set").into());
        }
        // One run at a time holds the backend's process-wide random generator (see above).
        static RANDOM_STREAM: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _turn = RANDOM_STREAM
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (fit, held) = split_validation(train, valid, self.config)?;
        let fit_rows: Option<Subset<'_, B>> = fit.map(|rows| Subset {
            source: train,
            rows,
        });
        let held_rows: Option<Subset<'_, B>> = held.map(|rows| Subset {
            source: train,
            rows,
        });
        let valid = valid.or(held_rows.as_ref().map(|s| s as &dyn BatchSource<B>));
        self.check_metric_names()?;
        let watch = self.watch(valid.is_some())?;
        Loop {
            fingerprint: fingerprint(self.config, train)?,
            trainer: &self,
            device: device.clone().autodiff(),
            train: fit_rows
                .as_ref()
                .map_or(train, |s| s as &dyn BatchSource<B>),
            valid,
            watch,
        }
        .run(init)
    }

    /// Every metric has a name of its own, none the loss's or a field of `metrics.jsonl`.
    fn check_metric_names(&self) -> Result<(), TrainError> {
        for metrics in [&self.train_metrics, &self.valid_metrics] {
            let mut seen = std::collections::BTreeSet::new();
            for m in metrics.iter() {
                let name = m.name();
                if ["loss", "epoch", "split", "learning_rate", "elapsed_s"].contains(&name.as_str())
                    || name.is_empty()
                {
                    return Err(TrainError::Step(format!(
                        "a metric may not be named `{name}`: the loop writes that itself"
                    )));
                }
                if !seen.insert(name.clone()) {
                    return Err(TrainError::Step(format!(
                        "two metrics are named `{name}`: give each its own name"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The metrics a run writes, as early stopping names them (`train_loss`, …).
    pub(crate) fn produced(&self, has_valid: bool) -> Vec<(String, bool)> {
        let split = |name: &str, metrics: &[Arc<dyn MetricFactory>]| {
            std::iter::once((format!("{name}_loss"), false))
                .chain(
                    metrics
                        .iter()
                        .map(|m| (format!("{name}_{}", m.name()), m.higher_is_better())),
                )
                .collect::<Vec<_>>()
        };
        let mut all = split("train", &self.train_metrics);
        if has_valid {
            all.extend(split("valid", &self.valid_metrics));
        }
        all
    }

    /// What early stopping and reduce-on-plateau watch: a metric this run produces, else an
    /// error before the first epoch naming those it does.
    fn watch(&self, has_valid: bool) -> Result<Watch, TrainError> {
        let stopping = self.config.early_stopping.clone();
        let name = match &stopping {
            Some(es) => es.metric.clone(),
            None if has_valid => "valid_loss".into(),
            None => "train_loss".into(),
        };
        let split = Monitor::split_of(&name)?;
        let produced = self.produced(has_valid);
        let possible = self.produced(true);
        let Some(&(_, maximise)) = possible.iter().find(|(m, _)| *m == name) else {
            let names: Vec<&str> = produced.iter().map(|(m, _)| m.as_str()).collect();
            return Err(TrainError::config(
                "early_stopping.metric",
                format!(
                    "`{name}` is not a metric this run produces; it produces {}",
                    names.join(", ")
                ),
            ));
        };
        if split == Split::Valid && !has_valid {
            return Err(TrainError::config(
                "early_stopping.metric",
                format!("`{name}` needs a validation set: give one or set validation_fraction"),
            ));
        }
        Ok(Watch {
            monitor: Monitor { name, maximise },
            stopping,
        })
    }
}

/// Trains the [`Trainable`] module `init` builds to minimise `objective` on the matrix data
/// `train` (in `f32`, or in `f64` rounded to `f32` a batch at a time), scoring `valid` (or a
/// held-out `validation_fraction` of `train`, stratified for classification) with the
/// objective's metrics after every epoch: the loop of ember's own estimators (see [`Trainer`]
/// for everything else).
///
/// ```
/// use burn::module::Module;
/// use burn::nn::{Linear, LinearConfig};
/// use burn::tensor::{Device, Tensor};
/// use ember_data::generators::seed_line;
/// use ember_train::{train, Objective, RunOptions, TrainConfig, Trainable};
///
/// #[derive(Module, Debug)]
/// struct Affine { linear: Linear }
/// impl Trainable for Affine {
///     fn forward(&self, x: Tensor<2>) -> Tensor<2> { self.linear.forward(x) }
/// }
///
/// let data = seed_line(200, 42).cast::<f32>();
/// let config = TrainConfig { epochs: 300, batch_size: 50, learning_rate: 0.05, ..Default::default() };
/// let trained = train(
///     |device| Affine { linear: LinearConfig::new(1, 1).init(device) },
///     Objective::MeanSquaredError { n_outputs: 1 },
///     &data, None, &config, &RunOptions::quiet(), &Device::flex(),
/// )?;
/// let first = trained.history.epochs[0].train["loss"];
/// let last = trained.history.last().unwrap().train["loss"];
/// assert!(last < first / 10.0);
/// # Ok::<(), ember_train::TrainError>(())
/// ```
pub fn train<M: Trainable, T: Scalar>(
    init: impl Fn(&Device) -> M,
    objective: Objective,
    train: &Dataset<T>,
    valid: Option<&Dataset<T>>,
    config: &TrainConfig,
    run: &RunOptions,
    device: &Device,
) -> Result<Trained<M>, TrainError> {
    config.validate()?;
    let train_data = MatrixData::new(objective, train)?;
    let valid_data = match valid {
        Some(v) => {
            check_widths(v.x().n_cols(), train.x().n_cols())?;
            Some(MatrixData::new(objective, v).map_err(|e| match e {
                TrainError::Data(DataError::Empty(_)) => {
                    DataError::Empty("the validation set").into()
                }
                other => other,
            })?)
        }
        None => None,
    };
    train_on(
        init,
        objective,
        &train_data,
        valid_data.as_ref().map(|v| v as &dyn BatchSource<_>),
        config,
        run,
        device,
    )
}

/// [`train`] on any source of [`MatrixBatch`]es: ember's in-memory [`MatrixData`], a row file
/// on disk ([`FileData`](crate::FileData), for data larger than memory), or a source of one's
/// own. The same loop, so the same batches give the same run, bit for bit.
///
/// ```
/// use burn::module::Module;
/// use burn::nn::{Linear, LinearConfig};
/// use burn::tensor::{Device, Tensor};
/// use ember_data::generators::seed_line;
/// use ember_train::{train_on, MatrixData, Objective, RunOptions, TrainConfig, Trainable};
///
/// #[derive(Module, Debug)]
/// struct Affine { linear: Linear }
/// impl Trainable for Affine {
///     fn forward(&self, x: Tensor<2>) -> Tensor<2> { self.linear.forward(x) }
/// }
///
/// let data = seed_line(100, 42).cast::<f32>();
/// let objective = Objective::MeanSquaredError { n_outputs: 1 };
/// let source = MatrixData::new(objective, &data)?;
/// let config = TrainConfig { epochs: 2, batch_size: 50, ..Default::default() };
/// let trained = train_on(
///     |device| Affine { linear: LinearConfig::new(1, 1).init(device) },
///     objective, &source, None, &config, &RunOptions::quiet(), &Device::flex(),
/// )?;
/// assert_eq!(trained.history.epochs.len(), 2);
/// # Ok::<(), ember_train::TrainError>(())
/// ```
pub fn train_on<M: Trainable>(
    init: impl Fn(&Device) -> M,
    objective: Objective,
    train: &dyn BatchSource<MatrixBatch>,
    valid: Option<&dyn BatchSource<MatrixBatch>>,
    config: &TrainConfig,
    run: &RunOptions,
    device: &Device,
) -> Result<Trained<M>, TrainError> {
    config.validate()?;
    if let (Some(v), Some(t)) = (valid.and_then(|v| v.n_features()), train.n_features()) {
        check_widths(v, t)?;
    }
    Trainer::new(config)
        .run_options(run.clone())
        .with_objective(objective)
        .fit(init, train, valid, device)
}

/// An error when the validation set has another number of features than the training set.
fn check_widths(valid: usize, train: usize) -> Result<(), TrainError> {
    if valid == train {
        return Ok(());
    }
    Err(DataError::Mismatch {
        what: "validation features vs training features",
        left: valid,
        right: train,
    }
    .into())
}

/// The rows trained on and the rows held out, when a fraction of `train` is held out.
type HeldOut = (Option<Vec<usize>>, Option<Vec<usize>>);

fn split_validation<B>(
    train: &dyn BatchSource<B>,
    valid: Option<&dyn BatchSource<B>>,
    config: &TrainConfig,
) -> Result<HeldOut, TrainError> {
    if valid.is_some() || config.validation_fraction == 0.0 {
        return Ok((None, None));
    }
    let fraction = config.validation_fraction;
    let split = match train.strata() {
        Some(classes) if classes.len() != train.len() => {
            return Err(TrainError::Step(format!(
                "{} classes given for stratifying {} samples",
                classes.len(),
                train.len()
            )));
        }
        Some(classes) => stratified_train_test_indices(&classes, fraction, config.seed),
        None => train_test_indices(train.len(), fraction, config.seed),
    };
    let (fit, held) = split.map_err(|e| {
        TrainError::config(
            "validation_fraction",
            format!("cannot hold out {fraction} of {} samples: {e}", train.len()),
        )
    })?;
    Ok((Some(fit), Some(held)))
}

/// What a checkpoint must match to be resumed: the hyper-parameters (but the number of
/// epochs, which a resumed run may raise, unless the schedule's rates depend on it) and the
/// training data.
fn fingerprint<B>(
    config: &TrainConfig,
    train: &dyn BatchSource<B>,
) -> Result<serde_json::Value, TrainError> {
    let epochs = if config.schedule.uses_total_epochs() {
        config.epochs
    } else {
        0
    };
    let resumable = TrainConfig {
        epochs,
        ..config.clone()
    };
    let mut value =
        serde_json::to_value(resumable).map_err(|e| TrainError::config("train", e.to_string()))?;
    if let Some(map) = value.as_object_mut() {
        map.insert("data".into(), train.fingerprint().into());
    }
    Ok(value)
}

struct Loop<'a, B> {
    trainer: &'a Trainer<'a>,
    device: Device,
    train: &'a dyn BatchSource<B>,
    valid: Option<&'a dyn BatchSource<B>>,
    watch: Watch,
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

/// Where a run stands between epochs.
struct Progressing<M> {
    model: M,
    optimizer: ModuleOptimizer,
    state: RunState,
    /// The best weights so far, when they are to be handed back.
    best: Option<Bytes>,
    /// The newest checkpoint written or resumed from.
    kept: Option<PathBuf>,
}

impl<B> Loop<'_, B> {
    fn run<M: TrainStep<B>>(self, init: impl Fn(&Device) -> M) -> Result<Trained<M>, TrainError> {
        let config = self.trainer.config;
        let run = &self.trainer.run;
        self.device.seed(config.seed);
        let checkpoints = run
            .run_dir
            .as_deref()
            .map(|d| Checkpointer::new(d, run.keep_checkpoints));
        let log = run.run_dir.as_deref().map(RunLog::new);
        let events = run
            .run_dir
            .as_deref()
            .filter(|_| run.tensorboard)
            .map(|dir| {
                let text = serde_json::to_string_pretty(config).unwrap_or_default();
                // Indented: TensorBoard renders text as Markdown, and this as a code block.
                let text = text.lines().map(|l| format!("    {l}\n")).collect();
                EventLog::new(dir, text)
            });
        let mut at = Progressing {
            model: init(&self.device),
            optimizer: config
                .optimizer
                .build(config.weight_decay, config.grad_clip),
            state: RunState::new(self.fingerprint.clone()),
            best: None,
            kept: None,
        };
        let mut _lock = None;
        if let (Some(dir), Some(checkpoints)) = (&run.run_dir, &checkpoints) {
            std::fs::create_dir_all(dir).map_err(TrainError::io(dir))?;
            _lock = Some(lock_run_dir(dir)?);
            at = self.resume(at, checkpoints)?;
        }
        if let Some(log) = &log {
            log.restart(&at.state.history)?;
        }
        match (&events, &run.run_dir) {
            (Some(events), _) => events.restart(&at.state.history)?,
            (None, Some(dir)) => remove_event_files(dir)?,
            (None, None) => {}
        }
        let mut reporter = Reporter::new(run.progress, config.epochs, at.state.epoch);
        let elapsed_before = at.state.history.last().map_or(0.0, |e| e.elapsed_s);
        let started = Instant::now();
        while at.state.epoch < config.epochs && !at.state.watch.stopped {
            at = self.epoch(at, &mut reporter, elapsed_before, started)?;
            if let Some(checkpoints) = &checkpoints {
                at.kept = Some(checkpoints.save(
                    &at.state,
                    at.model.clone().into_record(),
                    &at.optimizer,
                    at.best.as_ref(),
                )?);
            }
            if let Some(log) = &log {
                log.append(&at.state.history)?;
            }
            if let Some(events) = &events {
                events.append(&at.state.history)?;
            }
        }
        reporter.finish();
        self.finish(at)
    }

    /// Continues from the newest checkpoint when the run options allow it and one exists;
    /// else starts over (removing the checkpoints of an earlier run).
    fn resume<M: TrainStep<B>>(
        &self,
        mut at: Progressing<M>,
        checkpoints: &Checkpointer,
    ) -> Result<Progressing<M>, TrainError> {
        if !self.trainer.run.resume {
            checkpoints.clear()?;
            // And the final weights of the run it replaces, which would otherwise sit beside
            // the new run's checkpoints.
            if let Some(dir) = &self.trainer.run.run_dir {
                for stale in ["model.bpk", "config.json"] {
                    let path = dir.join(stale);
                    if path.exists() {
                        std::fs::remove_file(&path).map_err(TrainError::io(&path))?;
                    }
                }
            }
            return Ok(at);
        }
        let Some(ckpt) = checkpoints.latest()? else {
            return Ok(at);
        };
        check_fingerprint(&ckpt.state.fingerprint, &self.fingerprint, &ckpt.dir)?;
        at.model = at
            .model
            .try_load_record(ckpt.model)
            .map_err(|e| TrainError::Checkpoint {
                path: ckpt.dir.clone(),
                message: e.to_string(),
            })?;
        at.optimizer = at
            .optimizer
            .load(&ckpt.optimizer)
            .map_err(|e| TrainError::Checkpoint {
                path: ckpt.optimizer.clone(),
                message: e.to_string(),
            })?;
        at.best = ckpt.best;
        at.state = ckpt.state;
        at.kept = Some(ckpt.dir);
        Ok(at)
    }

    /// One epoch: training, validation, the record, the watch.
    fn epoch<M: TrainStep<B>>(
        &self,
        mut at: Progressing<M>,
        reporter: &mut Reporter,
        elapsed_before: f64,
        started: Instant,
    ) -> Result<Progressing<M>, TrainError> {
        let config = self.trainer.config;
        let epoch = at.state.epoch;
        let lr = config.schedule.rate(
            config.learning_rate,
            epoch,
            config.warmup_epochs,
            config.epochs,
            &at.state.schedule,
        );
        let epoch_start = Instant::now();
        let (model, train) = EpochRun {
            config,
            device: &self.device,
            source: self.train,
            metrics: &self.trainer.train_metrics,
            epoch,
            lr,
            kept: &at.kept,
        }
        .train(at.model, &mut at.optimizer, reporter)?;
        at.model = model;
        let samples_per_s = self.train.len() as f64 / epoch_start.elapsed().as_secs_f64().max(1e-9);
        let valid = match self.valid {
            Some(v) => Some(evaluate(
                &at.model.valid(),
                v,
                &self.trainer.valid_metrics,
                self.trainer.eval_batch_size,
                &self.device.clone().inner(),
            )?),
            None => None,
        };
        let record = EpochRecord {
            epoch: epoch + 1,
            learning_rate: lr,
            elapsed_s: elapsed_before + started.elapsed().as_secs_f64(),
            samples_per_s,
            train,
            valid,
        };
        check_finite(&record)?;
        let name = &self.watch.monitor.name;
        let value = record.metric(name).ok_or_else(|| {
            TrainError::Step(format!(
                "epoch {}: the watched metric `{name}` has no value (a metric has none where it is undefined, e.g. R² of one sample)",
                epoch + 1
            ))
        })?;
        let value = self.watch.monitor.minimised(value);
        config.schedule.observe(&mut at.state.schedule, value);
        if self.watch.observe(&mut at.state.watch, epoch + 1, value) && self.watch.restores_best() {
            at.best = Some(record_bytes(&at.model)?);
        }
        reporter.end_epoch(&record, samples_per_s);
        at.state.history.epochs.push(record);
        at.state.epoch = epoch + 1;
        Ok(at)
    }

    /// The weights handed back (the best epoch's with `restore_best`), written as
    /// `model.bpk` beside `config.json` when the run options say so.
    fn finish<M: TrainStep<B>>(&self, at: Progressing<M>) -> Result<Trained<M>, TrainError> {
        let (model, epoch) = match (self.watch.restores_best(), at.best, at.state.watch.best) {
            (true, Some(bytes), Some((_, epoch))) => {
                let path = at.kept.clone().unwrap_or_default();
                (load_bytes(at.model, bytes, &path)?.valid(), epoch)
            }
            _ => (at.model.valid(), at.state.epoch),
        };
        let run = &self.trainer.run;
        if let (Some(dir), true) = (&run.run_dir, run.write_model) {
            let bytes = record_bytes(&model)?;
            write_file_atomically(&dir.join("model.bpk"), |f| f.write_all(&bytes))?;
            let json = serde_json::to_vec_pretty(self.trainer.config)
                .map_err(|e| TrainError::config("train", e.to_string()))?;
            write_file_atomically(&dir.join("config.json"), |f| f.write_all(&json))?;
        }
        Ok(Trained {
            model,
            history: at.state.history,
            epoch,
            stopped_early: at.state.watch.stopped,
        })
    }
}

/// A NaN or infinite metric is an error naming it: it would be neither comparable nor
/// written back from a checkpoint.
fn check_finite(record: &EpochRecord) -> Result<(), TrainError> {
    let splits = [
        ("train", Some(&record.train)),
        ("valid", record.valid.as_ref()),
    ];
    for (split, metrics) in splits {
        for (name, v) in metrics.into_iter().flatten() {
            if !v.is_finite() {
                let hint = if name == "loss" {
                    ": the model diverged; try a lower learning rate"
                } else {
                    ""
                };
                return Err(TrainError::Step(format!(
                    "epoch {}: `{split}_{name}` is {v}{hint}",
                    record.epoch
                )));
            }
        }
    }
    Ok(())
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
