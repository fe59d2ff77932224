//! ember's side of `scripts/gpu_check.sh`: the adapter wgpu found and the table of
//! `gpu_table.rs` on it (MLP training at batch 128 and 1,024, OLS through the device Gram path,
//! Predictor batch 1,024), written to OUT_DIR/gpu_check.json.
//!
//! `cargo bench -p ember --features wgpu --bench gpu_check -- [OUT_DIR] [--small] [--device D]`:
//! `--small` for a software adapter (the script passes it when wgpu finds no GPU), `--device`
//! `wgpu` (the default) or a CPU backend, for the same table on the CPU.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "common.rs"]
mod common;
#[path = "gpu_table.rs"]
mod gpu_table;

use ember::DeviceChoice;
use gpu_table::{Sizes, render, table};

fn main() -> anyhow::Result<()> {
    let out = common::out_dir()?;
    let args: Vec<String> = std::env::args().collect();
    let small = args.iter().any(|a| a == "--small");
    let choice: DeviceChoice = args
        .iter()
        .position(|a| a == "--device")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(DeviceChoice::Wgpu), |s| s.parse())?;
    let adapter = match choice {
        DeviceChoice::Wgpu => ember::wgpu_adapter()?.0,
        other => other.to_string(),
    };
    let device = choice.device()?;
    let sizes = if small { Sizes::SMALL } else { Sizes::FULL };
    let rows = table(&device, sizes)?;
    print!("{}", render(&adapter, &rows));
    let report = serde_json::json!({"adapter": adapter, "small": small, "rows": rows});
    std::fs::write(out.join("gpu_check.json"), report.to_string())?;
    Ok(())
}
