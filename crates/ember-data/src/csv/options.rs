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
    /// Decided from the first lines: a header when the columns named in the options are all
    /// on the first line, or when a column has a name there (text with a letter) and numbers
    /// below it. Empty names (a pandas or R row index, a trailing delimiter) are allowed.
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
    /// Decided from the whole column: numbers when every (non-missing) value is a number,
    /// class labels when none is; a column that mixes numbers and text is an error naming one
    /// of each (a missing-value marker such as `?` belongs in
    /// [`CsvOptions::missing_values`]).
    #[default]
    Auto,
    /// Numbers (regression, or class indices already encoded).
    Numeric,
    /// Class labels (any text), mapped to indices in sorted order like scikit-learn's
    /// `LabelEncoder`; the mapping is returned with the data.
    Labels,
}

/// The decimal mark of the numbers: `"."` (1.5), or `","` (1,5) as European Excel writes them,
/// pandas' `decimal`. With a comma, a number that has a `.` in it is an error (it may be a
/// thousands separator: `1.234,5`), never a guess.
///
/// ```
/// use ember_data::csv::Decimal;
/// let d: Decimal = serde_json::from_str(r#"",""#)?;
/// assert_eq!(d, Decimal::Comma);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Decimal {
    /// `1.5`
    #[default]
    #[serde(rename = ".")]
    Point,
    /// `1,5`
    #[serde(rename = ",")]
    Comma,
}

/// How the bytes of the file are decoded into text (column names and class labels; numbers are
/// ASCII in every encoding).
///
/// ```
/// use ember_data::csv::Encoding;
/// assert_eq!(Encoding::default(), Encoding::Utf8);
/// assert_eq!(Encoding::Latin1.decode(b"Cr\xe8me"), Ok("Crème".to_string()));
/// assert_eq!(Encoding::Windows1252.decode(b"\x80 5"), Ok("€ 5".to_string()));
/// assert_eq!(Encoding::Utf8.decode(b"Cr\xe8me"), Err(2));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is skipped); invalid bytes are an error naming the line and
    /// column, never replaced.
    #[default]
    #[serde(alias = "utf-8")]
    Utf8,
    /// ISO-8859-1: every byte is the character of the same number.
    #[serde(alias = "latin-1", alias = "iso-8859-1")]
    Latin1,
    /// Windows-1252 ("ANSI", what Excel on Windows writes): Latin-1 with printable characters
    /// (`€`, `‘`, `’`, `…`) in 0x80–0x9F.
    #[serde(alias = "windows-1252", alias = "cp1252")]
    Windows1252,
}

impl Encoding {
    /// The text of `bytes`, or the offset of the first byte that is not valid in this encoding.
    pub fn decode(self, bytes: &[u8]) -> Result<String, usize> {
        match self {
            Self::Utf8 => std::str::from_utf8(bytes)
                .map(str::to_string)
                .map_err(|e| e.valid_up_to()),
            Self::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            Self::Windows1252 => Ok(bytes.iter().map(|&b| windows_1252(b)).collect()),
        }
    }
}

/// Windows-1252's character for byte `b` (the five unassigned bytes map to the C1 controls of
/// the same number, as the WHATWG encoding standard does).
fn windows_1252(b: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    match b {
        0x80..=0x9F => char::from_u32(u32::from(HIGH[usize::from(b - 0x80)])).unwrap_or('\u{FFFD}'),
        _ => char::from(b),
    }
}

/// What to do with missing values: empty fields and pandas' default markers (`NA`, `N/A`,
/// `NaN`, `nan`, `null`, `NULL`, `None`, `#N/A`, `<NA>`, …) and the markers in
/// [`CsvOptions::missing_values`].
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
    /// More texts that mark a missing value (like pandas' `na_values`), e.g. `["?", "-"]`.
    pub missing_values: Vec<String>,
    /// How the bytes are decoded into text.
    pub encoding: Encoding,
    /// The decimal mark of the numbers.
    pub decimal: Decimal,
    /// A column of row ids (any text): never a feature, and `ember predict` copies it into
    /// its output.
    pub id: Option<Column>,
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

    /// Adds texts that mark a missing value.
    ///
    /// ```
    /// let o = ember_data::csv::CsvOptions::default().missing_values(["?"]);
    /// assert_eq!(o.missing_values, ["?"]);
    /// ```
    pub fn missing_values<S: Into<String>>(mut self, markers: impl IntoIterator<Item = S>) -> Self {
        self.missing_values
            .extend(markers.into_iter().map(Into::into));
        self
    }

    /// Sets the text encoding.
    ///
    /// ```
    /// use ember_data::csv::{CsvOptions, Encoding};
    /// assert_eq!(CsvOptions::default().encoding(Encoding::Latin1).encoding, Encoding::Latin1);
    /// ```
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Sets the column of row ids.
    ///
    /// ```
    /// let o = ember_data::csv::CsvOptions::default().id("passenger");
    /// assert_eq!(o.id, Some("passenger".into()));
    /// ```
    pub fn id(mut self, column: impl Into<Column>) -> Self {
        self.id = Some(column.into());
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
