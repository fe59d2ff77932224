//! A small network and data set shared by the training tests.

#![allow(dead_code)]

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use ember_data::Dataset;
use ember_data::generators::MakeClassification;
use ember_train::Trainable;

/// Two layers with dropout between them, so resumption must also restore the dropout stream.
#[derive(Module, Debug)]
pub struct Net {
    hidden: Linear,
    out: Linear,
    dropout: Dropout,
}

impl Net {
    pub fn new(inputs: usize, outputs: usize, device: &Device) -> Self {
        Self {
            hidden: LinearConfig::new(inputs, 32).init(device),
            out: LinearConfig::new(32, outputs).init(device),
            dropout: DropoutConfig::new(0.2).init(),
        }
    }
}

impl Trainable for Net {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.out
            .forward(self.dropout.forward(relu(self.hidden.forward(x))))
    }
}

/// A 3-class problem, 20 features, `n` samples.
pub fn classification(n: usize) -> Dataset<f32> {
    classification_f64(n).cast::<f32>()
}

/// [`classification`] in `f64`, as generated.
pub fn classification_f64(n: usize) -> Dataset {
    MakeClassification {
        n_samples: n,
        n_features: 20,
        n_informative: 5,
        n_classes: 3,
        seed: 7,
        ..Default::default()
    }
    .generate()
    .expect("valid generator settings")
}

/// The bits of every weight of a network (for bit-for-bit comparison; parameter ids, which
/// are random, left out).
pub fn weights(model: &Net) -> Vec<u32> {
    let mut bits = Vec::new();
    for layer in [&model.hidden, &model.out] {
        let mut tensors = vec![layer.weight.val()];
        tensors.extend(layer.bias.as_ref().map(|b| b.val().reshape([1, -1])));
        for t in tensors {
            let values = t
                .into_data()
                .convert::<f32>()
                .try_to_vec::<f32>()
                .expect("f32 weights");
            bits.extend(values.iter().map(|v| v.to_bits()));
        }
    }
    bits
}

/// A fresh directory under the system's temporary directory.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-train-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}
