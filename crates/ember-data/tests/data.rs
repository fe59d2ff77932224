//! Bundled data, generators, splits and scaling.

use std::collections::HashSet;

use ember_data::bundled::{AnscombeSeries, anscombe, diabetes, linnerud, seed_line_numpy42};
use ember_data::generators::{MakeRegression, seed_line};
use ember_data::preprocessing::StandardScaler;
use ember_data::split::{train_test_indices, train_test_split};
use ember_data::{DataError, Matrix};

#[test]
fn diabetes_has_all_442_rows() -> Result<(), DataError> {
    // The raw file has no header: a loader that skips a "header" line would return 441.
    let data = diabetes(false)?;
    assert_eq!(data.x().shape(), (442, 10));
    assert_eq!(
        data.x().row(0),
        &[59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0]
    );
    assert_eq!(
        data.x().row(441),
        &[36.0, 1.0, 19.6, 71.0, 250.0, 133.2, 97.0, 3.0, 4.5951, 92.0]
    );
    assert_eq!((data.y().get(0, 0), data.y().get(441, 0)), (151.0, 57.0));
    assert_eq!(data.feature_names()[2], "bmi");
    Ok(())
}

#[test]
fn diabetes_scaled_like_sklearn() -> Result<(), DataError> {
    // sklearn's scaled diabetes: every column has mean 0 and sum of squares 1;
    // load_diabetes().data[0, 0] == 0.038075906433423026.
    let data = diabetes(true)?;
    for j in 0..10 {
        let col = data.x().column_values(j);
        assert!(col.iter().sum::<f64>().abs() < 1e-12);
        assert!((col.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
    }
    assert!((data.x().get(0, 0) - 0.038075906433423026).abs() < 1e-15);
    Ok(())
}

#[test]
fn anscombe_linnerud_and_seed_line_load() -> Result<(), DataError> {
    for series in AnscombeSeries::ALL {
        let data = anscombe(series)?;
        assert_eq!(data.n_samples(), 11);
        // All four series have mean x = 9 and mean y ≈ 7.50.
        assert!((data.x().column_means()[0] - 9.0).abs() < 1e-12);
        assert!((data.y().column_means()[0] - 7.50).abs() < 0.01);
    }
    let data = linnerud()?;
    assert_eq!(data.x().row(0), &[5.0, 162.0, 60.0]);
    assert_eq!(data.y().row(0), &[191.0, 36.0, 50.0]);
    assert_eq!(data.feature_names(), &["Chins", "Situps", "Jumps"]);
    let data = seed_line_numpy42()?;
    assert_eq!(data.n_samples(), 100);
    assert_eq!(data.y().get(0, 0), 6.083_368_019_017_072);
    Ok(())
}

#[test]
fn seed_line_statistics() {
    let data = seed_line(20_000, 5);
    let x = data.x().column_values(0);
    let mean_x = x.iter().sum::<f64>() / x.len() as f64;
    assert!((mean_x - 1.0).abs() < 0.02, "E[2·U(0,1)] = 1, got {mean_x}");
    let residual: Vec<f64> = x
        .iter()
        .zip(data.y().as_slice())
        .map(|(x, y)| y - 3.0 - 4.0 * x)
        .collect();
    let mean = residual.iter().sum::<f64>() / residual.len() as f64;
    let var = residual.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / residual.len() as f64;
    assert!(
        mean.abs() < 0.03 && (var - 1.0).abs() < 0.04,
        "noise N(0, 1): mean {mean}, var {var}"
    );
    assert_eq!(seed_line(50, 5), seed_line(50, 5));
    assert_ne!(seed_line(50, 5), seed_line(50, 6));
}

#[test]
fn make_regression_follows_sklearn_semantics() -> Result<(), DataError> {
    let params = MakeRegression {
        n_samples: 5000,
        n_features: 8,
        n_informative: 3,
        n_targets: 2,
        bias: 2.5,
        noise: 0.0,
        seed: 11,
        ..Default::default()
    };
    let (data, coef) = params.generate()?;
    assert_eq!(
        (data.x().shape(), data.y().shape(), coef.shape()),
        ((5000, 8), (5000, 2), (8, 2))
    );
    // Exactly n_informative features carry weight, each in [0, 100).
    let informative = (0..8)
        .filter(|&j| coef.row(j).iter().any(|c| *c != 0.0))
        .count();
    assert_eq!(informative, 3);
    assert!(coef.as_slice().iter().all(|c| (0.0..100.0).contains(c)));
    // Without noise, y = X·coef + bias exactly; features are standard normal.
    for i in 0..data.n_samples() {
        for t in 0..2 {
            let y: f64 = (0..8)
                .map(|j| data.x().get(i, j) * coef.get(j, t))
                .sum::<f64>()
                + 2.5;
            assert!((y - data.y().get(i, t)).abs() < 1e-9);
        }
    }
    let means = data.x().column_means();
    assert!(means.iter().all(|m| m.abs() < 0.05));
    assert_eq!(params.generate()?.0, data);
    // Noise has the requested standard deviation.
    let (noisy, coef) = MakeRegression {
        noise: 3.0,
        ..params.clone()
    }
    .generate()?;
    let diffs: Vec<f64> = (0..noisy.n_samples())
        .map(|i| {
            let clean: f64 = (0..8)
                .map(|j| noisy.x().get(i, j) * coef.get(j, 0))
                .sum::<f64>()
                + 2.5;
            noisy.y().get(i, 0) - clean
        })
        .collect();
    let sd = (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64).sqrt();
    assert!((sd - 3.0).abs() < 0.1, "noise sd {sd}");
    let err = MakeRegression {
        n_samples: 0,
        ..Default::default()
    }
    .generate()
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid parameter `n_samples`: must be at least 1"
    );
    Ok(())
}

#[test]
fn splits_have_sklearn_sizes_and_partition_the_rows() -> Result<(), DataError> {
    // sklearn: train_test_split(np.arange(n), test_size=0.2) gives 353/89 for 442, 1437/360 for
    // 1797, 120/30 for 150 (the test part is ceil(0.2 n)).
    for (n, train, test) in [(442, 353, 89), (1797, 1437, 360), (150, 120, 30)] {
        let (a, b) = train_test_indices(n, 0.2, 42)?;
        assert_eq!((a.len(), b.len()), (train, test));
        let all: HashSet<usize> = a.iter().chain(&b).copied().collect();
        assert_eq!(all.len(), n);
    }
    let data = seed_line(100, 1);
    let (train, test) = train_test_split(&data, 0.25, 9)?;
    assert_eq!((train.n_samples(), test.n_samples()), (75, 25));
    assert_eq!(train_test_split(&data, 0.25, 9)?, (train, test));
    assert!(train_test_split(&data, 0.0, 9).is_err());
    Ok(())
}

#[test]
fn standard_scaler_matches_sklearn() -> Result<(), DataError> {
    // sklearn StandardScaler().fit(X): mean_ [2.5, 10.0, 7.0], scale_ [1.118033988749895, 1.0 (constant), 4.949747468305833]
    let x: Matrix = Matrix::from_rows(&[
        [1.0, 10.0, 0.0],
        [2.0, 10.0, 14.0],
        [3.0, 10.0, 7.0],
        [4.0, 10.0, 7.0],
    ])?;
    let scaler = StandardScaler::fit(&x)?;
    assert_eq!(scaler.mean(), &[2.5, 10.0, 7.0]);
    assert!((scaler.scale()[0] - 1.118033988749895).abs() < 1e-15);
    assert_eq!(scaler.scale()[1], 1.0);
    assert!((scaler.scale()[2] - 4.949747468305833).abs() < 1e-15);
    let z = scaler.transform(&x)?;
    assert_eq!(z.column_values(1), vec![0.0; 4]);
    let back = scaler.inverse_transform(&z)?;
    assert!(
        back.as_slice()
            .iter()
            .zip(x.as_slice())
            .all(|(a, b)| (a - b).abs() < 1e-12)
    );
    let err = StandardScaler::fit(&Matrix::from_rows(&[[1.0], [f64::NAN]])?).unwrap_err();
    assert_eq!(
        err.to_string(),
        "X has a non-finite value (NaN) at row 1, column 0"
    );
    Ok(())
}
