//! The checks an experiment must pass before any work starts, each naming its field.

use std::path::{Path, PathBuf};

use ember::core::{Problem, Problems};
use ember::data::bundled::{self, Task as DataTask};
use ember::data::csv::{Missing, TargetKind, check_columns, column_names};
use ember::models::linear::Solver;
use ember::models::logistic::LogisticSolver;
use ember::train::{Objective, TrainConfig};

use crate::spec::{DataSpec, Experiment, ModelSpec, Scaling, Task};
use ember::models::kmeans::KMeansInit;

/// Every problem with `experiment`, whose relative data paths are relative to `base`.
///
/// ```
/// let e: ember_cli::Experiment = toml::from_str(r#"
///     [data]
///     bundled = "diabetes"
///     test_fraction = 1.5
///     [model.logistic_regression]
///     c = -1.0
/// "#)?;
/// let fields: Vec<String> = ember_cli::problems(&e, ".".as_ref()).into_iter().map(|p| p.field).collect();
/// assert_eq!(fields, ["data.test_fraction", "data.bundled", "model.logistic_regression.c"]);
/// # Ok::<(), toml::de::Error>(())
/// ```
pub fn problems(experiment: &Experiment, base: &Path) -> Vec<Problem> {
    let mut p = Problems::default();
    if !experiment.device.is_compiled() {
        p.push(
            "device",
            format!(
                "`{}` is not compiled into this build (compiled: auto, {}); rebuild with the Cargo feature `{}`",
                experiment.device,
                ember::DeviceChoice::compiled()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                experiment.device
            ),
        );
    }
    if experiment
        .out
        .as_ref()
        .is_some_and(|o| o.as_os_str().is_empty())
    {
        p.push(
            "out",
            "is empty, which would write the run into the current directory; give a folder, or leave `out` out for runs/<config name>",
        );
    }
    let task = experiment.model.task();
    let mut spec = experiment.model.clone();
    if experiment.data.validation_fraction > 0.0
        && let Some(train) = spec.train_mut()
        && train.validation_fraction > 0.0
    {
        p.push(
            "data.validation_fraction",
            format!(
                "hold out a validation set once: data.validation_fraction or model.{}.train.validation_fraction",
                experiment.model.kind()
            ),
        );
    }
    let mut data = Problems::default();
    data_problems(&mut data, &experiment.data, task, base);
    if experiment.data.cache.is_some() {
        cache_problems(&mut data, experiment);
    }
    p.nest("data", data);
    if experiment.data.streaming == Some(true) {
        streaming_problems(&mut p, experiment);
    }
    let kind = experiment.model.kind();
    p.nest("model", {
        let mut m = Problems::default();
        let has_valid = experiment.data.validation_fraction > 0.0;
        let mut k = model_problems(&experiment.model, has_valid);
        if let ModelSpec::Kmeans(c) = &experiment.model
            && matches!(c.init, KMeansInit::Centres(_))
            && experiment.data.scale != Scaling::None
        {
            k.push(
                "init",
                "the centres are in the data's units, but data.scale fits on scaled features: give scale = \"none\", or let k-means++ choose",
            );
        }
        m.nest(kind, k);
        m
    });
    p.into_vec()
}

/// What `data.streaming = true` cannot do: it streams a CSV file into least squares, one
/// pass, unscaled, with no validation split and nothing to impute.
fn streaming_problems(p: &mut Problems, experiment: &Experiment) {
    for (field, message) in stream_obstacles(experiment) {
        p.push(field, format!("data.streaming = true: {message}"));
    }
}

/// What `data.cache` cannot do: it converts a CSV file into a row file for an
/// `mlp_classifier`, holds the test rows out by hash, and scales by moments of one pass.
fn cache_problems(p: &mut Problems, experiment: &Experiment) {
    let data = &experiment.data;
    let mut say = |field: &str, message: &str| p.push(field, format!("data.cache: {message}"));
    if data.csv.is_none() {
        say("cache", "converts a CSV file: give data.csv");
    }
    if !matches!(experiment.model, ModelSpec::MlpClassifier(_)) {
        say(
            "cache",
            &format!(
                "trains mlp_classifier from disk; {} reads its data into memory (leave cache out)",
                experiment.model.kind()
            ),
        );
    }
    if data.streaming == Some(true) {
        say(
            "streaming",
            "streaming is for least squares; give one of the two",
        );
    }
    if data.test_csv.is_some() {
        say(
            "test_csv",
            "the test rows are held out of data.csv by hash; leave test_csv out",
        );
    }
    if data.validation_fraction > 0.0 {
        say(
            "validation_fraction",
            "hold the validation rows out with model.mlp_classifier.train.validation_fraction",
        );
    }
    if data.scale == Scaling::MinMax {
        say("scale", "scales with \"standard\" or \"none\"");
    }
}

/// Whether the experiment could stream its data (every setting allows it).
pub(crate) fn can_stream(experiment: &Experiment) -> bool {
    stream_obstacles(experiment).is_empty()
}

/// The settings that keep an experiment from streaming, each (by its full path) with its
/// reason.
fn stream_obstacles(experiment: &Experiment) -> Vec<(String, String)> {
    let data = &experiment.data;
    let mut obstacles: Vec<(String, String)> = Vec::new();
    let mut say = |field: &str, message: &str| obstacles.push((field.into(), message.into()));
    if data.csv.is_none() {
        say("data.streaming", "streams a CSV file: give data.csv");
    }
    match &experiment.model {
        ModelSpec::LinearRegression(c) | ModelSpec::Ridge(c)
            if matches!(c.solver, Solver::Auto | Solver::Lstsq) => {}
        ModelSpec::LinearRegression(c) | ModelSpec::Ridge(c) => say(
            &format!("model.{}.solver", experiment.model.kind()),
            &format!(
                "fits least squares in one pass: give solver \"auto\" or \"lstsq\" (not {})",
                toml::Value::try_from(c.solver)
                    .map_or_else(|_| format!("{:?}", c.solver), |v| v.to_string())
            ),
        ),
        other => say(
            "data.streaming",
            &format!(
                "fits least squares in one pass (linear_regression or ridge); not {}",
                other.kind()
            ),
        ),
    }
    if data.scale != Scaling::None {
        say(
            "data.scale",
            "least squares needs no scaling, and fitting a scaler takes a pass of its own: give scale = \"none\"",
        );
    }
    if data.validation_fraction > 0.0 {
        say(
            "data.validation_fraction",
            "a closed-form fit has no use for a validation split: give 0",
        );
    }
    if data.csv_options.missing == Missing::Keep {
        say(
            "data.csv_options.missing",
            "imputing needs the column means before the fit: give \"error\" or \"drop_rows\"",
        );
    }
    obstacles
}

/// The model's problems; `has_valid`: whether the data section holds out a validation set.
fn model_problems(model: &ModelSpec, has_valid: bool) -> Problems {
    match model {
        ModelSpec::LinearRegression(c) => {
            let mut p = c.problems();
            if c.solver == Solver::GradientDescent {
                let train = c.gradient_descent.train_config(usize::MAX);
                let regression = Objective::MeanSquaredError { n_outputs: 1 };
                let mut g = Problems::default();
                // Linear models are not given data.validation_fraction's set.
                monitored_metric(&mut g, &train, regression, false, "");
                p.nest("gradient_descent", g);
            }
            p
        }
        ModelSpec::Ridge(c) => {
            let mut p = c.problems();
            if c.alpha == 0.0 {
                p.push(
                    "alpha",
                    "ridge needs a penalty alpha > 0 (alpha = 0 is linear_regression)",
                );
            }
            p
        }
        ModelSpec::LogisticRegression(c) => {
            let mut p = c.problems();
            if c.solver == LogisticSolver::GradientDescent {
                classifier_metric(&mut p, &c.train, has_valid);
            }
            p
        }
        ModelSpec::MlpClassifier(c) => {
            let mut p = c.problems();
            classifier_metric(&mut p, &c.train, has_valid);
            hidden_given(&mut p, &c.hidden, "logistic_regression");
            p
        }
        ModelSpec::MlpRegressor(c) => {
            let mut p = c.problems();
            let regression = Objective::MeanSquaredError { n_outputs: 1 };
            monitored_metric(&mut p, &c.train, regression, has_valid, "train");
            hidden_given(&mut p, &c.hidden, "linear_regression");
            p
        }
        // Kinds with nothing to check beyond their own config.
        other => other.estimator().problems(),
    }
}

/// [`monitored_metric`] for a classifier's `train` table (any number of classes: the names are
/// those of every classifier).
fn classifier_metric(p: &mut Problems, train: &TrainConfig, has_valid: bool) {
    monitored_metric(p, train, Objective::BinaryCrossEntropy, has_valid, "train");
}

/// The metric early stopping watches must be one the run writes (the training loop refuses it
/// too, but only once the data is read); `table` is where the loop's settings are (`train`, or
/// `""` where they are the model's own, as gradient descent's).
fn monitored_metric(
    p: &mut Problems,
    train: &TrainConfig,
    objective: Objective,
    has_valid: bool,
    table: &str,
) {
    let Some(es) = &train.early_stopping else {
        return;
    };
    let field = "early_stopping.metric";
    if train.problems().into_vec().iter().any(|x| x.field == field) {
        return; // not a metric name at all: reported with the training settings
    }
    let has_valid = has_valid || train.validation_fraction > 0.0;
    let produced = objective.metric_names(has_valid);
    let at = if table.is_empty() {
        field.to_string()
    } else {
        format!("{table}.{field}")
    };
    p.require(produced.contains(&es.metric), &at, || {
        let settings = if table.is_empty() {
            "validation_fraction beside it"
        } else {
            "data.validation_fraction or train.validation_fraction"
        };
        let hint = if es.metric.starts_with("valid_") && !has_valid {
            format!(" (valid_ metrics need a validation set: {settings})")
        } else {
            String::new()
        };
        format!(
            "`{}` is not a metric this run produces; it produces {}{hint}",
            es.metric,
            produced.join(", ")
        )
    });
}

fn hidden_given(p: &mut Problems, hidden: &[usize], instead: &str) {
    p.require(!hidden.is_empty(), "hidden", || {
        format!("give at least one hidden layer (with none, use {instead})")
    });
}

fn data_problems(p: &mut Problems, data: &DataSpec, task: Task, base: &Path) {
    let sources = [
        ("bundled", data.bundled.is_some()),
        ("csv", data.csv.is_some()),
        ("idx", data.idx.is_some()),
        ("generator", data.generator.is_some()),
    ];
    let given: Vec<&str> = sources.iter().filter(|s| s.1).map(|s| s.0).collect();
    match given.as_slice() {
        [] => p.push(
            "",
            "no data source: give one of bundled, csv, idx or generator",
        ),
        [_] => {}
        [_, second, ..] => p.push(
            *second,
            format!("give one data source, not {}", given.join(" and ")),
        ),
    }
    p.open_unit_interval("test_fraction", data.test_fraction);
    p.unit_interval("validation_fraction", data.validation_fraction);
    // A clustering takes any data: its classes, if any, only score it.
    let wants = |found: Task, what: String| match task {
        Task::Clustering => None,
        _ if found == task => None,
        Task::Classification => Some(format!(
            "{what} has continuous targets; this model needs classes"
        )),
        Task::Regression => Some(format!("{what} has classes; this model predicts values")),
    };
    if let Some(name) = &data.bundled {
        match bundled::info(name) {
            Err(e) => p.push("bundled", e.to_string()),
            Ok(info) => {
                let found = match info.task {
                    DataTask::Classification => Task::Classification,
                    _ => Task::Regression,
                };
                if let Some(m) = wants(found, format!("`{}`", info.name)) {
                    p.push("bundled", m);
                }
            }
        }
    }
    if let Some(g) = &data.generator
        && let Some(m) = wants(g.task(), "this generator".into())
    {
        p.push("generator", m);
    }
    csv_problems(p, data, task, base);
    if let Some(idx) = &data.idx {
        let files = [
            ("idx.images", Some(&idx.images)),
            ("idx.labels", Some(&idx.labels)),
            ("idx.test_images", idx.test_images.as_ref()),
            ("idx.test_labels", idx.test_labels.as_ref()),
        ];
        for (field, file) in files {
            if let Some(file) = file {
                let path = resolve(base, file);
                if !path.is_file() {
                    p.push(
                        field,
                        format!(
                            "no such file: {} (scripts/fetch_mnist.sh fetches MNIST)",
                            path.display()
                        ),
                    );
                }
            }
        }
        if idx.test_images.is_some() != idx.test_labels.is_some() {
            p.push("idx", "give both test_images and test_labels, or neither");
        }
        if task == Task::Regression {
            p.push("idx", "IDX labels are classes; this model predicts values");
        }
    }
}

/// The CSV files' problems: each must exist and have the columns `csv_options` names; a test
/// file must have the training file's columns.
fn csv_problems(p: &mut Problems, data: &DataSpec, task: Task, base: &Path) {
    if let Some(csv) = &data.csv {
        let path = resolve(base, csv);
        if let Some(m) = not_a_file(&path) {
            p.push("csv", m);
        } else if let Err(e) = check_columns(&path, &data.csv_options) {
            p.push("csv_options", e.to_string());
        }
        if task == Task::Regression && data.csv_options.target_kind == TargetKind::Labels {
            p.push(
                "csv_options.target_kind",
                "`labels` makes classes; this model predicts values",
            );
        }
        if data.csv_options.missing == Missing::Keep {
            p.push(
                "csv_options.missing",
                "`keep` leaves missing values as NaN, and `ember train` does not impute them; use \"drop_rows\", or fill them in beforehand",
            );
        }
    }
    if let Some(test) = &data.test_csv {
        let path = resolve(base, test);
        let problem = match (&data.csv, not_a_file(&path)) {
            (None, _) => Some("needs `csv`, the training file".to_string()),
            (Some(_), Some(m)) => Some(m),
            (Some(train), None) => test_columns(&resolve(base, train), &path, data),
        };
        if let Some(m) = problem {
            p.push("test_csv", m);
        }
    }
}

/// What is wrong with `path` as a data file: missing, or a directory.
fn not_a_file(path: &Path) -> Option<String> {
    if path.is_dir() {
        Some(format!("{} is a directory, not a file", path.display()))
    } else if !path.is_file() {
        Some(format!("no such file: {}", path.display()))
    } else {
        None
    }
}

/// Why the test file does not fit the training file's columns, if it does not.
fn test_columns(train: &Path, test: &Path, data: &DataSpec) -> Option<String> {
    if let Err(e) = check_columns(test, &data.csv_options) {
        return Some(e.to_string());
    }
    let names = |path: &Path| column_names(path, &data.csv_options).ok();
    let (train_names, test_names) = (names(train)?, names(test)?);
    let missing: Vec<String> = train_names
        .iter()
        .filter(|n| !n.starts_with("Unnamed: ") && !test_names.contains(n))
        .map(|n| format!("`{n}`"))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "{} lacks the training file's columns {} (it has {})",
            test.display(),
            missing.join(", "),
            test_names.join(", ")
        )
    })
}

/// `path` relative to `base` unless absolute.
pub(crate) fn resolve(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}
