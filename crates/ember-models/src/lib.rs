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

mod error;
pub mod inference;
pub mod linear;
pub mod logistic;
pub mod mlp;
mod saved;

pub use error::FitError;
pub use saved::{FittedModel, ModelState};
