//! Plots land as whole PNG/SVG files, replacing old ones, leaving no temporary files behind.

use std::path::PathBuf;

use ember_plot::{PlotError, ScatterLine};

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ember-plot-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn plot<'a>(x: &'a [f64], y: &'a [f64]) -> ScatterLine<'a> {
    ScatterLine::new("y = 1.000 + 2.000·x", x, y, [(0.0, 1.0), (2.0, 5.0)])
        .with_axis_labels("x", "y")
        .with_legend("data", "least-squares line")
}

#[test]
fn png_and_svg_are_written_whole() -> Result<(), PlotError> {
    let dir = scratch_dir("formats");
    let (x, y) = ([0.0, 1.0, 2.0], [1.1, 2.9, 5.2]);
    let png = dir.join("fit.png");
    std::fs::write(&png, b"an older file").expect("seed an old file");
    plot(&x, &y).save(&png)?;
    let bytes = std::fs::read(&png).expect("read png");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    // IHDR: width and height, big-endian, right after the signature and chunk header.
    assert_eq!(
        u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]),
        800
    );
    assert_eq!(
        u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]),
        600
    );

    let svg = dir.join("fit.svg");
    plot(&x, &y).save(&svg)?;
    let text = std::fs::read_to_string(&svg).expect("read svg");
    for needle in [
        "<svg",
        "y = 1.000 + 2.000·x",
        "least-squares line",
        "</svg>",
    ] {
        assert!(text.contains(needle), "SVG lacks {needle:?}");
    }
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
    Ok(())
}

#[test]
fn bad_requests_are_errors_that_name_the_file() {
    let dir = scratch_dir("errors");
    let (x, y) = ([0.0, 1.0], [1.0, 3.0]);
    let err = plot(&x, &y).save(&dir.join("fit.jpg")).unwrap_err();
    assert!(
        err.to_string().contains("fit.jpg") && err.to_string().contains("unsupported"),
        "{err}"
    );
    let missing = dir.join("no-such-folder").join("fit.png");
    let err = plot(&x, &y).save(&missing).unwrap_err();
    assert!(err.to_string().contains("no-such-folder"), "{err}");
    let err = plot(&x, &[1.0]).save(&dir.join("fit.svg")).unwrap_err();
    assert_eq!(err.to_string(), "cannot plot: 2 x values and 1 y values");
}
