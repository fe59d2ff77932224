//! Run directories: one process owns a run directory at a time (concurrent `train` and
//! `--resume`), a run that fails early leaves nothing behind, `--resume` refuses a config
//! whose model or data settings changed, and the config problems found before any directory
//! is made.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::{Run, arg, ember, ember_in, root, summary, temp_dir};

const BUSY: &str = "another ember process is using run directory";
const LOCK: &str = ".ember.lock";

/// `ember train` of the seed line drawn with `seed` into `out`, started and not waited for.
fn spawn_seed_line(out: &Path, seed: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ember"))
        .args(["train", "configs/seed_line.toml", "--out", arg(out)])
        .args(["--device", "flex", "--set"])
        .arg(format!("data.generator.seed_line.seed={seed}"))
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> Run {
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// What a finished run directory holds, its path replaced by `RUN`: the file names, the config,
/// the model file's bytes and the summary's metrics.
fn contents(dir: &Path) -> (BTreeSet<String>, String, Vec<u8>, serde_json::Value) {
    let names = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let config = std::fs::read_to_string(dir.join("config.toml"))
        .unwrap()
        .replace(arg(dir), "RUN");
    let s = summary(dir);
    let metrics = serde_json::json!({ "train": s["train"], "test": s["test"] });
    (
        names,
        config,
        std::fs::read(dir.join("model.ember")).unwrap(),
        metrics,
    )
}

/// The messages a losing `ember train` may give: the directory is in use, or already holds
/// the winner's run.
fn refusals(dir: &Path) -> [String; 2] {
    let d = dir.display();
    [
        format!("ember: {BUSY} {d}; wait for it to finish, or choose another with --out"),
        format!(
            "ember: {d}: the run directory exists and is not empty; continue it with `ember train --resume {d}`, or choose another with --out"
        ),
    ]
}

#[test]
fn concurrent_runs_into_one_directory_have_one_owner() {
    let base = temp_dir("race");
    let reference: Vec<_> = [1, 2]
        .iter()
        .map(|&seed| {
            let dir = base.join(format!("reference-{seed}"));
            finish(spawn_seed_line(&dir, seed)).expect(0);
            dir
        })
        .collect();
    let pairs: Vec<PathBuf> = (0..16).map(|i| base.join(format!("pair-{i}"))).collect();
    let children: Vec<[Child; 2]> = pairs
        .iter()
        .map(|dir| [spawn_seed_line(dir, 1), spawn_seed_line(dir, 2)])
        .collect();
    for (dir, [a, b]) in pairs.iter().zip(children) {
        let outcomes = [finish(a), finish(b)];
        let winners: Vec<usize> = (0..2).filter(|&i| outcomes[i].code == 0).collect();
        assert_eq!(
            winners.len(),
            1,
            "{}: {:?}",
            dir.display(),
            codes(&outcomes)
        );
        let (winner, loser) = (winners[0], &outcomes[1 - winners[0]]);
        assert_eq!(loser.code, 2, "{}", loser.stderr);
        let lines = loser.error_lines();
        assert!(
            lines.len() == 1 && refusals(dir).contains(&lines[0].to_string()),
            "{lines:?}"
        );
        assert_eq!(
            contents(dir),
            contents(&reference[winner]),
            "{}: not the winner's run",
            dir.display()
        );
    }
}

fn codes(runs: &[Run]) -> Vec<(i32, &str)> {
    runs.iter().map(|r| (r.code, r.stderr.as_str())).collect()
}

/// The run directory's lock, held by this test as another `ember` would hold it.
fn hold_lock(dir: &Path) -> File {
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(LOCK))
        .unwrap();
    file.try_lock().unwrap();
    file
}

#[test]
fn a_directory_in_use_is_refused_for_train_and_resume() {
    let run = temp_dir("in-use").join("run");
    let train = [
        "train",
        "configs/seed_line.toml",
        "--out",
        arg(&run),
        "--device",
        "flex",
    ];
    std::fs::create_dir_all(&run).unwrap();
    let lock = hold_lock(&run);
    let out = ember(&train).expect(2);
    assert_eq!(out.error_lines(), [refusals(&run)[0].as_str()]);
    assert_eq!(std::fs::read_dir(&run).unwrap().count(), 1, "only the lock");
    drop(lock);
    ember(&train).expect(0);
    let before = std::fs::read(run.join("model.ember")).unwrap();

    let resume = ["train", "--resume", arg(&run), "--device", "flex"];
    let lock = hold_lock(&run);
    let out = ember(&resume).expect(2);
    assert_eq!(out.error_lines(), [refusals(&run)[0].as_str()]);
    drop(lock);
    assert_eq!(std::fs::read(run.join("model.ember")).unwrap(), before);
    ember(&resume).expect(0);
}

/// Writes `files` (name, text) into a fresh folder and runs `ember train c.toml` there with
/// `extra` arguments.
fn train_with(files: &[(&str, &str)], extra: &[&str]) -> (PathBuf, Run) {
    let dir = temp_dir("early");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let mut args = vec!["train", "c.toml"];
    args.extend(extra);
    let out = ember_in(&dir, &args);
    (dir, out)
}

const ONE_CLASS: &str = "a,b,y\n1,2,x\n2,1,x\n3,5,x\n4,4,x\n5,2,x\n6,7,x\n7,3,x\n8,8,x\n";
const TWO_CLASSES: &str = "a,b,y\n1,2,x\n2,1,x\n3,5,z\n4,4,x\n5,2,z\n6,7,z\n7,3,x\n8,8,z\n";
const LOGISTIC: &str = "device = \"flex\"\n[data]\ncsv = \"data.csv\"\ntest_fraction = 0.25\n[model.logistic_regression]\n";

#[test]
fn a_run_that_fails_early_leaves_no_directory() {
    let files = [("c.toml", LOGISTIC), ("data.csv", ONE_CLASS)];
    let (dir, out) = train_with(&files, &["--out", "runs/run"]);
    out.expect(1);
    assert!(!dir.join("runs/run").exists(), "the failed run's directory");
    // The corrected data trains into the same directory.
    std::fs::write(dir.join("data.csv"), TWO_CLASSES).unwrap();
    ember_in(&dir, &["train", "c.toml", "--out", "runs/run"]).expect(0);

    // A folder that was there (empty) stays, empty.
    std::fs::create_dir(dir.join("mine")).unwrap();
    std::fs::write(dir.join("data.csv"), ONE_CLASS).unwrap();
    ember_in(&dir, &["train", "c.toml", "--out", "mine"]).expect(1);
    assert_eq!(std::fs::read_dir(dir.join("mine")).unwrap().count(), 0);

    // Data that cannot be read makes no directory at all.
    std::fs::write(dir.join("data.csv"), "a,b,y\n1,2,x\n4,oops,z\n").unwrap();
    ember_in(&dir, &["train", "c.toml", "--out", "bad"]).expect(1);
    assert!(!dir.join("bad").exists());
}

/// `config`'s line that starts with `key = `, with its value replaced by `value`: the new text
/// and the value's line and column.
fn edited(config: &str, key: &str, value: &str) -> (String, usize, usize) {
    let prefix = format!("{key} = ");
    let i = config
        .lines()
        .position(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{key}` in\n{config}"));
    let text: Vec<String> = config
        .lines()
        .enumerate()
        .map(|(j, l)| {
            if j == i {
                format!("{prefix}{value}")
            } else {
                l.to_string()
            }
        })
        .collect();
    (text.join("\n") + "\n", i + 1, prefix.len() + 1)
}

#[test]
fn resume_refuses_a_changed_model_or_data_setting() {
    let config = "device = \"flex\"\n[data.generator.seed_line]\nn_samples = 64\n[model.mlp_regressor]\nhidden = [4]\nactivation = \"relu\"\n[model.mlp_regressor.train]\nepochs = 2\n";
    let (dir, out) = train_with(&[("c.toml", config)], &["--out", "run"]);
    out.expect(0);
    let run = dir.join("run");
    let path = run.join("config.toml");
    let original = std::fs::read_to_string(&path).unwrap();
    let resume = ["train", "--resume", "run", "--device", "flex"];
    let cases = [
        ("activation", "\"tanh\"", "activation", "\"relu\""),
        ("hidden", "[5]", "hidden", "[4]"),
        (
            "n_samples",
            "80",
            "data.generator.seed_line.n_samples",
            "64",
        ),
    ];
    for (key, value, field, was) in cases {
        let (text, line, column) = edited(&original, key, value);
        std::fs::write(&path, text).unwrap();
        let field = match field {
            "activation" | "hidden" => format!("model.mlp_regressor.{field}"),
            _ => field.to_string(),
        };
        let out = ember_in(&dir, &resume).expect(2);
        assert_eq!(
            out.error_lines(),
            [format!(
                "{}:{line}:{column}: `{field}`: was {was} when the run started, the config now says {value}; put it back to resume, or train a new run with --out",
                Path::new("run/config.toml").display()
            )]
        );
    }
    // More epochs is what resuming is for.
    std::fs::write(&path, edited(&original, "epochs", "3").0).unwrap();
    let out = ember_in(&dir, &resume).expect(0);
    let progress = format!("{}{}", out.stdout, out.stderr);
    assert!(progress.contains("epoch 3/3"), "{progress}");
}

/// A config, the files beside it and the one error line `ember train` gives.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[test]
fn config_problems_found_before_any_directory() {
    let houses = "rooms,area,price\n3,70.5,100\n4,88,150\n2,40,80\n5,120,210\n";
    let cases: [Case; 7] = [
        ("", &[], "c.toml:1:1: missing field `data`"),
        (
            "out = \"\"\n[data]\nbundled = \"diabetes\"\n[model.linear_regression]\n",
            &[],
            "c.toml:1:7: `out`: is empty, which would write the run into the current directory; give a folder, or leave `out` out for runs/<config name>",
        ),
        (
            "[data]\ncsv = \"houses.csv\"\n[data.csv_options]\ntargets = [\"price\"]\nmissing = \"keep\"\n[model.linear_regression]\n",
            &[],
            "c.toml:5:11: `data.csv_options.missing`: `keep` leaves missing values as NaN, and `ember train` does not impute them; use \"drop_rows\", or fill them in beforehand",
        ),
        (
            "[data]\ncsv = \"houses.csv\"\ntest_csv = \"test.csv\"\n[data.csv_options]\ntargets = [\"price\"]\n[model.linear_regression]\n",
            &[("test.csv", "rooms,area\n3,70\n")],
            "c.toml:3:12: `data.test_csv`: test.csv:1: no column named `price` (columns: rooms, area)",
        ),
        (
            "[data]\ncsv = \"houses.csv\"\ntest_csv = \"test.csv\"\n[data.csv_options]\nfeatures = [\"rooms\", \"area\"]\n[model.linear_regression]\n",
            &[("test.csv", "rooms,price\n3,70\n")],
            "c.toml:3:12: `data.test_csv`: test.csv:1: no column named `area` (columns: rooms, price)",
        ),
        (
            "[data]\ncsv = \"houses.csv\"\ntest_csv = \"test.csv\"\n[model.linear_regression]\n",
            &[("test.csv", "rooms,price\n3,100\n5,170\n")],
            "c.toml:3:12: `data.test_csv`: test.csv lacks the training file's columns `area` (it has rooms, price)",
        ),
        (
            "[data]\ncsv = \".\"\n[model.linear_regression]\n",
            &[],
            "c.toml:2:7: `data.csv`: . is a directory, not a file",
        ),
    ];
    for (config, extra, message) in cases {
        // The user's own files where `ember train` runs are left alone.
        let mut files = vec![
            ("c.toml", config),
            ("houses.csv", houses),
            ("config.toml", "# mine\n"),
            ("summary.json", "{}"),
        ];
        files.extend_from_slice(extra);
        let (dir, out) = train_with(&files, &[]);
        let out = out.expect(2);
        assert_eq!(out.error_lines(), [message], "{config}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), files.len());
        assert_eq!(
            std::fs::read_to_string(dir.join("config.toml")).unwrap(),
            "# mine\n"
        );
    }
}

#[test]
fn a_test_file_with_its_columns_in_another_order_is_matched_by_name() {
    let config = "device = \"flex\"\n[data]\ncsv = \"houses.csv\"\ntest_csv = \"test.csv\"\n[model.linear_regression]\n";
    let files = [
        ("c.toml", config),
        (
            "houses.csv",
            "rooms,area,price\n3,70,240\n4,88,304\n2,40,140\n5,120,410\n",
        ),
        ("test.csv", "price,area,rooms\n195,55,3\n70,10,4\n"),
    ];
    let (dir, out) = train_with(&files, &["--out", "run"]);
    out.expect(0);
    // price = 10 rooms + 3 area exactly: the test row is predicted exactly.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run/summary.json")).unwrap()).unwrap();
    assert!(
        summary["test"]["mse"].as_f64().unwrap() < 1e-18,
        "{summary}"
    );
}

#[test]
fn a_run_directory_holds_one_config_one_model_file_and_one_metrics_log() {
    let base = temp_dir("one-of-each");
    for (config, set) in [
        (
            "configs/digits_mlp.toml",
            "model.mlp_classifier.train.epochs=3",
        ),
        (
            "configs/seed_line_gd.toml",
            "model.linear_regression.gradient_descent.max_epochs=4",
        ),
    ] {
        let dir = base.join(config.replace(['/', '.'], "_"));
        ember(&["train", config, "--out", arg(&dir), "--set", set]).expect(0);
        let names: BTreeSet<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        for one in ["config.toml", "model.ember", "metrics.jsonl", "checkpoints"] {
            assert!(names.contains(one), "{config}: no {one} in {names:?}");
        }
        for other in ["config.json", "model.bpk"] {
            assert!(
                !names.contains(other),
                "{config}: {other} beside the CLI's own"
            );
        }
        // The training loop's log, an epoch per line and split, not replaced by the summary.
        let log = std::fs::read_to_string(dir.join("metrics.jsonl")).unwrap();
        let epochs: BTreeSet<u64> = log
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["epoch"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            epochs.len(),
            if config.contains("gd") { 4 } else { 3 },
            "{log}"
        );
        let saved = std::fs::read(dir.join("model.ember")).unwrap();
        let text = String::from_utf8_lossy(&saved);
        assert!(
            !text.contains("run_dir") && !text.contains("keep_checkpoints"),
            "{config}: run options in the model file"
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}
