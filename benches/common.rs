//! What every benchmark binary shares.

use std::path::PathBuf;

use anyhow::Context;

/// The output folder: the first argument that is not a flag, by default the workspace's
/// `target/bench-data` (never inside the source tree); created if missing.
pub fn out_dir() -> anyhow::Result<PathBuf> {
    let out = PathBuf::from(
        std::env::args()
            .skip(1)
            .find(|a| !a.starts_with("--"))
            .unwrap_or_else(|| {
                concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench-data").into()
            }),
    );
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    Ok(out)
}

/// The process's peak resident memory (Linux `VmHWM`), in MB.
#[allow(dead_code)] // not every benchmark reports memory
pub fn peak_rss_mb() -> anyhow::Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmHWM in /proc/self/status")?;
    Ok(kb * 1024.0 / 1e6)
}
