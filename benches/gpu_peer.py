"""PyTorch's side of scripts/gpu_check.sh on the same GPU (CUDA): the cases of
benches/gpu_table.rs at the same sizes, printed as a table and written to OUT/gpu_peer.json.

    python3 benches/gpu_peer.py OUT [--small]

Exits 3 (and says why) where PyTorch or CUDA is missing, so the script can say so."""
import json
import os
import sys
import time

small = "--small" in sys.argv
out = next((a for a in sys.argv[1:] if not a.startswith("--")), "target/bench-data")
try:
    import torch
except ImportError as e:
    print(f"PyTorch: not installed ({e})")
    sys.exit(3)
if not torch.cuda.is_available():
    print(f"PyTorch {torch.__version__}: no CUDA device (torch.cuda.is_available() is False)")
    sys.exit(3)

dev = torch.device("cuda")
MLP_ROWS, EPOCHS, OLS_ROWS, CALLS = (1024, 3, 4096, 1) if small else (60_000, 3, 1_000_000, 50)
D, C = 784, 10


def sync():
    torch.cuda.synchronize()


def mlp(batch):
    g = torch.Generator(device="cpu").manual_seed(0)
    x = torch.rand(MLP_ROWS, D, generator=g).to(dev)
    y = torch.randint(0, C, (MLP_ROWS,), generator=g).to(dev)
    net = torch.nn.Sequential(torch.nn.Linear(D, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                              torch.nn.ReLU(), torch.nn.Linear(128, C)).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    best = 0.0
    for _ in range(EPOCHS):
        perm = torch.randperm(MLP_ROWS, device=dev)
        sync()
        start = time.perf_counter()
        for i in range(0, MLP_ROWS, batch):
            idx = perm[i:i + batch]
            loss = torch.nn.functional.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sync()
        best = max(best, MLP_ROWS / (time.perf_counter() - start))
    return {"case": f"MLP 784-256-128-10 Adam, batch {batch}, {MLP_ROWS} rows", "value": best,
            "unit": "samples/s", "check": f"final loss {loss.item():.4f}"}


def ols():
    g = torch.Generator(device="cpu").manual_seed(2026)
    x = torch.randn(OLS_ROWS, 100, generator=g).to(dev)
    y = x @ (torch.rand(100, generator=g).to(dev) * 4 - 2) + 3 + torch.randn(OLS_ROWS, generator=g).to(dev)
    best = float("inf")
    for _ in range(3):
        sync()
        start = time.perf_counter()
        a = torch.cat([torch.ones(OLS_ROWS, 1, device=dev), x], 1)
        w = torch.linalg.solve(a.T @ a, a.T @ y)
        sync()
        best = min(best, time.perf_counter() - start)
    resid = y - a @ w
    r2 = 1 - (resid @ resid / ((y - y.mean()) @ (y - y.mean()))).item()
    return {"case": f"OLS {OLS_ROWS} x 100, f32 normal equations (A.T @ A, solve), best of 3",
            "value": best * 1e3, "unit": "ms", "check": f"R2 {r2:.12f}"}


def predictor():
    net = torch.nn.Sequential(torch.nn.Linear(D, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                              torch.nn.ReLU(), torch.nn.Linear(128, C)).to(dev).eval()
    rows = torch.rand(1024, D).numpy()
    with torch.no_grad():
        torch.softmax(net(torch.from_numpy(rows).to(dev)), 1).cpu()
        start = time.perf_counter()
        for _ in range(CALLS):
            p = torch.softmax(net(torch.from_numpy(rows).to(dev)), 1).cpu().numpy()
    rate = CALLS * 1024 / (time.perf_counter() - start)
    return {"case": f"Predictor (host rows in, probabilities out), batch 1024, {CALLS} calls",
            "value": rate, "unit": "rows/s", "check": f"first row's probabilities sum to {p[0].sum():.6f}"}


rows = [mlp(128), mlp(1024), ols(), predictor()]
name = torch.cuda.get_device_name(0)
print(f"PyTorch {torch.__version__} on {name} (CUDA)")
for r in rows:
    print(f"  {r['case']:<60} {r['value']:>14.1f} {r['unit']:<10} {r['check']}")
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "gpu_peer.json"), "w") as f:
    json.dump({"adapter": name, "small": small, "rows": rows}, f)
