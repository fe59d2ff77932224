//! What each bundled data set is, where it comes from, its licence and how to cite it.

/// What a data set is for.
///
/// ```
/// assert_eq!(ember_data::bundled::info("iris")?.task, ember_data::bundled::Task::Classification);
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Predict one of a few classes.
    Classification,
    /// Predict one number.
    Regression,
    /// Predict several numbers.
    MultiOutputRegression,
}

/// Provenance of a bundled data set.
///
/// ```
/// let info = ember_data::bundled::info("breast_cancer")?;
/// assert_eq!((info.n_samples, info.n_features), (569, 30));
/// assert!(info.licence.contains("CC BY 4.0"));
/// # Ok::<(), ember_data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatasetInfo {
    /// The name [`load`](crate::load) takes.
    pub name: &'static str,
    /// One line on what it is.
    pub summary: &'static str,
    /// What it is for.
    pub task: Task,
    /// Rows.
    pub n_samples: usize,
    /// Feature columns.
    pub n_features: usize,
    /// Where the bytes come from.
    pub source: &'static str,
    /// Licence of the data.
    pub licence: &'static str,
    /// How to cite it.
    pub citation: &'static str,
}

const SKLEARN: &str = "scikit-learn 1.9.1 wheel, sklearn/datasets/data/ (original bytes, gzip -9n)";
const DIABETES_LICENCE: &str = "free to use with citation (see diabetes.rst)";
const DIABETES_CITATION: &str = "B. Efron, T. Hastie, I. Johnstone, R. Tibshirani (2004), Least Angle Regression, Annals of Statistics 32(2), 407-499";
const ANSCOMBE_SOURCE: &str = "vega-datasets 3.2.1 (npm), data/anscombe.json";
const ANSCOMBE_LICENCE: &str = "public domain (published in 1973)";
const ANSCOMBE_CITATION: &str =
    "F. J. Anscombe (1973), Graphs in Statistical Analysis, The American Statistician 27(1), 17-21";

/// Every bundled data set, in the order [`load`](crate::load) lists them.
pub const CATALOG: &[DatasetInfo] = &[
    DatasetInfo {
        name: "iris",
        summary: "150 irises, 4 measurements (cm), 3 species (setosa, versicolor, virginica)",
        task: Task::Classification,
        n_samples: 150,
        n_features: 4,
        source: SKLEARN,
        licence: "CC BY 4.0 (UCI Machine Learning Repository)",
        citation: "R. A. Fisher (1936), The use of multiple measurements in taxonomic problems, Annals of Eugenics 7(2), 179-188",
    },
    DatasetInfo {
        name: "wine",
        summary: "178 wines from three cultivars, 13 chemical measurements",
        task: Task::Classification,
        n_samples: 178,
        n_features: 13,
        source: SKLEARN,
        licence: "CC BY 4.0 (UCI Machine Learning Repository)",
        citation: "M. Forina et al. (1988), PARVUS; UCI Machine Learning Repository, doi:10.24432/C5PC7J",
    },
    DatasetInfo {
        name: "breast_cancer",
        summary: "569 breast masses, 30 features of cell nuclei, malignant (0) or benign (1)",
        task: Task::Classification,
        n_samples: 569,
        n_features: 30,
        source: SKLEARN,
        licence: "CC BY 4.0 (UCI Machine Learning Repository)",
        citation: "W. N. Street, W. H. Wolberg, O. L. Mangasarian (1993), Nuclear feature extraction for breast tumor diagnosis; UCI doi:10.24432/C5DW2B",
    },
    DatasetInfo {
        name: "diabetes",
        summary: "442 patients, 10 baseline variables scaled as sklearn's load_diabetes(), disease progression after one year",
        task: Task::Regression,
        n_samples: 442,
        n_features: 10,
        source: SKLEARN,
        licence: DIABETES_LICENCE,
        citation: DIABETES_CITATION,
    },
    DatasetInfo {
        name: "diabetes_raw",
        summary: "the diabetes data with unscaled features (age in years, bmi, blood pressure, six serum measurements)",
        task: Task::Regression,
        n_samples: 442,
        n_features: 10,
        source: SKLEARN,
        licence: DIABETES_LICENCE,
        citation: DIABETES_CITATION,
    },
    DatasetInfo {
        name: "digits",
        summary: "1797 handwritten digits, 8×8 images of counts 0..16, classes 0..9",
        task: Task::Classification,
        n_samples: 1797,
        n_features: 64,
        source: SKLEARN,
        licence: "CC BY 4.0 (UCI Machine Learning Repository)",
        citation: "E. Alpaydin, C. Kaynak (1998), Optical Recognition of Handwritten Digits; UCI doi:10.24432/C50P49",
    },
    DatasetInfo {
        name: "linnerud",
        summary: "20 men: 3 exercises (chins, situps, jumps) -> 3 physiological measurements (weight, waist, pulse)",
        task: Task::MultiOutputRegression,
        n_samples: 20,
        n_features: 3,
        source: SKLEARN,
        licence: "free to use with citation",
        citation: "M. Tenenhaus (1998), La regression PLS: theorie et pratique, Technip",
    },
    DatasetInfo {
        name: "anscombe_i",
        summary: "Anscombe's quartet, series I: a line with noise (11 points)",
        task: Task::Regression,
        n_samples: 11,
        n_features: 1,
        source: ANSCOMBE_SOURCE,
        licence: ANSCOMBE_LICENCE,
        citation: ANSCOMBE_CITATION,
    },
    DatasetInfo {
        name: "anscombe_ii",
        summary: "Anscombe's quartet, series II: a parabola (11 points)",
        task: Task::Regression,
        n_samples: 11,
        n_features: 1,
        source: ANSCOMBE_SOURCE,
        licence: ANSCOMBE_LICENCE,
        citation: ANSCOMBE_CITATION,
    },
    DatasetInfo {
        name: "anscombe_iii",
        summary: "Anscombe's quartet, series III: a line with one outlier (11 points)",
        task: Task::Regression,
        n_samples: 11,
        n_features: 1,
        source: ANSCOMBE_SOURCE,
        licence: ANSCOMBE_LICENCE,
        citation: ANSCOMBE_CITATION,
    },
    DatasetInfo {
        name: "anscombe_iv",
        summary: "Anscombe's quartet, series IV: one leverage point (11 points)",
        task: Task::Regression,
        n_samples: 11,
        n_features: 1,
        source: ANSCOMBE_SOURCE,
        licence: ANSCOMBE_LICENCE,
        citation: ANSCOMBE_CITATION,
    },
    DatasetInfo {
        name: "seed_line",
        summary: "100 points of y = 3 + 4x + N(0, 1), x = 2 U(0, 1), made with NumPy's seed 42",
        task: Task::Regression,
        n_samples: 100,
        n_features: 1,
        source: "generated with NumPy: np.random.seed(42); X = 2*np.random.rand(100,1); y = 3 + 4*X + np.random.randn(100,1)",
        licence: "generated data, no licence needed",
        citation: "-",
    },
    DatasetInfo {
        name: "mnist_1000",
        summary: "the first 1000 images of the MNIST test set, 28×28 pixels scaled to [0, 1], digits 0..9",
        task: Task::Classification,
        n_samples: 1000,
        n_features: 784,
        source: "MNIST t10k IDX files (count in the header set to 1000), gzip -9",
        licence: "CC BY-SA 3.0 (as commonly cited)",
        citation: "Y. LeCun, C. Cortes, C. J. C. Burges, The MNIST database of handwritten digits",
    },
];
