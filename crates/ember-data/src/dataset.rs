//! A supervised data set: features, targets and their names.

use crate::labels::{class_index, first_non_class};
use crate::{DataError, LabelEncoder, Matrix, Scalar};

/// Features `x` (samples × features) and targets `y` (samples × outputs), with names, and for
/// classification the class names (`y` then holds class indices `0, 1, …`). Element type `f64`
/// by default, `f32` for training at half the memory ([`cast`](Self::cast) converts).
///
/// ```
/// use ember_data::{Dataset, Matrix};
///
/// let x = Matrix::from_rows(&[[1.0], [2.0]])?;
/// let y = Matrix::column(vec![3.0, 5.0]);
/// let data = Dataset::new(x, y)?.with_feature_names(["x"])?;
/// assert_eq!(data.feature_names(), &["x".to_string()]);
/// assert_eq!(data.target_names(), &["y".to_string()]);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset<T: Scalar = f64> {
    x: Matrix<T>,
    y: Matrix<T>,
    feature_names: Vec<String>,
    target_names: Vec<String>,
    labels: Option<LabelEncoder>,
}

/// More classes than this are taken for a mistake (a continuous target), not a class count.
const MAX_CLASSES: usize = 10_000_000;

impl<T: Scalar> Dataset<T> {
    /// A data set; `x` and `y` must have the same number of rows. Names default to
    /// `x0, x1, …` and `y` (or `y0, y1, …` for several outputs).
    ///
    /// ```
    /// use ember_data::{Dataset, Matrix};
    /// assert!(Dataset::new(Matrix::<f64>::zeros(3, 1), Matrix::zeros(2, 1)).is_err());
    /// ```
    pub fn new(x: Matrix<T>, y: Matrix<T>) -> Result<Self, DataError> {
        if x.n_rows() != y.n_rows() {
            return Err(DataError::Mismatch {
                what: "rows of X vs rows of y",
                left: x.n_rows(),
                right: y.n_rows(),
            });
        }
        let feature_names = (0..x.n_cols()).map(|j| format!("x{j}")).collect();
        let target_names = if y.n_cols() == 1 {
            vec!["y".to_string()]
        } else {
            (0..y.n_cols()).map(|j| format!("y{j}")).collect()
        };
        Ok(Self {
            x,
            y,
            feature_names,
            target_names,
            labels: None,
        })
    }

    /// The same data with feature names (one per column of `x`).
    ///
    /// ```
    /// use ember_data::{Dataset, Matrix};
    /// let d = Dataset::new(Matrix::<f64>::zeros(1, 2), Matrix::zeros(1, 1))?;
    /// assert!(d.with_feature_names(["only one"]).is_err());
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn with_feature_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self, DataError> {
        self.feature_names = names_for(names, self.x.n_cols(), "feature names vs columns of X")?;
        Ok(self)
    }

    /// The same data with target names (one per column of `y`).
    ///
    /// ```
    /// use ember_data::{Dataset, Matrix};
    /// let d = Dataset::new(Matrix::<f64>::zeros(1, 2), Matrix::zeros(1, 1))?.with_target_names(["price"])?;
    /// assert_eq!(d.target_names()[0], "price");
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn with_target_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self, DataError> {
        self.target_names = names_for(names, self.y.n_cols(), "target names vs columns of y")?;
        Ok(self)
    }

    /// The same data as a classification set: `y` must be one column of class indices
    /// `0..labels.n_classes()`.
    ///
    /// ```
    /// use ember_data::{Dataset, LabelEncoder, Matrix};
    /// let d = Dataset::new(Matrix::<f64>::zeros(2, 1), Matrix::column(vec![0.0, 1.0]))?;
    /// let d = d.with_labels(LabelEncoder::from_classes(["no", "yes"]))?;
    /// assert_eq!(d.labels().map(|l| l.n_classes()), Some(2));
    /// let bad = Dataset::new(Matrix::<f64>::zeros(1, 1), Matrix::column(vec![2.0]))?;
    /// assert!(bad.with_labels(LabelEncoder::from_classes(["no", "yes"])).is_err());
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn with_labels(mut self, labels: LabelEncoder) -> Result<Self, DataError> {
        if self.y.n_cols() != 1 {
            return Err(DataError::InvalidParameter {
                name: "labels",
                message: format!(
                    "class labels need one target column, y has {}",
                    self.y.n_cols()
                ),
            });
        }
        if let Some((row, _)) = first_non_class(self.y.as_slice(), labels.n_classes()) {
            return Err(DataError::InvalidParameter {
                name: "labels",
                message: format!(
                    "row {row} of y is {}, not a class index in 0..{}",
                    self.y.get(row, 0),
                    labels.n_classes()
                ),
            });
        }
        self.labels = Some(labels);
        Ok(self)
    }

    /// The same data as a classification set whose classes are the distinct values of its
    /// target column, as scikit-learn's `LabelEncoder` makes them: targets {3, 5, 8} become
    /// classes `"3"`, `"5"`, `"8"` at indices 0, 1, 2, however far apart the numbers are. A set
    /// that has class labels is returned as it is.
    ///
    /// ```
    /// use ember_data::{Dataset, Matrix};
    /// let d = Dataset::new(Matrix::<f64>::zeros(4, 1), Matrix::column(vec![100000.0, 0.0, 0.5, -0.0]))?;
    /// let d = d.encode_classes()?;
    /// assert_eq!(d.labels().unwrap().classes(), &["0", "0.5", "100000"]);
    /// assert_eq!(d.y().as_slice(), &[2.0, 0.0, 1.0, 0.0]);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn encode_classes(mut self) -> Result<Self, DataError> {
        if self.labels.is_some() {
            return Ok(self);
        }
        if self.y.n_cols() != 1 {
            return Err(DataError::InvalidParameter {
                name: "y",
                message: format!("classes need one target column, y has {}", self.y.n_cols()),
            });
        }
        self.y.check_finite("y")?;
        // `+ 0.0` makes -0 the class 0 (numpy's rounding writes `-0`).
        let value = |v: &T| v.to_f64() + 0.0;
        let mut values: Vec<f64> = self.y.as_slice().iter().map(value).collect();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let index = |v: f64| values.partition_point(|&u| u < v);
        let codes: Vec<T> = (self.y.as_slice().iter())
            .map(|v| T::from_f64(index(value(v)) as f64))
            .collect();
        let n = codes.len();
        self.y = Matrix::new(n, 1, codes)?;
        self.labels = Some(LabelEncoder::from_classes(
            values.iter().map(|v| v.to_string()),
        ));
        Ok(self)
    }

    /// The number of classes: the labels' when the set has them; otherwise the targets must be
    /// class indices `0..k` with every class present (else a class would exist that no sample
    /// has: [`encode_classes`](Self::encode_classes) makes the distinct values the classes).
    ///
    /// ```
    /// use ember_data::{Dataset, Matrix};
    /// let d = Dataset::new(Matrix::<f64>::zeros(3, 1), Matrix::column(vec![0.0, 2.0, 1.0]))?;
    /// assert_eq!(d.n_classes()?, 3);
    /// let gap = Dataset::new(Matrix::<f64>::zeros(2, 1), Matrix::column(vec![0.0, 100000.0]))?;
    /// assert!(gap.n_classes().unwrap_err().to_string().contains("no sample has class 1"));
    /// assert_eq!(gap.encode_classes()?.n_classes()?, 2);
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn n_classes(&self) -> Result<usize, DataError> {
        if let Some(labels) = &self.labels {
            return Ok(labels.n_classes());
        }
        let invalid = |message: String| DataError::InvalidParameter { name: "y", message };
        if self.y.n_cols() != 1 {
            return Err(invalid(format!(
                "classes need one target column, y has {}",
                self.y.n_cols()
            )));
        }
        let mut seen: Vec<bool> = Vec::new();
        for (row, v) in self.y.as_slice().iter().enumerate() {
            let v = v.to_f64();
            let Some(k) = class_index(v, MAX_CLASSES) else {
                return Err(invalid(format!(
                    "row {row} of y is {v}, not a class index 0, 1, 2, …; encode_classes() makes the distinct values the classes"
                )));
            };
            if k >= seen.len() {
                seen.resize(k + 1, false);
            }
            seen[k] = true;
        }
        match seen.iter().position(|s| !s) {
            Some(k) => Err(invalid(format!(
                "the targets are not class indices 0..{}: no sample has class {k}; encode_classes() makes the distinct values the classes",
                seen.len()
            ))),
            None => Ok(seen.len()),
        }
    }

    /// An error when the targets are class labels, for models that predict values: labels
    /// are class indices, and a regression on them fits their ranks.
    ///
    /// ```
    /// let iris = ember_data::load("iris")?;
    /// assert!(iris.check_numeric_targets().unwrap_err().to_string().contains("class labels"));
    /// assert!(ember_data::load("diabetes")?.check_numeric_targets().is_ok());
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn check_numeric_targets(&self) -> Result<(), DataError> {
        let Some(labels) = &self.labels else {
            return Ok(());
        };
        let shown: Vec<&str> = labels
            .classes()
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        Err(DataError::InvalidParameter {
            name: "y",
            message: format!(
                "the target `{}` holds class labels ({}{}), and a model that predicts values needs numbers",
                self.target_names.first().map_or("y", String::as_str),
                shown.join(", "),
                if labels.n_classes() > 5 { ", …" } else { "" }
            ),
        })
    }

    /// The class names when this is a classification set.
    ///
    /// ```
    /// assert!(ember_data::generators::seed_line(3, 0).labels().is_none());
    /// ```
    pub fn labels(&self) -> Option<&LabelEncoder> {
        self.labels.as_ref()
    }

    /// The class index of every sample, when this is a classification set.
    ///
    /// ```
    /// let iris = ember_data::load("iris")?;
    /// assert_eq!(iris.classes().map(|c| c[0]), Some(0));
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn classes(&self) -> Option<Vec<usize>> {
        self.labels.as_ref().map(|_| {
            self.y
                .as_slice()
                .iter()
                .map(|v| v.to_f64() as usize)
                .collect()
        })
    }

    /// The class index of every sample, checked: the targets of a classification set, or one
    /// target column of whole numbers `0..k` with every class present (see
    /// [`n_classes`](Self::n_classes)); an error naming the first row that is not.
    ///
    /// ```
    /// use ember_data::{Dataset, Matrix};
    /// assert_eq!(ember_data::load("iris")?.class_indices()?[149], 2);
    /// let y = Dataset::new(Matrix::<f64>::zeros(2, 1), Matrix::column(vec![1.0, 0.0]))?;
    /// assert_eq!(y.class_indices()?, vec![1, 0]);
    /// let bad = Dataset::new(Matrix::<f64>::zeros(2, 1), Matrix::column(vec![0.5, 0.0]))?;
    /// assert!(bad.class_indices().unwrap_err().to_string().contains("row 0 of y is 0.5"));
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn class_indices(&self) -> Result<Vec<usize>, DataError> {
        self.n_classes()?;
        Ok(self
            .y
            .as_slice()
            .iter()
            .map(|v| v.to_f64() as usize)
            .collect())
    }

    /// How many samples each class has (index `k` for class `k`), when this is a classification
    /// set, like `numpy.bincount(y, minlength=n_classes)`.
    ///
    /// ```
    /// assert_eq!(ember_data::load("iris")?.class_counts(), Some(vec![50, 50, 50]));
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        let labels = self.labels.as_ref()?;
        let mut counts = vec![0; labels.n_classes()];
        for v in self.y.as_slice() {
            counts[v.to_f64() as usize] += 1;
        }
        Some(counts)
    }

    /// The same data with another element type.
    ///
    /// ```
    /// let d = ember_data::generators::seed_line(3, 0).cast::<f32>();
    /// assert_eq!(d.x().shape(), (3, 1));
    /// ```
    pub fn cast<U: Scalar>(&self) -> Dataset<U> {
        Dataset {
            x: self.x.cast(),
            y: self.y.cast(),
            feature_names: self.feature_names.clone(),
            target_names: self.target_names.clone(),
            labels: self.labels.clone(),
        }
    }

    /// The same data with the features replaced (e.g. scaled); the names stay.
    ///
    /// ```
    /// let d = ember_data::generators::seed_line(3, 0);
    /// let doubled = d.x().cast::<f64>();
    /// assert!(d.clone().with_x(doubled).is_ok());
    /// assert!(d.with_x(ember_data::Matrix::zeros(2, 1)).is_err());
    /// ```
    pub fn with_x(mut self, x: Matrix<T>) -> Result<Self, DataError> {
        if x.shape() != self.x.shape() {
            return Err(DataError::InvalidParameter {
                name: "x",
                message: format!(
                    "the new features are {}×{}, the data set's are {}×{}",
                    x.n_rows(),
                    x.n_cols(),
                    self.x.n_rows(),
                    self.x.n_cols()
                ),
            });
        }
        self.x = x;
        Ok(self)
    }

    /// The same data with only the feature columns `names`, in that order (pandas'
    /// `df[names]`): how another file's columns are matched to a model's by name.
    ///
    /// ```
    /// use ember_data::{Dataset, Matrix};
    /// let d = Dataset::new(Matrix::from_rows(&[[1.0, 2.0, 3.0]])?, Matrix::column(vec![0.0]))?
    ///     .with_feature_names(["a", "b", "c"])?;
    /// let picked = d.select_features(&["c", "a"])?;
    /// assert_eq!((picked.x().as_slice(), picked.feature_names()), (&[3.0, 1.0][..], &["c".to_string(), "a".to_string()][..]));
    /// let err = d.select_features(&["a", "z"]).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid parameter `features`: the feature columns `z` are missing (the data has a, b, c)");
    /// # Ok::<(), ember_data::DataError>(())
    /// ```
    pub fn select_features<S: AsRef<str>>(&self, names: &[S]) -> Result<Self, DataError> {
        let position = |n: &S| self.feature_names.iter().position(|f| f == n.as_ref());
        let Some(positions) = names.iter().map(position).collect::<Option<Vec<usize>>>() else {
            let missing: Vec<String> = names
                .iter()
                .filter(|n| position(n).is_none())
                .map(|n| format!("`{}`", n.as_ref()))
                .collect();
            return Err(DataError::InvalidParameter {
                name: "features",
                message: format!(
                    "the feature columns {} are missing (the data has {})",
                    missing.join(", "),
                    self.feature_names.join(", ")
                ),
            });
        };
        let x = Matrix::from_fn(self.x.n_rows(), positions.len(), |i, j| {
            self.x.get(i, positions[j])
        });
        Ok(Self {
            x,
            y: self.y.clone(),
            feature_names: names.iter().map(|n| n.as_ref().to_string()).collect(),
            target_names: self.target_names.clone(),
            labels: self.labels.clone(),
        })
    }

    /// Features, samples × features.
    ///
    /// ```
    /// # let d = ember_data::generators::seed_line(5, 0);
    /// assert_eq!(d.x().shape(), (5, 1));
    /// ```
    pub fn x(&self) -> &Matrix<T> {
        &self.x
    }

    /// Targets, samples × outputs.
    ///
    /// ```
    /// # let d = ember_data::generators::seed_line(5, 0);
    /// assert_eq!(d.y().shape(), (5, 1));
    /// ```
    pub fn y(&self) -> &Matrix<T> {
        &self.y
    }

    /// Feature names.
    ///
    /// ```
    /// # let d = ember_data::generators::seed_line(5, 0);
    /// assert_eq!(d.feature_names(), &["x".to_string()]);
    /// ```
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Target names.
    ///
    /// ```
    /// # let d = ember_data::generators::seed_line(5, 0);
    /// assert_eq!(d.target_names(), &["y".to_string()]);
    /// ```
    pub fn target_names(&self) -> &[String] {
        &self.target_names
    }

    /// Number of samples.
    ///
    /// ```
    /// assert_eq!(ember_data::generators::seed_line(7, 0).n_samples(), 7);
    /// ```
    pub fn n_samples(&self) -> usize {
        self.x.n_rows()
    }

    /// The samples at `indices`, in that order, keeping the names.
    ///
    /// ```
    /// let d = ember_data::generators::seed_line(10, 0);
    /// assert_eq!(d.select(&[3, 1]).y().as_slice(), &[d.y().get(3, 0), d.y().get(1, 0)]);
    /// ```
    pub fn select(&self, indices: &[usize]) -> Self {
        Self {
            x: self.x.select_rows(indices),
            y: self.y.select_rows(indices),
            feature_names: self.feature_names.clone(),
            target_names: self.target_names.clone(),
            labels: self.labels.clone(),
        }
    }

    /// `(x, y)`, by value.
    ///
    /// ```
    /// let (x, y) = ember_data::generators::seed_line(3, 0).into_parts();
    /// assert_eq!((x.n_rows(), y.n_rows()), (3, 3));
    /// ```
    pub fn into_parts(self) -> (Matrix<T>, Matrix<T>) {
        (self.x, self.y)
    }
}

fn names_for<S: Into<String>>(
    names: impl IntoIterator<Item = S>,
    expected: usize,
    what: &'static str,
) -> Result<Vec<String>, DataError> {
    let names: Vec<String> = names.into_iter().map(Into::into).collect();
    if names.len() != expected {
        return Err(DataError::Mismatch {
            what,
            left: names.len(),
            right: expected,
        });
    }
    Ok(names)
}
