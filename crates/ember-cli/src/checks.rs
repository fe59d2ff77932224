//! The checks an experiment must pass before any work starts, each naming its field.

use std::path::{Path, PathBuf};

use ember::data::bundled::{self, Task as DataTask};
use ember::data::csv::{TargetKind, check_columns};
use ember::train::{Problem, Problems};

use crate::spec::{DataSpec, Experiment, ModelSpec, Task};

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
    p.nest("data", data);
    let kind = experiment.model.kind();
    p.nest("model", {
        let mut m = Problems::default();
        m.nest(kind, model_problems(&experiment.model));
        m
    });
    p.into_vec()
}

fn model_problems(model: &ModelSpec) -> Problems {
    match model {
        ModelSpec::LinearRegression(c) => c.problems(),
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
        ModelSpec::LogisticRegression(c) => c.problems(),
        ModelSpec::MlpClassifier(c) => {
            let mut p = c.problems();
            hidden_given(&mut p, &c.hidden, "logistic_regression");
            run_dir_free(&mut p, c.train.run_dir.as_deref());
            p
        }
        ModelSpec::MlpRegressor(c) => {
            let mut p = c.problems();
            hidden_given(&mut p, &c.hidden, "linear_regression");
            run_dir_free(&mut p, c.train.run_dir.as_deref());
            p
        }
    }
}

fn hidden_given(p: &mut Problems, hidden: &[usize], instead: &str) {
    p.require(!hidden.is_empty(), "hidden", || {
        format!("give at least one hidden layer (with none, use {instead})")
    });
}

fn run_dir_free(p: &mut Problems, run_dir: Option<&Path>) {
    p.require(run_dir.is_none(), "train.run_dir", || {
        "is set by `ember train` (the run directory); use `out` or --out instead".into()
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
    let wants = |found: Task, what: String| {
        (found != task).then(|| match task {
            Task::Classification => {
                format!("{what} has continuous targets; this model needs classes")
            }
            Task::Regression => format!("{what} has classes; this model predicts values"),
        })
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
    if let Some(csv) = &data.csv {
        let path = resolve(base, csv);
        if !path.is_file() {
            p.push("csv", format!("no such file: {}", path.display()));
        } else if let Err(e) = check_columns(&path, &data.csv_options) {
            p.push("csv_options", e.to_string());
        }
        if task == Task::Regression && data.csv_options.target_kind == TargetKind::Labels {
            p.push(
                "csv_options.target_kind",
                "`labels` makes classes; this model predicts values",
            );
        }
    }
    if let Some(test) = &data.test_csv {
        let path = resolve(base, test);
        if data.csv.is_none() {
            p.push("test_csv", "needs `csv`, the training file");
        } else if !path.is_file() {
            p.push("test_csv", format!("no such file: {}", path.display()));
        }
    }
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

/// `path` relative to `base` unless absolute.
pub(crate) fn resolve(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}
