//! Classification metrics against scikit-learn 1.9.1 on the same input.
//!
//! The inputs were drawn in Python with `numpy.random.default_rng(7)` (a 4-class problem whose
//! predictions also hold a class 4 absent from `y_true`, a binary problem with scores, and
//! 3-class probabilities whose first row gives the true class probability 0); the expected
//! numbers are what `sklearn.metrics` printed for them (`zero_division=0`).

use ember_metrics::{
    Average, ClassificationAccumulator, ConfusionMatrix, MetricError, RegressionAccumulator,
    RegressionMetric, accuracy_score, balanced_accuracy_score, f1_score, log_loss, precision_score,
    recall_score, roc_auc_score,
};

const T: [usize; 30] = [
    3, 2, 2, 3, 2, 3, 3, 0, 0, 1, 1, 3, 3, 0, 1, 3, 0, 3, 0, 1, 3, 1, 1, 1, 2, 1, 3, 1, 1, 2,
];
const P: [usize; 30] = [
    4, 2, 1, 0, 0, 4, 4, 2, 0, 1, 1, 3, 2, 2, 1, 3, 0, 3, 0, 1, 3, 1, 1, 3, 2, 1, 2, 1, 1, 2,
];

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-15, "{a} vs scikit-learn's {b}");
}

#[test]
fn multiclass_scores_equal_scikit_learn() -> Result<(), MetricError> {
    close(accuracy_score(&T, &P)?, 0.6333333333333333);
    close(balanced_accuracy_score(&T, &P)?, 0.625);
    let expected = [
        (Average::Macro, 0.5457142857142857, 0.5, 0.5066666666666666),
        (
            Average::Micro,
            0.6333333333333333,
            0.6333333333333333,
            0.6333333333333333,
        ),
        (
            Average::Weighted,
            0.738095238095238,
            0.6333333333333333,
            0.6611111111111111,
        ),
    ];
    for (average, p, r, f) in expected {
        close(precision_score(&T, &P, average)?, p);
        close(recall_score(&T, &P, average)?, r);
        close(f1_score(&T, &P, average)?, f);
    }
    let err = f1_score(&T, &P, Average::Binary).unwrap_err();
    assert!(err.to_string().contains("class 2 occurs"), "{err}");
    Ok(())
}

#[test]
fn confusion_matrix_equals_scikit_learn_and_prints() -> Result<(), MetricError> {
    let cm = ConfusionMatrix::from_predictions(&T, &P, 5)?;
    let sklearn: [[u64; 5]; 5] = [
        [3, 0, 2, 0, 0],
        [0, 9, 0, 1, 0],
        [1, 1, 3, 0, 0],
        [1, 0, 2, 4, 3],
        [0, 0, 0, 0, 0],
    ];
    for (t, row) in sklearn.iter().enumerate() {
        assert_eq!(cm.row(t), row);
    }
    let table = cm.to_table(&["a", "b", "c", "d", "e"]);
    assert_eq!(table.lines().count(), 6);
    assert_eq!(
        table.lines().nth(4),
        Some("          d    1    0    2    4    3")
    );
    Ok(())
}

#[test]
fn binary_scores_and_roc_auc_equal_scikit_learn() -> Result<(), MetricError> {
    let t = [
        0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1,
    ];
    let s = [
        0.93, 0.85, 0.48, 0.88, 0.64, 0.87, 0.38, 0.41, 0.24, 0.34, 0.88, 0.77, 0.85, 0.32, 1.05,
        0.33, 0.37, 0.33, 0.42, 1.27, 0.96, 0.73, 0.52, 0.87, 0.64,
    ];
    // Ties (0.88, 0.85, 0.87, 0.64, 0.33) across classes count one half.
    close(roc_auc_score(&t, &s)?, 0.5909090909090909);
    let p: Vec<usize> = s.iter().map(|&v| usize::from(v > 0.65)).collect();
    close(
        precision_score(&t, &p, Average::Binary)?,
        0.6666666666666666,
    );
    close(recall_score(&t, &p, Average::Binary)?, 0.5714285714285714);
    close(f1_score(&t, &p, Average::Binary)?, 0.6153846153846154);
    let one_class = roc_auc_score(&[1, 1], &[0.2, 0.3]).unwrap_err();
    assert!(matches!(one_class, MetricError::Undefined(_)));
    Ok(())
}

#[test]
fn log_loss_equals_scikit_learn_with_clipping() -> Result<(), MetricError> {
    let t = [1, 2, 1, 2, 2, 1, 1, 2, 2, 0, 0, 0];
    #[rustfmt::skip]
    let p = [
        1.0, 0.0, 0.0, 0.24, 0.38, 0.38, 0.015, 0.984, 0.0010000000000000009,
        0.472, 0.432, 0.09600000000000003, 0.636, 0.349, 0.015000000000000013,
        0.256, 0.38, 0.364, 0.925, 0.035, 0.03999999999999995, 0.433, 0.158, 0.4089999999999999,
        0.59, 0.284, 0.12600000000000006, 0.105, 0.819, 0.07600000000000007,
        0.265, 0.442, 0.293, 0.389, 0.531, 0.07999999999999996,
    ];
    let expected = 4.6151650015509675;
    assert!((log_loss(&t, &p, 3)? - expected).abs() < 1e-14);
    // Streamed in uneven batches, the same number.
    let mut acc = ClassificationAccumulator::new(3);
    acc.update_proba(&t[..5], &p[..15])?;
    acc.update_proba(&t[5..], &p[15..])?;
    assert!((acc.log_loss()? - expected).abs() < 1e-14);
    let bad = log_loss(&[0], &[0.7, 0.7, 0.0], 3).unwrap_err();
    assert_eq!(
        bad.to_string(),
        "y_proba row 0: probabilities sum to 1.4, not 1"
    );
    Ok(())
}

#[test]
fn streamed_classification_equals_one_shot() -> Result<(), MetricError> {
    let mut acc = ClassificationAccumulator::new(5);
    for (t, p) in T.chunks(7).zip(P.chunks(7)) {
        acc.update(t, p)?;
    }
    let cm = acc.confusion();
    close(cm.accuracy(), accuracy_score(&T, &P)?);
    close(cm.f1(Average::Macro)?, f1_score(&T, &P, Average::Macro)?);
    close(cm.balanced_accuracy(), balanced_accuracy_score(&T, &P)?);
    Ok(())
}

#[test]
fn streamed_regression_equals_one_shot_over_uneven_batches() -> Result<(), MetricError> {
    // Two outputs on very different scales, with a large offset (where naive Σy² − (Σy)²/n
    // loses digits), streamed in batches of 1, 7 and the rest.
    let n = 500;
    let y_true: Vec<f64> = (0..n)
        .flat_map(|i| {
            let x = i as f64;
            [1e6 + (x * 0.37).sin() * 3.0, (x * 0.11).cos() * 1e-3]
        })
        .collect();
    let y_pred: Vec<f64> = y_true
        .iter()
        .enumerate()
        .map(|(i, v)| v + ((i * 7919) % 13) as f64 * if i % 2 == 0 { 0.1 } else { 1e-5 })
        .collect();
    let mut acc = RegressionAccumulator::new(2);
    for (start, end) in [(0, 1), (1, 8), (8, n)] {
        acc.update(&y_true[2 * start..2 * end], &y_pred[2 * start..2 * end])?;
    }
    let avg = Default::default();
    for (metric, streamed) in [
        (RegressionMetric::MeanSquaredError, acc.mse()?),
        (RegressionMetric::RootMeanSquaredError, acc.rmse()?),
        (RegressionMetric::MeanAbsoluteError, acc.mae()?),
        (RegressionMetric::R2, acc.r2()?),
        (
            RegressionMetric::ExplainedVariance,
            acc.explained_variance()?,
        ),
    ] {
        let one_shot = metric.score(&y_true, &y_pred, 2, avg)?;
        let rel = ((streamed - one_shot) / one_shot).abs();
        assert!(rel < 1e-12, "{metric:?}: {streamed} vs {one_shot}");
    }
    assert_eq!(acc.len(), n as u64);
    Ok(())
}
