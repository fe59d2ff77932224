//! Reading CSV: delimiters, headers, columns, labels, missing values, gzip, large files.

use std::io::Write;

use ember_data::csv::{
    CsvOptions, Delimiter, Header, Missing, read_csv, read_csv_from, read_features,
};
use ember_data::preprocessing::MeanImputer;
use ember_data::split::train_test_split;
use ember_data::{DataError, Dataset};

fn read(text: &str, options: &CsvOptions) -> Result<Dataset, DataError> {
    read_csv_from(
        "t.csv",
        std::io::Cursor::new(text.as_bytes().to_vec()),
        options,
    )
}

#[test]
fn delimiters_are_detected() -> Result<(), DataError> {
    for text in [
        "a,b,y\n1,2,3\n4,5,6\n",
        "a;b;y\n1;2;3\n4;5;6\n",
        "a\tb\ty\n1\t2\t3\n4\t5\t6\n",
        "a|b|y\n1|2|3\n4|5|6\n",
        "a  b   y\n1 2  3\n 4 5 6\n",
        "a, b, y\r\n1, 2, 3\r\n4, 5, 6\r\n",
        "\u{feff}a,b,y\n1,2,3\n\n4,5,6",
    ] {
        let d = read(text, &CsvOptions::default())?;
        assert_eq!(d.x().as_slice(), &[1.0, 2.0, 4.0, 5.0], "{text:?}");
        assert_eq!(d.y().as_slice(), &[3.0, 6.0], "{text:?}");
        assert_eq!(d.feature_names(), &["a", "b"], "{text:?}");
        assert_eq!(d.target_names(), &["y"], "{text:?}");
    }
    Ok(())
}

#[test]
fn given_delimiter_and_header_choices() -> Result<(), DataError> {
    let d = read(
        "1;2;3\n4;5;6\n",
        &CsvOptions::default().delimiter(Delimiter::Semicolon),
    )?;
    assert_eq!(d.feature_names(), &["x0", "x1"]);
    assert_eq!(d.n_samples(), 2);
    // A header of numbers is only a header when we say so.
    let d = read(
        "1,2,3\n4,5,6\n",
        &CsvOptions::default().header(Header::Present),
    )?;
    assert_eq!(d.feature_names(), &["1", "2"]);
    assert_eq!(d.n_samples(), 1);
    // Told there is no header, a line of names is a data row with text in it.
    let err = read("a,b\n1,2\n", &CsvOptions::default().header(Header::Absent)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("t.csv:1:1: expected a finite number in column `x0`"),
        "{err}"
    );
    Ok(())
}

#[test]
fn columns_by_name_and_index_selected_and_excluded() -> Result<(), DataError> {
    let text = "id,x1,y,x2,note\n7,1,10,2,a\n8,3,20,4,b\n";
    let o = CsvOptions::default()
        .target("y")
        .exclude("id")
        .exclude("note");
    let d = read(text, &o)?;
    assert_eq!(d.feature_names(), &["x1", "x2"]);
    assert_eq!(d.x().as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    assert_eq!(d.y().as_slice(), &[10.0, 20.0]);
    let o = CsvOptions::default().target(2).features(["x2", "x1"]);
    let d = read(text, &o)?;
    assert_eq!(d.x().as_slice(), &[2.0, 1.0, 4.0, 3.0]);
    let o = CsvOptions::default()
        .target("x1")
        .target(-3)
        .features(["x2"]);
    let d = read(text, &o)?;
    assert_eq!(d.y().shape(), (2, 2));
    assert_eq!(d.y().as_slice(), &[1.0, 10.0, 3.0, 20.0]);
    Ok(())
}

#[test]
fn text_labels_map_to_sorted_indices() -> Result<(), DataError> {
    let text = "x,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n";
    let d = read(text, &CsvOptions::default())?;
    let labels = d.labels().expect("labels");
    assert_eq!(labels.classes(), &["setosa", "versicolor", "virginica"]);
    assert_eq!(d.y().as_slice(), &[2.0, 0.0, 1.0, 0.0]);
    // The mapping is data: it serialises with the model.
    let json = serde_json::to_string(labels).expect("serialise");
    assert_eq!(json, r#"{"classes":["setosa","versicolor","virginica"]}"#);
    Ok(())
}

#[test]
fn quoted_fields_may_hold_delimiters_and_newlines() -> Result<(), DataError> {
    let text = "\"a, first\",note,y\n1,\"two\nlines, here\",3\n4,\"say \"\"hi\"\"\",6\n";
    let d = read(text, &CsvOptions::default().exclude("note"))?;
    assert_eq!(d.feature_names(), &["a, first"]);
    assert_eq!(d.y().as_slice(), &[3.0, 6.0]);
    // Line numbers count the newline inside quotes.
    let err = read(
        "a,note,y\n1,\"two\nlines\",3\n4,x,bad\n",
        &CsvOptions::default().exclude("note"),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("t.csv:4:3:"), "{err}");
    Ok(())
}

#[test]
fn missing_values_can_be_dropped_or_imputed_from_the_training_split() -> Result<(), DataError> {
    let text = "a,b,y\n1,2,1\nNA,4,2\n5,,3\n7,8,4\n9,10,5\n11,12,6\n";
    let dropped = read(text, &CsvOptions::default().missing(Missing::DropRows))?;
    assert_eq!(dropped.n_samples(), 4);
    assert_eq!(dropped.y().as_slice(), &[1.0, 4.0, 5.0, 6.0]);

    let kept = read(text, &CsvOptions::default().missing(Missing::Keep))?;
    assert!(kept.x().get(1, 0).is_nan() && kept.x().get(2, 1).is_nan());
    let (train, test) = train_test_split(&kept, 0.5, 1)?;
    let imputer = MeanImputer::fit(train.x())?;
    // The means are the training split's, not the whole file's.
    let train_a: Vec<f64> = train
        .x()
        .column_values(0)
        .into_iter()
        .filter(|v| !v.is_nan())
        .collect();
    assert_eq!(
        imputer.means()[0],
        train_a.iter().sum::<f64>() / train_a.len() as f64
    );
    let filled = imputer.transform(test.x())?;
    assert!(filled.as_slice().iter().all(|v| v.is_finite()));
    Ok(())
}

#[test]
fn gzip_files_and_f32_results_equal_plain_f64_ones() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("ember-csv-read-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut text = String::from("u,v,target\n");
    for i in 0..300_000u32 {
        text.push_str(&format!(
            "{},{},{}\n",
            f64::from(i) * 0.1,
            f64::from(i % 7) - 3.3,
            i % 3
        ));
    }
    let plain = dir.join("t.csv");
    std::fs::write(&plain, &text)?;
    let zipped = dir.join("t.csv.gz");
    let mut gz =
        flate2::write::GzEncoder::new(std::fs::File::create(&zipped)?, flate2::Compression::fast());
    gz.write_all(text.as_bytes())?;
    gz.finish()?;

    let o = CsvOptions::default();
    let a = read_csv::<f64>(&plain, &o)?;
    let b = read_csv::<f64>(&zipped, &o)?;
    assert_eq!(a, b);
    assert_eq!(a.n_samples(), 300_000);
    assert_eq!(a.x().get(299_999, 0), 299_999.0 * 0.1);
    let c = read_csv::<f32>(&plain, &o)?;
    // f32 values are parsed straight from the text, correctly rounded.
    assert_eq!(
        c.x().get(123_457, 0),
        format!("{}", 123_457.0 * 0.1).parse::<f32>()?
    );
    assert_eq!(c.x().get(3, 1), "-0.2999999999999998".parse::<f32>()?);
    let rows = read_features::<f32>(&plain, &o.clone().target("target"))?;
    let (x, names) = (rows.x, rows.names);
    assert_eq!(
        (x.shape(), names),
        ((300_000, 2), vec!["u".to_string(), "v".to_string()])
    );
    std::fs::remove_dir_all(dir)?;
    Ok(())
}

#[test]
fn reading_from_inside_a_one_thread_pool_does_not_wait_on_itself() {
    // A caller on a rayon pool thread (a training step, a user's `pool.install`) with no other
    // thread to parse its blocks: the reader must parse them itself, not wait for them forever.
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        // ~8 MB: blocks beyond the first two in flight, appended in file order.
        let text: String = (0..1_000_000).map(|i| format!("{i},{}\n", i % 7)).collect();
        let text = format!("a,y\n{text}");
        let read = pool.install(|| read(&text, &CsvOptions::default()));
        let _ = done.send(read.map(|d| (d.x().shape(), d.x().as_slice()[999_999])));
    });
    let shape = finished.recv_timeout(std::time::Duration::from_secs(60));
    let (shape, last) = shape.expect("the read hung").unwrap();
    assert_eq!((shape, last), ((1_000_000, 1), 999_999.0));
}
