#!/usr/bin/env bash
# The GPU path in one command: which adapter wgpu finds (and why none), the backend tests on it,
# then one table — MLP 784-256-128-10 training samples/s at batch 128 and 1,024, OLS
# 1,000,000 × 100 through the device Gram path, Predictor batch-1,024 throughput — beside
# PyTorch on the same GPU where PyTorch with CUDA works there. Without a GPU it says so and runs
# the same table small on the software adapter (Mesa's lavapipe), which is also what the test
# crates/ember/tests/gpu_check.rs runs in CI.
#
#   scripts/gpu_check.sh [OUT_DIR]        (default target/gpu-check; about 6 minutes on a GPU
#                                          machine with a cold build, most of it the build)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/gpu-check}"
mkdir -p "$out"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

echo "== What this machine has"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
else
  echo "nvidia-smi: not found (no NVIDIA driver, or not on PATH)"
fi
icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null || true)
if [ -z "$icds" ]; then
  echo "Vulkan: no driver file in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d — wgpu will find no adapter."
  echo "        NVIDIA: the driver's nvidia_icd.json; no GPU: apt-get install mesa-vulkan-drivers libvulkan1"
else
  echo "Vulkan driver files:"; echo "$icds" | sed 's/^/  /'
fi

echo "== Building (release, wgpu)"
cargo build --release -p ember --all-features --benches --tests --quiet || exit 1

echo "== The adapter wgpu finds"
bench="cargo bench --quiet -p ember --all-features --bench gpu_check --"
# The small table names the adapter on its first line, and fails when there is none.
small=""
if ! $bench "$out/probe" --small > "$out/probe.txt" 2>&1; then
  echo "wgpu found no adapter:"; sed 's/^/  /' "$out/probe.txt"; exit 1
fi
head -1 "$out/probe.txt" | sed 's/^ember on /  /'
if grep -q "(Cpu," "$out/probe.txt"; then
  echo "  That is a software adapter (no GPU here): the table runs small, and its figures say nothing of a GPU."
  small="--small"
fi

echo "== Backend tests on it (EMBER_REQUIRE_WGPU=1: an adapter that cannot start fails them)"
EMBER_REQUIRE_WGPU=1 cargo test --release --quiet -p ember --all-features --test backends --test gpu_check || exit 1

echo "== The table"
if [ -n "$small" ]; then
  cat "$out/probe.txt"
else
  $bench "$out" || exit 1
fi
python3 benches/gpu_peer.py "$out" $small
status=$?
if [ $status -eq 3 ]; then
  echo "(no PyTorch row: PyTorch with CUDA does not run here)"
elif [ $status -ne 0 ]; then
  echo "the PyTorch peer failed (exit $status)"; exit 1
fi
