//! Metrics: named accumulators fed, batch by batch, by what the steps hand back. The built-in
//! ones are scikit-learn's definitions (from `ember-metrics`); a user's own implements
//! [`Metric`].

use ember_metrics::{Average, ClassificationAccumulator, RegressionAccumulator};

use ember_core::probabilities;

use crate::TrainError;

/// One batch as the metrics see it, read back to the host.
#[derive(Debug, Clone, Copy)]
pub struct MetricInput<'a> {
    /// The batch's mean loss.
    pub loss: f64,
    /// Rows of outputs (the batch's samples, or a sequence model's tokens).
    pub n: usize,
    /// The raw outputs, row-major, `n × width` (empty when the step gave none).
    pub output: &'a [f32],
    /// Outputs per sample.
    pub width: usize,
    /// The targets.
    pub targets: TargetValues<'a>,
}

/// A batch's targets on the host.
#[derive(Debug, Clone, Copy)]
pub enum TargetValues<'a> {
    /// Real values, row-major, `n × width`.
    Real(&'a [f32]),
    /// One class index per sample.
    Classes(&'a [i64]),
    /// The step gave none.
    None,
}

/// A metric the loop computes per split and epoch, written to `metrics.jsonl` as
/// `split_name` and available to early stopping and reduce-on-plateau. Each split and epoch
/// starts from a clone of the metric as it was given to the [`Trainer`](crate::Trainer).
///
/// ```
/// use ember_train::{Metric, MetricInput, TargetValues, TrainError};
///
/// /// The pinball (quantile) loss at τ = 0.9.
/// #[derive(Clone, Default)]
/// struct Pinball { sum: f64, n: usize }
///
/// impl Metric for Pinball {
///     fn name(&self) -> &str { "pinball" }
///     fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError> {
///         let TargetValues::Real(y) = batch.targets else {
///             return Err(TrainError::Step("pinball needs real targets".into()));
///         };
///         for (&p, &t) in batch.output.iter().zip(y) {
///             let r = f64::from(t - p);
///             self.sum += if r >= 0.0 { 0.9 * r } else { (0.9 - 1.0) * r };
///         }
///         self.n += y.len();
///         Ok(())
///     }
///     fn value(&self) -> Result<Option<f64>, TrainError> {
///         Ok((self.n > 0).then(|| self.sum / self.n as f64))
///     }
/// }
/// let mut m = Pinball::default();
/// m.update(&MetricInput { loss: 0.0, n: 2, output: &[0.0, 0.0], width: 1, targets: TargetValues::Real(&[1.0, -1.0]) })?;
/// assert!((m.value()?.unwrap() - 0.5).abs() < 1e-12);
/// # Ok::<(), TrainError>(())
/// ```
pub trait Metric: Send {
    /// The name without the split (`accuracy`).
    fn name(&self) -> &str;
    /// Whether larger is better (scores); losses and errors are minimised.
    fn higher_is_better(&self) -> bool {
        false
    }
    /// Adds a batch.
    fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError>;
    /// The value over the batches so far; `None` where it is undefined (R² of one sample).
    fn value(&self) -> Result<Option<f64>, TrainError>;
}

/// A metric the loop can start afresh for each split and epoch.
pub(crate) trait MetricFactory: Send + Sync {
    fn fresh(&self) -> Box<dyn Metric>;
    fn name(&self) -> String;
    fn higher_is_better(&self) -> bool;
}

impl<M: Metric + Clone + Sync + 'static> MetricFactory for M {
    fn fresh(&self) -> Box<dyn Metric> {
        Box::new(self.clone())
    }
    fn name(&self) -> String {
        Metric::name(self).to_string()
    }
    fn higher_is_better(&self) -> bool {
        Metric::higher_is_better(self)
    }
}

fn classes<'a>(batch: &MetricInput<'a>, name: &str) -> Result<(Vec<usize>, &'a [f32]), TrainError> {
    let TargetValues::Classes(c) = batch.targets else {
        return Err(TrainError::Step(format!(
            "`{name}` needs class targets from the step"
        )));
    };
    Ok((c.iter().map(|&c| c as usize).collect(), batch.output))
}

fn reals(batch: &MetricInput<'_>, name: &str) -> Result<(Vec<f64>, Vec<f64>), TrainError> {
    let TargetValues::Real(y) = batch.targets else {
        return Err(TrainError::Step(format!(
            "`{name}` needs real targets from the step"
        )));
    };
    let truth = y.iter().map(|&v| f64::from(v)).collect();
    let pred = batch.output.iter().map(|&v| f64::from(v)).collect();
    Ok((truth, pred))
}

/// The classification metrics: accuracy, balanced accuracy, macro F1 and log loss, each of
/// the class probabilities of the outputs (softmax of the logits, the sigmoid of one).
#[derive(Debug, Clone)]
pub struct Classification {
    kind: ClassMetric,
    acc: ClassificationAccumulator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClassMetric {
    Accuracy,
    BalancedAccuracy,
    F1Macro,
    LogLoss,
}

impl Classification {
    fn of(kind: ClassMetric, n_classes: usize) -> Self {
        Self {
            kind,
            acc: ClassificationAccumulator::new(n_classes),
        }
    }
    /// The fraction of samples whose most probable class is theirs.
    pub fn accuracy(n_classes: usize) -> Self {
        Self::of(ClassMetric::Accuracy, n_classes)
    }
    /// The mean recall over classes (scikit-learn's `balanced_accuracy_score`).
    pub fn balanced_accuracy(n_classes: usize) -> Self {
        Self::of(ClassMetric::BalancedAccuracy, n_classes)
    }
    /// The unweighted mean of the classes' F1 scores (`f1_score(average="macro")`).
    pub fn f1_macro(n_classes: usize) -> Self {
        Self::of(ClassMetric::F1Macro, n_classes)
    }
    /// The mean negative log-likelihood of the true classes (`log_loss`).
    pub fn log_loss(n_classes: usize) -> Self {
        Self::of(ClassMetric::LogLoss, n_classes)
    }
}

impl Metric for Classification {
    fn name(&self) -> &str {
        match self.kind {
            ClassMetric::Accuracy => "accuracy",
            ClassMetric::BalancedAccuracy => "balanced_accuracy",
            ClassMetric::F1Macro => "f1_macro",
            ClassMetric::LogLoss => "log_loss",
        }
    }

    fn higher_is_better(&self) -> bool {
        self.kind != ClassMetric::LogLoss
    }

    fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError> {
        let (truth, output) = classes(batch, Metric::name(self))?;
        let k = self.acc.confusion().n_classes();
        let proba = probabilities(output, k, batch.n);
        Ok(self.acc.update_proba(&truth, &proba)?)
    }

    fn value(&self) -> Result<Option<f64>, TrainError> {
        let cm = self.acc.confusion();
        if cm.total() == 0 {
            return Ok(None);
        }
        Ok(Some(match self.kind {
            ClassMetric::Accuracy => cm.accuracy(),
            ClassMetric::BalancedAccuracy => cm.balanced_accuracy(),
            ClassMetric::F1Macro => cm.f1(Average::Macro)?,
            ClassMetric::LogLoss => self.acc.log_loss()?,
        }))
    }
}

/// The regression metrics: MSE, RMSE, MAE and R², averaged uniformly over outputs.
#[derive(Debug, Clone)]
pub struct Regression {
    kind: RegMetric,
    acc: RegressionAccumulator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegMetric {
    Mse,
    Rmse,
    Mae,
    R2,
}

impl Regression {
    fn of(kind: RegMetric, n_outputs: usize) -> Self {
        Self {
            kind,
            acc: RegressionAccumulator::new(n_outputs),
        }
    }
    /// Mean squared error.
    pub fn mse(n_outputs: usize) -> Self {
        Self::of(RegMetric::Mse, n_outputs)
    }
    /// Root mean squared error.
    pub fn rmse(n_outputs: usize) -> Self {
        Self::of(RegMetric::Rmse, n_outputs)
    }
    /// Mean absolute error.
    pub fn mae(n_outputs: usize) -> Self {
        Self::of(RegMetric::Mae, n_outputs)
    }
    /// The coefficient of determination (undefined below two samples).
    pub fn r2(n_outputs: usize) -> Self {
        Self::of(RegMetric::R2, n_outputs)
    }
}

impl Metric for Regression {
    fn name(&self) -> &str {
        match self.kind {
            RegMetric::Mse => "mse",
            RegMetric::Rmse => "rmse",
            RegMetric::Mae => "mae",
            RegMetric::R2 => "r2",
        }
    }

    fn higher_is_better(&self) -> bool {
        self.kind == RegMetric::R2
    }

    fn update(&mut self, batch: &MetricInput<'_>) -> Result<(), TrainError> {
        let (truth, pred) = reals(batch, Metric::name(self))?;
        Ok(self.acc.update(&truth, &pred)?)
    }

    fn value(&self) -> Result<Option<f64>, TrainError> {
        let enough = match self.kind {
            RegMetric::R2 => self.acc.len() >= 2,
            _ => !self.acc.is_empty(),
        };
        if !enough {
            return Ok(None);
        }
        Ok(Some(match self.kind {
            RegMetric::Mse => self.acc.mse()?,
            RegMetric::Rmse => self.acc.rmse()?,
            RegMetric::Mae => self.acc.mae()?,
            RegMetric::R2 => self.acc.r2()?,
        }))
    }
}
