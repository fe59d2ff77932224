//! A catalogue of bad configs: every problem is reported at once, each with its file, line and
//! column (or `--set` argument), and the exit code is 2; nothing is written.

#![allow(clippy::unwrap_used)]

use crate::common::{ember_in, temp_dir};

/// Writes `config` as `name` in a fresh folder, runs `ember train` on it with `extra`
/// arguments, expects exit code 2 and returns the error lines.
fn errors(name: &str, config: &str, extra: &[&str]) -> Vec<String> {
    let dir = temp_dir("bad");
    std::fs::write(dir.join(name), config).unwrap();
    std::fs::write(
        dir.join("houses.csv"),
        "rooms,area,price\n3,70.5,100\n4,88,150\n2,40,80\n",
    )
    .unwrap();
    let mut args = vec!["train", name, "--out", "run"];
    args.extend(extra);
    let out = ember_in(&dir, &args).expect(2);
    assert!(!dir.join("run").exists(), "a run directory was made");
    out.error_lines().into_iter().map(String::from).collect()
}

#[test]
fn every_problem_at_once() {
    let config = r#"device = "flex"

[data]
bundled = "irsi"
test_fraction = 1.5

[model.mlp_classifier]
hidden = []
dropout = "lots"

[model.mlp_classifier.train]
epochs = 0
batch_size = 0
lerning_rate = 0.1
learning_rate = -1.0

[model.mlp_classifier.train.optimizer]
name = "adma"
"#;
    assert_eq!(
        errors("many.toml", config, &[]),
        [
            "many.toml:4:11: `data.bundled`: no bundled data set named `irsi`, did you mean `iris`?; available: iris, wine, breast_cancer, diabetes, diabetes_raw, digits, linnerud, anscombe_i, anscombe_ii, anscombe_iii, anscombe_iv, seed_line, mnist_1000",
            "many.toml:5:17: `data.test_fraction`: must be in (0, 1), got 1.5",
            "many.toml:8:10: `model.mlp_classifier.hidden`: give at least one hidden layer (with none, use logistic_regression)",
            "many.toml:9:11: `model.mlp_classifier.dropout`: invalid type: string \"lots\", expected f64",
            "many.toml:12:10: `model.mlp_classifier.train.epochs`: must be at least 1",
            "many.toml:13:14: `model.mlp_classifier.train.batch_size`: must be at least 1",
            "many.toml:14:1: `model.mlp_classifier.train.lerning_rate`: unknown field `lerning_rate` (did you mean `learning_rate`?)",
            "many.toml:15:17: `model.mlp_classifier.train.learning_rate`: must be positive and finite, got -1",
            "many.toml:18:8: `model.mlp_classifier.train.optimizer.name`: unknown variant `adma` (did you mean `adam`?)",
        ]
    );
}

#[test]
fn structure_errors() {
    let cases: [(&str, &str, &str); 8] = [
        (
            "kind.toml",
            "[data]\nbundled = \"iris\"\n\n[model.mlp_clasifier]\nhidden = [8]\n",
            "kind.toml:4:8: `model.mlp_clasifier`: unknown variant `mlp_clasifier` (did you mean `mlp_classifier`?)",
        ),
        (
            "nomodel.toml",
            "[data]\nbundled = \"iris\"\n",
            "nomodel.toml:1:1: missing field `model`",
        ),
        (
            "two_kinds.toml",
            "[data]\nbundled = \"iris\"\n[model.ridge]\nalpha = 1.0\n[model.linear_regression]\n",
            "two_kinds.toml:3:2: `model`: give exactly one kind, found `linear_regression` and `ridge`",
        ),
        (
            "two_sources.toml",
            "[data]\nbundled = \"iris\"\ncsv = \"houses.csv\"\n[model.logistic_regression]\n",
            "two_sources.toml:3:7: `data.csv`: give one data source, not bundled and csv",
        ),
        (
            "no_source.toml",
            "[data]\ntest_fraction = 0.3\n[model.ridge]\nalpha = 1.0\n",
            "no_source.toml:1:1: `data`: no data source: give one of bundled, csv, idx or generator",
        ),
        (
            "task.toml",
            "[data]\nbundled = \"diabetes\"\n[model.logistic_regression]\n",
            "task.toml:2:11: `data.bundled`: `diabetes` has continuous targets; this model needs classes",
        ),
        (
            "column.toml",
            "[data]\ncsv = \"houses.csv\"\n[data.csv_options]\ntargets = [\"pricee\"]\n[model.linear_regression]\n",
            "column.toml:3:1: `data.csv_options`: houses.csv:1: no column named `pricee`, did you mean `price`? (columns: rooms, area, price)",
        ),
        (
            "optimizer.toml",
            "[data]\nbundled = \"iris\"\n[model.mlp_classifier.train.optimizer]\nname = \"adam\"\nbta1 = 0.5\n",
            "optimizer.toml:3:1: `model.mlp_classifier.train.optimizer`: unknown field `bta1` (did you mean `beta1`?)",
        ),
    ];
    for (name, config, expected) in cases {
        assert_eq!(errors(name, config, &[]), [expected], "{name}");
    }
}

#[test]
fn syntax_errors_are_located() {
    let lines = errors(
        "syntax.toml",
        "[data]\nbundled = \"iris\n[model.logistic_regression]\nc = 1.0.0\n",
        &[],
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("syntax.toml:2:16: "), "{lines:?}");
    assert!(lines[1].starts_with("syntax.toml:4:8: "), "{lines:?}");
}

#[test]
fn overrides_are_checked_and_named() {
    let config = "[data]\nbundled = \"iris\"\n[model.logistic_regression]\n";
    assert_eq!(
        errors(
            "set.toml",
            config,
            &[
                "--set",
                "model.logistic_regression.c=-2",
                "--set",
                "nonsense",
                "--set",
                "data.bundled.x=1",
                "--set",
                "model.logistic_regression.max_iter=many",
            ]
        ),
        [
            "--set model.logistic_regression.c=-2: `model.logistic_regression.c`: must be positive and finite, got -2",
            "--set nonsense: expected key.path=value",
            "--set data.bundled.x=1: `data.bundled.x`: `bundled` is a string, not a table",
            "--set model.logistic_regression.max_iter=many: `model.logistic_regression.max_iter`: invalid type: string \"many\", expected usize",
        ]
    );
}

#[test]
fn a_monitored_metric_the_run_does_not_write_is_refused_before_training() {
    let config = "[data]\nbundled = \"digits\"\nvalidation_fraction = 0.2\n[model.mlp_classifier]\nhidden = [8]\n[model.mlp_classifier.train.early_stopping]\nmetric = \"valid_log_loss\"\n";
    assert_eq!(
        errors("monitor.toml", config, &[]),
        [
            "monitor.toml:7:10: `model.mlp_classifier.train.early_stopping.metric`: `valid_log_loss` is not a metric this run produces; it produces train_loss, train_accuracy, valid_loss, valid_accuracy, valid_balanced_accuracy, valid_f1_macro"
        ]
    );
    let regressor = "[data]\nbundled = \"diabetes\"\n[model.mlp_regressor]\nhidden = [8]\n";
    assert_eq!(
        errors(
            "reg.toml",
            regressor,
            &[
                "--set",
                "model.mlp_regressor.train.early_stopping.metric=valid_accuracy"
            ]
        ),
        [
            "--set model.mlp_regressor.train.early_stopping.metric=valid_accuracy: `model.mlp_regressor.train.early_stopping.metric`: `valid_accuracy` is not a metric this run produces; it produces train_loss (valid_ metrics need a validation set: data.validation_fraction or train.validation_fraction)"
        ]
    );
    // Gradient descent's loop settings are its own table's.
    let gd = "[data]\nbundled = \"diabetes\"\n[model.linear_regression]\nsolver = \"gradient_descent\"\n[model.linear_regression.gradient_descent.early_stopping]\nmetric = \"valid_r2\"\n";
    assert_eq!(
        errors("gd.toml", gd, &[]),
        [
            "gd.toml:6:10: `model.linear_regression.gradient_descent.early_stopping.metric`: `valid_r2` is not a metric this run produces; it produces train_loss (valid_ metrics need a validation set: validation_fraction beside it)"
        ]
    );
    // With a validation set of its own, the same metric trains (and stops on it).
    let dir = temp_dir("gd-valid");
    std::fs::write(dir.join("gd.toml"), gd).unwrap();
    let set = |kv: &'static str| ["--set", kv];
    let mut args = vec!["train", "gd.toml", "--out", "run"];
    args.extend(set(
        "model.linear_regression.gradient_descent.validation_fraction=0.2",
    ));
    args.extend(set("model.linear_regression.gradient_descent.max_epochs=5"));
    ember_in(&dir, &args).expect(0);
    let log = std::fs::read_to_string(dir.join("run").join("metrics.jsonl")).unwrap();
    assert!(
        log.contains("\"split\":\"valid\"") && log.contains("\"r2\""),
        "{log}"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = temp_dir("usage");
    for args in [
        vec!["train"],
        vec!["fly"],
        vec!["train", "x.toml", "--device", "tpu"],
        vec!["sweep", "x.toml"],
    ] {
        ember_in(&dir, &args).expect(2);
    }
    let out = ember_in(&dir, &["train", "absent.toml"]).expect(2);
    assert!(out.stderr.starts_with("absent.toml: "), "{}", out.stderr);
    let help = ember_in(&dir, &["--help"]).expect(0);
    for command in ["train", "eval", "predict", "inspect", "sweep"] {
        assert!(help.stdout.contains(command), "{}", help.stdout);
    }
}

#[test]
fn a_device_that_is_not_compiled_in() {
    if cfg!(feature = "ndarray") {
        eprintln!("skipped: every backend this test could name is compiled in");
        return;
    }
    let lines = errors(
        "device.toml",
        "device = \"ndarray\"\n[data]\nbundled = \"iris\"\n[model.logistic_regression]\n",
        &[],
    );
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0]
            .starts_with("device.toml:1:10: `device`: `ndarray` is not compiled into this build"),
        "{lines:?}"
    );
}

#[test]
fn bad_training_data_is_a_runtime_error() {
    let dir = temp_dir("bad-data");
    std::fs::write(dir.join("data.csv"), "a,b,y\n1,2,3\n4,oops,6\n7,8,9\n").unwrap();
    std::fs::write(
        dir.join("c.toml"),
        "device = \"flex\"\n[data]\ncsv = \"data.csv\"\n[model.linear_regression]\n",
    )
    .unwrap();
    let out = ember_in(&dir, &["train", "c.toml", "--out", "run"]).expect(1);
    assert_eq!(
        out.error_lines(),
        [format!(
            "ember: error: data: {}:3:2: expected a finite number in column `b`, found \"oops\"",
            dir.join("data.csv").display()
        )]
    );
}
