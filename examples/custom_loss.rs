//! A loss and a metric of your own through ember's loop: a small network predicts the 90th
//! percentile of diabetes progression (quantile regression with the pinball loss, which
//! scikit-learn's `GradientBoostingRegressor(loss="quantile")` and PyTorch users write by hand),
//! and early stopping watches the user's own `pinball` metric on a held-out fifth of the data.
//! A second user metric, `coverage`, is the fraction of targets at or below the prediction: it
//! should come out near 0.9.
//!
//! ```text
//! cargo run --release --example custom_loss
//! ```

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;

use clap::Parser;
use ember::burn::data::dataloader::batcher::Batcher;
use ember::burn::data::dataset::InMemDataset;
use ember::burn::module::Module;
use ember::burn::nn::{Linear, LinearConfig};
use ember::burn::tensor::TensorData;
use ember::burn::tensor::activation::relu;
use ember::data::preprocessing::StandardScaler;
use ember::prelude::*;
use ember::train::{
    BatchTargets, DatasetSource, EarlyStopping, Metric, MetricInput, RunOptions, StepOutput,
    TargetValues, TrainConfig, TrainError, TrainStep, Trainer,
};

/// The quantile the network predicts.
const TAU: f32 = 0.9;

/// One patient: standardised features and target.
#[derive(Debug, Clone)]
struct Patient {
    x: Vec<f32>,
    y: f32,
}

/// A batch: features `[n, 10]` and targets `[n, 1]`.
struct Patients {
    x: Tensor<2>,
    y: Tensor<2>,
}

struct Stack;

impl Batcher<Patient, Patients> for Stack {
    fn batch(&self, items: Vec<Patient>, device: &Device) -> Patients {
        let (n, d) = (items.len(), items[0].x.len());
        let x = items.iter().flat_map(|p| p.x.iter().copied()).collect();
        let y = items.iter().map(|p| p.y).collect();
        Patients {
            x: Tensor::from_data(TensorData::new(x, [n, d]), device),
            y: Tensor::from_data(TensorData::new(y, [n, 1]), device),
        }
    }
}

#[derive(Module, Debug)]
struct Quantile {
    hidden: Linear,
    out: Linear,
}

/// The pinball loss of residuals `r = y − ŷ`: τ·r above the prediction, (τ − 1)·r below.
fn pinball(r: Tensor<2>) -> Tensor<1> {
    let above = r.clone().clamp_min(0.0) * TAU;
    let below = r.clamp_max(0.0) * (TAU - 1.0);
    (above + below).mean()
}

impl TrainStep<Patients> for Quantile {
    fn step(&self, batch: Patients) -> Result<StepOutput, TrainError> {
        let out = self.out.forward(relu(self.hidden.forward(batch.x)));
        let loss = pinball(batch.y.clone() - out.clone());
        Ok(StepOutput::new(loss).with_outputs(out, BatchTargets::Real(batch.y)))
    }
}

/// The pinball loss in the original units of the target (the loop's `loss` is in
/// standardised units).
#[derive(Clone)]
struct PinballInUnits {
    scale: f64,
    sum: f64,
    n: usize,
}

/// The fraction of targets at or below the prediction.
#[derive(Clone, Default)]
struct Coverage {
    below: usize,
    n: usize,
}

/// `y − ŷ` of a batch (the step gives real targets; anything else is a mistake to report).
fn residuals(batch: &MetricInput<'_>) -> Result<Vec<f64>, TrainError> {
    let TargetValues::Real(y) = batch.targets else {
        return Err(TrainError::Step("these metrics need real targets".into()));
    };
    Ok(y.iter()
        .zip(batch.output)
        .map(|(&t, &p)| f64::from(t - p))
        .collect())
}

impl Metric for PinballInUnits {
    fn name(&self) -> &str {
        "pinball"
    }
    fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError> {
        let tau = f64::from(TAU);
        for r in residuals(batch)? {
            self.sum += self.scale * if r >= 0.0 { tau * r } else { (tau - 1.0) * r };
            self.n += 1;
        }
        Ok(())
    }
    fn value(&self) -> Result<Option<f64>, TrainError> {
        Ok((self.n > 0).then(|| self.sum / self.n as f64))
    }
}

impl Metric for Coverage {
    fn name(&self) -> &str {
        "coverage"
    }
    fn higher_is_better(&self) -> bool {
        true
    }
    fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError> {
        for r in residuals(batch)? {
            self.below += usize::from(r <= 0.0);
            self.n += 1;
        }
        Ok(())
    }
    fn value(&self) -> Result<Option<f64>, TrainError> {
        Ok((self.n > 0).then(|| self.below as f64 / self.n as f64))
    }
}

/// Quantile regression of diabetes progression with a user loss and user metrics.
#[derive(Parser)]
struct Args {
    /// Backend: auto, flex, ndarray or wgpu.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Folder for the run (checkpoints, metrics.jsonl, loss curve, weights).
    #[arg(long, default_value = "out/custom_loss")]
    out: PathBuf,
    /// Epochs (an upper bound: early stopping ends the run sooner).
    #[arg(long, default_value_t = 400)]
    epochs: usize,
    /// Seed of the initialisation, the shuffling and the validation split.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let device = args.device.device()?;
    let data = ember::data::load("diabetes")?;
    let x = StandardScaler::fit(data.x())?.transform(data.x())?;
    let y_scaler = StandardScaler::fit(data.y())?;
    let y = y_scaler.transform(data.y())?;
    let patients: Vec<Patient> = x
        .as_slice()
        .chunks(x.n_cols())
        .zip(y.as_slice())
        .map(|(x, &y)| Patient {
            x: x.iter().map(|&v| v as f32).collect(),
            y: y as f32,
        })
        .collect();
    let d = x.n_cols();
    let source = DatasetSource::new(InMemDataset::new(patients), Stack);
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: 32,
        learning_rate: 3e-3,
        validation_fraction: 0.2,
        early_stopping: Some(EarlyStopping {
            metric: "valid_pinball".into(),
            patience: 25,
            ..Default::default()
        }),
        seed: args.seed,
        ..Default::default()
    };
    let pinball_metric = PinballInUnits {
        scale: y_scaler.scale()[0],
        sum: 0.0,
        n: 0,
    };
    let trained = Trainer::new(&config)
        .run_options(RunOptions::in_dir(&args.out))
        .metric(pinball_metric)
        .metric(Coverage::default())
        .fit(
            |device| Quantile {
                hidden: LinearConfig::new(d, 32).init(device),
                out: LinearConfig::new(32, 1).init(device),
            },
            &source,
            None,
            &device,
        )?;
    let kept = trained
        .history
        .epochs
        .iter()
        .find(|e| e.epoch == trained.epoch)
        .ok_or_else(|| anyhow::anyhow!("no record of the kept epoch"))?;
    println!(
        "\nkept epoch {} of {}{}: validation pinball loss {:.2} (target units), coverage {:.3} (τ = {TAU})",
        trained.epoch,
        trained.history.epochs.len(),
        if trained.stopped_early {
            ", stopped early on valid_pinball"
        } else {
            ""
        },
        kept.metric("valid_pinball").unwrap_or(f64::NAN),
        kept.metric("valid_coverage").unwrap_or(f64::NAN),
    );
    println!("run directory: {}", args.out.display());
    Ok(())
}
