//! The confusion matrix: counts of (true class, predicted class) pairs.

use std::fmt;

use crate::MetricError;

/// Counts of samples by true class (rows) and predicted class (columns), as
/// `sklearn.metrics.confusion_matrix` lays them out. Classes are indices `0..n_classes`
/// (what a [`LabelEncoder`](https://docs.rs/ember-data) maps labels to).
///
/// It accumulates: [`update`](Self::update) adds a batch, [`merge`](Self::merge) another
/// matrix, so an epoch's matrix never needs every prediction kept.
///
/// ```
/// use ember_metrics::ConfusionMatrix;
///
/// let cm = ConfusionMatrix::from_predictions(&[2, 0, 2, 2, 0, 1], &[0, 0, 2, 2, 0, 2], 3)?;
/// assert_eq!(cm.row(0), &[2, 0, 0]);
/// assert_eq!(cm.row(2), &[1, 0, 2]);
/// assert_eq!(cm.total(), 6);
/// # Ok::<(), ember_metrics::MetricError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    n_classes: usize,
    counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// An empty matrix for `n_classes` classes.
    ///
    /// ```
    /// let cm = ember_metrics::ConfusionMatrix::new(4);
    /// assert_eq!((cm.n_classes(), cm.total()), (4, 0));
    /// ```
    pub fn new(n_classes: usize) -> Self {
        Self {
            n_classes,
            counts: vec![0; n_classes * n_classes],
        }
    }

    /// The matrix of one set of predictions.
    ///
    /// ```
    /// let err = ember_metrics::ConfusionMatrix::from_predictions(&[0, 3], &[0, 1], 3).unwrap_err();
    /// assert_eq!(err.to_string(), "y_true has class 3 at row 1, outside 0..3");
    /// ```
    pub fn from_predictions(
        y_true: &[usize],
        y_pred: &[usize],
        n_classes: usize,
    ) -> Result<Self, MetricError> {
        let mut cm = Self::new(n_classes);
        cm.update(y_true, y_pred)?;
        Ok(cm)
    }

    /// Adds a batch of predictions.
    ///
    /// ```
    /// let mut cm = ember_metrics::ConfusionMatrix::new(2);
    /// cm.update(&[0, 1], &[0, 0])?;
    /// cm.update(&[1], &[1])?;
    /// assert_eq!(cm.row(1), &[1, 1]);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn update(&mut self, y_true: &[usize], y_pred: &[usize]) -> Result<(), MetricError> {
        if y_true.len() != y_pred.len() {
            return Err(MetricError::LengthMismatch {
                y_true: y_true.len(),
                y_pred: y_pred.len(),
            });
        }
        for (which, values) in [("y_true", y_true), ("y_pred", y_pred)] {
            if let Some(row) = values.iter().position(|&c| c >= self.n_classes) {
                return Err(MetricError::ClassOutOfRange {
                    which,
                    row,
                    class: values[row],
                    n_classes: self.n_classes,
                });
            }
        }
        for (&t, &p) in y_true.iter().zip(y_pred) {
            self.counts[t * self.n_classes + p] += 1;
        }
        Ok(())
    }

    /// Adds another matrix's counts (e.g. from another batch or thread).
    ///
    /// ```
    /// use ember_metrics::ConfusionMatrix;
    /// let mut a = ConfusionMatrix::from_predictions(&[0], &[1], 2)?;
    /// a.merge(&ConfusionMatrix::from_predictions(&[1], &[1], 2)?)?;
    /// assert_eq!(a.counts(), &[0, 1, 0, 1]);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn merge(&mut self, other: &Self) -> Result<(), MetricError> {
        if other.n_classes != self.n_classes {
            return Err(MetricError::Undefined(format!(
                "cannot merge a confusion matrix of {} classes into one of {}",
                other.n_classes, self.n_classes
            )));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        Ok(())
    }

    /// Number of classes (rows and columns).
    ///
    /// ```
    /// assert_eq!(ember_metrics::ConfusionMatrix::new(3).n_classes(), 3);
    /// ```
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// All counts, row-major: `counts()[t * n_classes + p]` samples of class `t` predicted `p`.
    ///
    /// ```
    /// assert_eq!(ember_metrics::ConfusionMatrix::new(2).counts(), &[0, 0, 0, 0]);
    /// ```
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The counts of true class `t`, by predicted class.
    ///
    /// ```
    /// let cm = ember_metrics::ConfusionMatrix::from_predictions(&[1, 1], &[0, 1], 2)?;
    /// assert_eq!(cm.row(1), &[1, 1]);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn row(&self, t: usize) -> &[u64] {
        &self.counts[t * self.n_classes..(t + 1) * self.n_classes]
    }

    /// Samples counted.
    ///
    /// ```
    /// let cm = ember_metrics::ConfusionMatrix::from_predictions(&[1, 0, 1], &[0, 1, 1], 2)?;
    /// assert_eq!(cm.total(), 3);
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Per class: (true positives, predicted count, true count).
    pub(crate) fn per_class(&self) -> Vec<ClassCounts> {
        (0..self.n_classes)
            .map(|c| ClassCounts {
                tp: self.counts[c * self.n_classes + c],
                predicted: (0..self.n_classes)
                    .map(|t| self.counts[t * self.n_classes + c])
                    .sum(),
                actual: self.row(c).iter().sum(),
            })
            .collect()
    }

    /// The matrix as a text table with class names as headers (rows: true, columns:
    /// predicted). With no names (or the wrong number) the class indices are used.
    ///
    /// ```
    /// let cm = ember_metrics::ConfusionMatrix::from_predictions(&[0, 1, 1], &[0, 1, 0], 2)?;
    /// let table = cm.to_table(&["cat", "dog"]);
    /// assert_eq!(table, "true \\ pred  cat  dog\n        cat    1    0\n        dog    1    1\n");
    /// # Ok::<(), ember_metrics::MetricError>(())
    /// ```
    pub fn to_table<S: AsRef<str>>(&self, names: &[S]) -> String {
        let names: Vec<String> = if names.len() == self.n_classes {
            names.iter().map(|s| s.as_ref().to_string()).collect()
        } else {
            (0..self.n_classes).map(|c| c.to_string()).collect()
        };
        let corner = "true \\ pred";
        let first = names
            .iter()
            .map(|n| n.chars().count())
            .chain([corner.chars().count()])
            .max()
            .unwrap_or(0);
        let width = names
            .iter()
            .map(|n| n.chars().count())
            .chain(self.counts.iter().map(|c| c.to_string().len()))
            .max()
            .unwrap_or(1)
            .max(3);
        let mut out = format!("{corner:>first$}");
        for n in &names {
            out.push_str(&format!("  {n:>width$}"));
        }
        out.push('\n');
        for (t, name) in names.iter().enumerate() {
            out.push_str(&format!("{name:>first$}"));
            for c in self.row(t) {
                out.push_str(&format!("  {c:>width$}"));
            }
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for ConfusionMatrix {
    /// The [`to_table`](ConfusionMatrix::to_table) of the class indices.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_table::<&str>(&[]))
    }
}

/// One class's counts, from which precision and recall follow.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClassCounts {
    pub tp: u64,
    pub predicted: u64,
    pub actual: u64,
}

impl ClassCounts {
    /// Whether the class occurs in `y_true` or `y_pred` (scikit-learn's `labels=None` set).
    pub fn present(&self) -> bool {
        self.predicted > 0 || self.actual > 0
    }
}
