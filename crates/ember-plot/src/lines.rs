//! Curves against a shared x axis: loss and metric curves of a training run.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::PlotError;
use crate::font::FAMILY;
use crate::render::{self, Chart, padded_range};

/// Named curves `(x, y)` drawn as lines in distinct colours, with a legend.
///
/// ```
/// use ember_plot::LineChart;
/// let chart = LineChart::new("loss")
///     .with_axis_labels("epoch", "loss")
///     .with_series("train", &[1.0, 2.0, 3.0], &[0.9, 0.5, 0.4])
///     .with_series("valid", &[1.0, 2.0, 3.0], &[1.0, 0.7, 0.6]);
/// assert_eq!(chart.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct LineChart {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<(String, Vec<f64>, Vec<f64>)>,
    size: (u32, u32),
}

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

impl LineChart {
    /// An empty chart titled `title`.
    ///
    /// ```
    /// assert!(ember_plot::LineChart::new("t").is_empty());
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: Vec::new(),
            size: (800, 600),
        }
    }

    /// Axis descriptions.
    ///
    /// ```
    /// let chart = ember_plot::LineChart::new("t").with_axis_labels("epoch", "loss");
    /// # let _ = chart;
    /// ```
    pub fn with_axis_labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }

    /// Adds a curve through the points `(x[i], y[i])`.
    ///
    /// ```
    /// let chart = ember_plot::LineChart::new("t").with_series("a", &[0.0, 1.0], &[1.0, 0.0]);
    /// assert_eq!(chart.len(), 1);
    /// ```
    pub fn with_series(mut self, name: impl Into<String>, x: &[f64], y: &[f64]) -> Self {
        self.series.push((name.into(), x.to_vec(), y.to_vec()));
        self
    }

    /// Number of curves.
    ///
    /// ```
    /// assert_eq!(ember_plot::LineChart::new("t").len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether there is no curve.
    ///
    /// ```
    /// assert!(ember_plot::LineChart::new("t").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Draws the chart into `path` (PNG or SVG by extension), replacing any file atomically.
    ///
    /// ```
    /// let err = ember_plot::LineChart::new("t").save(std::path::Path::new("x.svg")).unwrap_err();
    /// assert_eq!(err.to_string(), "cannot plot: no series");
    /// ```
    pub fn save(&self, path: &Path) -> Result<(), PlotError> {
        render::save(self, path)
    }
}

impl Chart for LineChart {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn check(&self) -> Result<(), PlotError> {
        if self.series.is_empty() {
            return Err(PlotError::Data("no series".into()));
        }
        for (name, x, y) in &self.series {
            if x.is_empty() || x.len() != y.len() {
                return Err(PlotError::Data(format!(
                    "series `{name}` has {} x values and {} y values",
                    x.len(),
                    y.len()
                )));
            }
            if let Some(i) = x
                .iter()
                .zip(y)
                .position(|(a, b)| !(a.is_finite() && b.is_finite()))
            {
                return Err(PlotError::Data(format!(
                    "series `{name}`: point {i} is not finite"
                )));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let x_range = padded_range(self.series.iter().flat_map(|s| s.1.iter()));
        let y_range = padded_range(self.series.iter().flat_map(|s| s.2.iter()));
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, (FAMILY, 26))
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(70)
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
        for (i, (name, x, y)) in self.series.iter().enumerate() {
            let style = COLOURS[i % COLOURS.len()].stroke_width(2);
            chart
                .draw_series(LineSeries::new(
                    x.iter().copied().zip(y.iter().copied()),
                    style,
                ))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x - 12, y), (x + 12, y)], style));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FAMILY, 16))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)
    }
}
