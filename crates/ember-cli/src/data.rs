//! Loading an experiment's data, splitting off the test set and fitting the scaler.

use std::borrow::Cow;
use std::path::Path;

use ember::data::csv::{CsvOptions, TargetKind, read_csv_with_notes, read_features};
use ember::data::idx::mnist;
use ember::data::preprocessing::{MinMaxScaler, StandardScaler};
use ember::data::split::{stratified_train_test_split, train_test_split};
use ember::data::{DataError, Dataset, generators};
use ember::model_file::Scaler;

use crate::checks::resolve;
use crate::spec::{DataSpec, Generator, Scaling, Task};

/// The training, validation and test sets (unscaled) and the scaler fitted on the training
/// set.
#[derive(Debug)]
pub struct Splits {
    /// Training samples.
    pub train: Dataset,
    /// Validation samples, when `validation_fraction > 0`.
    pub valid: Option<Dataset>,
    /// Test samples.
    pub test: Dataset,
    /// The scaler, fitted on `train`.
    pub scaler: Option<Scaler>,
}

impl Splits {
    /// `data` with the scaler applied to its features (`data` itself without a scaler).
    pub fn scaled<'a>(&self, data: &'a Dataset) -> Result<Cow<'a, Dataset>, DataError> {
        match &self.scaler {
            Some(s) => Ok(Cow::Owned(data.clone().with_x(s.transform(data.x())?)?)),
            None => Ok(Cow::Borrowed(data)),
        }
    }
}

/// Reads the data `spec` names (paths relative to `base`) and splits it. What the CSV reader
/// guessed where the guess matters (columns without a name left out, the classes a numeric
/// target makes) is printed on stderr, one `ember: note:` line each.
///
/// ```
/// use ember_cli::{DataSpec, Task};
/// let spec = DataSpec { bundled: Some("iris".into()), ..Default::default() };
/// let splits = ember_cli::load_splits(&spec, Task::Classification, ".".as_ref())?;
/// assert_eq!((splits.train.n_samples(), splits.test.n_samples()), (120, 30));
/// # Ok::<(), ember::data::DataError>(())
/// ```
pub fn load_splits(spec: &DataSpec, task: Task, base: &Path) -> Result<Splits, DataError> {
    let (data, test, notes) = read(spec, task, base)?;
    for note in notes {
        eprintln!("ember: note: {note}");
    }
    let split = |data: &Dataset, fraction: f64| {
        if task != Task::Regression && spec.stratify && data.labels().is_some() {
            stratified_train_test_split(data, fraction, spec.split_seed)
        } else {
            train_test_split(data, fraction, spec.split_seed)
        }
    };
    let (train, test) = match test {
        Some(test) => (data, test),
        None => split(&data, spec.test_fraction)?,
    };
    let (train, valid) = if spec.validation_fraction > 0.0 {
        let (train, valid) = split(&train, spec.validation_fraction)?;
        (train, Some(valid))
    } else {
        (train, None)
    };
    if task == Task::Regression {
        scorable(&test, "test", "data.test_fraction")?;
        if let Some(valid) = &valid {
            scorable(valid, "validation", "data.validation_fraction")?;
        }
    }
    let scaler = fit_scaler(spec.scale, train.x())?;
    Ok(Splits {
        train,
        valid,
        test,
        scaler,
    })
}

/// A CSV file's columns as features only (no target), and the reader's notes.
pub(crate) fn unlabelled(
    path: &Path,
    options: &CsvOptions,
) -> Result<(Dataset, Vec<String>), DataError> {
    let rows = read_features::<f64>(path, options)?;
    let n = rows.x.n_rows();
    let data =
        Dataset::new(rows.x, ember::data::Matrix::zeros(n, 0))?.with_feature_names(rows.names)?;
    Ok((data, rows.notes))
}

/// The scaler `scale` asks for, fitted on `x` (the training rows).
pub fn fit_scaler(scale: Scaling, x: &ember::data::Matrix) -> Result<Option<Scaler>, DataError> {
    Ok(match scale {
        Scaling::None => None,
        Scaling::Standard => Some(Scaler::Standard(StandardScaler::fit(x)?)),
        Scaling::MinMax => Some(Scaler::MinMax(MinMaxScaler::fit(x)?)),
    })
}

/// An error before any work when a split is too small to score a regression (R² needs two
/// samples), rather than after training.
fn scorable(split: &Dataset, name: &str, field: &'static str) -> Result<(), DataError> {
    if split.n_samples() >= 2 {
        return Ok(());
    }
    Err(DataError::InvalidParameter {
        name: field,
        message: format!(
            "the {name} split has {} sample(s), and R² needs two: raise it, or bring more rows",
            split.n_samples()
        ),
    })
}

/// How a CSV file is read for `task`: a model that predicts values reads its target as
/// numbers (so text in it is an error naming the line), a classifier decides from the column.
pub fn options_for_task(options: &CsvOptions, task: Task) -> CsvOptions {
    let mut options = options.clone();
    if task == Task::Regression && options.target_kind == TargetKind::Auto {
        options.target_kind = TargetKind::Numeric;
    }
    options
}

/// The test set with its feature columns in the training set's order, matched by name (by
/// position when neither file has a header).
fn same_columns(test: Dataset, features: &[String], file: &Path) -> Result<Dataset, DataError> {
    if test.feature_names() == features {
        return Ok(test);
    }
    test.select_features(features).map_err(|e| DataError::File {
        file: file.display().to_string(),
        message: match e {
            DataError::InvalidParameter { message, .. } => format!("the training file's {message}"),
            other => other.to_string(),
        },
    })
}

/// A classification set whose classes are the distinct target values (LabelEncoder), with a
/// note naming them when they were numbers.
fn as_classes(data: Dataset, notes: &mut Vec<String>, file: &Path) -> Result<Dataset, DataError> {
    if data.labels().is_some() {
        return Ok(data);
    }
    let data = data.encode_classes()?;
    if let Some(labels) = data.labels() {
        let classes = labels.classes();
        let shown = classes
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        notes.push(format!(
            "{}: the classes of `{}` are its {} distinct values: {shown}{}",
            file.display(),
            data.target_names().first().map_or("y", String::as_str),
            classes.len(),
            if classes.len() > 20 { ", …" } else { "" }
        ));
    }
    Ok(data)
}

/// The data set, a separate test set when the spec gives one, and the reader's notes.
type Read = (Dataset, Option<Dataset>, Vec<String>);

/// The data set and test set; for a classifier, with the distinct target values as classes.
fn read(spec: &DataSpec, task: Task, base: &Path) -> Result<Read, DataError> {
    let (data, test, mut notes) = read_source(spec, task, base)?;
    // A clustering keeps the data as read: classes when the reader found labels.
    if task != Task::Classification {
        return Ok((data, test, notes));
    }
    let file = spec.csv.as_deref().unwrap_or(Path::new("data"));
    let mut class_notes = Vec::new();
    let data = as_classes(data, &mut class_notes, file)?;
    if spec.csv.is_some() {
        notes.extend(class_notes);
    }
    let test = match test {
        Some(t) => Some(as_classes(t, &mut Vec::new(), file)?),
        None => None,
    };
    Ok((data, test, notes))
}

fn read_source(spec: &DataSpec, task: Task, base: &Path) -> Result<Read, DataError> {
    if let Some(name) = &spec.bundled {
        return Ok((ember::data::load(name)?, None, Vec::new()));
    }
    if let Some(csv) = &spec.csv
        && task == Task::Clustering
        && spec.csv_options.targets.is_empty()
    {
        // A clustering without a named label column: every column is a feature.
        let (data, mut notes) = unlabelled(&resolve(base, csv), &spec.csv_options)?;
        let test = match &spec.test_csv {
            Some(t) => {
                let path = resolve(base, t);
                let (test, test_notes) = unlabelled(&path, &spec.csv_options)?;
                notes.extend(test_notes);
                Some(same_columns(test, data.feature_names(), &path)?)
            }
            None => None,
        };
        return Ok((data, test, notes));
    }
    if let Some(csv) = &spec.csv {
        let options = options_for_task(&spec.csv_options, task);
        let (data, mut notes) = read_csv_with_notes::<f64>(resolve(base, csv), &options)?;
        let test = match &spec.test_csv {
            Some(t) => {
                let path = resolve(base, t);
                // The target the training file's reading took (its last column), by name.
                let mut options = options.clone();
                if options.targets.is_empty() {
                    options.targets = data
                        .target_names()
                        .iter()
                        .map(|n| n.as_str().into())
                        .collect();
                }
                let (test, test_notes) = read_csv_with_notes::<f64>(&path, &options)?;
                notes.extend(test_notes);
                Some(same_columns(test, data.feature_names(), &path)?)
            }
            None => None,
        };
        return Ok((data, test, notes));
    }
    if let Some(idx) = &spec.idx {
        let data = mnist::<f64>(resolve(base, &idx.images), resolve(base, &idx.labels))?;
        let test = match (&idx.test_images, &idx.test_labels) {
            (Some(i), Some(l)) => Some(mnist::<f64>(resolve(base, i), resolve(base, l))?),
            _ => None,
        };
        return Ok((data, test, Vec::new()));
    }
    if let Some(generator) = &spec.generator {
        let data = match generator {
            Generator::SeedLine(g) => generators::seed_line(g.n_samples, g.seed),
            Generator::MakeRegression(g) => g.generate()?.0,
            Generator::MakeClassification(g) => g.generate()?,
            Generator::MakeBlobs(g) => g.generate()?.0,
            Generator::MakeMoons(g) => g.generate()?,
            Generator::MakeCircles(g) => g.generate()?,
        };
        return Ok((data, None, Vec::new()));
    }
    Err(DataError::File {
        file: "config".into(),
        message: "no data source".into(),
    })
}
