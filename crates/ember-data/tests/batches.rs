//! burn data loaders over ember data sets: every sample once per pass, seeded shuffling, the
//! device given.

use std::sync::Arc;

use burn::tensor::Device;
use ember_data::batches::{ClassificationBatcher, LoaderConfig, RegressionBatcher, data_loader};
use ember_data::{DataError, load};

#[test]
fn a_pass_covers_every_sample_once_and_shuffles_by_seed() -> Result<(), DataError> {
    let device = Device::flex();
    let digits = Arc::new(load("digits")?);
    let config = LoaderConfig {
        batch_size: 128,
        seed: Some(42),
    };
    let pass = |seed| -> Result<Vec<Vec<i64>>, DataError> {
        let loader = data_loader(
            Arc::clone(&digits),
            ClassificationBatcher,
            &LoaderConfig {
                seed,
                ..config.clone()
            },
            &device,
        )?;
        Ok(loader
            .iter()
            .map(|b| {
                b.expect("a batch")
                    .targets
                    .into_data()
                    .convert::<i64>()
                    .try_to_vec::<i64>()
                    .expect("int targets")
            })
            .collect())
    };
    let a = pass(Some(42))?;
    assert_eq!(a.len(), 15); // 1797 = 14·128 + 5
    assert_eq!(a.last().map(Vec::len), Some(5));
    let mut labels: Vec<i64> = a.concat();
    labels.sort_unstable();
    let mut want: Vec<i64> = digits
        .classes()
        .unwrap_or_default()
        .iter()
        .map(|&c| c as i64)
        .collect();
    want.sort_unstable();
    assert_eq!(labels, want);
    assert_eq!(a, pass(Some(42))?);
    assert_ne!(a, pass(Some(43))?);
    // Without a seed, the data's order.
    let ordered = pass(None)?;
    assert_eq!(ordered[0][..5], [0, 1, 2, 3, 4]);
    Ok(())
}

#[test]
fn regression_batches_carry_features_and_targets() -> Result<(), DataError> {
    let data = Arc::new(load("linnerud")?);
    let loader = data_loader(
        data,
        RegressionBatcher,
        &LoaderConfig {
            batch_size: 8,
            seed: None,
        },
        &Device::flex(),
    )?;
    let first = loader
        .iter()
        .next()
        .expect("a batch")
        .expect("no read error");
    assert_eq!(first.features.dims(), [8, 3]);
    assert_eq!(first.targets.dims(), [8, 3]);
    let row0 = first
        .features
        .into_data()
        .try_to_vec::<f32>()
        .expect("floats");
    assert_eq!(row0[..3], [5.0, 162.0, 60.0]);
    Ok(())
}
