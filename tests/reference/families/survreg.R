# Accelerated failure time models with right censoring, as survival::survreg: survival::lung,
# Surv(time, status) ~ age + sex (status recoded to 1 = death, 0 = censored; n = 228), distributions weibull, exponential,
# lognormal, loglogistic; i.i.d. (intercept-only) Weibull and exponential fits too.
# Run: Rscript survreg.R   (writes survreg_data.csv, survreg_<dist>.ref, survreg_iid_<dist>.ref)
# survreg(.., control = survreg.control(rel.tolerance = 1e-14, maxiter = 100)); parameters (beta, log(scale)).
# se/vcov: survreg's vcov (inverse of its analytic observed information), cross-checked against the inverse of
# -numDeriv::hessian of the R log-likelihood below (printed); loglik = logLik(survreg) (time scale, with the -log t Jacobian),
# checked against the R log-likelihood.
source("../regression/refutil.R")
suppressPackageStartupMessages({ library(survival); library(numDeriv) })
d <- survival::lung
t <- d$time; st <- as.numeric(d$status == 2)
X <- cbind("(Intercept)" = 1, age = d$age, sex = d$sex)
write_csv17(data.frame(time = t, status = st, X, check.names = FALSE), "survreg_data.csv")
logf <- function(dist, z) switch(dist,   # log density and log survival of the standard error distribution of log T
  weibull = cbind(z - exp(z), -exp(z)), exponential = cbind(z - exp(z), -exp(z)),
  lognormal = cbind(dnorm(z, log = TRUE), pnorm(-z, log.p = TRUE)),
  loglogistic = cbind(z - 2 * log1p(exp(z)), -log1p(exp(z))))
run <- function(dist, X, tag) {
  p <- ncol(X)
  fit <- survreg(Surv(t, st) ~ X - 1, dist = dist, control = survreg.control(rel.tolerance = 1e-14, maxiter = 100))
  ll <- function(par) { ls <- if (dist == "exponential") 0 else par[p + 1]
    z <- (log(t) - drop(X %*% par[1:p])) / exp(ls); f <- logf(dist, z)
    sum(ifelse(st == 1, f[, 1] - ls - log(t), f[, 2])) }
  par <- c(coef(fit), if (dist != "exponential") log(fit$scale))
  nm <- c(colnames(X), if (dist != "exponential") "log(scale)"); names(par) <- nm
  V <- vcov(fit); dimnames(V) <- list(nm, nm)
  Vn <- solve(-numDeriv::hessian(ll, par))
  cat(sprintf("%s %s: loglik R fn vs logLik %.2g; survreg vcov vs numDeriv %.2g; iterations %d\n", tag, dist,
              relmax(ll(par), as.numeric(logLik(fit))), relvcov(Vn, V), fit$iter))
  write_ref(sprintf("survreg_%s%s.ref", tag, dist), c(
    sprintf("survreg(Surv(time, status) ~ %s, lung, dist = '%s', rel.tolerance = 1e-14)", if (p == 1) "1" else "age + sex", dist),
    "se/vcov: vcov(survreg) (analytic observed information; numDeriv cross-check in the script output)"),
    c(kv_vec("coef", par), kv_vec("se", sqrt(diag(V))), loglik = as.numeric(logLik(fit)), kv_mat("vcov", V)))
}
for (dist in c("weibull", "exponential", "lognormal", "loglogistic")) run(dist, X, "")
for (dist in c("weibull", "exponential")) run(dist, X[, 1, drop = FALSE], "iid_")
