//! The loop for a user's own module, batch type and metric: burn's `Dataset` + `Batcher`
//! path, user metrics that early stopping watches, and the same bits as ember's matrix path.

mod common;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::InMemDataset;
use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor, TensorData};
use common::temp_dir;
use ember_data::generators::seed_line;
use ember_train::{
    BatchSource, BatchTargets, DatasetSource, EarlyStopping, MatrixBatch, Metric, MetricInput,
    Objective, OptimizerConfig, Regression, RunOptions, StepOutput, TargetValues, TrainConfig,
    TrainError, TrainStep, Trainable, Trainer, train,
};

#[derive(Debug, Clone)]
struct Row {
    x: f32,
    y: f32,
}

/// Rows into `[n, 1]` features and targets.
struct Pairs;

impl Batcher<Row, (Tensor<2>, Tensor<2>)> for Pairs {
    fn batch(&self, items: Vec<Row>, device: &Device) -> (Tensor<2>, Tensor<2>) {
        let n = items.len();
        let column = |f: fn(&Row) -> f32| {
            let values: Vec<f32> = items.iter().map(f).collect();
            Tensor::from_data(TensorData::new(values, [n, 1]), device)
        };
        (column(|r| r.x), column(|r| r.y))
    }
}

/// The same rows as ember's own batches (what the matrix path builds), through burn's path.
struct AsMatrix;

impl Batcher<Row, MatrixBatch> for AsMatrix {
    fn batch(&self, items: Vec<Row>, device: &Device) -> MatrixBatch {
        let (x, y) = Pairs.batch(items, device);
        MatrixBatch {
            x,
            targets: BatchTargets::Real(y),
            objective: Objective::MeanSquaredError { n_outputs: 1 },
        }
    }
}

#[derive(Module, Debug)]
struct Line {
    linear: Linear,
}

fn line(device: &Device) -> Line {
    Line {
        linear: LinearConfig::new(1, 1)
            .with_initializer(Initializer::Zeros)
            .init(device),
    }
}

impl Trainable for Line {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.linear.forward(x)
    }
}

/// Mean absolute error as a step's loss (a loss ember has no objective for).
impl TrainStep<(Tensor<2>, Tensor<2>)> for Line {
    fn step(&self, (x, y): (Tensor<2>, Tensor<2>)) -> Result<StepOutput, TrainError> {
        let out = self.linear.forward(x);
        let loss = (out.clone() - y.clone()).abs().mean();
        Ok(StepOutput::new(loss).with_outputs(out, BatchTargets::Real(y)))
    }
}

/// The largest absolute error: a user's metric, minimised.
#[derive(Clone, Default)]
struct MaxError(f64, usize);

impl Metric for MaxError {
    fn name(&self) -> &str {
        "max_error"
    }
    fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError> {
        let TargetValues::Real(y) = batch.targets else {
            return Err(TrainError::Step("max_error needs real targets".into()));
        };
        for (&t, &p) in y.iter().zip(batch.output) {
            self.0 = self.0.max(f64::from((t - p).abs()));
        }
        self.1 += batch.n;
        Ok(())
    }
    fn value(&self) -> Result<Option<f64>, TrainError> {
        Ok((self.1 > 0).then_some(self.0))
    }
}

/// Samples seen: what the held-out split holds.
#[derive(Clone, Default)]
struct Count(usize);

impl Metric for Count {
    fn name(&self) -> &str {
        "count"
    }
    fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError> {
        self.0 += batch.n;
        Ok(())
    }
    fn value(&self) -> Result<Option<f64>, TrainError> {
        Ok(Some(self.0 as f64))
    }
}

fn rows(n: usize) -> Vec<Row> {
    let data = seed_line(n, 42).cast::<f32>();
    data.x()
        .as_slice()
        .iter()
        .zip(data.y().as_slice())
        .map(|(&x, &y)| Row { x, y })
        .collect()
}

fn bits(model: &Line) -> Vec<u32> {
    let mut values = model
        .linear
        .weight
        .val()
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32");
    if let Some(b) = &model.linear.bias {
        values.extend(b.val().into_data().try_to_vec::<f32>().expect("f32"));
    }
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn burns_dataset_path_gives_the_matrix_paths_bits() -> Result<(), TrainError> {
    let config = TrainConfig {
        epochs: 5,
        batch_size: 16,
        learning_rate: 0.05,
        optimizer: OptimizerConfig::sgd(0.9),
        seed: 3,
        ..Default::default()
    };
    let device = Device::flex();
    let matrix = train(
        line,
        Objective::MeanSquaredError { n_outputs: 1 },
        &seed_line(100, 42).cast::<f32>(),
        None,
        &config,
        &RunOptions::quiet(),
        &device,
    )?;
    let source = DatasetSource::new(InMemDataset::new(rows(100)), AsMatrix);
    let dataset = Trainer::new(&config)
        .run_options(RunOptions::quiet())
        .fit(line, &source, None, &device)?;
    assert_eq!(bits(&matrix.model), bits(&dataset.model));
    assert_eq!(
        matrix.history.series("train_loss"),
        dataset.history.series("train_loss")
    );
    Ok(())
}

#[test]
fn a_user_metric_is_logged_and_watched_by_early_stopping() -> Result<(), TrainError> {
    let dir = temp_dir("user-metric");
    let config = TrainConfig {
        epochs: 200,
        batch_size: 10,
        learning_rate: 0.1,
        validation_fraction: 0.25,
        early_stopping: Some(EarlyStopping {
            metric: "valid_max_error".into(),
            patience: 5,
            ..Default::default()
        }),
        ..Default::default()
    };
    let source = DatasetSource::new(InMemDataset::new(rows(80)), Pairs);
    let trained = Trainer::new(&config)
        .run_options(RunOptions {
            run_dir: Some(dir.clone()),
            ..RunOptions::quiet()
        })
        .metric(MaxError::default())
        .metric(Regression::r2(1))
        .valid_metric(Count::default())
        .fit(line, &source, None, &Device::flex())?;
    assert!(trained.stopped_early, "patience 5 of 200 epochs");
    let valid = trained.history.series("valid_max_error");
    let best = valid.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(
        trained.history.epochs[trained.epoch - 1].metric("valid_max_error"),
        Some(best),
        "the restored weights are those of the best valid_max_error"
    );
    // A quarter of 80 held out; the count is a validation-only metric.
    assert_eq!(trained.history.series("valid_count")[0], 20.0);
    assert!(trained.history.series("train_count").is_empty());
    let log = std::fs::read_to_string(dir.join("metrics.jsonl")).expect("log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2 * trained.history.epochs.len());
    for l in &lines {
        assert!(l["max_error"].is_number() && l["r2"].is_number(), "{l}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn watching_a_metric_the_run_does_not_produce_lists_those_it_does() {
    let config = TrainConfig {
        validation_fraction: 0.25,
        early_stopping: Some(EarlyStopping {
            metric: "valid_mae".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let source = DatasetSource::new(InMemDataset::new(rows(40)), Pairs);
    let err = Trainer::new(&config)
        .run_options(RunOptions::quiet())
        .metric(MaxError::default())
        .fit(line, &source, None, &Device::flex())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config `early_stopping.metric`: `valid_mae` is not a metric this run produces; it produces train_loss, train_max_error, valid_loss, valid_max_error"
    );
}

#[test]
fn a_step_that_breaks_the_contract_is_an_error_not_a_panic() {
    /// A loss per sample instead of one value.
    #[derive(Module, Debug)]
    struct Unreduced {
        linear: Linear,
    }
    impl TrainStep<(Tensor<2>, Tensor<2>)> for Unreduced {
        fn step(&self, (x, y): (Tensor<2>, Tensor<2>)) -> Result<StepOutput, TrainError> {
            let loss = (self.linear.forward(x) - y).abs().flatten::<1>(0, 1);
            Ok(StepOutput::new(loss))
        }
    }
    let source = DatasetSource::new(InMemDataset::new(rows(8)), Pairs);
    let config = TrainConfig {
        batch_size: 4,
        ..Default::default()
    };
    let fit = |source: &dyn BatchSource<(Tensor<2>, Tensor<2>)>| {
        Trainer::new(&config)
            .run_options(RunOptions::quiet())
            .fit(
                |d| Unreduced {
                    linear: LinearConfig::new(1, 1).init(d),
                },
                source,
                None,
                &Device::flex(),
            )
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        fit(&source),
        "step: the loss must be one value (shape [1], e.g. the batch's `.mean()`), got shape [4]"
    );
    let empty = DatasetSource::new(InMemDataset::new(Vec::<Row>::new()), Pairs);
    assert_eq!(fit(&empty), "the training set is empty");
}

/// A metric whose value is fixed: NaN, none, or a number, under a chosen name.
#[derive(Clone)]
struct Fixed(&'static str, Option<f64>);

impl Metric for Fixed {
    fn name(&self) -> &str {
        self.0
    }
    fn update(&mut self, _: &MetricInput<'_>) -> Result<(), TrainError> {
        Ok(())
    }
    fn value(&self) -> Result<Option<f64>, TrainError> {
        Ok(self.1)
    }
}

#[test]
fn metric_mistakes_are_errors_before_or_at_the_epoch_they_happen() {
    let source = DatasetSource::new(InMemDataset::new(rows(40)), Pairs);
    let fit = |config: &TrainConfig, metrics: Vec<Fixed>| {
        let mut trainer = Trainer::new(config).run_options(RunOptions::quiet());
        for m in metrics {
            trainer = trainer.metric(m);
        }
        trainer
            .fit(line, &source, None, &Device::flex())
            .unwrap_err()
            .to_string()
    };
    let plain = TrainConfig {
        epochs: 2,
        ..Default::default()
    };
    assert_eq!(
        fit(&plain, vec![Fixed("loss", Some(0.0))]),
        "step: a metric may not be named `loss`: the loop writes that itself"
    );
    assert_eq!(
        fit(&plain, vec![Fixed("a", Some(0.0)), Fixed("a", Some(1.0))]),
        "step: two metrics are named `a`: give each its own name"
    );
    assert_eq!(
        fit(&plain, vec![Fixed("odd", Some(f64::NAN))]),
        "step: epoch 1: `train_odd` is NaN"
    );
    let watching = |metric: &str| TrainConfig {
        epochs: 2,
        early_stopping: Some(EarlyStopping {
            metric: metric.into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        fit(&watching("train_none"), vec![Fixed("none", None)]),
        "step: epoch 1: the watched metric `train_none` has no value (a metric has none where it is undefined, e.g. R² of one sample)"
    );
    let impatient = TrainConfig {
        early_stopping: Some(EarlyStopping {
            metric: "train_loss".into(),
            patience: 0,
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        fit(&impatient, vec![]),
        "invalid config `early_stopping.patience`: must be at least 1"
    );
}

#[test]
fn batches_whose_shapes_disagree_are_errors_not_panics() {
    /// Outputs for every row but the last.
    #[derive(Module, Debug)]
    struct Short {
        linear: Linear,
    }
    impl TrainStep<(Tensor<2>, Tensor<2>)> for Short {
        fn step(&self, (x, y): (Tensor<2>, Tensor<2>)) -> Result<StepOutput, TrainError> {
            let out = self.linear.forward(x);
            let loss = (out.clone() - y.clone()).abs().mean();
            let n = out.dims()[0];
            Ok(StepOutput::new(loss).with_outputs(out.narrow(0, 0, n - 1), BatchTargets::Real(y)))
        }
    }
    let source = DatasetSource::new(InMemDataset::new(rows(8)), Pairs);
    let config = TrainConfig {
        batch_size: 4,
        ..Default::default()
    };
    let err = Trainer::new(&config)
        .run_options(RunOptions::quiet())
        .metric(Regression::mae(1))
        .fit(
            |d| Short {
                linear: LinearConfig::new(1, 1).init(d),
            },
            &source,
            None,
            &Device::flex(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "step: the step gave 3 rows of outputs but 4 of targets"
    );
    // ember's own batches: targets of the wrong width for the objective.
    struct Wide;
    impl Batcher<Row, MatrixBatch> for Wide {
        fn batch(&self, items: Vec<Row>, device: &Device) -> MatrixBatch {
            let (x, y) = Pairs.batch(items, device);
            MatrixBatch {
                x,
                targets: BatchTargets::Real(Tensor::cat(vec![y.clone(), y], 1)),
                objective: Objective::MeanSquaredError { n_outputs: 1 },
            }
        }
    }
    let wide = DatasetSource::new(InMemDataset::new(rows(8)), Wide);
    let err = Trainer::new(&config)
        .run_options(RunOptions::quiet())
        .fit(line, &wide, None, &Device::flex())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "step: the batch's targets have shape [4, 2]; MeanSquaredError { n_outputs: 1 } on 4 rows needs [4, 1]"
    );
}

#[test]
fn a_schedule_that_reads_the_epoch_count_refuses_a_resume_with_another() -> Result<(), TrainError> {
    let dir = temp_dir("cosine-epochs");
    let source = DatasetSource::new(InMemDataset::new(rows(40)), Pairs);
    let run = RunOptions {
        run_dir: Some(dir.clone()),
        ..RunOptions::quiet()
    };
    let fit = |epochs, schedule: ember_train::Schedule| {
        let config = TrainConfig {
            epochs,
            schedule,
            ..Default::default()
        };
        Trainer::new(&config)
            .run_options(run.clone())
            .fit(line, &source, None, &Device::flex())
    };
    let cosine = ember_train::Schedule::Cosine {
        t_max: None,
        eta_min: 0.0,
    };
    fit(2, cosine.clone())?;
    let err = fit(4, cosine).unwrap_err().to_string();
    assert!(err.contains("different `epochs`"), "{err}");
    // With the cosine's length given, more epochs continue the run.
    let _ = std::fs::remove_dir_all(&dir);
    let fixed = ember_train::Schedule::Cosine {
        t_max: Some(10),
        eta_min: 0.0,
    };
    fit(2, fixed.clone())?;
    assert_eq!(fit(4, fixed)?.history.epochs.len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn a_run_directory_another_process_trains_into_is_refused() -> Result<(), TrainError> {
    let dir = temp_dir("busy");
    let held = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(".train.lock"))
        .expect("lock file");
    held.try_lock().expect("the test holds the lock");
    let source = DatasetSource::new(InMemDataset::new(rows(20)), Pairs);
    let config = TrainConfig {
        epochs: 2,
        ..Default::default()
    };
    let run = RunOptions {
        run_dir: Some(dir.clone()),
        ..RunOptions::quiet()
    };
    let fit = || {
        Trainer::new(&config)
            .run_options(run.clone())
            .fit(line, &source, None, &Device::flex())
    };
    let err = fit().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: another process is training into this run directory; wait for it to finish, or choose another",
            dir.display()
        )
    );
    assert!(!dir.join("checkpoints").exists(), "nothing written");
    drop(held);
    assert_eq!(fit()?.history.epochs.len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The sum of the targets seen.
#[derive(Clone, Default)]
struct TargetSum(f64);

impl Metric for TargetSum {
    fn name(&self) -> &str {
        "target_sum"
    }
    fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError> {
        if let TargetValues::Real(y) = batch.targets {
            self.0 += y.iter().map(|&v| f64::from(v)).sum::<f64>();
        }
        Ok(())
    }
    fn value(&self) -> Result<Option<f64>, TrainError> {
        Ok(Some(self.0))
    }
}

#[test]
fn a_dataset_source_with_classes_holds_out_a_stratified_split() -> Result<(), TrainError> {
    // 30 of class 0, 10 of class 1, the class as the target: the held-out quarter is exactly
    // the rows ember's stratified split picks for the seed.
    let classes: Vec<usize> = (0..40).map(|i| usize::from(i % 4 == 0)).collect();
    let items: Vec<Row> = classes
        .iter()
        .enumerate()
        .map(|(i, &c)| Row {
            x: i as f32,
            y: c as f32,
        })
        .collect();
    let source = DatasetSource::new(InMemDataset::new(items), Pairs).with_classes(classes.clone());
    let config = TrainConfig {
        epochs: 1,
        validation_fraction: 0.25,
        seed: 5,
        ..Default::default()
    };
    let trained = Trainer::new(&config)
        .run_options(RunOptions::quiet())
        .valid_metric(Count::default())
        .valid_metric(TargetSum::default())
        .fit(line, &source, None, &Device::flex())?;
    let (_, held) = ember_data::split::stratified_train_test_indices(&classes, 0.25, 5)?;
    let expected: usize = held.iter().map(|&i| classes[i]).sum();
    assert_eq!(trained.history.series("valid_count"), [held.len() as f64]);
    assert_eq!(
        trained.history.series("valid_target_sum"),
        [expected as f64]
    );
    let wrong = DatasetSource::new(InMemDataset::new(rows(40)), Pairs).with_classes(vec![0; 3]);
    let err = Trainer::new(&config)
        .run_options(RunOptions::quiet())
        .fit(line, &wrong, None, &Device::flex())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "step: 3 classes given for stratifying 40 samples"
    );
    Ok(())
}
