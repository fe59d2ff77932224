//! `data.cache`: an MLP classifier trained from a binary row file converted once from the CSV,
//! reused while the CSV is unchanged, rebuilt when it is stale or damaged, and never written
//! over a file that is not one.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::Path;

use crate::common::{ember_in, metric, summary, temp_dir};

/// The bundled digits (8×8 images, classes 0–9) as CSV, with the class last.
fn digits_csv(dir: &Path) {
    let data = ember::data::load("digits").unwrap();
    let mut text = data.feature_names().join(",") + ",digit\n";
    for i in 0..data.n_samples() {
        let row: Vec<String> = data.x().row(i).iter().map(|v| format!("{v}")).collect();
        let _ = writeln!(text, "{},{}", row.join(","), data.y().get(i, 0));
    }
    std::fs::write(dir.join("d.csv"), text).unwrap();
}

fn config(dir: &Path, model: &str) {
    let text = format!(
        "tensorboard = false\n[data]\ncsv = \"d.csv\"\ncache = \"d.rows\"\nscale = \"standard\"\n\n[model.{model}]\nhidden = [32]\n[model.{model}.train]\nepochs = 4\nbatch_size = 64\nlearning_rate = 0.01\n"
    );
    std::fs::write(dir.join("c.toml"), text).unwrap();
}

#[test]
fn a_cached_run_converts_once_reuses_and_rebuilds_a_stale_cache() {
    let dir = temp_dir("cache");
    digits_csv(&dir);
    config(&dir, "mlp_classifier");
    let first = ember_in(&dir, &["train", "c.toml", "--out", "run1"]).expect(0);
    assert!(
        first.stderr.contains("converted") && first.stderr.contains("1797 rows"),
        "{}",
        first.stderr
    );
    let s = summary(&dir.join("run1"));
    assert_eq!(
        s["n_train"].as_u64().unwrap() + s["n_test"].as_u64().unwrap(),
        1797
    );
    assert!(metric(&s, "test", "accuracy") > 0.85, "{s}");
    // The same CSV: the cache is reused, and the run is the same bit for bit.
    let second = ember_in(&dir, &["train", "c.toml", "--out", "run2"]).expect(0);
    assert!(!second.stderr.contains("converted"), "{}", second.stderr);
    assert_eq!(summary(&dir.join("run2"))["test"], s["test"]);
    // A changed CSV makes the cache stale; a truncated cache is damaged: both are rebuilt.
    let csv = std::fs::read_to_string(dir.join("d.csv")).unwrap();
    std::fs::write(
        dir.join("d.csv"),
        format!("{csv}{}", csv.lines().nth(1).unwrap()),
    )
    .unwrap();
    let stale = ember_in(&dir, &["train", "c.toml", "--out", "run3"]).expect(0);
    assert!(
        stale.stderr.contains("converted") && stale.stderr.contains("1798 rows"),
        "{}",
        stale.stderr
    );
    let rows = std::fs::read(dir.join("d.rows")).unwrap();
    std::fs::write(dir.join("d.rows"), &rows[..rows.len() - 100]).unwrap();
    let cut = ember_in(&dir, &["train", "c.toml", "--out", "run4"]).expect(0);
    assert!(cut.stderr.contains("converted"), "{}", cut.stderr);
    // `ember eval` scores the run's own splits from the cache, as training did.
    let evaluated = ember_in(&dir, &["eval", "run4", "--json"]).expect(0);
    let evaluated: serde_json::Value = serde_json::from_str(&evaluated.stdout).unwrap();
    let s4 = summary(&dir.join("run4"));
    for split in ["train", "test"] {
        assert_eq!(evaluated[split], s4[split], "{split}");
    }
    // A CSV that gained a class since the run is refused, not scored against ten outputs.
    let (pixels, _) = csv.lines().nth(1).unwrap().rsplit_once(',').unwrap();
    std::fs::write(dir.join("d.csv"), format!("{csv}{pixels},10\n")).unwrap();
    let gained = ember_in(&dir, &["eval", "run4"]).expect(1);
    assert!(
        gained.stderr.contains("11 classes") && gained.stderr.contains("not the model's"),
        "{}",
        gained.stderr
    );
    // The trained run predicts from the CSV like any other.
    let predicted = ember_in(&dir, &["predict", "run4", "--input", "d.csv"]).expect(0);
    assert_eq!(
        predicted.stdout.lines().count(),
        1799,
        "header and one line a row"
    );
}

#[test]
fn a_file_of_another_kind_at_the_cache_path_is_never_overwritten() {
    let dir = temp_dir("cache-foreign");
    digits_csv(&dir);
    config(&dir, "mlp_classifier");
    std::fs::write(dir.join("d.rows"), "my notes, not a row file\n").unwrap();
    let err = ember_in(&dir, &["train", "c.toml", "--out", "run"]).expect(1);
    assert!(err.stderr.contains("d.rows"), "{}", err.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("d.rows")).unwrap(),
        "my notes, not a row file\n"
    );
    assert!(!dir.join("run").exists());
}

#[test]
fn a_cache_path_that_is_a_directory_is_refused_by_name() {
    let dir = temp_dir("cache-dir");
    digits_csv(&dir);
    config(&dir, "mlp_classifier");
    std::fs::create_dir(dir.join("d.rows")).unwrap();
    let err = ember_in(&dir, &["train", "c.toml", "--out", "run"]).expect(2);
    assert!(
        err.stderr.contains("d.rows") && err.stderr.contains("directory"),
        "{}",
        err.stderr
    );
    assert!(!dir.join("run").exists());
}

#[test]
fn a_cache_for_a_model_that_reads_memory_is_a_config_error() {
    let dir = temp_dir("cache-config");
    digits_csv(&dir);
    std::fs::write(
        dir.join("c.toml"),
        "[data]\ncsv = \"d.csv\"\ncache = \"d.rows\"\nscale = \"min_max\"\nvalidation_fraction = 0.1\n[model.logistic_regression]\n",
    )
    .unwrap();
    let err = ember_in(&dir, &["train", "c.toml"]).expect(2);
    for field in ["data.cache", "data.scale", "data.validation_fraction"] {
        assert!(err.stderr.contains(field), "{field}: {}", err.stderr);
    }
    assert!(!dir.join("d.rows").exists());
}
