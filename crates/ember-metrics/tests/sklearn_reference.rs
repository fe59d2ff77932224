//! Regression metrics against scikit-learn 1.9.1.
//!
//! Every expected number below was printed by scikit-learn 1.9.1 (numpy 2.4, f64) for the same
//! arrays, e.g. `sklearn.metrics.r2_score(yt, yp, multioutput="variance_weighted")`.

use ember_metrics::{
    MetricError, Multioutput, RegressionMetric, explained_variance_score, max_error,
    mean_absolute_error, mean_squared_error, r2_score, root_mean_squared_error,
};

const YT: [f64; 6] = [3.0, -0.5, 2.0, 7.0, 4.2, -1.3];
const YP: [f64; 6] = [2.5, 0.0, 2.1, 7.8, 3.9, -0.4];

// Rows of three outputs.
const YT3: [f64; 12] = [0.5, 1.0, 3.0, -1.0, 1.0, 4.0, 7.0, -6.0, 2.5, 2.0, 0.3, 1.0];
const YP3: [f64; 12] = [0.0, 2.0, 2.5, -1.0, 2.0, 4.5, 8.0, -5.0, 2.0, 2.5, 0.0, 1.5];

fn close(a: f64, b: f64) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1.0),
        "got {a}, scikit-learn gives {b}"
    );
}

fn close_all(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).for_each(|(x, y)| close(*x, *y));
}

#[test]
fn single_output_matches_sklearn() -> Result<(), MetricError> {
    close(mean_squared_error(&YT, &YP)?, 0.3416666666666666);
    close(root_mean_squared_error(&YT, &YP)?, 0.584522597225006);
    close(mean_absolute_error(&YT, &YP)?, 0.5166666666666667);
    close(r2_score(&YT, &YP)?, 0.9564015312632922);
    close(explained_variance_score(&YT, &YP)?, 0.964376860910251);
    close(max_error(&YT, &YP)?, 0.9);
    Ok(())
}

#[test]
fn multi_output_raw_and_uniform_match_sklearn() -> Result<(), MetricError> {
    use RegressionMetric::*;
    let cases: [(RegressionMetric, [f64; 3], f64); 5] = [
        (MeanSquaredError, [0.375, 0.7725, 0.25], 0.4658333333333333),
        (
            RootMeanSquaredError,
            [0.6123724356957945, 0.8789197915623472, 0.5],
            0.6637640757527139,
        ),
        (MeanAbsoluteError, [0.5, 0.825, 0.5], 0.6083333333333333),
        (
            R2,
            [0.9585492227979274, 0.9108675272229033, 0.7866666666666666],
            0.8853611388958326,
        ),
        (
            ExplainedVariance,
            [0.9654576856649395, 0.963438378885123, 0.7866666666666666],
            0.9051875770722431,
        ),
    ];
    for (metric, raw, uniform) in cases {
        close_all(&metric.per_output(&YT3, &YP3, 3)?, &raw);
        close(
            metric.score(&YT3, &YP3, 3, Multioutput::UniformAverage)?,
            uniform,
        );
    }
    Ok(())
}

#[test]
fn variance_weighted_matches_sklearn() -> Result<(), MetricError> {
    let vw = Multioutput::VarianceWeighted;
    close(
        RegressionMetric::R2.score(&YT3, &YP3, 3, vw)?,
        0.9260019194493165,
    );
    close(
        RegressionMetric::ExplainedVariance.score(&YT3, &YP3, 3, vw)?,
        0.9534368070953437,
    );
    assert!(
        RegressionMetric::MeanSquaredError
            .score(&YT3, &YP3, 3, vw)
            .is_err()
    );
    Ok(())
}

#[test]
fn constant_target_follows_force_finite() -> Result<(), MetricError> {
    // sklearn: r2_score(c, c) == 1.0, r2_score(c, c + [0, 0, 1]) == 0.0,
    // explained_variance_score(c, c + 1) == 1.0, explained_variance_score(c, c + [0, 0, 1]) == 0.0
    let c = [2.0, 2.0, 2.0];
    assert_eq!(r2_score(&c, &c)?, 1.0);
    assert_eq!(r2_score(&c, &[2.0, 2.0, 3.0])?, 0.0);
    assert_eq!(explained_variance_score(&c, &[3.0, 3.0, 3.0])?, 1.0);
    assert_eq!(explained_variance_score(&c, &[2.0, 2.0, 3.0])?, 0.0);
    Ok(())
}

#[test]
fn bad_input_is_an_error_that_says_where() {
    assert_eq!(
        mean_squared_error(&[1.0, 2.0], &[1.0]),
        Err(MetricError::LengthMismatch {
            y_true: 2,
            y_pred: 1
        })
    );
    assert_eq!(mean_squared_error(&[], &[]), Err(MetricError::Empty));
    let err = RegressionMetric::R2
        .per_output(&[1.0, 2.0, 3.0, f64::NAN], &[1.0; 4], 2)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "y_true has a non-finite value (NaN) at row 1, output 1"
    );
    assert!(matches!(
        RegressionMetric::R2.per_output(&[1.0; 3], &[1.0; 3], 2),
        Err(MetricError::RaggedOutputs { .. })
    ));
    assert!(matches!(
        r2_score(&[1.0], &[1.0]),
        Err(MetricError::Undefined(_))
    ));
    assert!(matches!(
        RegressionMetric::MaxError.per_output(&YT3, &YP3, 3),
        Err(MetricError::Undefined(_))
    ));
}
