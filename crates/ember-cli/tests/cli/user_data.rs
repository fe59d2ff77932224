//! The user's own CSV files through `ember train`, `predict` and `eval`: a correct result or
//! an error naming the file, line and column, never a silently wrong answer.

use std::path::Path;

use crate::common::{ember_in, metric, summary, temp_dir};

/// Writes `files` into a fresh folder and a config `exp.toml` with `config`.
fn project(name: &str, files: &[(&str, &[u8])], config: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    for (file, bytes) in files {
        std::fs::write(dir.join(file), bytes).expect("a test file");
    }
    std::fs::write(dir.join("exp.toml"), config).expect("a test config");
    dir
}

fn train(dir: &Path) -> crate::common::Run {
    ember_in(
        dir,
        &["train", "exp.toml", "--out", "run", "--device", "flex"],
    )
}

fn predict(dir: &Path, input: &str, extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["predict", "run", "--input", input, "--device", "flex"];
    args.extend_from_slice(extra);
    ember_in(dir, &args)
}

const QUESTION: &str = "a,b,y\n1,2,?\n2,4,2001\n3,1,3001\n4,3,4001\n5,0,5001\n6,2,6001\n";

#[test]
fn a_regressor_never_trains_on_labels() {
    let config = "[data]\ncsv = \"d.csv\"\ntest_fraction = 0.2\n[model.linear_regression]\n";
    let dir = project("question", &[("d.csv", QUESTION.as_bytes())], config);
    let out = train(&dir).expect(1);
    assert_eq!(
        out.error_lines(),
        ["ember: error: data: d.csv:2:3: expected a finite number in column `y`, found \"?\": the target must be a number (a marker of missing values goes in missing_values; a classifier reads text as class labels)".replace("d.csv", &dir.join("d.csv").display().to_string())]
    );
    // Declared as a missing value, the row is dropped and the fit is exact: y = 1000 a + 1.
    let config = format!(
        "{config}\n[data.csv_options]\nmissing_values = [\"?\"]\nmissing = \"drop_rows\"\n"
    )
    .replace("test_fraction = 0.2", "test_fraction = 0.4");
    std::fs::write(dir.join("exp.toml"), config).unwrap();
    train(&dir).expect(0);
    std::fs::write(dir.join("new.csv"), "a,b\n5,0\n").unwrap();
    let out = predict(&dir, "new.csv", &[]).expect(0);
    let value: f64 = out.stdout.lines().nth(1).unwrap().parse().unwrap();
    assert!((value - 5001.0).abs() < 1e-6, "{}", out.stdout);
}

#[test]
fn a_pandas_export_with_its_index_trains_on_the_real_columns() {
    // y = 1 + 2a + 3b exactly; the index 0..n would be a perfect (and wrong) feature.
    let mut text = String::from(",a,b,y\n");
    for i in 0..20 {
        let (a, b) = ((i * 7 % 11) as f64, (i * 3 % 5) as f64);
        text.push_str(&format!("{i},{a},{b},{}\n", 1.0 + 2.0 * a + 3.0 * b));
    }
    let config = "[data]\ncsv = \"df.csv\"\n[data.csv_options]\ntargets = [\"y\"]\n[model.linear_regression]\n";
    let dir = project("pandas", &[("df.csv", text.as_bytes())], config);
    let out = train(&dir).expect(0);
    assert!(
        out.stderr.contains("df.csv: column 1 has no name in the header, as a row index written by pandas' to_csv or R's write.csv"),
        "{}",
        out.stderr
    );
    let s = summary(&dir.join("run"));
    assert_eq!(s["n_features"], 2);
    assert!((metric(&s, "test", "r2") - 1.0).abs() < 1e-12);
    std::fs::write(dir.join("new.csv"), ",b,a\n7,1,2\n").unwrap();
    let out = predict(&dir, "new.csv", &[]).expect(0);
    let value: f64 = out.stdout.lines().nth(1).unwrap().parse().unwrap();
    assert!((value - 8.0).abs() < 1e-9, "{}", out.stdout);
}

#[test]
fn numeric_classes_are_the_values_seen() {
    let mut text = String::from("x,quality\n");
    for i in 0..60 {
        let q = [3, 5, 8][i % 3];
        text.push_str(&format!("{},{q}\n", q as f64 + (i % 4) as f64 * 0.1));
    }
    let config = "[data]\ncsv = \"wine.csv\"\n[model.logistic_regression]\nc = 100.0\n";
    let dir = project("classes", &[("wine.csv", text.as_bytes())], config);
    let out = train(&dir).expect(0);
    assert!(
        out.stderr
            .contains("the classes of `quality` are its 3 distinct values: 3, 5, 8"),
        "{}",
        out.stderr
    );
    // Three classes (3 × 1 coefficients + 3 intercepts), not nine.
    assert_eq!(summary(&dir.join("run"))["n_params"], 6);
    std::fs::write(dir.join("new.csv"), "x\n8.1\n3.0\n").unwrap();
    let out = predict(&dir, "new.csv", &[]).expect(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "class,proba_3,proba_5,proba_8");
    assert!(
        lines[1].starts_with("8,") && lines[2].starts_with("3,"),
        "{}",
        out.stdout
    );
    // {0, 100000}: two classes.
    let text = "x,y\n0,0\n1,0\n2,0\n10,100000\n11,100000\n12,100000\n";
    std::fs::write(dir.join("wine.csv"), text).unwrap();
    std::fs::write(dir.join("exp.toml"), config.replace("c = 100.0", "c = 1.0")).unwrap();
    ember_in(
        &dir,
        &[
            "train",
            "exp.toml",
            "--out",
            "run2",
            "--device",
            "flex",
            "--set",
            "data.test_fraction=0.5",
        ],
    )
    .expect(0);
    assert_eq!(summary(&dir.join("run2"))["n_params"], 2);
}

#[test]
fn latin1_labels_stay_two_classes() {
    let mut bytes = b"x,label\n".to_vec();
    for i in 0..20 {
        let label: &[u8] = if i % 2 == 0 { b"Cr\xe8me" } else { b"Cr\xe9me" };
        bytes.extend_from_slice(format!("{},", i % 2).as_bytes());
        bytes.extend_from_slice(label);
        bytes.push(b'\n');
    }
    let config = "[data]\ncsv = \"l.csv\"\n[model.logistic_regression]\n";
    let dir = project("latin1", &[("l.csv", &bytes)], config);
    let out = train(&dir).expect(1);
    assert!(
        out.stderr
            .contains("l.csv:2:2: \"Cr\u{fffd}me\" is not valid Utf8 (byte 0xE8 after \"Cr\")"),
        "{}",
        out.stderr
    );
    let config = format!("{config}[data.csv_options]\nencoding = \"latin1\"\n");
    std::fs::write(dir.join("exp.toml"), config).unwrap();
    train(&dir).expect(0);
    std::fs::write(dir.join("new.csv"), "x\n0\n1\n").unwrap();
    let out = predict(&dir, "new.csv", &[]).expect(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "class,proba_Crème,proba_Créme");
    assert!(
        lines[1].starts_with("Crème,") && lines[2].starts_with("Créme,"),
        "{}",
        out.stdout
    );
}

#[test]
fn predict_gives_every_input_row_a_prediction_or_names_the_line() {
    let mut text = String::from("# exported by a lab instrument\n# units: cm\nid,a,y\n");
    for i in 0..20 {
        let a = if i == 5 {
            "NA".to_string()
        } else {
            i.to_string()
        };
        text.push_str(&format!("r{i},{a},{}\n", 2 * i + 1));
    }
    let config = "[data]\ncsv = \"t.csv\"\n[data.csv_options]\nskip_lines = 2\nmissing = \"drop_rows\"\nid = \"id\"\n[model.linear_regression]\n";
    let dir = project("predict-rows", &[("t.csv", text.as_bytes())], config);
    train(&dir).expect(0);
    // The training file's skip_lines and drop_rows do not apply to another file.
    std::fs::write(dir.join("new.csv"), "id,a\nfirst,0\nsecond,NA\nthird,2\n").unwrap();
    let out = predict(&dir, "new.csv", &[]).expect(1);
    assert!(
        out.stderr
            .contains("new.csv:3:2: missing value (\"NA\") in column `a`"),
        "{}",
        out.stderr
    );
    std::fs::write(dir.join("new.csv"), "id,a\nfirst,0\nsecond,1\nthird,2\n").unwrap();
    let out = predict(&dir, "new.csv", &[]).expect(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert_eq!(lines[0], "id,y");
    for (line, (id, y)) in lines[1..]
        .iter()
        .zip([("first", 1.0), ("second", 3.0), ("third", 5.0)])
    {
        let (got_id, value) = line.split_once(',').unwrap();
        assert_eq!(got_id, id);
        assert!((value.parse::<f64>().unwrap() - y).abs() < 1e-9, "{line}");
    }
    // Another id column on request; one that is not there is an error.
    std::fs::write(dir.join("other.csv"), "a,name\n1,x\n").unwrap();
    let out = predict(&dir, "other.csv", &["--id", "name"]).expect(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "name,y");
    let (id, value) = lines[1].split_once(',').unwrap();
    assert_eq!(id, "x");
    assert!(
        (value.parse::<f64>().unwrap() - 3.0).abs() < 1e-9,
        "{}",
        out.stdout
    );
    let out = predict(&dir, "other.csv", &["--id", "nom"]).expect(1);
    assert!(
        out.stderr
            .contains("other.csv:1: no column named `nom` (columns: a, name)"),
        "{}",
        out.stderr
    );
}

#[test]
fn eval_matches_columns_by_name() {
    let mut text = String::from("a,b,y\n");
    let mut reordered = String::from("y,b,a\n");
    for i in 0..30 {
        let (a, b) = (i as f64, ((i * 7) % 5) as f64);
        let y = 3.0 * a - b + 0.01 * ((i * 13) % 7) as f64;
        text.push_str(&format!("{a},{b},{y}\n"));
        reordered.push_str(&format!("{y},{b},{a}\n"));
    }
    let config = "[data]\ncsv = \"t.csv\"\n[model.linear_regression]\n";
    let files: [(&str, &[u8]); 2] = [("t.csv", text.as_bytes()), ("r.csv", reordered.as_bytes())];
    let dir = project("eval-order", &files, config);
    train(&dir).expect(0);
    let eval = |file: &str| {
        let out = ember_in(
            &dir,
            &["eval", "run", "--data", file, "--json", "--device", "flex"],
        )
        .expect(0);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v[file]["r2"].as_f64().unwrap()
    };
    let (same, other) = (eval("t.csv"), eval("r.csv"));
    assert!(same > 0.999, "{same}");
    assert_eq!(same, other);
}

#[test]
fn predict_finds_a_header_of_numbers_by_the_model_s_names() {
    // Wavelengths as column names: y = 5 a - b.
    let mut text = String::from("2020,2021,y\n");
    for i in 0..12 {
        let (a, b) = (i as f64, ((i * 5) % 7) as f64);
        text.push_str(&format!("{a},{b},{}\n", 5.0 * a - b));
    }
    let config = "[data]\ncsv = \"t.csv\"\n[data.csv_options]\ntargets = [\"y\"]\n[model.linear_regression]\n";
    let dir = project("numbers-header", &[("t.csv", text.as_bytes())], config);
    train(&dir).expect(0);
    let values = |file: &str, text: &str| -> Vec<f64> {
        std::fs::write(dir.join(file), text).expect("a test file");
        let out = predict(&dir, file, &[]).expect(0);
        out.stdout
            .lines()
            .skip(1)
            .map(|l| l.parse().expect("a number"))
            .collect()
    };
    for (file, text) in [
        ("p1.csv", "2020,2021\n1,0\n0,1\n"),
        ("p2.csv", "2021,2020\n0,1\n1,0\n"),
    ] {
        let got = values(file, text);
        assert_eq!(got.len(), 2, "{file}: {got:?}");
        assert!(
            (got[0] - 5.0).abs() < 1e-9 && (got[1] + 1.0).abs() < 1e-9,
            "{file}: {got:?}"
        );
    }
    // Headerless rows are positional.
    let got = values("p3.csv", "1,0\n");
    assert!((got[0] - 5.0).abs() < 1e-9, "{got:?}");
}

#[test]
fn eval_and_predict_need_only_the_model_s_columns() {
    let text = "notes,a,b,y\nfirst,1,2,5\nsecond,2,1,4\nthird,3,5,13\nfourth,4,2,8\nfifth,5,5,15\n";
    let config = "[data]\ncsv = \"t.csv\"\ntest_fraction = 0.4\n[data.csv_options]\nexclude = [\"notes\"]\ntargets = [-1]\n[model.linear_regression]\n";
    let dir = project("only-model-columns", &[("t.csv", text.as_bytes())], config);
    train(&dir).expect(0);
    // y = a + 2 b: no `notes`, target by its name, columns in any order.
    std::fs::write(dir.join("p.csv"), "b,a\n1,1\n").expect("a test file");
    let out = predict(&dir, "p.csv", &[]).expect(0);
    let value: f64 = out
        .stdout
        .lines()
        .nth(1)
        .expect("a row")
        .parse()
        .expect("a number");
    assert!((value - 3.0).abs() < 1e-9, "{}", out.stdout);
    std::fs::write(dir.join("e.csv"), "y,b,a\n3,1,1\n7,3,1\n").expect("a test file");
    let out = ember_in(
        &dir,
        &[
            "eval", "run", "--data", "e.csv", "--json", "--device", "flex",
        ],
    )
    .expect(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(v["e.csv"]["mse"].as_f64().expect("mse") < 1e-18, "{v}");
    // The training file itself, preamble and all, with --skip-lines.
    std::fs::write(dir.join("pre.csv"), format!("# export\n# v2\n{text}")).expect("a test file");
    let args = [
        "eval",
        "run",
        "--data",
        "pre.csv",
        "--skip-lines",
        "2",
        "--json",
        "--device",
        "flex",
    ];
    ember_in(&dir, &args).expect(0);
}

#[test]
fn predict_never_overwrites_the_run_or_its_input() {
    let config = "[data]\ncsv = \"t.csv\"\ntest_fraction = 0.4\n[model.linear_regression]\n";
    let text = "a,y\n1,2\n2,4\n3,6\n4,8\n5,10\n";
    let dir = project("no-overwrite", &[("t.csv", text.as_bytes())], config);
    train(&dir).expect(0);
    let model = std::fs::read(dir.join("run/model.ember")).expect("the model");
    let out = predict(&dir, "t.csv", &["--output", "run/model.ember"]).expect(2);
    assert!(
        out.stderr
            .contains("run/model.ember: is one of the run's files"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(dir.join("run/model.ember")).expect("the model"),
        model
    );
    let out = predict(&dir, "t.csv", &["--output", "./t.csv"]).expect(2);
    assert!(out.stderr.contains("is the input file"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("t.csv")).expect("the data"),
        text
    );
    predict(&dir, "t.csv", &["--output", "run/predictions.csv"]).expect(0);
}

#[test]
fn tiny_values_are_written_in_exponent_form() {
    let mut text = String::from("a,y\n");
    for i in 1..=10 {
        text.push_str(&format!("{i},{}e-30\n", 2 * i));
    }
    let config = "[data]\ncsv = \"t.csv\"\n[model.linear_regression]\nfit_intercept = false\n";
    let dir = project("exponent", &[("t.csv", text.as_bytes())], config);
    train(&dir).expect(0);
    std::fs::write(dir.join("p.csv"), "a\n3\n").expect("a test file");
    let out = predict(&dir, "p.csv", &[]).expect(0);
    let row = out.stdout.lines().nth(1).expect("a row");
    assert!(row.contains("e-30"), "{row}");
    assert!(
        (row.parse::<f64>().expect("a number") - 6e-30).abs() < 1e-42,
        "{row}"
    );
}

#[test]
fn a_test_split_too_small_to_score_is_refused_before_training() {
    let config = "[data]\ncsv = \"t.csv\"\n[model.linear_regression]\n";
    let dir = project(
        "tiny-split",
        &[("t.csv", b"a,y\n1,2\n2,4\n3,6\n4,8\n5,10\n")],
        config,
    );
    let out = train(&dir).expect(1);
    assert_eq!(
        out.error_lines(),
        [
            "ember: error: data: invalid parameter `data.test_fraction`: the test split has 1 sample(s), and R² needs two: raise it, or bring more rows"
        ]
    );
    assert!(!dir.join("run").exists());
}
