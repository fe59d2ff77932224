//! What the loop asks of a model: one step from a batch of the user's own type to a loss and
//! the outputs that metrics read (burn-train's `TrainStep`, Lightning's `training_step`).

use burn::module::Module;
use burn::tensor::Tensor;

use crate::{BatchTargets, TrainError};

/// A burn module the loop can train on batches of type `B`: `step` turns a batch into the
/// loss to minimise (shape `[1]`, the mean over the batch) and, for metrics, the raw outputs
/// and the targets they are scored against.
///
/// ```
/// use burn::module::Module;
/// use burn::nn::{Linear, LinearConfig};
/// use burn::tensor::{Device, Tensor};
/// use ember_train::{BatchTargets, StepOutput, TrainError, TrainStep};
///
/// /// A batch of the user's own shape: features and a target per row.
/// struct Pairs { x: Tensor<2>, y: Tensor<2> }
///
/// #[derive(Module, Debug)]
/// struct Huber { linear: Linear }
///
/// impl TrainStep<Pairs> for Huber {
///     fn step(&self, batch: Pairs) -> Result<StepOutput, TrainError> {
///         let out = self.linear.forward(batch.x);
///         let r = (out.clone() - batch.y.clone()).abs();
///         // 0.5·r² inside |r| ≤ 1, |r| − 0.5 outside.
///         let loss = r.clone().clamp_max(1.0).square() * 0.5 + (r - 1.0).clamp_min(0.0);
///         Ok(StepOutput::new(loss.mean()).with_outputs(out, BatchTargets::Real(batch.y)))
///     }
/// }
/// let device = Device::flex();
/// let model = Huber { linear: LinearConfig::new(1, 1).init(&device) };
/// let batch = Pairs { x: Tensor::zeros([4, 1], &device), y: Tensor::ones([4, 1], &device) };
/// let bias = model.linear.bias.as_ref().unwrap().val().into_scalar::<f32>();
/// let loss = model.step(batch)?.loss.into_scalar::<f32>();
/// let r = (1.0 - bias).abs();
/// assert!((loss - if r <= 1.0 { 0.5 * r * r } else { r - 0.5 }).abs() < 1e-6);
/// # Ok::<(), TrainError>(())
/// ```
pub trait TrainStep<B>: Module + Clone {
    /// The loss of a training batch, with outputs for the training metrics.
    fn step(&self, batch: B) -> Result<StepOutput, TrainError>;

    /// The loss of a validation batch (by the model without autodiff, dropout off); the
    /// training step unless a model scores validation differently (without a penalty, say).
    fn valid_step(&self, batch: B) -> Result<StepOutput, TrainError> {
        self.step(batch)
    }
}

/// What a step hands back.
#[derive(Debug, Clone)]
pub struct StepOutput {
    /// The loss to minimise (shape `[1]`): the mean over the batch, so that the epoch's loss
    /// is the mean weighted by batch size.
    pub loss: Tensor<1>,
    /// The raw outputs (`rows × width`: logits, one logit, or predictions) the metrics read.
    pub output: Option<Tensor<2>>,
    /// The targets the outputs are scored against.
    pub targets: Option<BatchTargets>,
}

impl StepOutput {
    /// A step with a loss only (metrics beyond the loss need [`with_outputs`](Self::with_outputs)).
    pub fn new(loss: Tensor<1>) -> Self {
        Self {
            loss,
            output: None,
            targets: None,
        }
    }

    /// The outputs and targets metrics read (kept on the device until the loop reads them).
    pub fn with_outputs(mut self, output: Tensor<2>, targets: BatchTargets) -> Self {
        self.output = Some(output);
        self.targets = Some(targets);
        self
    }
}

/// A module of ember's own shape, features (`n × n_features`) to outputs (`n × n_outputs`),
/// trained on the loss of an [`Objective`](crate::Objective) through [`MatrixBatch`]es: what
/// ember's estimators implement, and the shortest way to train a feed-forward module.
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
    /// A term added to each training batch's loss (shape `[1]`), or `None`.
    fn penalty(&self) -> Option<Tensor<1>> {
        None
    }
}

/// The shape the objective needs of a batch's targets: `rows × n_outputs` real values for the
/// squared error, one class per row (or one column of them) for the cross-entropies. (Whether
/// class indices are in range is checked where targets are read, by [`MatrixData`](crate::MatrixData).)
fn check_targets(batch: &MatrixBatch) -> Result<(), TrainError> {
    let objective = batch.objective;
    let rows = batch.x.dims()[0];
    let width = match objective {
        crate::Objective::MeanSquaredError { n_outputs } => n_outputs,
        _ => 1,
    };
    let (got, want) = match &batch.targets {
        BatchTargets::Real(y) => (y.dims().to_vec(), vec![rows, width]),
        BatchTargets::Classes(c) if width == 1 => (c.dims().to_vec(), vec![rows]),
        BatchTargets::Classes(c) => (c.dims().to_vec(), vec![rows, width]),
    };
    if got != want {
        return Err(TrainError::Step(format!(
            "the batch's targets have shape {got:?}; {objective:?} on {rows} rows needs {want:?}"
        )));
    }
    Ok(())
}

/// Features and targets of some rows, with the objective that scores them (see
/// [`MatrixData`](crate::MatrixData)).
#[derive(Debug, Clone)]
pub struct MatrixBatch {
    /// `rows × n_features`.
    pub x: Tensor<2>,
    /// The rows' targets.
    pub targets: BatchTargets,
    /// The loss.
    pub objective: crate::Objective,
}

impl<M: Trainable> TrainStep<MatrixBatch> for M {
    fn step(&self, batch: MatrixBatch) -> Result<StepOutput, TrainError> {
        let mut out = objective_step(self, batch)?;
        if let Some(penalty) = self.penalty() {
            out.loss = out.loss + penalty;
        }
        Ok(out)
    }

    fn valid_step(&self, batch: MatrixBatch) -> Result<StepOutput, TrainError> {
        objective_step(self, batch)
    }
}

fn objective_step<M: Trainable>(model: &M, batch: MatrixBatch) -> Result<StepOutput, TrainError> {
    check_targets(&batch)?;
    let output = model.forward(batch.x);
    let [_, width] = output.dims();
    if width != batch.objective.n_outputs() {
        return Err(ember_data::DataError::Mismatch {
            what: "model outputs vs the objective's outputs",
            left: width,
            right: batch.objective.n_outputs(),
        }
        .into());
    }
    let loss = batch.objective.loss(output.clone(), &batch.targets);
    Ok(StepOutput::new(loss).with_outputs(output.detach(), batch.targets))
}
