//! Stratified splits, k-fold and stratified k-fold, min-max scaling: against scikit-learn 1.9.1.

use ember_data::folds::{KFold, StratifiedKFold};
use ember_data::preprocessing::MinMaxScaler;
use ember_data::split::stratified_train_test_split;
use ember_data::{DataError, load};

#[test]
fn stratified_split_keeps_class_proportions() -> Result<(), DataError> {
    // scikit-learn: train_test_split(wine, test_size=0.25, stratify=y) -> test counts
    // [15, 18, 12], train [44, 53, 36]; digits 0.2 -> 360 test samples, each class
    // floor or ceil of its share.
    let wine = load("wine")?;
    let (train, test) = stratified_train_test_split(&wine, 0.25, 0)?;
    assert_eq!(test.class_counts().unwrap_or_default(), vec![15, 18, 12]);
    assert_eq!(train.class_counts().unwrap_or_default(), vec![44, 53, 36]);
    let digits = load("digits")?;
    let (train, test) = stratified_train_test_split(&digits, 0.2, 0)?;
    assert_eq!((train.n_samples(), test.n_samples()), (1437, 360));
    for (k, (&t, &all)) in test
        .class_counts()
        .unwrap_or_default()
        .iter()
        .zip(&digits.class_counts().unwrap_or_default())
        .enumerate()
    {
        let share = 360.0 * all as f64 / 1797.0;
        assert!(
            t == share.floor() as usize || t == share.ceil() as usize,
            "class {k}: {t} vs {share}"
        );
    }
    // The split is a partition and depends on the seed only.
    let mut rows: Vec<Vec<u64>> = train
        .x()
        .rows()
        .chain(test.x().rows())
        .map(|r| r.iter().map(|v| v.to_bits()).collect())
        .collect();
    rows.sort();
    let mut all: Vec<Vec<u64>> = digits
        .x()
        .rows()
        .map(|r| r.iter().map(|v| v.to_bits()).collect())
        .collect();
    all.sort();
    assert_eq!(rows, all);
    assert_eq!(stratified_train_test_split(&digits, 0.2, 0)?.1, test);
    assert!(stratified_train_test_split(&load("diabetes")?, 0.2, 0).is_err());
    Ok(())
}

#[test]
fn k_fold_matches_scikit_learn() -> Result<(), DataError> {
    // KFold(4).split(range(11)): test folds [0,1,2] [3,4,5] [6,7,8] [9,10].
    let tests: Vec<Vec<usize>> = KFold {
        n_splits: 4,
        ..Default::default()
    }
    .split(11)?
    .map(|f| f.1)
    .collect();
    assert_eq!(
        tests,
        vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8], vec![9, 10]]
    );
    let shuffled: Vec<_> = KFold {
        n_splits: 4,
        shuffle: true,
        seed: 1,
    }
    .split(11)?
    .collect();
    let mut seen: Vec<usize> = shuffled.iter().flat_map(|f| f.1.clone()).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..11).collect::<Vec<_>>());
    for (train, test) in &shuffled {
        assert_eq!(train.len() + test.len(), 11);
        assert!(train.iter().all(|i| !test.contains(i)));
    }
    Ok(())
}

/// (test size, sum of test indices, sum of their squares, first five).
type FoldSummary = (usize, usize, usize, [usize; 5]);

#[test]
fn stratified_k_fold_matches_scikit_learn_fold_for_fold() -> Result<(), DataError> {
    // StratifiedKFold(5).split(X, y) on breast cancer and digits, scikit-learn 1.9.1:
    // (test size, sum of test indices, sum of squares, first five).
    let reference: [(&str, [FoldSummary; 5]); 2] = [
        (
            "breast_cancer",
            [
                (114, 7874, 792876, [0, 1, 2, 3, 4]),
                (114, 19941, 4009911, [53, 54, 56, 57, 62]),
                (114, 32591, 9814821, [164, 167, 168, 171, 172]),
                (114, 44006, 17475516, [255, 256, 257, 258, 259]),
                (113, 57184, 29151760, [389, 392, 393, 400, 408]),
            ],
        ),
        (
            "digits",
            [
                (360, 64744, 15576270, [0, 1, 2, 3, 4]),
                (360, 194209, 108744163, [335, 347, 349, 354, 355]),
                (359, 322704, 294000364, [701, 708, 709, 718, 720]),
                (359, 451581, 571932533, [1067, 1068, 1069, 1075, 1076]),
                (359, 580468, 942428556, [1423, 1433, 1436, 1437, 1438]),
            ],
        ),
    ];
    for (name, folds) in reference {
        let classes = load(name)?.classes().unwrap_or_default();
        let ours: Vec<_> = StratifiedKFold::default().split(&classes)?.collect();
        for ((train, test), (len, sum, squares, first)) in ours.iter().zip(folds) {
            assert_eq!(test.len(), len, "{name}");
            assert_eq!(test.iter().sum::<usize>(), sum, "{name}");
            assert_eq!(test.iter().map(|i| i * i).sum::<usize>(), squares, "{name}");
            assert_eq!(test[..5], first, "{name}");
            assert_eq!(train.len() + test.len(), classes.len());
        }
    }
    // Shuffled folds still stratify: breast cancer has 212/357, so each fold has 42-43 / 71-72.
    let classes = load("breast_cancer")?.classes().unwrap_or_default();
    for (_, test) in (StratifiedKFold {
        shuffle: true,
        seed: 9,
        ..Default::default()
    })
    .split(&classes)?
    {
        let malignant = test.iter().filter(|&&i| classes[i] == 0).count();
        assert!((42..=43).contains(&malignant), "{malignant}");
    }
    Ok(())
}

#[test]
fn min_max_scaler_matches_scikit_learn() -> Result<(), DataError> {
    // MinMaxScaler().fit(wine.data[:100]).transform(wine.data[150:151]), scikit-learn 1.9.1.
    let wine = load("wine")?;
    let head = wine.x().select_rows(&(0..100).collect::<Vec<_>>());
    let scaler = MinMaxScaler::fit(&head)?;
    let row = scaler.transform(&wine.x().select_rows(&[150]))?;
    let want = [
        0.5856697819314642,
        0.707936507936508,
        0.6774193548387095,
        0.6907216494845361,
        0.5760869565217391,
        0.10791366906474809,
        0.29761904761904767,
        0.18,
        0.29268292682926833,
        0.9581005586592177,
        -0.3030303030303032,
        -0.1203319502074689,
        0.15834522111269614,
    ];
    for (a, b) in row.as_slice().iter().zip(want) {
        assert!((a - b).abs() <= 1e-15, "{a} vs {b}");
    }
    assert_eq!(scaler.data_min()[..3], [11.62, 0.89, 1.36]);
    // MinMaxScaler((-1, 1)).fit(wine.data).transform(wine.data[:1]).
    let wide = MinMaxScaler::fit_range(wine.x(), (-1.0, 1.0))?;
    let first = wide.transform(&wine.x().select_rows(&[0]))?;
    assert!((first.get(0, 0) - 0.6842105263157903).abs() < 1e-15);
    assert!((first.get(0, 12) - 0.12268188302425109).abs() < 1e-15);
    // Serialisable, so a saved model carries it.
    let json = serde_json::to_string(&scaler).expect("serialise");
    // (serde_json without `float_roundtrip` may move the last bit of a float.)
    let back = serde_json::from_str::<MinMaxScaler>(&json).expect("deserialise");
    let (a, b) = (back.transform(wine.x())?, scaler.transform(wine.x())?);
    assert!(
        a.as_slice()
            .iter()
            .zip(b.as_slice())
            .all(|(a, b)| (a - b).abs() <= 1e-15)
    );
    Ok(())
}
