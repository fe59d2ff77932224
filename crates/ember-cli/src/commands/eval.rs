//! `ember eval`: metrics of a trained model on its own splits or on a CSV file.

use std::path::Path;

use ember::DeviceChoice;
use ember::data::csv::read_csv_with_notes;

use super::input::{Input, align, reading_options};
use super::open_run;
use super::shards::SOLVED_STATE;
use crate::data::{load_splits, options_for_task, unlabelled};
use crate::error::RunError;
use crate::report::{Metrics, evaluate};
use crate::run::{evaluate_cached, evaluate_streamed, streams};
use crate::spec::Task;

/// Metrics per data set, in order.
pub type Evaluation = Vec<(String, Metrics)>;

/// Metrics of the model in `run_dir`: on `data` (a CSV file with the model's feature and
/// target columns, matched by name) when given, else on the run's training and test splits
/// (read as the run read them: whole, streamed, or from its row-file cache).
pub fn eval(
    run_dir: &Path,
    data: Option<&Input<'_>>,
    device: Option<DeviceChoice>,
) -> Result<Evaluation, RunError> {
    let (loaded, model) = open_run(run_dir, device)?;
    match data {
        Some(input) => {
            let path = input.path;
            let task = loaded.experiment.model.task();
            let options = options_for_task(&reading_options(&model, input, true)?, task);
            // A clustering that named no label column reads every column as a feature.
            let (set, notes) = if task == Task::Clustering && options.targets.is_empty() {
                unlabelled(path, &options)?
            } else {
                read_csv_with_notes::<f64>(path, &options)?
            };
            for note in &notes {
                eprintln!("ember: note: {note}");
            }
            // The model's columns by name, else by position from a headerless file.
            let mut set = match set.select_features(&model.feature_names) {
                Ok(selected) => selected,
                Err(_) => {
                    let x = align(
                        set.x().clone(),
                        set.feature_names(),
                        &model.feature_names,
                        path,
                    )?;
                    set.with_x(x)?
                }
            };
            if task == Task::Classification {
                set = set.encode_classes()?;
            }
            Ok(vec![(path.display().to_string(), evaluate(&model, &set)?)])
        }
        None => {
            let e = &loaded.experiment;
            if run_dir.join(SOLVED_STATE).exists() {
                return Err(RunError::Usage(format!(
                    "{}: was solved from a least-squares state (`ember solve`), which holds no rows out: give --data FILE to score it on a CSV file",
                    run_dir.display()
                )));
            }
            if e.data.cache.is_some() {
                return evaluate_cached(e, &model);
            }
            if streams(e)? {
                return evaluate_streamed(e, &model);
            }
            let splits = load_splits(&e.data, e.model.task(), Path::new(""))?;
            Ok(vec![
                ("train".into(), evaluate(&model, &splits.train)?),
                ("test".into(), evaluate(&model, &splits.test)?),
            ])
        }
    }
}
