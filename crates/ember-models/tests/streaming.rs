//! Least squares in one pass, merged across shards: the same coefficients and the same
//! statsmodels summary as the in-memory fit, whatever the shards.
//!
//! References: the in-memory paths, themselves tested against scikit-learn 1.9.1 and
//! statsmodels 0.15 (`closed_form_reference.rs`, `inference_reference.rs`).

#![allow(clippy::unwrap_used)]

use burn::tensor::Device;
use ember_data::{Dataset, Matrix};
use ember_models::FitError;
use ember_models::inference::{CovType, InferenceOptions};
use ember_models::linear::{LeastSquaresState, LinearRegressionConfig, OlsSummary, Solver};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            rel(*g, *w) <= tol,
            "{what}[{i}]: {g} vs {w} ({:e})",
            rel(*g, *w)
        );
    }
}

/// The state of `data` cut at `cuts` (sorted row indices), each shard its own state, merged
/// left to right.
fn sharded(data: &Dataset, cuts: &[usize], intercept: bool) -> LeastSquaresState {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(data.n_samples());
    let mut merged = LeastSquaresState::new(data.x().n_cols(), data.y().n_cols(), intercept);
    for w in bounds.windows(2) {
        let shard = data.select(&(w[0]..w[1]).collect::<Vec<_>>());
        let state = LeastSquaresState::of(shard.x(), shard.y(), intercept).unwrap();
        // A state round-trips through TOML (as `ember fit-shard` writes it) bit for bit:
        // shards travel between machines so.
        let text = toml::to_string(&state).unwrap();
        let back: LeastSquaresState = toml::from_str(&text).unwrap();
        assert_eq!(back, state);
        merged.merge(&back).unwrap();
    }
    merged
}

#[test]
fn eight_diabetes_shards_merged_equal_one_fit_on_all_rows() {
    let data = ember_data::load("diabetes").unwrap();
    let device = Device::flex();
    for intercept in [true, false] {
        let config = LinearRegressionConfig::new()
            .with_solver(Solver::Lstsq)
            .with_fit_intercept(intercept);
        let whole = config.fit_dataset(&data, &device).unwrap();
        let merged = sharded(&data, &[1, 50, 51, 120, 200, 333, 400], intercept);
        assert_eq!(merged.n_rows(), 442);
        let streamed = merged.fit(&config, &device).unwrap();
        assert_close(
            streamed.coef().as_slice(),
            whole.coef().as_slice(),
            1e-10,
            "coef",
        );
        assert_close(streamed.intercept(), whole.intercept(), 1e-10, "intercept");
    }
}

#[test]
fn any_grouping_of_shards_gives_the_same_fit() {
    let data = ember_data::load("diabetes").unwrap();
    let device = Device::flex();
    let config = LinearRegressionConfig::new();
    let reference = sharded(&data, &[], true).fit(&config, &device).unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..20 {
        let mut cuts: Vec<usize> = (0..rng.random_range(1..12))
            .map(|_| rng.random_range(0..=442))
            .collect();
        cuts.sort_unstable();
        let got = sharded(&data, &cuts, true).fit(&config, &device).unwrap();
        assert_close(
            got.coef().as_slice(),
            reference.coef().as_slice(),
            1e-10,
            &format!("cuts {cuts:?}"),
        );
        assert_close(got.intercept(), reference.intercept(), 1e-10, "intercept");
    }
}

fn summary_numbers(s: &OlsSummary) -> Vec<f64> {
    let mut v = vec![
        s.r_squared,
        s.adj_r_squared,
        s.f_statistic,
        s.f_pvalue,
        s.log_likelihood,
        s.aic,
        s.bic,
        s.scale,
        s.condition_number,
    ];
    for c in &s.coefficients {
        let e = c.estimate.unwrap();
        v.extend([
            e.coef,
            e.std_err,
            e.statistic,
            e.p_value,
            e.ci_low,
            e.ci_high,
        ]);
    }
    v
}

#[test]
fn the_summary_of_merged_shards_is_the_in_memory_summary() {
    let data = ember_data::load("diabetes").unwrap();
    let model = LinearRegressionConfig::new()
        .fit_dataset(&data, &Device::flex())
        .unwrap();
    let merged = sharded(&data, &[10, 100, 250, 251, 300, 390, 441], true);
    for cov_type in [CovType::Nonrobust, CovType::Hc1, CovType::Hc3] {
        let options = InferenceOptions {
            cov_type,
            ..Default::default()
        };
        let whole = model.summary(data.x(), data.y(), &options).unwrap();
        // The second pass in chunks of another size than the shards.
        let mut pass = merged.residual_pass(&options).unwrap();
        for start in (0..442).step_by(97) {
            let rows: Vec<usize> = (start..(start + 97).min(442)).collect();
            let chunk = data.select(&rows);
            pass.update(chunk.x(), chunk.y()).unwrap();
        }
        let streamed = pass.finish().unwrap();
        assert_close(
            &summary_numbers(&streamed),
            &summary_numbers(&whole),
            1e-9,
            &format!("{cov_type:?}"),
        );
        for (a, b) in [
            (streamed.durbin_watson, whole.durbin_watson),
            (streamed.skew, whole.skew),
            (streamed.kurtosis, whole.kurtosis),
            (streamed.jarque_bera, whole.jarque_bera),
        ] {
            assert!(rel(a.unwrap(), b.unwrap()) < 1e-9, "{a:?} vs {b:?}");
        }
    }
    // Without the second pass: the numbers the state determines, the rest skipped.
    let one_pass = merged.summary(&InferenceOptions::default()).unwrap();
    let whole = model
        .summary(data.x(), data.y(), &InferenceOptions::default())
        .unwrap();
    assert_close(
        &summary_numbers(&one_pass),
        &summary_numbers(&whole),
        1e-9,
        "one pass",
    );
    assert_eq!((one_pass.skew, one_pass.jarque_bera), (None, None));
    assert!(
        one_pass
            .to_string()
            .contains("skipped: they need a second pass")
    );
    let robust = InferenceOptions {
        cov_type: CovType::Hc0,
        ..Default::default()
    };
    let err = merged.summary(&robust).unwrap_err();
    assert!(err.to_string().contains("residual_pass"), "{err}");
}

#[test]
fn a_residual_pass_that_misses_rows_is_refused() {
    let data = ember_data::load("diabetes").unwrap();
    let state = LeastSquaresState::of(data.x(), data.y(), true).unwrap();
    let mut pass = state.residual_pass(&InferenceOptions::default()).unwrap();
    let half = data.select(&(0..221).collect::<Vec<_>>());
    pass.update(half.x(), half.y()).unwrap();
    let err = pass.finish().unwrap_err();
    assert!(
        err.to_string()
            .contains("442 rows, the residual pass saw 221"),
        "{err}"
    );
}

#[test]
fn a_non_finite_value_names_its_row_across_chunks_and_leaves_the_state_unchanged() {
    let mut state = LeastSquaresState::new(2, 1, true);
    let x = Matrix::new(3, 2, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let y = Matrix::column(vec![1.0, 2.0, 3.0]);
    state.update(&x, &y).unwrap();
    let before = state.clone();
    let bad = Matrix::new(2, 2, vec![1.0, 2.0, 3.0, f64::NAN]).unwrap();
    let err = state
        .update(&bad, &Matrix::column(vec![1.0, 2.0]))
        .unwrap_err();
    assert!(
        err.to_string().contains("row 4") && err.to_string().contains("column 1"),
        "{err}"
    );
    assert_eq!(state, before);
}

#[test]
fn states_of_other_columns_or_damaged_states_do_not_merge() -> Result<(), FitError> {
    let mut a = LeastSquaresState::new(2, 1, true);
    let err = a.merge(&LeastSquaresState::new(3, 1, true)).unwrap_err();
    assert!(err.to_string().contains("3 features"), "{err}");
    let err = a.merge(&LeastSquaresState::new(2, 1, false)).unwrap_err();
    assert!(err.to_string().contains("without an intercept"), "{err}");
    let named = |f: &[&str]| {
        LeastSquaresState::new(2, 1, true)
            .with_names(f.iter().map(|s| s.to_string()).collect(), vec!["y".into()])
    };
    let err = named(&["a", "b"]).merge(&named(&["b", "a"])).unwrap_err();
    assert!(err.to_string().contains("columns differ"), "{err}");
    // A damaged file: a value below the diagonal, a factor of the wrong size, another format.
    let good = serde_json::to_value(LeastSquaresState::of(
        &Matrix::new(4, 2, vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 5.0]).unwrap(),
        &Matrix::column(vec![1.0, 2.0, 3.0, 4.0]),
        true,
    )?)
    .unwrap();
    let mut below = good.clone();
    below["r"][4] = serde_json::json!(1.5);
    let mut short = good.clone();
    short["r"].as_array_mut().unwrap().pop();
    let mut other = good;
    other["format"] = serde_json::json!(99);
    for (damaged, says) in [
        (below, "damaged at (1, 0)"),
        (short, "15 values"),
        (other, "format 99"),
    ] {
        let state: LeastSquaresState = serde_json::from_value(damaged).unwrap();
        let err = a.merge(&state).unwrap_err();
        assert!(err.to_string().contains(says), "{err}");
        assert!(
            state
                .fit(&LinearRegressionConfig::new(), &Device::flex())
                .is_err()
        );
    }
    Ok(())
}
