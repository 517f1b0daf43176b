# References for formula fits of the families beyond gaussian/binomial-logit/poisson, on data
# written beside this script (strings as factors, levels sorted in the C locale, as mle-data does).
# Run from the repository root: Rscript crates/mle-data/tests/reference/families/make_reference.R
# R 4.2 with MASS, survival, pscl, numDeriv, jsonlite. Writes <data>.csv and families.json.
#
# Every case is fitted by R from the formula on the CSV read back, then polished by Newton steps
# on an analytic score (numDeriv::jacobian of it as the Hessian). Conventions of the numbers:
#   coefficients / loglik: the polished maximum (loglik: the full log-likelihood, shape or
#     dispersion by ML: MASS::gamma.shape-like for Gamma, mean((y-mu)^2/(mu^2 y)) for the
#     inverse Gaussian; R's glm AIC uses other dispersion estimates and is not compared);
#   se: the EXACT inverse observed information in mle's parametrisation (beta, log theta /
#     log shape / log dispersion / Log(scale); ordinal: beta and the cut-points), from the
#     jacobian of the analytic score (survreg: vcov(survreg), its analytic observed information);
#     glm's own vcov (expected information times a moment dispersion) is NOT what is compared;
#   fitted / residuals / predictions: R's fitted(), residuals(m, type), predict(m, newdata)
#     (pscl: its residual formulas evaluated at the polished estimate, cross-checked against
#     residuals(zeroinfl) in the printed output); se of predictions: sqrt(x' V x) with the exact
#     V (times |dmu/deta| on the response scale; zero-inflated mean: delta method over (beta, gamma));
#   glm_std_errors: summary(glm)'s (expected information; times the Pearson dispersion for Gamma
#     and inverse Gaussian) — compared only for binomial, against `--cov expected`;
#   anova / drop1: glm's anova/drop1(test = "Chisq") for binomial; for the other families
#     likelihood-ratio statistics 2(l1 - l0) of nested models each refitted by ML (theta, shape,
#     scale re-estimated), as anova(m0, m1) does for glm.nb / survreg / polr fits.
suppressPackageStartupMessages({
  library(MASS); library(survival); library(pscl); library(numDeriv); library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
out <- "crates/mle-data/tests/reference/families"
csv <- function(df, name) {
  f <- file.path(out, paste0(name, ".csv"))
  write.csv(df, f, row.names = FALSE, quote = TRUE)
  read.csv(f, stringsAsFactors = TRUE)
}
newton <- function(par, gr, steps = 4) {
  for (i in seq_len(steps)) par <- par - solve(numDeriv::jacobian(gr, par), gr(par))
  par
}
exact_v <- function(gr, par) { H <- numDeriv::jacobian(gr, par); solve(-(H + t(H)) / 2) }
se_of <- function(X, V) sqrt(pmax(rowSums((X %*% V) * X), 0))
u <- function(x) unname(as.numeric(x))

# ------------------------------------------------------------------ GLM families (binomial, Gamma, IG)
# Score in beta of a GLM with prior weights pw at dispersion phi.
glm_score <- function(fam, X, y, pw, off, phi = 1) function(b) {
  eta <- drop(X %*% b) + off; mu <- fam$linkinv(eta)
  drop(crossprod(X, pw * (y - mu) / (phi * fam$variance(mu)) * fam$mu.eta(eta)))
}
glm_case <- function(name, family, link, formula, d, fam, weights = NULL, extra = NULL) {
  m <- if (is.null(weights)) glm(as.formula(formula), fam, d, control = glm.control(epsilon = 1e-15, maxit = 100))
       else glm(as.formula(formula), fam, d, weights = d[[weights]], control = glm.control(epsilon = 1e-15, maxit = 100))
  X <- model.matrix(m); y <- m$y; pw <- m$prior.weights; off <- if (is.null(m$offset)) 0 else m$offset
  mu <- fitted(m); n <- nrow(X)
  scalar <- NULL
  if (fam$family == "Gamma") {
    sh_score <- function(nu) sum(pw * (log(nu) + 1 - digamma(nu) + log(y / mu) - y / mu))
    nu <- uniroot(sh_score, c(1e-3, 1e4), tol = 1e-15)$root
    phi <- 1 / nu
    ll <- sum(pw * dgamma(y, shape = nu, rate = nu / mu, log = TRUE))
    se_scalar <- 1 / sqrt(nu^2 * sum(pw * (trigamma(nu) - 1 / nu)))
    scalar <- list(name = "log(shape)", natural = "shape", estimate = log(nu), se = se_scalar)
  } else if (fam$family == "inverse.gaussian") {
    phi <- sum(pw * (y - mu)^2 / (mu^2 * y)) / sum(pw)
    ll <- sum(pw * (-0.5 * log(2 * pi * phi * y^3) - (y - mu)^2 / (2 * phi * mu^2 * y)))
    scalar <- list(name = "log(dispersion)", natural = "dispersion", estimate = log(phi), se = sqrt(2 / sum(pw)))
  } else {
    phi <- 1; ll <- as.numeric(logLik(m))
  }
  gr <- glm_score(fam, X, y, pw, off, phi)
  b <- newton(coef(m), gr, 2)
  V <- exact_v(gr, b)
  cat(sprintf("%s: glm vs polished %.2g; max|score| %.2g; glm se / exact se - 1: %.2g\n", name,
              max(abs(coef(m) - b) / abs(b)), max(abs(gr(b))), max(abs(sqrt(diag(vcov(m))) / sqrt(diag(V)) - 1))))
  nd <- d
  pl <- predict(m, newdata = nd, type = "link"); pr <- predict(m, newdata = nd, type = "response")
  Xn <- model.matrix(delete.response(terms(m)), model.frame(delete.response(terms(m)), nd, na.action = na.omit))
  sel <- se_of(Xn, V)
  pl <- pl[rownames(Xn)]; pr <- pr[rownames(Xn)]
  res <- list(response = u(residuals(m, "response")), pearson = u(residuals(m, "pearson")),
              deviance = u(residuals(m, "deviance")), working = u(residuals(m, "working")))
  c(list(name = name, family = family, link = link, formula = formula, weights = weights, n = n,
         terms = colnames(X), coefficients = u(b), std_errors = u(sqrt(diag(V))), loglik = ll,
         glm_std_errors = u(sqrt(diag(vcov(m)))),
         scalar = scalar, deviance = deviance(m), null_deviance = m$null.deviance,
         df_residual = m$df.residual, dispersion = summary(m)$dispersion,
         fitted = u(mu), hat = u(hatvalues(m)), residuals = res,
         predict = list(link = u(pl), se_link = u(sel), response = u(pr), se_response = u(sel * abs(fam$mu.eta(pl))))),
    extra)
}
binomial_tests <- function(m) {
  av <- anova(m, test = "Chisq"); dr <- drop1(m, test = "Chisq")
  list(anova = list(terms = rownames(av)[-1], df = av$Df[-1], deviance = av$Deviance[-1],
                    resid_dev = av$"Resid. Dev"[-1], p_value = av$"Pr(>Chi)"[-1]),
       drop1 = list(terms = rownames(dr)[-1], df = dr$Df[-1], deviance = dr$Deviance[-1], aic = dr$AIC[-1],
                    lrt = dr[-1, 4], p_value = dr[-1, 5]))
}

budworm <- data.frame(ldose = rep(0:5, 2), sex = rep(c("M", "F"), each = 6),
                      dead = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16))
budworm$alive <- 20 - budworm$dead; budworm$total <- 20; budworm$prop <- budworm$dead / 20
bw <- csv(budworm, "budworm")
cases <- list()
for (link in c("logit", "probit", "cloglog")) {
  f <- "cbind(dead, alive) ~ sex * ldose"
  m <- glm(as.formula(f), binomial(link), bw, control = glm.control(epsilon = 1e-15, maxit = 100))
  cases[[length(cases) + 1]] <- glm_case(paste0("budworm_cbind_", link), "binomial", link, f, bw, binomial(link),
                                         extra = binomial_tests(m))
}
cases[[length(cases) + 1]] <- glm_case("budworm_proportion_probit", "binomial", "probit", "prop ~ sex + ldose", bw,
                                       binomial("probit"), weights = "total")
bt <- read.csv("data/birthwt.csv", stringsAsFactors = TRUE)
cases[[length(cases) + 1]] <- glm_case("birthwt_binary_probit", "binomial", "probit", "low ~ age + lwt + race + smoke",
                                       bt, binomial("probit"))

set.seed(20261201)
n <- 150
pos <- data.frame(x1 = round(runif(n), 4), g = sample(c("a", "b", "c"), n, TRUE))
gb <- pos$g == "b"; gc <- pos$g == "c"
rig <- function(mu, lambda) {  # inverse Gaussian draws (Michael, Schucany & Haas)
  v <- rnorm(length(mu))^2; x <- mu + mu^2 * v / (2 * lambda) - mu / (2 * lambda) * sqrt(4 * mu * lambda * v + mu^2 * v^2)
  ifelse(runif(length(mu)) <= mu / (mu + x), x, mu^2 / x)
}
pos$y_gamma_log <- round(rgamma(n, shape = 3, rate = 3 / exp(0.5 + pos$x1 - 0.4 * gb + 0.3 * gc)), 6)
pos$y_gamma_inv <- round(rgamma(n, shape = 2, rate = 2 * (0.5 + 0.8 * pos$x1 + 0.3 * gb + 0.6 * gc)), 6)
pos$y_ig_log <- round(rig(exp(0.2 + 0.6 * pos$x1 - 0.3 * gb), 4), 6)
pos$y_ig_isq <- round(rig(1 / sqrt(0.5 + 0.8 * pos$x1 + 0.4 * gc), 6), 6)
pos$w <- sample(1:4, n, TRUE)
pd <- csv(pos, "positive")
lr_tests <- function(fit_ll, terms, k_full) {
  # fit_ll(rhs) -> c(loglik, n_parameters); sequential and single-term deletions
  seq_ll <- sapply(0:length(terms), function(t) fit_ll(if (t == 0) "1" else paste(terms[1:t], collapse = " + "))[1])
  full <- fit_ll(paste(terms, collapse = " + "))
  d1 <- lapply(seq_along(terms), function(t) fit_ll(if (length(terms) == 1) "1" else paste(terms[-t], collapse = " + ")))
  list(anova = list(terms = terms, lr = u(2 * diff(seq_ll)), minus_two_ll = u(-2 * seq_ll[-1])),
       drop1 = list(terms = terms, lrt = u(2 * (full[1] - sapply(d1, `[`, 1))),
                    aic = u(-2 * sapply(d1, `[`, 1) + 2 * sapply(d1, `[`, 2))))
}
gamma_ll <- function(resp, link, fam) function(rhs) {
  m <- glm(as.formula(paste(resp, "~", rhs)), fam, pd, control = glm.control(epsilon = 1e-15, maxit = 100))
  y <- m$y; mu <- fitted(m)
  if (fam$family == "Gamma") {
    nu <- uniroot(function(nu) sum(log(nu) + 1 - digamma(nu) + log(y / mu) - y / mu), c(1e-3, 1e4), tol = 1e-15)$root
    c(sum(dgamma(y, shape = nu, rate = nu / mu, log = TRUE)), length(coef(m)) + 1)
  } else {
    phi <- mean((y - mu)^2 / (mu^2 * y))
    c(sum(-0.5 * log(2 * pi * phi * y^3) - (y - mu)^2 / (2 * phi * mu^2 * y)), length(coef(m)) + 1)
  }
}
for (spec in list(list("gamma_log", "gamma", "log", "y_gamma_log", Gamma("log")),
                  list("gamma_inverse", "gamma", "inverse", "y_gamma_inv", Gamma("inverse")),
                  list("inverse_gaussian_log", "inverse-gaussian", "log", "y_ig_log", inverse.gaussian("log")),
                  list("inverse_gaussian_invsq", "inverse-gaussian", "1/mu^2", "y_ig_isq", inverse.gaussian("1/mu^2")))) {
  f <- paste(spec[[4]], "~ x1 + g")
  cases[[length(cases) + 1]] <- glm_case(spec[[1]], spec[[2]], spec[[3]], f, pd, spec[[5]],
                                         extra = lr_tests(gamma_ll(spec[[4]], spec[[3]], spec[[5]]), c("x1", "g")))
}
cases[[length(cases) + 1]] <- glm_case("gamma_log_weighted", "gamma", "log", "y_gamma_log ~ x1 + g", pd, Gamma("log"),
                                       weights = "w")
cases[[length(cases) + 1]] <- glm_case("inverse_gaussian_log_weighted", "inverse-gaussian", "log", "y_ig_log ~ x1 + g", pd,
                                       inverse.gaussian("log"), weights = "w")
cases[[length(cases) + 1]] <- glm_case("gamma_log_offset", "gamma", "log", "y_gamma_log ~ g + offset(x1)", pd, Gamma("log"))

# ------------------------------------------------------------------ negative binomial (MASS::glm.nb)
quine <- MASS::quine
quine$e <- round(runif(nrow(quine), 0.5, 2), 3); quine$w <- sample(1:3, nrow(quine), TRUE)
qd <- csv(quine, "quine")
nb_fns <- function(X, y, w = 1, off = 0) list(
  ll = function(par) { p <- ncol(X); th <- exp(par[p + 1]); mu <- exp(drop(X %*% par[1:p]) + off)
    sum(w * (lgamma(y + th) - lgamma(th) - lgamma(y + 1) + th * log(th / (th + mu)) + y * log(mu / (th + mu)))) },
  score = function(par) { p <- ncol(X); th <- exp(par[p + 1]); mu <- exp(drop(X %*% par[1:p]) + off)
    c(drop(crossprod(X, w * th * (y - mu) / (th + mu))),
      th * sum(w * (digamma(y + th) - digamma(th) + log(th / (th + mu)) + 1 - (y + th) / (th + mu)))) })
nb_ll <- function(rhs) {
  m <- glm.nb(as.formula(paste("Days ~", rhs)), qd, control = glm.control(epsilon = 1e-15, maxit = 100))
  X <- model.matrix(m); f <- nb_fns(X, m$y); par <- newton(c(coef(m), log(m$theta)), f$score, 3)
  c(f$ll(par), ncol(X) + 1)
}
nb_case <- function(name, f, weights = NULL, tests = TRUE) {
  m <- if (is.null(weights)) glm.nb(as.formula(f), qd, control = glm.control(epsilon = 1e-15, maxit = 100))
       else glm.nb(as.formula(f), qd, weights = qd[[weights]], control = glm.control(epsilon = 1e-15, maxit = 100))
  X <- model.matrix(m); y <- m$y; p <- ncol(X); off <- if (is.null(m$offset)) 0 else m$offset
  fn <- nb_fns(X, y, m$prior.weights, off)
  par <- newton(c(coef(m), log(m$theta)), fn$score, 4)
  V <- exact_v(fn$score, par)
  cat(sprintf("%s: glm.nb vs polished %.2g; max|score| %.2g\n", name, max(abs(c(coef(m), log(m$theta)) - par) / abs(par)),
              max(abs(fn$score(par)))))
  pl <- predict(m, newdata = qd, type = "link")
  sel <- se_of(X, V[1:p, 1:p])
  # The expected (Fisher) information of (beta, log theta) at the polished estimate: X'WX with
  # W = w mu / (1 + mu / theta); zero cross terms; for log theta the sum over y of
  # theta^2 [trigamma(theta) - trigamma(y + theta)] P(y) - theta mu / (theta + mu), y = 0..20000
  # (the tail beyond is below 1e-100 here). Cross-checked by the information identity
  # E[(dl/dlog theta)^2] summed the same way.
  th <- exp(par[p + 1]); mu <- exp(drop(X %*% par[1:p]) + off); pw <- m$prior.weights; ys <- 0:20000
  Ibb <- crossprod(X, (pw * mu / (1 + mu / th)) * X)
  itt <- sapply(seq_along(mu), function(i) { pr <- dnbinom(ys, size = th, mu = mu[i])
    c(th^2 * sum(pr * (trigamma(th) - trigamma(ys + th))) - th * mu[i] / (th + mu[i]),
      sum(pr * (th * (digamma(ys + th) - digamma(th) + log(th / (th + mu[i])) + 1 - (ys + th) / (th + mu[i])))^2)) })
  Itt <- sum(pw * itt[1, ])
  cat(sprintf("%s: expected info of log theta %.12g; by the information identity %.3g relative; glm.nb SE vs X'WX at the polished estimate %.2g\n",
              name, Itt, sum(pw * itt[2, ]) / Itt - 1, max(abs(sqrt(diag(vcov(m))) / sqrt(diag(solve(Ibb))) - 1))))
  expected <- list(std_errors = u(c(sqrt(diag(solve(Ibb))), 1 / sqrt(Itt))), glm_nb_std_errors = u(sqrt(diag(vcov(m)))),
                   information_log_theta = Itt)
  res <- list(response = u(residuals(m, "response")), pearson = u(residuals(m, "pearson")),
              deviance = u(residuals(m, "deviance")), working = u(residuals(m, "working")))
  c(list(name = name, family = "negative-binomial", link = "log", formula = f, weights = weights, n = nrow(X),
         terms = colnames(X), coefficients = u(par[1:p]), std_errors = u(sqrt(diag(V))[1:p]), loglik = fn$ll(par),
         scalar = list(name = "log(theta)", natural = "theta", estimate = par[p + 1], se = sqrt(V[p + 1, p + 1])),
         deviance = deviance(m), null_deviance = m$null.deviance, df_residual = m$df.residual, dispersion = 1,
         fitted = u(fitted(m)), hat = u(hatvalues(m)), residuals = res, expected = expected,
         predict = list(link = u(pl), se_link = u(sel), response = u(exp(pl)), se_response = u(sel * exp(pl)))),
    if (tests) lr_tests(nb_ll, c("Eth", "Sex", "Age", "Lrn")))
}
cases[[length(cases) + 1]] <- nb_case("quine_negbin", "Days ~ Eth + Sex + Age + Lrn")
cases[[length(cases) + 1]] <- nb_case("quine_negbin_weighted_offset", "Days ~ Eth + Sex + Age + Lrn + offset(log(e))",
                                      weights = "w", tests = FALSE)

# ------------------------------------------------------------------ survival::survreg (status 1/2, an NA row)
lung <- survival::lung[, c("time", "status", "age", "sex", "ph.ecog")]
ld <- csv(lung, "lung")
sr_fit <- function(rhs, dist, data = ld) survreg(as.formula(paste("Surv(time, status) ~", rhs)), data, dist = dist,
                                                 control = survreg.control(rel.tolerance = 1e-13, maxiter = 200))
for (dist in c("weibull", "exponential", "lognormal", "loglogistic")) {
  f <- "Surv(time, status) ~ age + sex + ph.ecog"
  m <- sr_fit("age + sex + ph.ecog", dist)
  V <- vcov(m); p <- length(coef(m))
  nd <- na.omit(ld)
  lp <- predict(m, newdata = nd, type = "lp", se.fit = TRUE)
  rp <- predict(m, newdata = nd, type = "response", se.fit = TRUE)
  scalar <- if (dist != "exponential") list(name = "Log(scale)", natural = "scale", estimate = log(m$scale),
                                             se = sqrt(V[p + 1, p + 1]))
  ll_fun <- function(rhs) { mm <- sr_fit(rhs, dist, nd); c(as.numeric(logLik(mm)), length(coef(mm)) + (dist != "exponential")) }
  cases[[length(cases) + 1]] <- c(list(
    name = paste0("lung_", dist), family = dist, link = "log", formula = f, n = length(m$linear.predictors),
    terms = names(coef(m)), coefficients = u(coef(m)), std_errors = u(sqrt(diag(V))[1:p]),
    loglik = as.numeric(logLik(m)), scalar = scalar,
    fitted = u(fitted(m)), residuals = list(response = u(residuals(m, "response"))),
    predict = list(link = u(lp$fit), se_link = u(lp$se.fit), response = u(rp$fit), se_response = u(rp$se.fit))),
    lr_tests(ll_fun, c("age", "sex", "ph.ecog")))
}

# ------------------------------------------------------------------ pscl::zeroinfl
bc <- csv(pscl::bioChemists, "biochemists")
zi_case <- function(name, dist, f) {
  m <- zeroinfl(as.formula(f), bc, dist = dist, control = zeroinfl.control(reltol = 1e-15, maxit = 10000))
  X <- model.matrix(m, "count"); Z <- model.matrix(m, "zero"); y <- y_obs <- bc$art; p <- ncol(X); q <- ncol(Z)
  negbin <- dist == "negbin"
  parts <- function(par) {
    mu <- exp(drop(X %*% par[1:p])); pi <- plogis(drop(Z %*% par[p + 1:q])); list(mu = mu, pi = pi)
  }
  ll <- function(par) { s <- parts(par); mu <- s$mu; pi <- s$pi
    if (negbin) { th <- exp(par[p + q + 1]); c0 <- dnbinom(0, size = th, mu = mu); dc <- dnbinom(y, size = th, mu = mu) }
    else { c0 <- exp(-mu); dc <- dpois(y, mu) }
    sum(ifelse(y == 0, log(pi + (1 - pi) * c0), log(1 - pi) + log(dc))) }
  gr_parts <- function(par, y = y_obs) { s <- parts(par); mu <- s$mu; pi <- s$pi; z0 <- y == 0
    if (negbin) { th <- exp(par[p + q + 1]); c0 <- exp(th * (log(th) - log(th + mu)))
      dc_eta <- c0 * (-th * mu / (th + mu)); dc_tau <- c0 * th * (log(th) - log(th + mu) + mu / (th + mu))
    } else { c0 <- exp(-mu); dc_eta <- -mu * c0 }
    P0 <- pi + (1 - pi) * c0
    s_eta <- ifelse(z0, (1 - pi) * dc_eta / P0, if (negbin) th * (y - mu) / (th + mu) else y - mu)
    s_zeta <- ifelse(z0, pi * (1 - pi) * (1 - c0) / P0, -pi)
    o <- cbind(s_eta * X, s_zeta * Z)
    if (negbin) o <- cbind(o, ifelse(z0, (1 - pi) * dc_tau / P0,
      th * (digamma(y + th) - digamma(th) + log(th) - log(th + mu) + (mu - y) / (th + mu))))
    o }
  gr <- function(par) colSums(gr_parts(par))
  par <- newton(c(m$coefficients$count, m$coefficients$zero, if (negbin) log(m$theta)), gr, 4)
  V <- exact_v(gr, par)
  s <- parts(par); mean <- (1 - s$pi) * s$mu
  inv_th <- if (negbin) exp(-par[p + q + 1]) else 0
  pear <- (y - mean) / sqrt(mean * (1 + (s$pi + inv_th) * s$mu))
  cat(sprintf("%s: zeroinfl vs polished %.2g; max|score| %.2g; residuals formula vs pscl %.2g\n", name,
              max(abs(c(m$coefficients$count, m$coefficients$zero) - par[1:(p + q)]) / abs(par[1:(p + q)])),
              max(abs(gr(par))), max(abs(pear - residuals(m, "pearson")))))
  G <- cbind((1 - s$pi) * s$mu * X, -s$mu * s$pi * (1 - s$pi) * Z)
  k <- p + q
  # The expected (Fisher) information at the polished estimate, in the outer-product form
  # sum_i sum_y P(y | x_i) s_i(y) s_i(y)' with the analytic scores above (the engine sums
  # Hessians instead: the information identity makes the two equal), y = 0..3000; the mass
  # left out is printed (below 1e-15 here).
  pdf <- function(yv) { if (negbin) dnbinom(yv, size = exp(par[k + 1]), mu = s$mu) else dpois(yv, s$mu) }
  Iexp <- 0; mass <- 0
  for (yv in 0:3000) {
    pr <- if (yv == 0) s$pi + (1 - s$pi) * pdf(0) else (1 - s$pi) * pdf(yv)
    Sy <- gr_parts(par, rep(yv, length(y))); Iexp <- Iexp + crossprod(Sy, pr * Sy); mass <- mass + pr
  }
  cat(sprintf("%s: expected information, mass left out %.2g (%d observations)\n", name, max(abs(1 - mass)), length(mass)))
  expected <- list(std_errors = u(sqrt(diag(solve(Iexp)))))
  list(name = name, family = if (negbin) "zinb" else "zip", link = "log", formula = f, n = length(y),
       # Count-model terms unprefixed (R model.matrix names), zero-model terms `zero_` (the
       # names the project reports; pscl prints `count_` on the count terms too).
       terms = c(colnames(X), paste0("zero_", colnames(Z))),
       coefficients = u(par[1:k]), std_errors = u(sqrt(diag(V))[1:k]), loglik = ll(par),
       scalar = if (negbin) list(name = "log(theta)", natural = "theta", estimate = par[k + 1], se = sqrt(V[k + 1, k + 1])),
       fitted = u(mean), residuals = list(response = u(y - mean), pearson = u(pear)),
       predict = list(link = u(log(s$mu)), se_link = u(se_of(X, V[1:p, 1:p])),
                      response = u(predict(m, newdata = bc, type = "response")), se_response = u(se_of(G, V[1:k, 1:k]))),
       expected = expected)
}
cases[[length(cases) + 1]] <- zi_case("biochemists_zip", "poisson", "art ~ fem + mar + kid5 + ment | kid5 + ment")
cases[[length(cases) + 1]] <- zi_case("biochemists_zinb", "negbin", "art ~ fem + mar + kid5 + ment | ment")

# ------------------------------------------------------------------ MASS::polr (weights = Freq)
h <- MASS::housing; h$sat <- as.integer(h$Sat); h$Sat <- NULL
hd <- csv(h, "housing")
# `d`, `resp`, `y` (1-based codes in the level order), `cut_names`: the response of the case.
polr_case <- function(link, method, d = hd, resp = "factor(sat)", y = hd$sat, cut_names = c("1|2", "2|3"),
                      name = paste0("housing_polr_", link), tests = TRUE) {
  f <- paste(resp, "~ Infl + Type + Cont")
  fit_polr <- function(rhs) polr(as.formula(paste(resp, "~", rhs)), d, weights = Freq, method = method,
                                 Hess = TRUE, control = list(reltol = 1e-15, maxit = 10000))
  m <- fit_polr("Infl + Type + Cont")
  X <- model.matrix(~ Infl + Type + Cont, d)[, -1]; w <- d$Freq; J <- 3; p <- ncol(X)
  Fc <- if (method == "logistic") plogis else pnorm; fd <- if (method == "logistic") dlogis else dnorm
  gr_for <- function(X) function(par) { p <- ncol(X); cc <- c(-Inf, par[p + 1:(J - 1)], Inf)
    eta <- if (p > 0) drop(X %*% par[seq_len(p)]) else 0; uu <- cc[y + 1] - eta; l <- cc[y] - eta
    P <- Fc(uu) - Fc(l); fu <- fd(uu); fl <- fd(l)
    gz <- sapply(1:(J - 1), function(k) sum(w * ((y == k) * fu - (y == k + 1) * fl) / P))
    c(if (p > 0) drop(crossprod(X, w * (-(fu - fl) / P))), gz) }
  ll_for <- function(X) function(par) { p <- ncol(X); cc <- c(-Inf, par[p + 1:(J - 1)], Inf)
    eta <- if (p > 0) drop(X %*% par[seq_len(p)]) else 0; sum(w * log(Fc(cc[y + 1] - eta) - Fc(cc[y] - eta))) }
  gr <- gr_for(X); par <- newton(c(coef(m), m$zeta), gr, 4); V <- exact_v(gr, par)
  cat(sprintf("polr %s: polr vs polished %.2g; max|score| %.2g\n", link, max(abs(c(coef(m), m$zeta) - par) / abs(par)),
              max(abs(gr(par)))))
  ll_fun <- function(rhs) {
    Xs <- if (rhs == "1") matrix(0, nrow(hd), 0) else model.matrix(as.formula(paste("~", rhs)), hd)[, -1, drop = FALSE]
    mm <- if (rhs == "1") polr(factor(sat) ~ 1, hd, weights = Freq, method = method) else fit_polr(rhs)
    pp <- newton(c(coef(mm), mm$zeta), gr_for(Xs), 4)
    c(ll_for(Xs)(pp), length(pp))
  }
  cc <- c(-Inf, par[p + 1:(J - 1)], Inf); eta <- drop(X %*% par[1:p])
  probs <- sapply(1:J, function(j) Fc(cc[j + 1] - eta) - Fc(cc[j] - eta))
  cat(sprintf("polr %s: probabilities at the polished estimate vs predict(type = 'probs') %.2g\n", link,
              max(abs(probs - predict(m, newdata = d, type = "probs")))))
  stopifnot(identical(names(m$zeta), cut_names))
  c(list(name = name, family = "ordinal", link = link, formula = f, weights = "Freq",
         n = nrow(X), terms = colnames(X), coefficients = u(par[1:p]), std_errors = u(sqrt(diag(V))[1:p]),
         loglik = ll_for(X)(par),
         cuts = list(names = cut_names, estimates = u(par[p + 1:2]), std_errors = u(sqrt(diag(V))[p + 1:2])),
         predict = list(link = u(X %*% par[1:p]), se_link = u(se_of(X, V[1:p, 1:p]))),
         probabilities = unname(probs)),
    if (tests) lr_tests(ll_fun, c("Infl", "Type", "Cont")))
}
cases[[length(cases) + 1]] <- polr_case("logit", "logistic")
cases[[length(cases) + 1]] <- polr_case("probit", "probit")
# The same table with the response as strings (Low / Medium / High: alphabetically High < Low <
# Medium, not their order), ordered explicitly in the formula.
hs <- MASS::housing; hs$Sat <- as.character(hs$Sat)
hsd <- csv(hs, "housing_sat")
sat_levels <- c("Low", "Medium", "High")
for (spec in list(c("logit", "logistic"), c("probit", "probit"))) {
  cases[[length(cases) + 1]] <- polr_case(spec[1], spec[2], d = hsd,
    resp = 'ordered(Sat, levels = c("Low", "Medium", "High"))', y = match(as.character(hsd$Sat), sat_levels),
    cut_names = c("Low|Medium", "Medium|High"), name = paste0("housing_sat_polr_", spec[1]), tests = FALSE)
}
alpha <- polr(factor(Sat) ~ Infl + Type + Cont, hsd, weights = Freq)
cat(sprintf("polr with the alphabetical order (High < Low < Medium): logLik %.6f (the given order: %.6f)\n",
            logLik(alpha), cases[[length(cases) - 1]]$loglik))

# ------------------------------------------------------------------ a ZIP fit at its boundary (pi = 0)
# Counts simulated from a plain Poisson: the first seed whose data have no excess zeros at the
# Poisson fit (the one-sided derivative of the ZIP log-likelihood in pi at pi = 0,
# sum_{y = 0} exp(mu_i) - n, negative): the ZIP MLE is then pi = 0 (zero intercept -Inf) and the
# count model is the Poisson fit.
for (s in 1:100) {
  set.seed(20261201 + s)
  pb <- data.frame(x = round(runif(200), 4)); pb$y <- rpois(200, exp(0.3 + 0.8 * pb$x))
  g <- glm(y ~ x, poisson, pb)
  if (sum((pb$y == 0) * exp(fitted(g))) - nrow(pb) < -10) break
}
pbd <- csv(pb, "poisson_boundary")
g <- glm(y ~ x, poisson, pbd, control = glm.control(epsilon = 1e-15, maxit = 100))
zi <- zeroinfl(y ~ x | 1, pbd, dist = "poisson", control = zeroinfl.control(reltol = 1e-15, maxit = 10000))
cat(sprintf("poisson_boundary (seed %d): derivative at pi = 0 %.3f; zeroinfl's zero intercept %.2f (SE %.3g), its count part vs glm %.2g\n",
            20261201 + s, sum((pbd$y == 0) * exp(fitted(g))) - nrow(pbd), zi$coefficients$zero,
            sqrt(diag(vcov(zi)))[3], max(abs(zi$coefficients$count - coef(g)))))
# The ZIP likelihood over pi in [0, 1] at the Poisson beta and over (beta, pi) jointly: maximal at pi = 0.
zll <- function(par) { mu <- exp(par[1] + par[2] * pbd$x); pi <- par[3]
  sum(ifelse(pbd$y == 0, log(pi + (1 - pi) * exp(-mu)), log(1 - pi) + dpois(pbd$y, mu, log = TRUE))) }
opt <- optim(c(coef(g), 0.1), zll, method = "L-BFGS-B", lower = c(-Inf, -Inf, 0), upper = c(Inf, Inf, 0.99),
             control = list(fnscale = -1, factr = 1))
cat(sprintf("poisson_boundary: L-BFGS-B over pi in [0, 0.99]: pi-hat %.3g, logLik %.10f vs Poisson %.10f\n",
            opt$par[3], opt$value, as.numeric(logLik(g))))
cases[[length(cases) + 1]] <- list(name = "poisson_boundary_zip", family = "zip", formula = "y ~ x | 1",
  n = nrow(pbd), terms = names(coef(g)), coefficients = u(coef(g)), std_errors = u(sqrt(diag(vcov(g)))),
  loglik = as.numeric(logLik(g)), zeroinfl_zero_intercept = u(zi$coefficients$zero))

write_json(cases, file.path(out, "families.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null")
