//! Clustering and cross-validation through the `ember` binary on a user's own files, and the
//! settings that cannot work refused before any work.

use crate::common::{ember_in, metric, summary, temp_dir};

/// Three well-separated groups of two features, no label column.
fn points() -> String {
    let mut csv = String::from("width,height\n");
    for (cx, cy) in [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)] {
        for i in 0..20 {
            let d = f64::from(i) * 0.05;
            csv.push_str(&format!("{},{}\n", cx + d, cy - d));
        }
    }
    csv
}

#[test]
fn a_csv_without_labels_is_clustered_on_every_column() {
    let dir = temp_dir("cluster-csv");
    std::fs::write(dir.join("points.csv"), points()).unwrap();
    std::fs::write(
        dir.join("k.toml"),
        "[data]\ncsv = \"points.csv\"\n[model.kmeans]\nn_clusters = 3\nn_init = 5\n",
    )
    .unwrap();
    ember_in(
        &dir,
        &["train", "k.toml", "--out", "run", "--device", "flex"],
    )
    .expect(0);
    let s = summary(&dir.join("run"));
    // Both columns are features (none was taken for a target), and no classes: no Rand index.
    assert_eq!(s["n_features"], 2, "{s}");
    assert!(s["test"].get("adjusted_rand").is_none(), "{s}");
    // Three tight groups (each a diagonal run of 20 points, 0.05 apart): the inertia is their
    // spread alone (each group's sum of squares is 2·Σ(d − 0.475)² ≈ 3.3 for its 20 points;
    // the 48 training rows hold about 80 % of that), the silhouette near 1.
    let inertia = metric(&s, "train", "inertia");
    assert!(inertia > 6.0 && inertia < 10.0, "{s}");
    assert!(metric(&s, "test", "silhouette") > 0.9, "{s}");
    // eval on a file of its own, columns reordered: every column a feature, matched by name;
    // the same file as training gives the training rows' inertia or more (it holds the test
    // rows too), and the full file's inertia is the sum of the splits'.
    let swapped: String = points()
        .lines()
        .map(|l| {
            let (a, b) = l.split_once(',').unwrap();
            format!("{b},{a}\n")
        })
        .collect();
    std::fs::write(dir.join("swapped.csv"), swapped).unwrap();
    let out = ember_in(&dir, &["eval", "run", "--data", "swapped.csv", "--json"]).expect(0);
    let e: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let all = e["swapped.csv"]["inertia"]
        .as_f64()
        .unwrap_or_else(|| panic!("{e}"));
    let split = metric(&s, "train", "inertia") + metric(&s, "test", "inertia");
    assert!((all - split).abs() < 1e-9 * split, "{all} vs {split}");
}

#[test]
fn settings_that_cannot_work_are_refused_before_training() {
    let dir = temp_dir("cluster-bad");
    std::fs::write(dir.join("points.csv"), points()).unwrap();
    std::fs::write(
        dir.join("scaled.toml"),
        "[data]\ncsv = \"points.csv\"\nscale = \"standard\"\n[model.kmeans]\nn_clusters = 2\ninit = { centres = [[0.0, 0.0], [10.0, 0.0]] }\n",
    )
    .unwrap();
    let out = ember_in(&dir, &["train", "scaled.toml", "--out", "run"]).expect(2);
    assert!(
        out.stderr
            .contains("`model.kmeans.init`: the centres are in the data's units"),
        "{}",
        out.stderr
    );
    assert!(!dir.join("run").exists());
    std::fs::write(
        dir.join("k.toml"),
        "[data]\ncsv = \"points.csv\"\n[model.kmeans]\nn_clusters = 3\n",
    )
    .unwrap();
    for (args, says) in [
        (
            vec!["--folds", "1"],
            "--folds 1: cross-validation needs at least 2 folds",
        ),
        (
            vec!["--folds", "3", "--metric", "accuracy"],
            "--metric accuracy: a kmeans reports inertia, silhouette, adjusted_rand",
        ),
    ] {
        let mut all = vec![
            "sweep",
            "k.toml",
            "--grid",
            "model.kmeans.n_clusters=2,3",
            "--out",
            "sweep",
        ];
        all.extend(args);
        let out = ember_in(&dir, &all).expect(2);
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert!(!dir.join("sweep").exists());
    }
}
