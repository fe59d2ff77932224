//! A matrix of counts or values as coloured cells: confusion matrices.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::font::FAMILY;
use crate::render::{self, Chart};

/// A `rows × cols` matrix drawn as cells shaded from white (the smallest value) to dark blue
/// (the largest), each labelled with its value; row names down the left, column names along
/// the bottom.
///
/// ```
/// use ember_plot::Heatmap;
/// let map = Heatmap::new("confusion matrix", &[5.0, 1.0, 0.0, 7.0], 2, 2)?
///     .with_names(&["cat", "dog"], &["cat", "dog"])
///     .with_axis_labels("predicted", "true");
/// # let _ = map;
/// # Ok::<(), ember_plot::PlotError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Heatmap {
    title: String,
    values: Vec<f64>,
    rows: usize,
    cols: usize,
    row_names: Vec<String>,
    col_names: Vec<String>,
    x_label: String,
    y_label: String,
}

impl Heatmap {
    /// A heat map of row-major `values`.
    ///
    /// ```
    /// let err = ember_plot::Heatmap::new("t", &[1.0, 2.0, 3.0], 2, 2).unwrap_err();
    /// assert_eq!(err.to_string(), "cannot plot: 3 values do not fill 2×2 cells");
    /// ```
    pub fn new(
        title: impl Into<String>,
        values: &[f64],
        rows: usize,
        cols: usize,
    ) -> Result<Self, PlotError> {
        if rows == 0 || cols == 0 || values.len() != rows * cols {
            return Err(PlotError::Data(format!(
                "{} values do not fill {rows}×{cols} cells",
                values.len()
            )));
        }
        Ok(Self {
            title: title.into(),
            values: values.to_vec(),
            rows,
            cols,
            row_names: (0..rows).map(|r| r.to_string()).collect(),
            col_names: (0..cols).map(|c| c.to_string()).collect(),
            x_label: "column".into(),
            y_label: "row".into(),
        })
    }

    /// Names of the rows and columns (ignored where the count is wrong).
    ///
    /// ```
    /// let map = ember_plot::Heatmap::new("t", &[1.0], 1, 1)?.with_names(&["a"], &["b"]);
    /// # let _ = map;
    /// # Ok::<(), ember_plot::PlotError>(())
    /// ```
    pub fn with_names<S: AsRef<str>>(mut self, rows: &[S], cols: &[S]) -> Self {
        if rows.len() == self.rows {
            self.row_names = rows.iter().map(|s| s.as_ref().to_string()).collect();
        }
        if cols.len() == self.cols {
            self.col_names = cols.iter().map(|s| s.as_ref().to_string()).collect();
        }
        self
    }

    /// Axis descriptions (x: columns, y: rows).
    ///
    /// ```
    /// let map = ember_plot::Heatmap::new("t", &[1.0], 1, 1)?.with_axis_labels("predicted", "true");
    /// # let _ = map;
    /// # Ok::<(), ember_plot::PlotError>(())
    /// ```
    pub fn with_axis_labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    /// Draws the heat map into `path` (PNG or SVG by extension), replacing any file atomically.
    ///
    /// ```
    /// let map = ember_plot::Heatmap::new("t", &[f64::NAN], 1, 1)?;
    /// assert_eq!(map.save(std::path::Path::new("x.png")).unwrap_err().to_string(), "cannot plot: cell (0, 0) is not finite");
    /// # Ok::<(), ember_plot::PlotError>(())
    /// ```
    pub fn save(&self, path: &Path) -> Result<(), PlotError> {
        render::save(self, path)
    }
}

impl Chart for Heatmap {
    fn size(&self) -> (u32, u32) {
        let side = (60 * self.cols.max(self.rows) as u32 + 200).clamp(500, 1200);
        (side, side)
    }

    fn check(&self) -> Result<(), PlotError> {
        match self.values.iter().position(|v| !v.is_finite()) {
            Some(i) => Err(PlotError::Data(format!(
                "cell ({}, {}) is not finite",
                i / self.cols,
                i % self.cols
            ))),
            None => Ok(()),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let (lo, hi) = self
            .values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                (l.min(v), h.max(v))
            });
        let span = if hi > lo { hi - lo } else { 1.0 };
        let (rows, cols) = (self.rows, self.cols);
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, (FAMILY, 24))
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..cols as f64, 0.0..rows as f64)
            .map_err(err)?;
        let col_names = self.col_names.clone();
        let row_names = self.row_names.clone();
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_labels(cols * 2 + 1)
            .y_labels(rows * 2 + 1)
            .x_label_formatter(&|x| label_at(*x, &col_names, false, cols))
            .y_label_formatter(&|y| label_at(*y, &row_names, true, rows))
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 17))
            .draw()
            .map_err(err)?;
        let cells = (0..rows).flat_map(|r| (0..cols).map(move |c| (r, c)));
        chart
            .draw_series(cells.clone().map(|(r, c)| {
                let t = (self.values[r * cols + c] - lo) / span;
                let shade = |full: f64| (255.0 - t * (255.0 - full)).round() as u8;
                let colour = RGBColor(shade(8.0), shade(48.0), shade(107.0));
                // Row 0 at the top, as a printed matrix.
                let y = (rows - 1 - r) as f64;
                Rectangle::new([(c as f64, y), (c as f64 + 1.0, y + 1.0)], colour.filled())
            }))
            .map_err(err)?;
        chart
            .draw_series(cells.map(|(r, c)| {
                let v = self.values[r * cols + c];
                let t = (v - lo) / span;
                let colour = if t > 0.5 { WHITE } else { BLACK };
                let text = if v.fract() == 0.0 && v.abs() < 1e15 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.3}")
                };
                let y = (rows - 1 - r) as f64;
                Text::new(
                    text,
                    (c as f64 + 0.38, y + 0.6),
                    (FAMILY, 15).into_font().color(&colour),
                )
            }))
            .map_err(err)?;
        root.present().map_err(err)
    }
}

/// The name of the cell whose centre is at `pos` (labels fall on half-integers), else "".
fn label_at(pos: f64, names: &[String], flipped: bool, n: usize) -> String {
    let cell = pos - 0.5;
    if (cell - cell.round()).abs() > 1e-6 || cell < 0.0 || cell.round() as usize >= n {
        return String::new();
    }
    let i = cell.round() as usize;
    let i = if flipped { n - 1 - i } else { i };
    names[i].clone()
}
