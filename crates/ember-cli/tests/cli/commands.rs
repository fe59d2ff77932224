//! `ember eval`, `predict`, `inspect` and `train --resume` on real runs, and their errors on bad
//! input: messages and exit codes.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::common::{arg, ember, ember_in, metric, summary, temp_dir};
use ember::data::Dataset;
use ember::data::split::stratified_train_test_split;

/// Trains iris softmax regression into a fresh folder.
fn iris_run() -> PathBuf {
    let run = temp_dir("iris").join("run");
    ember(&[
        "train",
        "configs/iris_softmax.toml",
        "--out",
        arg(&run),
        "--device",
        "flex",
    ])
    .expect(0);
    run
}

/// `data` as CSV: a header, the features in `order`, then the class name.
fn iris_csv(data: &Dataset, order: &[usize], path: &Path) {
    let names = data.feature_names();
    let labels = data.labels().unwrap();
    let mut text: String = order
        .iter()
        .map(|&j| format!("\"{}\",", names[j]))
        .collect();
    text.push_str(&data.target_names()[0]);
    text.push('\n');
    for i in 0..data.n_samples() {
        for &j in order {
            write!(text, "{},", data.x().get(i, j)).unwrap();
        }
        let class = data.y().get(i, 0) as usize;
        writeln!(text, "{}", labels.decode(class).unwrap()).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// The test split the iris config uses.
fn iris_test_set() -> Dataset {
    let iris = ember::data::load("iris").unwrap();
    stratified_train_test_split(&iris, 0.2, 0).unwrap().1
}

#[test]
fn eval_predict_and_inspect_agree_with_the_summary() {
    let run = iris_run();
    let s = summary(&run);
    let dir = temp_dir("iris-files");

    // eval on the run's own splits: the summary's numbers.
    let out = ember(&["eval", arg(&run), "--json", "--device", "flex"]).expect(0);
    let eval: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(eval["test"]["accuracy"], s["test"]["accuracy"]);
    assert_eq!(eval["train"]["log_loss"], s["train"]["log_loss"]);

    // eval on a CSV of the test rows (class names as text): the same numbers.
    let test = iris_test_set();
    let csv = dir.join("test.csv");
    iris_csv(&test, &[0, 1, 2, 3], &csv);
    let args = [
        "eval",
        arg(&run),
        "--data",
        arg(&csv),
        "--json",
        "--device",
        "flex",
    ];
    let out = ember(&args).expect(0);
    let eval: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let from_csv = &eval[csv.display().to_string()];
    assert_eq!(from_csv["accuracy"], s["test"]["accuracy"]);
    let (a, b) = (
        from_csv["log_loss"].as_f64().unwrap(),
        metric(&s, "test", "log_loss"),
    );
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");

    // predict: one row per input row; the target column is left out; classes by name.
    let output = dir.join("pred.csv");
    let args = [
        "predict",
        arg(&run),
        "--input",
        arg(&csv),
        "--output",
        arg(&output),
    ];
    ember(&[&args[..], &["--device", "flex"]].concat()).expect(0);
    let text = std::fs::read_to_string(&output).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("class,proba_setosa,proba_versicolor,proba_virginica")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), test.n_samples());
    let labels = test.labels().unwrap();
    let correct = rows
        .iter()
        .enumerate()
        .filter(|(i, r)| r.split(',').next() == labels.decode(test.y().get(*i, 0) as usize))
        .count();
    let accuracy = correct as f64 / rows.len() as f64;
    assert!((accuracy - metric(&s, "test", "accuracy")).abs() < 1e-12);
    for r in &rows {
        let p: f64 = r
            .split(',')
            .skip(1)
            .map(|v| v.parse::<f64>().unwrap())
            .sum();
        assert!((p - 1.0).abs() < 1e-12);
    }

    // Columns in another order are matched by name.
    let shuffled = dir.join("shuffled.csv");
    iris_csv(&test, &[3, 1, 0, 2], &shuffled);
    let out = ember(&[
        "predict",
        arg(&run),
        "--input",
        arg(&shuffled),
        "--device",
        "flex",
    ])
    .expect(0);
    assert_eq!(out.stdout, text);

    // export: the weights as safetensors, named as documented.
    let st = dir.join("iris.safetensors");
    ember(&["export", arg(&run), "--safetensors", arg(&st)]).expect(0);
    let bytes = std::fs::read(&st).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    assert_eq!(header["linear.weight"]["shape"], serde_json::json!([3, 4]));
    assert_eq!(header["__metadata__"]["kind"], "logistic_regression");

    // export --onnx: the model file as ONNX (onnxruntime runs it in the ember crate's tests);
    // both files at once; a run directory without a model is an error naming the file.
    let (onnx, both) = (dir.join("iris.onnx"), dir.join("both.safetensors"));
    let out = ember(&[
        "export",
        arg(&run),
        "--onnx",
        arg(&onnx),
        "--safetensors",
        arg(&both),
    ])
    .expect(0);
    assert!(
        out.stdout.contains("ONNX model (opset 17)"),
        "{}",
        out.stdout
    );
    let bytes = std::fs::read(&onnx).unwrap();
    assert!(bytes.windows(7).any(|w| w == b"Softmax") && both.is_file());
    // A run directory whose model file is gone (its config is there).
    let empty = dir.join("no-model");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::copy(run.join("config.toml"), empty.join("config.toml")).unwrap();
    let out = ember(&["export", arg(&empty), "--onnx", arg(&dir.join("x.onnx"))]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("model.ember"), "{}", out.stderr);
    assert!(!dir.join("x.onnx").exists());

    // inspect: the model, its size, the summary.
    let out = ember(&["inspect", arg(&run)]).expect(0);
    assert!(
        out.stdout
            .contains("model      logistic_regression (15 parameters)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("test       accuracy 0.9"),
        "{}",
        out.stdout
    );
}

#[test]
fn predict_rejects_bad_csv_files() {
    let run = iris_run();
    let dir = temp_dir("bad-csv");
    let cases: [(&str, &str, &str); 4] = [
        (
            "names.csv",
            "a,b,c\n1,2,3\n",
            "names.csv: the model's feature columns `sepal length (cm)`, `sepal width (cm)`, `petal length (cm)`, `petal width (cm)` are missing (the file has a, b, c)",
        ),
        (
            "width.csv",
            "1,2,3\n4,5,6\n",
            "width.csv: 3 feature columns (x0, x1, x2), but the model takes 4 (sepal length (cm), sepal width (cm), petal length (cm), petal width (cm))",
        ),
        (
            "cell.csv",
            "5.1,3.5,1.4,0.2\n6.7,x,5.2,2.3\n",
            "cell.csv:2:2: expected a finite number in column `x1`, found \"x\"",
        ),
        ("empty.csv", "", "empty.csv: the file is empty"),
    ];
    for (name, content, message) in cases {
        std::fs::write(dir.join(name), content).unwrap();
        let args = ["predict", arg(&run), "--input", name, "--device", "flex"];
        let out = ember_in(&dir, &args).expect(1);
        assert_eq!(
            out.error_lines(),
            [format!("ember: error: data: {message}")],
            "{name}"
        );
    }
    let args = [
        "predict",
        arg(&run),
        "--input",
        "missing.csv",
        "--device",
        "flex",
    ];
    let out = ember_in(&dir, &args).expect(1);
    assert!(out.stderr.contains("missing.csv"), "{}", out.stderr);
}

#[test]
fn a_run_directory_is_never_overwritten() {
    let run = iris_run();
    let before = std::fs::read(run.join("model.ember")).unwrap();
    let out = ember(&[
        "train",
        "configs/iris_softmax.toml",
        "--out",
        arg(&run),
        "--device",
        "flex",
    ])
    .expect(2);
    assert_eq!(
        out.error_lines(),
        [format!(
            "ember: {}: the run directory exists and is not empty; continue it with `ember train --resume {}`, or choose another with --out",
            run.display(),
            run.display()
        )]
    );
    assert_eq!(std::fs::read(run.join("model.ember")).unwrap(), before);
}

#[test]
fn commands_on_a_folder_that_is_not_a_run() {
    let dir = temp_dir("not-a-run");
    for args in [
        vec!["eval", arg(&dir)],
        vec!["inspect", arg(&dir)],
        vec!["predict", arg(&dir), "--input", "x.csv"],
        vec!["train", "--resume", arg(&dir)],
    ] {
        let out = ember(&args).expect(2);
        assert!(
            out.stderr.contains("not a run directory"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn resume_finishes_a_killed_run_with_the_same_weights() {
    let sets = [
        "--set",
        "model.mlp_classifier.train.epochs=4",
        "--device",
        "flex",
    ];
    let whole = temp_dir("whole").join("run");
    let cut = temp_dir("cut").join("run");
    for run in [&whole, &cut] {
        let mut args = vec!["train", "configs/digits_mlp.toml", "--out", arg(run)];
        args.extend(sets);
        ember(&args).expect(0);
    }
    // What a kill during epoch 4 leaves: checkpoints up to epoch 3, no model or summary.
    std::fs::remove_dir_all(cut.join("checkpoints/epoch-000004")).unwrap();
    for f in ["model.ember", "summary.json"] {
        std::fs::remove_file(cut.join(f)).unwrap();
    }
    let out = ember(&["train", "--resume", arg(&cut), "--device", "flex"]).expect(0);
    // A CPU run does not start the GPU driver (lavapipe's noise would show here).
    assert!(!out.stderr.contains("XDG_RUNTIME_DIR"), "{}", out.stderr);
    let progress = format!("{}{}", out.stdout, out.stderr);
    assert!(progress.contains("epoch 4/4"), "{progress}");
    assert!(
        !progress.contains("epoch 1/4"),
        "epoch 1 ran again: {progress}"
    );
    let (a, b) = (summary(&whole), summary(&cut));
    assert_eq!(a["test"], b["test"]);
    assert_eq!(a["train"], b["train"]);
    let csv = temp_dir("digits-rows").join("rows.csv");
    let digits = ember::data::load("digits").unwrap();
    let mut text = String::new();
    for i in 0..20 {
        let row: Vec<String> = digits.x().row(i).iter().map(ToString::to_string).collect();
        writeln!(text, "{}", row.join(",")).unwrap();
    }
    std::fs::write(&csv, text).unwrap();
    let p = |run: &Path| {
        let args = [
            "predict",
            arg(run),
            "--input",
            arg(&csv),
            "--device",
            "flex",
        ];
        ember(&args).expect(0).stdout
    };
    assert_eq!(p(&whole), p(&cut));
}
