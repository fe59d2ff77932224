//! Data larger than memory: `data.streaming` trains least squares in two passes over the CSV
//! file, and `fit-shard` / `merge` / `solve` fit shards apart and combine them. Every number
//! is checked against the in-memory fit of the same rows (itself tested against
//! scikit-learn and statsmodels).

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;

use ember::burn::tensor::Device;
use ember::data::Dataset;
use ember::data::split::hashed_test_row;
use ember::model_file::ModelFile;
use ember::models::FittedModel;
use ember::models::linear::{LinearRegression, LinearRegressionConfig, Solver};

use crate::common::{arg, ember_in, metric, summary, temp_dir};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// `data` as CSV text with a header.
fn csv_text(data: &Dataset) -> String {
    let mut text = data.feature_names().join(",") + ",target\n";
    for i in 0..data.n_samples() {
        let row: Vec<String> = data.x().row(i).iter().map(|v| format!("{v:?}")).collect();
        let _ = writeln!(text, "{},{:?}", row.join(","), data.y().get(i, 0));
    }
    text
}

fn write_config(dir: &Path, extra_data: &str, model: &str) {
    let text = format!("[data]\ncsv = \"d.csv\"\nsplit_seed = 3\n{extra_data}\n[model.{model}]\n");
    std::fs::write(dir.join("c.toml"), text).unwrap();
}

/// `ember eval RUN --json` in `dir`.
fn eval_json(dir: &Path, run: &str) -> serde_json::Value {
    let out = ember_in(dir, &["eval", run, "--json"]).expect(0);
    serde_json::from_str(&out.stdout).unwrap()
}

fn linear_model(run_dir: &Path) -> LinearRegression {
    match ModelFile::load(run_dir.join("model.ember"), &Device::flex())
        .unwrap()
        .model
    {
        FittedModel::LinearRegression(m) => m,
        other => panic!("not a linear model: {other:?}"),
    }
}

fn in_memory(data: &Dataset) -> LinearRegression {
    LinearRegressionConfig::new()
        .with_solver(Solver::Lstsq)
        .fit_dataset(data, &Device::flex())
        .unwrap()
}

fn assert_same_fit(got: &LinearRegression, want: &LinearRegression) {
    for (g, w) in got.coef().as_slice().iter().zip(want.coef().as_slice()) {
        assert!(rel(*g, *w) < 1e-10, "coef {g} vs {w}");
    }
    assert!(rel(got.intercept()[0], want.intercept()[0]) < 1e-10);
}

#[test]
fn a_streamed_run_fits_the_hashed_training_rows_and_scores_the_test_rows() {
    let dir = temp_dir("streamed");
    let data = ember::data::load("diabetes").unwrap();
    std::fs::write(dir.join("d.csv"), csv_text(&data)).unwrap();
    write_config(&dir, "streaming = true", "linear_regression");
    ember_in(&dir, &["train", "c.toml", "--out", "run"]).expect(0);
    let run = dir.join("run");
    let s = summary(&run);
    let test: Vec<usize> = (0..442)
        .filter(|&r| hashed_test_row(r as u64, 0.2, 3))
        .collect();
    let train: Vec<usize> = (0..442).filter(|r| !test.contains(r)).collect();
    assert_eq!(s["n_train"], train.len());
    assert_eq!(s["n_test"], test.len());
    let reference = in_memory(&data.select(&train));
    assert_same_fit(&linear_model(&run), &reference);
    let test_set = data.select(&test);
    let r2 = reference.score(test_set.x(), test_set.y()).unwrap();
    assert!(rel(metric(&s, "test", "r2"), r2) < 1e-9);
    // The OLS summary of the training rows, diagnostics from the second pass included, is what
    // `inspect` shows without reading the data again.
    let text = std::fs::read_to_string(run.join("ols_summary.txt")).unwrap();
    assert!(
        text.contains("Durbin-Watson") && !text.contains("skipped"),
        "{text}"
    );
    let inspected = ember_in(&dir, &["inspect", "run"]).expect(0);
    assert!(
        inspected.stdout.contains("OLS Regression Results"),
        "{}",
        inspected.stdout
    );
    // `ember eval` scores the run's own splits as training did: the hashed rows, streamed.
    let evaluated = eval_json(&dir, "run");
    for split in ["train", "test"] {
        assert_eq!(evaluated[split], s[split], "{split}");
    }
    // The CSV changed since the run (its columns reordered): refused, never scored by position.
    let text = std::fs::read_to_string(dir.join("d.csv")).unwrap();
    let swapped: String = text
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.swap(0, 1);
            cells.join(",") + "\n"
        })
        .collect();
    std::fs::write(dir.join("d.csv"), swapped).unwrap();
    let refused = ember_in(&dir, &["eval", "run"]).expect(1);
    assert!(
        refused.stderr.contains("not the model's"),
        "{}",
        refused.stderr
    );
    std::fs::write(dir.join("d.csv"), text).unwrap();
    let plotted = std::fs::read_dir(&run)
        .unwrap()
        .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "png"));
    assert!(plotted, "the test rows kept for the plot are plotted");
}

#[test]
fn shards_fitted_apart_and_merged_solve_to_the_fit_of_all_rows() {
    let dir = temp_dir("shards");
    let data = ember::data::load("diabetes").unwrap();
    // The config names the whole file; each shard is given on the command line.
    std::fs::write(dir.join("d.csv"), csv_text(&data)).unwrap();
    write_config(&dir, "", "linear_regression");
    let cuts = [0, 100, 101, 300, 442];
    let mut states = Vec::new();
    for (k, w) in cuts.windows(2).enumerate() {
        let part = data.select(&(w[0]..w[1]).collect::<Vec<_>>());
        let csv = dir.join(format!("part-{k}.csv"));
        std::fs::write(&csv, csv_text(&part)).unwrap();
        let state = format!("part-{k}.state.toml");
        let out = ember_in(
            &dir,
            &["fit-shard", "c.toml", "--data", arg(&csv), "--out", &state],
        );
        assert!(
            out.expect(0)
                .stdout
                .contains(&format!("{} rows", w[1] - w[0]))
        );
        states.push(state);
    }
    let mut args = vec!["merge"];
    args.extend(states.iter().map(String::as_str));
    args.extend(["--out", "all.state.toml"]);
    ember_in(&dir, &args).expect(0);
    // Merging again into an existing file is refused: nothing is overwritten.
    let again = ember_in(&dir, &args).expect(2);
    assert!(again.stderr.contains("exists"), "{}", again.stderr);
    ember_in(&dir, &["solve", "c.toml", "all.state.toml", "--out", "run"]).expect(0);
    assert_same_fit(&linear_model(&dir.join("run")), &in_memory(&data));
    let text = std::fs::read_to_string(dir.join("run/ols_summary.txt")).unwrap();
    assert!(
        text.contains("R-squared:") && text.contains("skipped"),
        "{text}"
    );
    // A solved run was not trained: nothing to resume (which would refit it in memory and
    // replace its model), and no held-out rows to score without --data.
    let model = std::fs::read(dir.join("run/model.ember")).unwrap();
    let resumed = ember_in(&dir, &["train", "--resume", "run"]).expect(2);
    assert!(resumed.stderr.contains("ember solve"), "{}", resumed.stderr);
    assert_eq!(std::fs::read(dir.join("run/model.ember")).unwrap(), model);
    let unscored = ember_in(&dir, &["eval", "run"]).expect(2);
    assert!(unscored.stderr.contains("--data"), "{}", unscored.stderr);
    let scored = ember_in(&dir, &["eval", "run", "--data", "d.csv", "--json"]).expect(0);
    let r2 = in_memory(&data).score(data.x(), data.y()).unwrap();
    let got: serde_json::Value = serde_json::from_str(&scored.stdout).unwrap();
    let got = got.as_object().unwrap().values().next().unwrap()["r2"]
        .as_f64()
        .unwrap();
    assert!(rel(got, r2) < 1e-9, "{got} vs {r2}");
    // The solved run predicts like any other.
    std::fs::write(dir.join("new.csv"), csv_text(&data.select(&[0, 1]))).unwrap();
    let predicted = ember_in(&dir, &["predict", "run", "--input", "new.csv"]).expect(0);
    assert_eq!(predicted.stdout.lines().count(), 3, "{}", predicted.stdout);
}

#[test]
fn states_that_do_not_fit_together_are_refused_with_the_file_named() {
    let dir = temp_dir("bad-states");
    let data = ember::data::load("diabetes").unwrap();
    std::fs::write(dir.join("d.csv"), csv_text(&data.select(&[0, 1, 2, 3, 4]))).unwrap();
    write_config(&dir, "", "linear_regression");
    ember_in(
        &dir,
        &["fit-shard", "c.toml", "--data", "d.csv", "--out", "a.toml"],
    )
    .expect(0);
    std::fs::write(
        dir.join("no_intercept.toml"),
        "[data]\ncsv = \"d.csv\"\n[model.linear_regression]\nfit_intercept = false\n",
    )
    .unwrap();
    ember_in(
        &dir,
        &[
            "fit-shard",
            "no_intercept.toml",
            "--data",
            "d.csv",
            "--out",
            "b.toml",
        ],
    )
    .expect(0);
    let err = ember_in(&dir, &["merge", "a.toml", "b.toml", "--out", "m.toml"]).expect(1);
    assert!(
        err.stderr.contains("b.toml") && err.stderr.contains("without an intercept"),
        "{}",
        err.stderr
    );
    // The same shard twice would count its rows twice: refused, by path or by content.
    std::fs::copy(dir.join("a.toml"), dir.join("a_copy.toml")).unwrap();
    for twin in ["a.toml", "a_copy.toml"] {
        let err = ember_in(&dir, &["merge", "a.toml", twin, "--out", "m.toml"]).expect(2);
        assert!(err.stderr.contains("same rows"), "{}", err.stderr);
    }
    let text = std::fs::read_to_string(dir.join("a.toml")).unwrap();
    std::fs::write(dir.join("cut.toml"), &text[..text.len() / 2]).unwrap();
    let err = ember_in(&dir, &["merge", "a.toml", "cut.toml", "--out", "m.toml"]).expect(1);
    assert!(
        err.stderr.contains("cut.toml: not a least-squares state"),
        "{}",
        err.stderr
    );
    assert!(!dir.join("m.toml").exists());
}

#[test]
fn solve_refuses_a_config_that_names_other_columns_than_the_state() {
    let dir = temp_dir("solve-columns");
    std::fs::write(dir.join("d.csv"), "a,b,y\n1,2,3\n2,1,4\n3,5,8\n4,4,9\n").unwrap();
    write_config(&dir, "", "linear_regression");
    ember_in(
        &dir,
        &["fit-shard", "c.toml", "--data", "d.csv", "--out", "s.toml"],
    )
    .expect(0);
    let header = std::fs::read_to_string(dir.join("s.toml")).unwrap();
    assert!(header.contains("(fitted on"), "{header}");
    for (options, field) in [
        ("targets = [\"b\"]", "targets"),
        ("features = [\"b\", \"a\"]", "features"),
        ("exclude = [\"b\"]", "excludes"),
    ] {
        let config = format!(
            "[data]\ncsv = \"d.csv\"\n[data.csv_options]\n{options}\n[model.linear_regression]\n"
        );
        std::fs::write(dir.join("other.toml"), config).unwrap();
        let err = ember_in(&dir, &["solve", "other.toml", "s.toml", "--out", "run"]).expect(2);
        assert!(
            err.stderr.contains("s.toml") && err.stderr.contains(field),
            "{options}: {}",
            err.stderr
        );
        assert!(!dir.join("run").exists());
    }
    // A state that names one column twice (hand-edited) would feed it to two coefficients.
    let twice = header.replace("\"b\"", "\"a\"");
    assert_ne!(twice, header);
    std::fs::write(dir.join("twice.toml"), twice).unwrap();
    let err = ember_in(&dir, &["solve", "c.toml", "twice.toml", "--out", "run"]).expect(1);
    assert!(err.stderr.contains("twice"), "{}", err.stderr);
    // A state is solved in closed form: a config asking for gradient descent is refused.
    let err = ember_in(
        &dir,
        &[
            "solve",
            "c.toml",
            "s.toml",
            "--out",
            "run",
            "--set",
            "model.linear_regression.solver=gradient_descent",
        ],
    )
    .expect(2);
    assert!(err.stderr.contains("gradient_descent"), "{}", err.stderr);
    // Naming the columns the state has is fine; one state "merged" says it was copied.
    std::fs::write(
        dir.join("same.toml"),
        "[data]\ncsv = \"d.csv\"\n[data.csv_options]\ntargets = [\"y\"]\n[model.linear_regression]\n",
    )
    .unwrap();
    ember_in(&dir, &["solve", "same.toml", "s.toml", "--out", "run"]).expect(0);
    ember_in(&dir, &["merge", "s.toml", "--out", "m.toml"]).expect(0);
    let merged = std::fs::read_to_string(dir.join("m.toml")).unwrap();
    assert!(merged.contains("copied from 1 state)"), "{merged}");
}

#[test]
fn a_bad_cell_deep_in_a_streamed_file_names_its_line_and_leaves_no_run() {
    let dir = temp_dir("streamed-bad");
    let mut text = String::from("a,b,c,y\n");
    for i in 0..200_000 {
        let v = i as f64 * 0.001;
        let _ = writeln!(text, "{v},{},{},{}", v * v, (i % 7) as f64, 1.0 + 2.0 * v);
    }
    text.push_str("1,2,oops,4\n");
    assert!(text.len() > 5 << 20, "past the first 4 MiB block");
    std::fs::write(dir.join("d.csv"), text).unwrap();
    write_config(&dir, "streaming = true", "linear_regression");
    let err = ember_in(&dir, &["train", "c.toml", "--out", "run"]).expect(1);
    assert!(err.stderr.contains("d.csv:200002:3"), "{}", err.stderr);
    assert!(
        !dir.join("run").exists(),
        "the failed run's directory is taken away"
    );
}

#[test]
fn streaming_names_every_setting_it_cannot_honour() {
    let dir = temp_dir("streamed-config");
    std::fs::write(dir.join("d.csv"), "a,y\n1,2\n2,4\n3,7\n").unwrap();
    write_config(
        &dir,
        "streaming = true\nscale = \"standard\"\nvalidation_fraction = 0.1",
        "mlp_regressor",
    );
    let err = ember_in(&dir, &["train", "c.toml"]).expect(2);
    for field in ["data.streaming", "data.scale", "data.validation_fraction"] {
        assert!(err.stderr.contains(field), "{field}: {}", err.stderr);
    }
    // A least-squares model with a solver that does not stream is told which setting.
    write_config(
        &dir,
        "streaming = true",
        "linear_regression]\nsolver = \"gradient_descent\"\n[model.linear_regression.gradient_descent",
    );
    let err = ember_in(&dir, &["train", "c.toml"]).expect(2);
    assert!(
        err.stderr.contains("model.linear_regression.solver")
            && err.stderr.contains("\"gradient_descent\""),
        "{}",
        err.stderr
    );
}

#[test]
fn a_streamed_run_with_a_test_file_scores_that_file() {
    let dir = temp_dir("streamed-test-csv");
    let data = ember::data::load("diabetes").unwrap();
    let (train, test): (Vec<usize>, Vec<usize>) = (0..442).partition(|&r| r % 5 != 0);
    std::fs::write(dir.join("d.csv"), csv_text(&data.select(&train))).unwrap();
    std::fs::write(dir.join("t.csv"), csv_text(&data.select(&test))).unwrap();
    write_config(
        &dir,
        "streaming = true\ntest_csv = \"t.csv\"",
        "linear_regression",
    );
    ember_in(&dir, &["train", "c.toml", "--out", "run"]).expect(0);
    let s = summary(&dir.join("run"));
    assert_eq!(
        (s["n_train"].as_u64(), s["n_test"].as_u64()),
        (Some(train.len() as u64), Some(test.len() as u64))
    );
    let reference = in_memory(&data.select(&train));
    assert_same_fit(&linear_model(&dir.join("run")), &reference);
    let held = data.select(&test);
    let r2 = reference.score(held.x(), held.y()).unwrap();
    assert!(rel(metric(&s, "test", "r2"), r2) < 1e-9);
}

#[test]
fn a_streamed_run_that_fails_leaves_no_model() {
    let dir = temp_dir("streamed-one-row");
    // One row, held out as the training row: no test rows to score.
    std::fs::write(dir.join("d.csv"), "a,b,y\n1,2,3\n").unwrap();
    write_config(
        &dir,
        "streaming = true\ntest_fraction = 0.01",
        "linear_regression",
    );
    let err = ember_in(&dir, &["train", "c.toml", "--out", "run"]).expect(1);
    assert!(err.stderr.contains("scoring"), "{}", err.stderr);
    assert!(!dir.join("run/model.ember").exists());
}

#[test]
fn too_few_rows_for_the_ols_summary_skip_it_with_a_note_and_still_fit() {
    let dir = temp_dir("streamed-few-rows");
    // n - 1 features and an intercept from fewer than n training rows: a summary needs more
    // rows than coefficients, the (minimum-norm) fit does not. n: the first row count whose
    // split holds out at least two rows and keeps at least two.
    let held = |n: u64| (0..n).filter(|&r| hashed_test_row(r, 0.5, 3)).count() as u64;
    let n = (8..64).find(|&n| (2..=n - 2).contains(&held(n))).unwrap();
    let names: Vec<String> = (0..n).map(|c| format!("x{c}")).collect();
    let mut text = names.join(",") + "\n";
    for r in 0..n {
        let row: Vec<String> = (0..n)
            .map(|c| ((r * 7 + c * c * 3) % 11).to_string())
            .collect();
        let _ = writeln!(text, "{}", row.join(","));
    }
    std::fs::write(dir.join("d.csv"), text).unwrap();
    write_config(
        &dir,
        "streaming = true\ntest_fraction = 0.5",
        "linear_regression",
    );
    let out = ember_in(&dir, &["train", "c.toml", "--out", "run"]).expect(0);
    assert!(
        out.stderr.contains("no OLS summary") && out.stderr.contains("residual degrees of freedom"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("invalid config"), "{}", out.stderr);
    assert!(dir.join("run/model.ember").exists());
    assert!(!dir.join("run/ols_summary.txt").exists());
}
