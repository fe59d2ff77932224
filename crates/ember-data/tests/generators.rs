//! Generators: scikit-learn's exact points where they are deterministic, statistics elsewhere.

use ember_data::DataError;
use ember_data::generators::{MakeBlobs, MakeCircles, MakeClassification, MakeMoons};

fn close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-15, "{a:?} vs {b:?}");
    }
}

#[test]
fn moons_and_circles_are_scikit_learns_points() -> Result<(), DataError> {
    // sklearn.datasets.make_moons(7, shuffle=False), scikit-learn 1.9.1.
    let moons = MakeMoons {
        n_samples: 7,
        shuffle: false,
        ..Default::default()
    }
    .generate()?;
    close(
        moons.x().as_slice(),
        &[
            1.0,
            0.0,
            6.123233995736766e-17,
            1.0,
            -1.0,
            1.2246467991473532e-16,
            0.0,
            0.5,
            0.4999999999999999,
            -0.3660254037844386,
            1.4999999999999998,
            -0.3660254037844387,
            2.0,
            0.4999999999999999,
        ],
    );
    assert_eq!(moons.classes(), Some(vec![0, 0, 0, 1, 1, 1, 1]));
    // sklearn.datasets.make_circles(7, shuffle=False).
    let circles = MakeCircles {
        n_samples: 7,
        shuffle: false,
        ..Default::default()
    }
    .generate()?;
    close(
        circles.x().as_slice(),
        &[
            1.0,
            0.0,
            -0.4999999999999998,
            0.8660254037844387,
            -0.5000000000000004,
            -0.8660254037844384,
            0.8,
            0.0,
            4.898587196589413e-17,
            0.8,
            -0.8,
            9.797174393178826e-17,
            -1.4695761589768238e-16,
            -0.8,
        ],
    );
    assert_eq!(circles.classes(), Some(vec![0, 0, 0, 1, 1, 1, 1]));
    Ok(())
}

#[test]
fn noise_shuffle_and_seeds() -> Result<(), DataError> {
    let noisy = MakeMoons {
        n_samples: 2000,
        noise: 0.1,
        seed: 3,
        ..Default::default()
    }
    .generate()?;
    assert_eq!(
        noisy,
        MakeMoons {
            n_samples: 2000,
            noise: 0.1,
            seed: 3,
            ..Default::default()
        }
        .generate()?
    );
    assert_ne!(
        noisy,
        MakeMoons {
            n_samples: 2000,
            noise: 0.1,
            seed: 4,
            ..Default::default()
        }
        .generate()?
    );
    // Radii of noiseless circles are exactly 1 and `factor`, whatever the shuffle.
    let c = MakeCircles {
        n_samples: 1001,
        factor: 0.3,
        ..Default::default()
    }
    .generate()?;
    let classes = c.classes().unwrap_or_default();
    for (row, class) in c.x().rows().zip(classes) {
        let r = row[0].hypot(row[1]);
        assert!((r - if class == 0 { 1.0 } else { 0.3 }).abs() < 1e-12);
    }
    Ok(())
}

#[test]
fn blobs_sit_around_their_centres() -> Result<(), DataError> {
    let (data, centers) = MakeBlobs {
        n_samples: 30_000,
        n_features: 3,
        centers: 4,
        cluster_std: vec![0.5, 1.0, 1.5, 2.0],
        seed: 11,
        ..Default::default()
    }
    .generate()?;
    assert!(centers.as_slice().iter().all(|c| (-10.0..10.0).contains(c)));
    let classes = data.classes().unwrap_or_default();
    for k in 0..4 {
        let rows: Vec<&[f64]> = data
            .x()
            .rows()
            .zip(&classes)
            .filter(|(_, c)| **c == k)
            .map(|(r, _)| r)
            .collect();
        assert_eq!(rows.len(), 7500);
        for j in 0..3 {
            let mean = rows.iter().map(|r| r[j]).sum::<f64>() / 7500.0;
            let sd = (rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / 7500.0).sqrt();
            let want = [0.5, 1.0, 1.5, 2.0][k];
            // Standard error of the mean is sd/√7500 ≈ 0.012·sd; allow 5 of them.
            assert!(
                (mean - centers.get(k, j)).abs() < 0.06 * want,
                "mean {mean} vs {}",
                centers.get(k, j)
            );
            assert!((sd / want - 1.0).abs() < 0.05, "sd {sd} vs {want}");
        }
    }
    let given = MakeBlobs {
        n_samples: 5,
        center_points: Some(vec![vec![100.0], vec![-100.0]]),
        cluster_std: vec![0.0],
        shuffle: false,
        ..Default::default()
    };
    assert_eq!(
        given.generate()?.0.x().as_slice(),
        &[100.0, 100.0, 100.0, -100.0, -100.0]
    );
    Ok(())
}

#[test]
fn classification_has_its_classes_features_and_structure() -> Result<(), DataError> {
    let params = MakeClassification {
        n_samples: 10_000,
        n_features: 8,
        n_informative: 3,
        n_redundant: 2,
        n_repeated: 1,
        n_classes: 3,
        weights: vec![0.5, 0.3],
        flip_y: 0.0,
        shuffle: false,
        seed: 5,
        ..Default::default()
    };
    let data = params.generate()?;
    assert_eq!(data.x().shape(), (10_000, 8));
    let classes = data.classes().unwrap_or_default();
    let counts: Vec<usize> = (0..3)
        .map(|k| classes.iter().filter(|&&c| c == k).count())
        .collect();
    // scikit-learn 1.9.1 gives the same counts for these parameters (the implied weight
    // 1 - 0.8 rounds below 0.2, and the remainder goes round-robin to the clusters).
    assert_eq!(counts, vec![5001, 3001, 1998]);
    // Unshuffled: column 5 repeats one of columns 0..5 exactly; columns 6, 7 are pure noise.
    let col = |j| data.x().column_values(j);
    assert!((0..5).any(|j| col(j) == col(5)));
    for j in 6..8 {
        let c = col(j);
        let mean = c.iter().sum::<f64>() / 1e4;
        assert!(mean.abs() < 0.05, "noise column {j} mean {mean}");
    }
    // Class means differ along the informative columns, not the noise ones.
    let mean_of = |j: usize, k: usize| {
        let v: Vec<f64> = col(j)
            .into_iter()
            .zip(&classes)
            .filter(|(_, c)| **c == k)
            .map(|(v, _)| v)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let spread = |j: usize| {
        (0..3)
            .map(|k| mean_of(j, k))
            .fold(f64::NEG_INFINITY, f64::max)
            - (0..3).map(|k| mean_of(j, k)).fold(f64::INFINITY, f64::min)
    };
    assert!((0..3).map(spread).fold(0.0, f64::max) > 0.5);
    assert!(spread(6) < 0.15 && spread(7) < 0.15);
    // flip_y relabels about that fraction (a flipped label may land on its own class).
    let flipped = MakeClassification {
        flip_y: 0.3,
        ..params.clone()
    }
    .generate()?;
    let changed = flipped
        .classes()
        .unwrap_or_default()
        .iter()
        .zip(&classes)
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        (1600..2400).contains(&changed),
        "{changed} of 10000 changed"
    );
    Ok(())
}

#[test]
fn impossible_parameters_name_the_field() {
    let e = MakeClassification {
        n_features: 3,
        ..Default::default()
    }
    .generate()
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("invalid parameter `n_features`"), "{e}");
    let e = MakeClassification {
        weights: vec![0.9, 0.9],
        ..Default::default()
    }
    .generate()
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("invalid parameter `weights`"), "{e}");
    let e = MakeBlobs {
        center_box: (1.0, -1.0),
        ..Default::default()
    }
    .generate()
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("invalid parameter `center_box`"), "{e}");
    let e = MakeMoons {
        n_samples: 0,
        ..Default::default()
    }
    .generate()
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("invalid parameter `n_samples`"), "{e}");
}
