//! What to read from a CSV file: delimiter, header, columns, labels, missing values.

use serde::{Deserialize, Serialize};

/// How fields are separated.
///
/// ```
/// use ember_data::csv::Delimiter;
/// let d: Delimiter = serde_json::from_str(r#""tab""#)?;
/// assert_eq!(d, Delimiter::Tab);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    /// Detected from the first lines: tab, semicolon, comma or `|` when one of them splits every
    /// line into the same number of fields, else runs of whitespace.
    #[default]
    Auto,
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// A tab.
    Tab,
    /// `|`
    Pipe,
    /// Runs of spaces and tabs (no quoting), as in `numpy.loadtxt` or the diabetes file.
    Whitespace,
}

impl Delimiter {
    /// The byte of a single-character delimiter (`None` for `Auto` and `Whitespace`).
    ///
    /// ```
    /// assert_eq!(ember_data::csv::Delimiter::Semicolon.byte(), Some(b';'));
    /// ```
    pub fn byte(self) -> Option<u8> {
        match self {
            Self::Comma => Some(b','),
            Self::Semicolon => Some(b';'),
            Self::Tab => Some(b'\t'),
            Self::Pipe => Some(b'|'),
            Self::Auto | Self::Whitespace => None,
        }
    }
}

/// Whether the first (non-skipped) line names the columns.
///
/// ```
/// assert_eq!(ember_data::csv::Header::default(), ember_data::csv::Header::Auto);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Header {
    /// A header when every field of the first line is a non-empty text that is not a number.
    #[default]
    Auto,
    /// The first line is a header.
    Present,
    /// There is no header; columns are named `x0, x1, …` and addressed by index.
    Absent,
}

/// A column, by header name or by 0-based index (negative counts from the end, as in Python).
///
/// ```
/// use ember_data::csv::Column;
/// let by_name: Column = "price".into();
/// let last: Column = (-1).into();
/// assert_eq!(by_name, Column::Name("price".into()));
/// assert_eq!(last, Column::Index(-1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Column {
    /// 0-based position; -1 is the last column.
    Index(i64),
    /// Name in the header.
    Name(String),
}

impl From<&str> for Column {
    fn from(name: &str) -> Self {
        Self::Name(name.to_string())
    }
}

impl From<String> for Column {
    fn from(name: String) -> Self {
        Self::Name(name)
    }
}

impl From<i64> for Column {
    fn from(index: i64) -> Self {
        Self::Index(index)
    }
}

impl From<i32> for Column {
    fn from(index: i32) -> Self {
        Self::Index(i64::from(index))
    }
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Index(i) => write!(f, "#{i}"),
            Self::Name(n) => write!(f, "`{n}`"),
        }
    }
}

/// How the target is read.
///
/// ```
/// assert_eq!(ember_data::csv::TargetKind::default(), ember_data::csv::TargetKind::Auto);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// Class labels when the first row's target is not a number, numbers otherwise.
    #[default]
    Auto,
    /// Numbers (regression, or class indices already encoded).
    Numeric,
    /// Class labels (any text), mapped to indices in sorted order like scikit-learn's
    /// `LabelEncoder`; the mapping is returned with the data.
    Labels,
}

/// What to do with missing values: empty fields and `NA`, `N/A`, `NaN`, `nan`, `null`, `NULL`.
///
/// ```
/// assert_eq!(ember_data::csv::Missing::default(), ember_data::csv::Missing::Error);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Stop with an error naming the line and column.
    #[default]
    Error,
    /// Drop every row that misses a feature or a target.
    DropRows,
    /// Keep missing features as NaN so that a
    /// [`MeanImputer`](crate::preprocessing::MeanImputer) fitted on the training split fills
    /// them; a missing target is still an error.
    Keep,
}

/// What to read from a CSV file. Every field has a default, so a config names only what differs.
///
/// ```
/// use ember_data::csv::{CsvOptions, Delimiter};
///
/// let options = CsvOptions::default().target("species").exclude("id").delimiter(Delimiter::Semicolon);
/// assert_eq!(options.targets.len(), 1);
/// let from_toml: CsvOptions = serde_json::from_str(r#"{"targets": ["species"], "exclude": ["id"], "delimiter": "semicolon"}"#)?;
/// assert_eq!(from_toml, options);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsvOptions {
    /// Field separator.
    pub delimiter: Delimiter,
    /// Whether there is a header line.
    pub header: Header,
    /// Lines to skip at the top of the file, before the header.
    pub skip_lines: usize,
    /// Target column(s). Empty means the last column. A `Dataset` without targets is made with
    /// [`read_features`](super::read_features).
    pub targets: Vec<Column>,
    /// Feature columns, in this order; `None` means every column that is not a target or
    /// excluded.
    pub features: Option<Vec<Column>>,
    /// Columns to leave out (ids, free text).
    pub exclude: Vec<Column>,
    /// Numbers or class labels in the target.
    pub target_kind: TargetKind,
    /// Missing-value policy.
    pub missing: Missing,
}

impl CsvOptions {
    /// Adds a target column.
    ///
    /// ```
    /// let o = ember_data::csv::CsvOptions::default().target("y").target(-1);
    /// assert_eq!(o.targets.len(), 2);
    /// ```
    pub fn target(mut self, column: impl Into<Column>) -> Self {
        self.targets.push(column.into());
        self
    }

    /// Reads only these feature columns, in this order.
    ///
    /// ```
    /// let o = ember_data::csv::CsvOptions::default().features(["a", "b"]);
    /// assert_eq!(o.features.map(|f| f.len()), Some(2));
    /// ```
    pub fn features<C: Into<Column>>(mut self, columns: impl IntoIterator<Item = C>) -> Self {
        self.features = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Leaves a column out.
    ///
    /// ```
    /// let o = ember_data::csv::CsvOptions::default().exclude("id");
    /// assert_eq!(o.exclude.len(), 1);
    /// ```
    pub fn exclude(mut self, column: impl Into<Column>) -> Self {
        self.exclude.push(column.into());
        self
    }

    /// Sets the delimiter.
    ///
    /// ```
    /// use ember_data::csv::{CsvOptions, Delimiter};
    /// assert_eq!(CsvOptions::default().delimiter(Delimiter::Tab).delimiter, Delimiter::Tab);
    /// ```
    pub fn delimiter(mut self, delimiter: Delimiter) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Sets whether there is a header.
    ///
    /// ```
    /// use ember_data::csv::{CsvOptions, Header};
    /// assert_eq!(CsvOptions::default().header(Header::Absent).header, Header::Absent);
    /// ```
    pub fn header(mut self, header: Header) -> Self {
        self.header = header;
        self
    }

    /// Sets how the target is read.
    ///
    /// ```
    /// use ember_data::csv::{CsvOptions, TargetKind};
    /// assert_eq!(CsvOptions::default().target_kind(TargetKind::Labels).target_kind, TargetKind::Labels);
    /// ```
    pub fn target_kind(mut self, kind: TargetKind) -> Self {
        self.target_kind = kind;
        self
    }

    /// Sets the missing-value policy.
    ///
    /// ```
    /// use ember_data::csv::{CsvOptions, Missing};
    /// assert_eq!(CsvOptions::default().missing(Missing::DropRows).missing, Missing::DropRows);
    /// ```
    pub fn missing(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Skips lines at the top of the file.
    ///
    /// ```
    /// assert_eq!(ember_data::csv::CsvOptions::default().skip_lines(1).skip_lines, 1);
    /// ```
    pub fn skip_lines(mut self, lines: usize) -> Self {
        self.skip_lines = lines;
        self
    }
}
