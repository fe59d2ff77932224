//! The training loop's behaviour: determinism, optimizers, schedules, early stopping, the
//! divergence guard, the metrics log and bad settings.

mod common;
mod events;

use burn::module::Module;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};
use common::{Net, classification, classification_f64, temp_dir, weights};
use ember_data::{Dataset, Matrix};
use ember_train::{
    BatchSource, EarlyStopping, GradClip, MatrixData, Objective, OptimizerConfig, RunOptions,
    Schedule, TrainConfig, TrainError, Trainable, Trained, train,
};

/// `y = x·w + b`, starting from zero.
#[derive(Module, Debug)]
struct Affine {
    linear: Linear,
}

impl Trainable for Affine {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.linear.forward(x)
    }
}

fn affine(inputs: usize, device: &Device) -> Affine {
    Affine {
        linear: LinearConfig::new(inputs, 1)
            .with_initializer(Initializer::Zeros)
            .init(device),
    }
}

/// No progress output; files in `dir` when given.
fn run_in(dir: Option<&std::path::Path>) -> RunOptions {
    RunOptions {
        run_dir: dir.map(std::path::Path::to_path_buf),
        ..RunOptions::quiet()
    }
}

/// Two rows: x = (1, 2) → 3 and x = (3, 4) → 7.
fn two_rows() -> Dataset<f32> {
    let x = Matrix::new(2, 2, vec![1.0, 2.0, 3.0, 4.0]).expect("2×2");
    let y = Matrix::new(2, 1, vec![3.0, 7.0]).expect("2×1");
    Dataset::new(x, y).expect("data set")
}

fn params(model: &Affine) -> Vec<f32> {
    let w = model
        .linear
        .weight
        .val()
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32");
    let b = model.linear.bias.as_ref().expect("bias").val();
    let b = b.into_data().try_to_vec::<f32>().expect("f32");
    w.into_iter().chain(b).collect()
}

fn one_step(optimizer: OptimizerConfig, lr: f64, weight_decay: f64) -> Vec<f32> {
    let config = TrainConfig {
        epochs: 1,
        batch_size: 2,
        shuffle: false,
        learning_rate: lr,
        optimizer,
        weight_decay,
        ..Default::default()
    };
    let trained = train(
        |d| affine(2, d),
        Objective::MeanSquaredError { n_outputs: 1 },
        &two_rows(),
        None,
        &config,
        &run_in(None),
        &Device::flex(),
    )
    .expect("one step");
    params(&trained.model)
}

#[test]
fn first_steps_equal_the_update_rules() {
    // From w = b = 0 the MSE gradient is −2/n·Σ (y − ŷ)·(x, 1) = −(3·1 + 7·3, 3·2 + 7·4, 3 + 7)
    // = (−24, −34, −10), worked by hand; PyTorch's update rules give:
    let grad = [-24.0f32, -34.0, -10.0];
    let sgd = one_step(OptimizerConfig::sgd(0.0), 0.01, 0.0);
    for (p, g) in sgd.iter().zip(grad) {
        assert!((p - (-0.01 * g)).abs() < 1e-6, "SGD: {sgd:?}");
    }
    // Momentum's first step equals plain SGD's; Nesterov's is lr·(1 + μ)·g.
    let nesterov = one_step(
        OptimizerConfig::Sgd {
            momentum: 0.9,
            dampening: 0.0,
            nesterov: true,
        },
        0.01,
        0.0,
    );
    for (p, g) in nesterov.iter().zip(grad) {
        assert!((p - (-0.019 * g)).abs() < 1e-5, "Nesterov: {nesterov:?}");
    }
    // Adam's first step is lr·ĝ/|ĝ| (bias-corrected moments), i.e. −lr·sign(g).
    let adam = one_step(OptimizerConfig::adam(), 0.1, 0.0);
    for (p, g) in adam.iter().zip(grad) {
        assert!((p - (-0.1 * g.signum())).abs() < 1e-6, "Adam: {adam:?}");
    }
    // RMSProp (α = 0.99): v = 0.01·g², step lr·g/√v = lr·10·sign(g).
    let rmsprop = one_step(
        OptimizerConfig::RmsProp {
            alpha: 0.99,
            epsilon: 1e-8,
            momentum: 0.0,
            centered: false,
        },
        0.01,
        0.0,
    );
    for (p, g) in rmsprop.iter().zip(grad) {
        assert!(
            (p - (-0.1 * g.signum())).abs() < 1e-5,
            "RMSProp: {rmsprop:?}"
        );
    }
    // AdamW from zero weights: decay has nothing to shrink, so the step equals Adam's.
    let adamw = one_step(
        OptimizerConfig::AdamW {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        },
        0.1,
        0.5,
    );
    for (w, a) in adamw.iter().zip(&adam) {
        assert!((w - a).abs() < 1e-6, "AdamW {adamw:?} vs Adam {adam:?}");
    }
}

#[test]
fn every_optimizer_fits_a_line() -> Result<(), TrainError> {
    let data = ember_data::generators::seed_line(200, 42).cast::<f32>();
    // The least-squares line of this data, in f64: slope = cov(x, y) / var(x).
    let (x, y) = (data.x().as_slice(), data.y().as_slice());
    let n = x.len() as f64;
    let mean = |v: &[f32]| v.iter().map(|&a| f64::from(a)).sum::<f64>() / n;
    let (mx, my) = (mean(x), mean(y));
    let cov: f64 = x
        .iter()
        .zip(y)
        .map(|(&a, &b)| (f64::from(a) - mx) * (f64::from(b) - my))
        .sum();
    let var: f64 = x.iter().map(|&a| (f64::from(a) - mx).powi(2)).sum();
    let (slope, intercept) = (cov / var, my - cov / var * mx);
    let best_mse = x
        .iter()
        .zip(y)
        .map(|(&a, &b)| (f64::from(b) - intercept - slope * f64::from(a)).powi(2))
        .sum::<f64>()
        / n;
    let adaptive = 0.05;
    for (optimizer, learning_rate) in [
        (OptimizerConfig::sgd(0.9), 0.01),
        (
            OptimizerConfig::Sgd {
                momentum: 0.9,
                dampening: 0.0,
                nesterov: true,
            },
            0.01,
        ),
        (OptimizerConfig::adam(), adaptive),
        (
            OptimizerConfig::AdamW {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-8,
            },
            adaptive,
        ),
        (
            OptimizerConfig::RmsProp {
                alpha: 0.99,
                epsilon: 1e-8,
                momentum: 0.0,
                centered: true,
            },
            adaptive,
        ),
    ] {
        let config = TrainConfig {
            epochs: 200,
            batch_size: 20,
            learning_rate,
            optimizer: optimizer.clone(),
            grad_clip: Some(GradClip::Norm(10.0)),
            // Decay so that the mini-batch noise dies down and the loss settles.
            schedule: Schedule::Step {
                step_size: 100,
                gamma: 0.05,
            },
            ..Default::default()
        };
        let trained = train(
            |d| affine(1, d),
            Objective::MeanSquaredError { n_outputs: 1 },
            &data,
            None,
            &config,
            &run_in(None),
            &Device::flex(),
        )?;
        let p = params(&trained.model);
        let last = trained.history.last().expect("epochs").train["loss"];
        let message = format!(
            "{optimizer:?}: {p:?}, loss {last} vs least squares ({slope}, {intercept}), {best_mse}"
        );
        assert!((f64::from(p[0]) - slope).abs() < 0.05, "{message}");
        assert!((f64::from(p[1]) - intercept).abs() < 0.05, "{message}");
        assert!(last < best_mse * 1.01, "{message}");
    }
    Ok(())
}

#[test]
fn same_seed_same_bits_other_seed_other_bits() -> Result<(), TrainError> {
    let data = classification(600);
    let fit = |seed| {
        train(
            |d| Net::new(20, 3, d),
            Objective::CrossEntropy { n_classes: 3 },
            &data,
            None,
            &TrainConfig {
                epochs: 3,
                seed,
                ..Default::default()
            },
            &run_in(None),
            &Device::flex(),
        )
    };
    let (a, b, c) = (fit(1)?, fit(1)?, fit(2)?);
    assert!(weights(&a.model) == weights(&b.model));
    assert_eq!(a.history.epochs[2].train, b.history.epochs[2].train);
    assert!(weights(&a.model) != weights(&c.model));
    Ok(())
}

/// `f64` data goes into the loop as it is, rounded to `f32` a batch at a time: the run is the
/// run of its `f32` cast, bit for bit (validation split included), and a resumed run finds
/// the same data fingerprint either way.
#[test]
fn f64_data_trains_bit_for_bit_as_its_f32_cast() -> Result<(), TrainError> {
    let data = classification_f64(300);
    let cast = data.cast::<f32>();
    assert!(
        data.x()
            .as_slice()
            .iter()
            .any(|&v| f64::from(v as f32) != v)
    );
    let config = TrainConfig {
        epochs: 2,
        validation_fraction: 0.2,
        ..Default::default()
    };
    let ce = Objective::CrossEntropy { n_classes: 3 };
    fn fit<T: ember_data::Scalar>(
        data: &Dataset<T>,
        objective: Objective,
        config: &TrainConfig,
    ) -> Result<Trained<Net>, TrainError> {
        let net = |d: &Device| Net::new(20, 3, d);
        train(
            net,
            objective,
            data,
            None,
            config,
            &run_in(None),
            &Device::flex(),
        )
    }
    let (fit64, fit32) = (fit(&data, ce, &config)?, fit(&cast, ce, &config)?);
    assert!(weights(&fit64.model) == weights(&fit32.model));
    assert_eq!(fit64.history.epochs[1].valid, fit32.history.epochs[1].valid);
    assert_eq!(
        MatrixData::new(ce, &data)?.fingerprint(),
        MatrixData::new(ce, &cast)?.fingerprint()
    );
    Ok(())
}

/// A finite `f64` feature that `f32` cannot hold is refused as the cast would have it, at its
/// row and column, before any training.
#[test]
fn an_f64_feature_beyond_f32_is_refused_at_its_row_and_column() {
    let mut x = Matrix::new(3, 2, vec![0.0f64, 1.0, 2.0, 3.0, 4.0, 1e300]).unwrap();
    assert!(x.as_slice()[5].is_finite());
    x.as_mut_slice()[2] = -1e39;
    let data = Dataset::new(x, Matrix::new(3, 1, vec![0.0, 1.0, 0.0]).unwrap()).unwrap();
    let message = |data: &Dataset| {
        MatrixData::new(Objective::BinaryCrossEntropy, data)
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(
        message(&data).as_deref(),
        Some(
            "invalid parameter `X`: -1e39 at row 1, column 0 is beyond f32's range (±3.4e38), the precision networks train in: rescale the feature"
        )
    );
    let mut nan = data.x().clone();
    nan.as_mut_slice()[2] = f64::NAN;
    assert_eq!(
        message(&data.clone().with_x(nan).unwrap()).as_deref(),
        Some("X has a non-finite value (NaN) at row 1, column 0")
    );
}

#[test]
fn schedules_set_each_epochs_learning_rate() -> Result<(), TrainError> {
    let data = two_rows();
    let rates = |schedule, warmup_epochs| -> Result<Vec<f64>, TrainError> {
        let config = TrainConfig {
            epochs: 8,
            batch_size: 2,
            learning_rate: 0.01,
            optimizer: OptimizerConfig::sgd(0.0),
            schedule,
            warmup_epochs,
            ..Default::default()
        };
        let trained = train(
            |d| affine(2, d),
            Objective::MeanSquaredError { n_outputs: 1 },
            &data,
            None,
            &config,
            &run_in(None),
            &Device::flex(),
        )?;
        Ok(trained
            .history
            .epochs
            .iter()
            .map(|e| e.learning_rate)
            .collect())
    };
    let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-15);
    let step = rates(
        Schedule::Step {
            step_size: 3,
            gamma: 0.5,
        },
        0,
    )?;
    assert!(
        close(
            &step,
            &[0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025, 0.0025]
        ),
        "{step:?}"
    );
    // Two warm-up epochs (1/3, 2/3 of the rate), then a cosine over the 6 epochs left:
    // torch.optim.lr_scheduler.CosineAnnealingLR(T_max=5) gives 0.01·(1 + cos(πt/5))/2.
    let cosine = rates(
        Schedule::Cosine {
            t_max: None,
            eta_min: 0.0,
        },
        2,
    )?;
    let mut expected = vec![0.01 / 3.0, 0.02 / 3.0];
    expected
        .extend((0..6).map(|t| 0.01 * (1.0 + (std::f64::consts::PI * t as f64 / 5.0).cos()) / 2.0));
    assert!(close(&cosine, &expected), "{cosine:?} vs {expected:?}");
    Ok(())
}

#[test]
fn reduce_on_plateau_cuts_the_rate_when_the_loss_stalls() -> Result<(), TrainError> {
    // Far too small a rate: the loss barely moves, so every epoch is a plateau.
    let config = TrainConfig {
        epochs: 8,
        batch_size: 2,
        learning_rate: 1e-9,
        optimizer: OptimizerConfig::sgd(0.0),
        schedule: Schedule::ReduceOnPlateau {
            factor: 0.5,
            patience: 2,
            threshold: 1e-4,
            min_lr: 0.0,
        },
        ..Default::default()
    };
    let trained = train(
        |d| affine(2, d),
        Objective::MeanSquaredError { n_outputs: 1 },
        &two_rows(),
        None,
        &config,
        &run_in(None),
        &Device::flex(),
    )?;
    let rates: Vec<f64> = trained
        .history
        .epochs
        .iter()
        .map(|e| e.learning_rate)
        .collect();
    // Epoch 1 sets the best; epochs 2–4 are bad; after the third bad one (> patience) the rate
    // halves from epoch 5; three more bad epochs halve it again from epoch 8.
    assert_eq!(
        rates,
        [1e-9, 1e-9, 1e-9, 1e-9, 5e-10, 5e-10, 5e-10, 2.5e-10]
    );
    Ok(())
}

#[test]
fn early_stopping_restores_the_best_epoch() -> Result<(), TrainError> {
    let data = classification(400);
    let config = TrainConfig {
        epochs: 300,
        batch_size: 16,
        learning_rate: 0.01,
        validation_fraction: 0.25,
        early_stopping: Some(EarlyStopping {
            metric: "valid_loss".into(),
            patience: 5,
            min_delta: 0.0,
            min_relative_delta: 0.0,
            restore_best: true,
        }),
        ..Default::default()
    };
    let trained = train(
        |d| Net::new(20, 3, d),
        Objective::CrossEntropy { n_classes: 3 },
        &data,
        None,
        &config,
        &run_in(None),
        &Device::flex(),
    )?;
    assert!(trained.stopped_early, "a 32-unit net overfits 300 rows");
    let losses = trained.history.series("valid_loss");
    let best = losses
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i + 1)
        .expect("epochs");
    assert_eq!(trained.epoch, best);
    assert_eq!(losses.len(), best + 5);
    Ok(())
}

#[test]
fn divergence_names_epoch_and_batch_and_keeps_the_last_checkpoint() {
    let dir = temp_dir("diverge");
    let x = Matrix::new(4, 1, vec![1.0, 2.0, 3.0, 4.0]).expect("4×1");
    let y = Matrix::new(4, 1, vec![1e3, 2e3, 3e3, 4e3]).expect("4×1");
    let data = Dataset::new(x, y).expect("data set");
    let config = TrainConfig {
        epochs: 50,
        batch_size: 2,
        shuffle: false,
        learning_rate: 1.0,
        optimizer: OptimizerConfig::sgd(0.0),
        ..Default::default()
    };
    let err = train(
        |d| affine(1, d),
        Objective::MeanSquaredError { n_outputs: 1 },
        &data,
        None,
        &config,
        &run_in(Some(&dir)),
        &Device::flex(),
    )
    .unwrap_err();
    let TrainError::Diverged {
        epoch, batch, kept, ..
    } = &err
    else {
        panic!("expected divergence, got {err}");
    };
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "training diverged at epoch {epoch}, batch {batch}:"
        )),
        "{message}"
    );
    assert!(
        message.contains("try a lower learning rate (now 1)"),
        "{message}"
    );
    let kept = kept.as_ref().expect("an earlier epoch was checkpointed");
    assert!(kept.join("model.bpk").exists());
    assert!(message.contains(&kept.display().to_string()));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn metrics_log_has_a_line_per_epoch_and_split() -> Result<(), TrainError> {
    let dir = temp_dir("log");
    let config = TrainConfig {
        epochs: 3,
        validation_fraction: 0.2,
        ..Default::default()
    };
    train(
        |d| Net::new(20, 3, d),
        Objective::CrossEntropy { n_classes: 3 },
        &classification(200),
        None,
        &config,
        &run_in(Some(&dir)),
        &Device::flex(),
    )?;
    let log = std::fs::read_to_string(dir.join("metrics.jsonl")).expect("log");
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[1]["split"], "valid");
    assert_eq!(lines[4]["epoch"], 3);
    for key in [
        "loss",
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "learning_rate",
        "elapsed_s",
    ] {
        assert!(lines[1][key].is_number(), "{key} missing from {}", lines[1]);
    }
    let config_json = std::fs::read_to_string(dir.join("config.json")).expect("config");
    let saved: TrainConfig = serde_json::from_str(&config_json).expect("config parses back");
    assert_eq!(saved, config);
    for plot in ["loss.png", "loss.svg", "model.bpk"] {
        assert!(dir.join(plot).exists(), "{plot}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn bad_settings_and_data_are_errors_that_name_the_field() {
    let data = classification(50);
    let fit = |config: TrainConfig, objective| {
        train(
            |d| Net::new(20, 3, d),
            objective,
            &data,
            None,
            &config,
            &run_in(None),
            &Device::flex(),
        )
        .unwrap_err()
        .to_string()
    };
    let ce = Objective::CrossEntropy { n_classes: 3 };
    let needs_valid = TrainConfig {
        early_stopping: Some(EarlyStopping::default()),
        ..Default::default()
    };
    assert_eq!(
        fit(needs_valid, ce),
        "invalid config `early_stopping.metric`: `valid_loss` needs a validation set: give one or set validation_fraction"
    );
    let unknown = TrainConfig {
        early_stopping: Some(EarlyStopping {
            metric: "valid_precision".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    assert!(
        fit(unknown, ce)
            .starts_with("invalid config `early_stopping.metric`: `valid_precision` is not")
    );
    // Known metric names the run does not write: refused before epoch 1, with the list.
    let not_produced = |metric: &str| TrainConfig {
        early_stopping: Some(EarlyStopping {
            metric: metric.into(),
            ..Default::default()
        }),
        validation_fraction: 0.2,
        ..Default::default()
    };
    assert_eq!(
        fit(not_produced("valid_log_loss"), ce),
        "invalid config `early_stopping.metric`: `valid_log_loss` is not a metric this run produces; it produces train_loss, train_accuracy, valid_loss, valid_accuracy, valid_balanced_accuracy, valid_f1_macro"
    );
    assert!(
        fit(not_produced("train_r2"), ce).contains("`train_r2` is not a metric this run produces")
    );
    let nesterov = TrainConfig {
        optimizer: OptimizerConfig::Sgd {
            momentum: 0.0,
            dampening: 0.0,
            nesterov: true,
        },
        ..Default::default()
    };
    assert_eq!(
        fit(nesterov, ce),
        "invalid config `optimizer.nesterov`: Nesterov momentum needs momentum > 0 and dampening = 0"
    );
    assert_eq!(
        fit(
            TrainConfig::default(),
            Objective::CrossEntropy { n_classes: 2 }
        ),
        "invalid parameter `y`: target 2 at row 1 is not a class index in 0..2"
    );
    assert_eq!(
        fit(
            TrainConfig::default(),
            Objective::CrossEntropy { n_classes: 4 }
        ),
        "model outputs vs the objective's outputs: 3 vs 4"
    );
    let unknown_field = serde_json::from_str::<TrainConfig>(r#"{"epoch": 3}"#).unwrap_err();
    assert!(
        unknown_field
            .to_string()
            .starts_with("unknown field `epoch`"),
        "{unknown_field}"
    );
}
