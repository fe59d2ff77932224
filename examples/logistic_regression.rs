//! Logistic regression on two real data sets: breast cancer (binary: malignant or benign,
//! 30 features) and iris (three species, multinomial):
//!
//! ```text
//! cargo run --release --example logistic_regression
//! ```
//!
//! Stratified 80/20 splits, features standardised on the training split, scikit-learn's
//! defaults (L2, C = 1, L-BFGS). Prints test accuracy (scikit-learn: 0.9825 on breast cancer,
//! 0.9667 on iris), precision, recall, F1, log loss, ROC AUC and the confusion matrices.

use clap::Parser;
use ember::data::Dataset;
use ember::data::preprocessing::StandardScaler;
use ember::data::split::stratified_train_test_split;
use ember::metrics::{Average, ConfusionMatrix, log_loss, roc_auc_score};
use ember::models::logistic::LogisticRegressionConfig;
use ember::prelude::*;

/// Fit logistic regression on breast cancer and iris.
#[derive(Parser)]
struct Args {
    /// Backend: auto, flex, ndarray or wgpu.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Inverse regularisation strength (scikit-learn's C).
    #[arg(long, default_value_t = 1.0)]
    c: f64,
    /// Seed of the splits.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// A stratified 80/20 split, standardised with the training split's statistics.
fn split(data: &Dataset, seed: u64) -> anyhow::Result<(Dataset, Dataset)> {
    let (train, test) = stratified_train_test_split(data, 0.2, seed)?;
    let scaler = StandardScaler::fit(train.x())?;
    let train_x = scaler.transform(train.x())?;
    let test_x = scaler.transform(test.x())?;
    Ok((train.with_x(train_x)?, test.with_x(test_x)?))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let device = args.device.device()?;
    let config = LogisticRegressionConfig {
        c: args.c,
        ..Default::default()
    };
    for (name, sklearn) in [("breast_cancer", 0.9825), ("iris", 0.9667)] {
        let data = ember::data::load(name)?;
        let (train, test) = split(&data, args.seed)?;
        let model = config.fit_dataset(&train, &device)?;
        let y = test.classes().unwrap_or_default();
        let proba = model.predict_proba(test.x())?;
        let predicted = model.predict(test.x())?;
        let k = model.n_classes();
        let cm = ConfusionMatrix::from_predictions(&y, &predicted, k)?;
        let names: Vec<&str> = (0..k)
            .map(|c| data.labels().and_then(|l| l.decode(c)).unwrap_or("?"))
            .collect();
        println!(
            "\n{name}: {} training, {} test samples, {} features, {k} classes; L-BFGS {} iterations{}",
            train.n_samples(),
            test.n_samples(),
            data.x().n_cols(),
            model.n_iter(),
            if model.converged() {
                ""
            } else {
                " (not converged)"
            }
        );
        let average = if k == 2 {
            Average::Binary
        } else {
            Average::Macro
        };
        println!(
            "test accuracy {:.4} (scikit-learn {sklearn:.4}); precision {:.4}, recall {:.4}, F1 {:.4} ({average:?}); log loss {:.4}",
            cm.accuracy(),
            cm.precision(average)?,
            cm.recall(average)?,
            cm.f1(average)?,
            log_loss(&y, proba.as_slice(), k)?
        );
        if k == 2 {
            let positive: Vec<f64> = (0..proba.n_rows()).map(|i| proba.get(i, 1)).collect();
            println!("ROC AUC {:.4}", roc_auc_score(&y, &positive)?);
        }
        println!("{}", cm.to_table(&names));
    }
    Ok(())
}
