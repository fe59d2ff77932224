//! Files as users' tools write them (pandas, R, Excel, old Macs, other encodings): read
//! correctly, or an error that names the place. Never a silently wrong answer.

use ember_data::DataError;
use ember_data::csv::{
    CsvOptions, Encoding, Missing, TargetKind, read_csv, read_csv_from, read_csv_from_with_notes,
    read_features_from,
};

type Read = Result<(ember_data::Dataset, Vec<String>), DataError>;

fn read_bytes(bytes: &[u8], options: &CsvOptions) -> Read {
    read_csv_from_with_notes("d.csv", std::io::Cursor::new(bytes.to_vec()), options)
}

fn read(text: &str, options: &CsvOptions) -> Read {
    read_bytes(text.as_bytes(), options)
}

fn message(bytes: &[u8], options: &CsvOptions) -> String {
    match read_bytes(bytes, options) {
        Ok((d, _)) => panic!("expected an error, read {:?}", d.x().shape()),
        Err(e) => e.to_string(),
    }
}

const QUESTION: &str = "a,b,y\n1,2,?\n2,4,2001\n3,1,3001\n4,3,4001\n5,0,5001\n6,2,6001\n";

#[test]
fn a_numeric_target_with_a_marker_in_its_first_row_is_never_read_as_labels() {
    // Decided from the whole column: text and numbers together is an error naming both.
    assert_eq!(
        message(QUESTION.as_bytes(), &CsvOptions::default()),
        "d.csv:2:3: target column `y` has text (\"?\") and numbers (line 3: \"2001\"); if \"?\" marks a missing value, add it to missing_values, else set target_kind = \"labels\" or \"numeric\""
    );
    // A numeric target names the line and the value.
    let numeric = CsvOptions::default().target_kind(TargetKind::Numeric);
    assert!(
        message(QUESTION.as_bytes(), &numeric).starts_with(
            "d.csv:2:3: expected a finite number in column `y`, found \"?\": the target must be a number"
        )
    );
    // Declared as missing, the row is dropped and the numbers are the numbers.
    let options = CsvOptions::default()
        .missing_values(["?"])
        .missing(Missing::DropRows);
    let (data, _) = read(QUESTION, &options).unwrap();
    assert!(data.labels().is_none());
    assert_eq!(
        data.y().as_slice(),
        &[2001.0, 3001.0, 4001.0, 5001.0, 6001.0]
    );
}

#[test]
fn text_after_numbers_in_a_later_block_is_found_too() {
    // Far past the first block (4 MiB): the decision is the whole column's.
    let mut text = String::from("a,y\n");
    for i in 0..400_000 {
        text.push_str(&format!("{i},{}\n", i % 7));
    }
    text.push_str("1,seven\n");
    let m = message(text.as_bytes(), &CsvOptions::default());
    assert!(
        m.starts_with(
            "d.csv:400002:2: target column `y` has text (\"seven\") and numbers (line 2: \"0\")"
        ),
        "{m}"
    );
}

#[test]
fn a_pandas_index_column_is_recognised_and_left_out() {
    let text = ",a,b,y\n0,1.5,2,10\n1,2.5,1,20\n2,3.5,0,30\n";
    let (data, notes) = read(text, &CsvOptions::default()).unwrap();
    assert_eq!(data.feature_names(), ["a", "b"]);
    assert_eq!(data.target_names(), ["y"]);
    assert_eq!(data.x().as_slice(), &[1.5, 2.0, 2.5, 1.0, 3.5, 0.0]);
    assert_eq!(
        notes,
        [
            "d.csv: column 1 has no name in the header, as a row index written by pandas' to_csv or R's write.csv: it is left out of the features (list `Unnamed: 0` in features to use it)"
        ]
    );
    // It can still be used on purpose.
    let options = CsvOptions::default().features(["Unnamed: 0", "a"]);
    let (data, _) = read(text, &options).unwrap();
    assert_eq!(data.x().as_slice(), &[0.0, 1.5, 1.0, 2.5, 2.0, 3.5]);
}

#[test]
fn r_write_csv_quotes_and_row_names() {
    let text =
        "\"\",\"carat\",\"cut\",\"price\"\n\"1\",0.23,\"Ideal\",326\n\"2\",0.21,\"Premium\",326\n";
    let options = CsvOptions::default().target("cut").exclude("price");
    let (data, _) = read(text, &options).unwrap();
    assert_eq!(data.feature_names(), ["carat"]);
    assert_eq!(
        data.labels().unwrap().classes(),
        &["Ideal".to_string(), "Premium".to_string()]
    );
}

#[test]
fn excel_trailing_delimiters_make_no_column() {
    let (data, notes) = read("a;b;y;\n1;2;3;\n4;5;6;\n", &CsvOptions::default()).unwrap();
    assert_eq!(
        (data.feature_names(), data.target_names()),
        (
            &["a".to_string(), "b".to_string()][..],
            &["y".to_string()][..]
        )
    );
    assert_eq!(data.y().as_slice(), &[3.0, 6.0]);
    assert_eq!(
        notes,
        [
            "d.csv: every line ends with a delimiter (as Excel writes): the empty last column is ignored"
        ]
    );
    // Without a header too.
    let (data, _) = read("1,2,3,\n4,5,6,\n", &CsvOptions::default()).unwrap();
    assert_eq!(
        (data.x().shape(), data.y().as_slice()),
        ((2, 2), &[3.0, 6.0][..])
    );
}

#[test]
fn numbers_as_column_names_are_a_header_and_the_reader_says_so() {
    let (data, notes) = read("400,450,y\n1,2,3\n4,5,6\n", &CsvOptions::default()).unwrap();
    assert_eq!(data.feature_names(), ["400", "450"]);
    assert_eq!(data.x().as_slice(), &[1.0, 2.0, 4.0, 5.0]);
    assert!(notes[0].starts_with("d.csv: the first line was read as the header (column 3 has the name `y` there and numbers below), though `400`, `450` on it look like numbers"), "{notes:?}");
    // Wavelengths as names over repeating labels: a header too.
    let mut text = String::from("400,450,500,species\n");
    for i in 0..30 {
        let species = ["setosa", "virginica"][i % 2];
        text.push_str(&format!("0.{i},-0.1,0.2,{species}\n"));
    }
    let (data, notes) = read(&text, &CsvOptions::default()).unwrap();
    assert_eq!(data.feature_names(), ["400", "450", "500"]);
    assert_eq!(data.labels().unwrap().n_classes(), 2);
    assert_eq!(
        notes,
        [
            "d.csv: the first line was read as the header: column 4's `species` is nowhere among the labels below it, which repeat; set header = \"absent\" if it is data"
        ]
    );
}

#[test]
fn a_pandas_round_trip_keeps_no_index_as_a_feature() {
    // `to_csv` of a frame read without index_col: the old index is a column `Unnamed: 0`.
    let (data, notes) = read(
        ",Unnamed: 0,a,y\n0,0,1.5,1\n1,1,2.5,2\n",
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(data.feature_names(), ["a"]);
    assert_eq!(notes.len(), 2, "{notes:?}");
}

#[test]
fn excel_sep_lines_and_late_values_after_a_trailing_delimiter() {
    let (data, _) = read("sep=;\na;y\n1.5;2\n", &CsvOptions::default()).unwrap();
    assert_eq!(data.feature_names(), ["a"]);
    let mut text = String::new();
    for i in 0..150 {
        text.push_str(&format!("{i},{},\n", i * 2));
    }
    text.push_str("1,2,3\n");
    assert_eq!(
        message(text.as_bytes(), &CsvOptions::default()),
        "d.csv:151:3: \"3\" in the last column, which the first lines leave empty (they end with a delimiter): end every line with one, or none"
    );
}

#[test]
fn named_columns_on_the_first_line_make_it_the_header() {
    // Every column's text or numbers agree with the rows below: only the options tell.
    let options = CsvOptions::default().target("species");
    let (data, _) = read("400,450,species\n1,2,cat\n4,5,dog\n", &options).unwrap();
    assert_eq!(data.feature_names(), ["400", "450"]);
    // Without them, a missing column says the header was not recognised and how to set it.
    let options = CsvOptions::default().target("kind");
    let m = message(b"400,450,species\n1,2,cat\n4,5,dog\n", &options);
    assert_eq!(
        m,
        "d.csv:1: no column named `kind` (columns: x0, x1, x2); the first line was not taken as a header (no column has a name on it and numbers below; `species` could be names or values): set header = \"present\" if it names the columns"
    );
}

#[test]
fn headerless_files_stay_headerless() {
    let (data, _) = read(
        "5.1,3.5,setosa\n7.0,3.2,versicolor\n",
        &CsvOptions::default(),
    )
    .unwrap();
    assert_eq!(data.x().shape(), (2, 2));
    assert_eq!(data.feature_names(), ["x0", "x1"]);
    // A marker that is no name (`?`) does not make a header: it is a located error.
    let m = message(b"?,2,3\n1,2,3\n", &CsvOptions::default());
    assert!(
        m.starts_with("d.csv:1:1: expected a finite number in column `x0`, found \"?\""),
        "{m}"
    );
}

#[test]
fn latin1_labels_are_an_error_or_read_exactly_never_merged() {
    let bytes = b"x,label\n1,Cr\xe8me\n2,Cr\xe9me\n3,Cr\xe8me\n";
    assert_eq!(
        message(bytes, &CsvOptions::default()),
        "d.csv:2:2: \"Cr\u{fffd}me\" is not valid Utf8 (byte 0xE8 after \"Cr\"): the file looks like Latin-1 or Windows-1252 (Excel's \"CSV\"); set encoding = \"windows1252\" or \"latin1\""
    );
    for encoding in [Encoding::Latin1, Encoding::Windows1252] {
        let (data, _) = read_bytes(bytes, &CsvOptions::default().encoding(encoding)).unwrap();
        let labels = data.labels().unwrap();
        assert_eq!(
            labels.classes(),
            &["Crème".to_string(), "Créme".to_string()]
        );
        assert_eq!(data.y().as_slice(), &[0.0, 1.0, 0.0]);
    }
    // Column names too.
    let (data, _) = read_bytes(
        b"caf\xe9,y\n1,2\n",
        &CsvOptions::default().encoding(Encoding::Latin1),
    )
    .unwrap();
    assert_eq!(data.feature_names(), ["café"]);
}

#[test]
fn utf16_and_binary_files_are_named_as_such() {
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("a,y\n1,2\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    assert!(message(&utf16le, &CsvOptions::default()).starts_with(
        "d.csv: the file is UTF-16LE (byte-order mark FF FE), not UTF-8 or a one-byte encoding; save it as UTF-8"
    ));
    let utf16be: Vec<u8> = "a,y\n1,2\n"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    assert!(
        message(&utf16be, &CsvOptions::default())
            .starts_with("d.csv: the file is UTF-16BE (every other byte is zero)")
    );
}

#[test]
fn cr_only_line_endings_are_lines() {
    let (data, _) = read("a,y\r1,2\r3,4\r", &CsvOptions::default()).unwrap();
    assert_eq!(data.y().as_slice(), &[2.0, 4.0]);
    let m = message(
        b"a,y\r1,2\r3,x\r",
        &CsvOptions::default().target_kind(TargetKind::Numeric),
    );
    assert!(m.starts_with("d.csv:3:2: "), "{m}");
}

#[test]
fn huge_cells_are_cut_in_messages() {
    let big = "9".repeat(100) + &"x".repeat(10 << 20);
    let m = message(format!("a,y\n{big},1\n").as_bytes(), &CsvOptions::default());
    assert!(m.len() < 300, "{} bytes", m.len());
    assert!(m.ends_with(&format!("… ({} bytes)", big.len())), "{m}");
}

#[test]
fn a_directory_is_not_a_missing_file() {
    let dir = std::env::temp_dir();
    let err = read_csv::<f64>(&dir, &CsvOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: is a directory, not a CSV file", dir.display())
    );
}

#[test]
fn new_rows_carry_their_ids() {
    let options = CsvOptions::default().target("y").id("name");
    let rows =
        read_features_from::<f64>("new.csv", &b"a,name\n1,ann\n2,bob\n"[..], &options).unwrap();
    assert_eq!(rows.names, ["a"]);
    assert_eq!(rows.ids, Some(vec!["ann".to_string(), "bob".to_string()]));
    // A training file's id is never a feature.
    let data =
        read_csv_from::<f64>("t.csv", &b"name,a,y\nann,1,2\nbob,2,3\n"[..], &options).unwrap();
    assert_eq!(data.feature_names(), ["a"]);
}

mod random_files {
    //! Random CSV variants with known contents: what is read equals what was written, or the
    //! error names the cell that was broken on purpose. `EMBER_CSV_CASES` sets the number of
    //! files (300 by default).
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    const LABELS: [&str; 6] = ["setosa", "Crème", "Créme", "big cat", "a;b", "x,y"];

    /// One generated file: its bytes, the options to read it, and what it holds.
    struct Case {
        bytes: Vec<u8>,
        options: CsvOptions,
        x: Vec<f64>,
        n_features: usize,
        y: Expected,
        /// A cell broken on purpose: its line and column.
        broken: Option<(usize, usize)>,
        describe: String,
    }

    enum Expected {
        Numbers(Vec<f64>),
        Labels(Vec<String>),
    }

    fn number(rng: &mut StdRng) -> String {
        let v: f64 = rng.random_range(-1e4..1e4);
        match rng.random_range(0..4) {
            0 => format!("{v}"),
            1 => format!("{v:e}"),
            2 => format!("{}", v.round()),
            _ => format!("{v:.3}"),
        }
    }

    fn generate(seed: u64) -> Case {
        let mut rng = StdRng::seed_from_u64(seed);
        let delimiter = [',', ';', '\t', '|'][rng.random_range(0..4)];
        let n_features = rng.random_range(1..5);
        let n_rows = rng.random_range(1..25);
        let header = rng.random_range(0..4); // none, plain, pandas index, R quoted index
        let trailing = rng.random_bool(0.2);
        let quote_all = rng.random_bool(0.3);
        let labels = rng.random_bool(0.5);
        let latin1 = labels && rng.random_bool(0.3);
        let eol = ["\n", "\r\n", "\r"][rng.random_range(0..3)];
        let missing = rng.random_bool(0.3);
        let broken = rng.random_bool(0.15);
        // European Excel: `;` between fields, `,` before decimals.
        let comma = delimiter != ',' && rng.random_bool(0.2);
        let written = |v: &str| {
            if comma {
                v.replace('.', ",")
            } else {
                v.to_string()
            }
        };
        let quote = |s: &str, force: bool| {
            // A field with any delimiter in it is quoted: unquoted, a `|` file whose every line
            // has one comma is a comma file to the sniffer (and to pandas).
            if force || quote_all || s.contains([',', ';', '\t', '|', '"']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let mut lines: Vec<Vec<String>> = Vec::new();
        let index = header >= 2;
        if header > 0 {
            let mut cells: Vec<String> = Vec::new();
            if index {
                cells.push(if header == 3 {
                    "\"\"".into()
                } else {
                    String::new()
                });
            }
            cells.extend((0..n_features).map(|j| quote(&format!("feature {j}"), false)));
            cells.push(quote("target", header == 3));
            lines.push(cells);
        }
        let (mut x, mut y_numbers, mut y_labels) = (Vec::new(), Vec::new(), Vec::new());
        let mut broken_at = None;
        for i in 0..n_rows {
            let mut cells: Vec<String> = Vec::new();
            if index {
                cells.push(if header == 3 {
                    format!("\"{}\"", i + 1)
                } else {
                    i.to_string()
                });
            }
            let values: Vec<String> = (0..n_features).map(|_| number(&mut rng)).collect();
            // The first line of data stays whole: it is what tells whether there is a header.
            let whole = i == 0;
            let dropped = missing && !whole && rng.random_bool(0.2);
            let mut row = values.clone();
            if dropped {
                let j = rng.random_range(0..n_features);
                row[j] = ["", "NA", "?"][rng.random_range(0..3)].into();
            }
            let line = lines.len() + 1;
            let column = usize::from(index) + 1;
            let breakable = !whole && (n_features > 1 || !labels);
            if broken && breakable && broken_at.is_none() && !dropped && rng.random_bool(0.3) {
                row[0] = "oops".into();
                broken_at = Some((line, column));
            }
            cells.extend(row.iter().map(|v| quote(&written(v), false)));
            let target = if labels && header == 0 && i == 1 {
                // A headerless file whose first label never comes again looks like a header
                // of numbers over labels (the reader says which it took).
                y_labels
                    .first()
                    .cloned()
                    .unwrap_or_else(|| LABELS[0].to_string())
            } else if labels {
                LABELS[rng.random_range(0..LABELS.len())].to_string()
            } else {
                number(&mut rng)
            };
            let target_cell = if labels {
                target.clone()
            } else {
                written(&target)
            };
            cells.push(quote(&target_cell, header == 3 && labels));
            lines.push(cells);
            if !dropped {
                x.extend(
                    values
                        .iter()
                        .map(|v| v.parse::<f64>().expect("written as a number")),
                );
                if labels {
                    y_labels.push(target);
                } else {
                    y_numbers.push(target.parse::<f64>().expect("written as a number"));
                }
            }
        }
        let mut text = String::new();
        for cells in &lines {
            text.push_str(&cells.join(&delimiter.to_string()));
            if trailing {
                text.push(delimiter);
            }
            text.push_str(eol);
        }
        let bytes = if latin1 {
            text.chars().map(|c| c as u32 as u8).collect()
        } else {
            text.into_bytes()
        };
        let mut options = CsvOptions::default().missing_values(["?"]);
        if comma {
            options.decimal = ember_data::csv::Decimal::Comma;
        }
        if missing {
            options = options.missing(Missing::DropRows);
        }
        if latin1 {
            options = options.encoding(Encoding::Latin1);
        }
        let describe = format!(
            "seed {seed}: delimiter {delimiter:?}, header style {header}, trailing {trailing}, quoted {quote_all}, labels {labels}, decimal comma {comma}, latin1 {latin1}, eol {eol:?}, missing {missing}, broken {broken_at:?}"
        );
        Case {
            bytes,
            options,
            x,
            n_features,
            y: if labels {
                Expected::Labels(y_labels)
            } else {
                Expected::Numbers(y_numbers)
            },
            broken: broken_at,
            describe,
        }
    }

    fn check(case: &Case) {
        let what = &case.describe;
        let result = read_bytes(&case.bytes, &case.options);
        if let Some((line, column)) = case.broken {
            let err = result
                .err()
                .unwrap_or_else(|| panic!("{what}: read a broken file"));
            let place = format!("d.csv:{line}:{column}: ");
            assert!(err.to_string().starts_with(&place), "{what}: {err}");
            return;
        }
        let n = case.x.len() / case.n_features;
        let (data, _) = match result {
            Ok(read) => read,
            Err(e) if n == 0 => {
                assert!(e.to_string().contains("no data rows"), "{what}: {e}");
                return;
            }
            Err(e) => panic!("{what}: {e}"),
        };
        assert_eq!(data.x().shape(), (n, case.n_features), "{what}");
        assert_eq!(data.x().as_slice(), &case.x[..], "{what}");
        match &case.y {
            Expected::Numbers(y) => {
                assert!(data.labels().is_none(), "{what}");
                assert_eq!(data.y().as_slice(), &y[..], "{what}");
            }
            Expected::Labels(y) => {
                let labels = data.labels().unwrap_or_else(|| panic!("{what}: no labels"));
                let read: Vec<&str> = (data.y().as_slice().iter())
                    .map(|&c| labels.decode(c as usize).expect("a class index"))
                    .collect();
                assert_eq!(
                    read,
                    y.iter().map(String::as_str).collect::<Vec<_>>(),
                    "{what}"
                );
            }
        }
    }

    #[test]
    fn what_is_read_is_what_was_written() {
        let cases: u64 = std::env::var("EMBER_CSV_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300);
        let first: u64 = std::env::var("EMBER_CSV_FIRST")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        for seed in first..first + cases {
            let case = generate(seed);
            if std::env::var_os("EMBER_CSV_SHOW").is_some() {
                eprintln!(
                    "{}\n{:?}",
                    case.describe,
                    String::from_utf8_lossy(&case.bytes)
                );
            }
            check(&case);
        }
    }
}

#[test]
fn european_decimal_commas() {
    let text = "a;b;y\n1,5;2;3,25\n2,5;-1e3;4\n";
    let m = message(text.as_bytes(), &CsvOptions::default());
    assert_eq!(
        m,
        "d.csv:2:1: expected a finite number in column `a`, found \"1,5\" (a decimal comma? set decimal = \",\")"
    );
    let options = CsvOptions {
        decimal: ember_data::csv::Decimal::Comma,
        ..CsvOptions::default()
    };
    let (data, _) = read(text, &options).unwrap();
    assert_eq!(data.feature_names(), ["a", "b"]);
    assert_eq!(data.x().as_slice(), &[1.5, 2.0, 2.5, -1000.0]);
    assert_eq!(data.y().as_slice(), &[3.25, 4.0]);
    // A point may be a thousands separator there: an error, not 1.234.
    let m = message(b"a;y\n1.234,5;1\n2;2\n", &options);
    assert!(m.starts_with("d.csv:2:1: expected a finite number in column `a`, found \"1.234,5\" (decimal = \",\": a `.` may be a thousands separator"), "{m}");
}
