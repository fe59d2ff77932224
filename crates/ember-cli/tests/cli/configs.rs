//! Every config in `configs/` runs from a fresh clone through the `ember` binary (networks
//! with few epochs, through `--set`), and its results agree with the library called directly.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::common::{arg, ember, metric, summary, temp_dir};
use ember::burn::tensor::Device;
use ember::data::split::{stratified_train_test_split, train_test_split};
use ember::models::linear::LinearRegressionConfig;
use ember::models::selection::{CrossValidation, cross_val_score};

/// Trains `config` into a fresh folder with `sets`; returns the run directory.
fn train(config: &str, sets: &[&str]) -> std::path::PathBuf {
    let out = temp_dir(&config.replace(['/', '.'], "_")).join("run");
    let mut args = vec!["train", config, "--out", arg(&out)];
    if !config.contains("wgpu") {
        // The config's `auto` would probe for a GPU in every process; these tests use the CPU.
        args.extend(["--device", "flex"]);
    }
    for s in sets {
        args.extend(["--set", s]);
    }
    ember(&args).expect(0);
    for file in [
        "config.toml",
        "model.ember",
        "summary.json",
        "metrics.jsonl",
    ] {
        assert!(
            out.join(file).is_file(),
            "{config}: no {file} in the run directory"
        );
    }
    out
}

fn has_plot(run: &Path, name: &str) {
    for ext in ["png", "svg"] {
        let file = run.join(format!("{name}.{ext}"));
        assert!(
            std::fs::metadata(&file).unwrap().len() > 1000,
            "{}",
            file.display()
        );
    }
}

#[test]
fn seed_line_closed_form_recovers_the_line() {
    let run = train("configs/seed_line.toml", &[]);
    has_plot(&run, "fitted_line");
    let info: serde_json::Value =
        serde_json::from_str(&ember(&["inspect", arg(&run), "--json"]).expect(0).stdout).unwrap();
    let slope = info["model"]["coef"]["data"][0].as_f64().unwrap();
    let intercept = info["model"]["intercept"][0].as_f64().unwrap();
    // y = 3 + 4x + N(0, 1) noise on 80 points: the least-squares line is close to the truth.
    assert!(
        (slope - 4.0).abs() < 0.5 && (intercept - 3.0).abs() < 0.5,
        "{slope} {intercept}"
    );
}

#[test]
fn seed_line_gradient_descent_matches_the_closed_form() {
    let closed = summary(&train("configs/seed_line.toml", &[]));
    let run = train("configs/seed_line_gd.toml", &[]);
    has_plot(&run, "loss");
    let gd = summary(&run);
    let (a, b) = (metric(&closed, "test", "r2"), metric(&gd, "test", "r2"));
    assert!(
        (a - b).abs() < 1e-3,
        "closed form R² {a}, gradient descent {b}"
    );
}

#[test]
fn diabetes_least_squares_equals_the_library() {
    let run = train("configs/diabetes_ols.toml", &[]);
    has_plot(&run, "predicted_vs_actual");
    let s = summary(&run);
    // The same split and fit through the library directly.
    let data = ember::data::load("diabetes").unwrap();
    let (tr, te) = train_test_split(&data, 0.2, 0).unwrap();
    let model = LinearRegressionConfig::new()
        .fit_dataset(&tr, &Device::flex())
        .unwrap();
    let r2 = model.score(te.x(), te.y()).unwrap();
    assert!((metric(&s, "test", "r2") - r2).abs() < 1e-12);
    assert_eq!(s["n_train"], 353);
    assert_eq!(s["n_params"], 11);

    // inspect: the statsmodels-style summary on the training split, as text and JSON.
    let text = ember(&["inspect", arg(&run)]).expect(0).stdout;
    assert!(text.contains("OLS Regression Results"), "{text}");
    let info: serde_json::Value =
        serde_json::from_str(&ember(&["inspect", arg(&run), "--json"]).expect(0).stdout).unwrap();
    let stats = &info["statistics"];
    let r2 = stats["r_squared"].as_f64().unwrap();
    assert!((r2 - metric(&s, "train", "r2")).abs() < 1e-12, "{stats}");
    assert_eq!(stats["coefficients"][3]["name"], "bmi");
    assert_eq!(stats["df_resid"], 342.0);
}

#[test]
fn diabetes_ridge_is_penalised_and_sweeps() {
    let ols = summary(&train("configs/diabetes_ols.toml", &[]));
    let ridge = summary(&train(
        "configs/diabetes_ridge.toml",
        &["data.validation_fraction=0"],
    ));
    // The penalty costs training fit (least squares minimises the training error).
    assert!(metric(&ridge, "train", "r2") < metric(&ols, "train", "r2"));

    let dir = temp_dir("sweep");
    let out = ember(&[
        "sweep",
        "configs/diabetes_ridge.toml",
        "--grid",
        "model.ridge.alpha=0.001,10",
        "--grid",
        "data.scale=none,standard",
        "--out",
        arg(&dir),
        "--device",
        "flex",
    ])
    .expect(0);
    let rows: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 5, "{}", out.stdout); // header + 4 points
    assert!(
        out.stdout.starts_with("Ranked by validation r2"),
        "{}",
        out.stdout
    );
    // Ranked: the first row's validation R² is the largest.
    let r2 = |row: &str| {
        row.split('|')
            .nth(4)
            .unwrap()
            .trim()
            .parse::<f64>()
            .unwrap()
    };
    assert!(r2(rows[1]) >= r2(rows[2]) && r2(rows[2]) >= r2(rows[3]));
    assert!(dir.join("sweep.md").is_file());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 5); // 4 runs + sweep.md
}

#[test]
fn diabetes_ridge_sweeps_by_cross_validation_as_grid_search_cv() {
    let dir = temp_dir("sweep-folds");
    let out = ember(&[
        "sweep",
        "configs/diabetes_ridge.toml",
        "--grid",
        "model.ridge.alpha=0.01,0.1,1,10",
        "--set",
        "data.validation_fraction=0",
        "--folds",
        "5",
        "--out",
        arg(&dir),
        "--device",
        "flex",
    ])
    .expect(0);
    assert!(
        out.stdout.starts_with("Ranked by mean r2 over 5 folds"),
        "{}",
        out.stdout
    );
    // The same folds of the same training split through scikit-learn 1.9.1:
    //   X, y = load_diabetes(return_X_y=True); tr, _ = train_test_split(X, y, test_size=0.2)
    // with ember's split (rows below) and GridSearchCV(Ridge(), {"alpha": [...]}, cv=5): the
    // library's cross_val_score on that split, which crates/ember-models/tests/selection.rs
    // checks against scikit-learn's numbers.
    let data = ember::data::load("diabetes").unwrap();
    let (train, _) = train_test_split(&data, 0.2, 0).unwrap();
    let rows: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 5, "{}", out.stdout); // header + 4 points
    let cell = |row: &str, i: usize| row.split('|').nth(i).unwrap().trim().to_string();
    for row in &rows[1..] {
        let alpha: f64 = cell(row, 2).parse().unwrap();
        let ridge = LinearRegressionConfig::new().with_alpha(alpha);
        let cv =
            cross_val_score(&ridge, &train, &CrossValidation::new(5), &Device::flex()).unwrap();
        assert_eq!(cell(row, 3), format!("{:.6}", cv.mean()), "{row}");
        assert_eq!(cell(row, 4), format!("{:.6}", cv.std()), "{row}");
    }
    // Ranked best first, and the best point refitted.
    let mean = |row: &str| cell(row, 3).parse::<f64>().unwrap();
    assert!(mean(rows[1]) >= mean(rows[2]) && mean(rows[2]) >= mean(rows[3]));
    assert!(dir.join("best/model.ember").is_file());
    assert!(dir.join("sweep.md").is_file());
}

#[test]
fn iris_kmeans_clusters_and_scores_against_the_species() {
    let run = train("configs/iris_kmeans.toml", &[]);
    let s = summary(&run);
    assert_eq!(
        (s["kind"].as_str(), s["task"].as_str()),
        (Some("kmeans"), Some("clustering"))
    );
    assert_eq!(s["n_params"], 12);
    // The library on the same stratified split: the same inertia on the test rows.
    let data = ember::data::load("iris").unwrap();
    let (tr, te) = stratified_train_test_split(&data, 0.2, 0).unwrap();
    let config = ember::models::kmeans::KMeansConfig {
        n_clusters: 3,
        n_init: Some(10),
        ..Default::default()
    };
    let model = config.fit(tr.x(), &Device::flex()).unwrap();
    let inertia = -model.score(te.x()).unwrap();
    assert!(
        (metric(&s, "test", "inertia") - inertia).abs() < 1e-9 * inertia,
        "{s}"
    );
    assert!(
        (metric(&s, "train", "inertia") - model.inertia()).abs() < 1e-9 * inertia,
        "{s}"
    );
    let ari = ember::metrics::adjusted_rand_score(
        &te.classes().unwrap(),
        &model.predict(te.x()).unwrap(),
    )
    .unwrap();
    assert!(
        (metric(&s, "test", "adjusted_rand") - ari).abs() < 1e-12,
        "{s}"
    );
    assert!(metric(&s, "test", "adjusted_rand") > 0.6, "{s}");
    assert!(metric(&s, "test", "silhouette") > 0.5, "{s}");
    // predict names the cluster and the squared distance to every centre (a headerless file:
    // the features by position).
    let dir = temp_dir("kmeans-rows");
    let (rows, output) = (dir.join("rows.csv"), dir.join("clusters.csv"));
    std::fs::write(&rows, "5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n").unwrap();
    let args = [
        "predict",
        arg(&run),
        "--input",
        arg(&rows),
        "--output",
        arg(&output),
    ];
    ember(&[&args[..], &["--device", "flex"]].concat()).expect(0);
    let text = std::fs::read_to_string(&output).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("cluster,distance2_0,distance2_1,distance2_2"),
        "{text}"
    );
    let x = ember::data::Matrix::from_rows(&[[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]).unwrap();
    for (line, cluster) in lines.zip(model.predict(&x).unwrap()) {
        assert!(line.starts_with(&format!("{cluster},")), "{text}");
    }
    let out = ember(&["inspect", arg(&run)]).expect(0);
    assert!(
        out.stdout.contains("model      kmeans (12 parameters)"),
        "{}",
        out.stdout
    );
}

#[test]
fn breast_cancer_logistic_regression() {
    let run = train("configs/breast_cancer_logistic.toml", &[]);
    has_plot(&run, "confusion_matrix");
    let s = summary(&run);
    assert!(metric(&s, "test", "accuracy") > 0.95, "{s}");
    // The stratified split the config asks for, through the library: same test size.
    let data = ember::data::load("breast_cancer").unwrap();
    let (_, te) = stratified_train_test_split(&data, 0.2, 0).unwrap();
    assert_eq!(s["n_test"], te.n_samples());
}

#[test]
fn iris_softmax_regression() {
    let s = summary(&train("configs/iris_softmax.toml", &[]));
    assert!(metric(&s, "test", "accuracy") >= 0.9, "{s}");
    assert_eq!(s["n_params"], 15);
}

#[test]
fn digits_mlp_for_three_epochs() {
    let run = train(
        "configs/digits_mlp.toml",
        &["model.mlp_classifier.train.epochs=3"],
    );
    has_plot(&run, "loss");
    has_plot(&run, "confusion_matrix");
    let s = summary(&run);
    assert_eq!(s["epochs"], 3);
    assert!(metric(&s, "test", "accuracy") > 0.5, "{s}");
    assert!(s["validation"]["accuracy"].as_f64().is_some());
    let lines = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 6); // train and valid per epoch
    // TensorBoard's event file beside it (read back by tensorboard in ember-train's tests),
    // unless the config switches it off.
    assert_eq!(ember::train::event_files(&run).len(), 1);
    let off = train(
        "configs/digits_mlp.toml",
        &["model.mlp_classifier.train.epochs=1", "tensorboard=false"],
    );
    assert!(off.join("metrics.jsonl").is_file() && ember::train::event_files(&off).is_empty());
}

/// Writes the first `n` images of the bundled MNIST sample from `start` as IDX files.
fn write_idx(dir: &Path, name: &str, start: usize, n: usize) -> (String, String) {
    let data = ember::data::load("mnist_1000").unwrap();
    let mut images = vec![0, 0, 8, 3];
    for d in [n as u32, 28, 28] {
        images.extend(d.to_be_bytes());
    }
    let mut labels = vec![0, 0, 8, 1];
    labels.extend((n as u32).to_be_bytes());
    for i in start..start + n {
        images.extend(data.x().row(i).iter().map(|&v| (v * 255.0).round() as u8));
        labels.push(data.y().get(i, 0) as u8);
    }
    let (img, lab) = (
        dir.join(format!("{name}-images")),
        dir.join(format!("{name}-labels")),
    );
    std::fs::write(&img, images).unwrap();
    std::fs::write(&lab, labels).unwrap();
    (img.display().to_string(), lab.display().to_string())
}

#[test]
fn mnist_mlp_reads_idx_files() {
    let dir = temp_dir("idx");
    let (train_images, train_labels) = write_idx(&dir, "train", 0, 300);
    let (test_images, test_labels) = write_idx(&dir, "test", 300, 100);
    let sets = [
        format!("data.idx.images={train_images}"),
        format!("data.idx.labels={train_labels}"),
        format!("data.idx.test_images={test_images}"),
        format!("data.idx.test_labels={test_labels}"),
        "model.mlp_classifier.train.epochs=2".to_string(),
    ];
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let s = summary(&train("configs/mnist_mlp.toml", &sets));
    assert_eq!(
        (s["n_train"].as_u64(), s["n_test"].as_u64()),
        (Some(300), Some(100))
    );
    assert_eq!(
        s["n_params"],
        784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    );
    assert!(metric(&s, "test", "accuracy") > 0.3, "{s}");
}

#[test]
fn moons_mlp_on_wgpu() {
    if !cfg!(feature = "wgpu") {
        eprintln!("skipped: built without the wgpu feature");
        return;
    }
    if let Err(e) = ember::DeviceChoice::Wgpu.device() {
        assert!(
            std::env::var_os("EMBER_REQUIRE_WGPU").is_none(),
            "wgpu is required here but cannot start: {e}"
        );
        eprintln!("skipped: {e}");
        return;
    }
    let run = train(
        "configs/moons_mlp_wgpu.toml",
        &["model.mlp_classifier.train.epochs=5"],
    );
    let s = summary(&run);
    assert!(s["device"].as_str().unwrap().starts_with("wgpu"), "{s}");
    assert!(metric(&s, "test", "accuracy") > 0.7, "{s}");
}

#[test]
fn every_config_is_tested_here() {
    let tested = [
        "breast_cancer_logistic.toml",
        "diabetes_ols.toml",
        "diabetes_ridge.toml",
        "digits_mlp.toml",
        "iris_kmeans.toml",
        "iris_softmax.toml",
        "mnist_mlp.toml",
        "moons_mlp_wgpu.toml",
        "seed_line.toml",
        "seed_line_gd.toml",
    ];
    let mut shipped: Vec<String> = std::fs::read_dir(crate::common::root().join("configs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    shipped.sort();
    assert_eq!(shipped, tested);
}
