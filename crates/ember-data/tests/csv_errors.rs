//! Every kind of bad CSV input gets an error that names the file, line and column.

use std::io::Write;

use ember_data::DataError;
use ember_data::csv::{CsvOptions, Missing, read_csv, read_csv_from};

fn read(text: &str, options: &CsvOptions) -> Result<ember_data::Dataset, DataError> {
    read_csv_from(
        "data.csv",
        std::io::Cursor::new(text.as_bytes().to_vec()),
        options,
    )
}

fn message(text: &str, options: &CsvOptions) -> String {
    match read(text, options) {
        Ok(d) => panic!("expected an error, read {:?}", d.x().shape()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn non_numeric_cell_names_line_column_and_value() {
    let m = message("a,b,y\n1,2,3\n4,five,6\n", &CsvOptions::default());
    assert_eq!(
        m,
        "data.csv:3:2: expected a finite number in column `b`, found \"five\""
    );
}

#[test]
fn ragged_row_names_its_line_and_the_expected_width() {
    let m = message("a,b,y\n1,2,3\n4,5\n", &CsvOptions::default());
    assert_eq!(m, "data.csv:3:3: expected 3 fields (as on line 1), found 2");
    let m = message("a,b,y\n1,2,3\n4,5,6,7\n", &CsvOptions::default());
    assert_eq!(m, "data.csv:3:4: expected 3 fields (as on line 1), found 4");
}

#[test]
fn empty_file_and_header_only_file() {
    assert_eq!(
        message("", &CsvOptions::default()),
        "data.csv: the file is empty"
    );
    assert_eq!(
        message("a,b,y\n", &CsvOptions::default()),
        "data.csv: no data rows after the header on line 1"
    );
}

#[test]
fn missing_target_column_lists_the_columns_and_suggests() {
    let m = message(
        "price,size,rooms\n1,2,3\n",
        &CsvOptions::default().target("prize"),
    );
    assert_eq!(
        m,
        "data.csv:1: no column named `prize`, did you mean `price`? (columns: price, size, rooms)"
    );
    let m = message("a,b\n1,2\n", &CsvOptions::default().target(5));
    assert_eq!(
        m,
        "data.csv:1: column index 5 is out of range: the file has 2 columns"
    );
}

#[test]
fn duplicate_header_names_both_columns() {
    let m = message("a,b,a,y\n1,2,3,4\n", &CsvOptions::default());
    assert_eq!(m, "data.csv:1:3: duplicate column name `a` (also column 1)");
}

#[test]
fn missing_values_are_errors_by_default() {
    for token in [
        "", "NA", "NaN", "nan", "N/A", "null", "None", "#N/A", "<NA>", "n/a",
    ] {
        let text = format!("a,b,y\n1,2,3\n4,{token},6\n");
        let m = message(&text, &CsvOptions::default());
        assert!(
            m.starts_with("data.csv:3:2: missing value") && m.contains("column `b`"),
            "{token:?}: {m}"
        );
    }
    let m = message("a,y\n1,\n", &CsvOptions::default().missing(Missing::Keep));
    assert!(m.starts_with("data.csv:2:2: missing value"), "{m}");
    assert!(m.contains("a missing target is an error"), "{m}");
}

#[test]
fn infinity_and_text_targets_are_errors() {
    let m = message("a,y\ninf,1\n", &CsvOptions::default());
    assert_eq!(
        m,
        "data.csv:2:1: expected a finite number in column `a`, found \"inf\""
    );
    let m = message(
        "a,y\n1,2\n3,cat\n",
        &CsvOptions::default().target_kind(ember_data::csv::TargetKind::Numeric),
    );
    assert!(
        m.starts_with("data.csv:3:2: expected a finite number in column `y`"),
        "{m}"
    );
}

#[test]
fn an_error_deep_in_a_large_file_names_its_line() {
    // ~9 MB: several blocks, parsed in parallel; the error is on line 400,001.
    let mut text = String::from("a,b,y\n");
    for i in 0..600_000 {
        if i == 400_000 {
            text.push_str("1,oops,2\n");
        } else {
            text.push_str("0.125,-3.5,7\n");
        }
    }
    let m = message(&text, &CsvOptions::default());
    assert_eq!(
        m,
        "data.csv:400002:2: expected a finite number in column `b`, found \"oops\""
    );
}

#[test]
fn unreadable_and_truncated_gzip_files() {
    let m = read_csv::<f64>("/nonexistent/x.csv", &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert!(m.starts_with("/nonexistent/x.csv: cannot read"), "{m}");

    let dir = std::env::temp_dir().join(format!("ember-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("cut.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..20_000 {
        writeln!(gz, "{i},{},{}", i * 2, i * 3).expect("write");
    }
    let bytes = gz.finish().expect("gzip");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    let m = read_csv::<f64>(&path, &CsvOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("cut.csv.gz: cannot read (is a gzip file truncated?)"),
        "{m}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn impossible_column_choices() {
    let m = message("a,y\n1,2\n", &CsvOptions::default().features(["y"]));
    assert_eq!(m, "data.csv:1: column `y` is both a feature and a target");
    let m = message("a,y\n1,2\n", &CsvOptions::default().exclude("a"));
    assert_eq!(m, "data.csv:1: no feature columns are left (columns: a, y)");
}

#[test]
fn windows_line_endings_keep_line_numbers() {
    let m = message("a,b,y\r\n1,2,3\r\n4,x,6\r\n", &CsvOptions::default());
    assert!(m.starts_with("data.csv:3:2:"), "{m}");
}
