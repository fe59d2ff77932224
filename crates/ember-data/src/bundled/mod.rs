//! Small real data sets, embedded (gzipped) in the crate so they load offline, by name.
//!
//! Provenance, licences and citations: [`CATALOG`] and `crates/ember-data/data/README.md`.
//!
//! ```
//! let iris = ember_data::load("iris")?;
//! assert_eq!(iris.x().shape(), (150, 4));
//! assert_eq!(iris.labels().map(|l| l.classes()[0].as_str()), Some("setosa"));
//! # Ok::<(), ember_data::DataError>(())
//! ```

mod catalog;

use std::io::{BufRead, BufReader};

use flate2::read::GzDecoder;
use serde::Deserialize;

pub use catalog::{CATALOG, DatasetInfo, Task};

use crate::csv::{CsvOptions, Delimiter, Header, TargetKind, read_csv_from, read_features_from};
use crate::idx::{IdxArray, mnist_from};
use crate::{DataError, Dataset, LabelEncoder, Matrix};

const IRIS: &[u8] = include_bytes!("../../data/iris/iris.csv.gz");
const WINE: &[u8] = include_bytes!("../../data/wine/wine_data.csv.gz");
const BREAST_CANCER: &[u8] = include_bytes!("../../data/breast_cancer/breast_cancer.csv.gz");
const DIGITS: &[u8] = include_bytes!("../../data/digits/digits.csv.gz");
const DIABETES_X: &[u8] = include_bytes!("../../data/diabetes/diabetes_data_raw.csv.gz");
const DIABETES_Y: &[u8] = include_bytes!("../../data/diabetes/diabetes_target.csv.gz");
const ANSCOMBE: &str = include_str!("../../data/anscombe/anscombe.json");
const LINNERUD_X: &[u8] = include_bytes!("../../data/linnerud/linnerud_exercise.csv");
const LINNERUD_Y: &[u8] = include_bytes!("../../data/linnerud/linnerud_physiological.csv");
const SEED_LINE: &[u8] = include_bytes!("../../data/seed-line/seed_line_numpy42.csv");
const MNIST_IMAGES: &[u8] = include_bytes!("../../data/mnist-t10k-1000/t10k-images-idx3-ubyte.gz");
const MNIST_LABELS: &[u8] = include_bytes!("../../data/mnist-t10k-1000/t10k-labels-idx1-ubyte.gz");

/// A bundled data set by name (`-` and `_` are the same; case does not matter): see
/// [`CATALOG`]. An unknown name is an error that lists the names (and suggests the nearest).
///
/// ```
/// let digits = ember_data::load("digits")?;
/// assert_eq!(digits.x().shape(), (1797, 64));
/// let err = ember_data::load("irsi").unwrap_err();
/// assert!(err.to_string().starts_with("no bundled data set named `irsi`, did you mean `iris`?"));
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn load(name: &str) -> Result<Dataset, DataError> {
    match info(name)?.name {
        "iris" => iris(),
        "wine" => wine(),
        "breast_cancer" => breast_cancer(),
        "diabetes" => diabetes(true),
        "diabetes_raw" => diabetes(false),
        "digits" => digits(),
        "linnerud" => linnerud(),
        "anscombe_i" => anscombe(AnscombeSeries::I),
        "anscombe_ii" => anscombe(AnscombeSeries::II),
        "anscombe_iii" => anscombe(AnscombeSeries::III),
        "anscombe_iv" => anscombe(AnscombeSeries::IV),
        "seed_line" => seed_line_numpy42(),
        "mnist_1000" => mnist_1000(),
        // A catalogue entry without a loader: a bug here, reported rather than a panic.
        other => Err(DataError::UnknownDataset {
            name: other.into(),
            suggestion: String::new(),
            available: "(the catalogue lists it, but ember-data has no loader for it)".into(),
        }),
    }
}

/// Provenance of a bundled data set, by name as for [`load`].
///
/// ```
/// assert_eq!(ember_data::bundled::info("Breast-Cancer")?.n_samples, 569);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn info(name: &str) -> Result<&'static DatasetInfo, DataError> {
    let key = name.trim().to_ascii_lowercase().replace('-', "_");
    CATALOG.iter().find(|d| d.name == key).ok_or_else(|| {
        let names = CATALOG.iter().map(|d| d.name);
        DataError::UnknownDataset {
            name: name.into(),
            suggestion: crate::did_you_mean(&key, names.clone())
                .map(|s| format!(", did you mean `{s}`?"))
                .unwrap_or_default(),
            available: names.collect::<Vec<_>>().join(", "),
        }
    })
}

/// Fisher's iris data: 150 flowers, 4 measurements in cm, 3 species.
///
/// ```
/// let iris = ember_data::bundled::iris()?;
/// assert_eq!(iris.x().row(0), &[5.1, 3.5, 1.4, 0.2]);
/// assert_eq!(iris.feature_names()[0], "sepal length (cm)");
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn iris() -> Result<Dataset, DataError> {
    sklearn_csv(
        "iris.csv.gz",
        IRIS,
        [
            "sepal length (cm)",
            "sepal width (cm)",
            "petal length (cm)",
            "petal width (cm)",
        ]
        .map(String::from)
        .to_vec(),
    )
}

/// The wine recognition data: 178 wines, 13 chemical measurements, 3 cultivars.
///
/// ```
/// let wine = ember_data::bundled::wine()?;
/// assert_eq!(wine.x().shape(), (178, 13));
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn wine() -> Result<Dataset, DataError> {
    let names = [
        "alcohol",
        "malic_acid",
        "ash",
        "alcalinity_of_ash",
        "magnesium",
        "total_phenols",
        "flavanoids",
        "nonflavanoid_phenols",
        "proanthocyanins",
        "color_intensity",
        "hue",
        "od280/od315_of_diluted_wines",
        "proline",
    ];
    sklearn_csv("wine_data.csv.gz", WINE, names.map(String::from).to_vec())
}

/// The Wisconsin diagnostic breast cancer data: 569 masses, 30 features, malignant (0) or
/// benign (1).
///
/// ```
/// let data = ember_data::bundled::breast_cancer()?;
/// assert_eq!(data.labels().map(|l| l.classes().to_vec()), Some(vec!["malignant".to_string(), "benign".to_string()]));
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn breast_cancer() -> Result<Dataset, DataError> {
    let measures = [
        "radius",
        "texture",
        "perimeter",
        "area",
        "smoothness",
        "compactness",
        "concavity",
        "concave points",
        "symmetry",
        "fractal dimension",
    ];
    let names = ["mean {}", "{} error", "worst {}"]
        .iter()
        .flat_map(|pattern| measures.iter().map(move |m| pattern.replace("{}", m)))
        .collect();
    sklearn_csv("breast_cancer.csv.gz", BREAST_CANCER, names)
}

/// The optical handwritten digits: 1797 images of 8×8 counts in 0..16, classes 0..9.
///
/// ```
/// let digits = ember_data::bundled::digits()?;
/// assert_eq!(digits.feature_names()[9], "pixel_1_1");
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn digits() -> Result<Dataset, DataError> {
    let options = CsvOptions::default()
        .delimiter(Delimiter::Comma)
        .header(Header::Absent)
        .target(-1)
        .target_kind(TargetKind::Numeric);
    read_csv_from("digits.csv.gz", DIGITS, &options)?
        .with_feature_names((0..64).map(|k| format!("pixel_{}_{}", k / 8, k % 8)))?
        .with_target_names(["digit"])?
        .with_labels(LabelEncoder::from_classes((0..10).map(|d| d.to_string())))
}

/// The first 1000 images of the MNIST test set, pixels scaled to `[0, 1]`.
///
/// ```
/// let mnist = ember_data::bundled::mnist_1000()?;
/// assert_eq!(mnist.x().shape(), (1000, 784));
/// assert_eq!(mnist.y().get(0, 0), 7.0);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn mnist_1000() -> Result<Dataset, DataError> {
    let images = "t10k-images-idx3-ubyte.gz";
    let labels = "t10k-labels-idx1-ubyte.gz";
    mnist_from(
        IdxArray::from_bytes(images, MNIST_IMAGES)?,
        images,
        IdxArray::from_bytes(labels, MNIST_LABELS)?,
        labels,
    )
}

/// scikit-learn's CSV layout: a first line `n_samples,n_features,class names…`, then rows of
/// features with the class index last.
fn sklearn_csv(
    file: &str,
    bytes: &'static [u8],
    feature_names: Vec<String>,
) -> Result<Dataset, DataError> {
    let mut first_line = String::new();
    BufReader::new(GzDecoder::new(bytes))
        .read_line(&mut first_line)
        .map_err(|e| DataError::File {
            file: file.into(),
            message: format!("cannot decompress: {e}"),
        })?;
    let first_line: Vec<&str> = first_line.trim().split(',').collect();
    let classes: Vec<String> = first_line.iter().skip(2).map(|c| c.to_string()).collect();
    let options = CsvOptions::default()
        .delimiter(Delimiter::Comma)
        .skip_lines(1)
        .header(Header::Absent)
        .target(-1)
        .target_kind(TargetKind::Numeric);
    read_csv_from(file, bytes, &options)?
        .with_feature_names(feature_names)?
        .with_target_names(["target"])?
        .with_labels(LabelEncoder::from_classes(classes))
}

/// The diabetes regression data set (442 patients, 10 baseline variables, disease progression
/// one year later); Efron, Hastie, Johnstone and Tibshirani (2004), "Least Angle Regression".
///
/// With `scaled = true` the features are scaled as `sklearn.datasets.load_diabetes()` returns
/// them (each column centred, divided by its standard deviation and by √442); otherwise they are
/// the raw values (`scaled=False`). The file has no header: all 442 rows are data.
///
/// ```
/// let data = ember_data::bundled::diabetes(false)?;
/// assert_eq!(data.x().shape(), (442, 10));
/// assert_eq!(data.x().row(0)[..3], [59.0, 2.0, 32.1]);
/// assert_eq!(data.y().get(0, 0), 151.0);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn diabetes(scaled: bool) -> Result<Dataset, DataError> {
    let options = CsvOptions::default()
        .delimiter(Delimiter::Whitespace)
        .header(Header::Absent);
    let x = read_features_from("diabetes_data_raw.csv.gz", DIABETES_X, &options)?.x;
    let y = read_features_from("diabetes_target.csv.gz", DIABETES_Y, &options)?.x;
    let x = if scaled { scale_like_sklearn(&x) } else { x };
    Dataset::new(x, y)?
        .with_feature_names([
            "age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
        ])?
        .with_target_names(["progression"])
}

/// The Linnerud multi-output data set (Tenenhaus, 1998): three exercises (chins, situps, jumps)
/// of 20 middle-aged men and three physiological measurements (weight, waist, pulse).
///
/// ```
/// let data = ember_data::bundled::linnerud()?;
/// assert_eq!((data.x().shape(), data.y().shape()), ((20, 3), (20, 3)));
/// assert_eq!(data.target_names()[2], "Pulse");
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn linnerud() -> Result<Dataset, DataError> {
    let options = CsvOptions::default()
        .delimiter(Delimiter::Whitespace)
        .header(Header::Present);
    let x = read_features_from("linnerud_exercise.csv", LINNERUD_X, &options)?;
    let y = read_features_from("linnerud_physiological.csv", LINNERUD_Y, &options)?;
    let (x, x_names, y, y_names) = (x.x, x.names, y.x, y.names);
    Dataset::new(x, y)?
        .with_feature_names(x_names)?
        .with_target_names(y_names)
}

/// One of Anscombe's four series (1973): eleven points each with almost the same regression line.
///
/// ```
/// use ember_data::bundled::{anscombe, AnscombeSeries};
/// let data = anscombe(AnscombeSeries::IV)?;
/// assert_eq!(data.n_samples(), 11);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn anscombe(series: AnscombeSeries) -> Result<Dataset, DataError> {
    #[derive(Deserialize)]
    struct Record {
        #[serde(rename = "Series")]
        series: String,
        #[serde(rename = "X")]
        x: f64,
        #[serde(rename = "Y")]
        y: f64,
    }
    let records: Vec<Record> = serde_json::from_str(ANSCOMBE).map_err(|e| DataError::Parse {
        file: "anscombe.json".into(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let name = series.name();
    let (x, y): (Vec<f64>, Vec<f64>) = records
        .iter()
        .filter(|r| r.series == name)
        .map(|r| (r.x, r.y))
        .unzip();
    Dataset::new(Matrix::column(x), Matrix::column(y))?.with_feature_names(["x"])
}

/// The four series of [`anscombe`].
///
/// ```
/// assert_eq!(ember_data::bundled::AnscombeSeries::ALL.len(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnscombeSeries {
    /// Series I: a plain linear relation with noise.
    I,
    /// Series II: a parabola.
    II,
    /// Series III: a line with one outlier.
    III,
    /// Series IV: one leverage point.
    IV,
}

impl AnscombeSeries {
    /// The four series in order.
    pub const ALL: [Self; 4] = [Self::I, Self::II, Self::III, Self::IV];

    /// The series' name in the data file ("I" … "IV").
    ///
    /// ```
    /// assert_eq!(ember_data::bundled::AnscombeSeries::III.name(), "III");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::I => "I",
            Self::II => "II",
            Self::III => "III",
            Self::IV => "IV",
        }
    }
}

/// The 100-point seed line generated with NumPy (`np.random.seed(42); X = 2*np.random.rand(100, 1);
/// y = 3 + 4*X + np.random.randn(100, 1)`), to compare with the classic tutorial's numbers.
///
/// ```
/// let data = ember_data::bundled::seed_line_numpy42()?;
/// assert_eq!(data.n_samples(), 100);
/// assert_eq!(data.x().get(0, 0), 0.749_080_237_694_724_98);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn seed_line_numpy42() -> Result<Dataset, DataError> {
    let options = CsvOptions::default().target("y");
    read_csv_from("seed_line_numpy42.csv", SEED_LINE, &options)
}

/// scikit-learn's `load_diabetes(scaled=True)`: `scale(x) / sqrt(n)`.
fn scale_like_sklearn(x: &Matrix) -> Matrix {
    let n = x.n_rows() as f64;
    let means = x.column_means();
    let sds: Vec<f64> = (0..x.n_cols())
        .map(|j| {
            let ss: f64 = x.rows().map(|r| (r[j] - means[j]).powi(2)).sum();
            (ss / n).sqrt()
        })
        .collect();
    Matrix::from_fn(x.n_rows(), x.n_cols(), |i, j| {
        (x.get(i, j) - means[j]) / sds[j] / n.sqrt()
    })
}
