"""Independent Python cross-check of every .ref in this directory (run after the R scripts):
    python3 crosscheck_statsmodels.py  [> crosscheck_statsmodels.out]
Reads the exported CSVs and the .ref files (also exercising the file format) and refits with
statsmodels (Logit/GLM/MNLogit/OLS/WLS, Newton with tight tolerances) or scipy (Student-t, hetero:
log-density from scipy.stats, BFGS + Newton polish on Richardson-extrapolated
central differences taken in whitened coordinates).
Prints max relative differences (vcov: normwise, |dV_ij|/sqrt(V_ii V_jj))."""
import warnings
import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.numdiff import approx_fprime, approx_hess3
from scipy import stats, optimize

warnings.simplefilter("ignore")


def read_ref(path):
    d = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            k, v = line.rsplit(",", 1)
            d[k] = float(v)
    return d


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


def relvcov(A, B):
    s = np.sqrt(np.diag(B))
    return float(np.max(np.abs(A - B) / np.outer(s, s)))


def ref_vcov(ref, names):
    V = np.empty((len(names), len(names)))
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            key = f"vcov:{a}:{b}" if i <= j else f"vcov:{b}:{a}"
            V[i, j] = ref[key]
    return V


def report(tag, ref, names, coef, cov, llf, extra=None):
    c = rel(coef, [ref[f"coef:{n}"] for n in names])
    s = rel(np.sqrt(np.diag(cov)), [ref[f"se:{n}"] for n in names])
    v = relvcov(cov, ref_vcov(ref, names))
    out = f"{tag:26s} coef {c:8.2g}  se {s:8.2g}  vcov {v:8.2g}  loglik {rel(llf, ref['loglik']):8.2g}"
    for k, val in (extra or {}).items():
        out += f"  {k} {rel(val, ref[k]):8.2g}"
    print(out)


def xcols(df, skip):
    return [c for c in df.columns if c not in skip]


# --- logistic
df = pd.read_csv("logistic_data.csv"); ref = read_ref("logistic.ref"); cols = xcols(df, ["y"])
m = sm.Logit(df.y, df[cols]).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
m = sm.Logit(df.y, df[cols]).fit(start_params=m.params, method="newton", tol=0, maxiter=5, disp=0)
report("logistic (Logit)", ref, cols, m.params, m.cov_params().values, m.llf, {"aic": m.aic, "bic": m.bic})
g = sm.GLM(df.y, df[cols], family=sm.families.Binomial()).fit(tol=1e-14, maxiter=100)
report("logistic (GLM)", ref, cols, g.params, g.cov_params().values, g.llf, {"deviance": g.deviance})

# --- logistic with weights + offset
df = pd.read_csv("logistic_weights_offset_data.csv"); ref = read_ref("logistic_weights_offset.ref")
cols = xcols(df, ["y", "w", "offset"])
g = sm.GLM(df.y, df[cols], family=sm.families.Binomial(), freq_weights=df.w, offset=df.offset).fit(tol=1e-14, maxiter=100)
report("logistic_weights_offset", ref, cols, g.params, g.cov_params().values, g.llf, {"deviance": g.deviance})

# --- poisson
df = pd.read_csv("poisson_data.csv"); ref = read_ref("poisson.ref"); cols = xcols(df, ["y", "offset"])
g = sm.GLM(df.y, df[cols], family=sm.families.Poisson(), offset=df.offset).fit(tol=1e-14, maxiter=100)
report("poisson (GLM)", ref, cols, g.params, g.cov_params().values, g.llf,
       {"deviance": g.deviance, "aic": g.aic, "pearson_chi2": g.pearson_chi2})
pm = sm.Poisson(df.y, df[cols], offset=df.offset).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
report("poisson (discrete Poisson)", ref, cols, pm.params, pm.cov_params().values, pm.llf)

# --- multinom (expanded data; cell data gives the same MLE)
df = pd.read_csv("multinom_data_expanded.csv"); ref = read_ref("multinom.ref"); cols = xcols(df, ["y"])
classes = ["Medium", "High"]
m = sm.MNLogit(df.y, df[cols]).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
names = [f"{c}:{t}" for c in classes for t in cols]
coef = m.params.values.T.ravel()  # params: (p, K-1) -> class-major
cov = m.cov_params().values      # statsmodels orders class-major as well
report("multinom (MNLogit)", ref, names, coef, cov, m.llf, {"aic": m.aic, "bic": m.bic})

# --- ols / wls
for tag in ["ols", "wls"]:
    df = pd.read_csv(f"{tag}_data.csv"); ref = read_ref(f"{tag}.ref"); cols = xcols(df, ["y", "w"])
    r = (sm.OLS(df.y, df[cols]) if tag == "ols" else sm.WLS(df.y, df[cols], weights=df.w)).fit()
    n = len(df)
    report(tag, ref, cols, r.params, r.cov_params().values, r.llf,
           {"aic": r.aic + 2, "bic": r.bic + np.log(n),  # statsmodels does not count sigma; R does
            "sigma_unbiased": np.sqrt(r.scale), "sigma_mle": np.sqrt(r.ssr / n), "rss": r.ssr})


# --- generic: scipy BFGS from a perturbed start, Newton polish with statsmodels numerical derivatives
def richardson(D_h, h0=0.2, levels=4):
    """Richardson extrapolation of a central-difference estimate D_h(h) (error series in h^2)."""
    T = [D_h(h0 / 2**k) for k in range(levels)]
    for m in range(1, levels):
        T = [(4**m * T[k + 1] - T[k]) / (4**m - 1) for k in range(len(T) - 1)]
    return T[0]


def num_grad(f, n):
    E = np.eye(n)
    return richardson(lambda h: np.array([(f(h * E[i]) - f(-h * E[i])) / (2 * h) for i in range(n)]))


def num_hess(f, n):
    E = np.eye(n)
    def H_h(h):
        H = np.empty((n, n))
        for i in range(n):
            for j in range(i, n):
                H[i, j] = H[j, i] = (f(h * E[i] + h * E[j]) - f(h * E[i] - h * E[j])
                                     - f(-h * E[i] + h * E[j]) + f(-h * E[i] - h * E[j])) / (4 * h * h)
        return H
    return richardson(H_h)


def ml_fit(negll, start):
    o = optimize.minimize(negll, start, method="BFGS", options={"gtol": 1e-9, "maxiter": 100000})
    th = o.x
    # Newton polish and final Hessian with Richardson-extrapolated central differences, taken in
    # whitened coordinates th = th0 + L u (L L' = rough covariance), so the likelihood is ~isotropic in u
    L = np.linalg.cholesky(np.linalg.inv(approx_hess3(th, negll)))
    for _ in range(3):
        f = lambda u, th0=th: negll(th0 + L @ u)
        th = th - L @ np.linalg.solve(num_hess(f, len(th)), num_grad(f, len(th)))
    Hu = num_hess(lambda u: negll(th + L @ u), len(th))
    return th, L @ np.linalg.inv(Hu) @ L.T, -negll(th)


df = pd.read_csv("student_t_data.csv"); X = df[xcols(df, ["y"])].values; y = df.y.values
cols = xcols(df, ["y"]); p = X.shape[1]
for tag, nu_fixed in [("student_t_df4", 4.0), ("student_t_dffree", None)]:
    ref = read_ref(f"{tag}.ref")
    names = cols + ["log_sigma"] + ([] if nu_fixed else ["log_df"])

    def negll(th):
        nu = nu_fixed if nu_fixed else np.exp(th[p + 1])
        return -np.sum(stats.t.logpdf(y, nu, loc=X @ th[:p], scale=np.exp(th[p])))

    start = np.array([ref[f"coef:{n}"] for n in names]) * 1.05 + 0.01
    th, V, llf = ml_fit(negll, start)
    report(tag + " (scipy)", ref, names, th, V, llf)

dX = pd.read_csv("hetero_X.csv"); dZ = pd.read_csv("hetero_Z.csv"); ref = read_ref("hetero.ref")
X = dX[xcols(dX, ["y"])].values; Z = dZ.values; y = dX.y.values; p = X.shape[1]
names = [f"mean:{c}" for c in xcols(dX, ["y"])] + [f"logsigma:{c}" for c in dZ.columns]
negll = lambda th: -np.sum(stats.norm.logpdf(y, X @ th[:p], np.exp(Z @ th[p:])))
start = np.array([ref[f"coef:{n}"] for n in names]) * 1.05 + 0.01
th, V, llf = ml_fit(negll, start)
report("hetero (scipy)", ref, names, th, V, llf)
