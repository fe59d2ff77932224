//! Which features matter, and how sure can we be? Ordinary least squares on the diabetes data
//! with the summary statsmodels prints (`OLS(y, add_constant(X)).fit().summary()`), the same
//! with heteroskedasticity-robust (HC3) standard errors, intervals for new observations, and a
//! binary logistic regression's z tests:
//!
//! ```text
//! cargo run --release --example ols_summary
//! ```
//!
//! Every number equals statsmodels 0.15 to 1e-6 relative (crates/ember-models/tests/
//! inference_reference.rs holds the references).

use ember::data::Matrix;
use ember::models::inference::{CovType, InferenceOptions};
use ember::models::logistic::{LogisticRegressionConfig, Penalty};
use ember::prelude::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let device = Device::flex();
    let data = ember::data::load("diabetes")?;
    let model = LinearRegressionConfig::new().fit_dataset(&data, &device)?;
    let options = InferenceOptions {
        feature_names: data.feature_names().to_vec(),
        target_name: "progression".into(),
        ..InferenceOptions::default()
    };
    let summary = model.summary(data.x(), data.y(), &options)?;
    println!("{summary}\n");

    let robust = model.summary(
        data.x(),
        data.y(),
        &InferenceOptions {
            cov_type: CovType::Hc3,
            ..options.clone()
        },
    )?;
    println!("With HC3 (heteroskedasticity-robust) standard errors:\n{robust}\n");

    println!("95 % intervals for the first three patients (mean response; new observation):");
    let first = Matrix::from_fn(3, data.x().n_cols(), |i, j| data.x().get(i, j));
    for (i, p) in summary.prediction_intervals(&first)?.iter().enumerate() {
        println!(
            "  patient {i}: {:.1}  mean [{:.1}, {:.1}]  observation [{:.1}, {:.1}]",
            p.mean, p.mean_ci_low, p.mean_ci_high, p.obs_ci_low, p.obs_ci_high
        );
    }

    // Breast cancer, three features, maximum likelihood (no penalty), as statsmodels' Logit.
    let cancer = ember::data::load("breast_cancer")?;
    let columns = [1, 4, 8];
    let x = Matrix::from_fn(cancer.n_samples(), 3, |i, j| cancer.x().get(i, columns[j]));
    let y = cancer
        .classes()
        .ok_or_else(|| anyhow::anyhow!("breast cancer has classes"))?;
    let logit = LogisticRegressionConfig {
        penalty: Penalty::None,
        tol: 1e-10,
        max_iter: 1000,
        ..Default::default()
    }
    .fit(&x, &y, &device)?;
    let names = columns.map(|j| cancer.feature_names()[j].clone()).to_vec();
    let logit_options = InferenceOptions {
        feature_names: names,
        target_name: "benign".into(),
        ..InferenceOptions::default()
    };
    println!("\n{}", logit.summary(&x, &y, &logit_options)?);
    Ok(())
}
