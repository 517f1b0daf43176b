#!/usr/bin/env python3
"""Peer timings (Python) for the data sets of benches/logistic.rs.

Data: written by `cargo run --release --example write_bench_data -- /tmp/mle-bench`
  logistic.csv         n = 1e6, columns y, x1..x19; design = intercept + x1..x19 (p = 20)
  heteroscedastic.csv  n = 1e5, columns y, x1..x9, z1..z3;
                       mean design = intercept + x1..x9, log-sigma design = intercept + z1..z3

Timed (data loading excluded, best of --reps wall-clock runs, default 3):
  * statsmodels Logit(y, X).fit(method='newton', tol=1e-10)
  * scikit-learn LogisticRegression(no penalty, solver='newton-cholesky', tol=1e-10,
    fit_intercept=False) on X with the intercept column
  * statsmodels GenericLikelihoodModel subclass, full Gaussian log-likelihood with
    mean X beta and log sigma = Z gamma, default numerical score/Hessian, fit from the OLS start
    (beta = OLS, gamma = [log sd(resid), 0, 0, 0]) with method='newton' (tol=1e-8) and
    method='bfgs' (gtol=1e-9); both include statsmodels' numerical Hessian for the covariance.

Every fit is checked with the same analytic log-likelihood and gradient (numpy, below), so
the printed log-likelihoods and max |gradient| are comparable across tools.

Usage:
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
      python3 benches/compare/regression_peers.py [--data /tmp/mle-bench] [--reps 3]
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
import statsmodels
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression
from statsmodels.base.model import GenericLikelihoodModel


def best_of(reps, f):
    """Run f() `reps` times; return (best wall time in s, all times, last result)."""
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), times, out


# ---------- analytic checks (shared by all tools) ----------


def logistic_loglik_grad(X, y, beta):
    eta = X @ beta
    # log(1 + exp(eta)) computed stably
    ll = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    p = 0.5 * (1.0 + np.tanh(0.5 * eta))  # = 1 / (1 + exp(-eta)), overflow-free
    grad = X.T @ (y - p)
    return ll, grad


def hetero_loglik(X, Z, y, beta, gamma):
    r = y - X @ beta
    ls = Z @ gamma
    return float(-0.5 * len(y) * np.log(2.0 * np.pi) - np.sum(ls) - 0.5 * np.sum((r * np.exp(-ls)) ** 2))


def hetero_grad(X, Z, y, beta, gamma):
    r = y - X @ beta
    ls = Z @ gamma
    u = r * np.exp(-2.0 * ls)  # r / sigma^2
    g_beta = X.T @ u
    g_gamma = Z.T @ (r * u - 1.0)  # (r/sigma)^2 - 1
    return np.concatenate([g_beta, g_gamma])


# ---------- heteroscedastic Gaussian via GenericLikelihoodModel ----------


class HeteroGaussian(GenericLikelihoodModel):
    """y ~ N(X beta, exp(Z gamma)^2); params = [beta, gamma]. Only loglike is supplied:
    score and Hessian are GenericLikelihoodModel's default numerical derivatives."""

    def __init__(self, endog, exog, zexog, **kwds):
        self.zexog = np.asarray(zexog)
        names = ["z_const"] + [f"z{j}" for j in range(1, self.zexog.shape[1])]
        super().__init__(endog, exog, extra_params_names=names, **kwds)

    def loglike(self, params):
        k = self.exog.shape[1]
        beta, gamma = params[:k], params[k:]
        r = self.endog - self.exog @ beta
        ls = self.zexog @ gamma
        n = self.endog.shape[0]
        return -0.5 * n * np.log(2.0 * np.pi) - np.sum(ls) - 0.5 * np.sum((r * np.exp(-ls)) ** 2)


def sklearn_unpenalized_kwargs():
    """penalty=None on sklearn < 1.8; C=np.inf where `penalty` is deprecated (>= 1.8)."""
    import inspect

    default = inspect.signature(LogisticRegression).parameters["penalty"].default
    if default == "deprecated":
        return {"C": np.inf}
    return {"penalty": None}


def fmt3(v):
    return "[" + ", ".join(f"{x:+.10f}" for x in np.asarray(v)[:3]) + "]"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/mle-bench")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", choices=["logistic", "hetero"], default=None)
    args = ap.parse_args()

    from threadpoolctl import threadpool_info

    print("# machine / libraries")
    print(f"python {platform.python_version()}, numpy {np.__version__}, statsmodels {statsmodels.__version__}, "
          f"scikit-learn {sklearn.__version__}, pandas {pd.__version__}")
    print(f"cpus (os.cpu_count): {os.cpu_count()}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        print(f"env {var} = {os.environ.get(var, '(unset)')}")
    # import scipy so its own OpenBLAS (used by sklearn's newton-cholesky solve) is listed too
    import scipy.linalg  # noqa: F401

    for info in threadpool_info():
        print(f"threadpool: {info.get('internal_api')} {info.get('version')} kernel={info.get('architecture')} "
              f"threads={info.get('num_threads')} lib={os.path.basename(info.get('filepath', ''))}")
    print(f"timing: best of {args.reps} wall-clock runs, data loading excluded\n")

    rows = []

    if args.only in (None, "logistic"):
        t0 = time.perf_counter()
        df = pd.read_csv(os.path.join(args.data, "logistic.csv"), dtype=np.float64, engine="c")
        y = df["y"].to_numpy()
        X = np.column_stack([np.ones(len(df))] + [df[f"x{j}"].to_numpy() for j in range(1, 20)])
        X = np.ascontiguousarray(X)
        del df
        print(f"# logistic: n = {X.shape[0]}, p = {X.shape[1]} (loaded in {time.perf_counter() - t0:.1f} s, not timed)")

        # statsmodels Logit, Newton
        def sm_logit():
            return sm.Logit(y, X).fit(method="newton", tol=1e-10, maxiter=100, disp=0)

        best, times, res = best_of(args.reps, sm_logit)
        ll, g = logistic_loglik_grad(X, y, res.params)
        it = res.mle_retvals.get("iterations")
        print(f"statsmodels Logit newton: best {best:.3f} s  runs {[round(t, 3) for t in times]}  "
              f"iterations {it}  converged {res.mle_retvals.get('converged')}")
        print(f"  beta[0:3] = {fmt3(res.params)}  loglik (statsmodels llf) = {res.llf:.6f}  "
              f"loglik (check) = {ll:.6f}  max|grad| = {np.max(np.abs(g)):.3e}")
        rows.append(("statsmodels Logit", "newton tol=1e-10", best, it, ll, np.max(np.abs(g))))

        # scikit-learn newton-cholesky
        kw = sklearn_unpenalized_kwargs()

        def sk_fit():
            clf = LogisticRegression(solver="newton-cholesky", tol=1e-10, fit_intercept=False, max_iter=100, **kw)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.fit(X, y)
            return clf

        best, times, clf = best_of(args.reps, sk_fit)
        b = clf.coef_.ravel()
        ll, g = logistic_loglik_grad(X, y, b)
        it = int(np.ravel(clf.n_iter_)[0])
        print(f"sklearn LogisticRegression newton-cholesky ({kw}): best {best:.3f} s  runs "
              f"{[round(t, 3) for t in times]}  n_iter_ {it}")
        print(f"  beta[0:3] = {fmt3(b)}  loglik (check) = {ll:.6f}  max|grad| = {np.max(np.abs(g)):.3e}")
        rows.append(("scikit-learn LogisticRegression", "newton-cholesky tol=1e-10", best, it, ll, np.max(np.abs(g))))
        del X, y
        print()

    if args.only in (None, "hetero"):
        df = pd.read_csv(os.path.join(args.data, "heteroscedastic.csv"), dtype=np.float64, engine="c")
        y = df["y"].to_numpy()
        n = len(df)
        X = np.ascontiguousarray(np.column_stack([np.ones(n)] + [df[f"x{j}"].to_numpy() for j in range(1, 10)]))
        Z = np.ascontiguousarray(np.column_stack([np.ones(n)] + [df[f"z{j}"].to_numpy() for j in range(1, 4)]))
        del df
        print(f"# heteroscedastic: n = {n}, mean p = {X.shape[1]}, log-sigma q = {Z.shape[1]}")

        def ols_start():
            b0 = np.linalg.lstsq(X, y, rcond=None)[0]
            resid = y - X @ b0
            return np.concatenate([b0, [np.log(np.std(resid, ddof=1)), 0.0, 0.0, 0.0]])

        # Newton: statsmodels' default tol=1e-8 (max |parameter change|). With tol=1e-10 the
        # noise of the numerical Hessian keeps the steps above the tolerance: one trial run took
        # 68 iterations / 174 s to reach the same optimum. BFGS: gtol is on the score divided
        # by n (statsmodels minimises -loglike/n), so 1e-9 here is ~1e-4 on the summed score.
        for method, extra in (("newton", {"tol": 1e-8}), ("bfgs", {"gtol": 1e-9})):

            def fit():
                start = ols_start()  # the OLS start is part of the timed fit
                mod = HeteroGaussian(y, X, Z)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return mod.fit(start_params=start, method=method, maxiter=200, disp=0, **extra)

            best, times, res = best_of(args.reps, fit)
            p = np.asarray(res.params)
            ll = hetero_loglik(X, Z, y, p[:10], p[10:])
            g = hetero_grad(X, Z, y, p[:10], p[10:])
            rv = res.mle_retvals
            # fmin_bfgs reports no iteration count: report its function/gradient calls instead
            it = rv.get("iterations") or f"{rv.get('fcalls')} f + {rv.get('gcalls')} g calls"
            print(f"statsmodels GenericLikelihoodModel {method}: best {best:.3f} s  runs "
                  f"{[round(t, 3) for t in times]}  iterations {it}  converged {rv.get('converged')}"
                  + (f"  fcalls {rv.get('fcalls')} gcalls {rv.get('gcalls')}" if method == "bfgs" else ""))
            print(f"  beta[0:3] = {fmt3(p)}  gamma[0:3] = {fmt3(p[10:])}  loglik (llf) = {res.llf:.6f}  "
                  f"loglik (check) = {ll:.6f}  max|grad| (analytic) = {np.max(np.abs(g)):.3e}")
            rows.append(("statsmodels GenericLikelihoodModel", f"{method} {list(extra)[0]}={list(extra.values())[0]:g} (numerical derivatives)", best, it, ll,
                         np.max(np.abs(g))))
        print()

    print("# summary (tool | method | best time s | iterations | loglik | max|grad|)")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]:.3f} | {r[3]} | {r[4]:.6f} | {r[5]:.2e} |")


if __name__ == "__main__":
    main()
