//! What an experiment file says: the data, the model (the library's own config structs), the
//! device and the output folder.

use std::path::PathBuf;

use ember::DeviceChoice;
use ember::data::csv::CsvOptions;
use ember::data::generators::{
    MakeBlobs, MakeCircles, MakeClassification, MakeMoons, MakeRegression,
};
use ember::models::kmeans::KMeansConfig;
use ember::models::linear::LinearRegressionConfig;
use ember::models::logistic::LogisticRegressionConfig;
use ember::models::mlp::{MlpClassifierConfig, MlpRegressorConfig};
use ember::models::{Estimator, Task as ModelTask};
use ember::train::{RunOptions, TrainConfig};
use serde::{Deserialize, Serialize};

/// One experiment: a TOML file in `configs/`.
///
/// ```
/// let e: ember_cli::Experiment = toml::from_str(r#"
///     [data]
///     bundled = "iris"
///     [model.logistic_regression]
///     c = 10.0
/// "#)?;
/// assert_eq!(e.model.kind(), "logistic_regression");
/// assert_eq!(e.data.test_fraction, 0.2);
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// What the experiment is for (shown by `ember inspect` and in sweep tables).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The backend: `auto`, `flex`, `ndarray` or `wgpu`.
    #[serde(default)]
    pub device: DeviceChoice,
    /// The run directory (relative to the working directory); `runs/<config name>` if unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out: Option<PathBuf>,
    /// Write TensorBoard's event file into the run directory for models trained in epochs
    /// (`tensorboard --logdir runs/`); `false` leaves only `metrics.jsonl`.
    #[serde(default = "yes")]
    pub tensorboard: bool,
    /// The ember and burn versions that ran it: written into a run's resolved `config.toml`,
    /// for the record (not read back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Versions>,
    /// Where the data comes from and how it is split and scaled.
    pub data: DataSpec,
    /// The model and its hyper-parameters.
    pub model: ModelSpec,
}

fn yes() -> bool {
    true
}

/// Which ember and burn ran an experiment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Versions {
    /// ember's version.
    pub ember: String,
    /// burn's version.
    pub burn: String,
}

/// The data: exactly one source (`bundled`, `csv`, `idx` or `generator`), the test split and
/// the feature scaling. Paths are relative to the config file's folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSpec {
    /// A data set bundled with ember, by name (`iris`, `diabetes`, `digits`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundled: Option<String>,
    /// A CSV file (plain or gzipped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<PathBuf>,
    /// A CSV file of test rows (instead of splitting `csv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_csv: Option<PathBuf>,
    /// How `csv`'s columns are read: targets, excluded columns, delimiter, …
    pub csv_options: CsvOptions,
    /// Images and labels in IDX format (MNIST).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idx: Option<IdxSpec>,
    /// A synthetic data set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
    /// Fraction of the samples held out for testing, in (0, 1) (unused with a test file).
    pub test_fraction: f64,
    /// Fraction of the training split held out for validation, in [0, 1): the validation
    /// metrics in the summary, what `ember sweep` ranks by, and the set early stopping
    /// watches. 0 holds nothing out.
    pub validation_fraction: f64,
    /// Keep class proportions in the splits (classification only).
    pub stratify: bool,
    /// Seed of the split.
    pub split_seed: u64,
    /// Feature scaling fitted on the training split.
    pub scale: Scaling,
    /// Fit by streaming `csv` rather than reading it whole (least squares and ridge with the
    /// `auto` or `lstsq` solver, no scaling, no validation split): memory stays at a few MiB
    /// however large the file, and the test rows are chosen by a seeded hash of the row
    /// number. Unset: streams when the file is larger than half the memory available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub streaming: Option<bool>,
    /// Train an `mlp_classifier` from a binary row file that `csv` is converted into on first
    /// use and read by position after (rebuilt when the CSV or its options change, refused
    /// when the path holds a file of another kind): the training set need not fit in memory.
    /// Relative to the config file's folder, as `csv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<PathBuf>,
}

impl Default for DataSpec {
    fn default() -> Self {
        Self {
            bundled: None,
            csv: None,
            test_csv: None,
            csv_options: CsvOptions::default(),
            idx: None,
            generator: None,
            test_fraction: 0.2,
            validation_fraction: 0.0,
            stratify: true,
            split_seed: 0,
            scale: Scaling::None,
            streaming: None,
            cache: None,
        }
    }
}

/// MNIST-style IDX files: training images and labels, optionally a test pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdxSpec {
    /// Training images (`…-images-idx3-ubyte`, possibly `.gz`).
    pub images: PathBuf,
    /// Training labels.
    pub labels: PathBuf,
    /// Test images (instead of splitting the training files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_images: Option<PathBuf>,
    /// Test labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_labels: Option<PathBuf>,
}

/// A synthetic data set and its parameters (scikit-learn's `make_*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Generator {
    /// `y = 3 + 4·x + noise`, x uniform on [0, 2).
    SeedLine(SeedLine),
    /// A linear model with Gaussian noise.
    MakeRegression(MakeRegression),
    /// Gaussian clusters on a hypercube's vertices.
    MakeClassification(MakeClassification),
    /// Isotropic Gaussian blobs.
    MakeBlobs(MakeBlobs),
    /// Two interleaving half circles.
    MakeMoons(MakeMoons),
    /// A circle inside a circle.
    MakeCircles(MakeCircles),
}

/// Parameters of [`Generator::SeedLine`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedLine {
    /// Number of points.
    pub n_samples: usize,
    /// Seed of the points and the noise.
    pub seed: u64,
}

impl Default for SeedLine {
    fn default() -> Self {
        Self {
            n_samples: 100,
            seed: 42,
        }
    }
}

/// Feature scaling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// The features as they are.
    #[default]
    None,
    /// Zero mean and unit variance (scikit-learn's `StandardScaler`).
    Standard,
    /// Each feature to [0, 1] (`MinMaxScaler`).
    MinMax,
}

/// `$body` with `$c` bound to the config of whichever kind `$spec` holds: the one list of the
/// kinds a config can name.
macro_rules! each_kind {
    ($spec:expr, $c:ident => $body:expr) => {
        match $spec {
            ModelSpec::LinearRegression($c) | ModelSpec::Ridge($c) => $body,
            ModelSpec::LogisticRegression($c) => $body,
            ModelSpec::MlpClassifier($c) => $body,
            ModelSpec::MlpRegressor($c) => $body,
            ModelSpec::Kmeans($c) => $body,
        }
    };
}

/// The model: one table `[model.<kind>]` holding that kind's config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSpec {
    /// Ordinary least squares (closed form or gradient descent).
    LinearRegression(LinearRegressionConfig),
    /// Least squares with an L2 penalty `alpha > 0`.
    Ridge(LinearRegressionConfig),
    /// Binary or multinomial (softmax) logistic regression.
    LogisticRegression(LogisticRegressionConfig),
    /// A multilayer-perceptron classifier.
    MlpClassifier(MlpClassifierConfig),
    /// A multilayer-perceptron regressor.
    MlpRegressor(MlpRegressorConfig),
    /// k-means clustering.
    Kmeans(KMeansConfig),
}

/// Whether a model predicts classes, values or clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Values.
    Regression,
    /// Classes.
    Classification,
    /// Clusters (the data's classes, when it has them, only score the clustering).
    Clustering,
}

impl ModelSpec {
    /// The kind's config behind the estimator contract.
    pub fn estimator(&self) -> &dyn Estimator {
        each_kind!(self, c => c)
    }

    fn estimator_mut(&mut self) -> &mut dyn Estimator {
        each_kind!(self, c => c)
    }

    /// The kind's name, as in `[model.<kind>]`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Ridge(_) => "ridge",
            other => other.estimator().kind(),
        }
    }

    /// What the kind predicts.
    pub fn task(&self) -> Task {
        match self.estimator().task() {
            ModelTask::Regression => Task::Regression,
            ModelTask::Classification => Task::Classification,
            ModelTask::Clustering => Task::Clustering,
        }
    }

    /// The training-loop settings, for kinds trained by ember's loop with a `train` table.
    pub fn train_mut(&mut self) -> Option<&mut TrainConfig> {
        self.estimator_mut().train_mut()
    }

    /// The training loop's run options, for every kind that can be trained by it (gradient
    /// descent included).
    pub fn run_mut(&mut self) -> Option<&mut RunOptions> {
        self.estimator_mut().run_mut()
    }
}

impl Generator {
    /// What the generated data is for.
    pub fn task(&self) -> Task {
        match self {
            Self::SeedLine(_) | Self::MakeRegression(_) => Task::Regression,
            _ => Task::Classification,
        }
    }
}
