//! The element types a [`Matrix`](crate::Matrix) can hold: `f64` (the default, for closed-form
//! fits) and `f32` (for training on a device, at half the memory).

use std::fmt::{Debug, Display};

use serde::{Serialize, de::DeserializeOwned};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point element type: `f32` or `f64`.
///
/// ```
/// use ember_data::Scalar;
///
/// assert_eq!(<f32 as Scalar>::parse("0.1"), Some(0.1_f32));
/// assert_eq!(<f64 as Scalar>::from_f64(2.5).to_f64(), 2.5);
/// assert_eq!(<f32 as Scalar>::NAME, "f32");
/// ```
pub trait Scalar:
    Copy
    + Send
    + Sync
    + PartialEq
    + PartialOrd
    + Default
    + Debug
    + Display
    + Serialize
    + DeserializeOwned
    + burn::tensor::Element
    + sealed::Sealed
    + 'static
{
    /// The type's name, `"f32"` or `"f64"`.
    const NAME: &'static str;

    /// The value as an `f64` (exact for both types).
    fn to_f64(self) -> f64;

    /// The nearest value of this type to `value`.
    fn from_f64(value: f64) -> Self;

    /// Whether the value is neither NaN nor infinite.
    fn finite(self) -> bool;

    /// NaN of this type.
    fn nan() -> Self;

    /// The decimal text parsed straight into this type (correctly rounded, no detour through
    /// `f64`); `None` when the text is not a number.
    fn parse(text: &str) -> Option<Self> {
        Self::parse_bytes(text.as_bytes())
    }

    /// [`parse`](Self::parse) on bytes (no UTF-8 check needed: a number is ASCII).
    fn parse_bytes(text: &[u8]) -> Option<Self>;
}

impl Scalar for f32 {
    const NAME: &'static str = "f32";
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn from_f64(value: f64) -> Self {
        value as f32
    }
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
    #[inline]
    fn nan() -> Self {
        f32::NAN
    }
    #[inline]
    fn parse_bytes(text: &[u8]) -> Option<Self> {
        fast_float2::parse(text).ok()
    }
}

impl Scalar for f64 {
    const NAME: &'static str = "f64";
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline]
    fn from_f64(value: f64) -> Self {
        value
    }
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
    #[inline]
    fn nan() -> Self {
        f64::NAN
    }
    #[inline]
    fn parse_bytes(text: &[u8]) -> Option<Self> {
        fast_float2::parse(text).ok()
    }
}
