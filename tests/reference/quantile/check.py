"""Second route for the quantile references (Python: scipy HiGHS LP + statsmodels).

Run from this directory:  python3 check.py
For every NAME.ref written by engel.R / stackloss.R this recomputes
  * coef / objective by solving the quantile-regression LP with HiGHS (dual simplex),
    then polishing the vertex exactly (solve X_B b = y_B on the p interpolated points);
  * se_iid / se_nid by re-implementing quantreg 5.94 summary.rq(se='iid'/'nid', hs=TRUE)
    on top of the same LP;
  * statsmodels QuantReg (IRLS) objective as a third, loose route;
  * uniqueness: min / max of each coefficient over the optimal face (LP with objective <= opt).
Writes NAME.check (same keys) and prints max relative differences.
"""
import numpy as np, pandas as pd
from scipy.optimize import linprog
from scipy.stats import norm
import statsmodels.api as sm

def read_ref(fn):
    d = {}
    for line in open(fn):
        if line.startswith('#') or not line.strip():
            continue
        k, v = line.rstrip('\n').rsplit(',', 1)
        d[k] = float(v)
    return d

def rho(u, tau):
    return float(np.sum(u * (tau - (u < 0))))

def qr_lp(X, y, tau, polish=True):
    n, p = X.shape
    c = np.concatenate([np.zeros(p), tau * np.ones(n), (1 - tau) * np.ones(n)])
    A = np.hstack([X, np.eye(n), -np.eye(n)])
    bounds = [(None, None)] * p + [(0, None)] * (2 * n)
    r = linprog(c, A_eq=A, b_eq=y, bounds=bounds, method='highs-ds',
                options=dict(primal_feasibility_tolerance=1e-10, dual_feasibility_tolerance=1e-10))
    b = r.x[:p]
    if polish:
        res = y - X @ b
        idx = []
        for i in np.argsort(np.abs(res), kind='stable'):   # p smallest |resid| with X_B nonsingular
            if np.linalg.matrix_rank(X[idx + [i]]) == len(idx) + 1:
                idx.append(i)
            if len(idx) == p:
                break
        bp = np.linalg.solve(X[idx], y[idx])
        if rho(y - X @ bp, tau) <= rho(res, tau) + 1e-9 * max(1, abs(rho(res, tau))):
            b = bp
    return b, r

def face_range(X, y, tau, opt, slack):
    n, p = X.shape
    A = np.hstack([X, np.eye(n), -np.eye(n)])
    cobj = np.concatenate([np.zeros(p), tau * np.ones(n), (1 - tau) * np.ones(n)])
    bounds = [(None, None)] * p + [(0, None)] * (2 * n)
    out = []
    for j in range(p):
        lo_hi = []
        for s in (1, -1):
            c = np.zeros(p + 2 * n); c[j] = s
            r = linprog(c, A_ub=cobj[None, :], b_ub=[opt * (1 + slack)], A_eq=A, b_eq=y,
                        bounds=bounds, method='highs')
            lo_hi.append(s * r.fun)
        out.append(lo_hi)
    return np.array(out)

def bandwidth_hs(p, n, alpha=0.05):
    x0 = norm.ppf(p); f0 = norm.pdf(x0)
    return n ** (-1 / 3) * norm.ppf(1 - alpha / 2) ** (2 / 3) * ((1.5 * f0 ** 2) / (2 * x0 ** 2 + 1)) ** (1 / 3)

def se_iid(X, y, b, tau):
    n, p = X.shape
    eps = np.finfo(float).eps ** 0.5
    resid = y - X @ b
    xxinv = np.linalg.inv(X.T @ X)
    pz = int(np.sum(np.abs(resid) < eps))
    h = max(p + 1, int(np.ceil(n * bandwidth_hs(tau, n))))
    ir = np.arange(pz + 1, h + pz + 2)                       # R: (pz+1):(h+pz+1), 1-based
    ord_resid = np.sort(resid[np.argsort(np.abs(resid), kind='stable')][ir - 1])
    xt = ir / (n - p)
    Z = np.column_stack([np.ones_like(xt), xt])
    bs, _ = qr_lp(Z, ord_resid, 0.5)
    sparsity = bs[1]
    cov = sparsity ** 2 * xxinv * tau * (1 - tau)
    return np.sqrt(np.diag(cov)), sparsity

def se_nid(X, y, b, tau):
    n, p = X.shape
    eps = np.finfo(float).eps ** 0.5
    h = bandwidth_hs(tau, n)
    while tau - h < 0 or tau + h > 1:
        h /= 2
    bhi, _ = qr_lp(X, y, tau + h)
    blo, _ = qr_lp(X, y, tau - h)
    dyhat = X @ (bhi - blo)
    f = np.maximum(0, (2 * h) / (dyhat - eps))
    fxxinv = np.linalg.inv(X.T @ (f[:, None] * X))
    cov = tau * (1 - tau) * fxxinv @ (X.T @ X) @ fxxinv
    return np.sqrt(np.diag(cov))

def relmax(a, b):
    return abs(a - b) / max(abs(a), 1e-300)

jobs = [('engel.csv', 'engel_tau25.ref'), ('engel.csv', 'engel_tau50.ref'),
        ('engel.csv', 'engel_tau90.ref'), ('stackloss.csv', 'stackloss_lad.ref')]
for csv, reffn in jobs:
    df = pd.read_csv(csv)
    y = df.iloc[:, 0].to_numpy(float); X = df.iloc[:, 1:].to_numpy(float); names = list(df.columns[1:])
    ref = read_ref(reffn); tau = ref['tau']
    b, _ = qr_lp(X, y, tau)
    obj = rho(y - X @ b, tau)
    rng = face_range(X, y, tau, obj, 1e-9)
    rng2 = face_range(X, y, tau, obj, 1e-11)
    sei, spars = se_iid(X, y, b, tau)
    sen = se_nid(X, y, b, tau)
    smq = sm.QuantReg(y, X).fit(q=tau, max_iter=100000, p_tol=1e-14)
    obj_sm = rho(y - X @ smq.params, tau)
    out = {'tau': tau, 'n': len(y), 'bandwidth_hs': bandwidth_hs(tau, len(y))}
    out.update({f'coef:{t}': v for t, v in zip(names, b)})
    out['objective'] = obj
    out.update({f'se_iid:{t}': v for t, v in zip(names, sei)})
    out.update({f'se_nid:{t}': v for t, v in zip(names, sen)})
    out['sparsity_iid'] = spars
    width = np.max(rng[:, 1] - rng[:, 0]); width2 = np.max(rng2[:, 1] - rng2[:, 0])
    fn = reffn.replace('.ref', '.check')
    with open(fn, 'w') as fh:
        fh.write(f'# python3 check.py : HiGHS LP + polished vertex; summary.rq iid/nid re-implemented\n')
        fh.write(f'# near-optimal face width (max_j of max b_j - min b_j s.t. objective <= opt*(1+slack)): '
                 f'{width:.3g} at slack 1e-9, {width2:.3g} at slack 1e-11 -> '
                 f'{"unique (width shrinks with slack)" if width2 < 0.05 * width else "NONUNIQUE"}\n')
        fh.write(f'# statsmodels QuantReg (IRLS, p_tol=1e-14) objective {obj_sm!r}, rel diff vs LP {relmax(obj, obj_sm):.3g}\n')
        for k, v in out.items():
            fh.write(f'{k},{v:.17g}\n')
    worst = max(((relmax(ref[k], out[k]), k) for k in ref), key=lambda t: t[0])
    print(f'{reffn}: worst rel diff R vs python = {worst[0]:.3g} ({worst[1]}); face width {width:.3g}@1e-9 {width2:.3g}@1e-11; '
          f'statsmodels objective rel diff {relmax(obj, obj_sm):.3g}')
    for k in ref:
        if relmax(ref[k], out[k]) > 1e-9:
            print(f'    {k}: R {ref[k]!r} py {out[k]!r}')
