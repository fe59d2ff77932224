//! Splitting a block of text into records and fields.

use crate::DataError;

/// How a line is split into fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// One delimiter byte, with `"` quoting (RFC 4180), fields trimmed of spaces.
    Delimited(u8),
    /// Runs of spaces and tabs; no quoting.
    Whitespace,
}

/// The fields of one record.
pub(crate) enum Fields<'a> {
    Csv(&'a csv::ByteRecord),
    Split(&'a [&'a [u8]]),
}

impl Fields<'_> {
    pub fn len(&self) -> usize {
        match self {
            Self::Csv(r) => r.len(),
            Self::Split(f) => f.len(),
        }
    }

    pub fn get(&self, i: usize) -> &[u8] {
        match self {
            Self::Csv(r) => r.get(i).unwrap_or_default(),
            Self::Split(f) => f.get(i).copied().unwrap_or_default(),
        }
    }
}

/// Calls `each(line, fields)` for every non-blank record of `bytes`, whose first byte is on line
/// `first_line` of `file`; `each` returns `false` to stop early.
pub(crate) fn for_each_record(
    file: &str,
    bytes: &[u8],
    first_line: usize,
    dialect: Dialect,
    mut each: impl FnMut(usize, &Fields<'_>) -> Result<bool, DataError>,
) -> Result<(), DataError> {
    match dialect {
        Dialect::Delimited(delimiter) if memchr::memchr(b'"', bytes).is_none() => {
            for_each_unquoted(bytes, first_line, delimiter, each)
        }
        Dialect::Delimited(delimiter) => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .trim(csv::Trim::All)
                .from_reader(bytes);
            let mut record = csv::ByteRecord::new();
            // Line numbers counted here from byte offsets: csv's own count lags by one after a
            // CRLF (the LF is read as part of the next record).
            let mut counted_to = 0;
            let mut line = first_line;
            let mut line_at = |offset: usize| {
                let mut start = offset.min(bytes.len());
                while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                    start += 1;
                }
                if start > counted_to {
                    line += bytes[counted_to..start]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    counted_to = start;
                }
                line
            };
            loop {
                let more = reader.read_byte_record(&mut record).map_err(|e| {
                    let offset = e.position().map_or(0, |p| p.byte() as usize);
                    DataError::Parse {
                        file: file.into(),
                        line: line_at(offset),
                        column: 1,
                        message: e.to_string(),
                    }
                })?;
                if !more {
                    return Ok(());
                }
                let line = line_at(record.position().map_or(0, |p| p.byte() as usize));
                if record.len() == 1 && record.get(0).is_some_and(<[u8]>::is_empty) {
                    continue; // a line of spaces
                }
                if !each(line, &Fields::Csv(&record))? {
                    return Ok(());
                }
            }
        }
        Dialect::Whitespace => {
            let mut fields: Vec<&[u8]> = Vec::new();
            for (k, line) in bytes.split(|&b| b == b'\n').enumerate() {
                fields.clear();
                fields.extend(
                    line.split(|b| b.is_ascii_whitespace())
                        .filter(|f| !f.is_empty()),
                );
                if fields.is_empty() {
                    continue;
                }
                if !each(first_line + k, &Fields::Split(&fields))? {
                    return Ok(());
                }
            }
            Ok(())
        }
    }
}

/// [`for_each_record`] on text without quotes, where a record is a line: split directly, much
/// faster than a CSV state machine.
fn for_each_unquoted(
    bytes: &[u8],
    first_line: usize,
    delimiter: u8,
    mut each: impl FnMut(usize, &Fields<'_>) -> Result<bool, DataError>,
) -> Result<(), DataError> {
    let mut fields: Vec<&[u8]> = Vec::new();
    for (k, line) in lines(bytes).enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        fields.clear();
        let mut start = 0;
        for end in memchr::memchr_iter(delimiter, line) {
            fields.push(line[start..end].trim_ascii());
            start = end + 1;
        }
        fields.push(line[start..].trim_ascii());
        if !each(first_line + k, &Fields::Split(&fields))? {
            return Ok(());
        }
    }
    Ok(())
}

/// The lines of `bytes` without their `\n`, as `bytes.split(|&b| b == b'\n')` gives them (a
/// last empty line after a final newline included), found with SIMD.
fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', bytes)
        .chain(std::iter::once(bytes.len()))
        .map(move |end| {
            let line = &bytes[start..end];
            start = end + 1;
            line
        })
}

/// How often `byte` occurs in `line` outside `"` quotes.
fn outside_quotes(line: &[u8], byte: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for &b in line {
        if b == b'"' {
            quoted = !quoted;
        } else if b == byte && !quoted {
            count += 1;
        }
    }
    count
}

/// The delimiter that splits the first lines of `sample` into the same number (> 1) of fields,
/// preferring tab, semicolon, comma, pipe in that order; runs of whitespace otherwise.
pub(crate) fn sniff(sample: &[u8]) -> Dialect {
    let lines: Vec<&[u8]> = sample
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(20)
        .collect();
    // The last line of a sample may be cut short.
    let lines = if lines.len() > 2 {
        &lines[..lines.len() - 1]
    } else {
        &lines[..]
    };
    for candidate in [b'\t', b';', b',', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| outside_quotes(l, candidate)).collect();
        if counts.first().is_some_and(|&c| c > 0) && counts.iter().all(|&c| c == counts[0]) {
            return Dialect::Delimited(candidate);
        }
    }
    let widths: Vec<usize> = lines
        .iter()
        .map(|l| {
            l.split(u8::is_ascii_whitespace)
                .filter(|f| !f.is_empty())
                .count()
        })
        .collect();
    if widths.first().is_some_and(|&w| w > 1) && widths.iter().all(|&w| w == widths[0]) {
        Dialect::Whitespace
    } else {
        Dialect::Delimited(b',')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_those_of_a_split_on_newlines() {
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "a\r\nb\r\n",
            "\n\na\n\n",
            "a,b\n\n,c",
        ] {
            let bytes = text.as_bytes();
            let expected: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
            assert_eq!(lines(bytes).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }
}
