#!/usr/bin/env python3
"""Peer timings (Python, statsmodels) for benches/quantile.rs: median regression, n = 1e5, p = 10.

Data: the synthetic set of benches/quantile.rs (SplitMix64 + Box-Muller, seed 20241125;
x_j ~ N(0,1), j = 1..9; y = 1 + sum_j (j/2) x_j + (1 + |x_1|/2) e), written by
  QUANTILE_BENCH_CSV=/tmp/quantile_n100000_p10.csv cargo bench --bench quantile
(header y,x1..x9; design = intercept + x1..x9).

Timed (CSV loading excluded; wall clock, median of --reps runs):
  * statsmodels QuantReg(y, X).fit(q=tau)                       defaults (IRLS, p_tol=1e-6,
    max_iter=1000, vcov='robust' kernel sandwich computed as part of fit)
  * statsmodels QuantReg(y, X).fit(q=tau, p_tol=1e-10, max_iter=5000)  tighter
QuantReg is iteratively reweighted least squares: an approximation, not a vertex of the LP; the
printed check loss sum(rho_tau(resid)) shows how far it stops from the exact optimum (compare with
the Rust bench's stderr line).

Usage: python3 benches/compare/quantile_peers.py [csv] [--tau 0.5] [--reps 5]   (CI never runs this.)

Measured (development machine, 2 cores, Python 3.11.7, numpy 2.4.6, statsmodels 0.15.0, tau = 0.5):
  QuantReg.fit defaults 1570 ms (median of 5; check loss 55932.1282036764, 1.3e-10 above the
  exact optimum 55932.1281963793); p_tol=1e-10 4165 ms (check loss 55932.1281972667).
  benches/quantile.rs on the same data: exact solve 40 ms.
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm


def check_loss(u, tau):
    return float(np.sum(u * (tau - (u < 0))))


def timed(label, f, reps):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    print(f"{label:<40} median {1000 * np.median(times):8.1f} ms  (min {1000 * min(times):8.1f}, {reps} runs)")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="?", default="/tmp/quantile_n100000_p10.csv")
    ap.add_argument("--tau", type=float, default=0.5)
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    if not os.path.exists(a.csv):
        raise SystemExit(f"no {a.csv}: run QUANTILE_BENCH_CSV={a.csv} cargo bench --bench quantile first")
    d = pd.read_csv(a.csv)
    y = d["y"].to_numpy(float)
    X = np.column_stack([np.ones(len(y)), d.drop(columns="y").to_numpy(float)])
    print(f"Python {platform.python_version()}, numpy {np.__version__}, statsmodels {statsmodels.__version__}, "
          f"n = {X.shape[0]}, p = {X.shape[1]}, tau = {a.tau}")
    warnings.simplefilter("ignore")
    for label, kw in [("QuantReg.fit (defaults)", {}),
                      ("QuantReg.fit (p_tol=1e-10, max_iter=5000)", dict(p_tol=1e-10, max_iter=5000))]:
        r = timed(label, lambda: sm.QuantReg(y, X).fit(q=a.tau, **kw), a.reps)
        print(f"  check loss {check_loss(y - X @ r.params, a.tau):.10f}, iterations {r.iterations if hasattr(r, 'iterations') else '?'}")


if __name__ == "__main__":
    main()
