# Gamma (log, inverse links; shape by ML as MASS::gamma.shape) and inverse Gaussian (log, 1/mu^2 links; dispersion by ML)
# regressions on seeded simulations (n = 300, covariates x1, x2 in (0, 1)).
# Run: Rscript gamma_ig.R   (writes gamma_data_<link>.csv, gamma_<link>.ref, inverse_gaussian_data_<link>.csv, inverse_gaussian_<link>.ref)
# beta: glm(.., family = Gamma(link) / inverse.gaussian(link), epsilon = 1e-14) (the beta score does not involve the shape or
# dispersion, so glm's beta is the joint MLE), then 3 joint Newton steps with the analytic Hessian in (beta, log shape) or
# (beta, log dispersion). se/vcov: inverse analytic observed information (numDeriv::hessian cross-check printed).
# gamma_shape / gamma_shape_se: MASS::gamma.shape(fit, it.lim = 100, eps.max = 1e-14) (SE at fixed mu, natural scale).
source("../regression/refutil.R")
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
mu_fns <- function(link) switch(link,   # mu(eta), mu'(eta), mu''(eta)
  log = list(function(e) exp(e), function(e) exp(e), function(e) exp(e)),
  inverse = list(function(e) 1 / e, function(e) -1 / e^2, function(e) 2 / e^3),
  "1/mu^2" = list(function(e) e^-0.5, function(e) -0.5 * e^-1.5, function(e) 0.75 * e^-2.5))
fit_one <- function(kind, link, X, y, tag) {
  fam <- if (kind == "gamma") Gamma(link) else inverse.gaussian(link)
  fit <- glm(y ~ X - 1, family = fam, control = glm.control(epsilon = 1e-14, maxit = 100))
  f <- mu_fns(link); p <- ncol(X)
  ll <- function(par) { mu <- f[[1]](drop(X %*% par[1:p])); s <- exp(par[p + 1])
    if (kind == "gamma") sum(s * log(s) - s * log(mu) - lgamma(s) + (s - 1) * log(y) - s * y / mu)
    else sum(-0.5 * (log(2 * pi) + log(s) + 3 * log(y)) - (y - mu)^2 / (2 * s * mu^2 * y)) }
  parts <- function(par) { eta <- drop(X %*% par[1:p]); mu <- f[[1]](eta); d1 <- f[[2]](eta); d2 <- f[[3]](eta); s <- exp(par[p + 1])
    if (kind == "gamma") { lm <- s * (y - mu) / mu^2; lmm <- s * (mu - 2 * y) / mu^3; lmt <- s * (y - mu) / mu^2
      gn <- log(s) + 1 - log(mu) - digamma(s) + log(y) - y / mu; lt <- s * gn; ltt <- s^2 * (1 / s - trigamma(s)) + s * gn
    } else { lm <- (y - mu) / (s * mu^3); lmm <- (2 * mu - 3 * y) / (s * mu^4); lmt <- -(y - mu) / (s * mu^3)
      q <- (y - mu)^2 / (2 * s * mu^2 * y); lt <- -0.5 + q; ltt <- -q }
    list(score = c(drop(crossprod(X, lm * d1)), sum(lt)),
         hess = rbind(cbind(crossprod(X, X * (lmm * d1^2 + lm * d2)), drop(crossprod(X, lmt * d1))),
                      c(drop(crossprod(X, lmt * d1)), sum(ltt)))) }
  b <- coef(fit); mu <- fitted(fit)
  s0 <- if (kind == "gamma") gamma.shape(fit, it.lim = 100, eps.max = 1e-14)$alpha else mean((y - mu)^2 / (mu^2 * y))
  par <- c(b, log(s0))
  for (i in 1:3) { pp <- parts(par); par <- par - solve(pp$hess, pp$score) }
  nm <- c(colnames(X), if (kind == "gamma") "log_shape" else "log_dispersion"); names(par) <- nm
  H <- parts(par)$hess; V <- solve(-H); dimnames(V) <- list(nm, nm)
  cat(sprintf("%s %s: glm vs polished beta %.2g, start vs polished extra %.2g, |score| %.2g, analytic vs numDeriv vcov %.2g\n",
              kind, link, relmax(b, par[1:p]), relmax(s0, exp(par[p + 1])), max(abs(parts(par)$score)),
              relvcov(solve(-numDeriv::hessian(ll, par)), V)))
  extra <- c()
  if (kind == "gamma") { gs <- gamma.shape(fit, it.lim = 100, eps.max = 1e-14); extra <- c(gamma_shape = gs$alpha, gamma_shape_se = gs$SE) }
  write_ref(sprintf("%s_%s.ref", kind, tag), c(
    sprintf("glm(y ~ x1 + x2, family = %s('%s'), epsilon = 1e-14) + 3 joint Newton steps (data %s_data_%s.csv)",
            if (kind == "gamma") "Gamma" else "inverse.gaussian", link, kind, tag),
    "se/vcov: inverse analytic observed information in (beta, log extra)"),
    c(kv_vec("coef", par), kv_vec("se", sqrt(diag(V))), extra, loglik = ll(par), kv_mat("vcov", V)))
}
set.seed(20261202)
n <- 300; x1 <- round(runif(n), 6); x2 <- round(runif(n), 6)
X <- cbind("(Intercept)" = 1, x1 = x1, x2 = x2)
sim <- list(
  gamma_log = rgamma(n, shape = 2.5, rate = 2.5 / exp(0.5 + 0.8 * x1 - 0.4 * x2)),
  gamma_inverse = rgamma(n, shape = 2.5, rate = 2.5 * (0.5 + 0.3 * x1 + 0.2 * x2)))
rig <- function(n, mu, phi) { # Michael, Schucany & Haas (1976)
  nu <- rnorm(n)^2; x <- mu + mu^2 * nu * phi / 2 - mu * phi / 2 * sqrt(4 * mu * nu / phi + mu^2 * nu^2)
  ifelse(runif(n) <= 1 / (1 + x / mu), x, mu^2 / x) }
sim$ig_log <- rig(n, exp(0.5 + 0.8 * x1 - 0.4 * x2), 0.3)
sim$ig_invsq <- rig(n, (0.5 + 0.3 * x1 + 0.2 * x2)^-0.5, 0.3)
for (tag in c("log", "inverse")) {
  y <- round(sim[[paste0("gamma_", tag)]], 10)
  write_csv17(data.frame(y = y, X, check.names = FALSE), sprintf("gamma_data_%s.csv", tag))
  fit_one("gamma", tag, X, y, tag)
}
for (tag in c("log", "invsq")) {
  y <- round(sim[[paste0("ig_", tag)]], 10)
  write_csv17(data.frame(y = y, X, check.names = FALSE), sprintf("inverse_gaussian_data_%s.csv", tag))
  fit_one("inverse_gaussian", if (tag == "log") "log" else "1/mu^2", X, y, tag)
}
