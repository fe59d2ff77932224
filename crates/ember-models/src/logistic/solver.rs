//! Fitting logistic regression: L-BFGS on the full batch (scikit-learn's default solver), or
//! mini-batch gradient descent through the training loop.

use std::cell::Cell;

use burn::module::Module;
use burn::optim::{GradientsParams, LBFGSConfig, LineSearchFn};
use burn::tensor::{DType, Device, Tensor, TensorData};
use ember_data::preprocessing::StandardScaler;
use ember_data::{Dataset, Matrix, Scalar};
use ember_train::{History, Objective, Trainable, train};

use super::module::LogisticModule;
use super::{LogisticRegressionConfig, LogisticSolver, Penalty};
use crate::FitError;

/// The fitted parameters in the original units, and how the fit went.
pub(super) struct Solution {
    pub coef: Matrix,
    pub intercept: Vec<f64>,
    pub n_iter: usize,
    pub loss_history: Vec<f64>,
    pub converged: bool,
    /// Gradient descent's epochs and the epoch kept.
    pub epochs: Option<(History, usize)>,
}

pub(super) fn fit<T: Scalar>(
    config: &LogisticRegressionConfig,
    data: &Dataset<T>,
    n_classes: usize,
    device: &Device,
) -> Result<Solution, FitError> {
    let x = data.x().cast::<f64>();
    let (n, d) = x.shape();
    let scaler = StandardScaler::fit(&x)?;
    let offset: Vec<f64> = if config.fit_intercept {
        scaler.mean().to_vec()
    } else {
        vec![0.0; d]
    };
    let scale = scaler.scale().to_vec();
    let standardised: Vec<f64> = x
        .as_slice()
        .iter()
        .enumerate()
        .map(|(i, v)| (v - offset[i % d]) / scale[i % d])
        .collect();
    // scikit-learn minimises mean log loss + ‖w‖² / (2·C·n); in standardised units
    // w_j = w̃_j / σ_j, so the penalty on w̃_j is 1 / (2·C·n·σ_j²).
    let penalty: Vec<f64> = scale
        .iter()
        .map(|s| match config.penalty {
            Penalty::L2 => 1.0 / (2.0 * config.c * n as f64 * s * s),
            Penalty::None => 0.0,
        })
        .collect();
    let (objective, outputs) = if n_classes == 2 {
        (Objective::BinaryCrossEntropy, 1)
    } else {
        (Objective::CrossEntropy { n_classes }, n_classes)
    };
    let train_set = Dataset::new(Matrix::new(n, d, standardised)?, data.y().cast::<f64>())?;

    let mut epochs = None;
    let (module, n_iter, loss_history, converged) = match config.solver {
        LogisticSolver::Lbfgs => {
            // In f64 where the device computes it (a software Vulkan driver may claim f64 and
            // return NaN): a non-finite loss there is retried in f32.
            let run = |dtype| {
                lbfgs(
                    config,
                    &train_set,
                    objective,
                    penalty.clone(),
                    outputs,
                    dtype,
                    device,
                )
            };
            if device.supports_dtype(DType::F64) {
                match run(DType::F64) {
                    Err(FitError::Diverged { .. }) => run(DType::F32)?,
                    other => other?,
                }
            } else {
                run(DType::F32)?
            }
        }
        LogisticSolver::GradientDescent => {
            let train_set = train_set.cast::<f32>();
            let trained = train(
                |dev| {
                    LogisticModule::new(
                        penalty.clone(),
                        outputs,
                        config.fit_intercept,
                        DType::F32,
                        dev,
                    )
                },
                objective,
                &train_set,
                None,
                &config.train,
                &config.run,
                device,
            )?;
            let history = trained.history.series("train_loss");
            epochs = Some((trained.history, trained.epoch));
            (trained.model, history.len(), history, true)
        }
    };

    let w = read(module.linear.weight.val())?;
    let b = match &module.linear.bias {
        Some(b) => read(b.val())?,
        None => vec![0.0; outputs],
    };
    let coef = Matrix::from_fn(outputs, d, |t, j| w[j * outputs + t] / scale[j]);
    let intercept = (0..outputs)
        .map(|t| b[t] - (0..d).map(|j| coef.get(t, j) * offset[j]).sum::<f64>())
        .collect();
    Ok(Solution {
        coef,
        intercept,
        n_iter,
        loss_history,
        converged,
        epochs,
    })
}

type Fitted = (LogisticModule, usize, Vec<f64>, bool);

fn lbfgs(
    config: &LogisticRegressionConfig,
    data: &Dataset<f64>,
    objective: Objective,
    penalty: Vec<f64>,
    outputs: usize,
    dtype: DType,
    device: &Device,
) -> Result<Fitted, FitError> {
    let ad = device.clone().autodiff();
    let (n, d) = data.x().shape();
    let x: Tensor<2> = Tensor::from_data(
        TensorData::new(data.x().as_slice().to_vec(), [n, d]),
        (&ad, dtype),
    );
    let rows: Vec<usize> = (0..n).collect();
    let targets = objective.batch_targets(&objective.targets(&data.cast::<f32>())?, &rows, &ad);
    let mut model = LogisticModule::new(penalty, outputs, config.fit_intercept, dtype, &ad);
    // One iteration per step, so that each iteration's loss is seen and counted; up to 25
    // evaluations for its line search (scipy's L-BFGS-B allows 20).
    let mut optimizer = LBFGSConfig::new()
        .with_max_iter(1)
        .with_max_eval(Some(25))
        .with_history_size(100)
        .with_tolerance_grad(config.tol)
        .with_tolerance_change(0.0)
        .with_line_search_fn(LineSearchFn::StrongWolfe)
        .init();
    // The largest gradient component at the point each step starts from (its first evaluation).
    let grad_max = Cell::new(f64::INFINITY);
    let evaluations = Cell::new(0usize);
    let mut history = Vec::new();
    let mut converged = false;
    let mut unchanged = 0;
    for _ in 0..config.max_iter {
        evaluations.set(0);
        let (next, loss) = optimizer.step(1.0, model, |m: LogisticModule| {
            let mut loss = objective.loss(m.forward(x.clone()), &targets);
            if let Some(p) = m.penalty() {
                loss = loss + p;
            }
            let value = loss.clone().detach().into_scalar::<f64>();
            let grads = GradientsParams::from_grads(loss.backward(), &m);
            if evaluations.get() == 0 {
                grad_max.set(largest_gradient(&m, &grads));
            }
            evaluations.set(evaluations.get() + 1);
            (value, grads)
        });
        model = next;
        if !loss.is_finite() {
            return Err(ember_core::Diverged {
                epoch: history.len() + 1,
                batch: 1,
                loss,
                learning_rate: 1.0,
            }
            .into());
        }
        if grad_max.get() <= config.tol {
            converged = true;
            break;
        }
        // The loss can stop changing (in f32 especially) before the gradient reaches a tight
        // `tol`: three iterations without any change are as far as the precision goes.
        unchanged = if history.last() == Some(&loss) {
            unchanged + 1
        } else {
            0
        };
        history.push(loss);
        if unchanged >= 3 {
            converged = true;
            break;
        }
    }
    let n_iter = history.len();
    Ok((model.valid(), n_iter, history, converged))
}

/// The largest absolute gradient component (scipy's projected-gradient test, `pgtol`).
fn largest_gradient(model: &LogisticModule, grads: &GradientsParams) -> f64 {
    let mut largest = 0.0f64;
    if let Some(g) = grads.get::<2>(model.linear.weight.id) {
        largest = largest.max(g.abs().max().into_scalar::<f64>());
    }
    if let Some(bias) = &model.linear.bias
        && let Some(g) = grads.get::<1>(bias.id)
    {
        largest = largest.max(g.abs().max().into_scalar::<f64>());
    }
    largest
}

fn read<const D: usize>(t: Tensor<D>) -> Result<Vec<f64>, FitError> {
    Ok(ember_core::read_back(t)?)
}
