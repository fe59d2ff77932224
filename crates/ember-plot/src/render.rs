//! Saving any chart as PNG or SVG, chosen by the file extension, written atomically.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::atomic::write_atomically;
use crate::font::ensure_registered;

/// A chart that can draw itself on any plotters backend.
pub(crate) trait Chart {
    /// Image size in pixels.
    fn size(&self) -> (u32, u32);
    /// Checks the data before any file is touched.
    fn check(&self) -> Result<(), PlotError>;
    /// Draws onto `root`.
    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), String>;
}

/// Draws `chart` into `path`: PNG or SVG by its extension, replacing any file atomically.
pub(crate) fn save(chart: &impl Chart, path: &Path) -> Result<(), PlotError> {
    chart.check()?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let draw_error = |message: String| PlotError::Draw {
        path: path.to_path_buf(),
        message,
    };
    match extension.as_deref() {
        Some("png") | Some("svg") => {}
        _ => {
            return Err(PlotError::UnsupportedFormat {
                path: path.to_path_buf(),
            });
        }
    }
    ensure_registered().map_err(draw_error)?;
    write_atomically(path, |tmp| {
        if extension.as_deref() == Some("png") {
            chart.draw(BitMapBackend::new(tmp, chart.size()).into_drawing_area())
        } else {
            chart.draw(SVGBackend::new(tmp, chart.size()).into_drawing_area())
        }
        .map_err(draw_error)
    })
}

/// The data's range with 5 % of air on each side (one unit when all values are equal).
pub(crate) fn padded_range<'v>(values: impl Iterator<Item = &'v f64>) -> std::ops::Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 1.0 };
    lo - pad..hi + pad
}
