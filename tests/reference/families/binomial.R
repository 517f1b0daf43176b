# Binomial regressions with trials (MASS::menarche: cbind(Menarche, Total - Menarche) ~ Age, n = 25) and 0/1 responses
# (MASS::birthwt: low ~ age + lwt + smoke, n = 189), links logit / probit / cloglog, as glm(.., binomial(link)).
# Run: Rscript binomial.R   (writes binomial_trials_data.csv, binomial_binary_data.csv, binomial_<data>_<link>.ref)
# loglik = sum(lchoose(n, s) + s log p + (n - s) log(1 - p)) (== logLik(glm)), log p and log(1 - p) from the log-scale CDFs.
# Route: glm(epsilon = 1e-14, maxit = 100), then 3 Newton steps with the analytic observed Hessian.
# se/vcov: inverse analytic observed information at the final estimate (numDeriv::hessian cross-check printed);
# fisher_se: solve(X' W X), W = n p'^2 / (p (1 - p)) (what summary.glm prints, recomputed at the final estimate).
source("../regression/refutil.R")
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
m <- MASS::menarche
Xt <- cbind("(Intercept)" = 1, Age = m$Age); st <- m$Menarche; nt <- m$Total
write_csv17(data.frame(s = st, n = nt, Xt, check.names = FALSE), "binomial_trials_data.csv")
b <- MASS::birthwt
Xb <- cbind("(Intercept)" = 1, age = b$age, lwt = b$lwt, smoke = b$smoke); sb <- b$low; nb <- rep(1, nrow(b))
write_csv17(data.frame(s = sb, n = nb, Xb, check.names = FALSE), "binomial_binary_data.csv")

second <- function(link, eta) {   # d^2 p / d eta^2
  switch(link, logit = { p <- plogis(eta); p * (1 - p) * (1 - 2 * p) },
         probit = -eta * dnorm(eta), cloglog = { e <- exp(eta); e * exp(-e) * (1 - e) })
}
logp <- function(link, eta) {   # (log p, log(1 - p)) without cancellation in either tail
  switch(link, logit = cbind(plogis(eta, log.p = TRUE), plogis(-eta, log.p = TRUE)),
         probit = cbind(pnorm(eta, log.p = TRUE), pnorm(-eta, log.p = TRUE)),
         cloglog = cbind(log(-expm1(-exp(eta))), -exp(eta)))
}
run <- function(X, s, n, link, tag) {
  fam <- binomial(link)
  fit <- glm(cbind(s, n - s) ~ X - 1, family = fam, control = glm.control(epsilon = 1e-14, maxit = 100))
  ll <- function(beta) { eta <- drop(X %*% beta); lp <- logp(link, eta)
    sum(lchoose(n, s) + ifelse(s > 0, s * lp[, 1], 0) + ifelse(n > s, (n - s) * lp[, 2], 0)) }
  sc <- function(beta) { eta <- drop(X %*% beta); p <- fam$linkinv(eta); d1 <- fam$mu.eta(eta)
    drop(crossprod(X, (s / p - (n - s) / (1 - p)) * d1)) }
  he <- function(beta) { eta <- drop(X %*% beta); p <- fam$linkinv(eta); d1 <- fam$mu.eta(eta); d2 <- second(link, eta)
    w <- (-s / p^2 - (n - s) / (1 - p)^2) * d1^2 + (s / p - (n - s) / (1 - p)) * d2
    crossprod(X, X * w) }
  beta <- coef(fit)
  for (i in 1:3) beta <- beta - solve(he(beta), sc(beta))
  names(beta) <- colnames(X)
  V <- solve(-he(beta)); dimnames(V) <- list(colnames(X), colnames(X))
  Vn <- solve(-numDeriv::hessian(ll, beta))
  eta <- drop(X %*% beta); p <- fam$linkinv(eta); d1 <- fam$mu.eta(eta)
  Vf <- solve(crossprod(X, X * (n * d1^2 / (p * (1 - p)))))
  if (link == "logit") cat(sprintf("%s logit: canonical link, observed vs Fisher (analytic) %.2g\n", tag, relvcov(V, Vf)))
  cat(sprintf("%s %s: glm vs polished coef %.2g; |score| %.2g; analytic vs numDeriv vcov %.2g; fisher vs vcov(glm) %.2g\n",
              tag, link, relmax(coef(fit), beta), max(abs(sc(beta))), relvcov(Vn, V), relvcov(vcov(fit), Vf)))
  write_ref(sprintf("binomial_%s_%s.ref", tag, link),
    c(sprintf("glm(cbind(s, n - s) ~ X - 1, binomial('%s'), epsilon = 1e-14) + 3 Newton steps (%s data)", link, tag),
      "se/vcov: inverse analytic observed information; fisher_se: solve(X'WX) (summary.glm's)"),
    c(kv_vec("coef", beta), kv_vec("se", sqrt(diag(V))), kv_vec("fisher_se", sqrt(diag(Vf))),
      loglik = ll(beta), kv_mat("vcov", V)))
}
for (link in c("logit", "probit", "cloglog")) { run(Xt, st, nt, link, "trials"); run(Xb, sb, nb, link, "binary") }
