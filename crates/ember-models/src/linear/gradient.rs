//! Linear regression by mini-batch gradient descent on burn's autodiff and optimizers.
//!
//! Features and targets are standardised (as scikit-learn's `StandardScaler` would) so that one
//! learning rate suits data of any scale; the ridge penalty is rewritten in standardised units so
//! that the optimum is exactly the closed-form one, and the fitted weights are mapped back to the
//! original units at the end.

use burn::module::Module;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use ember_data::Matrix;
use ember_data::preprocessing::StandardScaler;
use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};

use super::tensors::{read, tensor2};
use super::{LinearModelConfig, LinearRegressionConfig, Optimizer};
use crate::FitError;

/// What gradient descent found, in the original units.
pub(super) struct GradientFit {
    pub coef: Matrix,
    pub intercept: Vec<f64>,
    pub n_iter: usize,
    pub loss_history: Vec<f64>,
}

/// Per-column offset and scale from [`StandardScaler`]: with an intercept, the mean and the
/// standard deviation; without one, no offset (so a model through the origin stays one) and the
/// same scale.
fn standardisation(m: &Matrix, centre: bool) -> Result<(Vec<f64>, Vec<f64>), FitError> {
    let scaler = StandardScaler::fit(m)?;
    let offset = if centre {
        scaler.mean().to_vec()
    } else {
        vec![0.0; m.n_cols()]
    };
    Ok((offset, scaler.scale().to_vec()))
}

fn standardised(m: &Matrix, offset: &[f64], scale: &[f64]) -> Vec<f32> {
    let c = m.n_cols();
    m.as_slice()
        .iter()
        .enumerate()
        .map(|(i, v)| ((v - offset[i % c]) / scale[i % c]) as f32)
        .collect()
}

pub(super) fn fit(
    config: &LinearRegressionConfig,
    x: &Matrix,
    y: &Matrix,
    device: &Device,
) -> Result<GradientFit, FitError> {
    let gd = &config.gradient_descent;
    let (n, d, k) = (x.n_rows(), x.n_cols(), y.n_cols());
    let (x_offset, x_scale) = standardisation(x, config.fit_intercept)?;
    let (y_offset, y_scale) = standardisation(y, config.fit_intercept)?;

    let ad = device.clone().autodiff();
    let xs = tensor2(standardised(x, &x_offset, &x_scale), n, d, &ad);
    let ys = tensor2(standardised(y, &y_offset, &y_scale), n, k, &ad);
    // Ridge in standardised units: alpha/n · Σ_j (w_j / σ_j)², the same optimum as the
    // closed form; like the squared error, it is averaged over targets.
    let penalty: Vec<f32> = x_scale
        .iter()
        .map(|s| (config.alpha / (n as f64 * s * s)) as f32)
        .collect();
    let penalty = tensor2(penalty, d, 1, &ad);
    let y_var: Vec<f64> = y_scale.iter().map(|s| s * s).collect();

    let mut model = LinearModelConfig::new(d, k)
        .with_bias(config.fit_intercept)
        .init(&ad);
    let mut optimizer: ModuleOptimizer = match gd.optimizer {
        Optimizer::Sgd => SgdConfig::new()
            .with_momentum((gd.momentum > 0.0).then(|| {
                MomentumConfig::new()
                    .with_momentum(gd.momentum)
                    .with_dampening(0.0)
            }))
            .init(),
        Optimizer::Adam => AdamConfig::new().with_epsilon(1e-8).init(),
    };

    let batch_size = gd.batch_size.min(n);
    let mut rng = StdRng::seed_from_u64(gd.seed);
    let mut order: Vec<usize> = (0..n).collect();
    let mut loss_history = Vec::new();
    let mut best = f64::INFINITY;
    let mut stale = 0;
    for epoch in 1..=gd.max_epochs {
        let (xe, ye) = if batch_size < n {
            order.shuffle(&mut rng);
            let idx: Vec<i64> = order.iter().map(|&i| i as i64).collect();
            let idx = Tensor::<1, Int>::from_data(TensorData::new(idx, [n]), &ad);
            (xs.clone().select(0, idx.clone()), ys.clone().select(0, idx))
        } else {
            (xs.clone(), ys.clone())
        };
        // Per batch: the sum of squared errors per target and the penalty, kept on the device
        // and read back once per epoch.
        let n_batches = n.div_ceil(batch_size);
        let mut sse = Vec::with_capacity(n_batches);
        let mut ridge_terms = Vec::with_capacity(n_batches);
        for b in 0..n_batches {
            let start = b * batch_size;
            let rows = batch_size.min(n - start);
            let xb = xe.clone().narrow(0, start, rows);
            let yb = ye.clone().narrow(0, start, rows);
            let squared = (model.forward(xb) - yb).square();
            // [1, k]: the penalty of each target's weights.
            let ridge = (model.linear.weight.val().square() * penalty.clone()).sum_dim(0);
            let loss = squared.clone().mean() + ridge.clone().mean();
            sse.push(squared.sum_dim(0).detach());
            ridge_terms.push(ridge.detach() * rows as f64);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optimizer.step(gd.learning_rate, model, grads);
        }
        let sse = read(Tensor::cat(sse, 0))?;
        let ridge_terms = read(Tensor::cat(ridge_terms, 0))?;
        for b in 0..n_batches {
            let batch = b * k..(b + 1) * k;
            let batch_loss: f32 = sse[batch.clone()].iter().chain(&ridge_terms[batch]).sum();
            if !batch_loss.is_finite() {
                return Err(diverged(
                    epoch,
                    b + 1,
                    f64::from(batch_loss),
                    gd.learning_rate,
                ));
            }
        }
        // Back to original units: each target's standardised objective times σ_t², averaged.
        let loss = (0..k)
            .map(|t| {
                let total: f64 = (0..n_batches)
                    .map(|b| f64::from(sse[b * k + t]) + f64::from(ridge_terms[b * k + t]))
                    .sum();
                total / n as f64 * y_var[t]
            })
            .sum::<f64>()
            / k as f64;
        if !loss.is_finite() {
            return Err(diverged(epoch, n_batches, loss, gd.learning_rate));
        }
        loss_history.push(loss);
        if loss < best * (1.0 - gd.tol) {
            stale = 0;
        } else {
            stale += 1;
        }
        best = best.min(loss);
        if gd.tol > 0.0 && stale >= gd.n_iter_no_change {
            break;
        }
    }

    let model = model.valid();
    let w = read(model.linear.weight.val())?;
    let bias = match &model.linear.bias {
        Some(b) => read(b.val())?,
        None => vec![0.0; k],
    };
    let coef = Matrix::from_fn(k, d, |t, j| {
        f64::from(w[j * k + t]) * y_scale[t] / x_scale[j]
    });
    let intercept = (0..k)
        .map(|t| {
            y_offset[t] + f64::from(bias[t]) * y_scale[t]
                - (0..d).map(|j| coef.get(t, j) * x_offset[j]).sum::<f64>()
        })
        .collect();
    Ok(GradientFit {
        coef,
        intercept,
        n_iter: loss_history.len(),
        loss_history,
    })
}

fn diverged(epoch: usize, batch: usize, loss: f64, learning_rate: f64) -> FitError {
    FitError::Diverged {
        epoch,
        batch,
        loss,
        learning_rate,
    }
}
