//! Classification metrics: accuracy, balanced accuracy, precision, recall, F1, log loss and
//! ROC AUC, defined as scikit-learn 1.9 defines them (`zero_division=0`, the classes of
//! `labels=None`: those present in `y_true` or `y_pred`).
//!
//! Classes are indices `0..k`, what ember-data's `LabelEncoder` maps labels to.

use crate::MetricError;
use crate::confusion::{ClassCounts, ConfusionMatrix};

/// How per-class precision, recall and F1 are combined (scikit-learn's `average`).
///
/// ```
/// use ember_metrics::{Average, f1_score};
/// let (t, p) = ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]);
/// assert!((f1_score(&t, &p, Average::Macro)? - 0.266_666_666_666_666_6).abs() < 1e-15);
/// assert!((f1_score(&t, &p, Average::Micro)? - 1.0 / 3.0).abs() < 1e-15);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Average {
    /// The score of class 1 (the positive class) of a binary problem; an error when more than
    /// two classes occur (scikit-learn's default, `average="binary"`).
    #[default]
    Binary,
    /// The unweighted mean over classes.
    Macro,
    /// From the total counts of true positives, false negatives and false positives.
    Micro,
    /// The mean over classes weighted by their number of true samples.
    Weighted,
}

/// Fraction of correct predictions (`sklearn.metrics.accuracy_score`).
///
/// ```
/// assert_eq!(ember_metrics::accuracy_score(&[0, 1, 2, 3], &[0, 2, 1, 3])?, 0.5);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn accuracy_score(y_true: &[usize], y_pred: &[usize]) -> Result<f64, MetricError> {
    Ok(confusion(y_true, y_pred)?.accuracy())
}

/// Mean recall over the classes of `y_true` (`sklearn.metrics.balanced_accuracy_score`).
///
/// ```
/// let score = ember_metrics::balanced_accuracy_score(&[0, 1, 0, 0, 1, 0], &[0, 1, 0, 0, 0, 1])?;
/// assert_eq!(score, 0.625);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn balanced_accuracy_score(y_true: &[usize], y_pred: &[usize]) -> Result<f64, MetricError> {
    Ok(confusion(y_true, y_pred)?.balanced_accuracy())
}

/// Precision `tp / (tp + fp)` (`sklearn.metrics.precision_score`).
///
/// ```
/// use ember_metrics::{Average, precision_score};
/// assert_eq!(precision_score(&[0, 1, 1, 0], &[1, 1, 1, 0], Average::Binary)?, 2.0 / 3.0);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn precision_score(
    y_true: &[usize],
    y_pred: &[usize],
    average: Average,
) -> Result<f64, MetricError> {
    confusion(y_true, y_pred)?.precision(average)
}

/// Recall `tp / (tp + fn)` (`sklearn.metrics.recall_score`).
///
/// ```
/// use ember_metrics::{Average, recall_score};
/// assert_eq!(recall_score(&[0, 1, 1, 0], &[1, 1, 0, 0], Average::Binary)?, 0.5);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn recall_score(
    y_true: &[usize],
    y_pred: &[usize],
    average: Average,
) -> Result<f64, MetricError> {
    confusion(y_true, y_pred)?.recall(average)
}

/// F1 `2tp / (2tp + fp + fn)` (`sklearn.metrics.f1_score`).
///
/// ```
/// use ember_metrics::{Average, f1_score};
/// assert_eq!(f1_score(&[0, 1, 1, 0], &[1, 1, 0, 0], Average::Binary)?, 0.5);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn f1_score(y_true: &[usize], y_pred: &[usize], average: Average) -> Result<f64, MetricError> {
    confusion(y_true, y_pred)?.f1(average)
}

fn confusion(y_true: &[usize], y_pred: &[usize]) -> Result<ConfusionMatrix, MetricError> {
    if y_true.is_empty() && y_pred.is_empty() {
        return Err(MetricError::Empty);
    }
    let n_classes = y_true.iter().chain(y_pred).max().map_or(0, |m| m + 1);
    ConfusionMatrix::from_predictions(y_true, y_pred, n_classes)
}

/// `a / b`, or scikit-learn's `zero_division=0` when `b` is 0.
fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

/// Which per-class score.
#[derive(Clone, Copy)]
enum Score {
    Precision,
    Recall,
    F1,
}

impl Score {
    /// The score from summed counts.
    fn of(self, tp: f64, predicted: f64, actual: f64) -> f64 {
        match self {
            Self::Precision => ratio(tp, predicted),
            Self::Recall => ratio(tp, actual),
            Self::F1 => ratio(2.0 * tp, predicted + actual),
        }
    }
}

impl ConfusionMatrix {
    /// Accuracy: the diagonal over the total (0 for an empty matrix).
    ///
    /// ```
    /// let cm = ember_metrics::ConfusionMatrix::from_predictions(&[0, 1, 1], &[0, 1, 0], 2)?;
    /// assert_eq!(cm.accuracy(), 2.0 / 3.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn accuracy(&self) -> f64 {
        let n = self.n_classes();
        let correct: u64 = (0..n).map(|c| self.counts()[c * n + c]).sum();
        ratio(correct as f64, self.total() as f64)
    }

    /// Balanced accuracy: mean recall over the classes with true samples.
    ///
    /// ```
    /// let cm = ember_metrics::ConfusionMatrix::from_predictions(&[0, 0, 0, 1], &[0, 0, 0, 0], 2)?;
    /// assert_eq!(cm.balanced_accuracy(), 0.5);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn balanced_accuracy(&self) -> f64 {
        let recalls: Vec<f64> = self
            .per_class()
            .iter()
            .filter(|c| c.actual > 0)
            .map(|c| c.tp as f64 / c.actual as f64)
            .collect();
        ratio(recalls.iter().sum(), recalls.len() as f64)
    }

    /// Precision averaged as `average` says.
    ///
    /// ```
    /// use ember_metrics::{Average, ConfusionMatrix};
    /// let cm = ConfusionMatrix::from_predictions(&[0, 1, 1, 0], &[1, 1, 1, 0], 2)?;
    /// assert_eq!(cm.precision(Average::Binary)?, 2.0 / 3.0);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn precision(&self, average: Average) -> Result<f64, MetricError> {
        self.averaged(Score::Precision, average)
    }

    /// Recall averaged as `average` says.
    ///
    /// ```
    /// use ember_metrics::{Average, ConfusionMatrix};
    /// let cm = ConfusionMatrix::from_predictions(&[0, 1, 1, 0], &[1, 1, 0, 0], 2)?;
    /// assert_eq!(cm.recall(Average::Macro)?, 0.5);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn recall(&self, average: Average) -> Result<f64, MetricError> {
        self.averaged(Score::Recall, average)
    }

    /// F1 averaged as `average` says.
    ///
    /// ```
    /// use ember_metrics::{Average, ConfusionMatrix};
    /// let cm = ConfusionMatrix::from_predictions(&[0, 1, 1, 0], &[1, 1, 0, 0], 2)?;
    /// assert_eq!(cm.f1(Average::Weighted)?, 0.5);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn f1(&self, average: Average) -> Result<f64, MetricError> {
        self.averaged(Score::F1, average)
    }

    /// Per-class precision, recall and F1 (0 where undefined) and the number of true samples
    /// (`sklearn.metrics.precision_recall_fscore_support` with `average=None`), for every class
    /// `0..n_classes`.
    ///
    /// ```
    /// let cm = ember_metrics::ConfusionMatrix::from_predictions(&[0, 1, 1], &[0, 1, 0], 2)?;
    /// let per_class = cm.per_class_scores();
    /// assert_eq!(per_class[0].precision, 0.5);
    /// assert_eq!(per_class[1].support, 2);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn per_class_scores(&self) -> Vec<ClassScores> {
        self.per_class()
            .iter()
            .map(|c| {
                let (tp, pr, ac) = (c.tp as f64, c.predicted as f64, c.actual as f64);
                ClassScores {
                    precision: Score::Precision.of(tp, pr, ac),
                    recall: Score::Recall.of(tp, pr, ac),
                    f1: Score::F1.of(tp, pr, ac),
                    support: c.actual,
                }
            })
            .collect()
    }

    fn averaged(&self, score: Score, average: Average) -> Result<f64, MetricError> {
        let classes = self.per_class();
        let present: Vec<&ClassCounts> = classes.iter().filter(|c| c.present()).collect();
        if present.is_empty() {
            return Err(MetricError::Empty);
        }
        let of = |c: &ClassCounts| score.of(c.tp as f64, c.predicted as f64, c.actual as f64);
        Ok(match average {
            Average::Binary => {
                if let Some(extra) = classes.iter().skip(2).position(ClassCounts::present) {
                    return Err(MetricError::Undefined(format!(
                        "average=binary needs classes 0 and 1 only, but class {} occurs; choose macro, micro or weighted",
                        extra + 2
                    )));
                }
                classes.get(1).map_or(0.0, of)
            }
            Average::Macro => present.iter().map(|c| of(c)).sum::<f64>() / present.len() as f64,
            Average::Micro => {
                let sum = |f: fn(&ClassCounts) -> u64| present.iter().map(|c| f(c)).sum::<u64>();
                score.of(
                    sum(|c| c.tp) as f64,
                    sum(|c| c.predicted) as f64,
                    sum(|c| c.actual) as f64,
                )
            }
            Average::Weighted => {
                let total: u64 = present.iter().map(|c| c.actual).sum();
                let weighted: f64 = present.iter().map(|c| of(c) * c.actual as f64).sum();
                ratio(weighted, total as f64)
            }
        })
    }
}

/// One class's precision, recall, F1 and support.
///
/// ```
/// let s = ember_metrics::ClassScores { precision: 1.0, recall: 0.5, f1: 2.0 / 3.0, support: 2 };
/// assert!(s.f1 < s.precision);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassScores {
    /// `tp / (tp + fp)`.
    pub precision: f64,
    /// `tp / (tp + fn)`.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of true samples of the class.
    pub support: u64,
}

/// Cross-entropy of predicted probabilities (`sklearn.metrics.log_loss`): `proba` holds one row
/// of `n_classes` probabilities per sample (row-major), each in [0, 1] and summing to 1 (within
/// `√ε`); probabilities are clipped to `[ε, 1 − ε]` as scikit-learn does.
///
/// ```
/// let loss = ember_metrics::log_loss(&[0, 1, 1, 0], &[0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.99, 0.01], 2)?;
/// assert!((loss - 0.173_807_336_691_067_5).abs() < 1e-15);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn log_loss(y_true: &[usize], proba: &[f64], n_classes: usize) -> Result<f64, MetricError> {
    let mut acc = LogLossSum::default();
    acc.update(y_true, proba, n_classes)?;
    acc.mean()
}

/// A running sum of per-sample log losses (the streaming form of [`log_loss`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct LogLossSum {
    pub sum: f64,
    pub n: u64,
}

impl LogLossSum {
    pub fn update(
        &mut self,
        y_true: &[usize],
        proba: &[f64],
        n_classes: usize,
    ) -> Result<(), MetricError> {
        if n_classes == 0 || !proba.len().is_multiple_of(n_classes) {
            return Err(MetricError::RaggedOutputs {
                len: proba.len(),
                n_outputs: n_classes,
            });
        }
        if y_true.len() != proba.len() / n_classes {
            return Err(MetricError::LengthMismatch {
                y_true: y_true.len(),
                y_pred: proba.len() / n_classes,
            });
        }
        let eps = f64::EPSILON;
        for (row, (&t, p)) in y_true.iter().zip(proba.chunks(n_classes)).enumerate() {
            if t >= n_classes {
                return Err(MetricError::ClassOutOfRange {
                    which: "y_true",
                    row,
                    class: t,
                    n_classes,
                });
            }
            if let Some(output) = p.iter().position(|v| !(0.0..=1.0).contains(v)) {
                return Err(MetricError::NotProbability {
                    row,
                    message: format!(
                        "probability {} of class {output} is outside [0, 1]",
                        p[output]
                    ),
                });
            }
            let sum: f64 = p.iter().sum();
            if (sum - 1.0).abs() > eps.sqrt() {
                return Err(MetricError::NotProbability {
                    row,
                    message: format!("probabilities sum to {sum}, not 1"),
                });
            }
            self.sum -= p[t].clamp(eps, 1.0 - eps).ln();
        }
        self.n += y_true.len() as u64;
        Ok(())
    }

    pub fn mean(&self) -> Result<f64, MetricError> {
        if self.n == 0 {
            return Err(MetricError::Empty);
        }
        Ok(self.sum / self.n as f64)
    }
}

/// Area under the ROC curve of a binary problem (`sklearn.metrics.roc_auc_score`): `y_true`
/// holds classes 0 and 1, `score` a higher-is-more-positive score (a probability of class 1 or
/// a decision function). Ties count one half, as the trapezoidal ROC curve does.
///
/// ```
/// let auc = ember_metrics::roc_auc_score(&[0, 0, 1, 1], &[0.1, 0.4, 0.35, 0.8])?;
/// assert_eq!(auc, 0.75);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
pub fn roc_auc_score(y_true: &[usize], score: &[f64]) -> Result<f64, MetricError> {
    if y_true.len() != score.len() {
        return Err(MetricError::LengthMismatch {
            y_true: y_true.len(),
            y_pred: score.len(),
        });
    }
    if y_true.is_empty() {
        return Err(MetricError::Empty);
    }
    if let Some(row) = y_true.iter().position(|&c| c > 1) {
        return Err(MetricError::ClassOutOfRange {
            which: "y_true",
            row,
            class: y_true[row],
            n_classes: 2,
        });
    }
    if let Some(row) = score.iter().position(|v| !v.is_finite()) {
        return Err(MetricError::NonFinite {
            which: "y_score",
            row,
            output: 0,
            value: score[row],
        });
    }
    let positives = y_true.iter().filter(|&&c| c == 1).count();
    let negatives = y_true.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(MetricError::Undefined(
            "ROC AUC is not defined when y_true holds only one class".into(),
        ));
    }
    // Mann–Whitney U: the sum of the positives' ranks (ties get their mean rank).
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && score[order[end]] == score[order[start]] {
            end += 1;
        }
        let mean_rank = (start + end + 1) as f64 / 2.0;
        let tied_positives = order[start..end]
            .iter()
            .filter(|&&i| y_true[i] == 1)
            .count();
        rank_sum += mean_rank * tied_positives as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Ok((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}
