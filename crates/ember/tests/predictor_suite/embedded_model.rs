//! The model the `embed` example compiles in (examples/models/digits_mlp.ember) still loads
//! with this build and predicts the digits.

#![allow(clippy::unwrap_used)]

use ember::model_file::{FORMAT_VERSION, ModelFile};
use ember::predictor::{Prediction, Predictor, RowMajor};

const MODEL: &[u8] = include_bytes!("../../../../examples/models/digits_mlp.ember");

#[test]
fn the_bundled_digits_model_loads_and_predicts() {
    let (header, _) = ModelFile::read_header(MODEL).unwrap();
    assert_eq!(
        u32::from_le_bytes(MODEL[8..12].try_into().unwrap()),
        FORMAT_VERSION
    );
    assert_eq!(header.feature_names.len(), 64);
    let predictor = Predictor::from_bytes(MODEL).unwrap();
    let digits = ember::data::load("digits").unwrap();
    let x: Vec<f32> = digits.x().as_slice().iter().map(|&v| v as f32).collect();
    let Prediction::Classes(classes) = predictor.predict(&RowMajor::new(&x, 64)).unwrap() else {
        panic!("the digits model is a classifier")
    };
    let correct = classes
        .iter()
        .zip(digits.y().as_slice())
        .filter(|(c, y)| **c as f64 == **y)
        .count();
    // Trained on 80 % of these digits (test accuracy 0.9944): nearly all are right.
    assert!(
        correct as f64 / classes.len() as f64 > 0.98,
        "{correct} of {}",
        classes.len()
    );
    assert_eq!(predictor.classes().unwrap()[7], "7");
}
