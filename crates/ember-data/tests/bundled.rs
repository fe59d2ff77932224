//! Every bundled data set loads by name with scikit-learn's shapes, first rows and class counts
//! (references: scikit-learn 1.9.1 `load_*()` on the same files).

use ember_data::{DataError, load};

#[test]
fn classification_sets_match_scikit_learn() -> Result<(), DataError> {
    // name, shape, first row (first values), first/last class, class counts, classes
    let iris = load("iris")?;
    assert_eq!(iris.x().shape(), (150, 4));
    assert_eq!(iris.x().row(0), &[5.1, 3.5, 1.4, 0.2]);
    assert_eq!(iris.x().row(149), &[5.9, 3.0, 5.1, 1.8]);
    assert_eq!(iris.class_counts().unwrap_or_default(), vec![50, 50, 50]);
    assert_eq!(
        iris.labels().map(|l| l.classes().to_vec()),
        Some(vec![
            "setosa".into(),
            "versicolor".into(),
            "virginica".into()
        ])
    );

    let wine = load("wine")?;
    assert_eq!(wine.x().shape(), (178, 13));
    assert_eq!(wine.x().row(0)[..6], [14.23, 1.71, 2.43, 15.6, 127.0, 2.8]);
    assert_eq!(wine.feature_names()[11], "od280/od315_of_diluted_wines");
    assert_eq!(wine.class_counts().unwrap_or_default(), vec![59, 71, 48]);

    let bc = load("breast_cancer")?;
    assert_eq!(bc.x().shape(), (569, 30));
    assert_eq!(
        bc.x().row(0)[..6],
        [17.99, 10.38, 122.8, 1001.0, 0.1184, 0.2776]
    );
    assert_eq!(bc.x().row(568)[..4], [7.76, 24.54, 47.92, 181.0]);
    assert_eq!(bc.feature_names()[0], "mean radius");
    assert_eq!(bc.feature_names()[29], "worst fractal dimension");
    assert_eq!(bc.class_counts().unwrap_or_default(), vec![212, 357]);
    assert_eq!(bc.y().get(0, 0), 0.0);

    let digits = load("digits")?;
    assert_eq!(digits.x().shape(), (1797, 64));
    assert_eq!(digits.x().row(0)[..6], [0.0, 0.0, 5.0, 13.0, 9.0, 1.0]);
    assert_eq!(digits.y().get(1796, 0), 8.0);
    assert_eq!(
        digits.class_counts().unwrap_or_default(),
        vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );

    let mnist = load("mnist_1000")?;
    assert_eq!(mnist.x().shape(), (1000, 784));
    // The first test image is a 7; pixels scaled to [0, 1].
    assert_eq!(mnist.y().get(0, 0), 7.0);
    assert!(mnist.x().as_slice().iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(
        mnist
            .class_counts()
            .unwrap_or_default()
            .iter()
            .sum::<usize>(),
        1000
    );
    Ok(())
}

#[test]
fn regression_sets_load_every_row() -> Result<(), DataError> {
    // The diabetes file has no header: all 442 rows are data (a known bug elsewhere drops one).
    for name in ["diabetes", "diabetes_raw"] {
        let d = load(name)?;
        assert_eq!(d.x().shape(), (442, 10), "{name}");
        assert_eq!(d.y().get(0, 0), 151.0);
        assert_eq!(d.y().get(441, 0), 57.0);
    }
    assert_eq!(load("diabetes_raw")?.x().row(441)[..3], [36.0, 1.0, 19.6]);
    assert_eq!(load("linnerud")?.x().shape(), (20, 3));
    assert_eq!(load("seed_line")?.n_samples(), 100);
    for series in ["anscombe_i", "anscombe-ii", "Anscombe_III", "anscombe_iv"] {
        assert_eq!(load(series)?.n_samples(), 11, "{series}");
    }
    Ok(())
}

#[test]
fn every_catalogue_entry_loads_with_its_stated_shape() -> Result<(), DataError> {
    for info in ember_data::bundled::CATALOG {
        let d = load(info.name)?;
        assert_eq!(
            d.x().shape(),
            (info.n_samples, info.n_features),
            "{}",
            info.name
        );
        assert!(!info.licence.is_empty() && !info.citation.is_empty() && !info.source.is_empty());
        assert_eq!(
            d.labels().is_some(),
            info.task == ember_data::bundled::Task::Classification,
            "{}",
            info.name
        );
    }
    Ok(())
}

#[test]
fn an_unknown_name_lists_what_there_is() {
    let err = load("mnist").unwrap_err().to_string();
    assert!(
        err.starts_with("no bundled data set named `mnist`; available: iris, wine,"),
        "{err}"
    );
    let err = load("diabetis").unwrap_err().to_string();
    assert!(err.contains("did you mean `diabetes`?"), "{err}");
}
