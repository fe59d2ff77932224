//! A scatter of data points with a fitted line through them.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::font::FAMILY;
use crate::render::{self, Chart, padded_range};

/// Data points (blue) and a line (red), with axis labels, a legend and a title.
///
/// ```
/// use ember_plot::ScatterLine;
/// let plot = ScatterLine::new("fit", &[0.0, 1.0], &[0.0, 1.0], [(0.0, 0.0), (1.0, 1.0)])
///     .with_axis_labels("x", "y")
///     .with_legend("data", "least squares");
/// # let _ = plot;
/// ```
#[derive(Debug, Clone)]
pub struct ScatterLine<'a> {
    title: String,
    x: &'a [f64],
    y: &'a [f64],
    line: [(f64, f64); 2],
    x_label: String,
    y_label: String,
    points_label: String,
    line_label: String,
    size: (u32, u32),
}

impl<'a> ScatterLine<'a> {
    /// A plot of the points `(x[i], y[i])` and the segment between the two `line` points.
    ///
    /// ```
    /// let plot = ember_plot::ScatterLine::new("t", &[1.0], &[2.0], [(0.0, 0.0), (1.0, 1.0)]);
    /// # let _ = plot;
    /// ```
    pub fn new(
        title: impl Into<String>,
        x: &'a [f64],
        y: &'a [f64],
        line: [(f64, f64); 2],
    ) -> Self {
        Self {
            title: title.into(),
            x,
            y,
            line,
            x_label: "x".into(),
            y_label: "y".into(),
            points_label: "data".into(),
            line_label: "fitted line".into(),
            size: (800, 600),
        }
    }

    /// Axis descriptions.
    ///
    /// ```
    /// let plot = ember_plot::ScatterLine::new("t", &[1.0], &[2.0], [(0.0, 0.0), (1.0, 1.0)]).with_axis_labels("dose", "response");
    /// # let _ = plot;
    /// ```
    pub fn with_axis_labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    /// Legend entries for the points and the line.
    ///
    /// ```
    /// let plot = ember_plot::ScatterLine::new("t", &[1.0], &[2.0], [(0.0, 0.0), (1.0, 1.0)]).with_legend("samples", "OLS");
    /// # let _ = plot;
    /// ```
    pub fn with_legend(mut self, points: impl Into<String>, line: impl Into<String>) -> Self {
        self.points_label = points.into();
        self.line_label = line.into();
        self
    }

    /// Draws the plot into `path`: PNG or SVG by its extension, replacing any file atomically.
    ///
    /// ```
    /// use ember_plot::ScatterLine;
    /// let err = ScatterLine::new("t", &[1.0, f64::NAN], &[1.0, 2.0], [(0.0, 0.0), (1.0, 1.0)])
    ///     .save(std::path::Path::new("x.png"))
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "cannot plot: point 1 is not finite");
    /// ```
    pub fn save(&self, path: &Path) -> Result<(), PlotError> {
        render::save(self, path)
    }
}

impl Chart for ScatterLine<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn check(&self) -> Result<(), PlotError> {
        if self.x.is_empty() || self.x.len() != self.y.len() {
            return Err(PlotError::Data(format!(
                "{} x values and {} y values",
                self.x.len(),
                self.y.len()
            )));
        }
        let points = self.x.iter().zip(self.y);
        if let Some(i) = points
            .clone()
            .position(|(x, y)| !(x.is_finite() && y.is_finite()))
        {
            return Err(PlotError::Data(format!("point {i} is not finite")));
        }
        if self
            .line
            .iter()
            .any(|(x, y)| !(x.is_finite() && y.is_finite()))
        {
            return Err(PlotError::Data("the line is not finite".into()));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let xs = self.x.iter().chain(self.line.iter().map(|p| &p.0));
        let ys = self.y.iter().chain(self.line.iter().map(|p| &p.1));
        let (x_range, y_range) = (padded_range(xs), padded_range(ys));
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, (FAMILY, 26))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(x_range, y_range)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .label_style((FAMILY, 15))
            .axis_desc_style((FAMILY, 17))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        let blue = BLUE.mix(0.75).filled();
        chart
            .draw_series(
                self.x
                    .iter()
                    .zip(self.y)
                    .map(|(&x, &y)| Circle::new((x, y), 4, blue)),
            )
            .map_err(err)?
            .label(&self.points_label)
            .legend(move |(x, y)| Circle::new((x, y), 4, blue));
        let red = RED.stroke_width(3);
        chart
            .draw_series(LineSeries::new(self.line, red))
            .map_err(err)?
            .label(&self.line_label)
            .legend(move |(x, y)| PathElement::new(vec![(x - 12, y), (x + 12, y)], red));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FAMILY, 16))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)
    }
}
