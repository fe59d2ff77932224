//! A metric to watch, named `split_metric` (`valid_loss`, `train_accuracy`, …), and the
//! early-stopping component that watches it at the end of every epoch.

use crate::{EarlyStopping, TrainError};

/// Which split a metric was computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    Train,
    Valid,
}

/// A parsed metric name, and whether larger is better.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Monitor {
    pub name: String,
    pub maximise: bool,
}

impl Monitor {
    /// The split of `name`, or an error when it is not `train_…` or `valid_…`.
    pub fn split_of(name: &str) -> Result<Split, TrainError> {
        if name.strip_prefix("valid_").is_some_and(|m| !m.is_empty()) {
            Ok(Split::Valid)
        } else if name.strip_prefix("train_").is_some_and(|m| !m.is_empty()) {
            Ok(Split::Train)
        } else {
            Err(TrainError::config(
                "early_stopping.metric",
                format!(
                    "`{name}` is not `train_` or `valid_` followed by a metric's name (`valid_loss`, `train_accuracy`, …)"
                ),
            ))
        }
    }

    /// `value` as a quantity to minimise.
    pub fn minimised(&self, value: f64) -> f64 {
        if self.maximise { -value } else { value }
    }
}

/// Where the watch stands: part of a checkpoint, so a resumed run stops when the
/// uninterrupted one would have.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct WatchState {
    /// Best monitored value (as minimised) and its epoch.
    pub best: Option<(f64, usize)>,
    /// Epochs since the best one.
    pub stale: usize,
    /// Whether early stopping ended the run.
    pub stopped: bool,
}

/// Early stopping: after each epoch, whether the monitored metric improved on the best so
/// far (by more than `min_delta` and `min_relative_delta · |best|`), and whether `patience`
/// epochs without improvement have passed. Without early stopping it still tracks the best
/// epoch (reduce-on-plateau reads the same metric).
pub(crate) struct Watch {
    pub monitor: Monitor,
    pub stopping: Option<EarlyStopping>,
}

impl Watch {
    /// Whether the best weights are to be kept and handed back.
    pub fn restores_best(&self) -> bool {
        self.stopping.as_ref().is_some_and(|e| e.restore_best)
    }

    /// Records epoch `epoch`'s value (as minimised); true when it is the new best.
    pub fn observe(&self, state: &mut WatchState, epoch: usize, value: f64) -> bool {
        let (abs, rel) = self
            .stopping
            .as_ref()
            .map_or((0.0, 0.0), |e| (e.min_delta, e.min_relative_delta));
        let improved = state
            .best
            .is_none_or(|(b, _)| value < b - abs.max(rel * b.abs()));
        if improved {
            state.best = Some((value, epoch));
            state.stale = 0;
        } else {
            state.stale += 1;
        }
        if let Some(es) = &self.stopping
            && state.stale >= es.patience
        {
            state.stopped = true;
        }
        improved
    }
}
