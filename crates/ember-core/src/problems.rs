//! Every problem of a configuration at once, each naming its field: what a config file's
//! validation reports before any work starts, and what `validate` turns into its first error.

use std::fmt;

/// One invalid setting: the field as a dotted path (`optimizer.beta1`) and what is wrong.
///
/// ```
/// let p = ember_core::Problem::new("batch_size", "must be at least 1");
/// assert_eq!(p.to_string(), "`batch_size`: must be at least 1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field's path, as in a config file.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl Problem {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.message)
    }
}

/// A list of [`Problem`]s being collected, with the checks configs need.
///
/// ```
/// use ember_core::Problems;
/// let mut p = Problems::default();
/// p.positive("learning_rate", -1.0);
/// p.at_least_one("epochs", 0);
/// p.unit_interval("momentum", 0.5);
/// let all = p.into_vec();
/// assert_eq!(all.len(), 2);
/// assert_eq!(all[0].message, "must be positive and finite, got -1");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// Records a problem with `field`.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem::new(field, message));
    }

    /// Records `message` for `field` unless `ok`.
    pub fn require(&mut self, ok: bool, field: &str, message: impl FnOnce() -> String) {
        if !ok {
            self.push(field, message());
        }
    }

    /// `value > 0` and finite.
    pub fn positive(&mut self, field: &str, value: f64) {
        self.require(value > 0.0 && value.is_finite(), field, || {
            format!("must be positive and finite, got {value}")
        });
    }

    /// `value ≥ 0` and finite.
    pub fn non_negative(&mut self, field: &str, value: f64) {
        self.require(value >= 0.0 && value.is_finite(), field, || {
            format!("must be ≥ 0, got {value}")
        });
    }

    /// `value` in `[0, 1)`.
    pub fn unit_interval(&mut self, field: &str, value: f64) {
        self.require((0.0..1.0).contains(&value), field, || {
            format!("must be in [0, 1), got {value}")
        });
    }

    /// `value` in `(0, 1)`.
    pub fn open_unit_interval(&mut self, field: &str, value: f64) {
        self.require(value > 0.0 && value < 1.0, field, || {
            format!("must be in (0, 1), got {value}")
        });
    }

    /// `value ≥ 1`.
    pub fn at_least_one(&mut self, field: &str, value: usize) {
        self.require(value >= 1, field, || "must be at least 1".into());
    }

    /// Adds `inner`'s problems with `prefix.` before each field (an empty field becomes
    /// `prefix`).
    pub fn nest(&mut self, prefix: &str, inner: Problems) {
        self.0.extend(inner.0.into_iter().map(|p| Problem {
            field: if p.field.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{}", p.field)
            },
            message: p.message,
        }));
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, in the order they were found.
    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }

    /// The first problem, if any.
    pub fn first(self) -> Option<Problem> {
        self.0.into_iter().next()
    }
}
