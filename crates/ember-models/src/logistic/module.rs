//! The burn module logistic regression trains: one linear layer and its L2 penalty.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::{DType, Device, Tensor, TensorData};
use ember_train::Trainable;

/// Logits `x·W + b` of standardised features, with the penalty `Σ_j p_j Σ_t W_jt²` (the L2 term
/// of the original units rewritten for standardised ones; the intercept is not penalised).
#[derive(Module, Debug)]
pub(super) struct LogisticModule {
    pub linear: Linear,
    #[module(skip)]
    penalty: Vec<f64>,
}

impl LogisticModule {
    /// Zero weights of `dtype` (F64 where the device has it: L-BFGS then reaches scikit-learn's
    /// optimum to its last digits; F32 otherwise).
    pub fn new(
        penalty: Vec<f64>,
        outputs: usize,
        bias: bool,
        dtype: DType,
        device: &Device,
    ) -> Self {
        let zeros = |shape: Vec<usize>| {
            let n = shape.iter().product();
            TensorData::new(vec![0.0f64; n], shape)
        };
        let weight = Tensor::<2>::from_data(zeros(vec![penalty.len(), outputs]), (device, dtype));
        let bias = bias.then(|| {
            Param::from_tensor(Tensor::<1>::from_data(
                zeros(vec![outputs]),
                (device, dtype),
            ))
        });
        Self {
            linear: Linear {
                weight: Param::from_tensor(weight),
                bias,
            },
            penalty,
        }
    }

    fn weight(&self) -> Tensor<2> {
        self.linear.weight.val()
    }
}

impl Trainable for LogisticModule {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.linear.forward(x)
    }

    fn penalty(&self) -> Option<Tensor<1>> {
        if self.penalty.iter().all(|&p| p == 0.0) {
            return None;
        }
        let w = self.weight();
        let p = Tensor::<2>::from_data(
            TensorData::new(self.penalty.clone(), [self.penalty.len(), 1]),
            (&w.device(), w.dtype()),
        );
        Some((w.square() * p).sum())
    }
}
