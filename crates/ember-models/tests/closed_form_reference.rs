//! Closed-form least squares and ridge against scikit-learn, statsmodels-grade references.
//!
//! Reference numbers: scikit-learn 1.9.1 with numpy 2.4 (f64) on the same bundled files, unless
//! a test says otherwise; `../shared/data/README.md` of the project lists the diabetes, seed-line
//! and Anscombe ones.

// Reference values are quoted digit for digit as the reference tools printed them.
#![allow(clippy::excessive_precision)]

use burn::tensor::Device;
use ember_data::bundled::{AnscombeSeries, anscombe, diabetes, linnerud, seed_line_numpy42};
use ember_data::{Dataset, Matrix};
use ember_models::FitError;
use ember_models::linear::{LeastSquaresState, LinearRegression, LinearRegressionConfig, Solver};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            rel(*g, *w) <= tol,
            "{what}[{i}]: got {g}, reference {w} (rel. error {:e})",
            rel(*g, *w)
        );
    }
}

fn fit(config: LinearRegressionConfig, data: &Dataset) -> Result<LinearRegression, FitError> {
    config.fit_dataset(data, &Device::flex())
}

/// sklearn's `load_diabetes()` (scaled features), `LinearRegression().fit(X, y)`.
const DIABETES_COEF: [f64; 10] = [
    -10.0098662998,
    -239.8156436724,
    519.8459200545,
    324.3846455023,
    -792.1756385522,
    476.7390210053,
    101.0432679380,
    177.0632376713,
    751.2736995571,
    67.6266921837,
];

#[test]
fn diabetes_ols_matches_sklearn_with_every_closed_form_solver()
-> Result<(), Box<dyn std::error::Error>> {
    let data = diabetes(true)?;
    for solver in [Solver::Auto, Solver::Lstsq, Solver::NormalEquations] {
        let model = fit(LinearRegressionConfig::new().with_solver(solver), &data)?;
        assert_close(
            model.coef().as_slice(),
            &DIABETES_COEF,
            1e-9,
            "diabetes coef",
        );
        assert_close(
            model.intercept(),
            &[152.1334841629],
            1e-10,
            "diabetes intercept",
        );
        let r2 = model.score(data.x(), data.y())?;
        assert!(rel(r2, 0.5177484222) < 1e-9, "{solver:?}: R² {r2}");
        let predicted = model.predict(data.x())?;
        let rmse =
            ember_metrics::root_mean_squared_error(data.y().as_slice(), predicted.as_slice())?;
        assert!(rel(rmse, 53.4761287640) < 1e-9, "RMSE {rmse}");
    }
    Ok(())
}

#[test]
fn diabetes_raw_features_give_the_same_fit() -> Result<(), Box<dyn std::error::Error>> {
    // sklearn: load_diabetes(scaled=False), LinearRegression(): intercept -334.5671385187875.
    let data = diabetes(false)?;
    let model = fit(LinearRegressionConfig::new(), &data)?;
    assert!(rel(model.intercept()[0], -334.5671385187875) < 1e-9);
    assert_close(
        model.coef().as_slice(),
        &[
            -0.036361224223623534,
            -22.859648090498354,
            5.602962091923719,
            1.1168079933181838,
            -1.0899963340632226,
            0.7464504555142124,
            0.3720047150891379,
            6.53383193599034,
            68.48312496478829,
            0.2801169893214981,
        ],
        1e-8,
        "raw coef",
    );
    assert!(rel(model.score(data.x(), data.y())?, 0.5177484222203498) < 1e-10);
    Ok(())
}

#[test]
fn diabetes_sklearn_split_test_r2() -> Result<(), Box<dyn std::error::Error>> {
    // The indices of sklearn's train_test_split(np.arange(442), test_size=0.2, random_state=42).
    let splits: serde_json::Value = serde_json::from_str(include_str!(
        "../../ember-data/data/sklearn-splits/train_test_split_rs42.json"
    ))?;
    let indices = |key: &str| -> Vec<usize> {
        splits["diabetes"][key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_u64())
                    .map(|v| v as usize)
                    .collect()
            })
            .unwrap_or_default()
    };
    let data = diabetes(false)?;
    let (train, test) = (
        data.select(&indices("train_idx")),
        data.select(&indices("test_idx")),
    );
    assert_eq!((train.n_samples(), test.n_samples()), (353, 89));
    let model = fit(LinearRegressionConfig::new(), &train)?;
    // sklearn: test R² 0.45260276297191915, MSE 2900.193628493483.
    assert!(rel(model.score(test.x(), test.y())?, 0.45260276297191915) < 1e-9);
    let mse = ember_metrics::mean_squared_error(
        test.y().as_slice(),
        model.predict(test.x())?.as_slice(),
    )?;
    assert!(rel(mse, 2900.193628493483) < 1e-9);
    Ok(())
}

#[test]
fn diabetes_without_intercept() -> Result<(), Box<dyn std::error::Error>> {
    // sklearn: LinearRegression(fit_intercept=False) on scaled diabetes: R² -3.3852947912492786
    // (centred features, so the coefficients equal the intercept model's).
    let data = diabetes(true)?;
    let model = fit(
        LinearRegressionConfig::new().with_fit_intercept(false),
        &data,
    )?;
    assert_eq!(model.intercept(), &[0.0]);
    assert_close(model.coef().as_slice(), &DIABETES_COEF, 1e-9, "coef");
    assert!(rel(model.score(data.x(), data.y())?, -3.3852947912492786) < 1e-9);
    Ok(())
}

#[test]
fn ridge_matches_sklearn() -> Result<(), Box<dyn std::error::Error>> {
    let data = diabetes(true)?;
    // sklearn: Ridge(alpha=1.0).fit(X, y) and Ridge(alpha=0.1) on scaled diabetes.
    let cases: [(f64, [f64; 10], f64); 2] = [
        (
            1.0,
            [
                29.46611189347689,
                -83.15427636187542,
                306.35268015068607,
                201.62773437326962,
                5.909614367497143,
                -29.515495079689575,
                -152.04028006186408,
                117.31173160030154,
                262.94429001431297,
                111.87895643952395,
            ],
            0.45123062774361744,
        ),
        (
            0.1,
            [
                1.308705426931757,
                -207.192417858539,
                489.69517109044375,
                301.7640578617738,
                -83.46603399161162,
                -70.82683190150559,
                -188.67889781854402,
                115.71213559879246,
                443.8129174730441,
                86.74931540489804,
            ],
            0.5125619902742506,
        ),
    ];
    for (alpha, coef, r2) in cases {
        for solver in [Solver::Lstsq, Solver::NormalEquations] {
            let model = fit(
                LinearRegressionConfig::new()
                    .with_alpha(alpha)
                    .with_solver(solver),
                &data,
            )?;
            assert_close(model.coef().as_slice(), &coef, 1e-9, "ridge coef");
            assert!(rel(model.intercept()[0], 152.133484162896) < 1e-12);
            assert!(rel(model.score(data.x(), data.y())?, r2) < 1e-10);
        }
    }
    Ok(())
}

#[test]
fn seed_line_matches_the_classic_tutorial() -> Result<(), Box<dyn std::error::Error>> {
    // sklearn LinearRegression on seed_line_numpy42.csv: 3.2150961575 + 3.7701133864·x,
    // R² 0.86064, MSE 0.80658.
    let data = seed_line_numpy42()?;
    let model = fit(LinearRegressionConfig::new(), &data)?;
    assert!(rel(model.intercept()[0], 3.2150961575) < 1e-9);
    assert!(rel(model.coef().get(0, 0), 3.7701133864) < 1e-9);
    assert!((model.score(data.x(), data.y())? - 0.86064).abs() < 5e-6);
    let mse = ember_metrics::mean_squared_error(
        data.y().as_slice(),
        model.predict(data.x())?.as_slice(),
    )?;
    assert!((mse - 0.80658).abs() < 5e-6);
    Ok(())
}

#[test]
fn anscombe_quartet() -> Result<(), Box<dyn std::error::Error>> {
    // ../shared/data/README.md (scikit-learn 1.9.1): intercept, slope, R² per series.
    let want = [
        (2.9975454545, 0.5002727273, 0.6661603281),
        (3.0009090909, 0.5, 0.6662420337),
        (3.0024545455, 0.4997272727, 0.6663240411),
        (3.0017272727, 0.4999090909, 0.6667072569),
    ];
    for (series, (b, w, r2)) in AnscombeSeries::ALL.into_iter().zip(want) {
        let data = anscombe(series)?;
        let model = fit(LinearRegressionConfig::new(), &data)?;
        assert!(rel(model.intercept()[0], b) < 1e-9, "{series:?} intercept");
        assert!(rel(model.coef().get(0, 0), w) < 1e-9, "{series:?} slope");
        assert!(
            rel(model.score(data.x(), data.y())?, r2) < 1e-9,
            "{series:?} R²"
        );
    }
    Ok(())
}

#[test]
fn multi_output_linnerud() -> Result<(), Box<dyn std::error::Error>> {
    // sklearn: LinearRegression().fit(load_linnerud().data, .target); coef_ is targets × features.
    let data = linnerud()?;
    let model = fit(LinearRegressionConfig::new(), &data)?;
    assert_close(
        model.intercept(),
        &[208.2335188069604, 40.597875418664636, 52.04362105172439],
        1e-10,
        "intercepts",
    );
    assert_close(
        model.coef().as_slice(),
        &[
            -0.4750263586638008,
            -0.21771646975131492,
            0.09308837062185482,
            -0.13687022987329833,
            -0.04033662401015165,
            0.027973597131089715,
            0.001070788402868772,
            0.04202940787028209,
            -0.029461170948094615,
        ],
        1e-9,
        "coef",
    );
    assert!(rel(model.score(data.x(), data.y())?, 0.2968779120881459) < 1e-10);
    Ok(())
}

#[test]
fn rank_deficient_design_gives_the_minimum_norm_solution() -> Result<(), Box<dyn std::error::Error>>
{
    // x, x and 2x: sklearn (scipy lstsq, like numpy.linalg.lstsq) gives the minimum-norm
    // coefficients 0.3158586430608047, 0.3158586430608047, 0.6317172861216095, intercept
    // 1.0573685713882406.
    let rows: Vec<[f64; 3]> = (0..20)
        .map(|i| {
            let x = i as f64 / 19.0;
            [x, x, 2.0 * x]
        })
        .collect();
    let y: Vec<f64> = rows
        .iter()
        .map(|r| 1.0 + 2.0 * r[0] + 0.1 * (7.0 * r[0]).sin())
        .collect();
    let data = Dataset::new(Matrix::from_rows(&rows)?, Matrix::column(y))?;
    for solver in [Solver::Auto, Solver::Lstsq] {
        let model = fit(LinearRegressionConfig::new().with_solver(solver), &data)?;
        assert_close(
            model.coef().as_slice(),
            &[0.3158586430608047, 0.3158586430608047, 0.6317172861216095],
            1e-9,
            "min-norm coef",
        );
        assert!(rel(model.intercept()[0], 1.0573685713882406) < 1e-9);
    }
    // The normal equations cannot solve a singular system; they say so instead of guessing.
    let err = fit(
        LinearRegressionConfig::new().with_solver(Solver::NormalEquations),
        &data,
    )
    .unwrap_err();
    assert!(err.to_string().contains("singular"), "{err}");
    Ok(())
}

/// The polynomial design `x, x², …, x^degree` at `x = 1 + i/39`, `i = 0..40`, powers by repeated
/// multiplication, and `y = 1/(1 + x) + ((7919 i) mod 13)/100`: bit-for-bit what the reference
/// script computed.
fn polynomial(degree: usize) -> Result<Dataset, ember_data::DataError> {
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for i in 0..40 {
        let x = 1.0 + i as f64 / 39.0;
        let mut power = 1.0;
        rows.push(
            (0..degree)
                .map(|_| {
                    power *= x;
                    power
                })
                .collect::<Vec<f64>>(),
        );
        y.push(1.0 / (1.0 + x) + ((i * 7919) % 13) as f64 / 100.0);
    }
    Dataset::new(Matrix::from_rows(&rows)?, Matrix::column(y))
}

/// The exact least-squares solutions of [`polynomial`]'s designs of degree 8 and 9: degree,
/// intercept, coefficients and the relative error the accurate paths reach.
fn polynomial_references() -> [(usize, f64, &'static [f64], f64); 2] {
    // Reference: the exact least-squares solution of the same f64 design, solved with mpmath at
    // 80 digits (normal equations of [1, X]). The centred design has condition number 2.4e9
    // (degree 8) and 4.5e10 (degree 9); numpy.linalg.lstsq is off by 3.6e-9 and 5.5e-8
    // relative, and scikit-learn 1.9.1's LinearRegression by far more.
    [
        (
            8,
            -1697.2631668901718,
            &[
                9348.3476676550006,
                -22485.931281360426,
                30865.316683026001,
                -26442.662479568654,
                14474.604141533933,
                -4942.1164752859372,
                961.85047281384623,
                -81.656316749003052,
            ],
            1e-7,
        ),
        (
            9,
            52670.445067869999,
            &[
                -336139.80384149134,
                946040.27136056793,
                -1541271.5411877831,
                1602075.2483128092,
                -1101992.282982585,
                501689.21350934706,
                -145790.78798625186,
                24543.852585785805,
                -1824.1117708032282,
            ],
            1e-6,
        ),
    ]
}

#[test]
fn ill_conditioned_polynomial_matches_high_precision_reference()
-> Result<(), Box<dyn std::error::Error>> {
    let cases = polynomial_references();
    for (degree, intercept, coef, tol) in cases {
        let data = polynomial(degree)?;
        // Auto must notice the conditioning and take the accurate path even when asked to be fast.
        let model = fit(LinearRegressionConfig::new(), &data)?;
        assert_eq!(model.solver(), Solver::Lstsq);
        assert_close(
            model.coef().as_slice(),
            coef,
            tol,
            &format!("degree {degree} coef"),
        );
        assert!(
            rel(model.intercept()[0], intercept) < tol,
            "degree {degree} intercept"
        );
    }
    Ok(())
}

/// Eight shards of uneven size, each folded into its own state, merged in a tree.
fn merged_shards(data: &Dataset, fit_intercept: bool) -> Result<LeastSquaresState, FitError> {
    let n = data.n_samples();
    let cuts = [0, 1, n / 9, n / 4, n / 3, n / 2, n / 2 + 3, 3 * n / 4, n];
    let mut states = cuts
        .windows(2)
        .map(|w| {
            let rows: Vec<usize> = (w[0]..w[1]).collect();
            let shard = data.select(&rows);
            LeastSquaresState::of(shard.x(), shard.y(), fit_intercept)
        })
        .collect::<Result<Vec<_>, _>>()?;
    while states.len() > 1 {
        let right = states.split_off(states.len() / 2);
        for (left, right) in states.iter_mut().zip(&right) {
            left.merge(right)?;
        }
    }
    Ok(states.remove(0))
}

#[test]
fn merged_shards_of_the_ill_conditioned_polynomial_match_the_high_precision_reference()
-> Result<(), Box<dyn std::error::Error>> {
    for (degree, intercept, coef, tol) in polynomial_references() {
        let data = polynomial(degree)?;
        let model =
            merged_shards(&data, true)?.fit(&LinearRegressionConfig::new(), &Device::flex())?;
        assert_close(
            model.coef().as_slice(),
            coef,
            tol,
            &format!("degree {degree} merged coef"),
        );
        assert!(
            rel(model.intercept()[0], intercept) < tol,
            "degree {degree} merged intercept"
        );
    }
    Ok(())
}

#[test]
fn ridge_from_merged_shards_matches_the_in_memory_ridge() -> Result<(), Box<dyn std::error::Error>>
{
    let data = diabetes(true)?;
    let state = merged_shards(&data, true)?;
    for alpha in [0.1, 1.0, 100.0] {
        let config = LinearRegressionConfig::new().with_alpha(alpha);
        let streamed = state.fit(&config, &Device::flex())?;
        let in_memory = fit(config.with_solver(Solver::Lstsq), &data)?;
        assert_close(
            streamed.coef().as_slice(),
            in_memory.coef().as_slice(),
            1e-10,
            "ridge coef",
        );
        assert!(rel(streamed.intercept()[0], 152.133484162896) < 1e-12);
    }
    Ok(())
}
