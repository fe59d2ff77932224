#!/usr/bin/env python3
"""ember against its peers, side by side, on the same data: one command, one table per case.

    pip install scikit-learn numpy pandas   # the peers
    python3 benches/compare.py              # every case: builds and runs ember's bench, then the peers
    python3 benches/compare.py csv          # one case (ols, csv)
    python3 benches/compare.py ols --all-features   # other arguments go to `cargo bench`

Cases (best of 3 runs each):
- ols: ordinary least squares with intercept on 1,000,000 x 100 float32, against scikit-learn
  and numpy;
- csv: reading a 1,000,000 x 101 CSV file (~1.1 GB) into a matrix, against pandas.read_csv,
  with each side's peak memory;
- mlp: three epochs of an MLP 784-256-128-10 (ReLU, Adam, batch 128) on 60,000 x 784 float32,
  ember's training loop and a bare burn loop against PyTorch and scikit-learn's MLPClassifier,
  all on 2 threads (pip install torch scikit-learn); runs alternate: each side's fastest epoch
  and its three epochs together (the later epochs are slower where Adam's moments go subnormal);
- convnet: the user-defined ConvNet of examples/convnet.rs (conv 3x3 8, pool, conv 3x3 16, pool,
  dropout, 400-64-10; Adam, batch 64) trained through ember's loop from burn's InMemDataset +
  Batcher, against the same network in PyTorch, on MNIST (data/mnist, from
  scripts/fetch_mnist.sh; random images of its shape when absent), 2 threads, runs alternate:
  seconds per epoch (best) and test accuracy after EMBER_CONVNET_EPOCHS epochs (default 2);
- predict: serving an MLP 784-256-128-10 from a model file, class probabilities for one row
  (median latency) and for batches of 1,024 rows (throughput), ember's Predictor against
  PyTorch (torch.inference_mode) on 2 threads, with the same weights (ember's safetensors
  export, read with pip's safetensors) and a check that both give the same probabilities;
- mlp_file: the mlp case's network, one epoch trained from memory (`train`) and one from a row
  file in the page cache (`FileData` + `train_on`), alternating, 2 threads: samples/s of each
  and their ratio (target: the file at 0.80x of memory or better);
- linear_gd: one epoch of linear regression by SGD (batch 256, lr 0.01) on 1,000,000 x 100
  float32, ember's training loop against PyTorch's nn.Linear loop and scikit-learn's
  SGDRegressor (per sample), alternating, 2 threads: seconds (best and spread of 3), samples/s.
- train_cli: `ember train` on a Fashion-MNIST-sized set (60,000 + 10,000 seeded 28x28 uint8
  images in IDX files, 10 classes), MLP 784-256-128-10, Adam, batch 128, 10 epochs, end to end
  (process start to model file, train and test scores written), against the same run as a
  PyTorch script (read the IDX files, train, score, torch.save), 2 threads, runs alternate:
  wall-clock seconds (best and spread of 3) and test accuracy.
The peers run with the machine's threads (set OMP_NUM_THREADS etc. to pin them).
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench-data")
REPEATS = 3


def best_of(fn):
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def r2(y, pred):
    y = y.astype(np.float64)
    pred = pred.astype(np.float64)
    return 1.0 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2)


def cargo_bench(name, cargo_args):
    subprocess.run(
        ["cargo", "bench", "-p", "ember", "--bench", name, *cargo_args, "--", OUT],
        cwd=ROOT,
        check=True,
    )


PANDAS = """
import json, resource, sys, time
import pandas as pd
times = []
for run in range(int(sys.argv[2])):
    start = time.perf_counter()
    frame = pd.read_csv(sys.argv[1])
    times.append(time.perf_counter() - start)
    if run == 0:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    X = frame.drop(columns="y").to_numpy()
    del frame
print(json.dumps({"seconds": min(times), "peak_mb": peak, "shape": list(X.shape), "dtype": str(X.dtype)}))
"""


def csv_case(cargo_args):
    """ember's bench (best of its reads) and pandas (one read, in a process of its own so that
    its peak memory is its own) in turn, REPEATS rounds: best and spread of each side."""
    path = os.path.join(OUT, "table.csv")
    embers, pandas_runs = [], []
    for _ in range(REPEATS):
        cargo_bench("csv", cargo_args)
        with open(os.path.join(OUT, "ember_csv.json")) as f:
            embers.append(json.load(f))
        done = subprocess.run(
            [sys.executable, "-c", PANDAS, path, "1"], check=True, capture_output=True, text=True
        )
        pandas_runs.append(json.loads(done.stdout))
    ember = embers[0]
    e = [r["seconds"] for r in embers]
    p = [r["seconds"] for r in pandas_runs]
    mb = ember["bytes"] / 1e6
    print()
    print(f"CSV, {ember['n']:,} rows x {ember['d'] + 1} columns, {mb:.0f} MB, {REPEATS} rounds alternating, best (spread) ({os.cpu_count()} cores)")
    print("| implementation | time (s) | MB/s | ember speed-up | peak memory (MB) |")
    print("|---|---|---|---|---|")
    print(f"| ember read_csv::<f32> | {min(e):.2f} ({min(e):.2f}-{max(e):.2f}) | {mb / min(e):.0f} | 1.0x | {max(r['peak_mb'] for r in embers):.0f} |")
    print(f"| pandas.read_csv ({pandas_runs[0]['dtype']}) | {min(p):.2f} ({min(p):.2f}-{max(p):.2f}) | {mb / min(p):.0f} | {min(p) / min(e):.2f}x | {max(r['peak_mb'] for r in pandas_runs):.0f} |")
    print(f"\nthe f32 result itself is {ember['matrix_mb']:.0f} MB")
    return 0


# The MLP 784-256-128-10 with Adam in PyTorch, and one shuffled epoch of it at batch 128: the
# mlp and train_cli cases' peer.
TORCH_MLP = """
torch.manual_seed(0)
nn = torch.nn
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
def train_epoch(X, y):
    perm = torch.randperm(len(y))
    for b in range(0, len(y), 128):
        idx = perm[b:b + 128]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
"""

TORCH = """
import json, sys, time
import numpy as np, torch
torch.set_num_threads(2)
out = sys.argv[1]
X = torch.from_numpy(np.fromfile(out + "/mlp_X.f32", dtype="<f4").reshape(60000, 784))
y = torch.from_numpy(np.fromfile(out + "/mlp_y.u8", dtype=np.uint8).astype(np.int64))
""" + TORCH_MLP + """
epochs = []
for epoch in range(3):
    start = time.perf_counter()
    train_epoch(X, y)
    epochs.append(time.perf_counter() - start)
print(json.dumps({"epochs_s": epochs, "version": torch.__version__}))
"""

TORCH_LINEAR_GD = """
import json, sys, time
import numpy as np, torch
torch.set_num_threads(2)
out = sys.argv[1]
X = torch.from_numpy(np.fromfile(out + "/linear_gd_X.f32", dtype="<f4").reshape(1000000, 100))
y = torch.from_numpy(np.fromfile(out + "/linear_gd_y.f32", dtype="<f4").reshape(1000000, 1))
torch.manual_seed(0)
model = torch.nn.Linear(100, 1)
torch.nn.init.zeros_(model.weight); torch.nn.init.zeros_(model.bias)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = torch.nn.MSELoss()
start = time.perf_counter()
perm = torch.randperm(1000000)
total = 0.0
for b in range(0, 1000000, 256):
    idx = perm[b:b + 256]
    opt.zero_grad()
    loss = loss_fn(model(X[idx]), y[idx])
    loss.backward()
    opt.step()
    total += loss.item() * len(idx)
epoch = time.perf_counter() - start
print(json.dumps({"epoch_s": epoch, "train_mse": total / 1000000, "version": torch.__version__}))
"""

SKLEARN_SGD = """
import json, sys, time, warnings
import numpy as np
from sklearn.linear_model import SGDRegressor
import sklearn
out = sys.argv[1]
X = np.fromfile(out + "/linear_gd_X.f32", dtype="<f4").reshape(1000000, 100)
y = np.fromfile(out + "/linear_gd_y.f32", dtype="<f4")
warnings.filterwarnings("ignore")
model = SGDRegressor(max_iter=1, tol=None, learning_rate="constant", eta0=0.01, penalty=None, random_state=0)
start = time.perf_counter()
model.fit(X, y)
epoch = time.perf_counter() - start
mse = float(np.mean((model.predict(X) - y) ** 2))
print(json.dumps({"epoch_s": epoch, "mse_after": mse, "version": sklearn.__version__}))
"""

SKLEARN_MLP = """
import json, sys, time, warnings
import numpy as np
from threadpoolctl import threadpool_limits
from sklearn.neural_network import MLPClassifier
out = sys.argv[1]
X = np.fromfile(out + "/mlp_X.f32", dtype="<f4").reshape(60000, 784)
y = np.fromfile(out + "/mlp_y.u8", dtype=np.uint8)
warnings.filterwarnings("ignore")
best = float("inf")
with threadpool_limits(2):
    for _ in range(2):
        model = MLPClassifier((256, 128), batch_size=128, max_iter=1, learning_rate_init=1e-3, random_state=0)
        start = time.perf_counter()
        model.fit(X, y)
        best = min(best, time.perf_counter() - start)
print(json.dumps({"epoch_s": best}))
"""


TORCH_PREDICT = """
import json, sys, time
import numpy as np, torch
from safetensors.torch import load_file
torch.set_num_threads(2)
out = sys.argv[1]
w = load_file(out + "/predict_model.safetensors")
nn = torch.nn
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
with torch.no_grad():
    for i, layer in enumerate([model[0], model[2], model[4]]):
        layer.weight.copy_(w[f"layers.{i}.weight"])
        layer.bias.copy_(w[f"layers.{i}.bias"])
X = torch.from_numpy(np.fromfile(out + "/predict_X.f32", dtype="<f4").reshape(1024, 784))
ember = np.fromfile(out + "/predict_proba.f32", dtype="<f4").reshape(1024, 10)
with torch.inference_mode():
    proba = model(X).softmax(-1).numpy()
    diff = float(np.abs(proba - ember).max())
    times = []
    for i in range(21000):
        row = X[i % 1024:i % 1024 + 1]
        start = time.perf_counter()
        model(row).softmax(-1)
        times.append(time.perf_counter() - start)
    times = sorted(times[1000:])
    for _ in range(5):
        model(X).softmax(-1)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(20):
            model(X).softmax(-1)
        best = min(best, (time.perf_counter() - start) / 20)
print(json.dumps({"single_median_us": times[len(times) // 2] * 1e6, "batch_ms": best * 1e3,
                  "batch_rows_per_s": 1024 / best, "max_abs_diff": diff, "version": torch.__version__}))
"""


TORCH_CONVNET = """
import json, os, sys, time
import numpy as np, torch
torch.set_num_threads(2)
out = sys.argv[1]
epochs = int(os.environ.get("EMBER_CONVNET_EPOCHS", "2"))
def load(name):
    y = np.fromfile(out + f"/{name}_y.u8", dtype=np.uint8).astype(np.int64)
    X = np.fromfile(out + f"/{name}_x.f32", dtype="<f4").reshape(len(y), 1, 28, 28)
    return torch.from_numpy(X), torch.from_numpy(y)
X, y = load("convnet_train")
Xt, yt = load("convnet_test")
torch.manual_seed(0)
nn = torch.nn
model = nn.Sequential(
    nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Dropout(0.25), nn.Linear(400, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
best = float("inf")
for epoch in range(epochs):
    model.train()
    start = time.perf_counter()
    perm = torch.randperm(len(y))
    for b in range(0, len(y), 64):
        idx = perm[b:b + 64]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
    best = min(best, time.perf_counter() - start)
model.eval()
with torch.no_grad():
    accuracy = float((model(Xt).argmax(1) == yt).float().mean())
print(json.dumps({"epoch_s": best, "test_accuracy": accuracy, "version": torch.__version__}))
"""


def peer(script, env=None):
    done = subprocess.run(
        [sys.executable, "-c", script, OUT], check=True, capture_output=True, text=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(done.stdout)


THREADS = {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "RAYON_NUM_THREADS": "2"}


def alternate(bench, script, cargo_args):
    """ember's bench `bench` and the peer `script`, in turn REPEATS times on 2 threads, so that a
    noisy moment of the machine hits both sides; each side's results."""
    ember, others = [], []
    for _ in range(REPEATS):
        subprocess.run(
            ["cargo", "bench", "-p", "ember", "--bench", bench, *cargo_args, "--", OUT],
            cwd=ROOT, check=True, env={**os.environ, **THREADS},
        )
        with open(os.path.join(OUT, f"ember_{bench}.json")) as f:
            ember.append(json.load(f))
        others.append(peer(script, THREADS))
    return ember, others


def spread(times):
    """`best (min-max)` of a side's runs."""
    return f"{min(times):.3f} ({min(times):.3f}-{max(times):.3f})"


def mlp_case(cargo_args):
    """Each side's fastest epoch, and its three epochs together: after the first epoch, Adam's
    moments of units that stopped learning decay through subnormal floats, which some CPUs
    (Intel's) compute far more slowly, so the later epochs can take longer than the first."""
    ember, torch = alternate("mlp", TORCH, cargo_args)
    sklearn = [peer(SKLEARN_MLP, THREADS)]
    t = min(min(r["epochs_s"]) for r in torch)
    t3 = min(sum(r["epochs_s"]) for r in torch)
    n = ember[0]["n"]
    print()
    print(f"MLP 784-256-128-10, Adam, batch 128, epochs of {n:,} x 784 float32, 2 threads, {REPEATS} runs alternating, best (spread)")
    print("| implementation | fastest epoch (s) | samples/s | ratio to PyTorch | 3 epochs (s) | ratio to PyTorch |")
    print("|---|---|---|---|---|---|")
    for name, runs in [
        ("ember `train` (flex, mimalloc)", [r["ember_epochs_s"] for r in ember]),
        ("ember `Trainer` from burn's InMemDataset + Batcher", [r["dataset_epochs_s"] for r in ember]),
        ("bare burn loop (flex, mimalloc)", [r["bare_epochs_s"] for r in ember]),
        (f"PyTorch {torch[0]['version']}", [r["epochs_s"] for r in torch]),
    ]:
        best = [min(r) for r in runs]
        whole = [sum(r) for r in runs]
        print(f"| {name} | {spread(best)} | {n / min(best):,.0f} | {t / min(best):.2f}x "
              f"| {spread(whole)} | {t3 / min(whole):.2f}x |")
    one = sklearn[0]["epoch_s"]
    print(f"| scikit-learn MLPClassifier (one epoch, one run) | {one:.3f} | {n / one:,.0f} | {t / one:.2f}x | | |")
    return 0


def mlp_file_case(cargo_args):
    subprocess.run(
        ["cargo", "bench", "-p", "ember", "--bench", "mlp_file", *cargo_args, "--", OUT],
        cwd=ROOT, check=True, env={**os.environ, **THREADS},
    )
    with open(os.path.join(OUT, "ember_mlp_file.json")) as f:
        r = json.load(f)
    n, memory, from_file = r["n"], r["memory_epoch_s"], r["file_epoch_s"]
    print()
    print(f"MLP 784-256-128-10, Adam, batch 128, one epoch of {n:,} x 784 float32, 2 threads, "
          f"{r['rounds']} rounds alternating, best (spread)")
    print("| data | epoch (s) | samples/s |")
    print("|---|---|---|")
    for name, times in [("in memory (`train`)", memory),
                        (f"row file, {r['file_bytes'] / 1e6:.0f} MB in the page cache (`FileData`)", from_file)]:
        print(f"| {name} | {min(times):.3f} ({min(times):.3f}-{max(times):.3f}) | {n / min(times):,.0f} |")
    ratio = min(memory) / min(from_file)
    print(f"\nrow file / memory, samples/s: {ratio:.2f}x ({'ok' if ratio >= 0.8 else 'BELOW'} the 0.80x target)")
    return 0 if ratio >= 0.8 else 1


def linear_gd_case(cargo_args):
    ember, torch = alternate("linear_gd", TORCH_LINEAR_GD, cargo_args)
    sklearn = [peer(SKLEARN_SGD, THREADS) for _ in range(REPEATS)]
    n = ember[0]["n"]
    print()
    print(f"Linear regression by SGD, one epoch of {n:,} x 100 float32, batch 256, lr 0.01, 2 threads, best of {REPEATS} (spread)")
    print("| implementation | epoch (s) | samples/s | ratio to the faster peer | training MSE over the epoch |")
    print("|---|---|---|---|---|")
    rows = [
        ("ember `train` (flex, mimalloc)", [r["epoch_s"] for r in ember], ember[0]["train_mse"]),
        ("ember, the whole `train` call (data copied in and hashed)", [r["call_s"] for r in ember], None),
        (f"PyTorch {torch[0]['version']} `nn.Linear` loop", [r["epoch_s"] for r in torch], torch[0]["train_mse"]),
        (f"scikit-learn {sklearn[0]['version']} `SGDRegressor` (per sample)", [r["epoch_s"] for r in sklearn], None),
    ]
    fastest_peer = min(min(rows[2][1]), min(rows[3][1]))
    for name, times, mse in rows:
        best = min(times)
        cell = f"{mse:.5f}" if mse is not None else "-"
        print(f"| {name} | {best:.3f} ({min(times):.3f}-{max(times):.3f}) | {n / best:,.0f} | {fastest_peer / best:.2f}x | {cell} |")
    print(f"\nscikit-learn's MSE after its epoch: {sklearn[0]['mse_after']:.5f}")
    return 0


def convnet_case(cargo_args):
    ember, torch = alternate("convnet", TORCH_CONVNET, cargo_args)
    t = min(r["epoch_s"] for r in torch)
    n = ember[0]["n"]
    data = "MNIST" if ember[0]["real_mnist"] else "random images of MNIST's shape"
    print()
    print(f"ConvNet of examples/convnet.rs, Adam, batch 64, {n:,} images of {data}, 2 threads, best epoch of {REPEATS} runs (spread)")
    print("| implementation | epoch (s) | samples/s | ratio to PyTorch | test accuracy after "
          f"{ember[0]['epochs']} epochs (min-max) |")
    print("|---|---|---|---|---|")
    for name, runs in [
        ("ember `Trainer` (flex, mimalloc; InMemDataset + Batcher)", ember),
        (f"PyTorch {torch[0]['version']}", torch),
    ]:
        times = [r["epoch_s"] for r in runs]
        acc = [r["test_accuracy"] for r in runs]
        print(f"| {name} | {spread(times)} | {n / min(times):,.0f} | {t / min(times):.2f}x | {min(acc):.4f}-{max(acc):.4f} |")
    return 0


def ols_case(cargo_args):
    """ember's bench and the peers in turn, REPEATS rounds: best and spread of each side."""
    rows = {}
    ember_runs = []
    for _ in range(REPEATS):
        cargo_bench("ols", cargo_args)
        with open(os.path.join(OUT, "ember.json")) as f:
            ember_runs.append(json.load(f))
        for name, (seconds, r2_value) in ols_peers(ember_runs[0]["n"], ember_runs[0]["d"]).items():
            rows.setdefault(name, ([], r2_value))[0].append(seconds)
    ember = ember_runs[0]
    n, d = ember["n"], ember["d"]
    e_times = [r["seconds"] for r in ember_runs]
    e_best = min(e_times)
    print()
    print(f"OLS, {n:,} x {d} float32, {REPEATS} rounds alternating, best (spread) ({os.cpu_count()} cores)")
    print("| implementation | time (s) | ember speed-up | R² |")
    print("|---|---|---|---|")
    print(f"| ember ({ember['solver']}, flex) | {e_best:.3f} ({min(e_times):.3f}-{max(e_times):.3f}) | 1.0x | {ember['r2']:.10f} |")
    for name, (times, r2_value) in rows.items():
        best = min(times)
        print(f"| {name} | {best:.3f} ({min(times):.3f}-{max(times):.3f}) | {best / e_best:.2f}x | {r2_value:.10f} |")
    sk_r2 = rows["scikit-learn LinearRegression"][1]
    diff = abs(ember["r2"] - sk_r2)
    print(f"\n|R²(ember) - R²(scikit-learn)| = {diff:.2e} ({'ok' if diff < 1e-9 else 'MISMATCH'} at 1e-9)")
    return 0 if diff < 1e-9 else 1


def ols_peers(n, d):
    """One timed fit of each peer on the bench's data: name -> (seconds, R²)."""
    X = np.fromfile(os.path.join(OUT, "X.f32"), dtype="<f4").reshape(n, d)
    y = np.fromfile(os.path.join(OUT, "y.f32"), dtype="<f4")

    from sklearn.linear_model import LinearRegression

    def timed(fn):
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result

    sk_time, sk = timed(lambda: LinearRegression().fit(X, y))
    out = {"scikit-learn LinearRegression": (sk_time, r2(y, sk.predict(X)))}

    def normal_equations(dtype):
        def fit():
            A = X.astype(dtype, copy=False)
            mean_x, mean_y = A.mean(0), y.astype(dtype).mean()
            Ac = A - mean_x
            coef = np.linalg.solve(Ac.T @ Ac, Ac.T @ (y.astype(dtype, copy=False) - mean_y))
            return coef, mean_y - mean_x @ coef
        return fit

    for name, dtype in [("numpy normal equations (f64)", np.float64),
                        ("numpy normal equations (f32: centre, `A.T @ A`, solve)", np.float32)]:
        seconds, (coef, intercept) = timed(normal_equations(dtype))
        out[name] = (seconds, r2(y, X.astype(np.float64) @ coef.astype(np.float64) + float(intercept)))
    return out


def predict_case(cargo_args):
    ember, torch = alternate("predict", TORCH_PREDICT, cargo_args)
    diff = max(r["max_abs_diff"] for r in torch)
    one = lambda runs, key: f"{min(r[key] for r in runs):.1f} ({min(r[key] for r in runs):.1f}-{max(r[key] for r in runs):.1f})"
    rows = lambda runs, key: f"{max(r[key] for r in runs):,.0f} ({min(r[key] for r in runs):,.0f}-{max(r[key] for r in runs):,.0f})"
    e1, t1 = min(r["single_median_us"] for r in ember), min(r["single_median_us"] for r in torch)
    eb, tb = max(r["batch_rows_per_s"] for r in ember), max(r["batch_rows_per_s"] for r in torch)
    for r in ember:
        r["bare_rows_per_s"] = 1024 / r["bare_forward_batch_ms"] * 1e3
    print()
    print(f"Serving an MLP 784-256-128-10 (class probabilities), 2 threads, {REPEATS} runs alternating, best (spread)")
    print("| implementation | one row, median (µs) | batch of 1,024 (rows/s) |")
    print("|---|---|---|")
    print(f"| ember `Predictor` (flex, mimalloc) | {one(ember, 'single_median_us')} | {rows(ember, 'batch_rows_per_s')} |")
    print(f"| PyTorch {torch[0]['version']} (`inference_mode`) | {one(torch, 'single_median_us')} | {rows(torch, 'batch_rows_per_s')} |")
    print(f"| ember speed-up | {t1 / e1:.2f}x | {eb / tb:.2f}x |")
    print(f"| (burn's forward alone, flex) | {one(ember, 'bare_forward_single_median_us')} | {rows(ember, 'bare_rows_per_s')} |")
    print(f"\nlargest difference between the two sides' probabilities: {diff:.2e} ({'ok' if diff < 1e-5 else 'MISMATCH'} at 1e-5)")
    return 0 if diff < 1e-5 else 1

TORCH_TRAIN_SCRIPT = """
import json, sys
import numpy as np, torch
torch.set_num_threads(2)
out = sys.argv[1]
def load(name, count):
    X = np.fromfile(f"{out}/{name}-images-idx3-ubyte", dtype=np.uint8, offset=16).reshape(count, 784)
    y = np.fromfile(f"{out}/{name}-labels-idx1-ubyte", dtype=np.uint8, offset=8).astype(np.int64)
    return torch.from_numpy(X.astype(np.float32) / 255.0), torch.from_numpy(y)
X, y = load("train", 60000)
Xt, yt = load("t10k", 10000)
""" + TORCH_MLP + """
for epoch in range(10):
    train_epoch(X, y)
with torch.inference_mode():
    train_accuracy = float((model(X).argmax(1) == y).float().mean())
    test_accuracy = float((model(Xt).argmax(1) == yt).float().mean())
torch.save(model.state_dict(), out + "/torch_train_cli.pt")
print(json.dumps({"train_accuracy": train_accuracy, "test_accuracy": test_accuracy, "version": torch.__version__}))
"""

TRAIN_CLI_CONFIG = """
description = "Fashion-MNIST-sized MLP, the train_cli bench"
[data.idx]
images = "train-images-idx3-ubyte"
labels = "train-labels-idx1-ubyte"
test_images = "t10k-images-idx3-ubyte"
test_labels = "t10k-labels-idx1-ubyte"
[model.mlp_classifier]
hidden = [256, 128]
[model.mlp_classifier.train]
epochs = 10
batch_size = 128
learning_rate = 0.001
seed = 0
[model.mlp_classifier.train.optimizer]
name = "adam"
"""


def write_fashion_sized():
    """60,000 training and 10,000 test images of Fashion-MNIST's shape in IDX files: each class
    a fixed random image, faint under per-pixel noise (a 10-class problem that an MLP learns
    to about 95 %)."""
    rng = np.random.default_rng(0)
    prototypes = rng.integers(0, 256, size=(10, 784)).astype(np.float64)
    for name, n in [("train", 60000), ("t10k", 10000)]:
        y = rng.integers(0, 10, size=n).astype(np.uint8)
        x = np.clip(0.12 * prototypes[y] + rng.normal(64, 60, size=(n, 784)), 0, 255).astype(np.uint8)
        with open(os.path.join(OUT, f"{name}-images-idx3-ubyte"), "wb") as f:
            f.write(np.array([0x803, n, 28, 28], dtype=">u4").tobytes() + x.tobytes())
        with open(os.path.join(OUT, f"{name}-labels-idx1-ubyte"), "wb") as f:
            f.write(np.array([0x801, n], dtype=">u4").tobytes() + y.tobytes())
    with open(os.path.join(OUT, "train_cli.toml"), "w") as f:
        f.write(TRAIN_CLI_CONFIG)


def timed_process(command):
    """Wall-clock seconds of one process, start to exit, and its stdout."""
    start = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True,
                          env={**os.environ, **THREADS})
    return time.perf_counter() - start, done.stdout


def ember_train_run(binary, round_):
    run_dir = os.path.join(OUT, f"train_cli_run_{round_}")
    subprocess.run(["rm", "-rf", run_dir], check=True)
    seconds, _ = timed_process([binary, "train", os.path.join(OUT, "train_cli.toml"), "--out", run_dir])
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    return seconds, summary["test"]["accuracy"]


def train_cli_case(cargo_args):
    os.makedirs(OUT, exist_ok=True)
    write_fashion_sized()
    subprocess.run(["cargo", "build", "--release", "-p", "ember-cli", "--bin", "ember",
                    *cargo_args], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "ember")
    ember, torch = [], []
    for round_ in range(REPEATS):
        ember.append(ember_train_run(binary, round_))
        seconds, stdout = timed_process([sys.executable, "-c", TORCH_TRAIN_SCRIPT, OUT])
        torch.append((seconds, json.loads(stdout)))
    t = min(s for s, _ in torch)
    print()
    print(f"`ember train`, Fashion-MNIST-sized (60,000 + 10,000 x 784 uint8 IDX), MLP 784-256-128-10, Adam, "
          f"batch 128, 10 epochs, end to end, 2 threads, {REPEATS} runs alternating, best (spread)")
    print("| implementation | wall clock (s) | ratio to PyTorch | test accuracy (min-max) |")
    print("|---|---|---|---|")
    for name, times, acc in [
        ("`ember train` (flex, mimalloc)", [s for s, _ in ember], [a for _, a in ember]),
        (f"PyTorch {torch[0][1]['version']} script", [s for s, _ in torch], [r["test_accuracy"] for _, r in torch]),
    ]:
        print(f"| {name} | {spread(times)} | {t / min(times):.2f}x | {min(acc):.4f}-{max(acc):.4f} |")
    return 0


CASES = {"ols": ols_case, "csv": csv_case, "mlp": mlp_case, "convnet": convnet_case, "predict": predict_case,
         "linear_gd": linear_gd_case, "mlp_file": mlp_file_case,
         "train_cli": train_cli_case}


def main():
    cases = [a for a in sys.argv[1:] if a in CASES] or list(CASES)
    cargo_args = [a for a in sys.argv[1:] if a not in CASES]
    status = 0
    for case in cases:
        status |= CASES[case](cargo_args)
    return status


if __name__ == "__main__":
    sys.exit(main())
