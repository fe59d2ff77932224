//! Class labels: the mapping between the names in a file and the indices a model predicts.

use serde::{Deserialize, Serialize};

use crate::Scalar;

/// The class index a target value stands for: a whole number in `0..n_classes`, else `None`
/// (class labels travel as numbers in a [`Matrix`](crate::Matrix): this is the one check of
/// them).
///
/// ```
/// use ember_data::class_index;
/// assert_eq!(class_index(2.0, 3), Some(2));
/// assert_eq!((class_index(3.0, 3), class_index(1.5, 3), class_index(-0.0, 3)), (None, None, Some(0)));
/// assert_eq!((class_index(f64::NAN, 3), class_index(-1.0, 3)), (None, None));
/// ```
pub fn class_index(value: f64, n_classes: usize) -> Option<usize> {
    (value >= 0.0 && value.fract() == 0.0 && value < n_classes as f64).then_some(value as usize)
}

/// The first row of `values` that is not a class index below `n_classes`, with its value.
///
/// ```
/// assert_eq!(ember_data::first_non_class(&[0.0, 1.0, 2.5], 3), Some((2, 2.5)));
/// assert_eq!(ember_data::first_non_class(&[0.0f32, 1.0], 2), None);
/// ```
pub fn first_non_class<T: Scalar>(values: &[T], n_classes: usize) -> Option<(usize, f64)> {
    values
        .iter()
        .map(|v| v.to_f64())
        .enumerate()
        .find(|&(_, v)| class_index(v, n_classes).is_none())
}

/// The classes of a classification target, in index order, like scikit-learn's
/// `LabelEncoder.classes_`: index `i` stands for `classes()[i]`. Serialisable, so a saved model
/// carries the names of what it predicts.
///
/// ```
/// use ember_data::LabelEncoder;
///
/// let labels = LabelEncoder::fit(["virginica", "setosa", "versicolor", "setosa"]);
/// assert_eq!(labels.classes(), &["setosa", "versicolor", "virginica"]);
/// assert_eq!(labels.encode("versicolor"), Some(1));
/// assert_eq!(labels.decode(2), Some("virginica"));
/// assert_eq!(labels.encode("rose"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelEncoder {
    classes: Vec<String>,
}

impl LabelEncoder {
    /// The sorted distinct labels, as scikit-learn sorts them: numerically when every label is
    /// a number (so `"10"` comes after `"9"`), otherwise as strings.
    ///
    /// ```
    /// let labels = ember_data::LabelEncoder::fit(["10", "9", "1"]);
    /// assert_eq!(labels.classes(), &["1", "9", "10"]);
    /// ```
    pub fn fit<S: AsRef<str>>(labels: impl IntoIterator<Item = S>) -> Self {
        let mut classes: Vec<String> = labels.into_iter().map(|s| s.as_ref().to_string()).collect();
        classes.sort_unstable();
        classes.dedup();
        let numbers: Option<Vec<f64>> = classes.iter().map(|c| c.parse().ok()).collect();
        if let Some(numbers) = numbers {
            let mut pairs: Vec<(f64, String)> = numbers.into_iter().zip(classes).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            classes = pairs.into_iter().map(|(_, c)| c).collect();
        }
        Self { classes }
    }

    /// Classes given in index order (e.g. the names that come with a bundled data set).
    ///
    /// ```
    /// let labels = ember_data::LabelEncoder::from_classes(["malignant", "benign"]);
    /// assert_eq!(labels.decode(0), Some("malignant"));
    /// ```
    pub fn from_classes<S: Into<String>>(classes: impl IntoIterator<Item = S>) -> Self {
        Self {
            classes: classes.into_iter().map(Into::into).collect(),
        }
    }

    /// The class names, index `i` first.
    ///
    /// ```
    /// assert_eq!(ember_data::LabelEncoder::fit(["b", "a"]).classes(), &["a", "b"]);
    /// ```
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Number of classes.
    ///
    /// ```
    /// assert_eq!(ember_data::LabelEncoder::fit(["b", "a", "b"]).n_classes(), 2);
    /// ```
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// The index of `label`, if it is one of the classes.
    ///
    /// ```
    /// assert_eq!(ember_data::LabelEncoder::fit(["b", "a"]).encode("b"), Some(1));
    /// ```
    pub fn encode(&self, label: &str) -> Option<usize> {
        self.classes.iter().position(|c| c == label)
    }

    /// The name of class `index`, if there is one.
    ///
    /// ```
    /// assert_eq!(ember_data::LabelEncoder::fit(["b", "a"]).decode(5), None);
    /// ```
    pub fn decode(&self, index: usize) -> Option<&str> {
        self.classes.get(index).map(String::as_str)
    }
}
