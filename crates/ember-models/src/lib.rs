//! Models for ember, as burn modules with scikit-learn's verbs.
//!
//! A model's *config* (hyper-parameters, serialisable) `fit`s into a separate *fitted* type whose
//! attributes are plain values: there is no "not fitted" state.
//!
//! ```
//! use burn::tensor::Device;
//! use ember_data::generators::seed_line;
//! use ember_models::linear::LinearRegressionConfig;
//!
//! let device = Device::flex();
//! let data = seed_line(100, 42);
//! let model = LinearRegressionConfig::new().fit(data.x(), data.y(), &device)?;
//! assert!((model.coef().get(0, 0) - 4.0).abs() < 0.5);
//! assert!(model.score(data.x(), data.y())? > 0.8);
//! # Ok::<(), ember_models::FitError>(())
//! ```

/// `with_<field>` builder methods for plain config structs, as burn's `Config` derive writes.
macro_rules! builders {
    ($($with:ident => $field:ident: $ty:ty),* $(,)?) => {
        $(
            #[doc = concat!("Sets `", stringify!($field), "`.")]
            #[must_use]
            pub fn $with(mut self, $field: $ty) -> Self {
                self.$field = $field;
                self
            }
        )*
    };
}

/// [`Estimator`] for a config with a `problems()` method and a `run: RunOptions` field:
/// `estimator!(Config, "kind", Task, |config, train, valid, device| fit [, train: field])`.
macro_rules! estimator {
    ($config:ty, $kind:literal, $task:ident,
     |$c:ident, $train:ident, $valid:ident, $device:ident| $fit:expr $(, train: $field:ident)?) => {
        impl $crate::contract::Estimator for $config {
            fn kind(&self) -> &'static str {
                $kind
            }
            fn task(&self) -> $crate::contract::Task {
                $crate::contract::Task::$task
            }
            fn problems(&self) -> ember_core::Problems {
                <$config>::problems(self)
            }
            fn fit_model(
                &self,
                $train: &ember_data::Dataset,
                $valid: Option<&ember_data::Dataset>,
                $device: &burn::tensor::Device,
            ) -> Result<$crate::FittedModel, $crate::FitError> {
                let $c = self;
                Ok($fit?.into())
            }
            fn run_mut(&mut self) -> Option<&mut ember_train::RunOptions> {
                Some(&mut self.run)
            }
            fn clone_boxed(&self) -> Box<dyn $crate::contract::Estimator> {
                Box::new(self.clone())
            }
            $(
                fn train_mut(&mut self) -> Option<&mut ember_train::TrainConfig> {
                    Some(&mut self.$field)
                }
            )?
        }
    };
}

pub mod contract;
mod error;
pub mod inference;
pub mod kmeans;
pub mod linear;
pub mod logistic;
pub mod mlp;
mod saved;
pub mod selection;

pub use contract::{Estimator, Features, Fitted, Prediction, Task};
pub use error::FitError;
pub use saved::{FittedModel, ModelState};
