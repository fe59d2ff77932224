//! The embedded font, registered with plotters once per process.

use std::sync::OnceLock;

use plotters::style::FontStyle;

/// DejaVu Sans (Bitstream Vera licence, see `fonts/DejaVuSans.LICENSE`).
const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// The family name under which the embedded font is registered.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers the embedded font (idempotent); an error only if the embedded bytes are corrupt.
pub(crate) fn ensure_registered() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "the embedded DejaVu Sans font is not a valid font".to_string())
        })
        .clone()
}
