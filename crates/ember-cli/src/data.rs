//! Loading an experiment's data, splitting off the test set and fitting the scaler.

use std::borrow::Cow;
use std::path::Path;

use ember::data::csv::read_csv;
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

/// Reads the data `spec` names (paths relative to `base`) and splits it.
///
/// ```
/// use ember_cli::{DataSpec, Task};
/// let spec = DataSpec { bundled: Some("iris".into()), ..Default::default() };
/// let splits = ember_cli::load_splits(&spec, Task::Classification, ".".as_ref())?;
/// assert_eq!((splits.train.n_samples(), splits.test.n_samples()), (120, 30));
/// # Ok::<(), ember::data::DataError>(())
/// ```
pub fn load_splits(spec: &DataSpec, task: Task, base: &Path) -> Result<Splits, DataError> {
    let (data, test) = read(spec, base)?;
    let split = |data: &Dataset, fraction: f64| {
        if task == Task::Classification && spec.stratify && data.labels().is_some() {
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
    let scaler = match spec.scale {
        Scaling::None => None,
        Scaling::Standard => Some(Scaler::Standard(StandardScaler::fit(train.x())?)),
        Scaling::MinMax => Some(Scaler::MinMax(MinMaxScaler::fit(train.x())?)),
    };
    Ok(Splits {
        train,
        valid,
        test,
        scaler,
    })
}

/// The data set, and a separate test set when the spec gives one.
fn read(spec: &DataSpec, base: &Path) -> Result<(Dataset, Option<Dataset>), DataError> {
    if let Some(name) = &spec.bundled {
        return Ok((ember::data::load(name)?, None));
    }
    if let Some(csv) = &spec.csv {
        let data = read_csv::<f64>(resolve(base, csv), &spec.csv_options)?;
        let test = match &spec.test_csv {
            Some(t) => Some(read_csv::<f64>(resolve(base, t), &spec.csv_options)?),
            None => None,
        };
        return Ok((data, test));
    }
    if let Some(idx) = &spec.idx {
        let data = mnist::<f64>(resolve(base, &idx.images), resolve(base, &idx.labels))?;
        let test = match (&idx.test_images, &idx.test_labels) {
            (Some(i), Some(l)) => Some(mnist::<f64>(resolve(base, i), resolve(base, l))?),
            _ => None,
        };
        return Ok((data, test));
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
        return Ok((data, None));
    }
    Err(DataError::File {
        file: "config".into(),
        message: "no data source".into(),
    })
}
