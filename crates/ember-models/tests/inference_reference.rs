//! OLS and logistic-regression summaries against statsmodels 0.15.0 (scikit-learn 1.9.1's data,
//! numpy 2.4.6): every number to 1e-6 relative.
//!
//! The references come from, for OLS,
//! `r = sm.OLS(y, sm.add_constant(X)).fit(cov_type=...)` with `r.params`, `r.bse`, `r.tvalues`,
//! `r.pvalues`, `r.conf_int()`, `r.rsquared(_adj)`, `r.fvalue`, `r.f_pvalue`, `r.llf`, `r.aic`,
//! `r.bic`, `r.condition_number`, `durbin_watson(r.resid)`, `jarque_bera(r.resid)` and
//! `r.get_prediction(X[:3]).summary_frame()`; for the logit,
//! `sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12)`.

#![allow(clippy::unwrap_used)]

use burn::tensor::Device;
use ember_data::Matrix;
use ember_models::inference::{CovType, InferenceOptions};
use ember_models::linear::{LinearRegressionConfig, OlsSummary};
use ember_models::logistic::{LogisticRegressionConfig, Penalty};

fn close(what: &str, got: f64, want: f64) {
    let ok = if want == 0.0 {
        got.abs() < 1e-300
    } else {
        (got - want).abs() <= 1e-6 * want.abs()
    };
    assert!(ok, "{what}: got {got:e}, statsmodels {want:e}");
}

fn close_all(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        close(&format!("{what}[{i}]"), *g, *w);
    }
}

fn column(s: &OlsSummary, f: impl Fn(&ember_models::inference::Estimate) -> f64) -> Vec<f64> {
    s.coefficients
        .iter()
        .map(|c| f(&c.estimate.unwrap()))
        .collect()
}

fn diabetes_summary(cov_type: CovType) -> OlsSummary {
    let data = ember_data::load("diabetes").unwrap();
    let model = LinearRegressionConfig::new()
        .fit_dataset(&data, &Device::flex())
        .unwrap();
    let options = InferenceOptions {
        cov_type,
        feature_names: data.feature_names().to_vec(),
        ..Default::default()
    };
    model.summary(data.x(), data.y(), &options).unwrap()
}

#[test]
fn diabetes_ols_matches_statsmodels() {
    let s = diabetes_summary(CovType::Nonrobust);
    close_all(
        "params",
        &column(&s, |e| e.coef),
        &[
            152.133484162896,
            -10.009866299809842,
            -239.81564367242314,
            519.8459200544606,
            324.38464550232345,
            -792.1756385522327,
            476.73902100525856,
            101.04326793803455,
            177.06323767134586,
            751.2736995571041,
            67.62669218370499,
        ],
    );
    close_all(
        "bse",
        &column(&s, |e| e.std_err),
        &[
            2.5758544851189744,
            59.74924652149311,
            61.22234394346514,
            66.53344473855086,
            65.42199205491585,
            416.67987034062924,
            339.03049482184196,
            212.53145672236286,
            161.4757952002013,
            171.8999819231022,
            65.9842819074817,
        ],
    );
    close_all(
        "t",
        &column(&s, |e| e.statistic),
        &[
            59.06136586588633,
            -0.16753125574912603,
            -3.917126137703537,
            7.813302348874943,
            4.95834252845789,
            -1.9011612869722783,
            1.4061833029379303,
            0.4754273531848551,
            1.0965311392448565,
            4.370411742644506,
            1.0248909320332704,
        ],
    );
    close_all(
        "p",
        &column(&s, |e| e.p_value),
        &[
            1.0100819291677907e-208,
            0.8670306337000937,
            0.00010416711927693319,
            4.296391419518628e-14,
            1.02427839221143e-06,
            0.05794760536919699,
            0.1603902400149637,
            0.6347232557752046,
            0.27345869366067954,
            1.5558990865392587e-05,
            0.3059895261964198,
        ],
    );
    close_all(
        "ci_low",
        &column(&s, |e| e.ci_low),
        &[
            147.07068513677234,
            -127.446013740672,
            -360.14713952540677,
            389.0755441760929,
            195.79881133498714,
            -1611.1529736280663,
            -189.61976165360159,
            -316.6837652972777,
            -140.31474443324623,
            413.40715232054333,
            -62.064313310045804,
        ],
    );
    close_all(
        "ci_high",
        &column(&s, |e| e.ci_high),
        &[
            157.19628318901965,
            107.42628114105231,
            -119.48414781943949,
            650.6162959328284,
            452.97047966965977,
            26.80169652360098,
            1143.0978036641186,
            518.7703011733468,
            494.44121977593795,
            1089.140246793665,
            197.31769767745578,
        ],
    );
    close("R²", s.r_squared, 0.5177484222203498);
    close("adj R²", s.adj_r_squared, 0.5065592904853231);
    close("F", s.f_statistic, 46.27243958524319);
    close("F p", s.f_pvalue, 3.8286490381855213e-62);
    close("llf", s.log_likelihood, -2385.9928621235194);
    close("AIC", s.aic, 4793.985724247039);
    close("BIC", s.bic, 4838.990132949893);
    close("cond", s.condition_number, 227.22480485484775);
    close("DW", s.durbin_watson.unwrap(), 2.0285432192544275);
    close("scale", s.scale, 2932.6816372003336);
    close("JB", s.jarque_bera.unwrap(), 1.403755375412169);
    close("JB p", s.jarque_bera_pvalue.unwrap(), 0.49565374653196514);
    close("skew", s.skew.unwrap(), 0.016533573714359096);
    close("kurtosis", s.kurtosis.unwrap(), 2.7259040768352714);
    assert_eq!(
        (s.df_resid, s.df_model, s.rank, s.n_obs),
        (431.0, 10.0, 11, 442)
    );
    assert!(s.use_t && s.not_identified.is_empty());
    assert_eq!(s.coefficients[3].name, "bmi");

    // get_prediction(X[:3]).summary_frame(): mean, mean_se, mean CI, observation CI.
    let data = ember_data::load("diabetes").unwrap();
    let first = Matrix::from_fn(3, 10, |i, j| data.x().get(i, j));
    let want = [
        [
            206.11667724510573,
            7.19317527385884,
            191.97861122405592,
            220.25474326615554,
            98.74256616847033,
            313.49078832174115,
        ],
        [
            68.07103297306884,
            8.094526981154335,
            52.161375205569975,
            83.9806907405677,
            -39.55067500892247,
            175.69274095506015,
        ],
        [
            176.88279035105316,
            8.30985307912733,
            160.54991272955453,
            193.21566797255178,
            69.19770452167322,
            284.56787618043313,
        ],
    ];
    for (row, w) in s.prediction_intervals(&first).unwrap().iter().zip(want) {
        let got = [
            row.mean,
            row.mean_se,
            row.mean_ci_low,
            row.mean_ci_high,
            row.obs_ci_low,
            row.obs_ci_high,
        ];
        close_all("prediction", &got, &w);
    }
    let text = s.to_string();
    assert!(
        text.contains(
            "bmi          519.8459     66.533      7.813      0.000    389.076    650.616"
        ),
        "{text}"
    );
}

#[test]
fn robust_standard_errors_match_statsmodels() {
    /// Covariance type, standard errors, lower interval ends, F and its p-value.
    type Case = (CovType, [f64; 11], [f64; 11], [f64; 2]);
    let cases: [Case; 4] = [
        (
            CovType::Hc0,
            [
                2.543600054820737,
                56.70338547209239,
                58.13576230217493,
                66.54228715649181,
                64.49795530659988,
                388.9148933163271,
                307.7061570600374,
                197.88398753514787,
                155.48593786433577,
                160.14250322670625,
                62.145711885851746,
            ],
            [
                147.14811966437324,
                -121.14645962660266,
                -353.75964399846737,
                389.4254337788145,
                197.97097602491363,
                -1554.4348225034712,
                -126.35396465363999,
                -286.8022207480283,
                -127.68360064518492,
                437.40016083867044,
                -54.17666490616719,
            ],
            [69.01948056716235, 4.564138180622811e-83],
        ),
        (
            CovType::Hc1,
            [
                2.5758544851189757,
                57.422419657878606,
                58.872959916814345,
                67.38608473343669,
                65.3158294845285,
                393.846575989727,
                311.60806246235177,
                200.39327954078124,
                157.45759623715927,
                162.17320974376338,
                62.93375815458715,
            ],
            [
                147.08490214264685,
                -122.55574073439672,
                -355.20452477264945,
                387.77162091776034,
                196.36797209228823,
                -1564.1007429265153,
                -134.00155871325842,
                -291.7203427057639,
                -131.5479800457358,
                433.42004920206773,
                -55.72120721103977,
            ],
            [67.3018011865319, 1.2230295323090668e-81],
        ),
        (
            CovType::Hc2,
            [
                2.5744671503780516,
                57.45911699672168,
                58.882483014572664,
                67.5534507549091,
                65.41965114417397,
                399.8057779278452,
                316.8391361642705,
                203.04101567758138,
                158.91468662099103,
                163.58248235506164,
                63.01433820218452,
            ],
            [
                147.08762126877355,
                -122.62766619685762,
                -355.223189701277,
                387.4435895434387,
                196.16448537856795,
                -1575.780564101828,
                -144.2542747694938,
                -296.90981017445745,
                -134.40382472026573,
                430.6579256395244,
                -55.87914120220313,
            ],
            [66.78484822818126, 3.3227599728382105e-81],
        ),
        (
            CovType::Hc3,
            [
                2.6060115183811776,
                58.22966213208721,
                59.64591114353164,
                68.5907693436524,
                66.36165590257681,
                411.30816066753846,
                326.50838599175125,
                208.45489253280888,
                162.47473144245546,
                167.18650452068002,
                63.9013129181729,
            ],
            [
                147.02579544357235,
                -124.1379069106366,
                -356.7194813388214,
                385.4104824690079,
                194.318189978833,
                -1598.324820008022,
                -163.20565618887622,
                -307.5208138274383,
                -141.38138435368438,
                423.5941719954284,
                -57.61757970073799,
            ],
            [64.6115292199228, 2.3361530034571812e-79],
        ),
    ];
    for (cov, bse, ci_low, [f, f_p]) in cases {
        let s = diabetes_summary(cov);
        let what = format!("{cov:?}");
        assert!(
            !s.use_t,
            "{what}: statsmodels uses z with robust covariances"
        );
        close_all(&format!("{what} bse"), &column(&s, |e| e.std_err), &bse);
        close_all(
            &format!("{what} ci_low"),
            &column(&s, |e| e.ci_low),
            &ci_low,
        );
        close(&format!("{what} F"), s.f_statistic, f);
        close(&format!("{what} F p"), s.f_pvalue, f_p);
    }
    // The p-values of the robust fit (HC3), z against the normal distribution.
    let s = diabetes_summary(CovType::Hc3);
    close_all(
        "HC3 p",
        &column(&s, |e| e.p_value)[1..],
        &[
            0.8635136167012716,
            5.803649521187269e-05,
            3.4836629262014376e-14,
            1.0179639911324454e-06,
            0.05410555140252214,
            0.14425911965571012,
            0.6278715318057669,
            0.27580593090430594,
            7.002040993695016e-06,
            0.2899191727942405,
        ],
    );
}

#[test]
fn ill_conditioned_polynomial_matches_statsmodels() {
    // x on [1, 10], columns x, x², x³ (condition number ≈ 4e3 with the constant); y a cubic plus
    // sin(i) as deterministic noise.
    let n = 50;
    let xs: Vec<f64> = (0..n).map(|i| 1.0 + 9.0 * i as f64 / 49.0).collect();
    let x = Matrix::from_fn(n, 3, |i, j| xs[i].powi(j as i32 + 1));
    let y = Matrix::column(
        (0..n)
            .map(|i| {
                let v = xs[i];
                1.0 + 0.5 * v - 0.2 * v * v + 0.03 * v * v * v + (i as f64).sin()
            })
            .collect(),
    );
    let model = LinearRegressionConfig::new()
        .fit(&x, &y, &Device::flex())
        .unwrap();
    let s = model.summary(&x, &y, &InferenceOptions::default()).unwrap();
    close_all(
        "params",
        &column(&s, |e| e.coef),
        &[
            1.7198651544609511,
            -0.001097558394600462,
            -0.09904176602524228,
            0.023893524097377425,
        ],
    );
    close_all(
        "bse",
        &column(&s, |e| e.std_err),
        &[
            0.8189720130172686,
            0.5822087696189107,
            0.11777267718934922,
            0.007067956806454154,
        ],
    );
    close_all(
        "t",
        &column(&s, |e| e.statistic),
        &[
            2.1000292160468326,
            -0.0018851629378906082,
            -0.8409570741608235,
            3.3805418951568704,
        ],
    );
    close_all(
        "p",
        &column(&s, |e| e.p_value),
        &[
            0.04123933310817044,
            0.9985040103759159,
            0.4047223546574926,
            0.0014837143092424328,
        ],
    );
    close_all(
        "ci_low",
        &column(&s, |e| e.ci_low),
        &[
            0.07135999382030578,
            -1.1730230284128016,
            -0.336105869612642,
            0.009666464948313237,
        ],
    );
    close("cond", s.condition_number, 3975.6600800274996);
    close("R²", s.r_squared, 0.9718987923181585);
    close("adj R²", s.adj_r_squared, 0.970066104860647);
    close("F", s.f_statistic, 530.3134412443094);
    close("F p", s.f_pvalue, 1.1351295683355291e-35);
    close("llf", s.log_likelihood, -53.093298657651715);
    close("AIC", s.aic, 114.18659731530343);
    close("BIC", s.bic, 121.83468933701602);
}

#[test]
fn a_rank_deficient_design_names_what_is_not_identified() {
    // diabetes plus a column that is age + sex: statsmodels' pinv spreads the two coefficients
    // over three columns; the summary leaves the combination out and reports it.
    let data = ember_data::load("diabetes").unwrap();
    let x = Matrix::from_fn(data.n_samples(), 11, |i, j| {
        if j < 10 {
            data.x().get(i, j)
        } else {
            data.x().get(i, 0) + data.x().get(i, 1)
        }
    });
    let model = LinearRegressionConfig::new()
        .fit(&x, data.y(), &Device::flex())
        .unwrap();
    let mut names = data.feature_names().to_vec();
    names.push("age+sex".into());
    let options = InferenceOptions {
        feature_names: names,
        ..Default::default()
    };
    let s = model.summary(&x, data.y(), &options).unwrap();
    assert_eq!(s.not_identified, ["age+sex"]);
    assert_eq!((s.rank, s.df_model, s.df_resid), (11, 10.0, 431.0)); // as statsmodels
    let full = diabetes_summary(CovType::Nonrobust);
    for (a, b) in s.coefficients.iter().zip(&full.coefficients) {
        let (a, b) = (a.estimate.unwrap(), b.estimate.unwrap());
        close("coef", a.coef, b.coef);
        close("bse", a.std_err, b.std_err);
    }
    close("F", s.f_statistic, 46.27243958524319);
    assert!(s.condition_number.is_infinite() || s.condition_number > 1e12);
    assert!(s.to_string().contains("age+sex    not identified"), "{s}");
}

#[test]
fn logit_matches_statsmodels() {
    // Breast cancer, mean texture, mean smoothness and mean symmetry (not separable).
    let data = ember_data::load("breast_cancer").unwrap();
    let x = Matrix::from_fn(data.n_samples(), 3, |i, j| data.x().get(i, [1, 4, 8][j]));
    let y = data.classes().unwrap();
    let config = LogisticRegressionConfig {
        penalty: Penalty::None,
        tol: 1e-12,
        max_iter: 2000,
        ..Default::default()
    };
    let model = config.fit(&x, &y, &Device::flex()).unwrap();
    let s = model.summary(&x, &y, &InferenceOptions::default()).unwrap();
    let est: Vec<_> = s.coefficients.iter().map(|c| c.estimate.unwrap()).collect();
    close_all(
        "params",
        &est.iter().map(|e| e.coef).collect::<Vec<_>>(),
        &[
            15.203123954717878,
            -0.28647137940548945,
            -63.05730507457496,
            -15.712561056082704,
        ],
    );
    close_all(
        "bse",
        &est.iter().map(|e| e.std_err).collect::<Vec<_>>(),
        &[
            1.355410369146688,
            0.030127842331097433,
            9.950925729553925,
            4.7318149494802855,
        ],
    );
    close_all(
        "z",
        &est.iter().map(|e| e.statistic).collect::<Vec<_>>(),
        &[
            11.216620663961095,
            -9.508526241515765,
            -6.336828028702579,
            -3.320620358961518,
        ],
    );
    close_all(
        "p",
        &est.iter().map(|e| e.p_value).collect::<Vec<_>>(),
        &[
            3.379385414283979e-29,
            1.9338269972594615e-21,
            2.3454352547785437e-10,
            0.0008981762202991662,
        ],
    );
    close_all(
        "ci_high",
        &est.iter().map(|e| e.ci_high).collect::<Vec<_>>(),
        &[
            17.859679462517526,
            -0.2274218935046372,
            -43.55384903181631,
            -6.438374173593129,
        ],
    );
    close("llf", s.log_likelihood, -267.5176700838483);
    close("ll null", s.ll_null, -375.7200027320281);
    close("pseudo R²", s.pseudo_r_squared, 0.2879866173251151);
    close("LLR", s.llr, 216.40466529635955);
    close("LLR p", s.llr_pvalue, 1.2019613619947124e-46);
    close("AIC", s.aic, 543.0353401676966);
    close("BIC", s.bic, 560.410861904202);
    assert!(!s.penalised);
}

#[test]
fn summaries_refuse_what_they_cannot_answer() {
    let data = ember_data::load("diabetes").unwrap();
    let ridge = LinearRegressionConfig::new()
        .with_alpha(1.0)
        .fit_dataset(&data, &Device::flex())
        .unwrap();
    let err = ridge
        .summary(data.x(), data.y(), &InferenceOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config `alpha`: inference is for ordinary least squares; this model is ridge (alpha = 1)"
    );
    let iris = ember_data::load("iris").unwrap();
    let multi = LogisticRegressionConfig::default()
        .fit_dataset(&iris, &Device::flex())
        .unwrap();
    let err = multi
        .summary(
            iris.x(),
            &iris.classes().unwrap(),
            &InferenceOptions::default(),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("binary logistic regression; this model has 3 classes"),
        "{err}"
    );
}
