//! IDX files: headers are checked, truncated or malformed files are errors, not panics.

use std::io::Write;

use ember_data::idx::{IdxArray, mnist};

fn idx(kind: u8, shape: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, kind, shape.len() as u8];
    for s in shape {
        bytes.extend(s.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

fn err(bytes: &[u8]) -> String {
    IdxArray::<f32>::from_bytes("f.idx", bytes)
        .expect_err("a malformed file")
        .to_string()
}

#[test]
fn element_types_are_read_big_endian() -> Result<(), ember_data::DataError> {
    let a = IdxArray::<f64>::from_bytes("a", &idx(0x0B, &[2], &[0xFF, 0xFE, 0x01, 0x00]))?;
    assert_eq!(a.values(), &[-2.0, 256.0]);
    let a = IdxArray::<f64>::from_bytes("a", &idx(0x0D, &[1], &1.5f32.to_be_bytes()))?;
    assert_eq!(a.values(), &[1.5]);
    let a = IdxArray::<f64>::from_bytes("a", &idx(0x09, &[1, 1], &[0x80]))?;
    assert_eq!((a.shape(), a.values()), (&[1, 1][..], &[-128.0][..]));
    Ok(())
}

#[test]
fn bad_headers_and_lengths_are_errors() {
    assert!(err(&[0, 0]).contains("shorter than the 4-byte magic number"));
    assert!(err(&[1, 0, 8, 1, 0, 0, 0, 0]).contains("the magic number starts with 0x01 0x00"));
    assert!(err(&idx(0x07, &[1], &[0])).contains("element type code 0x07"));
    assert_eq!(
        err(&[0, 0, 8, 3, 0, 0, 0, 1]),
        "f.idx: truncated: the header of 3 dimensions needs 16 bytes, the file has 8"
    );
    assert_eq!(
        err(&idx(0x08, &[2, 3], &[1, 2, 3, 4])),
        "f.idx: truncated: the header gives shape [2, 3] of u8 (6 bytes of data), the file has 4"
    );
    assert!(err(&idx(0x08, &[1], &[1, 2])).starts_with("f.idx: 1 bytes after the data"));
    assert!(err(&idx(0x0C, &[u32::MAX, u32::MAX, u32::MAX], &[])).contains("overflows"));
}

#[test]
fn truncated_gzip_is_an_error() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&idx(0x08, &[1000], &[7; 1000]))
        .expect("write");
    let bytes = gz.finish().expect("gzip");
    let m = err(&bytes[..bytes.len() - 20]);
    assert!(m.starts_with("f.idx: cannot decompress"), "{m}");
}

#[test]
fn mnist_checks_that_images_and_labels_agree() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("ember-idx-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let images = dir.join("images.idx");
    let labels = dir.join("labels.idx");
    std::fs::write(
        &images,
        idx(0x08, &[2, 2, 2], &[0, 255, 51, 102, 0, 0, 0, 0]),
    )?;
    std::fs::write(&labels, idx(0x08, &[2], &[3, 9]))?;
    let data = mnist::<f32>(&images, &labels)?;
    assert_eq!(data.x().row(0), &[0.0, 1.0, 0.2, 0.4]);
    assert_eq!(data.y().as_slice(), &[3.0, 9.0]);
    assert_eq!(data.feature_names()[3], "pixel_1_1");
    std::fs::write(&labels, idx(0x08, &[3], &[3, 9, 1]))?;
    let m = mnist::<f32>(&images, &labels).unwrap_err().to_string();
    assert!(
        m.contains("expected 2 labels (one per image), the header gives shape [3]"),
        "{m}"
    );
    std::fs::write(&labels, idx(0x08, &[2], &[3, 10]))?;
    let m = mnist::<f32>(&images, &labels).unwrap_err().to_string();
    assert!(
        m.ends_with("labels.idx: label 1 is 10, not a digit 0..9"),
        "{m}"
    );
    std::fs::remove_dir_all(dir)?;
    Ok(())
}
