# Logistic regression reference: MASS::birthwt, low ~ age + lwt + smoke + ht + ui (n=189, 6 coefs, not separated).
# Run: Rscript logistic.R   (writes logistic_data.csv, logistic.ref)
# Route 1: glm(binomial, epsilon=1e-14, maxit=100), then 3 Newton polish steps, vcov = solve(X'WX) with
#          W = mu(1-mu) from the FINAL estimate (not glm's last-iteration weights).
# Route 2 (in R): optim BFGS with analytic gradient, reltol 1e-15, + numDeriv::hessian of the log-likelihood.
# Route 3: statsmodels Logit(method='newton') in crosscheck_statsmodels.py.
source("refutil.R")
suppressPackageStartupMessages({ library(MASS); library(numDeriv) })
options(contrasts = c("contr.treatment", "contr.treatment"))
d <- MASS::birthwt
f <- low ~ age + lwt + smoke + ht + ui
X <- model.matrix(f, d); colnames(X) <- clean_names(colnames(X)); y <- d$low; n <- nrow(X); p <- ncol(X)
write_csv17(data.frame(y = y, X, check.names = FALSE), "logistic_data.csv")

fit <- glm(y ~ X - 1, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
b <- coef(fit); names(b) <- colnames(X)
loglik_fn <- function(b) { eta <- drop(X %*% b); sum(y * eta - log1p(exp(eta))) }
score_fn <- function(b) { mu <- plogis(drop(X %*% b)); drop(crossprod(X, y - mu)) }
info_fn <- function(b) { mu <- plogis(drop(X %*% b)); crossprod(X, X * (mu * (1 - mu))) }
for (i in 1:3) b <- b + solve(info_fn(b), score_fn(b))
cat("max |score| at optimum:", max(abs(score_fn(b))), "\n")
V <- solve(info_fn(b)); dimnames(V) <- list(colnames(X), colnames(X)); se <- sqrt(diag(V))
ll <- loglik_fn(b)
mu <- plogis(drop(X %*% b))
dev <- -2 * sum(ifelse(y == 1, log(mu), log(1 - mu)))
# record: glm's own numbers
cat(sprintf("glm vs route1: coef %.3g  se(summary.glm) %.3g  loglik %.3g  aic %.3g\n",
            relmax(coef(fit), b), relmax(sqrt(diag(vcov(fit))), se), relmax(logLik(fit), ll), relmax(AIC(fit), -2 * ll + 2 * p)))
# route 2
ps <- sqrt(diag(vcov(glm(y ~ X - 1, family = binomial))))   # default-tolerance glm SEs as parscale only
o <- list(par = rep(0, p))
for (i in 1:3) o <- optim(o$par, function(b) -loglik_fn(b), function(b) -score_fn(b), method = "BFGS",
                          control = list(reltol = 1e-15, maxit = 10000, parscale = ps))
V2 <- solve(-numDeriv::hessian(loglik_fn, o$par))
c2 <- relmax(o$par, b); s2 <- relmax(sqrt(diag(V2)), se); v2 <- relvcov(V2, V)
cat(sprintf("route2 (optim BFGS + numDeriv hessian) vs route1: coef %.3g  se %.3g  vcov %.3g\n", c2, s2, v2))

kv <- c(kv_vec("coef", b), kv_vec("se", se), loglik = ll, aic = -2 * ll + 2 * p, bic = -2 * ll + p * log(n),
        deviance = dev, nobs = n, kv_mat("vcov", V))
write_ref("logistic.ref", c(
  "glm(low ~ age + lwt + smoke + ht + ui, family=binomial, data=MASS::birthwt, control=glm.control(epsilon=1e-14, maxit=100)) + 3 Newton steps",
  "se/vcov = solve(X' diag(mu(1-mu)) X) at the final estimate; data: logistic_data.csv (y, then model.matrix columns)",
  "vcov keys: upper triangle (symmetric)",
  sprintf("cross-check optim BFGS (analytic gradient, reltol 1e-15) + numDeriv::hessian: max rel diff coef %.2g, se %.2g, vcov(normwise) %.2g", c2, s2, v2)), kv)
