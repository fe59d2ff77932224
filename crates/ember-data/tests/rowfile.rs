//! Row files: CSV conversion equal to `read_csv` bit for bit, caches reused only while their
//! CSV is unchanged, damaged and truncated files named, foreign files never overwritten.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ember_data::csv::{CsvOptions, Missing, TargetKind, read_csv};
use ember_data::preprocessing::StandardScaler;
use ember_data::rowfile::{RowFile, RowFileWriter, RowMeta};
use ember_data::{Dataset, Matrix};
use rand::{Rng, SeedableRng, rngs::StdRng};

/// A fresh, empty directory for one test.
fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-rowfile-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

/// The names of the files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("listing")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A CSV of `n` rows of `d` features and a numeric target `y`, with awkward values (signed
/// zeros, exponents, long decimals); about `n × d × 12` bytes.
fn numeric_csv(n: usize, d: usize, seed: u64) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut text: String = (0..d).map(|j| format!("f{j},")).collect();
    text.push_str("y\n");
    for i in 0..n {
        for j in 0..d {
            let v: f64 = rng.random_range(-1e3..1e3);
            match (i + j) % 7 {
                0 => text.push_str("-0"),
                1 => write!(text, "{v:e}").expect("write"),
                _ => write!(text, "{v:.6}").expect("write"),
            }
            text.push(',');
        }
        writeln!(text, "{}", rng.random_range(-5.0..5.0f64)).expect("write");
    }
    text
}

/// A CSV of `n` rows with text labels whose first appearances come in a different order
/// in every block (so chunk-local codes differ from the sorted classes).
fn labelled_csv(n: usize) -> String {
    let names = ["zebra", "ant", "moth", "10", "9", "Émeu"];
    let mut rng = StdRng::seed_from_u64(3);
    let mut text = String::from("a,b,c,animal\n");
    for i in 0..n {
        let label = names[(i / 7919 + rng.random_range(0..3)) % names.len()];
        writeln!(
            text,
            "{},{:.5},{},{label}",
            rng.random_range(0..1000),
            rng.random_range(-1.0..1.0f64),
            i % 13
        )
        .expect("write");
    }
    text
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// `file` holds exactly what `read_csv` reads from its CSV.
fn assert_same(file: &RowFile, data: &Dataset<f32>) {
    let from_file = file.to_dataset().expect("to_dataset");
    assert_eq!(bits(from_file.x().as_slice()), bits(data.x().as_slice()));
    assert_eq!(bits(from_file.y().as_slice()), bits(data.y().as_slice()));
    assert_eq!(from_file.x().shape(), data.x().shape());
    assert_eq!(from_file.y().shape(), data.y().shape());
    assert_eq!(from_file.feature_names(), data.feature_names());
    assert_eq!(from_file.target_names(), data.target_names());
    assert_eq!(from_file.labels(), data.labels());
    assert_eq!(
        file.classes().map(<[String]>::to_vec),
        data.labels().map(|l| l.classes().to_vec())
    );
}

#[test]
fn conversion_equals_read_csv_bit_for_bit() {
    let dir = dir("round-trip");
    // Numeric targets, over several 4 MiB blocks.
    let csv = dir.join("numbers.csv");
    fs::write(&csv, numeric_csv(120_000, 6, 1)).expect("write csv");
    assert!(fs::metadata(&csv).expect("csv").len() > 2 * (4 << 20));
    let options = CsvOptions::default().target("y");
    let file = RowFile::convert_csv(&csv, &options, dir.join("numbers.rows")).expect("convert");
    assert_eq!(
        (file.n_rows(), file.n_features(), file.n_targets()),
        (120_000, 6, 1)
    );
    assert_same(&file, &read_csv::<f32>(&csv, &options).expect("read_csv"));
    // Text labels across blocks: the same class indices as read_csv's.
    let csv = dir.join("labels.csv");
    fs::write(&csv, labelled_csv(450_000)).expect("write csv");
    assert!(fs::metadata(&csv).expect("csv").len() > 2 * (4 << 20));
    let options = CsvOptions::default().target_kind(TargetKind::Labels);
    let file = RowFile::convert_csv(&csv, &options, dir.join("labels.rows")).expect("convert");
    let data = read_csv::<f32>(&csv, &options).expect("read_csv");
    assert_eq!(file.classes().map(<[String]>::len), Some(6));
    assert_eq!(file.classes().expect("classes")[..2], ["10", "9"]); // as LabelEncoder sorts text
    assert_same(&file, &data);
    // Reopened, the same again.
    assert_same(
        &RowFile::open(dir.join("labels.rows")).expect("open"),
        &data,
    );
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_truncated_file_is_named_and_its_cache_rebuilt() {
    let dir = dir("truncated");
    let csv = dir.join("data.csv");
    fs::write(&csv, numeric_csv(500, 3, 2)).expect("write csv");
    let cache = dir.join("data.rows");
    let options = CsvOptions::default();
    let (file, note) = RowFile::cached(&csv, &options, &cache).expect("first conversion");
    assert!(note.expect("a note").contains("there was none"));
    drop(file);
    let length = fs::metadata(&cache).expect("cache").len();
    let handle = fs::OpenOptions::new()
        .write(true)
        .open(&cache)
        .expect("open");
    handle.set_len(length - 1000).expect("truncate");
    drop(handle);
    let err = RowFile::open(&cache).expect_err("truncated").to_string();
    assert!(err.starts_with(&cache.display().to_string()), "{err}");
    assert!(
        err.contains(&format!("expected {length} bytes, found {}", length - 1000)),
        "{err}"
    );
    let (file, note) = RowFile::cached(&csv, &options, &cache).expect("rebuilt");
    let note = note.expect("a note");
    assert!(note.contains("truncated"), "{note}");
    assert_same(&file, &read_csv::<f32>(&csv, &options).expect("read_csv"));
    assert_eq!(fs::metadata(&cache).expect("cache").len(), length);
    // Reused now.
    assert!(
        RowFile::cached(&csv, &options, &cache)
            .expect("reused")
            .1
            .is_none()
    );
    // A file cut to its first bytes is still a row file, and rebuilt.
    fs::write(&cache, b"EMBERROW\x01\0\0").expect("write");
    assert!(
        RowFile::cached(&csv, &options, &cache)
            .expect("rebuilt")
            .1
            .is_some()
    );
    assert_eq!(listing(&dir), ["data.csv", "data.rows"]);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_cache_of_another_csv_is_rebuilt() {
    let dir = dir("other-source");
    let (first, second) = (dir.join("first.csv"), dir.join("second.csv"));
    fs::write(&first, numeric_csv(100, 4, 3)).expect("write csv");
    fs::write(&second, labelled_csv(250)).expect("write csv");
    let cache = dir.join("cache.rows");
    let options = CsvOptions::default().target_kind(TargetKind::Labels);
    RowFile::cached(&first, &options, &cache).expect("first");
    let (file, note) = RowFile::cached(&second, &options, &cache).expect("second");
    let note = note.expect("a note");
    assert!(
        note.contains("it was converted from") && note.contains("first.csv"),
        "{note}"
    );
    assert_eq!((file.n_rows(), file.n_features()), (250, 3));
    assert_same(
        &file,
        &read_csv::<f32>(&second, &options).expect("read_csv"),
    );
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_changed_csv_or_changed_options_rebuild_the_cache() {
    let dir = dir("stale");
    let csv = dir.join("data.csv");
    fs::write(&csv, numeric_csv(200, 2, 4)).expect("write csv");
    let cache = dir.join("data.rows");
    let options = CsvOptions::default();
    RowFile::cached(&csv, &options, &cache).expect("first");
    assert!(
        RowFile::cached(&csv, &options, &cache)
            .expect("reused")
            .1
            .is_none()
    );
    // Appended to: a different size.
    let mut text = fs::read_to_string(&csv).expect("read");
    text.push_str("1,2,3\n");
    fs::write(&csv, &text).expect("append");
    let (file, note) = RowFile::cached(&csv, &options, &cache).expect("rebuilt");
    assert!(note.expect("a note").contains("bytes now"));
    assert_eq!(file.n_rows(), 201);
    // Touched: the same size, another modification time.
    let handle = fs::File::options().write(true).open(&csv).expect("open");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    handle.set_modified(later).expect("touch");
    drop(handle);
    let (_, note) = RowFile::cached(&csv, &options, &cache).expect("rebuilt");
    assert!(note.expect("a note").contains("modified"));
    assert!(
        RowFile::cached(&csv, &options, &cache)
            .expect("reused")
            .1
            .is_none()
    );
    // Read another way: the options' fingerprint differs.
    let other = CsvOptions::default().target("f0");
    let (file, note) = RowFile::cached(&csv, &other, &cache).expect("rebuilt");
    assert!(note.expect("a note").contains("options changed"));
    assert_eq!(file.target_names(), ["f0"]);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_cell_after_the_first_block_leaves_no_file() {
    let dir = dir("bad-cell");
    let csv = dir.join("data.csv");
    let mut text = numeric_csv(60_000, 6, 5);
    let good_lines = text.lines().count();
    text.push_str("1,2,3,oops,5,6,7\n");
    assert!(text.len() > 4 << 20);
    fs::write(&csv, &text).expect("write csv");
    let cache = dir.join("data.rows");
    let err = RowFile::cached(&csv, &CsvOptions::default(), &cache)
        .expect_err("a bad cell")
        .to_string();
    let place = format!("{}:{}:4: ", csv.display(), good_lines + 1);
    assert!(err.starts_with(&place), "{err} (expected {place})");
    assert_eq!(listing(&dir), ["data.csv"]);
    // A missing feature kept as NaN cannot go into a row file: named by data row and column.
    let mut text = numeric_csv(60_000, 6, 5);
    text.push_str("1,2,,4,5,6,7\n");
    fs::write(&csv, &text).expect("write csv");
    let keep = CsvOptions::default().missing(Missing::Keep);
    let err = RowFile::convert_csv(&csv, &keep, &cache)
        .expect_err("NaN")
        .to_string();
    assert!(
        err.starts_with(&format!("{}: data row 60001 ", csv.display()))
            && err.contains("feature 3"),
        "{err}"
    );
    assert_eq!(listing(&dir), ["data.csv"]);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_that_is_not_a_row_file_is_never_overwritten() {
    let dir = dir("foreign");
    let csv = dir.join("data.csv");
    fs::write(&csv, numeric_csv(50, 2, 6)).expect("write csv");
    let precious = dir.join("notes.txt");
    let content = b"my thesis, chapter 3\n".repeat(100);
    fs::write(&precious, &content).expect("write");
    let options = CsvOptions::default();
    let err = RowFile::cached(&csv, &options, &precious)
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("not an ember row file") && err.contains("notes.txt"),
        "{err}"
    );
    assert!(RowFile::convert_csv(&csv, &options, &precious).is_err());
    assert!(RowFileWriter::create(&precious, 2, 1).is_err());
    assert!(RowFile::open(&precious).is_err());
    // The CSV itself as the cache: refused too.
    assert!(RowFile::cached(&csv, &options, &csv).is_err());
    fs::write(dir.join("empty"), b"").expect("write");
    assert!(RowFile::cached(&csv, &options, dir.join("empty")).is_err());
    assert_eq!(fs::read(&precious).expect("read"), content);
    assert_eq!(listing(&dir), ["data.csv", "empty", "notes.txt"]);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn read_rows_equals_the_rows_in_memory() {
    let dir = dir("property");
    let mut rng = StdRng::seed_from_u64(11);
    for case in 0..60 {
        let (n, d, k) = (
            rng.random_range(1..400),
            rng.random_range(1..24),
            rng.random_range(0..3),
        );
        let x = Matrix::from_fn(n, d, |_, _| rng.random_range(-1e6..1e6f32));
        let y = Matrix::from_fn(n, k, |_, _| rng.random::<f32>());
        let path = dir.join(format!("case{case}.rows"));
        let mut writer = RowFileWriter::create(&path, d, k).expect("create");
        // Pushed in uneven pieces.
        let mut start = 0;
        while start < n {
            let end = (start + rng.random_range(1..50)).min(n);
            let xs = &x.as_slice()[start * d..end * d];
            writer
                .push(xs, &y.as_slice()[start * k..end * k])
                .expect("push");
            start = end;
        }
        let file = writer.finish(RowMeta::default()).expect("finish");
        assert_eq!(file.y(), &y);
        for _ in 0..10 {
            let m = rng.random_range(0..2 * n);
            let rows: Vec<usize> = if rng.random_bool(0.3) {
                let s = rng.random_range(0..n);
                (s..n.min(s + m)).collect()
            } else {
                (0..m).map(|_| rng.random_range(0..n)).collect()
            };
            let mut out = vec![7.0];
            file.read_rows(&rows, &mut out).expect("read_rows");
            let expected = x.select_rows(&rows);
            assert_eq!(bits(&out[1..]), bits(expected.as_slice()), "case {case}");
        }
        let mut out = vec![1.0];
        assert!(
            file.read_rows(&[0, n], &mut out)
                .expect_err("out of range")
                .to_string()
                .contains(&format!("row {n} is out of range"))
        );
        assert_eq!(out, [1.0]);
        fs::remove_file(&path).expect("remove");
    }
    assert!(listing(&dir).is_empty());
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn column_moments_are_the_standard_scalers() {
    let dir = dir("moments");
    let mut rng = StdRng::seed_from_u64(12);
    let n = 300_000; // several passes' blocks
    let x = Matrix::from_fn(n, 4, |_, j| match j {
        0 => rng.random_range(-1.0..1.0f32),
        1 => 1e4 + rng.random_range(0.0..1e-2f32), // a large mean, a small spread
        2 => 3.5,                                  // constant
        _ => rng.random_range(0.0..1e6f32),
    });
    let path = dir.join("m.rows");
    let mut writer = RowFileWriter::create(&path, 4, 0).expect("create");
    writer.push(x.as_slice(), &[]).expect("push");
    let file = writer.finish(RowMeta::default()).expect("finish");
    let moments = file.column_moments().expect("moments");
    let scaler = StandardScaler::fit(&x).expect("fit");
    for j in 0..4 {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300);
        assert!(close(moments.mean[j], scaler.mean()[j]), "mean {j}");
        assert!(close(moments.scale()[j], scaler.scale()[j]), "scale {j}");
    }
    assert_eq!(moments.std[2], 0.0);
    assert_eq!(moments.scale()[2], 1.0);
    let from_moments = moments.scaler().expect("scaler");
    assert_eq!(from_moments.mean(), moments.mean.as_slice());
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unfinished_writer_leaves_nothing() {
    let dir = dir("unfinished");
    let path = dir.join("a.rows");
    let mut writer = RowFileWriter::create(&path, 2, 1).expect("create");
    writer.push(&[1.0, 2.0], &[3.0]).expect("push");
    assert_eq!(listing(&dir).len(), 1); // the temporary
    let err = writer
        .push(&[1.0, f32::NAN], &[3.0])
        .expect_err("NaN")
        .to_string();
    assert!(err.contains("row 1, column 1"), "{err}");
    assert!(writer.push(&[1.0, 2.0], &[]).is_err());
    drop(writer);
    assert!(listing(&dir).is_empty());
    // Class indices out of range, or names that do not fit, are refused at the end.
    let mut writer = RowFileWriter::create(&path, 1, 1).expect("create");
    writer.push(&[1.0, 2.0], &[0.0, 2.0]).expect("push");
    let meta = RowMeta {
        classes: Some(vec!["a".into(), "b".into()]),
        ..RowMeta::default()
    };
    assert!(
        writer
            .finish(meta)
            .expect_err("class 2")
            .to_string()
            .contains("not a class index")
    );
    let mut writer = RowFileWriter::create(&path, 1, 1).expect("create");
    writer.push(&[1.0], &[0.0]).expect("push");
    let meta = RowMeta {
        feature_names: vec!["a".into(), "b".into()],
        ..RowMeta::default()
    };
    assert!(writer.finish(meta).is_err());
    assert!(listing(&dir).is_empty());
    fs::remove_dir_all(&dir).ok();
}
