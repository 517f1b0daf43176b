"""Second route (Python: statsmodels / scipy / sympy) for every .ref in this directory.

Run from this directory:  python3 check.py
Writes NAME.check (same keys as NAME.ref, where a second route exists) and prints,
per reference, the worst relative difference |R - py| / max(|R|, floor) (floor = 1e-300, but for
matrix entries the normwise scale max|M| is used so that structural zeros do not blow up).
"""
import numpy as np, pandas as pd
import statsmodels.api as sm
from scipy import stats, optimize, special, integrate
import sympy as sp

def read_ref(fn):
    d = {}
    for line in open(fn):
        if line.startswith('#') or not line.strip():
            continue
        k, v = line.rstrip('\n').rsplit(',', 1)
        d[k] = float(v)
    return d

def write_ref(fn, out, comments):
    with open(fn, 'w') as fh:
        for c in comments:
            fh.write('# ' + c + '\n')
        for k, v in out.items():
            fh.write(f'{k},{float(v):.17g}\n')

def mat(prefix, M, names, out):
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            out[f'{prefix}:{a}:{b}'] = M[i, j]

def compare(reffn, out):
    ref = read_ref(reffn)
    scale = {}
    for k, v in ref.items():                       # normwise scale per matrix prefix
        if k.count(':') == 2:
            p = k.split(':')[0]
            scale[p] = max(scale.get(p, 0.0), abs(v))
    worst, wk = 0.0, None
    for k, v in out.items():
        if k not in ref:
            continue
        s = scale.get(k.split(':')[0], 0.0) if k.count(':') == 2 else abs(ref[k])
        r = abs(ref[k] - v) / max(s, 1e-300)
        if r > worst:
            worst, wk = r, k
    n_cmp = sum(k in ref for k in out)
    print(f'{reffn:38s} worst rel diff {worst:.3g}  ({wk}; {n_cmp} keys compared)')
    return worst

def glm_tight(y, X, family, offset=None):
    res = sm.GLM(y, X, family=family, offset=offset).fit(tol=1e-14, maxiter=200)
    # Newton polish with the exact (canonical-link) information, then refit from there so that
    # statsmodels' stored weights sit at the polished MLE
    b = res.params.copy()
    for _ in range(3):
        eta = X @ b + (0 if offset is None else offset)
        mu = family.link.inverse(eta)
        w = mu * (1 - mu) if isinstance(family, sm.families.Binomial) else mu
        b = b + np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (y - mu))
    return sm.GLM(y, X, family=family, offset=offset).fit(start_params=b, tol=1e-15, maxiter=1), b

# ----------------------------------------------------------------------------------------------
def robust_block(stem, ycol, family):
    df = pd.read_csv(f'{stem}.csv')
    y = df[ycol].to_numpy(float); ids = df['id'].to_numpy()
    X = df.drop(columns=[ycol, 'id']); names = list(X.columns); X = X.to_numpy(float)
    n, k = X.shape; G = len(np.unique(ids))
    res, b = glm_tight(y, X, family)
    mu = family.link.inverse(X @ b)
    out = {'n': n, 'k': k, 'G': G}
    out.update({f'coef:{t}': v for t, v in zip(names, res.params)})
    out.update({f'se:{t}': v for t, v in zip(names, res.bse)})
    out['loglik'] = res.llf; out['deviance'] = res.deviance
    hc0 = sm.GLM(y, X, family=family).fit(start_params=b, tol=1e-15, maxiter=1, cov_type='HC0').cov_params()
    hc1_sm = sm.GLM(y, X, family=family).fit(start_params=b, tol=1e-15, maxiter=1, cov_type='HC1').cov_params()
    cl_sm = sm.GLM(y, X, family=family).fit(start_params=b, tol=1e-15, maxiter=1, cov_type='cluster',
                                            cov_kwds={'groups': ids}).cov_params()
    cl_raw = sm.GLM(y, X, family=family).fit(start_params=b, tol=1e-15, maxiter=1, cov_type='cluster',
                                             cov_kwds={'groups': ids, 'use_correction': False}).cov_params()
    mat('vcov_model', res.cov_params(), names, out)
    mat('vcov_sandwich', hc0, names, out)
    mat('vcov_hc0', hc0, names, out)
    mat('vcov_hc1', hc0 * n / (n - k), names, out)
    mat('vcov_cl_hc0', cl_raw * G / (G - 1), names, out)
    mat('vcov_cl_hc1', cl_sm, names, out)
    comments = [
        f'python3 check.py: statsmodels {sm.__version__} GLM({family.__class__.__name__}) fit tol 1e-14 + Newton polish',
        "vcov_hc0 = statsmodels cov_type='HC0'",
        "vcov_hc1 = statsmodels HC0 * n/(n-k)  [statsmodels GLM cov_type='HC1' applies NO correction (GLM results have no",
        f"    cov_HC1, it falls back to cov_white_simple(use_correction=False)): max|HC1_sm - HC0_sm| = {np.max(np.abs(hc1_sm - hc0)):.3g}]",
        "vcov_cl_hc1 = statsmodels cov_type='cluster' (default use_correction=True: G/(G-1) * (n-1)/(n-k))",
        "vcov_cl_hc0 = statsmodels cluster with use_correction=False, times G/(G-1)",
    ]
    write_ref(f'{stem}_robust.check', out, comments)
    return res, b, X, y, names

worst = {}
res_l, b_l, X_l, y_l, names_l = robust_block('logistic', 'low', sm.families.Binomial())
worst['logistic_robust.ref'] = compare('logistic_robust.ref', read_ref('logistic_robust.check'))
res_p, b_p, X_p, y_p, names_p = robust_block('poisson', 'breaks', sm.families.Poisson())
worst['poisson_robust.ref'] = compare('poisson_robust.ref', read_ref('poisson_robust.check'))

# ---- Poisson Fisher information ----------------------------------------------------------------
info = -res_p.model.hessian(res_p.params)       # observed information, statsmodels
mu = np.exp(X_p @ b_p)
info_exp = X_p.T @ (mu[:, None] * X_p)
out = {'loglik': res_p.llf}
mat('info', info, names_p, out); mat('vcov_model', np.linalg.inv(info), names_p, out)
write_ref('poisson_fisher.check', out, [
    "info = -statsmodels GLM.hessian(params) (observed); vcov_model = inverse",
    f"|observed - X'diag(mu)X| normwise rel = {np.max(np.abs(info - info_exp)) / np.max(np.abs(info_exp)):.3g}"])
worst['poisson_fisher.ref'] = compare('poisson_fisher.ref', out)

# ---- nested tests ----------------------------------------------------------------------------
col = {t: i for i, t in enumerate(names_l)}
for nm, drop in {'drop_ui': ['ui'], 'drop_age_lwt': ['age', 'lwt']}.items():
    keep = [i for t, i in col.items() if t not in drop]
    extra = [col[t] for t in drop]
    res_s, b_s = glm_tight(y_l, X_l[:, keep], sm.families.Binomial())
    lr = 2 * (res_l.llf - res_s.llf)
    out = {'stat': lr, 'df': len(drop), 'pvalue': stats.chi2.sf(lr, len(drop)),
           'loglik_small': res_s.llf, 'loglik_big': res_l.llf}
    write_ref(f'logistic_lrt_{nm}.check', out, ['statsmodels: 2*(llf_big - llf_small)'])
    worst[f'logistic_lrt_{nm}.ref'] = compare(f'logistic_lrt_{nm}.ref', out)
    st, pv = res_s.score_test(exog_extra=X_l[:, extra])[:2]
    out = {'stat': float(np.squeeze(st)), 'df': float(len(drop)), 'pvalue': float(np.squeeze(pv))}
    write_ref(f'logistic_rao_{nm}.check', out, ['statsmodels GLMResults.score_test(exog_extra=dropped columns) on the small model'])
    worst[f'logistic_rao_{nm}.ref'] = compare(f'logistic_rao_{nm}.ref', out)

for nm, R, r in [('smoke_ht_zero', np.array([np.eye(len(names_l))[col['smoke']], np.eye(len(names_l))[col['ht']]]), np.zeros(2)),
                 ('smoke_eq_ht', np.array([np.eye(len(names_l))[col['smoke']] - np.eye(len(names_l))[col['ht']]]), np.zeros(1))]:
    wt = res_l.wald_test((R, r), use_f=False, scalar=True)
    out = {'stat': float(np.squeeze(wt.statistic)), 'df': float(wt.df_denom), 'pvalue': float(np.squeeze(wt.pvalue))}
    write_ref(f'logistic_wald_{nm}.check', out, ['statsmodels GLMResults.wald_test((R, r), use_f=False, scalar=True), nonrobust cov'])
    worst[f'logistic_wald_{nm}.ref'] = compare(f'logistic_wald_{nm}.ref', out)

# ---- logistic profile CI: own Newton with offset + brentq ----------------------------------------
def logit_fit_offset(X, y, off, b0):
    llf = lambda bb: np.sum(y * (X @ bb + off) - np.logaddexp(0, X @ bb + off))
    b = b0.copy()
    for _ in range(200):                                  # damped Newton (step halving)
        mu = special.expit(X @ b + off)
        step = np.linalg.solve(X.T @ ((mu * (1 - mu))[:, None] * X), X.T @ (y - mu))
        t = 1.0
        while llf(b + t * step) < llf(b) - 1e-12 and t > 1e-8:
            t /= 2
        b = b + t * step
        if np.max(np.abs(step)) < 1e-15:
            break
    return llf(b), b

crit = stats.chi2.ppf(0.95, 1)
out = {'level': 0.95, 'crit': crit}
se = res_l.bse
lo_hi = {}
for j, t in enumerate(names_l):
    Xo = np.delete(X_l, j, axis=1); b0 = np.delete(b_l, j)
    f = lambda v: 2 * (res_l.llf - logit_fit_offset(Xo, y_l, v * X_l[:, j], b0)[0]) - crit
    lo = optimize.brentq(f, b_l[j] - 5 * se[j], b_l[j], xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    hi = optimize.brentq(f, b_l[j], b_l[j] + 5 * se[j], xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    lo_hi[t] = (lo, hi)
for t in names_l:
    out[f'ci_lower:{t}'] = lo_hi[t][0]
for t in names_l:
    out[f'ci_upper:{t}'] = lo_hi[t][1]
write_ref('logistic_profile_ci.check', out, ['exact profile CI: numpy Newton with offset (|step|<1e-15) + scipy brentq (xtol 1e-15)'])
worst['logistic_profile_ci.ref'] = compare('logistic_profile_ci.ref', out)

# ---- exponential: Lambert W closed form ----------------------------------------------------------
x = pd.read_csv('expo.csv')['x'].to_numpy(float); n = len(x); S = x.sum(); rh = n / S
c = 1 + crit / (2 * n)
t_lo = -special.lambertw(-np.exp(-c), 0).real; t_hi = -special.lambertw(-np.exp(-c), -1).real
out = {'n': n, 'sum_x': S, 'crit': crit, 'coef:rate': rh, 'coef:lograte': np.log(rh),
       'loglik': n * np.log(rh) - n, 'se:rate': rh / np.sqrt(n), 'se:lograte': 1 / np.sqrt(n),
       'ci_lower:rate': rh * t_lo, 'ci_upper:rate': rh * t_hi,
       'ci_lower:lograte': np.log(rh) + np.log(t_lo), 'ci_upper:lograte': np.log(rh) + np.log(t_hi)}
write_ref('expo_profile_ci.check', out, ['closed form: rate = rate_hat * t, t = -W_k(-exp(-(1 + crit/(2n)))), scipy.special.lambertw k=0 / k=-1'])
worst['expo_profile_ci.ref'] = compare('expo_profile_ci.ref', out)

# ---- binomial ----------------------------------------------------------------------------------
yb = pd.read_csv('binom.csv')['y'].to_numpy(float); n = len(yb); k = yb.sum(); ph = k / n
ll = lambda p: k * np.log(p) + (n - k) * np.log1p(-p)
lr = lambda p: 2 * (ll(ph) - ll(p)) - crit
lo = optimize.brentq(lr, 1e-12, ph, xtol=1e-17, rtol=4 * np.finfo(float).eps, maxiter=500)
hi = optimize.brentq(lr, ph, 1 - 1e-12, xtol=1e-17, rtol=4 * np.finfo(float).eps, maxiter=500)
out = {'n': n, 'k': k, 'crit': crit, 'coef:p': ph, 'coef:logitp': special.logit(ph), 'loglik': ll(ph),
       'se:p': np.sqrt(ph * (1 - ph) / n), 'se:logitp': 1 / np.sqrt(n * ph * (1 - ph)),
       'ci_lower:p': lo, 'ci_upper:p': hi, 'ci_lower:logitp': special.logit(lo), 'ci_upper:logitp': special.logit(hi)}
write_ref('binom_profile_ci.check', out, ['scipy brentq on the LR statistic'])
worst['binom_profile_ci.ref'] = compare('binom_profile_ci.ref', out)

# ---- Student t location-scale: scipy fit + sympy exact derivatives -------------------------------
xt = pd.read_csv('tdist.csv')['x'].to_numpy(float); nu = 5
m_, s_, x_ = sp.symbols('mu sigma x', real=True)
logf = sp.log(sp.gamma(sp.Rational(nu + 1, 2)) / (sp.sqrt(nu * sp.pi) * sp.gamma(sp.Rational(nu, 2)))) - sp.log(s_) \
    - sp.Rational(nu + 1, 2) * sp.log(1 + ((x_ - m_) / s_) ** 2 / nu)
g = [sp.lambdify((x_, m_, s_), sp.diff(logf, v)) for v in (m_, s_)]
H = [[sp.lambdify((x_, m_, s_), sp.diff(logf, a, b)) for b in (m_, s_)] for a in (m_, s_)]
_, loc0, sc0 = stats.t.fit(xt, fix_df=nu)
th = np.array([loc0, sc0])
for _ in range(30):
    gr = np.array([np.sum(gi(xt, *th)) for gi in g])
    Hm = np.array([[np.sum(H[a][b](xt, *th)) for b in range(2)] for a in range(2)])
    th = th - np.linalg.solve(Hm, gr)
Iobs = -np.array([[np.sum(H[a][b](xt, *th)) for b in range(2)] for a in range(2)])
# expected information by quadrature of -E[Hessian] under the fitted t
Iexp = np.array([[len(xt) * integrate.quad(lambda z: -H[a][b](th[0] + th[1] * z, *th) * stats.t.pdf(z, nu), -np.inf, np.inf,
                                           epsabs=1e-14, epsrel=1e-13, limit=200)[0] for b in range(2)] for a in range(2)])
out = {'nu': nu, 'n': len(xt), 'coef:mu': th[0], 'coef:sigma': th[1],
       'loglik': np.sum(stats.t.logpdf(xt, nu, loc=th[0], scale=th[1]))}
nm = ['mu', 'sigma']
mat('info_obs', Iobs, nm, out); mat('info_exp', Iexp, nm, out)
mat('vcov_obs', np.linalg.inv(Iobs), nm, out); mat('vcov_exp', np.linalg.inv(Iexp), nm, out)
for i, t in enumerate(nm):
    out[f'se_obs:{t}'] = np.sqrt(np.linalg.inv(Iobs)[i, i])
for i, t in enumerate(nm):
    out[f'se_exp:{t}'] = np.sqrt(np.linalg.inv(Iexp)[i, i])
write_ref('tdist_info.check', out, [
    f'scipy.stats.t.fit(fix_df=5) start ({loc0!r}, {sc0!r}) + 30 Newton steps with sympy-derived exact derivatives',
    'info_exp by scipy quad of -E[Hessian] under t_5 (not the closed form)'])
worst['tdist_info.ref'] = compare('tdist_info.ref', out)
