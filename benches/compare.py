#!/usr/bin/env python3
"""ember against its peers, side by side, on the same data: one command, one table.

    pip install scikit-learn numpy      # the peers
    python3 benches/compare.py          # builds and runs ember's bench, then the peers
    python3 benches/compare.py --all-features   # extra arguments go to `cargo bench`

Case: ordinary least squares with intercept on 1,000,000 x 100 float32 (best of 3 runs each).
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


def main():
    subprocess.run(
        ["cargo", "bench", "-p", "ember", "--bench", "ols", *sys.argv[1:], "--", OUT],
        cwd=ROOT,
        check=True,
    )
    with open(os.path.join(OUT, "ember.json")) as f:
        ember = json.load(f)
    n, d = ember["n"], ember["d"]
    X = np.fromfile(os.path.join(OUT, "X.f32"), dtype="<f4").reshape(n, d)
    y = np.fromfile(os.path.join(OUT, "y.f32"), dtype="<f4")

    from sklearn.linear_model import LinearRegression

    sk_time, sk = best_of(lambda: LinearRegression().fit(X, y))
    sk_r2 = r2(y, sk.predict(X))

    def normal_equations():
        X64 = X.astype(np.float64)
        mean_x, mean_y = X64.mean(0), y.mean(dtype=np.float64)
        Xc = X64 - mean_x
        coef = np.linalg.solve(Xc.T @ Xc, Xc.T @ (y - mean_y))
        return coef, mean_y - mean_x @ coef

    np_time, (coef, intercept) = best_of(normal_equations)
    np_r2 = r2(y, X.astype(np.float64) @ coef + intercept)

    print()
    print(f"OLS, {n:,} x {d} float32, best of {REPEATS} ({os.cpu_count()} cores)")
    print(f"| implementation | time (s) | ember speed-up | R² |")
    print(f"|---|---|---|---|")
    print(f"| ember ({ember['solver']}, flex) | {ember['seconds']:.3f} | 1.0x | {ember['r2']:.10f} |")
    print(f"| scikit-learn LinearRegression | {sk_time:.3f} | {sk_time / ember['seconds']:.1f}x | {sk_r2:.10f} |")
    print(f"| numpy normal equations (f64) | {np_time:.3f} | {np_time / ember['seconds']:.1f}x | {np_r2:.10f} |")
    diff = abs(ember["r2"] - sk_r2)
    print(f"\n|R²(ember) - R²(scikit-learn)| = {diff:.2e} ({'ok' if diff < 1e-6 else 'MISMATCH'} at 1e-6)")
    return 0 if diff < 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
