//! Whether a file's first line names its columns, and the names.
//!
//! As pandas users expect a header, but without taking the first data row for one: the first
//! line is a header when the options' named columns are all on it, or when some column has a
//! name there (text with a letter in it) and numbers below. Empty cells are allowed in a header
//! (a pandas or R row index, a trailing delimiter); numbers are allowed too (`400,450,y`), and
//! the reader says so.

use super::layout::{Columns, is_builtin_missing};
use super::options::{Column, CsvOptions, Header};
use super::parse::parse_number;
use crate::DataError;

/// A decided first line and what is worth telling the user about it.
struct Guess {
    header: bool,
    note: Option<String>,
    not_a_header: Option<String>,
}

/// The column names of a file whose first record is `first` (on `line`) and whose next records
/// are `sample`; notes for the user where a guess matters.
pub(crate) fn columns(
    file: &str,
    line: usize,
    first: &[&[u8]],
    sample: &[Vec<&[u8]>],
    options: &CsvOptions,
) -> Result<(Columns, Vec<String>), DataError> {
    let guess = match options.header {
        Header::Present => given(true),
        Header::Absent => given(false),
        Header::Auto => detect(first, sample, &hints(options), &Cells(options)),
    };
    let mut notes: Vec<String> = guess.note.iter().map(|n| format!("{file}: {n}")).collect();
    let (names, mut unnamed) = if guess.header {
        header_names(file, line, first, options)?
    } else {
        (
            (0..first.len()).map(|j| format!("x{j}")).collect(),
            Vec::new(),
        )
    };
    let width = names.len();
    let rows = || {
        sample
            .iter()
            .map(Vec::as_slice)
            .chain((!guess.header).then_some(first))
    };
    let trailing = width > 1
        && rows().all(|r| r.len() == width && r[width - 1].is_empty())
        && (!guess.header || first[width - 1].is_empty());
    if trailing && !unnamed.contains(&(width - 1)) {
        unnamed.push(width - 1);
    }
    for &j in &unnamed {
        notes.push(unnamed_note(j, width, trailing, file, &names[j]));
    }
    let columns = Columns {
        names,
        unnamed,
        trailing: trailing.then_some(width - 1),
        header: guess.header,
        not_a_header: guess.not_a_header,
    };
    Ok((columns, notes))
}

/// The names on the header line; an empty cell is named `Unnamed: j` as pandas names it (with
/// `.1`, `.2`, … when the file has that name already, as a pandas round trip writes it), and
/// listed as unnamed.
fn header_names(
    file: &str,
    line: usize,
    first: &[&[u8]],
    options: &CsvOptions,
) -> Result<(Vec<String>, Vec<usize>), DataError> {
    let mut names = Vec::with_capacity(first.len());
    for (j, cell) in first.iter().enumerate() {
        let name = options
            .encoding
            .decode(cell)
            .map_err(|at| super::not_text(file, line, j, cell, at, options.encoding))?;
        names.push(name);
    }
    // A pandas round trip names the index it wrote `Unnamed: 0`: no name either.
    let mut unnamed: Vec<usize> = (0..names.len())
        .filter(|&j| is_pandas_unnamed(&names[j]))
        .collect();
    for j in 0..names.len() {
        if !names[j].is_empty() {
            continue;
        }
        let base = format!("Unnamed: {j}");
        let mut name = base.clone();
        for k in 1.. {
            if !names.contains(&name) {
                break;
            }
            name = format!("{base}.{k}");
        }
        names[j] = name;
        unnamed.push(j);
    }
    unnamed.sort_unstable();
    Ok((names, unnamed))
}

/// Whether `name` is one pandas makes up for a column without a name (`Unnamed: 3`).
fn is_pandas_unnamed(name: &str) -> bool {
    name.strip_prefix("Unnamed: ")
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn unnamed_note(j: usize, width: usize, trailing: bool, file: &str, name: &str) -> String {
    let what = if j + 1 == width && trailing {
        "every line ends with a delimiter (as Excel writes): the empty last column is ignored"
            .to_string()
    } else if j == 0 {
        format!(
            "column 1 has no name in the header, as a row index written by pandas' to_csv or R's write.csv: it is left out of the features (list `{name}` in features to use it)"
        )
    } else {
        format!(
            "column {} has no name in the header: it is left out of the features (list `{name}` in features to use it)",
            j + 1
        )
    };
    format!("{file}: {what}")
}

fn given(header: bool) -> Guess {
    Guess {
        header,
        note: None,
        not_a_header: None,
    }
}

/// The column names the options refer to.
fn hints(options: &CsvOptions) -> Vec<&str> {
    options
        .targets
        .iter()
        .chain(options.features.iter().flatten())
        .chain(&options.exclude)
        .chain(&options.id)
        .filter_map(|c| match c {
            Column::Name(n) => Some(n.as_str()),
            Column::Index(_) => None,
        })
        .collect()
}

/// What a cell is, as the options read it.
struct Cells<'a>(&'a CsvOptions);

impl Cells<'_> {
    fn missing(&self, field: &[u8]) -> bool {
        is_builtin_missing(field) || self.0.missing_values.iter().any(|m| m.as_bytes() == field)
    }

    fn number(&self, field: &[u8]) -> bool {
        parse_number::<f64>(field, self.0.decimal).is_some()
    }

    /// Text with a letter in it that is not a number or a missing value.
    fn name(&self, field: &[u8]) -> bool {
        !self.number(field)
            && !self.missing(field)
            && field.iter().any(|b| b.is_ascii_alphabetic() || *b >= 0x80)
    }
}

/// A column of text on the first line and repeating labels below it that never include that
/// text (`species` above `setosa`, `virginica`, …): a header whose other names may be numbers.
/// Needs enough rows below to tell: at least 20, each label four times on average.
fn unseen_label(first: &[&[u8]], sample: &[Vec<&[u8]>], cells: &Cells<'_>) -> Option<usize> {
    (0..first.len()).find(|&j| {
        let below: Vec<&[u8]> = sample
            .iter()
            .filter_map(|r| r.get(j).copied())
            .filter(|f| !cells.missing(f))
            .collect();
        let mut distinct = below.clone();
        distinct.sort_unstable();
        distinct.dedup();
        cells.name(first[j])
            && below.len() >= 20
            && distinct.len() * 4 <= below.len()
            && below.iter().all(|f| !cells.number(f))
            && !distinct.contains(&first[j])
    })
}

fn detect(first: &[&[u8]], sample: &[Vec<&[u8]>], hints: &[&str], cells: &Cells<'_>) -> Guess {
    if !hints.is_empty() && hints.iter().all(|h| first.contains(&h.as_bytes())) {
        return given(true);
    }
    if sample.is_empty() {
        // A single line: a header (of a file without rows) if it has names and no numbers.
        let header = first.iter().any(|f| cells.name(f)) && !first.iter().any(|f| cells.number(f));
        return given(header);
    }
    let (named, numeric) = numeric_columns(first, sample, cells);
    let header = |note: String| Guess {
        header: true,
        note: Some(note),
        not_a_header: None,
    };
    if let Some(&j) = named.first() {
        if numeric.is_empty() {
            return given(true);
        }
        return header(format!(
            "the first line was read as the header (column {} has the name {} there and numbers below), though {} on it look like numbers; set header = \"absent\" if it is data",
            j + 1,
            shown(first, &[j]),
            shown(first, &numeric)
        ));
    }
    if let Some(j) = unseen_label(first, sample, cells) {
        return header(format!(
            "the first line was read as the header: column {}'s {} is nowhere among the labels below it, which repeat; set header = \"absent\" if it is data",
            j + 1,
            shown(first, &[j]),
        ));
    }
    let texts: Vec<usize> = (0..first.len()).filter(|&j| cells.name(first[j])).collect();
    Guess {
        header: false,
        note: None,
        not_a_header: (!texts.is_empty()).then(|| {
            format!(
                "no column has a name on it and numbers below; {} could be names or values",
                shown(first, &texts)
            )
        }),
    }
}

/// The columns with numbers below the first line: those with a name on it, and those with a
/// number on it.
fn numeric_columns(
    first: &[&[u8]],
    sample: &[Vec<&[u8]>],
    cells: &Cells<'_>,
) -> (Vec<usize>, Vec<usize>) {
    let (mut named, mut numeric) = (Vec::new(), Vec::new());
    for (j, cell) in first.iter().enumerate() {
        let mut below = sample
            .iter()
            .filter_map(|r| r.get(j).copied())
            .filter(|f| !cells.missing(f))
            .peekable();
        if below.peek().is_none() || !below.all(|f| cells.number(f)) {
            continue;
        }
        if cells.name(cell) {
            named.push(j);
        } else if cells.number(cell) {
            numeric.push(j);
        }
    }
    (named, numeric)
}

/// The first line's cells in columns `cols`, quoted for a note.
fn shown(first: &[&[u8]], cols: &[usize]) -> String {
    cols.iter()
        .map(|&j| format!("`{}`", String::from_utf8_lossy(first[j])))
        .collect::<Vec<_>>()
        .join(", ")
}
