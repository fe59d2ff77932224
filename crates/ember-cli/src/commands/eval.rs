//! `ember eval`: metrics of a trained model on its own splits or on a CSV file.

use std::path::Path;

use ember::DeviceChoice;
use ember::data::csv::read_csv;

use super::{column_options, open_run};
use crate::data::load_splits;
use crate::error::RunError;
use crate::report::{Metrics, evaluate};

/// Metrics per data set, in order.
pub type Evaluation = Vec<(String, Metrics)>;

/// Metrics of the model in `run_dir`: on `data` (a CSV file with the training columns,
/// targets included) when given, else on the run's training and test splits.
pub fn eval(
    run_dir: &Path,
    data: Option<&Path>,
    device: Option<DeviceChoice>,
) -> Result<Evaluation, RunError> {
    let (loaded, model) = open_run(run_dir, device)?;
    match data {
        Some(path) => {
            let options = column_options(&model);
            let set = read_csv::<f64>(path, &options)?;
            Ok(vec![(path.display().to_string(), evaluate(&model, &set)?)])
        }
        None => {
            let e = &loaded.experiment;
            let splits = load_splits(&e.data, e.model.task(), Path::new(""))?;
            Ok(vec![
                ("train".into(), evaluate(&model, &splits.train)?),
                ("test".into(), evaluate(&model, &splits.test)?),
            ])
        }
    }
}
