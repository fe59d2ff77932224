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
        // The nearest f64 rounds to the nearest f32 unless it is itself halfway between two
        // f32 values (no such midpoint can lie strictly between the text's value and its
        // nearest f64, since every midpoint is an f64): then the slow path decides.
        match plain_decimal(text) {
            Some(q) if q.to_bits() & F32_DROPPED_BITS != F32_HALFWAY => Some(q as f32),
            _ => fast_float2::parse(text).ok(),
        }
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
        plain_decimal(text).or_else(|| fast_float2::parse(text).ok())
    }
}

/// The 29 low bits of an `f64` that rounding to `f32` drops, and their pattern when the value is
/// exactly halfway between two `f32` values.
const F32_DROPPED_BITS: u64 = (1 << 29) - 1;
const F32_HALFWAY: u64 = 1 << 28;

/// The nearest `f64` to a plain decimal (an optional sign, digits, an optional point and
/// digits: what CSV writers print), when it has at most 19 digits and they make an integer
/// `m < 2⁵³`: then `m / 10ᵏ` (`k ≤ 19` digits after the point) is one correctly rounded division
/// of two exact `f64` values (Clinger's fast path). `None` for anything else (exponents, more digits,
/// `inf`, text), which the general parser handles.
#[inline]
fn plain_decimal(text: &[u8]) -> Option<f64> {
    // Exact in f64 up to 1e22; at most 19 digits are read, so at most 19 after the point.
    const POWERS: [f64; 20] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19,
    ];
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let (mut m, mut count, mut fraction, mut point) = (0u64, 0usize, 0usize, false);
    for &b in digits {
        match b {
            b'0'..=b'9' if count < 19 => {
                m = m * 10 + u64::from(b - b'0');
                count += 1;
                fraction += usize::from(point);
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if count == 0 || m >= 1 << 53 {
        return None;
    }
    let q = m as f64 / POWERS.get(fraction)?;
    Some(if negative { -q } else { q })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    fn same<T: Scalar + fast_float2::FastFloat>(text: &str) {
        let fast = T::parse_bytes(text.as_bytes());
        let general: Option<T> = fast_float2::parse(text).ok();
        assert_eq!(
            fast.map(|v| v.to_f64().to_bits()),
            general.map(|v| v.to_f64().to_bits()),
            "{text:?} as {}",
            T::NAME
        );
    }

    /// The fast path gives the general parser's bits: on every f32 printed shortest (as CSV
    /// writers do), on random digit strings with the point anywhere, on the f32 midpoints that
    /// need the slow path, and on what is not a plain decimal.
    #[test]
    fn plain_decimals_parse_to_the_general_parsers_bits() {
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..200_000 {
            let v = f32::from_bits(rng.random());
            if v.is_finite() {
                same::<f32>(&v.to_string());
                same::<f64>(&v.to_string());
                same::<f64>(&f64::from(v).to_string());
            }
            let digits: String = (0..rng.random_range(1..20))
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            let at = rng.random_range(0..=digits.len());
            let text = format!(
                "{}{}.{}",
                if rng.random() { "-" } else { "" },
                &digits[..at],
                &digits[at..]
            );
            same::<f32>(&text);
            same::<f64>(&text);
        }
        // Halfway between two f32 values: 1 + 2⁻²⁴ and 1 + 3·2⁻²⁴ (ties to even differ).
        for text in [
            "1.000000059604644775390625",
            "1.000000178813934326171875",
            "16777217",
            "16777219",
        ] {
            same::<f32>(text);
        }
        for text in [
            "",
            "-",
            ".",
            "-.",
            "+.5",
            "5.",
            ".5",
            "1e5",
            "1.5E-3",
            "inf",
            "-nan",
            "1.2.3",
            "1,5",
            " 1",
            "0x10",
            "-0.0",
            "00012.5000",
        ] {
            same::<f32>(text);
            same::<f64>(text);
        }
    }
}
