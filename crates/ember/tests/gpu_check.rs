//! The table `scripts/gpu_check.sh` prints, run small on the adapter wgpu finds (Mesa's
//! lavapipe in CI; skipped without one unless `EMBER_REQUIRE_WGPU=1`), so the script's table
//! works the day a GPU is lent: every figure positive and finite, the MLP's loss finite, the
//! Predictor's probabilities summing to one, and OLS through the device Gram path giving the R²
//! of the `f64` least-squares fit on the CPU.

#![cfg(feature = "wgpu")]
#![allow(clippy::unwrap_used)]

#[path = "../../../benches/gpu_table.rs"]
mod gpu_table;

use ember::DeviceChoice;
use gpu_table::{Sizes, ols, render, table};

#[test]
fn the_gpu_check_table_runs_small_on_the_wgpu_adapter() {
    let device = match DeviceChoice::Wgpu.device() {
        Ok(device) => device,
        Err(e) if std::env::var("EMBER_REQUIRE_WGPU").as_deref() == Ok("1") => {
            panic!("wgpu is required (EMBER_REQUIRE_WGPU=1) but unavailable: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED the gpu_check table: {e}");
            return;
        }
    };
    let (adapter, _) = ember::wgpu_adapter().unwrap();
    let rows = table(&device, Sizes::SMALL).unwrap();
    println!("{}", render(&adapter, &rows));
    assert_eq!(rows.len(), 4);
    for row in &rows {
        assert!(row.value.is_finite() && row.value > 0.0, "{row:?}");
    }
    for row in &rows[..2] {
        let loss: f64 = row.check.trim_start_matches("final loss ").parse().unwrap();
        assert!(loss.is_finite() && loss > 0.0, "{row:?}");
    }
    let sum: f64 = rows[3].check.rsplit(' ').next().unwrap().parse().unwrap();
    assert!((sum - 1.0).abs() < 1e-5, "{:?}", rows[3]);
    // The device Gram path is refined in f64: the R² of the host's f64 fit to 1e-9.
    let r2_gpu: f64 = rows[2].check.trim_start_matches("R2 ").parse().unwrap();
    let (_, r2_cpu) = ols(&DeviceChoice::Flex.device().unwrap(), Sizes::SMALL.ols_rows).unwrap();
    assert!((r2_gpu - r2_cpu).abs() < 1e-11, "{r2_gpu} vs {r2_cpu}");
}
