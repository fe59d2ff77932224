//! What each epoch measured: kept in memory, written as `metrics.jsonl`, drawn as a loss curve.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use ember_plot::LineChart;
use serde::{Deserialize, Serialize};

use crate::TrainError;
use crate::checkpoint::write_file_atomically;

/// One epoch's metrics.
///
/// ```
/// use ember_train::EpochRecord;
/// let r = EpochRecord { epoch: 1, learning_rate: 0.01, elapsed_s: 0.5, samples_per_s: 0.0, train: [("loss".to_string(), 0.3)].into(), valid: None };
/// assert_eq!(r.metric("train_loss"), Some(0.3));
/// assert_eq!(r.metric("valid_loss"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// Epoch number (1-based).
    pub epoch: usize,
    /// The learning rate used in the epoch.
    pub learning_rate: f64,
    /// Seconds since the run started (across resumptions), at the end of the epoch.
    pub elapsed_s: f64,
    /// Training throughput: the epoch's training rows over the seconds it trained (validation
    /// and checkpoints not counted). 0 in checkpoints written before it was recorded.
    #[serde(default)]
    pub samples_per_s: f64,
    /// Training metrics (`loss` is the objective, penalty included, averaged over the epoch's
    /// batches as they were trained).
    pub train: BTreeMap<String, f64>,
    /// Validation metrics, computed after the epoch, when there is a validation set.
    pub valid: Option<BTreeMap<String, f64>>,
}

impl EpochRecord {
    /// A metric by its `split_metric` name (`valid_accuracy`).
    ///
    /// ```
    /// # use ember_train::EpochRecord;
    /// let r = EpochRecord { epoch: 1, learning_rate: 0.01, elapsed_s: 0.5, samples_per_s: 0.0, train: Default::default(), valid: Some([("r2".to_string(), 0.9)].into()) };
    /// assert_eq!(r.metric("valid_r2"), Some(0.9));
    /// ```
    pub fn metric(&self, name: &str) -> Option<f64> {
        if let Some(m) = name.strip_prefix("valid_") {
            self.valid.as_ref()?.get(m).copied()
        } else {
            self.train.get(name.strip_prefix("train_")?).copied()
        }
    }

    /// The epoch's lines of `metrics.jsonl`: one object per split with `epoch`, `split`,
    /// `learning_rate`, `elapsed_s` and every metric.
    ///
    /// ```
    /// # use ember_train::EpochRecord;
    /// let r = EpochRecord { epoch: 2, learning_rate: 0.5, elapsed_s: 1.0, samples_per_s: 0.0, train: [("loss".to_string(), 0.25)].into(), valid: None };
    /// assert_eq!(r.to_jsonl(), "{\"elapsed_s\":1.0,\"epoch\":2,\"learning_rate\":0.5,\"loss\":0.25,\"split\":\"train\"}\n");
    /// ```
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        let splits = [("train", Some(&self.train)), ("valid", self.valid.as_ref())];
        for (split, metrics) in splits {
            let Some(metrics) = metrics else { continue };
            let mut line = serde_json::Map::new();
            line.insert("epoch".into(), self.epoch.into());
            line.insert("split".into(), split.into());
            line.insert("learning_rate".into(), self.learning_rate.into());
            line.insert("elapsed_s".into(), self.elapsed_s.into());
            for (k, v) in metrics {
                line.insert(k.clone(), (*v).into());
            }
            out.push_str(&serde_json::Value::Object(line).to_string());
            out.push('\n');
        }
        out
    }
}

/// Every epoch of a run.
///
/// ```
/// let h = ember_train::History::default();
/// assert!(h.epochs.is_empty() && h.last().is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One record per epoch, in order.
    pub epochs: Vec<EpochRecord>,
}

impl History {
    /// The latest epoch.
    ///
    /// ```
    /// assert!(ember_train::History::default().last().is_none());
    /// ```
    pub fn last(&self) -> Option<&EpochRecord> {
        self.epochs.last()
    }

    /// A metric's values by epoch (`train_loss`, `valid_accuracy`, …), skipping epochs without it.
    ///
    /// ```
    /// assert!(ember_train::History::default().series("train_loss").is_empty());
    /// ```
    pub fn series(&self, name: &str) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.metric(name)).collect()
    }

    /// The log as JSON lines: one object per epoch and split with `epoch`, `split`,
    /// `learning_rate`, `elapsed_s` and every metric.
    ///
    /// ```
    /// let h = ember_train::History::default();
    /// assert_eq!(h.to_jsonl(), "");
    /// ```
    pub fn to_jsonl(&self) -> String {
        self.epochs.iter().map(EpochRecord::to_jsonl).collect()
    }
}

/// The run writer: `metrics.jsonl` (rewritten once when a run starts or resumes, from the
/// checkpoint's history, then appended to and synced after every epoch) and the loss curve.
pub(crate) struct RunLog {
    dir: std::path::PathBuf,
}

impl RunLog {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.join("metrics.jsonl")
    }

    /// Starts the log over with `history` (empty for a new run): lines a killed run wrote
    /// after its last checkpoint are dropped, since those epochs run again.
    pub fn restart(&self, history: &History) -> Result<(), TrainError> {
        let path = self.path();
        write_file_atomically(&path, |f| f.write_all(history.to_jsonl().as_bytes()))?;
        history.draw(&self.dir)
    }

    /// Appends the newest epoch of `history` and redraws the curve.
    pub fn append(&self, history: &History) -> Result<(), TrainError> {
        let Some(record) = history.last() else {
            return Ok(());
        };
        let path = self.path();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| {
                f.write_all(record.to_jsonl().as_bytes())?;
                f.sync_data()
            })
            .map_err(TrainError::io(&path))?;
        history.draw(&self.dir)
    }
}

impl History {
    /// Draws `loss.png` and `loss.svg` into `dir`, each atomically.
    fn draw(&self, dir: &Path) -> Result<(), TrainError> {
        if self.epochs.is_empty() {
            return Ok(());
        }
        let epochs: Vec<f64> = self.epochs.iter().map(|e| e.epoch as f64).collect();
        let mut chart = LineChart::new("loss").with_axis_labels("epoch", "loss");
        for split in ["train", "valid"] {
            let values = self.series(&format!("{split}_loss"));
            if values.len() == epochs.len() && values.iter().all(|v| v.is_finite()) {
                chart = chart.with_series(split, &epochs, &values);
            }
        }
        if !chart.is_empty() {
            chart.save(&dir.join("loss.png"))?;
            chart.save(&dir.join("loss.svg"))?;
        }
        Ok(())
    }
}
