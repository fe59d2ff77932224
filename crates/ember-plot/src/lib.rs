//! Plots for ember, as PNG or SVG (chosen by the file extension).
//!
//! Text is drawn with an embedded DejaVu Sans, so plots render the same on a machine without
//! fonts; files are written to a temporary name and renamed into place, so a crash never leaves
//! half a plot.
//!
//! ```
//! use ember_plot::ScatterLine;
//!
//! let dir = std::env::temp_dir().join(format!("ember-plot-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let plot = ScatterLine::new("y = 1 + 2x", &[0.0, 1.0, 2.0], &[1.1, 2.9, 5.0], [(0.0, 1.0), (2.0, 5.0)]);
//! plot.save(&dir.join("line.svg"))?;
//! assert!(std::fs::read_to_string(dir.join("line.svg"))?.contains("y = 1 + 2x"));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod atomic;
mod error;
mod font;
mod heatmap;
mod lines;
mod render;
mod scatter_line;

pub use error::PlotError;
pub use heatmap::Heatmap;
pub use lines::LineChart;
pub use scatter_line::ScatterLine;
