//! Learning-rate schedules, stepped once per epoch as PyTorch's `lr_scheduler`s usually are.

use serde::{Deserialize, Serialize};

use ember_core::Problems;

/// How the learning rate changes from epoch to epoch (after any linear warm-up, see
/// [`TrainConfig::warmup_epochs`](crate::TrainConfig::warmup_epochs)).
///
/// ```
/// use ember_train::Schedule;
///
/// let s: Schedule = serde_json::from_str(r#"{"name": "step", "step_size": 10, "gamma": 0.5}"#)?;
/// assert_eq!(s, Schedule::Step { step_size: 10, gamma: 0.5 });
/// let p: Schedule = serde_json::from_str(r#"{"name": "reduce_on_plateau"}"#)?;
/// assert!(matches!(p, Schedule::ReduceOnPlateau { patience: 10, .. }));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// The same rate every epoch.
    #[default]
    Constant,
    /// Multiply by `gamma` every `step_size` epochs (`StepLR`).
    Step {
        /// Epochs between decays.
        step_size: usize,
        /// Factor of each decay.
        #[serde(default = "gamma")]
        gamma: f64,
    },
    /// Cosine annealing from the rate down to `eta_min` over `t_max` epochs
    /// (`CosineAnnealingLR`); `t_max` defaults to the epochs after warm-up.
    Cosine {
        /// Epochs of one half cosine; `None`: the rest of the run.
        #[serde(default)]
        t_max: Option<usize>,
        /// The lowest rate.
        #[serde(default)]
        eta_min: f64,
    },
    /// Multiply by `factor` when the monitored metric (the early-stopping metric, else the
    /// validation loss, else the training loss) has not improved by a relative `threshold` for
    /// `patience` epochs (`ReduceLROnPlateau`, mode `rel`).
    ReduceOnPlateau {
        /// Factor of each reduction.
        #[serde(default = "factor")]
        factor: f64,
        /// Epochs without improvement before a reduction.
        #[serde(default = "patience")]
        patience: usize,
        /// Relative improvement that counts.
        #[serde(default = "threshold")]
        threshold: f64,
        /// The rate never goes below this.
        #[serde(default)]
        min_lr: f64,
    },
}

fn gamma() -> f64 {
    0.1
}
fn factor() -> f64 {
    0.1
}
fn patience() -> usize {
    10
}
fn threshold() -> f64 {
    1e-4
}

/// What a schedule remembers between epochs (only reduce-on-plateau remembers anything);
/// saved in checkpoints so that a resumed run continues exactly.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub(crate) struct ScheduleState {
    /// Product of the reductions so far.
    pub factor: f64,
    pub best: Option<f64>,
    pub bad_epochs: usize,
}

impl Schedule {
    /// Every invalid setting, fields relative to the schedule (`gamma`).
    ///
    /// ```
    /// let bad = ember_train::Schedule::Step { step_size: 0, gamma: 2.0 };
    /// assert_eq!(bad.problems().into_vec().len(), 2);
    /// ```
    pub fn problems(&self) -> Problems {
        let mut p = Problems::default();
        match *self {
            Self::Constant => {}
            Self::Step { step_size, gamma } => {
                p.at_least_one("step_size", step_size);
                p.open_unit_interval("gamma", gamma);
            }
            Self::Cosine { t_max, eta_min } => {
                if let Some(t) = t_max {
                    p.at_least_one("t_max", t);
                }
                p.non_negative("eta_min", eta_min);
            }
            Self::ReduceOnPlateau {
                factor,
                threshold,
                min_lr,
                ..
            } => {
                p.open_unit_interval("factor", factor);
                p.non_negative("threshold", threshold);
                p.non_negative("min_lr", min_lr);
            }
        }
        p
    }

    /// The rate of 0-based epoch `epoch`: `base` scaled by the warm-up ramp
    /// `(epoch + 1) / (warmup + 1)` during the first `warmup` epochs, then by the schedule
    /// (counted from the end of the warm-up) over the remaining `total − warmup` epochs.
    ///
    /// ```
    /// use ember_train::Schedule;
    /// let cosine = Schedule::Cosine { t_max: None, eta_min: 0.0 };
    /// assert_eq!(cosine.learning_rate(0.1, 0, 0, 11), 0.1);
    /// assert!((cosine.learning_rate(0.1, 5, 0, 11) - 0.05).abs() < 1e-15);
    /// let step = Schedule::Step { step_size: 2, gamma: 0.5 };
    /// assert_eq!(step.learning_rate(1.0, 0, 1, 10), 0.5); // warm-up: 1/2
    /// assert_eq!(step.learning_rate(1.0, 3, 1, 10), 0.5); // 2 epochs after warm-up
    /// ```
    pub fn learning_rate(&self, base: f64, epoch: usize, warmup: usize, total: usize) -> f64 {
        self.rate(base, epoch, warmup, total, &ScheduleState::default())
    }

    pub(crate) fn rate(
        &self,
        base: f64,
        epoch: usize,
        warmup: usize,
        total: usize,
        state: &ScheduleState,
    ) -> f64 {
        if epoch < warmup {
            return base * (epoch + 1) as f64 / (warmup + 1) as f64;
        }
        let t = epoch - warmup;
        match *self {
            Self::Constant => base,
            Self::Step { step_size, gamma } => base * gamma.powi((t / step_size) as i32),
            Self::Cosine { t_max, eta_min } => {
                let t_max = t_max.unwrap_or(total.saturating_sub(warmup + 1)).max(1);
                let t = t.min(t_max) as f64;
                eta_min
                    + (base - eta_min) * (1.0 + (std::f64::consts::PI * t / t_max as f64).cos())
                        / 2.0
            }
            Self::ReduceOnPlateau { min_lr, .. } => {
                let factor = if state.factor > 0.0 {
                    state.factor
                } else {
                    1.0
                };
                (base * factor).max(min_lr)
            }
        }
    }

    /// Whether the rates depend on the run's number of epochs (cosine without `t_max`): a
    /// resumed run must then keep it.
    pub(crate) fn uses_total_epochs(&self) -> bool {
        matches!(self, Self::Cosine { t_max: None, .. })
    }

    /// After an epoch: reduce-on-plateau sees the monitored value (lower is better; pass the
    /// negation of a metric to maximise).
    pub(crate) fn observe(&self, state: &mut ScheduleState, value: f64) {
        let Self::ReduceOnPlateau {
            factor,
            patience,
            threshold,
            ..
        } = *self
        else {
            return;
        };
        if state.factor == 0.0 {
            state.factor = 1.0;
        }
        let improved = match state.best {
            None => true,
            Some(best) => value < best - threshold * best.abs(),
        };
        if improved {
            state.best = Some(value);
            state.bad_epochs = 0;
        } else {
            state.bad_epochs += 1;
            if state.bad_epochs > patience {
                state.factor *= factor;
                state.bad_epochs = 0;
            }
        }
    }
}
