//! Small real data sets, embedded in the crate so they load offline.
//!
//! Provenance, licences and citations: `crates/ember-data/data/README.md`.

use std::io::Read;

use flate2::read::GzDecoder;
use serde::Deserialize;

use crate::{DataError, Dataset, Matrix};

const DIABETES_X: &[u8] = include_bytes!("../data/diabetes/diabetes_data_raw.csv.gz");
const DIABETES_Y: &[u8] = include_bytes!("../data/diabetes/diabetes_target.csv.gz");
const ANSCOMBE: &str = include_str!("../data/anscombe/anscombe.json");
const LINNERUD_X: &str = include_str!("../data/linnerud/linnerud_exercise.csv");
const LINNERUD_Y: &str = include_str!("../data/linnerud/linnerud_physiological.csv");
const SEED_LINE: &str = include_str!("../data/seed-line/seed_line_numpy42.csv");

/// The diabetes regression data set (442 patients, 10 baseline variables, disease progression
/// one year later); Efron, Hastie, Johnstone and Tibshirani (2004), "Least Angle Regression".
///
/// With `scaled = true` the features are scaled as `sklearn.datasets.load_diabetes()` returns
/// them (each column centred, divided by its standard deviation and by √442); otherwise they are
/// the raw values (`scaled=False`).
///
/// ```
/// let data = ember_data::bundled::diabetes(false)?;
/// assert_eq!(data.x().shape(), (442, 10));
/// assert_eq!(data.x().row(0)[..3], [59.0, 2.0, 32.1]);
/// assert_eq!(data.y().get(0, 0), 151.0);
/// # Ok::<(), ember_data::DataError>(())
/// ```
pub fn diabetes(scaled: bool) -> Result<Dataset, DataError> {
    let x = parse_whitespace("diabetes_data_raw.csv.gz", &gunzip(DIABETES_X)?, 1)?;
    let y = parse_whitespace("diabetes_target.csv.gz", &gunzip(DIABETES_Y)?, 1)?;
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
    let (x_names, x) = parse_with_header("linnerud_exercise.csv", LINNERUD_X)?;
    let (y_names, y) = parse_with_header("linnerud_physiological.csv", LINNERUD_Y)?;
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
    let file = "seed_line_numpy42.csv";
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (i, line) in SEED_LINE.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 2 {
            return Err(parse_error(
                file,
                i + 1,
                fields.len().min(2) + 1,
                "expected 2 fields",
            ));
        }
        x.push(parse_number(file, i + 1, 1, fields[0])?);
        y.push(parse_number(file, i + 1, 2, fields[1])?);
    }
    Dataset::new(Matrix::column(x), Matrix::column(y))?.with_feature_names(["x"])
}

fn gunzip(bytes: &[u8]) -> Result<String, DataError> {
    let mut text = String::new();
    GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .map_err(|e| parse_error("embedded gzip", 0, 0, &e.to_string()))?;
    Ok(text)
}

/// A header line of names, then rows of whitespace-separated numbers as wide as the header.
fn parse_with_header(file: &str, text: &str) -> Result<(Vec<String>, Matrix), DataError> {
    let (header, body) = text.split_once('\n').unwrap_or((text, ""));
    let names: Vec<String> = header.split_whitespace().map(String::from).collect();
    let matrix = parse_whitespace(file, body, 2)?;
    if matrix.n_cols() != names.len() {
        return Err(parse_error(
            file,
            2,
            1,
            &format!(
                "the header names {} columns but rows have {}",
                names.len(),
                matrix.n_cols()
            ),
        ));
    }
    Ok((names, matrix))
}

/// Rows of whitespace-separated numbers, all of the same width; `text` starts on line
/// `first_line` of `file` (for the line numbers in errors).
fn parse_whitespace(file: &str, text: &str, first_line: usize) -> Result<Matrix, DataError> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + first_line - 1, l))
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let row = line
            .split_whitespace()
            .enumerate()
            .map(|(j, field)| parse_number(file, i + 1, j + 1, field))
            .collect::<Result<Vec<f64>, _>>()?;
        if let Some(first) = rows.first()
            && first.len() != row.len()
        {
            return Err(parse_error(
                file,
                i + 1,
                row.len().min(first.len()) + 1,
                &format!("expected {} fields, found {}", first.len(), row.len()),
            ));
        }
        rows.push(row);
    }
    Matrix::from_rows(&rows)
}

fn parse_number(file: &str, line: usize, column: usize, field: &str) -> Result<f64, DataError> {
    field.trim().parse().map_err(|_| {
        parse_error(
            file,
            line,
            column,
            &format!("expected a number, found {field:?}"),
        )
    })
}

fn parse_error(file: &str, line: usize, column: usize, message: &str) -> DataError {
    DataError::Parse {
        file: file.into(),
        line,
        column,
        message: message.into(),
    }
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
