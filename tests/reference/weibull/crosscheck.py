"""Independent cross-check of weibull.ref and gamma.ref with scipy (run after the R scripts).
python3 crosscheck.py  -- reads data.csv and the .ref files, prints max relative differences.
Weibull: profile equation solved by scipy brentq(xtol=1e-15); Gamma: scipy gamma.fit(floc=0) solves the score equations with their own root finder;
SEs here from the analytic observed information coded independently in numpy."""
import numpy as np
from scipy import stats, special

def read_ref(path):
    d = {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        k, v = line.rsplit(",", 1)
        d[k] = float(v)
    return d

x = np.loadtxt("data.csv", delimiter=",", skiprows=1)
n = len(x)
rel = lambda a, b: float(np.max(np.abs(np.asarray(a) - np.asarray(b)) / np.abs(np.asarray(b))))

# Weibull
r = read_ref("weibull.ref")
k_fit, _, lam_fit = stats.weibull_min.fit(x, floc=0)   # scipy default tolerance: record only
lx = np.log(x)
def prof(k):
    w = np.exp(k * lx - np.max(k * lx))
    return 1 / k + lx.mean() - np.sum(w * lx) / np.sum(w)
from scipy.optimize import brentq
k = brentq(prof, 0.1, 20, xtol=1e-15, rtol=4 * np.finfo(float).eps)
lam = np.mean(x**k) ** (1 / k)
print("weibull scipy.stats.weibull_min.fit (default tol, record only) vs ref: coef %.2g" % rel(
    [k_fit, lam_fit], [read_ref("weibull.ref")["coef:shape"], read_ref("weibull.ref")["coef:scale"]]))
z = x / lam; lz = np.log(z); zk = z**k
H = np.array([[-n / k**2 - np.sum(zk * lz**2), k / lam * np.sum(zk * lz)],
              [k / lam * np.sum(zk * lz), n * k / lam**2 - (k / lam**2 + k**2 / lam**2) * np.sum(zk)]])
# (off-diagonal simplified using sum(zk)=n at the optimum)
V = np.linalg.inv(-H)
ll = np.sum(stats.weibull_min.logpdf(x, k, scale=lam))
print("weibull numpy/brentq vs ref: coef %.2g se %.2g vcov %.2g loglik %.2g" % (
    rel([k, lam], [r["coef:shape"], r["coef:scale"]]),
    rel(np.sqrt(np.diag(V)), [r["se:shape"], r["se:scale"]]),
    rel([V[0, 0], V[0, 1], V[1, 1]], [r["vcov:shape:shape"], r["vcov:shape:scale"], r["vcov:scale:scale"]]),
    rel(ll, r["loglik"])))

# Gamma
r = read_ref("gamma.ref")
a, _, scale = stats.gamma.fit(x, floc=0)
rate = 1 / scale
H = np.array([[-n * special.polygamma(1, a), n / rate], [n / rate, -n * a / rate**2]])
V = np.linalg.inv(-H)
ll = np.sum(stats.gamma.logpdf(x, a, scale=scale))
print("gamma scipy vs ref: coef %.2g se %.2g vcov %.2g loglik %.2g" % (
    rel([a, rate], [r["coef:shape"], r["coef:rate"]]),
    rel(np.sqrt(np.diag(V)), [r["se:shape"], r["se:rate"]]),
    rel([V[0, 0], V[0, 1], V[1, 1]], [r["vcov:shape:shape"], r["vcov:shape:rate"], r["vcov:rate:rate"]]),
    rel(ll, r["loglik"])))
