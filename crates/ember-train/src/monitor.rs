//! A metric to watch, named `split_metric` (`valid_loss`, `train_accuracy`, …).

use crate::TrainError;

/// Which split a metric was computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    Train,
    Valid,
}

/// A parsed metric name, and whether larger is better.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Monitor {
    pub split: Split,
    pub metric: String,
    pub maximise: bool,
}

/// Metrics where larger is better; every other one (losses, errors) is minimised.
const MAXIMISED: [&str; 4] = ["accuracy", "balanced_accuracy", "f1_macro", "r2"];
const KNOWN: [&str; 9] = [
    "loss",
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "log_loss",
    "mse",
    "rmse",
    "mae",
    "r2",
];

impl Monitor {
    pub fn parse(name: &str) -> Result<Self, TrainError> {
        let bad = || {
            TrainError::config(
                "early_stopping.metric",
                format!(
                    "`{name}` is not `train_` or `valid_` followed by one of {}",
                    KNOWN.join(", ")
                ),
            )
        };
        let (split, metric) = if let Some(m) = name.strip_prefix("valid_") {
            (Split::Valid, m)
        } else if let Some(m) = name.strip_prefix("train_") {
            (Split::Train, m)
        } else {
            return Err(bad());
        };
        if !KNOWN.contains(&metric) {
            return Err(bad());
        }
        Ok(Self {
            split,
            metric: metric.to_string(),
            maximise: MAXIMISED.contains(&metric),
        })
    }

    /// `value` as a quantity to minimise.
    pub fn minimised(&self, value: f64) -> f64 {
        if self.maximise { -value } else { value }
    }
}
